"""Taking a batch back (within 7 days): what it created goes, what it changed is put back, from its own log.

The change log says what the batch did (``customer_changes.import_id``):
customers it created go to the recycle bin (restorable as any deleted
customer), fields it updated get their old value back through
``update_customer`` (so the revert is logged and judged like any edit).
Deals and follow-ups it created are deleted, and so are the extra contacts
it added (the main contact one of them replaced is the main one again).
Whatever someone changed
since is left as they made it, and listed in the report: a created
customer edited since stays, an updated field whose value is no longer the
batch's keeps its new value, an added contact edited since stays.
"""
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from crm_saas.blueprints.activities.models import Activity, Task
from crm_saas.blueprints.customers.models import Customer, CustomerChange
from crm_saas.blueprints.customers.services import CustomerError, editable_data, update_customer
from crm_saas.blueprints.customers.services.changes import CONTACT_FIELDS
from crm_saas.blueprints.customers.services.recycle import delete_customer
from crm_saas.blueprints.pipeline.models import Deal, DealChange
from crm_saas.core import signals
from crm_saas.core.base import utcnow
from crm_saas.core.errors import Conflict
from crm_saas.extensions import db

REVERT_DAYS = 7
REPORT_MAX = 200


class RevertError(Conflict):
    """A batch that cannot be reverted (``import``): not committed, already reverted, or too old."""


def revert_errors(imp, now=None):
    if imp.stage == "reverted":
        return {"import": [_("This import has already been reverted.")]}
    if imp.committed_at is None:
        return {"import": [_("Only an import that was committed can be reverted.")]}
    if (now or utcnow()) - imp.committed_at > timedelta(days=REVERT_DAYS):
        return {"import": [_("An import can be reverted within %(days)d days of its commit.", days=REVERT_DAYS)]}
    return {}


def _later(customer_id, imp):
    """The first change to a customer after the batch by anything but the batch: ``(who, field)`` or None."""
    return db.session.execute(
        select(CustomerChange.actor_name, CustomerChange.field).where(
            CustomerChange.customer_id == customer_id, CustomerChange.at > imp.committed_at,
            CustomerChange.import_id.is_distinct_from(imp.id))
        .order_by(CustomerChange.at).limit(1)).first()


def revert_import(imp, actor, progress=None):
    """Revert the batch; returns its report (also kept on the import)."""
    report = {"deleted": 0, "restored": 0, "contacts_deleted": 0, "deals_deleted": 0, "activities_deleted": 0,
              "kept": []}
    reason = _("Import %(number)s reverted", number=imp.id)
    created = db.session.scalars(select(CustomerChange.customer_id).where(
        CustomerChange.import_id == imp.id, CustomerChange.action == "created")).all()
    updated = db.session.scalars(select(CustomerChange).where(
        CustomerChange.import_id == imp.id, CustomerChange.action == "updated").order_by(CustomerChange.id)).all()
    steps = max(len(created) + len(updated), 1)
    for done, customer_id in enumerate(created, start=1):
        customer = db.session.get(Customer, customer_id)
        if customer is None or customer.deleted_at is not None:
            continue
        later = _later(customer_id, imp)
        if later:
            _keep(report, customer, later, _("created by the import, changed since"))
        else:
            delete_customer(customer, actor=actor, reason=reason)
            report["deleted"] += 1
        if progress is not None and done % 500 == 0:
            progress(done * 100 // steps)
    by_customer = {}
    for change in updated:
        by_customer.setdefault(change.customer_id, []).append(change)
    for customer_id, changes in by_customer.items():
        _put_back(customer_id, changes, imp, actor, reason, report)
    _delete_linked(imp, report)
    db.session.commit()
    return report


def _keep(report, customer, later, why):
    if len(report["kept"]) < REPORT_MAX:
        who, field = later
        report["kept"].append({"customer": f"{customer.number} {customer.name}", "field": field, "by": who,
                               "why": str(why)})


def _current(customer, field):
    if field.startswith("custom."):
        return (customer.custom or {}).get(field[7:])
    if field.startswith("contact."):
        main = customer.primary_contact
        name = "is_primary" if field == "contact.primary" else field[8:]
        return getattr(main, name, None) if main is not None else None
    return list(customer.tags or []) if field == "tags" else getattr(customer, field, None)


def _put_back(customer_id, changes, imp, actor, reason, report):
    """The fields the batch changed, back to what they were, where nobody changed them since."""
    customer = db.session.scalar(select(Customer).where(Customer.id == customer_id, Customer.deleted_at.is_(None))
                                 .options(selectinload(Customer.contacts)))
    if customer is None:
        return
    added = [change for change in changes if change.field == "contact.added"]
    # A contact the batch added as the main one took the place of another: that change is undone with it.
    demoted = [change for change in changes if added and change.field == "contact.primary"]
    contacts, taken = _without_added(customer, added, demoted, imp, report) if added else (None, 0)
    patch, contact = {}, {}
    for change in changes:
        if change in added or change in demoted:
            continue
        if _current(customer, change.field) != change.new:
            who = (_later(customer_id, imp) or (None,))[0]
            _keep(report, customer, (who, change.field), _("changed since the import"))
        elif change.field.startswith("custom."):
            patch.setdefault("custom", {})[change.field[7:]] = change.old
        elif change.field.startswith("contact."):
            contact[change.field[8:]] = change.old
        else:
            patch[change.field] = change.old
    if contact:
        contacts = contacts if contacts is not None else editable_data(customer)["contacts"]
        main = next((c for c in contacts if c.get("primary")), None)
        if main is not None:
            main.update(contact)
    if contacts is not None:
        patch["contacts"] = contacts
    if not patch:
        return
    try:
        update_customer(customer, patch, actor=actor, reason=reason, partial_custom=True)
        report["restored"] += bool(contact or set(patch) - {"contacts"})  # fields put back, not just contacts gone
        report["contacts_deleted"] += taken
    except CustomerError as refused:
        db.session.rollback()
        _keep(report, customer, (None, ", ".join(refused.errors)), _("the old values no longer pass the rules"))


def _without_added(customer, added, demoted, imp, report):
    """``(contacts, how many taken)``: the customer's contacts less those the batch added and nobody changed
    since (None when none is taken).

    An added contact is known by what the batch wrote (the change's ``new``);
    one that reads differently now was edited after the import and stays.
    """
    contacts = editable_data(customer)["contacts"]
    taken = []
    for change in added:
        match = next((c for c in contacts if {k: c.get(k) for k in CONTACT_FIELDS} == change.new), None)
        if match is None:
            who = (_later(customer.id, imp) or (None,))[0]
            _keep(report, customer, (who, change.subject), _("contact added by the import, changed since"))
        else:
            contacts.remove(match)
            taken.append(match)
    if not taken or not contacts:
        return None, 0
    if any(c["primary"] for c in taken) and not any(c["primary"] for c in contacts):
        names = [change.subject for change in demoted if change.old is True]
        main = next((c for c in contacts if c["name"] in names), contacts[0])
        main["primary"] = True
    return contacts, len(taken)


def _delete_linked(imp, report):
    """Deals and follow-ups the batch created, unless someone worked on them since."""
    deals = db.session.scalars(select(Deal).where(Deal.import_id == imp.id)).all()
    gone = []
    for deal in deals:
        touched = db.session.scalar(select(DealChange.id).where(
            DealChange.deal_id == deal.id, DealChange.at > imp.committed_at).limit(1))
        if touched or deal.version > 1:
            if len(report["kept"]) < REPORT_MAX:
                report["kept"].append({"customer": deal.name, "field": None, "by": None,
                                       "why": str(_("deal created by the import, changed since"))})
        else:
            gone.append(deal.id)
    if gone:
        signals.deals_purging.send(tuple(gone))
        db.session.execute(delete(Deal).where(Deal.id.in_(gone)))
    activities = db.session.scalars(select(Activity.id).where(
        Activity.import_id == imp.id, Activity.updated_at <= imp.committed_at)).all()
    if activities:
        db.session.execute(delete(Task).where(Task.activity_id.in_(activities), Task.done.is_(False)))
        db.session.execute(delete(Activity).where(Activity.id.in_(activities)))
    report["deals_deleted"], report["activities_deleted"] = len(gone), len(activities)
