"""The stage funnel from the stage history (D5): entries, conversion, days in each stage, where deals are lost and why.

Two statements over ``deal_stage_changes``, whatever the number of deals:

- the stays: every change of a deal in scope from the period's start on,
  with ``LEAD`` (when the deal next moved: the stay's end) and a ``MAX``
  over the changes after it (how far the deal got afterwards), windowed per
  deal; grouped by stage, counting the deals that entered in the period,
  those that later reached a later open stage or a won one (conversion to
  the next), and the average length of the stays that have ended (one of
  4 days and one of 6: 5);
- the losses: moves into a lost stage in the period, counted per stage
  they left and per reason, in one ``GROUPING SETS``.

Each count links to its deals; the measure's statement asks the same
question of the same history, so the list has as many rows as the cell.
"""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, func, literal, select, tuple_
from sqlalchemy.orm import aliased

from crm_saas.blueprints.pipeline.models import Deal, DealStageChange, Stage
from crm_saas.blueprints.pipeline.services import default_pipeline, get_pipeline, get_stage
from crm_saas.blueprints.pipeline.services.defaults import stage_label
from crm_saas.blueprints.reports.services import base
from crm_saas.blueprints.reports.services.catalog import Chart, Column, Measure, Report, Result
from crm_saas.blueprints.reports.services.extras import PIPELINE
from crm_saas.blueprints.reports.services.figures import average_days, percent, span_seconds
from crm_saas.core.errors import FieldErrors
from crm_saas.extensions import db

WON_RANK = 1_000_000  # a won stage is past every open one, wherever it sits


def rank(stage):
    """How far a stage is along: its position if open, past everything if won, before everything if lost."""
    return WON_RANK if stage.kind == "won" else stage.position if stage.kind == "open" else -1


def _rank_sql(stage):
    return case((stage.kind == "won", WON_RANK), (stage.kind == "open", stage.position), else_=-1)


def chosen_pipeline(scope):
    pipeline_id = scope.extra.get("pipeline_id")
    return (get_pipeline(pipeline_id) if pipeline_id else None) or default_pipeline()


def _stays(scope, pipeline):
    """``{stage_id: (entered, converted, stay_seconds, stays)}`` in one windowed statement."""
    C, S = DealStageChange, Stage
    order = (C.moved_at, C.id)
    changes = (base.deals(scope).join(C, C.deal_id == Deal.id).join(S, S.id == C.to_stage_id)
               .where(Deal.pipeline_id == pipeline.id, C.moved_at >= scope.start)
               .with_only_columns(
                   C.deal_id, C.to_stage_id, C.moved_at, _rank_sql(S).label("rank"),
                   func.lead(C.moved_at).over(partition_by=C.deal_id, order_by=order).label("left_at"),
                   func.max(_rank_sql(S)).over(partition_by=C.deal_id, order_by=order, rows=(1, None))
                   .label("later_rank"))
               .subquery())
    entered = changes.c.moved_at < scope.end
    ended = and_(entered, changes.c.left_at.is_not(None))
    stmt = (select(
                changes.c.to_stage_id, func.count(changes.c.deal_id.distinct()).filter(entered),
                func.count(changes.c.deal_id.distinct()).filter(and_(entered, changes.c.later_rank > changes.c.rank)),
                func.sum(span_seconds(changes.c.moved_at, changes.c.left_at)).filter(ended),
                func.count().filter(ended))
            .group_by(changes.c.to_stage_id))
    return {row[0]: row[1:] for row in db.session.execute(stmt)}


def _lost_changes(scope, pipeline_id):
    """The deals in scope moved into a lost stage of the pipeline in the period (the history's rows)."""
    C = DealStageChange
    return (base.deals(scope).join(C, C.deal_id == Deal.id).join(Stage, Stage.id == C.to_stage_id)
            .where(Deal.pipeline_id == pipeline_id, Stage.kind == "lost", scope.during(C.moved_at)))


def _reason():
    return func.coalesce(func.trim(DealStageChange.lost_reason), "")


def _losses(scope, pipeline):
    """``(per stage left, per reason, total)``, deals counted once in each, in one statement."""
    C = DealStageChange
    reason = _reason()
    stmt = (_lost_changes(scope, pipeline.id)
            .with_only_columns(func.grouping(C.from_stage_id, reason), C.from_stage_id, reason,
                               func.count(C.deal_id.distinct()))
            .group_by(func.grouping_sets(tuple_(C.from_stage_id), tuple_(reason), tuple_())))
    by_stage, by_reason, total = {}, {}, 0
    for grouping, stage_id, text, count in db.session.execute(stmt):
        if grouping == 1:
            by_stage[stage_id] = count
        elif grouping == 2:
            by_reason[text] = count
        else:
            total = count
    return by_stage, by_reason, total


def build(scope):
    pipeline = chosen_pipeline(scope)
    stages = [stage for stage in pipeline.stages if stage.kind != "lost"]
    stays, (lost_from, reasons, lost_total) = _stays(scope, pipeline), _losses(scope, pipeline)
    result = Result(rows=[])
    for stage in stages:
        entered, converted, seconds, ended = stays.get(stage.id, (0, 0, None, 0))
        last = stage.kind == "won"
        result.rows.append({
            "key": stage.id, "stage": str(stage_label(stage)), "entered": entered,
            "converted": None if last else converted, "conversion": None if last else percent(converted, entered),
            "average_days": average_days(seconds, ended), "lost": lost_from.get(stage.id, 0),
        })
        index, params = len(result.rows) - 1, {"stage_id": stage.id}
        result.drill[(index, "entered")] = ("funnel_entered", params)
        result.drill[(index, "lost")] = ("funnel_lost_from", params)
        if not last:
            result.drill[(index, "converted")] = ("funnel_converted", params)
    group = _("Lost reasons")
    for text, count in sorted(reasons.items(), key=lambda item: (-item[1], item[0])):
        result.rows.append({"key": text, "group": group, "lost": count,
                            "stage": _("Lost: %(reason)s", reason=text) if text else _("Lost: no reason given")})
        result.drill[(len(result.rows) - 1, "lost")] = ("funnel_lost_reason", {"pipeline_id": pipeline.id,
                                                                                 "reason": text})
    result.totals = {"stage": _("Total"), "lost": lost_total}
    result.drill[("total", "lost")] = ("funnel_lost", {"pipeline_id": pipeline.id})
    if not stages:
        result.notes.append(_l("This pipeline has no stages."))
    return result


def _int(name, value):
    try:
        number = int(value)
        if not 0 < number < 2**63:
            raise ValueError
    except (TypeError, ValueError):
        raise FieldErrors({name: [_l("Choose a stage from the list.")]}) from None
    return number


def _stage(value):
    stage = get_stage(_int("stage_id", value))
    if stage is None:
        raise FieldErrors({"stage_id": [_l("Choose a stage from the list.")]})
    return stage


def entered_statement(scope, stage_id=None):
    return base.entered_stage(scope, _stage(stage_id).id)


def converted_statement(scope, stage_id=None):
    """Deals that entered the stage in the period and afterwards reached a later open stage or a won one."""
    stage = _stage(stage_id)
    entry, later = aliased(DealStageChange), aliased(DealStageChange)
    later_stage = aliased(Stage)
    moved_on = (exists().where(entry.deal_id == Deal.id, entry.to_stage_id == stage.id, scope.during(entry.moved_at),
                               later.deal_id == entry.deal_id, later_stage.id == later.to_stage_id,
                               tuple_(later.moved_at, later.id) > tuple_(entry.moved_at, entry.id),
                               _rank_sql(later_stage) > literal(rank(stage))))
    return base.deals(scope).where(moved_on)


def lost_from_statement(scope, stage_id=None):
    stage = _stage(stage_id)
    ids = _lost_changes(scope, stage.pipeline_id).where(DealStageChange.from_stage_id == stage.id)
    return base.deals(scope).where(Deal.id.in_(ids.with_only_columns(DealStageChange.deal_id)))


def lost_statement(scope, pipeline_id=None, reason=None):
    """Deals lost in the period in the pipeline (for one reason: ``reason``; "" is "no reason given")."""
    pipeline_id = _int("pipeline_id", pipeline_id) if pipeline_id not in (None, "") else default_pipeline().id
    ids = _lost_changes(scope, pipeline_id)
    if reason is not None:
        ids = ids.where(_reason() == reason.strip())
    return base.deals(scope).where(Deal.id.in_(ids.with_only_columns(DealStageChange.deal_id)))


def lost_reason_statement(scope, pipeline_id=None, reason=None):
    return lost_statement(scope, pipeline_id, reason or "")


REPORTS = [
    Report("funnel", _l("Stage funnel"),
           _l("From the stage history: deals entering each stage in the period, how many went on to a later stage, "
              "the average days a stay lasted, and where and why deals were lost."),
           (Column("stage", _l("Stage"), "text", sortable=False),
            Column("entered", _l("Deals entering"), "int"),
            Column("converted", _l("Went on"), "int"),
            Column("conversion", _l("Conversion to the next (%)"), "percent"),
            Column("average_days", _l("Average days in the stage"), "days"),
            Column("lost", _l("Lost from here"), "int")),
           Chart("funnel", "stage", ("entered",)), build, extras=(PIPELINE,)),
]
MEASURES = {
    "funnel_entered": Measure("deals", _l("Deals that entered %(stage_id)s"), entered_statement, ("stage_id",)),
    "funnel_converted": Measure("deals", _l("Deals that went on from %(stage_id)s"), converted_statement,
                                ("stage_id",)),
    "funnel_lost_from": Measure("deals", _l("Deals lost from %(stage_id)s"), lost_from_statement, ("stage_id",)),
    "funnel_lost": Measure("deals", _l("Deals lost"), lost_statement, ("pipeline_id",)),
    "funnel_lost_reason": Measure("deals", _l("Deals lost for the reason: %(reason)s"), lost_reason_statement,
                                  ("pipeline_id", "reason")),
}
