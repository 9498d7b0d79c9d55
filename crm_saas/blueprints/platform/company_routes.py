"""The company list and a company's page (A2): platform facts only, and the actions the viewer may take.

Every company is reached through ``tenants.agencies`` (the list through
``services.companies``), so an agency person meets only the companies of
their subtree and a 404 for the rest. Nothing here reads a company's
customers, deals or contacts. Each action is its own POST endpoint calling
``tenants.lifecycle``, which commits the change with its log row; a refusal
re-renders the page with the message beside the field (422).
"""
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from crm_saas.blueprints.platform import log_labels
from crm_saas.blueprints.platform.blueprint import bp, console_required, operator_required
from crm_saas.blueprints.platform.forms import (
    AdminPasswordForm,
    AssignForm,
    ExtendForm,
    ReasonForm,
    RenameForm,
)
from crm_saas.blueprints.platform.services import companies as listing
from crm_saas.blueprints.platform.services.staff import staff_statement
from crm_saas.core.base import utcnow
from crm_saas.core.errors import FieldErrors
from crm_saas.core.forms import apply_errors
from crm_saas.core.queries import page_number
from crm_saas.extensions import db
from crm_saas.tenants import lifecycle
from crm_saas.tenants.agencies import get_visible_tenant
from crm_saas.tenants.models import STATUSES, Agency, ExtensionRequest, PlatformLog, PlatformUser, Tenant

PER_PAGE = 50
HISTORY_ROWS = 100
MAX_EXPIRING_DAYS = 3660
SORT_LABELS = {
    "ends_at": _l("End date, soonest first"), "-ends_at": _l("End date, latest first"),
    "-created_at": _l("Newest first"), "created_at": _l("Oldest first"), "name": _l("Name"),
    "-last_activity_at": _l("Last activity"),
}


@bp.context_processor
def _console_words():
    """What every console page words the same way: a company's status and its badge."""
    return {"status_label": lifecycle.status_label, "status_class": log_labels.status_class}


# -- the list ----------------------------------------------------------------------------------------------------

def _int(value, low=1, high=2**31 - 1):
    """A whole number from a query string within ``low..high``, else None."""
    value = (value or "").strip()
    if not value.isdigit() or len(value) > 10:
        return None
    number = int(value)
    return number if low <= number <= high else None


def _filters(viewer, args):
    """``(filters, problems)``: the list's filters from the query string; a value that makes no sense is left
    out and named in ``problems`` (the page says so) rather than failing the page."""
    filters, problems = {}, []

    def ignore(label):
        problems.append(_("%(field)s: that value is not valid, so this filter is off.", field=label))

    if args.get("status"):
        if args["status"] in STATUSES:
            filters["status"] = args["status"]
        else:
            ignore(_("Status"))
    if args.get("agency") and viewer.is_operator:
        if (agency_id := _int(args["agency"])) is not None:
            filters["agency_id"] = agency_id
        else:
            ignore(_("Agency"))
    if args.get("rep"):
        if (rep_id := _int(args["rep"])) is not None:
            filters["rep_id"] = rep_id
        else:
            ignore(_("Rep"))
    if args.get("expiring"):
        if (days := _int(args["expiring"], 1, MAX_EXPIRING_DAYS)) is not None:
            filters["expiring_within_days"] = days
        else:
            ignore(_("Expiring within (days)"))
    if args.get("q", "").strip():
        filters["q"] = args["q"].strip()[:100]
    if args.get("category") and not viewer.is_operator:
        filters["category"] = args["category"][:50]
    if args.get("bin") == "1" and not viewer.is_operator:
        filters["binned"] = True
    sort = args.get("sort") or listing.DEFAULT_SORT
    if sort not in SORT_LABELS:
        ignore(_("Sort"))
        sort = listing.DEFAULT_SORT
    filters["sort"] = sort
    return filters, problems


ENDING_SOON_DAYS = 14


def _people_choices(viewer, agency_id=None, active_only=False):
    """Agency people the viewer sees, for a filter or a picker: ``[(id, "Name (CODE)")]``.

    The columns the options show, not whole accounts: an operator's filter lists every agency's staff.
    """
    statement = staff_statement(viewer, agency_id=agency_id, active=True if active_only else None)
    rows = db.session.execute(statement.outerjoin(Agency, Agency.id == PlatformUser.agency_id).with_only_columns(
        PlatformUser.id, PlatformUser.name, PlatformUser.code, PlatformUser.active, Agency.name.label("agency"))).all()
    by_agency = viewer.is_operator and not agency_id
    departed = _("%(name)s (departed)", name="{}")

    def label(row):
        text = f"{row.agency} · {row.name} ({row.code})" if by_agency else f"{row.name} ({row.code})"
        return text if row.active else departed.format(text)

    return [(row.id, label(row)) for row in rows]


@bp.route("/companies")
@console_required
def companies():
    viewer = current_user._get_current_object()
    filters, problems = _filters(viewer, request.args)
    page = page_number(request.args.get("page", "1"))
    statement = listing.companies_statement(viewer, **filters).options(selectinload(Tenant.agency),
                                                                       selectinload(Tenant.rep))
    rows, total = listing.page_of(statement, page, PER_PAGE)
    online = listing.online_counts([t.id for t in rows])
    # What the viewer should chase first, whatever the filters: their companies ending within two weeks.
    ending = db.session.scalar(select(func.count()).select_from(
        listing.companies_statement(viewer, expiring_within_days=ENDING_SOON_DAYS).order_by(None).subquery()))
    params = {key: value for key, value in request.args.items() if key != "page" and value}
    leads = viewer.is_operator or viewer.role in ("admin", "supervisor")
    return render_template(
        "platform/companies.html", rows=rows, total=total, page=page, per_page=PER_PAGE, online=online,
        filters=filters, problems=problems, params=params, sort_labels=SORT_LABELS, statuses=STATUSES,
        agencies=db.session.scalars(select(Agency).order_by(Agency.prefix)).all() if viewer.is_operator else [],
        reps=_people_choices(viewer, filters.get("agency_id")) if leads else [],
        categories=listing.categories(viewer) if not viewer.is_operator else [],
        filtered=any(key != "sort" for key in filters), now=utcnow(), ending=ending, ending_days=ENDING_SOON_DAYS)


# -- one company -------------------------------------------------------------------------------------------------

def _visible_or_404(tenant_id):
    tenant = get_visible_tenant(current_user, tenant_id)
    if tenant is None:
        abort(404)
    return tenant


def may(viewer, action):
    """Which of the company page's actions ``viewer`` has (the company is already one they see)."""
    if viewer.is_operator:
        return True
    if action in ("rename", "password"):
        return True
    return action == "assign" and viewer.role in ("admin", "supervisor")


FORMS = {"approve": None, "reject": ReasonForm, "extend": ExtendForm, "suspend": ReasonForm, "reactivate": None,
         "rename": RenameForm, "password": AdminPasswordForm, "assign": AssignForm}


def _forms(tenant, viewer, failed=None):
    """The action forms the viewer gets, each with its prefix (two reason boxes on one page stay apart)."""
    forms = {}
    for key, form_class in FORMS.items():
        if form_class is None or not may(viewer, key):
            continue
        if failed and failed[0] == key:
            forms[key] = failed[1]
            continue
        form = form_class(prefix=key, formdata=None)
        if key == "extend":
            form.paid.data = tenant.paid
        elif key == "rename":
            form.name.data = tenant.name
        elif key == "assign":
            form.rep_id.data = tenant.rep_id
        forms[key] = form
    if "assign" in forms:
        forms["assign"].rep_id.choices = [(0, _("Choose a person"))] + _people_choices(viewer, active_only=True)
    return forms


def extension_requests_of(tenant):
    """The company's extension requests as its page lists them (``platform/_company_requests.html``): the
    waiting one first, then the newest. The agency panel reads them too, to know whether one waits."""
    return db.session.scalars(
        select(ExtensionRequest).where(ExtensionRequest.tenant_id == tenant.id)
        .options(selectinload(ExtensionRequest.requester), selectinload(ExtensionRequest.decider))
        .order_by((ExtensionRequest.status == "pending").desc(), ExtensionRequest.requested_at.desc(),
                  ExtensionRequest.id.desc())).all()


def _company_page(tenant, failed=None):
    viewer = current_user._get_current_object()
    history = db.session.scalars(select(PlatformLog).where(PlatformLog.tenant_id == tenant.id)
                                 .order_by(PlatformLog.at.desc(), PlatformLog.id.desc()).limit(HISTORY_ROWS)).all()
    requests = extension_requests_of(tenant)
    agency_ids = {value for entry in history for value in ((entry.before or {}).get("agency_id"),
                                                          (entry.after or {}).get("agency_id")) if value}
    agency_names = dict(db.session.execute(select(Agency.id, Agency.name).where(Agency.id.in_(agency_ids))).all()) \
        if agency_ids else {}
    return render_template(
        "platform/company.html", tenant=tenant, status=tenant.effective_status(), history=history,
        requests=requests, agency_names=agency_names, changes=log_labels.changes, action_label=log_labels.action_label,
        online=listing.online_people([tenant.id]), forms=_forms(tenant, viewer, failed),
        failed_key=failed[0] if failed else None, failed_messages=failed[2] if failed else [],
        may=lambda action: may(viewer, action), decides=lifecycle.may_decide_extensions(viewer),
        company_url=lifecycle.company_url(tenant.slug), today=date.today().isoformat(),
    )


@bp.route("/companies/<int:tenant_id>")
@console_required
def company(tenant_id):
    return _company_page(_visible_or_404(tenant_id))


def _act(tenant_id, key, change, done):
    """Run one action from the company page: ``change(tenant, form)`` calls the lifecycle; a refusal comes back
    as the page with the messages beside the form's fields (422), a success as a redirect with ``done``."""
    viewer = current_user._get_current_object()
    tenant = _visible_or_404(tenant_id)
    if not may(viewer, key):
        abort(404)
    form = FORMS[key](prefix=key) if FORMS[key] else None
    try:
        change(tenant, form, viewer)
    except FieldErrors as err:
        db.session.rollback()
        tenant = _visible_or_404(tenant_id)
        leftover = apply_errors(form, err.errors) if form is not None else \
            err.messages
        return _company_page(tenant, failed=(key, form, leftover)), 422
    flash(done, "success")
    if get_visible_tenant(viewer, tenant_id) is None:  # handed to someone outside the viewer's subtree
        return redirect(url_for("platform.companies"))
    return redirect(url_for("platform.company", tenant_id=tenant_id))


@bp.route("/companies/<int:tenant_id>/approve", methods=["POST"])
@operator_required
def company_approve(tenant_id):
    return _act(tenant_id, "approve", lambda t, f, who: lifecycle.approve(t, actor=who),
                _("Approved: the company can sign in, and its trial has started."))


@bp.route("/companies/<int:tenant_id>/reject", methods=["POST"])
@operator_required
def company_reject(tenant_id):
    return _act(tenant_id, "reject", lambda t, f, who: lifecycle.reject(t, f.reason.data, actor=who),
                _("Rejected: the applicant is told the reason by email."))


def _extend(tenant, form, viewer):
    errors, days, until = {}, None, None
    days_text, until_text = (form.days.data or "").strip(), (form.until.data or "").strip()
    if days_text:
        days = _int(days_text, 0)
        if days is None:
            errors["days"] = [_("Give a whole number of days from 1 to %(max)s.", max=lifecycle.MAX_EXTENSION_DAYS)]
    if until_text:
        try:
            until = date.fromisoformat(until_text)
        except ValueError:
            errors["until"] = [_("Enter a date.")]
    if errors:
        raise lifecycle.LifecycleError(errors)
    lifecycle.extend(tenant, days=days, until=until, paid=bool(form.paid.data), actor=viewer)


@bp.route("/companies/<int:tenant_id>/extend", methods=["POST"])
@operator_required
def company_extend(tenant_id):
    return _act(tenant_id, "extend", _extend, _("The end date has changed."))


@bp.route("/companies/<int:tenant_id>/suspend", methods=["POST"])
@operator_required
def company_suspend(tenant_id):
    return _act(tenant_id, "suspend", lambda t, f, who: lifecycle.suspend(t, f.reason.data, actor=who),
                _("Suspended: its users cannot sign in until it is reactivated."))


@bp.route("/companies/<int:tenant_id>/reactivate", methods=["POST"])
@operator_required
def company_reactivate(tenant_id):
    return _act(tenant_id, "reactivate", lambda t, f, who: lifecycle.reactivate(t, actor=who),
                _("Reactivated."))


@bp.route("/companies/<int:tenant_id>/rename", methods=["POST"])
@console_required
def company_rename(tenant_id):
    return _act(tenant_id, "rename", lambda t, f, who: lifecycle.rename(t, f.name.data, actor=who),
                _("The company's name is saved."))


def _reset_password(tenant, form, viewer):
    password, confirm = form.password.data or "", form.confirm.data or ""
    if password and password != confirm:
        raise lifecycle.LifecycleError({"confirm": [_("The two passwords differ.")]})
    lifecycle.reset_admin_password(tenant, password, actor=viewer)


@bp.route("/companies/<int:tenant_id>/admin-password", methods=["POST"])
@console_required
def company_admin_password(tenant_id):
    return _act(tenant_id, "password", _reset_password,
                _("The administrator's password is set. They must change it at their next sign-in."))


def _assign(tenant, form, viewer):
    rep_id = _int(request.form.get("assign-rep_id"))
    if rep_id is None or rep_id not in {pid for pid, _label in _people_choices(viewer, active_only=True)}:
        raise lifecycle.LifecycleError({"rep_id": [_("Choose an active agency person.")]})
    lifecycle.assign(tenant, rep_id, actor=viewer, reason=(form.reason.data or "").strip() or None)


@bp.route("/companies/<int:tenant_id>/assign", methods=["POST"])
@console_required
def company_assign(tenant_id):
    return _act(tenant_id, "assign", _assign, _("The company has a new rep."))
