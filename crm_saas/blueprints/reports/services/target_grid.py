"""The targets page's grid: the people and teams a manager may set targets for, with a period's three targets.

A row per person, and per team for those who lead one (supervisors and
admins), each with its target for every metric (or none) and, for a team
without its own, what it defaults to: the sum of its people's. A page of
people costs four statements however many rows: the people, their
targets, and the tree with every person's targets for the teams' defaults.
Saving a row sets, changes or removes its three targets together: all of
them, or (one refused) none.
"""
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sqlalchemy import any_, func, or_, select

from crm_saas.blueprints.reports.models import METRICS, Target
from crm_saas.blueprints.reports.services.targets import (
    MANAGERS,
    TargetError,
    create_target,
    delete_target,
    settable_ids,
    update_target,
    visible_targets,
)
from crm_saas.core.errors import FieldErrors
from crm_saas.core.staff import NAME_ORDER
from crm_saas.core.users import User
from crm_saas.core.visibility import literal_ids, visible
from crm_saas.extensions import db

PER_PAGE = 50
KINDS = ("person", "team")


@dataclass
class Row:
    kind: str  # person or team
    holder_id: int
    name: str
    targets: dict = field(default_factory=dict)  # metric -> Target
    defaults: dict = field(default_factory=dict)  # metric -> the sum of its people's (teams without their own)

    @property
    def dom_id(self):
        return f"target-row-{self.kind}-{self.holder_id}"


def settable_people(actor, q=None):
    """Active people ``actor`` may set targets for, in name order (admins: everyone; supervisors: below them)."""
    stmt = select(User.id, User.name, User.role).where(User.active.is_(True))
    allowed = settable_ids(actor)
    if allowed is not None:
        stmt = stmt.where(User.id == any_(literal_ids(allowed or {0})))
    q = (q or "").strip()
    if q:
        stmt = stmt.where(or_(*(column.icontains(q, autoescape=True) for column in (User.name, User.username))))
    return stmt


def _rows(actor, people, period):
    """Rows for ``people`` (``(id, name, role)``): a person's, then their team's when they lead one."""
    rows = []
    for person_id, name, role in people:
        rows.append(Row("person", person_id, name))
        if role in MANAGERS:
            rows.append(Row("team", person_id, name))
    if not rows:
        return rows
    ids = {row.holder_id for row in rows}
    stmt = visible_targets(actor).where(Target.period == period,
                                        or_(Target.user_id == any_(literal_ids(ids)),
                                            Target.team_id == any_(literal_ids(ids))))
    found = {}
    for target in db.session.scalars(stmt):
        key = ("person", target.user_id) if target.user_id else ("team", target.team_id)
        found.setdefault(key, {})[target.metric] = target
    for row in rows:
        row.targets = found.get((row.kind, row.holder_id), {})
    _defaults(actor, [row for row in rows if row.kind == "team"], period)
    return rows


def _defaults(actor, teams, period):
    """Each team's people's targets summed (by metric), for the teams without a target of their own."""
    if not teams:
        return
    tree = db.session.execute(visible(select(User.id, User.superior_id), User.id, actor)).all()
    personal = db.session.execute(
        visible_targets(actor).with_only_columns(Target.user_id, Target.metric, func.sum(Target.value))
        .where(Target.period == period, Target.user_id.is_not(None)).group_by(Target.user_id, Target.metric)).all()
    children, values = {}, {}
    for person_id, superior_id in tree:
        children.setdefault(superior_id, []).append(person_id)
    for user_id, metric, value in personal:
        values.setdefault(user_id, {})[metric] = value
    for row in teams:
        waiting, totals = [row.holder_id], {}
        while waiting:
            member = waiting.pop()
            for metric, value in values.get(member, {}).items():
                totals[metric] = totals.get(metric, 0) + value
            waiting.extend(children.get(member, ()))
        row.defaults = {metric: value for metric, value in totals.items() if metric not in row.targets}


def grid(actor, period, q=None, page=1):
    """``(rows, people in all, page, pages)``: a page of people, each with their team's row when they lead one."""
    stmt = settable_people(actor, q)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, page), pages)
    people = db.session.execute(stmt.order_by(NAME_ORDER, User.id).limit(PER_PAGE)
                                .offset((page - 1) * PER_PAGE)).all()
    return _rows(actor, people, period), total, page, pages


def grid_row(actor, kind, holder_id, period):
    """One holder's row, or None when ``actor`` may not set targets for them (``holder_visible`` tells a 404
    from a 403)."""
    person = db.session.execute(settable_people(actor).where(User.id == holder_id)).first()
    if person is None or kind not in KINDS or (kind == "team" and person.role not in MANAGERS):
        return None
    return next(row for row in _rows(actor, [person], period) if row.kind == kind)


def holder_visible(actor, holder_id):
    """Whether ``actor`` sees the holder at all (else the answer is a 404, not a 403)."""
    return db.session.scalar(visible(select(User.id), User.id, actor).where(User.id == holder_id)) is not None


def _same(raw, value):
    try:
        return Decimal(raw.replace(",", "")) == value
    except InvalidOperation:
        return False


def save_row(actor, row, period, values):
    """Set, change or remove the row's targets from ``values`` (``{metric: text}``; empty removes); all or
    nothing. ``TargetError`` names each refused metric (and ``period``)."""
    errors = {}
    holder = {"user_id": row.holder_id} if row.kind == "person" else {"team_id": row.holder_id}
    for metric in METRICS:
        raw = (values.get(metric) or "").strip()
        existing = row.targets.get(metric)
        try:
            if existing is not None and not raw:
                delete_target(existing, actor=actor, commit=False)
            elif existing is not None and _same(raw, existing.value):
                continue  # unchanged: nothing to log
            elif existing is not None:
                update_target(existing, {"value": raw}, actor=actor, commit=False)
            elif raw:
                create_target({**holder, "period": period, "metric": metric, "value": raw}, actor=actor,
                              commit=False)
        except FieldErrors as err:  # a refusal, or a target someone added meanwhile
            for key, messages in err.errors.items():
                errors.setdefault(metric if key == "value" else key, []).extend(messages)
    if errors:
        db.session.rollback()
        raise TargetError(errors)
    db.session.commit()
