"""Records written while an import row is being written carry the batch's id (``writing.tagged``).

Updates, deals and follow-ups are written by their own features' services,
which know nothing of imports; the batch rides on the session instead, and
these ORM hooks put it on each customer change, deal and follow-up the
service inserts, so a revert finds exactly what the batch did.
"""
from sqlalchemy import event
from sqlalchemy.orm import object_session

from crm_saas.blueprints.activities.models import Activity
from crm_saas.blueprints.customers.models import CustomerChange
from crm_saas.blueprints.imports.services.writing import IMPORT_ROW
from crm_saas.blueprints.pipeline.models import Deal


def tag_with_import(mapper, connection, target):
    session = object_session(target)
    row = session.info.get(IMPORT_ROW) if session is not None else None
    if not row:
        return
    target.import_id = row["import_id"]
    if isinstance(target, Deal) and row.get("external_ref"):
        target.external_ref = row["external_ref"]


def connect():
    for model in (CustomerChange, Deal, Activity):
        if not event.contains(model, "before_insert", tag_with_import):
            event.listen(model, "before_insert", tag_with_import)
