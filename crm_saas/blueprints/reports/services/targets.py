"""Sales targets (业绩目标): who may set them, the checks one target passes, and progress against them.

A target belongs to a person or to a team (a supervisor or admin and
everyone below them) for a month or a quarter. Admins set anyone's and any
team's; supervisors those of the people strictly below them and of the
teams those people lead (never their own: their own boss sets those);
reps set none. Targets are seen as records are: a target is visible when
its holder is (the one rule, on the holder), so a rep sees their own and a
supervisor their subtree's; one out of sight is a 404.

A team without a target of its own is measured against the sum of its
people's (everyone in the team's subtree the viewer sees).
"""
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import any_, func, or_, select

from crm_saas.blueprints.reports.models import METRICS, Target
from crm_saas.blueprints.reports.services.figures import percent
from crm_saas.blueprints.reports.services.target_periods import (
    MEASURE_NAMES,
    METRIC_KINDS,
    METRIC_LABELS,
    actuals_select,
    as_figure,
    period_scope,
    scope_period,
    valid_period,
)
from crm_saas.core.audit import record
from crm_saas.core.errors import Conflict, FieldErrors
from crm_saas.core.users import User
from crm_saas.core.visibility import literal_ids, subtree_ids, visible
from crm_saas.extensions import db

MANAGERS = ("admin", "supervisor")
MAX_VALUE = Decimal("999999999999.99")


class TargetError(FieldErrors):
    """A target refused: the fields named, the API's 422."""


class TargetConflict(Conflict):
    """The holder already has a target for this period and metric: the API's 409, naming the existing one."""


def holder_column():
    return func.coalesce(Target.user_id, Target.team_id)


def visible_targets(viewer):
    """The targets ``viewer`` sees: those whose holder (person or team leader) they see."""
    return visible(select(Target), holder_column(), viewer)


def get_visible_target(viewer, target_id):
    return db.session.scalar(visible_targets(viewer).where(Target.id == target_id))


def may_set_targets(user):
    """Admins and supervisors set targets; reps do not (their pages and calls answer 403)."""
    return user.role in MANAGERS


def settable_ids(actor):
    """The people ``actor`` may set targets for: everyone (None) for admins, else those strictly below them."""
    if actor.role == "admin":
        return None
    if actor.role != "supervisor":
        return frozenset()
    return subtree_ids(actor.id) - {actor.id}


def may_change(actor, target):
    allowed = settable_ids(actor)
    holder = target.user_id or target.team_id
    return allowed is None or holder in allowed


def _holder(data, actor, errors):
    """``(user_id, team_id)``: exactly one, an active person the actor may set targets for (a team: led by a
    supervisor or an admin)."""
    user_id, team_id = data.get("user_id"), data.get("team_id")
    if (user_id in (None, "")) == (team_id in (None, "")):
        errors["user_id" if user_id in (None, "") else "team_id"] = [
            _("Choose a person or a team.") if user_id in (None, "") else _("Choose a person or a team, not both.")]
        return None, None
    field, raw = ("user_id", user_id) if user_id not in (None, "") else ("team_id", team_id)
    if isinstance(raw, str) and raw.strip().isdigit():
        raw = int(raw)
    person = db.session.get(User, raw) if isinstance(raw, int) and not isinstance(raw, bool) and raw > 0 else None
    allowed = settable_ids(actor)
    if person is None or not person.active or (allowed is not None and person.id not in allowed):
        errors[field] = [_("Choose someone you may set targets for.") if field == "user_id"
                         else _("Choose a team you may set targets for.")]
        return None, None
    if field == "team_id" and person.role not in MANAGERS:
        errors[field] = [_("A team is led by a supervisor or an administrator.")]
        return None, None
    return (person.id, None) if field == "user_id" else (None, person.id)


def _value(raw, metric, errors):
    """A positive amount with at most two decimals; a whole number for counts."""
    try:
        value = Decimal(str(raw).strip().replace(",", "")) if raw not in (None, "") and not isinstance(raw, bool) \
            else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        errors["value"] = [_("Enter the target as a number.")]
    elif value <= 0:
        errors["value"] = [_("Enter a target above 0.")]
    elif value > MAX_VALUE:
        errors["value"] = [_("Enter a smaller target.")]
    elif metric in METRICS and METRIC_KINDS[metric] == "int" and value != value.to_integral_value():
        errors["value"] = [_("Enter a whole number.")]
    elif value.as_tuple().exponent < -2 and value != value.quantize(Decimal("0.01")):
        errors["value"] = [_("Enter at most two decimals.")]
    else:
        return value.quantize(Decimal("0.01"))
    return None


def target_errors(data, *, actor, target=None):
    """``(values, errors)``: ``data`` (the API's fields) judged as the target would become."""
    merged = {"period": target.period, "metric": target.metric, "value": target.value,
              "user_id": target.user_id, "team_id": target.team_id} if target else {}
    if target and ("user_id" in data or "team_id" in data):
        merged.update(user_id=None, team_id=None)  # naming a holder replaces the old one
    merged.update({key: data[key] for key in ("period", "metric", "value", "user_id", "team_id") if key in data})
    errors, values = {}, {}
    period = merged.get("period").strip() if isinstance(merged.get("period"), str) else None
    if not valid_period(period):
        errors["period"] = [_("Enter a month as YYYY-MM or a quarter as YYYY-Qn.")]
    values["period"] = period
    metric = merged.get("metric")
    if metric not in METRICS:
        errors["metric"] = [_("Choose won_amount, new_customers or follow_ups.")]
    values["metric"] = metric
    values["value"] = _value(merged.get("value"), metric, errors)
    values["user_id"], values["team_id"] = _holder(merged, actor, errors)
    return values, errors


def _existing(values, target=None):
    holder = Target.user_id == values["user_id"] if values["user_id"] else Target.team_id == values["team_id"]
    stmt = select(Target.id).where(Target.period == values["period"], Target.metric == values["metric"], holder)
    if target is not None:
        stmt = stmt.where(Target.id != target.id)
    return db.session.scalar(stmt)


def _save(target, data, actor, action):
    values, errors = target_errors(data, actor=actor, target=target if target.id else None)
    if errors:
        raise TargetError(errors)
    existing = _existing(values, target if target.id else None)
    if existing:
        raise TargetConflict({"period": [_("This holder already has a target for this period and metric.")]},
                             existing_id=existing)
    for key, value in values.items():
        setattr(target, key, value)
    db.session.add(target)
    db.session.flush()
    record(action, target, actor=actor, target_type="target", label=f"{target.period} {target.metric}",
           user_id=target.user_id, team_id=target.team_id, value=str(target.value))
    return target


def create_target(data, *, actor, commit=True):
    target = _save(Target(created_by_id=actor.id), data, actor, "target_set")
    if commit:
        db.session.commit()
    return target


def update_target(target, data, *, actor, commit=True):
    _save(target, data, actor, "target_changed")
    if commit:
        db.session.commit()
    return target


def delete_target(target, *, actor, commit=True):
    record("target_deleted", target, actor=actor, target_type="target", label=f"{target.period} {target.metric}",
           user_id=target.user_id, team_id=target.team_id, value=str(target.value))
    db.session.delete(target)
    if commit:
        db.session.commit()


def target_data(target):
    """A target in the API's shape (API.md ``targets``)."""
    return {"id": target.id, "period": target.period, "user_id": target.user_id, "team_id": target.team_id,
            "metric": target.metric, "value": target.value}


# -- progress ---------------------------------------------------------------------------------------------------

def progress_holder(scope):
    """Whose targets a scope is measured against: ``("person", id)``, ``("team", id)`` or ``("company", None)``.

    The owner filter's person, else the team filter's team, else the viewer:
    a rep themself, a supervisor their team, an admin the whole company.
    """
    if scope.owner_id:
        return "person", scope.owner_id
    if scope.team_id:
        return "team", scope.team_id
    if scope.user.role == "admin":
        return "company", None
    return ("team", scope.user.id) if scope.user.role == "supervisor" else ("person", scope.user.id)


def target_values(viewer, period, kind, holder_id):
    """``{metric: Decimal|None}``: the holder's targets for ``period`` (a team's default to its people's sum;
    the company's is everyone's), as far as ``viewer`` sees them. One statement."""
    personal = Target.team_id.is_(None)
    stmt = select(Target.metric, personal.label("personal"), func.sum(Target.value)).where(Target.period == period)
    if kind == "person":
        stmt = stmt.where(Target.user_id == holder_id)
    elif kind == "team":
        stmt = stmt.where(or_(Target.team_id == holder_id,
                              Target.user_id == any_(literal_ids(subtree_ids(holder_id)))))
    else:
        stmt = stmt.where(personal)
    stmt = visible(stmt, holder_column(), viewer).group_by(Target.metric, personal)
    own, people = {}, {}
    for metric, is_personal, value in db.session.execute(stmt):
        (people if is_personal else own)[metric] = value
    return {metric: own.get(metric, people.get(metric)) for metric in METRICS}


def holder_params(kind, holder_id, period):
    """The drill parameters of a holder's actuals (the measures ``MEASURE_NAMES`` read them)."""
    params = {"period": period}
    if kind in ("person", "team"):
        params[kind] = holder_id
    return params


def target_progress(scope):
    """``[{"metric", "label", "target", "actual", "percent", "measure", "params"}]`` for the scope's holder
    (``progress_holder``) over the month (or quarter, for a quarter range) the scope's first day falls in;
    ``measure`` and ``params`` open the records behind the actual. Two statements."""
    period = scope_period(scope)
    kind, holder_id = progress_holder(scope)
    params = holder_params(kind, holder_id, period)
    counted = period_scope(scope, period)
    if kind == "person" and not scope.owner_id:
        counted = replace(counted, owner_id=holder_id)
    elif kind == "team" and not scope.team_id:
        counted = replace(counted, team_id=holder_id)
    targets = target_values(scope.user, period, kind, holder_id)
    actuals = dict(zip(METRICS, db.session.execute(actuals_select(counted)).one(), strict=True))
    return [{"metric": metric, "label": METRIC_LABELS[metric], "target": as_figure(targets[metric], metric),
             "actual": as_figure(actuals[metric], metric), "percent": percent(actuals[metric], targets[metric]),
             "measure": MEASURE_NAMES[metric], "params": params}
            for metric in METRICS]
