"""Company settings and the permission matrix (B4), for holders of ``manage_settings``.

The roles page is ``role_routes.py`` on the same blueprint.
"""
from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from crm_saas.blueprints.activities.services.reminders import queue_test_email, test_email_result
from crm_saas.blueprints.settings import role_routes  # noqa: F401  (its views hang on bp)
from crm_saas.blueprints.settings.blueprint import bp
from crm_saas.blueprints.settings.forms import (
    CompanySettingsForm,
    CustomerSettingsForm,
    SmtpSettingsForm,
    matrix_field,
    matrix_form,
)
from crm_saas.blueprints.settings.roles import EDITABLE_BUILT_IN, change_permissions, ordered, role_matrix
from crm_saas.blueprints.settings.services import change_settings
from crm_saas.core.htmx import render
from crm_saas.core.permissions import ACTIONS, MODULES, PERMISSION_HELP, permission_required
from crm_saas.core.roles import custom_roles
from crm_saas.core.settings import get_setting

__all__ = ["bp"]


def _general_form():
    return CompanySettingsForm(formdata=None, data={"customer_approval": get_setting("customer_approval")})


def _customers_form():
    return CustomerSettingsForm(formdata=None, data={
        "customer_number_pattern": get_setting("customer_number_pattern"),
        "customer_categories": "\n".join(get_setting("customer_categories")),
        "recycle_bin_days": get_setting("recycle_bin_days"),
        "deal_rotting_days": get_setting("deal_rotting_days"),
    })


def _matrix_form():
    return matrix_form(custom_roles(), formdata=None,
                       data={matrix_field(role): ordered(codes) for role, codes in role_matrix().items()})


def _smtp_form():
    stored = get_setting("smtp")
    return SmtpSettingsForm(formdata=None, data={key: value for key, value in stored.items() if key != "password"})


def _matrix_context(form, **extra):
    extra.setdefault("smtp", _smtp_form())  # every settings answer that draws the page draws the mail form too
    columns = [*EDITABLE_BUILT_IN, *custom_roles()]
    return dict(matrix=form, modules=MODULES, actions=ACTIONS, help=PERMISSION_HELP, columns=columns,
                built_in=EDITABLE_BUILT_IN, **extra)


@bp.route("/")
@permission_required("manage_settings")
def index():
    return render_template("settings/index.html", general=_general_form(), customers=_customers_form(),
                           **_matrix_context(_matrix_form()))


@bp.route("/general", methods=["POST"])
@permission_required("manage_settings")
def general():
    form = CompanySettingsForm()
    message = None
    if form.validate_on_submit():
        changed = change_settings({"customer_approval": form.customer_approval.data}, actor=current_user)
        message = _("Settings saved.") if changed else _("Nothing changed.")
    return render("settings/index.html", "settings/_general.html", general=form, general_message=message,
                  customers=_customers_form(), **_matrix_context(_matrix_form())), 422 if form.errors else 200


@bp.route("/customers", methods=["POST"])
@permission_required("manage_settings")
def customers():
    form = CustomerSettingsForm()
    message = None
    if form.validate_on_submit():
        changed = change_settings({
            "customer_number_pattern": form.customer_number_pattern.data.strip(),
            "customer_categories": form.categories(), "recycle_bin_days": form.recycle_bin_days.data,
            "deal_rotting_days": form.deal_rotting_days.data,
        }, actor=current_user)
        message = _("Settings saved.") if changed else _("Nothing changed.")
    return render("settings/index.html", "settings/_customers.html", customers=form, customers_message=message,
                  general=_general_form(), **_matrix_context(_matrix_form())), 422 if form.errors else 200


@bp.route("/permissions", methods=["POST"])
@permission_required("manage_settings")
def permissions():
    form = matrix_form(custom_roles())
    message = None
    if form.validate_on_submit():
        shown = form.shown([*EDITABLE_BUILT_IN, *custom_roles()])
        granted, revoked = change_permissions({role: form.role_field(role).data for role in shown},
                                              actor=current_user)
        message = _("Permissions saved.") if granted or revoked else _("Nothing changed.")
        form = _matrix_form()
    return render("settings/index.html", "settings/_permissions.html", general=_general_form(),
                  customers=_customers_form(), **_matrix_context(form, matrix_message=message)), \
        422 if form.errors else 200


@bp.route("/smtp", methods=["POST"])
@permission_required("manage_settings")
def smtp():
    """E2: the mail server for reminders. An empty password keeps the stored one; "test" also queues a test email."""
    form = SmtpSettingsForm()
    message = error = test_job = None
    if form.validate_on_submit():
        stored = get_setting("smtp")
        value = {"host": (form.host.data or "").strip(), "port": form.port.data,
                 "username": (form.username.data or "").strip(), "password": form.password.data or stored["password"],
                 "sender": (form.sender.data or "").strip(), "tls": bool(form.tls.data)}
        changed = change_settings({"smtp": value}, actor=current_user)
        message = _("Settings saved.") if changed else _("Nothing changed.")
        if request.form.get("action") == "test":
            error = _test_refusal(value)
            if error is None:
                test_job = queue_test_email(current_user.email)
    return render("settings/index.html", "settings/_smtp.html", general=_general_form(), customers=_customers_form(),
                  **_matrix_context(_matrix_form(), smtp=form, smtp_message=message, smtp_error=error,
                                    smtp_test_job=test_job)), \
        422 if form.errors else 200


@bp.route("/smtp/tests/<job_id>")
@permission_required("manage_settings")
def smtp_test(job_id):
    """The test email's outcome once the worker has tried; the page asks again each second until then."""
    return render_template("settings/_smtp_test.html", job_id=job_id, result=test_email_result(job_id))


def _test_refusal(smtp_settings):
    """Why no test email can be queued, or None."""
    if not smtp_settings["host"]:
        return _("Enter the SMTP server first.")
    if not current_user.email:
        return _("Add your email address to your profile first: the test email goes there.")
    return None
