"""The outbox (issue 17): events for integrations written in the same transaction as the change they announce.

A feature says which of its models announce what (``watch``); the session
hooks below notice those rows being inserted or changed in a flush and, just
before the transaction commits, add one ``outbox_events`` row per event. So
an event exists exactly when its change committed: a rollback takes the
event with it, and a receiver or Redis being down loses nothing, because
the webhooks feature delivers from this table, not from memory.

Each event carries the record as it stands at commit (``data``), so two
edits in one request make one ``*.updated`` event, and a record created and
edited in one transaction only its ``*.created``.

Writes that bypass the ORM announce nothing: bulk ``UPDATE`` statements (a
batch transfer, the pool sweep) and the importer's ``COPY`` of new rows
(imports/services/writing.py); an import is its own event for people, in
the import history.

Savepoints (``begin_nested``) are honoured: releasing one writes nothing
(the outer commit does), rolling one back forgets only the changes made
inside it. A commit issued while a savepoint is still open announces
nothing: end the savepoint first (``with session.begin_nested(): ...``).
"""
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Callable

from sqlalchemy import BigInteger, Index, String, event, inspect, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, Session, mapped_column

from crm_saas.core.base import TenantTable, tenant_args, utcnow
from crm_saas.extensions import db

# Every event an endpoint may subscribe to, in the order the admin's form offers them.
EVENTS = (
    "customer.created", "customer.updated", "customer.deleted", "customer.restored",
    "deal.created", "deal.moved", "deal.won", "deal.lost",
    "follow_up.created",
    "service_request.created", "service_request.changed",
)


class OutboxEvent(TenantTable, db.Model):
    __tablename__ = "outbox_events"
    __table_args__ = tenant_args(
        Index("ix_outbox_events_pending", "id", postgresql_where=text("dispatched_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    event: Mapped[str] = mapped_column(String(40))
    record_type: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[int]
    data: Mapped[dict] = mapped_column(JSONB)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set once the event has been handed to every endpoint subscribed to it (a delivery row each).
    dispatched_at: Mapped[datetime | None]


@dataclass(frozen=True)
class Watch:
    """``record``: the name in events (``customer``); ``data(obj)``: the JSON it carries;
    ``events(obj, change, changed)``: the events a change makes (``change``: ``created`` or ``updated``,
    ``changed``: the names of the columns that changed)."""

    record: str
    data: Callable
    events: Callable


_watches: dict[type, Watch] = {}
# Set by the webhooks feature: which of ``EVENTS`` someone listens to now; nothing is written for the rest.
_wanted: list[Callable] = [lambda: frozenset()]
_committed: list[Callable] = []


def watch(model, record, *, data, events):
    _watches[model] = Watch(record, data, events)


def plain(obj, names):
    """``obj``'s ``names`` as JSON values: dates and times in ISO 8601, amounts as decimal strings (as the API)."""
    out = {}
    for name in names:
        value = getattr(obj, name)
        if isinstance(value, (date, datetime)):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        out[name] = value
    return out


def updated_unless(changed, ignored, event):
    """``[event]`` when a column other than the bookkeeping ones (``ignored``) changed."""
    return [event] if changed - set(ignored) else []


def listen(*, wanted, committed):
    """The consumer's two hooks: ``wanted()`` -> the events worth writing in this company now;
    ``committed()`` runs after a transaction that wrote some (e.g. to wake a worker; it must not raise)."""
    _wanted[0] = wanted
    _committed[:] = [committed]


def _pending(session):
    return session.info.setdefault("outbox_pending", {})


@event.listens_for(Session, "after_flush")
def _noticed(session, flush_context):
    if not _watches:
        return
    pending = _pending(session)
    for obj in session.new:
        if type(obj) in _watches:
            pending[(type(obj), id(obj))] = [obj, "created", set()]
    for obj in session.dirty:
        if type(obj) not in _watches or not session.is_modified(obj, include_collections=False):
            continue
        state = inspect(obj)
        changed = {attr.key for attr in state.mapper.column_attrs if state.attrs[attr.key].history.has_changes()}
        if not changed:
            continue
        entry = pending.setdefault((type(obj), id(obj)), [obj, "updated", set()])
        entry[2] |= changed


# Savepoints (``begin_nested``): SQLAlchemy fires the commit and rollback events for them too. A savepoint's
# release writes nothing (the outer commit does), and rolling one back forgets only what was noticed inside it.

@event.listens_for(Session, "after_transaction_create")
def _savepoint_begun(session, transaction):
    if transaction.nested:
        snapshot = {key: [obj, change, set(changed)] for key, (obj, change, changed) in _pending(session).items()}
        session.info.setdefault("outbox_savepoints", {})[transaction] = snapshot


@event.listens_for(Session, "after_transaction_end")
def _savepoint_ended(session, transaction):
    if transaction.nested:
        session.info.get("outbox_savepoints", {}).pop(transaction, None)


@event.listens_for(Session, "before_commit")
def _write(session):
    if not _watches or session.in_nested_transaction():
        return
    session.flush()  # what the commit's own flush would write is noticed now, not missed
    pending = session.info.pop("outbox_pending", {})
    if not pending:
        return
    wanted = _wanted[0]()
    if not wanted:
        return
    wrote = False
    for obj, change, changed in pending.values():
        if not inspect(obj).persistent:  # deleted, or rolled back with a savepoint
            continue
        rule = _watches[type(obj)]
        names = [name for name in rule.events(obj, change, changed) if name in wanted]
        if names:
            data = rule.data(obj)
            for name in names:
                session.add(OutboxEvent(event=name, record_type=rule.record, record_id=obj.id, data=data))
            wrote = True
    if wrote:
        session.flush()
        session.info["outbox_wrote"] = True


@event.listens_for(Session, "after_commit")
def _after_commit(session):
    if session.in_nested_transaction():
        return
    session.info.pop("outbox_pending", None)
    if session.info.pop("outbox_wrote", False):
        for hook in _committed:
            hook()


@event.listens_for(Session, "after_rollback")
def _forget(session):
    savepoint = session.get_nested_transaction()
    if savepoint is not None:
        snapshot = session.info.get("outbox_savepoints", {}).get(savepoint)
        if snapshot is not None:
            session.info["outbox_pending"] = snapshot
        return
    session.info.pop("outbox_pending", None)
    session.info.pop("outbox_wrote", None)
