"""The console's other pages: extension requests, who is online, the rep report (any console lead), and the
operator's own: agencies, the platform log and the platform's settings.

Lists of companies go through ``tenants.agencies`` like the company list, so
an agency person reads only their subtree's; rules live in the services
(``tenants.lifecycle``, ``services.agency_admin``, ``services.settings``).
"""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from crm_saas.blueprints.platform import log_labels
from crm_saas.blueprints.platform.blueprint import bp, console_required, operator_required
from crm_saas.blueprints.platform.forms import AgencyAdminForm, AgencyForm, PlatformSettingsForm
from crm_saas.blueprints.platform.services import agency_admin, reports
from crm_saas.blueprints.platform.services import companies as listing
from crm_saas.blueprints.platform.services.settings import save_settings
from crm_saas.blueprints.platform.services.staff import create_staff, staff_statement
from crm_saas.core.base import utcnow
from crm_saas.core.errors import FieldErrors
from crm_saas.core.forms import apply_errors
from crm_saas.core.queries import page_number
from crm_saas.core.templating import when
from crm_saas.core.views import safe_next
from crm_saas.extensions import db
from crm_saas.tenants import lifecycle
from crm_saas.tenants.agencies import free_codes, visible_tenants
from crm_saas.tenants.models import Agency, ExtensionRequest, PlatformLog, PlatformUser, Tenant, TenantPresence
from crm_saas.tenants.platform_settings import platform_settings

PER_PAGE = 50


def _int(value):
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) <= 10 else None


# -- extension requests (客户延期) --------------------------------------------------------------------------------

def _requests_statement(viewer):
    """The extension requests of the companies ``viewer`` sees, waiting ones first, newest first."""
    return (visible_tenants(select(ExtensionRequest).join(Tenant, Tenant.id == ExtensionRequest.tenant_id), viewer)
            .options(selectinload(ExtensionRequest.tenant), selectinload(ExtensionRequest.requester),
                     selectinload(ExtensionRequest.decider))
            .order_by((ExtensionRequest.status == "pending").desc(), ExtensionRequest.requested_at.desc(),
                      ExtensionRequest.id.desc()))


def _extensions_page(reject_errors=None):
    viewer = current_user._get_current_object()
    statement = _requests_statement(viewer)
    if request.args.get("status") in ("pending", "approved", "rejected"):
        statement = statement.where(ExtensionRequest.status == request.args["status"])
    page = page_number(request.args.get("page", "1"))
    rows, total = listing.page_of(statement, page, PER_PAGE)
    params = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template("platform/extensions.html", rows=rows, total=total, page=page, per_page=PER_PAGE,
                           params=params, decides=lifecycle.may_decide_extensions(viewer),
                           reject_errors=reject_errors or {}, status=request.args.get("status", ""))


@bp.route("/extensions")
@console_required
def extensions():
    return _extensions_page()


def _decidable_or_404(request_id):
    """A request the viewer may decide: they decide extensions and see its company; anyone else gets 404."""
    viewer = current_user._get_current_object()
    if not lifecycle.may_decide_extensions(viewer):
        abort(404)
    row = db.session.scalar(_requests_statement(viewer).where(ExtensionRequest.id == request_id))
    if row is None:
        abort(404)
    return viewer, row


def _decide(request_id, approve):
    viewer, row = _decidable_or_404(request_id)
    back = safe_next(request.form.get("next"), url_for("platform.extensions"))
    try:
        lifecycle.decide_extension(row, approve, actor=viewer, reason=request.form.get("reason"))
    except FieldErrors as err:
        db.session.rollback()
        messages = err.messages
        if back.startswith(url_for("platform.extensions")):
            return _extensions_page({request_id: messages}), 422
        for message in messages:
            flash(message, "error")
        return redirect(back)
    if approve:
        flash(_("Extension approved: %(name)s now ends %(when)s.", name=row.tenant.name,
                when=when(row.tenant.expires_at)), "success")
    else:
        flash(_("Extension rejected."), "success")
    return redirect(back)


@bp.route("/extensions/<int:request_id>/approve", methods=["POST"])
@console_required
def extension_approve(request_id):
    return _decide(request_id, True)


@bp.route("/extensions/<int:request_id>/reject", methods=["POST"])
@console_required
def extension_reject(request_id):
    return _decide(request_id, False)


# -- who is online (在线客户 / 销售跟进) --------------------------------------------------------------------------

@bp.route("/online")
@console_required
def online():
    viewer = current_user._get_current_object()
    since = utcnow() - timedelta(minutes=listing.ONLINE_MINUTES)
    present = select(TenantPresence.tenant_id).where(TenantPresence.seen_at > since)
    companies = db.session.scalars(
        visible_tenants(select(Tenant).where(Tenant.id.in_(present)), viewer)
        .options(selectinload(Tenant.rep)).order_by(Tenant.last_activity_at.desc().nulls_last(), Tenant.id)
        .limit(500)).all()
    people = {}
    for tenant_id, name, seen in listing.online_people([t.id for t in companies]):
        people.setdefault(tenant_id, []).append((name, seen))
    return render_template("platform/online.html", companies=companies, people=people,
                           minutes=listing.ONLINE_MINUTES)


# -- the rep report (查看业务员销售跟进情况) -----------------------------------------------------------------------

def _zone():
    """The reader's time zone as a ``ZoneInfo``: Babel hands out pytz zones, which ``datetime.combine`` would
    take at their first historical offset (Shanghai's +08:06 local mean time)."""
    return ZoneInfo(str(get_timezone()))


def _report_range(args):
    """``(first day, last day, problems)`` from ``from``/``to`` (ISO dates); this month by default."""
    today = datetime.now(_zone()).date()
    start, end, problems = today.replace(day=1), today, []
    for key, label in (("from", _("From")), ("to", _("To"))):
        if args.get(key):
            try:
                value = date.fromisoformat(args[key])
            except ValueError:
                problems.append(_("%(field)s: enter a date.", field=label))
                continue
            if key == "from":
                start = value
            else:
                end = value
    if end < start:
        problems.append(_("To: the end date comes before the start date."))
        start, end = end, start
    return start, end, problems


@bp.route("/reports/reps")
@console_required
def rep_report():
    viewer = current_user._get_current_object()
    if not (viewer.is_operator or viewer.role in ("admin", "supervisor")):
        abort(404)
    first, last, problems = _report_range(request.args)
    zone = _zone()
    start = datetime.combine(first, time.min, zone)
    end = datetime.combine(last + timedelta(days=1), time.min, zone)
    agency_id = _int(request.args.get("agency")) if viewer.is_operator else None
    rows = reports.rep_follow_up(viewer, start, end, agency_id=agency_id)
    agencies = db.session.scalars(select(Agency).order_by(Agency.prefix)).all() if viewer.is_operator else []
    return render_template("platform/rep_report.html", rows=rows, totals=reports.totals(rows), first=first,
                           last=last, problems=problems, agencies=agencies, agency_id=agency_id)


# -- agencies (the operator's) -----------------------------------------------------------------------------------

def _agency_data(form, creating):
    data = {key: getattr(form, key).data for key in ("name", "contact", "phone", "status", "bonus_trial_days")}
    if creating:
        data["prefix"] = form.prefix.data
    return data


@bp.route("/agencies")
@operator_required
def agencies():
    staff_counts = dict(db.session.execute(
        select(PlatformUser.agency_id, func.count()).where(PlatformUser.agency_id.is_not(None),
                                                           PlatformUser.active.is_(True))
        .group_by(PlatformUser.agency_id)).all())
    company_counts = dict(db.session.execute(
        select(Tenant.agency_id, func.count()).where(Tenant.agency_id.is_not(None)).group_by(Tenant.agency_id)).all())
    rows = db.session.scalars(select(Agency).order_by(Agency.prefix)).all()
    return render_template("platform/agencies.html", rows=rows, staff_counts=staff_counts,
                           company_counts=company_counts)


@bp.route("/agencies/new", methods=["GET", "POST"])
@operator_required
def agency_new():
    form = AgencyForm()
    if request.method == "GET":
        form.bonus_trial_days.data = "0"
    if request.method == "POST":
        try:
            agency = agency_admin.create_agency(_agency_data(form, True), current_user._get_current_object())
        except FieldErrors as err:
            leftover = apply_errors(form, err.errors)
            return render_template("platform/agency_new.html", form=form, leftover=leftover), 422
        flash(_("Agency %(name)s created. Add its administrator below.", name=agency.name), "success")
        return redirect(url_for("platform.agency", agency_id=agency.id))
    return render_template("platform/agency_new.html", form=form, leftover=[])


def _agency_page(agency, form=None, admin_form=None, leftover=(), admin_leftover=()):
    if form is None:
        form = AgencyForm(obj=agency, formdata=None)
        form.bonus_trial_days.data = str(agency.bonus_trial_days)
    codes = free_codes(agency)
    if admin_form is None:
        admin_form = AgencyAdminForm(prefix="admin", formdata=None)
    admin_form.code.choices = [(code, code) for code in codes]
    staff = db.session.scalars(staff_statement(current_user, agency_id=agency.id)
                               .options(selectinload(PlatformUser.superior))).all()
    return render_template("platform/agency.html", agency=agency, form=form, admin_form=admin_form, codes=codes,
                           staff=staff, leftover=leftover, admin_leftover=admin_leftover)


def _agency_or_404(agency_id):
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        abort(404)
    return agency


@bp.route("/agencies/<int:agency_id>", methods=["GET", "POST"])
@operator_required
def agency(agency_id):
    agency = _agency_or_404(agency_id)
    if request.method == "GET":
        return _agency_page(agency)
    form = AgencyForm()
    try:
        agency_admin.update_agency(agency, _agency_data(form, False), current_user._get_current_object())
    except FieldErrors as err:
        agency = _agency_or_404(agency_id)
        form.prefix.data = agency.prefix
        return _agency_page(agency, form=form, leftover=apply_errors(form, err.errors)), 422
    flash(_("Agency saved."), "success")
    return redirect(url_for("platform.agency", agency_id=agency_id))


@bp.route("/agencies/<int:agency_id>/admin", methods=["POST"])
@operator_required
def agency_add_admin(agency_id):
    agency = _agency_or_404(agency_id)
    form = AgencyAdminForm(prefix="admin")
    data = {"agency_id": agency.id, "role": "admin", "code": form.code.data or "", "username": form.username.data,
            "name": form.name.data, "phone": form.phone.data, "password": form.password.data}
    try:
        person = create_staff(data, actor=current_user._get_current_object())
    except FieldErrors as err:
        agency = _agency_or_404(agency_id)
        return _agency_page(agency, admin_form=form, admin_leftover=apply_errors(form, err.errors)), 422
    flash(_("%(name)s (%(code)s) is the agency's administrator. They change the password at their first sign-in.",
            name=person.name, code=person.code), "success")
    return redirect(url_for("platform.agency", agency_id=agency_id))


# -- the platform log --------------------------------------------------------------------------------------------

@bp.route("/log")
@operator_required
def log():
    statement = select(PlatformLog).order_by(PlatformLog.at.desc(), PlatformLog.id.desc())
    problems, params = [], {}
    company = request.args.get("company", "").strip()
    if company:
        params["company"] = company
        if company.isdigit() and len(company) <= 10:
            statement = statement.where(PlatformLog.tenant_id == int(company))
        else:
            matches = select(Tenant.id).where(Tenant.name.icontains(company, autoescape=True)
                                              | Tenant.slug.icontains(company, autoescape=True))
            statement = statement.where(PlatformLog.tenant_id.in_(matches))
    action = request.args.get("action", "")
    if action:
        if action in log_labels.ACTIONS:
            statement = statement.where(PlatformLog.action == action)
            params["action"] = action
        else:
            problems.append(_("%(field)s: that value is not valid, so this filter is off.", field=_("Action")))
    actor = request.args.get("actor", "").strip()
    if actor:
        params["actor"] = actor
        statement = statement.where(PlatformLog.actor_name.icontains(actor, autoescape=True))
    page = page_number(request.args.get("page", "1"))
    rows, total = listing.page_of(statement, page, PER_PAGE)
    agency_ids = {value for entry in rows for value in ((entry.before or {}).get("agency_id"),
                                                       (entry.after or {}).get("agency_id")) if value}
    agency_names = dict(db.session.execute(select(Agency.id, Agency.name).where(Agency.id.in_(agency_ids))).all()) \
        if agency_ids else {}
    return render_template("platform/log.html", rows=rows, total=total, page=page, per_page=PER_PAGE,
                           params=params, problems=problems, actions=log_labels.ACTIONS, changes=log_labels.changes,
                           action_label=log_labels.action_label, agency_names=agency_names)


# -- platform settings -------------------------------------------------------------------------------------------

@bp.route("/settings", methods=["GET", "POST"])
@operator_required
def settings():
    current = platform_settings()
    form = PlatformSettingsForm(data={**current, "trial_days": str(current["trial_days"])}
                                if request.method == "GET" else None)
    if request.method == "POST":
        data = {"approval_required": bool(form.approval_required.data), "trial_days": form.trial_days.data,
                "contact_name": form.contact_name.data, "contact_phone": form.contact_phone.data,
                "contact_email": form.contact_email.data}
        try:
            save_settings(data, actor=current_user._get_current_object())
        except FieldErrors as err:
            leftover = apply_errors(form, err.errors)
            return render_template("platform/settings.html", form=form, leftover=leftover), 422
        flash(_("Platform settings saved."), "success")
        return redirect(url_for("platform.settings"))
    return render_template("platform/settings.html", form=form, leftover=[])
