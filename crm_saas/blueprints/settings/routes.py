"""Company settings and the permission matrix (B4), for holders of ``manage_settings``."""
from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from crm_saas.blueprints.activities.services.reminders import queue_test_email, test_email_result
from crm_saas.blueprints.settings.forms import (
    CompanySettingsForm,
    CustomerSettingsForm,
    PermissionMatrixForm,
    SmtpSettingsForm,
)
from crm_saas.blueprints.settings.services import EDITABLE_ROLES, change_permissions, change_settings, role_matrix
from crm_saas.core.htmx import render
from crm_saas.core.permissions import PERMISSION_HELP, PERMISSIONS, ROLE_LABELS, ROLES, permission_required
from crm_saas.core.settings import get_setting
from crm_saas.tenants.resolve import TENANT_SCOPE, scoped

bp = scoped(Blueprint("settings", __name__, url_prefix="/settings"), TENANT_SCOPE)


def _general_form():
    return CompanySettingsForm(data={"customer_approval": get_setting("customer_approval")})


def _customers_form():
    return CustomerSettingsForm(data={
        "customer_number_pattern": get_setting("customer_number_pattern"),
        "customer_categories": "\n".join(get_setting("customer_categories")),
        "recycle_bin_days": get_setting("recycle_bin_days"),
        "deal_rotting_days": get_setting("deal_rotting_days"),
    })


def _matrix_form():
    return PermissionMatrixForm(data={role: sorted(codes) for role, codes in role_matrix().items()})


def _smtp_form():
    stored = get_setting("smtp")
    return SmtpSettingsForm(formdata=None, data={key: value for key, value in stored.items() if key != "password"})


def _matrix_context(form, **extra):
    extra.setdefault("smtp", _smtp_form())  # every settings answer that draws the page draws the mail form too
    return dict(matrix=form, permissions=PERMISSIONS, help=PERMISSION_HELP, roles=ROLES, role_labels=ROLE_LABELS,
                editable=EDITABLE_ROLES, **extra)


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
    form = PermissionMatrixForm()
    message = None
    if form.validate_on_submit():
        granted, revoked = change_permissions({role: form[role].data for role in EDITABLE_ROLES}, actor=current_user)
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
