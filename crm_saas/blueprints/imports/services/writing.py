"""Writing checked rows: new customers a chunk at a time with COPY, everything else through its feature.

New customers are most of any import, so they skip the ORM: a chunk's ids
come from the table's sequence in one statement, its numbers from one
counter update (``reserve_numbers``), and the customers, their main
contacts and their "created" change-log rows go in with three COPYs in one
transaction (the chunk's), so no customer is ever saved without its
contact or its log. Everything the ORM would have filled in (column
defaults) is filled from the models, so a COPY row is what ``create_customer``
would have stored. Updates go through ``update_customer``, deals through
``create_deal``, follow-ups through ``record_activity`` and extra contacts
through ``add_contact``, one row per transaction, with the batch's id put on
what they write (listeners.py).
"""
from contextlib import contextmanager

from flask_babel import gettext as _
from psycopg.types.json import Jsonb
from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import JSONB, insert

from crm_saas.blueprints.activities.services import record_activity
from crm_saas.blueprints.custom_fields.services import clean_values
from crm_saas.blueprints.customers.models import Contact, Customer, CustomerChange, NumberCounter
from crm_saas.blueprints.customers.services import CustomerError, add_contact, initial_status, update_customer
from crm_saas.blueprints.customers.services.keys import name_key, phone_key
from crm_saas.blueprints.customers.services.numbering import company_today, render
from crm_saas.blueprints.customers.services.validation import clean_tags
from crm_saas.blueprints.imports.services.customer_rows import import_field
from crm_saas.blueprints.imports.services.rows import CREATE, ERROR, UPDATE
from crm_saas.blueprints.pipeline.services.deals import create_deal
from crm_saas.blueprints.pools.models import PoolEvent
from crm_saas.blueprints.pools.services import get_pool_for
from crm_saas.core.base import utcnow
from crm_saas.core.errors import FieldErrors
from crm_saas.core.settings import get_setting
from crm_saas.extensions import db
from crm_saas.tenants.binding import current_schema

IMPORT_ROW = "crm_import_row"  # session.info key: the batch (and a deal's id in the file) of the row being written
CUSTOMER_TEXT = ("industry_note", "category", "size", "province", "city", "district", "address", "remarks", "needs",
                 "goals", "past_dealings")


@contextmanager
def tagged(import_id, **more):
    """Whatever the block inserts is marked with the batch (``listeners.tag_with_import``)."""
    db.session.info[IMPORT_ROW] = {"import_id": import_id, **more}
    try:
        yield
    finally:
        db.session.info.pop(IMPORT_ROW, None)


def reserve_numbers(count):
    """``count`` new customer numbers from one counter update; numbers already taken are skipped."""
    pattern, day = get_setting("customer_number_pattern"), company_today()
    key = "customer:" + render(pattern, day, None)
    numbers = []
    while len(numbers) < count:
        want = count - len(numbers)
        last = db.session.scalar(
            insert(NumberCounter).values(key=key, last=want)
            .on_conflict_do_update(index_elements=["key"], set_={"last": NumberCounter.last + want})
            .returning(NumberCounter.last))
        block = [render(pattern, day, serial) for serial in range(last - want + 1, last + 1)]
        taken = set(db.session.scalars(select(Customer.number).where(Customer.number.in_(block))))
        numbers.extend(number for number in block if number not in taken)
    return numbers


def _with_defaults(table, values):
    """``values`` with every column default the ORM would have applied on an INSERT."""
    for column in table.columns:
        if column.name not in values and column.default is not None and not column.primary_key:
            default = column.default
            values[column.name] = default.arg(None) if default.is_callable else default.arg
    return values


def copy_rows(model, rows):
    """COPY ``rows`` (dicts with the same keys) into ``model``'s table in the bound schema, in this transaction."""
    if not rows:
        return
    table = model.__table__
    columns = list(rows[0])
    json = {name for name in columns if isinstance(table.c[name].type, JSONB)}
    names = ", ".join(f'"{name}"' for name in columns)
    raw = db.session.connection().connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f'COPY "{current_schema()}"."{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([Jsonb(row[n]) if n in json and row[n] is not None else row[n] for n in columns])


def _next_ids(table, count):
    sequence = f"'\"{current_schema()}\".{table}'"
    return db.session.execute(
        text(f"SELECT nextval(pg_get_serial_sequence({sequence}, 'id')) FROM generate_series(1, :n)"),
        {"n": count}).scalars().all()


def _clean(value):
    return (value or "").strip() or None if isinstance(value, (str, type(None))) else value


class CustomerWriter:
    def __init__(self, imp, actor):
        self.imp, self.actor = imp, actor
        self.status = initial_status(actor)
        self.pool = get_pool_for(actor, imp.pool_id) if imp.pool_id else None
        self.reason = _("Import %(number)s (%(file)s)", number=imp.id, file=imp.original_name)

    def write(self, chunk):
        """Create the chunk's new customers (one commit), then update the others (a commit each)."""
        new = [row for row in chunk if row.action == CREATE]
        if new:
            self._create(new)
        db.session.commit()
        for row in chunk:
            if row.action == UPDATE:
                self._update(row)

    def _create(self, rows):
        now, actor, imp = utcnow(), self.actor, self.imp
        ids, numbers = _next_ids("customers", len(rows)), reserve_numbers(len(rows))
        customers, contacts, changes, events = [], [], [], []
        pooled = self.pool is not None
        for row, customer_id, number in zip(rows, ids, numbers, strict=True):
            data, extra = row.data, row.extra
            values = {
                "id": customer_id, "number": number, "name": data["name"].strip(), "name_key": name_key(data["name"]),
                "industry": data["industry"], "type": data.get("type") or "potential", "source": data["source"],
                "status": self.status, "tags": clean_tags(data.get("tags")),
                "owner_id": None if pooled else extra["owner_id"], "created_by_id": actor.id,
                "custom": clean_values("customer", data.get("custom") or {}, partial=True)[0],
                "created_at": extra.get("created_at") or now, "updated_at": now,
                "external_ref": extra.get("external_ref"), "import_id": imp.id, "campaign_id": data.get("campaign_id"),
                "owned_at": None if pooled else now,
                **{field: _clean(data.get(field)) for field in CUSTOMER_TEXT},
            }
            if pooled:
                values.update(pool_id=self.pool.id, pool_entered_at=now, pool_reason=self.reason, pool_rule="import")
                changes.append(self._change(customer_id, now, "pooled", field="owner_id", new=self.pool.name,
                                            reason=self.reason))
                events.append({"pool_id": self.pool.id, "customer_id": customer_id, "kind": "import",
                               "user_id": None, "actor_id": actor.id, "rule": "import", "at": now})
            customers.append(_with_defaults(Customer.__table__, values))
            contact = data["contacts"][0]
            phone = (contact.get("phone") or "").strip()
            contacts.append(_with_defaults(Contact.__table__, {
                "customer_id": customer_id, "name": contact["name"].strip(), "phone": phone,
                "phone_key": phone_key(phone), "is_primary": True,
                **{field: _clean(contact.get(field)) for field in ("title", "email", "wechat", "role")}}))
            changes.append(self._change(customer_id, now, "created", new=number))
        copy_rows(Customer, customers)
        copy_rows(Contact, contacts)
        copy_rows(CustomerChange, sorted(changes, key=lambda change: change["action"] != "created"))
        if events:
            copy_rows(PoolEvent, [_with_defaults(PoolEvent.__table__, event) for event in events])

    def _change(self, customer_id, at, action, *, field=None, new=None, reason=None):
        return {"customer_id": customer_id, "at": at, "actor_id": self.actor.id, "actor_name": self.actor.name,
                "action": action, "field": field, "label": None, "subject": None, "old": None, "new": new,
                "reason": reason, "import_id": self.imp.id}

    def _update(self, row):
        customer = row.target
        try:
            with tagged(self.imp.id):
                customer.import_id = self.imp.id
                if row.extra.get("external_ref") and not customer.external_ref:
                    customer.external_ref = row.extra["external_ref"]
                update_customer(customer, row.changes, actor=self.actor, reason=self.reason, partial_custom=True)
        except CustomerError as refused:  # changed since the check: judged again, refused as a whole
            db.session.rollback()
            row.action = ERROR
            row.errors = {import_field(field): list(map(str, messages)) for field, messages in refused.errors.items()}


class LinkedWriter:
    """Deals, follow-ups and extra contacts: each new row through its feature's own service, tagged with the batch.

    They are few beside customers and hang on a customer each, so the
    service's own checks and side effects (stage history, the follow-up's
    task, the customer's last follow-up, the change log) matter more than
    COPY's speed.
    """

    def __init__(self, imp, actor):
        self.imp, self.actor = imp, actor

    def write(self, chunk):
        for row in chunk:
            if row.action != CREATE:
                continue
            try:
                self.create(row)
            except FieldErrors as refused:  # changed since the check: that row alone is refused
                db.session.rollback()
                row.action = ERROR
                row.errors = {key.split(".")[0]: list(map(str, messages)) for key, messages in refused.errors.items()}


class DealWriter(LinkedWriter):
    def create(self, row):
        with tagged(self.imp.id, external_ref=row.extra.get("external_ref")):
            create_deal(row.data, actor=self.actor, customer=row.extra["customer"])


class ActivityWriter(LinkedWriter):
    def create(self, row):
        with tagged(self.imp.id):
            record_activity({**row.data, "customer_id": row.extra["customer"].id}, actor=self.actor)


class ContactWriter(LinkedWriter):
    """A customer's extra contact, added through ``add_contact``: its "contact added" change carries the batch."""

    def create(self, row):
        reason = _("Import %(number)s (%(file)s)", number=self.imp.id, file=self.imp.original_name)
        try:
            with tagged(self.imp.id):
                add_contact(row.extra["customer"], row.data, actor=self.actor, reason=reason)
        except CustomerError as refused:  # the contact's own fields by name; the rest is the customer's
            raise FieldErrors({_contact_field(key): messages for key, messages in refused.errors.items()}) from None


def _contact_field(key):
    parts = key.split(".")
    return parts[2] if parts[0] == "contacts" and len(parts) == 3 else "customer_ref"


def created_count(import_id):
    return db.session.scalar(select(func.count()).select_from(CustomerChange).where(
        CustomerChange.import_id == import_id, CustomerChange.action == "created"))
