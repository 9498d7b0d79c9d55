"""What the deal pages show beside the deal: choices for the form, the list's context, the page's sections."""
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm_saas.blueprints.custom_fields.services import definitions
from crm_saas.blueprints.customers.services import get_visible_customer
from crm_saas.blueprints.customers.services.search import search_customers
from crm_saas.blueprints.pipeline.forms import PRODUCT_KEYS
from crm_saas.blueprints.pipeline.models import DealStageChange, Stage
from crm_saas.blueprints.pipeline.services import default_pipeline, get_stage, list_pipelines
from crm_saas.blueprints.pipeline.services.deal_list import PER_PAGE, SORT_LABELS, list_deals, read_list_args
from crm_saas.blueprints.pipeline.services.defaults import stage_label
from crm_saas.core.campaign_refs import campaign_options
from crm_saas.core.staff import NAME_ORDER, assignable_people, picked_person
from crm_saas.core.users import User
from crm_saas.extensions import db

CHOICES_LIMIT = 30


def owners():
    """Active people the viewer may make owner: themselves and everyone they see."""
    return db.session.scalars(assignable_people(current_user).order_by(NAME_ORDER, User.id)).all()


def stage_choices(include_lost=False):
    """``[(stage id, "Pipeline · Stage")]`` for every pipeline; lost stages only where a reason is asked."""
    return [(s.id, f"{p.name} · {stage_label(s)}") for p in list_pipelines() for s in p.stages
            if include_lost or s.kind != "lost"]


def customer_choices(q=""):
    """Active customers the viewer may see matching ``q`` (the newest first), for the add form's combobox."""
    rows, _total = search_customers(current_user, q=q or None, per_page=CHOICES_LIMIT, filters={"status": "active"})
    return [(c.id, f"{c.name} ({c.number})") for c in rows]


def prefill_new(form, args):
    customer = get_visible_customer(current_user, args.get("customer_id", type=int) or 0)
    stage = get_stage(args.get("stage_id", type=int) or 0)
    if stage is None:
        pipeline_id = args.get("pipeline_id", type=int)
        pipeline = next((p for p in list_pipelines() if p.id == pipeline_id), None) or default_pipeline()
        stage = next((s for s in pipeline.stages if s.kind == "open"), None)
    form.customer_id.data = customer.id if customer else None
    form.campaign_id.data = str(customer.campaign_id) if customer and customer.campaign_id else ""
    form.stage_id.data = stage.id if stage else None
    form.owner_id.data = current_user.id


def prefill_edit(form, deal):
    for key in ("name", "amount", "expected_close", "probability", "owner_id", "key_actions"):
        form[key].data = getattr(deal, key)
    form.customer_id.data, form.stage_id.data, form.version.data = deal.customer_id, deal.stage_id, deal.version
    form.campaign_id.data = str(deal.campaign_id) if deal.campaign_id else ""
    while form.products.entries:
        form.products.pop_entry()
    for line in deal.products or [{}]:
        form.products.append_entry({key: line.get(key) for key in PRODUCT_KEYS})


def form_context(form, *, errors, custom, deal=None):
    custom_errors, leftover = form.show_errors(errors)
    chosen = deal.customer if deal else get_visible_customer(current_user, form.customer_id.data or 0)
    # The combobox shows the chosen customer only; its matches come from customer_choices as one types.
    form.customer_id.choices = [(chosen.id, chosen.name)] if chosen else []
    form.stage_id.choices = stage_choices()
    people = owners()
    if deal and deal.owner_id not in {p.id for p in people}:
        people = [deal.owner, *people]
    form.owner_id.choices = [(p.id, p.name) for p in people]
    kept = int(form.campaign_id.data) if (form.campaign_id.data or "").isdigit() else None
    # A new deal left on the first choice takes its customer's campaign; an edit's first choice is none.
    form.campaign_id.choices = [("", "—" if deal else _("The customer's campaign")),
                                *((str(i), name) for i, name in campaign_options(kept))]
    return dict(form=form, deal=deal, definitions=definitions("deal"), custom_values=custom,
                custom_errors=custom_errors, leftover=leftover, chosen_customer=chosen)


def detail_context(deal, **extra):
    return dict(deal=deal, definitions=definitions("deal"), history=_history(deal),
                stages=stage_choices(include_lost=True), **extra)


def _history(deal):
    """Stage moves, newest first, with the stages and the mover loaded."""
    rows = db.session.execute(
        select(DealStageChange, Stage, User.name)
        .join(Stage, Stage.id == DealStageChange.to_stage_id)
        .outerjoin(User, User.id == DealStageChange.moved_by_id)
        .where(DealStageChange.deal_id == deal.id)
        .order_by(DealStageChange.moved_at.desc(), DealStageChange.id.desc())
    ).all()
    stages = {s.id: s for _c, s, _n in rows}
    missing = {c.from_stage_id for c, _s, _n in rows if c.from_stage_id and c.from_stage_id not in stages}
    if missing:
        stages.update({s.id: s for s in db.session.scalars(select(Stage).where(Stage.id.in_(missing)))})
    return [(change, stages.get(change.from_stage_id), stage, name) for change, stage, name in rows]


def chosen_people(filters):
    """The owner and team the deal filters name, as their pickers show them chosen (board and deal list)."""
    return {"chosen_owner": picked_person(current_user, "active", filters.get("owner_id")),
            "chosen_team": picked_person(current_user, "leaders", filters.get("team"))}


def list_context(args):
    filters, q, sort, page = read_list_args(args)
    rows, total = list_deals(current_user, filters, q, sort, page)
    keys = ("q", "sort", "pipeline_id", "stage_id", "customer_id", "owner_id", "team", "close_from", "close_to",
            "amount_min", "amount_max")
    return dict(deals=rows, total=total, page=page, per_page=PER_PAGE, filters=filters, q=q, sort=sort,
                sort_labels=SORT_LABELS, params={k: args.get(k) for k in keys if args.get(k)},
                **chosen_people(filters), pipelines=list_pipelines(), stages=stage_choices(include_lost=True))
