"""What the import pages show of a batch: its columns beside sample values, the choices, the first problems."""
import re
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from crm_saas.blueprints.activities.services import TYPES
from crm_saas.blueprints.customers.services.codes import CUSTOMER_TYPES, INDUSTRIES, SOURCES
from crm_saas.blueprints.imports.services import problems, status_of
from crm_saas.blueprints.imports.services.fields import KIND_LABELS, fields, headers
from crm_saas.blueprints.imports.services.revert import revert_errors
from crm_saas.blueprints.pools.services import pools_for
from crm_saas.core.base import utcnow
from crm_saas.core.jobs import IN_FLIGHT

FIRST_PROBLEMS = 20
POLICY_LABELS = {
    "skip": _l("Skip duplicates"),
    "update": _l("Update the existing customer (only the fields the file fills)"),
    "create": _l("Create them anyway"),
}
STATUS_LABELS = {
    "uploaded": _l("Uploaded"), "validated": _l("Checked"), "running": _l("Running"), "finished": _l("Committed"),
    "failed": _l("Failed"), "reverted": _l("Reverted"),
}
_UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def default_choices(kind):
    """The fields a default can fill when the file leaves them empty, with the values to choose from."""
    if kind == "customers":
        return {"industry": INDUSTRIES, "source": SOURCES, "type": CUSTOMER_TYPES}
    if kind == "activities":
        return {"type": TYPES}
    return {}


def template_name(kind):
    return _UNSAFE_IN_NAMES.sub("_", f"{_('Import template')}-{KIND_LABELS[kind]}") + ".xlsx"


def download_name(imp):
    stem = imp.original_name.rsplit(".", 1)[0]
    return _UNSAFE_IN_NAMES.sub("_", f"{_('Rejected rows')}-{stem}") + ".xlsx"


def batch_context(imp, *, errors=None, unavailable=False):
    known = fields(imp.kind)
    labels = {f.key: f.label for f in known}
    samples = {column: [row[index] for row in imp.samples if index < len(row) and row[index]]
               for index, column in enumerate(imp.columns)}
    first_errors, error_total = problems(imp, "error", 1, FIRST_PROBLEMS)
    first_duplicates, duplicate_total = problems(imp, "duplicate", 1, FIRST_PROBLEMS)
    status = status_of(imp)
    mapped = {field for field in imp.mapping.values() if field}
    return {
        "imp": imp, "status": status, "status_label": STATUS_LABELS[status], "kind_label": KIND_LABELS[imp.kind],
        "fields": known, "labels": labels, "samples": samples, "errors": errors or {},
        "unmapped_required": [f for f in known if f.required and f.key not in mapped
                              and f.key not in (imp.defaults or {})],
        "policies": POLICY_LABELS, "defaults": default_choices(imp.kind),
        "pools": pools_for(current_user) if imp.kind == "customers" else [],
        "first_errors": first_errors, "error_total": error_total,
        "first_duplicates": first_duplicates, "duplicate_total": duplicate_total,
        "running": imp.status in IN_FLIGHT, "editable": imp.committed_at is None and imp.status not in IN_FLIGHT
        and imp.stage != "reverted",
        "may_revert": not revert_errors(imp) and imp.status not in IN_FLIGHT,
        "revert_until": imp.committed_at + timedelta(days=7) if imp.committed_at else None,
        "unavailable": unavailable, "template_headers": headers(imp.kind),
        "expires": imp.created_at + timedelta(days=7) if imp.created_at else utcnow(),
    }
