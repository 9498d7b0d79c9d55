"""Template helpers: labels in the reader's language, money in their format."""
from decimal import Decimal

from flask_babel import format_currency


def stage_label(stage):
    """Default stages speak the reader's language; an admin's own stage keeps its name."""
    from crm_saas.tenants.defaults import STAGE_LABELS

    return STAGE_LABELS.get(stage.code, stage.name) if stage.code else stage.name


def money(amount):
    return format_currency(Decimal(amount or 0), "CNY")


def init_app(app):
    app.jinja_env.globals.update(stage_label=stage_label, money=money)
