"""The platform's mail jobs (core/mail.py): a password-reset link written in the request and sent here; and
"find my company", whose answer (which companies an email address works at) is looked up here, off the request
path, since it reads every company's schema (tenants/directory.py)."""
from flask_babel import force_locale
from flask_babel import gettext as _

from crm_saas.core import mail
from crm_saas.tenants.directory import companies_of
from crm_saas.workers.context import get_app


def send_platform_mail(to, subject, body):
    with get_app().app_context():
        mail.send(to, subject, body)


def send_company_links(email, login_url, locale):
    """Email ``email`` the sign-in link of each company where it has an active account; nothing if none.

    ``login_url`` is the sign-in page with ``{slug}`` and ``{username}`` to fill in, as the asking request
    reached the platform (scheme, base domain, port).
    """
    with get_app().app_context():
        found = companies_of(email)
        if not found:
            return 0
        with force_locale(locale):
            subject = _("Your companies' sign-in pages")
            lines = [_("You asked which companies you can sign in to with this email address:"), ""]
            for name, slug, username in found:
                lines.append(_("%(company)s (username %(username)s): %(link)s", company=name, username=username,
                               link=login_url.format(slug=slug, username=username)))
            lines += ["", _("If it was not you who asked, ignore this email.")]
        mail.send(email, str(subject), "\n".join(str(line) for line in lines))
        return len(found)
