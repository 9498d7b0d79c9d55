"""An agency's work on its companies (seed 003 下篇): filing an application, and the company panel.

The panel (``platform/_company_panel.html``, rendered into the company
page by ``{{ company_panel(tenant) }}``) holds the rep's own CRM over the
company: the contact log, their category and recycle bin, the form asking
for an extension (the requests themselves are listed once, in the page's own
card), and the administrator's password link while the company waits. Every
platform account that sees the company reads it (operators read only); each
action answers the panel again for htmx, or goes back to the company page.
Companies the viewer does not see are 404.
"""
from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from crm_saas.blueprints.activities.services.times import local_input
from crm_saas.blueprints.platform.agency_forms import ApplicationForm, ClassifyForm, ContactForm, ExtensionForm
from crm_saas.blueprints.platform.blueprint import agency_required, bp, console_required
from crm_saas.blueprints.platform.company_routes import extension_requests_of
from crm_saas.blueprints.platform.services import contacts
from crm_saas.blueprints.platform.services.applications import file_application
from crm_saas.blueprints.platform.services.companies import categories
from crm_saas.core import mail
from crm_saas.core.base import utcnow
from crm_saas.core.errors import FieldErrors
from crm_saas.core.forms import apply_errors, has_errors
from crm_saas.core.htmx import is_htmx
from crm_saas.extensions import db
from crm_saas.tenants import lifecycle, registration
from crm_saas.tenants.agencies import get_visible_tenant


def _reattach_viewer():
    """Writing into a company's schema starts a fresh session (tenants/binding.py): the signed-in account is
    put back into the current one, so the page after it can still read its relations."""
    user = current_user._get_current_object()
    if user not in db.session:
        db.session.add(user)


# -- 注册申请试用帐户 (filing an application) --------------------------------------------------------------

@bp.route("/companies/new", methods=["GET", "POST"])
@agency_required
def new_company():
    """The rep files a company's application with their own code, fixed; its administrator is emailed a link."""
    if not current_user.code:
        abort(404)
    form = ApplicationForm()
    leftover = []
    if form.validate_on_submit():
        try:
            tenant_id, sent = file_application(form.service_data(), actor=current_user)
        except FieldErrors as err:
            leftover = apply_errors(form, err.errors)
        else:
            _reattach_viewer()
            name, email = form.name.data.strip(), form.admin_email.data.strip()
            if sent:
                flash(_("The application for %(name)s has been filed and waits for approval. An email with a link "
                        "to choose the password was sent to %(email)s.", name=name, email=email), "success")
            else:
                flash(_("The application for %(name)s has been filed and waits for approval, but the email with the "
                        "password link could not be sent (no mail server is configured). Resend it from this page "
                        "once mail works.", name=name), "error")
            return redirect(url_for("platform.company", tenant_id=tenant_id))
    return render_template("platform/new_company.html", form=form, leftover=leftover, code=current_user.code,
                           base_domain=current_app.config["CRM_BASE_DOMAIN"]
                           ), 422 if has_errors(form, leftover) else 200


# -- the company panel ---------------------------------------------------------------------------------------------

def _company(tenant_id):
    tenant = get_visible_tenant(current_user, tenant_id)
    if tenant is None:
        abort(404)
    return tenant


def panel_context(tenant, **overrides):
    """What ``platform/_company_panel.html`` shows for ``tenant`` to the signed-in account; ``overrides`` carry a
    form with what was typed and its messages, and ``message``/``level`` what just happened."""
    agency = not current_user.is_operator
    context = {
        "tenant": tenant, "agency": agency, "entries": contacts.contacts_of(tenant), "ways": contacts.WAYS,
        "requests": extension_requests_of(tenant), "decides": lifecycle.may_decide_extensions(current_user),
        "refresh_requests": False, "extendable": tenant.status in lifecycle.EXTENDABLE,
        "categories": categories(current_user) if agency else [], "mail_configured": mail.configured(),
        "now_input": local_input(utcnow()), "status_label": lifecycle.status_label,
        "contact_form": ContactForm(formdata=None), "classify_form": ClassifyForm(formdata=None,
                                                                                  category=tenant.category),
        "extension_form": ExtensionForm(formdata=None), "message": None, "level": "success", "leftover": {},
    }
    context["waiting"] = any(row.status == "pending" for row in context["requests"])
    context.update(overrides)
    return context


@bp.app_template_global("company_panel")
def company_panel(tenant):
    """``{{ company_panel(tenant) }}`` on the company page: the panel as it stands, without another request."""
    return Markup(render_template("platform/_company_panel.html", **panel_context(tenant)))


@bp.route("/companies/<int:tenant_id>/panel", endpoint="company_panel")
@console_required
def company_panel_view(tenant_id):
    """The panel alone (htmx): it replaces itself (``<section id="agency-panel">``)."""
    return render_template("platform/_company_panel.html", **panel_context(_company(tenant_id)))


def _done(tenant, message, **extra):
    """Success: the panel again with ``message`` (htmx), or back to the company page with it flashed."""
    if is_htmx():
        return render_template("platform/_company_panel.html", **panel_context(tenant, message=message, **extra))
    flash(message, "success")
    return redirect(url_for("platform.company", tenant_id=tenant.id))


def _refused(tenant, errors, section, **forms):
    """Refused: the panel with the typed values and each message by its field (422), or back to the company
    page with the messages flashed. Messages no field owns show at the top of ``section``."""
    db.session.rollback()
    leftover = []
    for form in forms.values():
        leftover += apply_errors(form, errors)
    if not forms:
        leftover = [str(m) for messages in errors.values() for m in messages]
    if is_htmx():
        tenant = _company(tenant.id)  # read again after the rollback
        return render_template("platform/_company_panel.html",
                               **panel_context(tenant, leftover={section: leftover}, **forms)), 422
    for message in [str(m) for messages in errors.values() for m in messages]:
        flash(message, "error")
    return redirect(url_for("platform.company", tenant_id=tenant.id))


@bp.route("/companies/<int:tenant_id>/contacts", methods=["POST"])
@agency_required
def company_contact_add(tenant_id):
    """添加联系记录: when (empty: now), how, what was said, when to call next."""
    tenant = _company(tenant_id)
    form = ContactForm()
    try:
        contacts.add_contact(tenant, form.service_data(), actor=current_user)
    except FieldErrors as err:
        return _refused(tenant, err.errors, "contacts", contact_form=form)
    return _done(tenant, _("Contact logged."))


@bp.route("/companies/<int:tenant_id>/category", methods=["POST"])
@agency_required
def company_classify(tenant_id):
    """客户分类: the rep's own label (their list filters by it)."""
    tenant = _company(tenant_id)
    form = ClassifyForm()
    try:
        contacts.classify(tenant, form.category.data, actor=current_user)
    except FieldErrors as err:
        return _refused(tenant, err.errors, "category", classify_form=form)
    if tenant.category:
        return _done(tenant, _("Category set to %(category)s.", category=tenant.category))
    return _done(tenant, _("Category cleared."))


@bp.route("/companies/<int:tenant_id>/bin", methods=["POST"])
@agency_required
def company_bin(tenant_id):
    """Into the recycle bin of the agency's list; the company itself works on as before."""
    tenant = _company(tenant_id)
    contacts.to_bin(tenant, actor=current_user)
    return _done(tenant, _("Moved to the recycle bin: it no longer shows in your company list."))


@bp.route("/companies/<int:tenant_id>/unbin", methods=["POST"])
@agency_required
def company_unbin(tenant_id):
    tenant = _company(tenant_id)
    contacts.from_bin(tenant, actor=current_user)
    return _done(tenant, _("Restored from the recycle bin: it shows in your company list again."))


@bp.route("/companies/<int:tenant_id>/extension-requests", methods=["POST"])
@agency_required
def company_extension_request(tenant_id):
    """客户延期: more days for the company, with a reason; the operator (or an allowed supervisor) decides."""
    tenant = _company(tenant_id)
    form = ExtensionForm()
    try:
        row = lifecycle.request_extension(tenant, form.days_value(), form.reason.data, actor=current_user)
    except FieldErrors as err:
        return _refused(tenant, err.errors, "extensions", extension_form=form)
    # The page's list of requests comes along (htmx out of band), so the new one shows there at once.
    return _done(tenant, _("Extension of %(days)s days requested: it waits for a decision.", days=row.days),
                 refresh_requests=True)


@bp.route("/companies/<int:tenant_id>/setup-link", methods=["POST"])
@console_required
def company_resend_link(tenant_id):
    """A new password link for the administrator of a company still waiting (the old one stops working)."""
    tenant = _company(tenant_id)
    if tenant.status != "pending":
        return _refused(tenant, {"setup_link": [_("The company is no longer waiting: its administrator resets a "
                                                  "forgotten password from the sign-in page.")]}, "setup_link")
    email = tenant.contact_email
    failure = None
    try:
        if not registration.send_setup_link(tenant, actor=current_user):
            failure = (_("No mail server is configured.") if not mail.configured()
                       else _("The company has no administrator's email address."))
    except Exception:  # the queue is down: said on the page, the company is untouched
        current_app.logger.exception("could not queue the setup link of company %s", tenant_id)
        db.session.rollback()
        failure = _("The mail queue cannot be reached; try again in a moment.")
    _reattach_viewer()
    tenant = _company(tenant_id)
    if failure:
        return _refused(tenant, {"setup_link": [_("The link could not be sent. %(reason)s", reason=failure)]},
                        "setup_link")
    return _done(tenant, _("A new password link was sent to %(email)s; the previous one no longer works.",
                           email=email))
