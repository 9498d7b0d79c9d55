"""Import jobs: commit a checked batch, or revert a committed one, reporting progress on the batch's row.

The rules cache what they read per request (custom field definitions,
settings, the viewer's subtree): a job runs inside one request context of
its own, so 100,000 rows read them once, not 100,000 times, and in the
importer's language.
"""
from flask_babel import force_locale

from crm_saas.blueprints.imports.models import Import
from crm_saas.blueprints.imports.services import commit_import, revert_work
from crm_saas.core import jobs
from crm_saas.extensions import db
from crm_saas.workers.context import job_tenant


def _run(schema, import_id, work):
    with job_tenant(schema) as app, app.test_request_context():
        imp = db.session.get(Import, import_id)
        actor = imp.created_by
        with force_locale(imp.locale or actor.locale or app.config["BABEL_DEFAULT_LOCALE"]):
            return jobs.running(imp, lambda tracker: work(imp, actor, tracker.progress))


def run_commit(schema, import_id):
    return _run(schema, import_id, commit_import)["totals"]


def run_revert(schema, import_id):
    return _run(schema, import_id, revert_work)["revert_report"]
