"""A new company's first-run checklist (issue 13.9), on the board until it is done or dismissed.

Shown to those who run the company (``manage_settings``). Each step is done
when the company shows it: a colleague added, the stages or fields set up (the
operation log has such a change), a customer, a deal. Once every step is done,
or someone dismisses it, the ``onboarding_done`` setting says so and the board
asks nothing more.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select

from crm_saas.blueprints.customers.models import Customer
from crm_saas.blueprints.pipeline.models import Deal
from crm_saas.core.audit import OperationLog
from crm_saas.core.permissions import can
from crm_saas.core.settings import get_setting, set_setting
from crm_saas.core.users import User
from crm_saas.extensions import db

SET_UP_ACTIONS = ("stage_added", "stage_updated", "stages_reordered", "stage_removed", "pipeline_created",
                  "pipeline_renamed", "custom_field_created")
STEPS = (
    ("staff", _l("Add your colleagues"), _l("Give each a login and place them in the team tree."), "staff.new"),
    ("setup", _l("Set up your stages and fields"),
     _l("Rename the pipeline's stages to your own, and add the fields your customers need."), "pipeline_admin.index"),
    ("customers", _l("Add your first customers"), _l("Type them in; importing a spreadsheet comes soon."),
     "customers.new"),
    ("deal", _l("Create your first deal"), _l("Put it on the board and move it as it goes."), "pipeline.new_deal"),
)


def checklist(user):
    """``[(key, title, hint, endpoint, done), ...]``, or None when there is nothing to show ``user``."""
    if not can(user, "manage_settings") or get_setting("onboarding_done"):
        return None
    done = db.session.execute(select(
        select(func.count()).select_from(User).scalar_subquery() > 1,
        exists().where(OperationLog.action.in_(SET_UP_ACTIONS)),
        exists().where(Customer.id.is_not(None)),
        exists().where(Deal.id.is_not(None)),
    )).one()
    if all(done):
        close(user)
        return None
    return [(*step, finished) for step, finished in zip(STEPS, done, strict=True)]


def close(actor):
    """Done or dismissed: the board stops asking (commits)."""
    set_setting("onboarding_done", True, actor=actor)
    db.session.commit()
