"""The ``targets`` report: achievement against targets by person and by team, for one month or quarter.

The period is the one the scope's first day falls in (a quarter for a
quarter range, else a month: targets are set per month or quarter). A row
per person with a target of their own, and per team (a supervisor or admin
and everyone below them the viewer sees) with a target of its own or
people's targets to add up. A team's actual is the sum of its people's,
counted once per owner in one grouped statement and added up along the
tree here, so the page's statements do not grow with its rows. The totals
row is the viewer's own progress (targets.target_progress): the filtered
person or team, else the viewer's team, or the whole company for an admin.
"""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm_saas.blueprints.reports.models import METRICS, Target
from crm_saas.blueprints.reports.services.catalog import Chart, Column, Measure, Report, Result
from crm_saas.blueprints.reports.services.figures import percent
from crm_saas.blueprints.reports.services.target_periods import (
    ENTITIES,
    MEASURE_NAMES,
    METRIC_KINDS,
    actual_statement,
    actuals_by_owner_select,
    as_figure,
    period_scope,
    scope_period,
)
from crm_saas.blueprints.reports.services.targets import (
    MANAGERS,
    holder_column,
    holder_params,
    progress_holder,
    target_progress,
)
from crm_saas.core.staff import NAME_ORDER
from crm_saas.core.users import User
from crm_saas.core.visibility import subtree_ids, visible
from crm_saas.extensions import db

LABELS = {
    "won_amount": (_l("Won amount target"), _l("Won amount"), _l("Won amount achieved")),
    "new_customers": (_l("New customers target"), _l("New customers"), _l("New customers achieved")),
    "follow_ups": (_l("Follow-ups target"), _l("Follow-ups"), _l("Follow-ups achieved")),
}
MEASURE_TITLES = {"won_amount": _l("Deals won in %(period)s, toward the target"),
                  "new_customers": _l("New customers of %(period)s, toward the target"),
                  "follow_ups": _l("Follow-ups of %(period)s, toward the target")}


def _columns():
    columns = [Column("name", _l("Person or team"), "text"), Column("kind", _l("Target of"), "text")]
    for metric in METRICS:
        target, actual, achieved = LABELS[metric]
        columns += [Column(f"{metric}_target", target, METRIC_KINDS[metric]),
                    Column(f"{metric}_actual", actual, METRIC_KINDS[metric]),
                    Column(f"{metric}_percent", achieved, "percent")]
    return tuple(columns)


def _people(scope):
    """Everyone the viewer sees, in name order: ``[(id, name, superior_id, role)]`` (one statement)."""
    stmt = select(User.id, User.name, User.superior_id, User.role).order_by(NAME_ORDER, User.id)
    return db.session.execute(visible(stmt, User.id, scope.user)).all()


def _in_filter(scope, seen):
    """The people the owner or team filter keeps, among those seen."""
    if scope.owner_id:
        return seen & {scope.owner_id}
    if scope.team_id:
        return seen & subtree_ids(scope.team_id)
    return seen


def _subtree_totals(people, personal, actuals):
    """``(targets, results)`` per person seen, each summed over their subtree (themselves included): the
    personal targets per metric (None where nobody below has one) and the results.

    Added up once from the leaves, children into their superior, so 2,000 people cost 2,000 steps; walking
    each of 800 managers' subtrees anew was some 100,000 (bench/README.md). Someone whose superior is not
    seen starts a tree, as on the organisation page.
    """
    seen = {person_id for person_id, _name, _superior, _role in people}
    children = {}
    for person_id, _name, superior_id, _role in people:
        children.setdefault(superior_id, []).append(person_id)
    order, waiting = [], [person_id for person_id, _name, superior, _role in people if superior not in seen]
    while waiting:
        person_id = waiting.pop()
        order.append(person_id)
        waiting.extend(children.get(person_id, ()))
    targets = {p: {m: personal.get(p, {}).get(m) for m in METRICS} for p in order}
    results = {p: {m: actuals[m].get(p, 0) for m in METRICS} for p in order}
    for person_id in reversed(order):  # everyone after their superior in ``order``: children first here
        for child in children.get(person_id, ()):
            for metric in METRICS:
                below = targets[child][metric]
                if below is not None:
                    mine = targets[person_id][metric]
                    targets[person_id][metric] = below if mine is None else mine + below
                results[person_id][metric] += results[child][metric]
    return targets, results


def _row(name, kind_label, targets, actuals):
    row = {"name": name, "kind": kind_label}
    for metric in METRICS:
        row[f"{metric}_target"] = as_figure(targets.get(metric), metric)
        row[f"{metric}_actual"] = as_figure(actuals.get(metric, 0), metric)
        row[f"{metric}_percent"] = percent(actuals.get(metric, 0), targets.get(metric))
    return row


def build(scope):
    period = scope_period(scope)
    counted = period_scope(scope, period)
    people = _people(scope)
    names = {person_id: name for person_id, name, _superior, _role in people}
    kept = _in_filter(scope, set(names))
    personal, own = {}, {}
    for target in db.session.scalars(visible(select(Target).where(Target.period == period), holder_column(),
                                             scope.user)):
        holder = personal.setdefault(target.user_id, {}) if target.user_id else own.setdefault(target.team_id, {})
        holder[target.metric] = target.value
    actuals = {metric: {} for metric in METRICS}
    for metric, owner_id, figure in db.session.execute(actuals_by_owner_select(counted)):
        actuals[metric][owner_id] = figure
    result = Result(rows=[], notes=[_l("Targets and results of %(period)s.", period=period)])
    if scope.province or scope.city:
        result.notes.append(_l("Targets are not set per region: the province and city filters do not apply here."))
    if not scope.owner_id:  # an owner filter names one person: their team's rows would count others
        team_targets, team_results = _subtree_totals(people, personal, actuals)
        for leader, _name, _superior, role in people:
            if role not in MANAGERS or leader not in kept:
                continue
            targets = {metric: own.get(leader, {}).get(metric, team_targets[leader][metric]) for metric in METRICS}
            if any(value is not None for value in targets.values()):
                _add(result, _("%(name)s's team", name=names[leader]), _("Team"), targets, team_results[leader],
                     "team", leader, period, team_id=leader)
    for person_id, name, _superior, _role in people:
        if person_id in kept and person_id in personal:
            sums = {metric: actuals[metric].get(person_id, 0) for metric in METRICS}
            _add(result, name, _("Person"), personal[person_id], sums, "person", person_id, period,
                 user_id=person_id)
    _totals(result, scope, names, period)
    return result


def _add(result, name, kind_label, targets, actuals, kind, holder_id, period, **ids):
    index = len(result.rows)
    result.rows.append({**_row(name, kind_label, targets, actuals), "user_id": None, "team_id": None, **ids})
    for metric in METRICS:
        result.drill[(index, f"{metric}_actual")] = (MEASURE_NAMES[metric], holder_params(kind, holder_id, period))


def _totals(result, scope, names, period):
    """The viewer's own progress (the filtered person or team, their team, or the company) as the totals row."""
    kind, holder_id = progress_holder(scope)
    if kind == "company":
        name = _("Whole company")
    elif kind == "team":
        name = _("%(name)s's team", name=names[holder_id]) if holder_id in names else _("Total")
    else:
        name = names.get(holder_id, _("Total"))
    totals = {"name": name, "kind": ""}
    for item in target_progress(scope):
        metric = item["metric"]
        totals.update({f"{metric}_target": item["target"], f"{metric}_actual": item["actual"],
                       f"{metric}_percent": item["percent"]})
        result.drill[("total", f"{metric}_actual")] = (item["measure"], item["params"])
    result.totals = totals


REPORTS = [Report(
    key="targets", title=_l("Target achievement"),
    description=_l("Targets against results by person and by team for the month the period starts in (the "
                   "quarter for a quarter range). A team without a target of its own is measured against the sum "
                   "of its people's; its results are its people's."),
    columns=_columns(), chart=Chart("bar", "name", ("won_amount_target", "won_amount_actual")), build=build,
)]

MEASURES = {MEASURE_NAMES[metric]: Measure(ENTITIES[metric], MEASURE_TITLES[metric], actual_statement(metric),
                                           ("period", "person", "team")) for metric in METRICS}
