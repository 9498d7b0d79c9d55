"""Pipeline and stage pages (D2) for holders of ``manage_settings``: the company's pipelines, and each one's stages.

Two sections replace themselves: ``pipeline_admin/_pipelines.html``
(``#pipeline-list``) and ``pipeline_admin/_stages.html``
(``#pipeline-stages-<id>``). Every action answers htmx with its section in the
state the action left (a message, the refusal, a form with its errors), and a
plain form post with a redirect after success or the whole page otherwise;
renaming, editing and confirming are states of the same sections, so plain
links reach them too. The forms are a few inputs whose rules all live in
``stages.py``, so they post straight into it and its field names come back
beside the inputs, without a form class in between.
"""
from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm_saas.blueprints.pipeline.services import get_pipeline, stages
from crm_saas.blueprints.pipeline.services.defaults import stage_label
from crm_saas.core.htmx import is_htmx, render
from crm_saas.core.permissions import permission_required
from crm_saas.core.views import found_or_404
from crm_saas.tenants.resolve import TENANT_SCOPE, scoped

bp = scoped(Blueprint("pipeline_admin", __name__, url_prefix="/settings/pipelines"), TENANT_SCOPE)

STAGE_FIELDS = ("name", "kind", "probability", "position")


def _pipeline(pipeline_id):
    return found_or_404(get_pipeline(pipeline_id))


def _stage(pipeline, stage_id):
    return found_or_404(stages.get_stage_of(pipeline, stage_id))


def _list(*, status=200, **state):
    """The pipelines page, or for htmx its section alone, in the given state (renaming, confirming, message ...)."""
    state = {"errors": {}, "form": {}, **state}
    return render("pipeline_admin/index.html", "pipeline_admin/_pipelines.html",
                  overview=stages.pipeline_overview(), **state), status


def _stages(pipeline, *, status=200, **state):
    """One pipeline's stages page, or for htmx its section alone, in the given state."""
    state = {"errors": {}, "form": {}, **state}
    return render("pipeline_admin/stages.html", "pipeline_admin/_stages.html",
                  pipeline=pipeline, stage_list=pipeline.stages, counts=stages.stage_deal_counts(pipeline),
                  kinds=stages.KINDS, **state), status


def _refused(section, err, *subject, fields=(), **state):
    """422 with the section: messages for ``fields`` beside their inputs, the rest above the table."""
    refused = [str(m) for key, messages in err.errors.items() if key not in fields for m in messages]
    return section(*subject, status=422, errors=err.errors, form=request.form, refused=refused, **state)


def _done(section, url, message, *subject):
    if is_htmx():
        return section(*subject, message=message)
    flash(message, "success")
    return redirect(url)


def _to_list(message):
    return _done(_list, url_for("pipeline_admin.index"), message)


def _to_stages(pipeline, message):
    return _done(_stages, url_for("pipeline_admin.stages", pipeline_id=pipeline.id), message, pipeline)


@bp.route("/")
@permission_required("manage_settings")
def index():
    return _list()


@bp.route("/", methods=["POST"])
@permission_required("manage_settings")
def create():
    try:
        pipeline = stages.create_pipeline(request.form, actor=current_user)
    except stages.StageError as err:
        return _refused(_list, err, fields=("name",), adding=True)
    return _to_list(_("%(name)s has been added, with the default stages.", name=pipeline.name))


@bp.route("/<int:pipeline_id>/rename", methods=["GET", "POST"])
@permission_required("manage_settings")
def rename(pipeline_id):
    pipeline = _pipeline(pipeline_id)
    if request.method == "GET":
        return _list(renaming=pipeline)
    try:
        stages.rename_pipeline(pipeline, request.form, actor=current_user)
    except stages.StageError as err:
        return _refused(_list, err, fields=("name",), renaming=pipeline)
    return _to_list(_("%(name)s has been saved.", name=pipeline.name))


@bp.route("/<int:pipeline_id>/default", methods=["POST"])
@permission_required("manage_settings")
def make_default(pipeline_id):
    pipeline = stages.make_default(_pipeline(pipeline_id), actor=current_user)
    return _to_list(_("%(name)s is now the default pipeline.", name=pipeline.name))


@bp.route("/<int:pipeline_id>/delete", methods=["GET", "POST"])
@permission_required("manage_settings")
def delete(pipeline_id):
    """GET asks first; POST deletes the pipeline and its stages."""
    pipeline = _pipeline(pipeline_id)
    if request.method == "GET":
        return _list(confirming=pipeline)
    try:
        name = stages.delete_pipeline(pipeline, actor=current_user)
    except stages.StageError as err:
        return _refused(_list, err)
    return _to_list(_("%(name)s has been deleted.", name=name))


@bp.route("/<int:pipeline_id>/", endpoint="stages")
@permission_required("manage_settings")
def stages_page(pipeline_id):
    return _stages(_pipeline(pipeline_id))


@bp.route("/<int:pipeline_id>/stages", methods=["POST"])
@permission_required("manage_settings")
def add_stage(pipeline_id):
    pipeline = _pipeline(pipeline_id)
    try:
        stage = stages.add_stage(pipeline, request.form.to_dict(), actor=current_user)
    except stages.StageError as err:
        return _refused(_stages, err, pipeline, fields=STAGE_FIELDS, adding=True)
    return _to_stages(pipeline, _("%(stage)s has been added.", stage=stage.name))


@bp.route("/<int:pipeline_id>/stages/<int:stage_id>/edit", methods=["GET", "POST"])
@permission_required("manage_settings")
def edit_stage(pipeline_id, stage_id):
    """Name, kind and probability in one form; a name sent back as it reads changes nothing."""
    pipeline = _pipeline(pipeline_id)
    stage = _stage(pipeline, stage_id)
    if request.method == "GET":
        return _stages(pipeline, editing=stage)
    data = {key: request.form[key] for key in ("name", "kind", "probability") if key in request.form}
    try:
        stages.update_stage(stage, data, actor=current_user)
    except stages.StageError as err:
        return _refused(_stages, err, pipeline, fields=STAGE_FIELDS, editing=stage)
    return _to_stages(pipeline, _("%(stage)s has been saved.", stage=stage_label(stage)))


@bp.route("/<int:pipeline_id>/stages/<int:stage_id>/move", methods=["POST"])
@permission_required("manage_settings")
def move_stage(pipeline_id, stage_id):
    """One step up or down; at either end nothing moves."""
    pipeline = _pipeline(pipeline_id)
    stages.move_stage(_stage(pipeline, stage_id), request.form.get("direction"), actor=current_user)
    return _to_stages(pipeline, _("Order saved."))


@bp.route("/<int:pipeline_id>/stages/<int:stage_id>/remove", methods=["GET", "POST"])
@permission_required("manage_settings")
def remove_stage(pipeline_id, stage_id):
    """GET asks first (or says at once why the stage cannot go); POST removes."""
    pipeline = _pipeline(pipeline_id)
    stage = _stage(pipeline, stage_id)
    if request.method == "GET":
        return _stages(pipeline, confirming=stage)
    try:
        label = stages.remove_stage(stage, actor=current_user)
    except stages.StageError as err:
        return _refused(_stages, err, pipeline)
    return _to_stages(pipeline, _("%(stage)s has been removed.", stage=label))
