"""The kanban board: columns under filters, moves answered with the card and new totals, more cards on scroll.

Deal pages (list, add, detail, edit) are in ``deal_routes.py`` on the same blueprint.
"""
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from flask import abort, current_app, g, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm_saas.blueprints.custom_fields.services import definitions
from crm_saas.blueprints.pipeline import deal_routes, services  # noqa: F401 (deal pages hang on bp)
from crm_saas.blueprints.pipeline import pages as deal_pages
from crm_saas.blueprints.pipeline.blueprint import bp, visible_deal_or_404
from crm_saas.blueprints.pipeline.services import board as board_service
from crm_saas.blueprints.pipeline.services import onboarding
from crm_saas.blueprints.pipeline.services.deals import DealError
from crm_saas.blueprints.pipeline.services.defaults import stage_label
from crm_saas.blueprints.pipeline.services.moves import StaleMove, move_deal
from crm_saas.core.htmx import is_htmx, render
from crm_saas.core.permissions import permission_required
from crm_saas.core.settings import get_setting
from crm_saas.core.templating import SENTINEL_ID, money, money_compact, url_around_id
from crm_saas.core.views import found_or_404

__all__ = ["bp"]

bp.add_app_template_global(stage_label, "stage_label")


@bp.app_template_global()
def card_state(deal):
    """What a card shows beyond the deal's fields: days in its stage, rotting (no follow-up for the company's
    days, open stages only) and past its expected close date."""
    return card_kit().state(deal)


class CardKit:
    """What every card of a page shares, made once per request rather than once per card (300 on a board):
    the clock and the rotting threshold, the words, the reader's locale for money, and the deal link as a
    prefix to put the id after (``url_for`` cost 30 µs a call, four a card). Nothing in it goes through
    Flask's context proxies, which cost a card seven lookups. The board's own element carries the other URLs
    a card needs, for board.js to fill in (``card_url_templates``)."""

    def __init__(self):
        self.tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
        self.now = datetime.now(self.tz)
        self.today = self.now.date()
        self.rotting_after = timedelta(days=get_setting("deal_rotting_days"))
        self.locale = str(get_locale())
        self.words = {"follow_up": _("+ Follow-up"), "rotting": _("No follow-up for a while"),
                      "overdue": _("overdue"), "move": _("Move…"), "close_by": _("Close by %(date)s")}
        self.detail = url_around_id("pipeline.deal_detail", "deal_id")
        self._days = {}

    def state(self, deal):
        is_open = deal.stage.kind == "open"
        last_touch = deal.last_activity_at or deal.created_at
        return {
            "days_in_stage": (self.today - deal.stage_changed_at.astimezone(self.tz).date()).days,
            "rotting": is_open and self.now - last_touch > self.rotting_after,
            "overdue": is_open and deal.expected_close is not None and deal.expected_close < self.today,
        }

    def days_in_stage(self, days):
        """"3 days in stage", translated once per number of days shown (a board repeats few)."""
        if days not in self._days:
            self._days[days] = ngettext("%(num)s day in stage", "%(num)s days in stage", days)
        return self._days[days]

    def money(self, amount):
        return money(amount, self.locale)

    def money_compact(self, amount):
        return money_compact(amount, self.locale)


@bp.app_template_global()
def card_kit():
    if "card_kit" not in g:
        g.card_kit = CardKit()
    return g.card_kit


@bp.app_template_global()
def card_url_templates():
    """The URLs board.js builds for a card, with ``{id}`` (and ``{customer}``) for it to fill in."""
    return {
        "move": "{id}".join(url_around_id("pipeline.move", "deal_id")),
        "card": "{id}".join(url_around_id("pipeline.card", "deal_id")),
        "follow_up": url_for("activities.new", customer_id=SENTINEL_ID, deal_id=SENTINEL_ID + 1)
        .replace(str(SENTINEL_ID + 1), "{id}").replace(str(SENTINEL_ID), "{customer}"),
    }


@bp.app_template_global("customer_deals")
def visible_customer_deals(customer):
    """The customer page's deals section (pipeline/_customer_deals.html) loads its own deals."""
    return services.customer_deals(customer, current_user)


@bp.app_template_global()
def deal_field_definitions():
    return definitions("deal")


@bp.app_template_global()
def line_total(line):
    """A product line's quantity times its price (both kept as decimal strings)."""
    try:
        return Decimal(line.get("quantity") or 0) * Decimal(line.get("price") or 0)
    except InvalidOperation:
        return Decimal(0)


def _pipeline_or_404():
    pipeline_id = request.args.get("pipeline_id", type=int)
    return found_or_404(services.get_pipeline(pipeline_id) if pipeline_id else services.default_pipeline())


@bp.route("/board")
@login_required
def board():
    pipeline = _pipeline_or_404()
    filters = board_service.read_filters(request.args)
    return render(
        "pipeline/board.html", "pipeline/_board.html",
        onboarding=None if is_htmx() else onboarding.checklist(current_user),
        pipeline=pipeline, columns=board_service.board(pipeline, current_user, filters), filters=filters,
        pipelines=services.list_pipelines(), **deal_pages.chosen_people(filters),
        query={k: v for k, v in request.args.items() if k in board_service.FILTER_KEYS or k == "pipeline_id"},
    )


@bp.route("/onboarding/dismiss", methods=["POST"])
@permission_required("manage_settings")
def dismiss_onboarding():
    """Close the first-run checklist for the whole company; the checklist's section swaps itself out."""
    onboarding.close(current_user)
    return ""


@bp.route("/board/stages/<int:stage_id>/more")
@login_required
def more(stage_id):
    """The next cards of a column, and a marker that asks for more when it scrolls into view."""
    stage = found_or_404(services.get_stage(stage_id))
    filters = board_service.read_filters(request.args)
    cards, has_more = board_service.more_cards(stage, current_user, filters,
                                                request.args.get("after_position", 0, type=float),
                                                request.args.get("after_id", 0, type=int))
    return render_template("pipeline/_more_cards.html", stage=stage, deals=cards, more=has_more,
                           query={k: v for k, v in request.args.items() if k in board_service.FILTER_KEYS})


@bp.route("/deals/<int:deal_id>/card")
@login_required
def card(deal_id):
    """One card as it stands now (after a follow-up, or to correct a stale board)."""
    return render_template("pipeline/_card.html", deal=visible_deal_or_404(deal_id))


@bp.route("/deals/<int:deal_id>/move", methods=["POST"])
@login_required
def move(deal_id):
    """Answer with the card and out-of-band column heads; 422 with the reason when refused.

    A move made from a stale card (someone moved it first) answers 409 with
    why; the board then reloads, so nobody keeps looking at a state the
    server does not hold.
    """
    form = request.form
    after = form.get("after_id")  # absent: use "position"; empty: the top of the column
    try:
        result = move_deal(
            current_user, deal_id, form.get("stage_id", type=int), index=form.get("position", type=int),
            lost_reason=form.get("lost_reason"), version=form.get("version", type=int),
            after_id=None if after is None else int(after) if after.isdigit() else 0,
        )
    except StaleMove as err:
        return render_template("pipeline/_move_refused.html", message=err.errors["version"][0], stale=True), 409
    except DealError as err:
        message = " ".join(err.messages)
        return render_template("pipeline/_move_refused.html", message=message), 422
    if result is None:
        abort(404)
    deal, old_stage_id = result
    changed = list(dict.fromkeys((old_stage_id, deal.stage_id)))
    totals = board_service.column_totals(deal.pipeline_id, current_user, changed,
                                         board_service.read_filters(request.args))
    heads = [(services.get_stage(sid), *totals.get(sid, (0, 0, 0))) for sid in changed]
    return render_template("pipeline/_move_result.html", deal=deal, heads=heads)
