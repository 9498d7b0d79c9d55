"""The kanban board and the moves made on it."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm_saas.blueprints.custom_fields.services import form_values
from crm_saas.blueprints.customers.services import get_visible_customer
from crm_saas.blueprints.pipeline import services
from crm_saas.htmx import render
from crm_saas.tenants.resolve import TENANT_SCOPE, scoped

bp = scoped(Blueprint("pipeline", __name__), TENANT_SCOPE)


@bp.route("/board")
@login_required
def board():
    pipeline_id = request.args.get("pipeline_id", type=int)
    pipeline = services.get_pipeline(pipeline_id) if pipeline_id else services.default_pipeline()
    if pipeline is None:
        abort(404)
    columns = services.board(pipeline, current_user)
    return render(
        "pipeline/board.html", "pipeline/_board.html",
        pipeline=pipeline, columns=columns, pipelines=services.list_pipelines(),
    )


@bp.route("/deals/<int:deal_id>/move", methods=["POST"])
@login_required
def move(deal_id):
    """Answer with the card and out-of-band column heads; 422 with the reason when refused."""
    try:
        result = services.move_deal(
            current_user, deal_id, request.form.get("stage_id", type=int),
            index=request.form.get("position", type=int), lost_reason=request.form.get("lost_reason"),
        )
    except services.DealError as err:
        message = " ".join(str(m) for messages in err.errors.values() for m in messages)
        return render_template("pipeline/_move_refused.html", message=message), 422
    if result is None:
        abort(404)
    deal, old_stage_id = result
    changed = list(dict.fromkeys((old_stage_id, deal.stage_id)))
    totals = services.column_totals(deal.pipeline_id, current_user, changed)
    heads = [(services.get_stage(sid), *totals.get(sid, (0, 0))) for sid in changed]
    return render_template("pipeline/_move_result.html", deal=deal, heads=heads)


@bp.route("/customers/<int:customer_id>/deals", methods=["POST"])
@login_required
def create_for_customer(customer_id):
    customer = get_visible_customer(current_user, customer_id)
    if customer is None:
        abort(404)
    try:
        data = {**request.form.to_dict(), "custom": form_values("deal", request.form)}
        deal = services.create_deal(data, actor=current_user, customer=customer)
    except services.DealError as err:
        for messages in err.errors.values():
            for message in messages:
                flash(message, "error")
    else:
        flash(_("Deal %(name)s has been added to the board.", name=deal.name), "success")
    return redirect(url_for("customers.detail", customer_id=customer.id))
