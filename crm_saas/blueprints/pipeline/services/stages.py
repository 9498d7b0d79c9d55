"""Pipelines and their stages as a company setting (D2): the rules an admin's change must keep, and the changes.

A pipeline keeps an open, a won and a lost stage: deals start in an open one and end in a won or lost one. A stage
or pipeline holding deals cannot go, those in the recycle bin included: a restore would bring them back into
nowhere. Each change locks rows first (the pipeline's for its stages, all pipelines' for the list), so two admins
at once are judged one after the other, and is written to the operation log in the same commit.
"""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError

from crm_saas.blueprints.pipeline.models import Deal, DealStageChange, Pipeline, Stage
from crm_saas.blueprints.pipeline.services import list_pipelines
from crm_saas.blueprints.pipeline.services.defaults import DEFAULT_STAGES, stage_label
from crm_saas.core.audit import record
from crm_saas.core.base import utcnow
from crm_saas.core.errors import FieldErrors
from crm_saas.extensions import db

KINDS = {"open": _l("In progress"), "won": _l("Won"), "lost": _l("Lost")}
# What a won or lost stage's probability is when the admin leaves it blank; an open stage has no natural one.
NATURAL_PROBABILITY = {"won": 100, "lost": 0}
NAME_MAX = 100


class StageError(FieldErrors):
    """A refused pipeline or stage change, by field (``name``, ``kind``, ``probability``, ``position``,
    ``stage``, ``pipeline``)."""


def pipeline_overview():
    """Each pipeline with its number of stages and of open deals (not those in the recycle bin): three queries."""
    stage_counts = dict(db.session.execute(select(Stage.pipeline_id, func.count()).group_by(Stage.pipeline_id)).all())
    open_deals = dict(db.session.execute(
        select(Deal.pipeline_id, func.count()).join(Stage, Stage.id == Deal.stage_id)
        .where(Stage.kind == "open", Deal.deleted_at.is_(None)).group_by(Deal.pipeline_id)
    ).all())
    return [{"pipeline": p, "stages": stage_counts.get(p.id, 0), "open_deals": open_deals.get(p.id, 0)}
            for p in list_pipelines()]


def stage_deal_counts(pipeline):
    """``{stage_id: (deals, of which in the recycle bin)}``: what stands between a stage and its removal."""
    rows = db.session.execute(
        select(Deal.stage_id, func.count(), func.count(Deal.deleted_at))
        .where(Deal.pipeline_id == pipeline.id).group_by(Deal.stage_id)
    ).all()
    return {stage_id: (total, binned) for stage_id, total, binned in rows}


def get_stage_of(pipeline, stage_id):
    """The stage, only when it belongs to ``pipeline`` (a URL naming another pipeline's stage finds nothing)."""
    stage = db.session.get(Stage, stage_id)
    return stage if stage is not None and stage.pipeline_id == pipeline.id else None


def _text(value):
    """Stripped text; "" for missing; None for a value that is not text at all."""
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else None


def _name_errors(name, taken):
    """Messages for ``name`` against ``taken`` (lower-cased names already in use)."""
    if not name:
        return [_("Name is required.") if name == "" else _("Enter the name as text.")]
    if len(name) > NAME_MAX:
        return [_("At most %(max)d characters.", max=NAME_MAX)]
    return [_("%(name)s is already taken.", name=name)] if name.casefold() in taken else []


def _probability(value, kind, *, current=None):
    """``(probability, errors)``: blank means the kind's natural number, or ``current`` for an open stage."""
    if value is None or (isinstance(value, str) and not value.strip()):
        number = NATURAL_PROBABILITY.get(kind, current)
        return number, [] if number is not None else [_("Give a default probability from 0 to 100.")]
    try:
        number = int(str(value).strip()) if not isinstance(value, bool) else None
    except ValueError:
        number = None
    if number is None or not 0 <= number <= 100:
        return None, [_("The probability is a whole number from 0 to 100.")]
    return number, []


def _keep_one(kind, pipeline):
    """Why the last stage of ``kind`` must stay, naming the kind (each message whole, for translators)."""
    if kind == "open":
        return _("%(pipeline)s needs at least one open stage: new deals start there.", pipeline=pipeline.name)
    if kind == "won":
        return _("%(pipeline)s needs at least one won stage.", pipeline=pipeline.name)
    return _("%(pipeline)s needs at least one lost stage.", pipeline=pipeline.name)


def _holds_deals(stage, counts, then):
    """The refusal ``then`` words, plus how many of the deals wait in the recycle bin (they count too)."""
    total, binned = counts
    message = then(stage, total)
    if binned:
        message += " " + ngettext(
            "%(num)s of them is in the recycle bin with its customer: restore and move it, or purge the customer.",
            "%(num)s of them are in the recycle bin with their customers: restore and move them, or purge the "
            "customers.", binned)
    return message


def _removal_refused(stage, total):
    return ngettext("%(stage)s still holds %(num)s deal: move it first.",
                    "%(stage)s still holds %(num)s deals: move them first.", total, stage=stage_label(stage))


def _kind_refused(stage, total):
    return ngettext("%(stage)s holds %(num)s deal: move it before changing the stage's kind.",
                    "%(stage)s holds %(num)s deals: move them before changing the stage's kind.", total,
                    stage=stage_label(stage))


def _taken_stage_names(stages, exclude=None):
    """Names in use in a pipeline, as stored and as shown (a default stage reads "Proposal" in English)."""
    taken = set()
    for stage in stages:
        if stage is not exclude:
            taken.update({stage.name.casefold(), str(stage_label(stage)).casefold()})
    return taken


def _lock_pipelines():
    """Every pipeline row, locked: changes to the list (names, default, deletion) queue behind each other."""
    return db.session.scalars(
        select(Pipeline).order_by(Pipeline.position, Pipeline.id).with_for_update()
        .execution_options(populate_existing=True)
    ).all()


def _locked_stages(pipeline):
    """Lock ``pipeline``'s row and read its stages as stored now, in order."""
    db.session.execute(select(Pipeline.id).where(Pipeline.id == pipeline.id).with_for_update())
    return db.session.scalars(
        select(Stage).where(Stage.pipeline_id == pipeline.id, Stage.removed_at.is_(None))
        .order_by(Stage.position, Stage.id)
        .execution_options(populate_existing=True)
    ).all()


def _renumber(stages):
    for position, stage in enumerate(stages):
        stage.position = position


def _stage_log_label(pipeline, stage):
    return f"{pipeline.name} / {stage.name}"


def _raise(errors):
    db.session.rollback()
    raise StageError(errors)


def create_pipeline(data, *, actor):
    """A new pipeline at the end of the list, with a copy of the default stages (codes included, so they translate)."""
    pipelines = _lock_pipelines()
    name = _text(data.get("name"))
    errors = _name_errors(name, {p.name.casefold() for p in pipelines})
    if errors:
        _raise({"name": errors})
    pipeline = Pipeline(name=name, position=max((p.position for p in pipelines), default=-1) + 1, is_default=False)
    db.session.add(pipeline)
    for position, (code, stage_name, kind, probability) in enumerate(DEFAULT_STAGES):
        db.session.add(Stage(pipeline=pipeline, code=code, name=stage_name, kind=kind, probability=probability,
                             position=position))
    db.session.flush()
    record("pipeline_created", pipeline, actor=actor, target_type="pipeline", label=pipeline.name)
    db.session.commit()
    return pipeline


def rename_pipeline(pipeline, data, *, actor):
    pipelines = _lock_pipelines()
    name = _text(data.get("name"))
    errors = _name_errors(name, {p.name.casefold() for p in pipelines if p.id != pipeline.id})
    if errors:
        _raise({"name": errors})
    if name != pipeline.name:
        old, pipeline.name = pipeline.name, name
        record("pipeline_renamed", pipeline, actor=actor, target_type="pipeline", label=name,
               changes={"name": [old, name]})
    db.session.commit()
    return pipeline


def make_default(pipeline, *, actor):
    """One UPDATE over every row: exactly one default, whatever another admin chose a moment before."""
    _lock_pipelines()
    if not pipeline.is_default:
        db.session.execute(update(Pipeline).values(is_default=case((Pipeline.id == pipeline.id, True), else_=False))
                           .execution_options(synchronize_session="fetch"))
        record("pipeline_made_default", pipeline, actor=actor, target_type="pipeline", label=pipeline.name)
    db.session.commit()
    return pipeline


def delete_pipeline(pipeline, *, actor):
    """Only a pipeline without any deal (in the recycle bin included), and never the default or the last one."""
    pipelines = _lock_pipelines()
    deals = db.session.scalar(select(func.count()).select_from(Deal).where(Deal.pipeline_id == pipeline.id))
    errors = []
    if len(pipelines) <= 1:
        errors.append(_("The company needs at least one pipeline."))
    elif pipeline.is_default:
        errors.append(_("%(pipeline)s is the default pipeline: make another one the default first.",
                        pipeline=pipeline.name))
    if deals:
        errors.append(ngettext(
            "%(pipeline)s holds %(num)s deal (the recycle bin included): only a pipeline without deals can go.",
            "%(pipeline)s holds %(num)s deals (the recycle bin included): only a pipeline without deals can go.",
            deals, pipeline=pipeline.name))
    if errors:
        _raise({"pipeline": errors})
    name = pipeline.name
    record("pipeline_deleted", pipeline, actor=actor, target_type="pipeline", label=name,
           stages=[s.name for s in pipeline.stages])
    for stage in list(pipeline.stages):
        db.session.delete(stage)
    db.session.delete(pipeline)
    _commit_or_refuse({"pipeline": [_("%(pipeline)s received a deal meanwhile.", pipeline=name)]})
    return name


def _commit_or_refuse(errors):
    """Commit; a deal that arrived after the count trips a foreign key, which is a refusal, not a crash."""
    try:
        db.session.commit()
    except IntegrityError:
        _raise(errors)


def add_stage(pipeline, data, *, actor):
    """A new stage; without ``position`` (0-based) it goes after the last stage of its kind.

    So an open stage lands before the won and lost stages, as in the default layout, a second lost one beside the first.
    """
    stages = _locked_stages(pipeline)
    errors = {}
    name = _text(data.get("name"))
    if messages := _name_errors(name, _taken_stage_names(stages)):
        errors["name"] = messages
    kind = data.get("kind")
    if kind not in KINDS:
        errors["kind"] = [_("Choose open, won or lost.")]
    probability, messages = _probability(data.get("probability"), kind)
    if messages and kind in KINDS:
        errors["probability"] = messages
    position = data.get("position")
    if position is None or position == "":
        same = [i for i, s in enumerate(stages) if s.kind == kind]
        position = same[-1] + 1 if same else len(stages)
    elif str(position).isdigit() and int(position) <= len(stages):
        position = int(position)
    else:
        errors["position"] = [_("Choose a place from the list.")]
    if errors:
        _raise(errors)
    stage = Stage(pipeline_id=pipeline.id, name=name, code=None, kind=kind, probability=probability)
    stages.insert(position, stage)
    db.session.add(stage)
    _renumber(stages)
    db.session.flush()
    record("stage_added", stage, actor=actor, target_type="stage", label=_stage_log_label(pipeline, stage),
           kind=kind, probability=probability, position=position + 1)
    db.session.commit()
    return stage


def update_stage(stage, data, *, actor):
    """Rename, re-kind or re-number the keys present in ``data``.

    A default stage renamed loses its code, so its new name shows in every
    language; sent back as it reads (its label or stored name) it keeps the
    code. Deals keep the probability they have: the stage's is a default for
    deals that arrive later. A stage holding deals keeps its kind, since
    re-kinding would call them won or lost without anyone deciding so.
    """
    pipeline = stage.pipeline
    stages = _locked_stages(pipeline)
    errors, changes = {}, {}
    if "name" in data:
        name = _text(data.get("name"))
        if name not in (stage.name, str(stage_label(stage))):
            if messages := _name_errors(name, _taken_stage_names(stages, exclude=stage)):
                errors["name"] = messages
            else:
                changes["name"] = [stage.name, name]
                if stage.code:
                    changes["code"] = [stage.code, None]
    kind = data.get("kind", stage.kind)
    if kind not in KINDS:
        errors["kind"] = [_("Choose open, won or lost.")]
    elif kind != stage.kind:
        counts = stage_deal_counts(pipeline).get(stage.id)
        if sum(1 for s in stages if s.kind == stage.kind) == 1:
            errors["kind"] = [_keep_one(stage.kind, pipeline)]
        elif counts:
            errors["kind"] = [_holds_deals(stage, counts, _kind_refused)]
        else:
            changes["kind"] = [stage.kind, kind]
    if "probability" in data or "kind" in changes:
        probability, messages = _probability(data.get("probability"), kind, current=stage.probability)
        if messages:
            errors["probability"] = messages
        elif probability != stage.probability:
            changes["probability"] = [stage.probability, probability]
    if errors:
        _raise(errors)
    if changes:
        old_label = _stage_log_label(pipeline, stage)
        for field, (_old, new) in changes.items():
            setattr(stage, field, new)
        record("stage_updated", stage, actor=actor, target_type="stage", label=old_label,
               changes={k: v for k, v in changes.items() if k != "code"})
    db.session.commit()
    return stage


def move_stage(stage, direction, *, actor):
    """One step ``up`` or ``down``; at either end (or for another word) nothing moves and nothing is logged."""
    pipeline = stage.pipeline
    stages = _locked_stages(pipeline)
    index = stages.index(stage)
    other = index + {"up": -1, "down": 1}.get(direction, 0)
    if other != index and 0 <= other < len(stages):
        stages[index], stages[other] = stages[other], stages[index]
        _renumber(stages)
        record("stages_reordered", pipeline, actor=actor, target_type="pipeline", label=pipeline.name,
               order=[s.name for s in stages])
    db.session.commit()
    return stages


def remove_stage(stage, *, actor):
    """Remove an empty stage that is not the last of its kind; returns its name as it read.

    A stage some deal has passed through is only retired (``removed_at``):
    the stage history (D5) keeps pointing at it, so cycle times and
    conversion figures still count the time deals spent there. A stage no
    deal ever entered is deleted outright.
    """
    pipeline = stage.pipeline
    stages = _locked_stages(pipeline)
    counts = stage_deal_counts(pipeline).get(stage.id)
    errors = []
    if counts:
        errors.append(_holds_deals(stage, counts, _removal_refused))
    if sum(1 for s in stages if s.kind == stage.kind) == 1:
        errors.append(_keep_one(stage.kind, pipeline))
    if errors:
        _raise({"stage": errors})
    label = str(stage_label(stage))
    visited = db.session.scalar(select(DealStageChange.id).where(
        (DealStageChange.from_stage_id == stage.id) | (DealStageChange.to_stage_id == stage.id)).limit(1))
    record("stage_removed", stage, actor=actor, target_type="stage", label=_stage_log_label(pipeline, stage),
           kind=stage.kind, probability=stage.probability, kept_for_history=bool(visited))
    stages.remove(stage)
    if visited:
        stage.removed_at = utcnow()
    else:
        db.session.delete(stage)
    _renumber(stages)
    _commit_or_refuse({"stage": [_("%(stage)s received a deal meanwhile: move it first.", stage=label)]})
    return label
