"""What every new company starts with: the default pipeline of REQUIREMENTS D2, and its stages' labels."""
from flask_babel import lazy_gettext as _l

from crm_saas.blueprints.pipeline.models import Pipeline, Stage

# code, stored name (the source documents' words), kind, default probability
DEFAULT_STAGES = (
    ("initial_contact", "初步接触", "open", 10),
    ("needs_analysis", "需求分析", "open", 25),
    ("proposal", "方案提交", "open", 50),
    ("negotiation", "商务谈判", "open", 75),
    ("won", "成交", "won", 100),
    ("lost", "输单", "lost", 0),
)

STAGE_LABELS = {
    "initial_contact": _l("Initial contact"),
    "needs_analysis": _l("Needs analysis"),
    "proposal": _l("Proposal"),
    "negotiation": _l("Negotiation"),
    "won": _l("Won"),
    "lost": _l("Lost"),
}
DEFAULT_PIPELINE_NAME = _l("Sales pipeline")


def stage_label(stage):
    """Default stages speak the reader's language; an admin's own stage keeps its name."""
    return STAGE_LABELS.get(stage.code, stage.name) if stage.code else stage.name


def add_default_pipeline(session):
    """Every new company's pipeline (``tenant_provisioned``), in the provisioning transaction.

    Named in the language the company signed up in (the sign-up page's; the
    default language from the command line): the stored names are what an
    admin renaming a stage starts from, and what exports and the API carry.
    """
    pipeline = Pipeline(name=str(DEFAULT_PIPELINE_NAME), position=0, is_default=True)
    session.add(pipeline)
    for position, (code, _name, kind, probability) in enumerate(DEFAULT_STAGES):
        session.add(Stage(pipeline=pipeline, code=code, name=str(STAGE_LABELS[code]), kind=kind,
                          probability=probability, position=position))
    return pipeline
