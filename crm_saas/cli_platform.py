"""The platform's commands (issue 14): a company's life as the operator changes it, agencies and operators.

Hung on ``crm-saas`` by cli.py (``tenants approve ...``, ``agencies``,
``operators``); each imports what it runs, so ``crm-saas --help`` builds no app.
"""
import click


def _app():
    from crm_saas.cli import _app as build  # the one app factory of the command line (cli.py imports this module)

    return build()


# -- a company's life (A2), as the operator changes it; the platform log names the actor "system" -------------

def local_date(app, moment):
    """The date of ``moment`` where the platform's people read dates (an end date is the end of a day there)."""
    from zoneinfo import ZoneInfo

    if moment is None:
        return "-"
    return moment.astimezone(ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])).date().isoformat()


def _refused(err):
    """A service's refusal (``FieldErrors``) as the command's error: each field and its messages; exit 1."""
    lines = [f"{field}: {' '.join(str(m) for m in messages)}" for field, messages in err.errors.items()]
    return click.ClickException("\n".join(lines))


def _company(slug):
    """The company of a subdomain (in the app context), or the command's error."""
    from sqlalchemy import select

    from crm_saas.extensions import db as database
    from crm_saas.tenants.models import Tenant

    tenant = database.session.scalar(select(Tenant).where(Tenant.slug == slug.strip().lower()))
    if tenant is None:
        raise click.BadParameter(f"no company has the subdomain {slug!r}", param_hint="SLUG")
    return tenant


def _change(slug, change):
    """Run ``change(tenant)`` (a ``tenants.lifecycle`` call, actor None: "system") and print where it left the
    company."""
    from crm_saas.core.errors import FieldErrors
    from crm_saas.extensions import db as database

    app = _app()
    with app.app_context():
        tenant = _company(slug)
        try:
            change(tenant)
        except FieldErrors as err:
            database.session.rollback()
            raise _refused(err) from None
        tenant = _company(slug)
        ends = local_date(app, tenant.expires_at)
        rep = f", rep {tenant.rep_code}" if tenant.rep_code else ""
        click.echo(f"{tenant.slug} ({tenant.name}): {tenant.effective_status()}, ends {ends}{rep}")


@click.command("approve", help="Approve a company waiting for approval: its trial starts now.")
@click.argument("slug")
def tenants_approve(slug):
    from crm_saas.tenants import lifecycle

    _change(slug, lambda tenant: lifecycle.approve(tenant, actor=None))


@click.command("reject", help="Turn a sign-up down; its applicant is emailed the reason.")
@click.argument("slug")
@click.option("--reason", required=True)
def tenants_reject(slug, reason):
    from crm_saas.tenants import lifecycle

    _change(slug, lambda tenant: lifecycle.reject(tenant, reason, actor=None))


@click.command("extend", help="Set a new end date: --days more (from today if it has passed) or --until a date. "
                                "--paid makes it a paid subscription.")
@click.argument("slug")
@click.option("--days", type=int, default=None)
@click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD")
@click.option("--paid", is_flag=True, help="A paid subscription from now on (status active).")
def tenants_extend(slug, days, until, paid):
    from crm_saas.tenants import lifecycle

    _change(slug, lambda tenant: lifecycle.extend(tenant, days=days, until=until.date() if until else None,
                                                  paid=True if paid else None, actor=None))


@click.command("suspend", help="Suspend a company; its users see whom to contact. No data is touched.")
@click.argument("slug")
@click.option("--reason", required=True)
def tenants_suspend(slug, reason):
    from crm_saas.tenants import lifecycle

    _change(slug, lambda tenant: lifecycle.suspend(tenant, reason, actor=None))


@click.command("reactivate", help="Lift a company's suspension.")
@click.argument("slug")
@click.option("--reason", default=None)
def tenants_reactivate(slug, reason):
    from crm_saas.tenants import lifecycle

    _change(slug, lambda tenant: lifecycle.reactivate(tenant, actor=None, reason=reason))


@click.command("rename", help="Rename a company (its subdomain stays).")
@click.argument("slug")
@click.argument("name")
def tenants_rename(slug, name):
    from crm_saas.tenants import lifecycle

    _change(slug, lambda tenant: lifecycle.rename(tenant, name, actor=None))


@click.command("reset-admin-password", help="Set the company administrator's password (asked for, hidden, "
                                              "unless given); they must change it at their next sign-in.")
@click.argument("slug")
@click.option("--password", prompt="New password for the company's administrator", hide_input=True,
              confirmation_prompt=True)
def tenants_reset_admin_password(slug, password):
    from crm_saas.tenants import lifecycle

    _change(slug, lambda tenant: lifecycle.reset_admin_password(tenant, password, actor=None))
    click.echo("The administrator must choose a new password at their next sign-in.")


@click.command("assign", help="Move a company to the agency rep with this code (and their agency).")
@click.argument("slug")
@click.option("--rep", "code", required=True, metavar="CODE", help="The rep's code, e.g. GD0103.")
def tenants_assign(slug, code):
    from sqlalchemy import select

    from crm_saas.extensions import db as database
    from crm_saas.tenants import lifecycle
    from crm_saas.tenants.models import PlatformUser

    def assign(tenant):
        rep_id = database.session.scalar(select(PlatformUser.id).where(PlatformUser.code == code.strip().upper()))
        if rep_id is None:
            raise click.BadParameter(f"no agency rep has the code {code!r}", param_hint="--rep")
        lifecycle.assign(tenant, rep_id, actor=None)

    _change(slug, assign)


# -- the platform's agencies and operators --------------------------------------------------------------------

@click.group(help="Agencies selling crm_saas (A3).")
def agencies():
    pass


@agencies.command("create", help="Create an agency; its reps' codes are PREFIX01-PREFIX99.")
@click.option("--prefix", required=True, help="Two letters for the region, two digits for the agency: GD01.")
@click.option("--name", required=True)
@click.option("--contact", default=None)
@click.option("--phone", default=None)
@click.option("--bonus-days", type=int, default=None, help="Trial days added for the companies its codes sign up.")
def agencies_create(prefix, name, contact, phone, bonus_days):
    from crm_saas.blueprints.platform.services.agency_admin import create_agency
    from crm_saas.core.errors import FieldErrors

    data = {"prefix": prefix, "name": name, "bonus_trial_days": bonus_days}
    data.update({key: value for key, value in (("contact", contact), ("phone", phone)) if value is not None})
    app = _app()
    with app.app_context():
        try:
            agency = create_agency(data, None)  # the command line: logged as "system"
        except FieldErrors as err:
            raise _refused(err) from None
        click.echo(f"created agency {agency.prefix} ({agency.name}): its reps' codes are {agency.prefix}01-"
                   f"{agency.prefix}99, bonus trial days {agency.bonus_trial_days}")


@click.group(help="The platform's operators (后台管理员).")
def operators():
    pass


@operators.command("create", help="Create an operator and print the enrolment of their authenticator app (TOTP).")
@click.argument("username")
@click.option("--name", required=True)
@click.option("--password", prompt="Initial password", hide_input=True, confirmation_prompt=True,
              help="Asked for, hidden, unless given; it must be changed at first sign-in.")
def operators_create(username, name, password):
    import io

    import segno

    from crm_saas.blueprints.staff.services import USERNAME_RE
    from crm_saas.core.passwords import policy_errors
    from crm_saas.tenants import accounts

    errors = {}
    if not USERNAME_RE.match(username.strip()):
        errors["USERNAME"] = "use 2-64 letters, digits, dots, dashes or underscores"
    if not name.strip():
        errors["--name"] = "a name is required"
    if policy_errors(password):
        errors["--password"] = " ".join(str(message) for message in policy_errors(password))
    app = _app()
    with app.app_context():
        if "USERNAME" not in errors and accounts.find_account(username) is not None:
            errors["USERNAME"] = f"{username!r} is taken"
        if errors:
            raise click.ClickException("\n".join(f"{field}: {message}" for field, message in errors.items()))
        user, uri = accounts.create_operator(username, name, password)
        secret = accounts.totp_secret(user)
        scheme = "https" if app.config["CRM_HTTPS"] else "http"
        sign_in = f"{scheme}://{app.config['CRM_BASE_DOMAIN']}/console/login"
    qr = io.StringIO()
    segno.make(uri).terminal(out=qr, compact=True)
    click.echo(f"created operator {username} ({name.strip()})")
    click.echo(f"TOTP secret: {secret}")
    click.echo(f"otpauth URI: {uri}")
    click.echo(qr.getvalue())
    click.echo("Scan the code (or type the secret) in an authenticator app. At the first sign-in, at "
               f"{sign_in}, the password and a first code from the app finish the enrolment; the "
               "password was set for them, so it must be changed at first sign-in.")


# The ``tenants`` group's commands kept here; cli.py adds them to it.
TENANT_COMMANDS = (tenants_approve, tenants_reject, tenants_extend, tenants_suspend, tenants_reactivate, tenants_rename,
                   tenants_reset_admin_password, tenants_assign)
