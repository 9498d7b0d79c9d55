"""Export requests: queue the job, report its progress, find its file."""
import os

from flask import current_app
from rq.exceptions import NoSuchJobError
from rq.job import Job
from sqlalchemy import select

from crm_saas.blueprints.exports.models import EXPORT_KINDS, Export
from crm_saas.core.queue import export_queue, redis_connection
from crm_saas.core.visibility import visible
from crm_saas.extensions import db
from crm_saas.tenants.resolve import current_tenant


def export_dir(app, schema):
    """One directory per tenant schema, under the instance folder unless CRM_EXPORT_DIR says where."""
    root = app.config["CRM_EXPORT_DIR"] or os.path.join(app.instance_path, "exports")
    path = os.path.join(root, schema)
    os.makedirs(path, exist_ok=True)
    return path


def start_export(kind, filters, *, actor):
    """Record the request and enqueue the job with ids only (the worker loads what it needs)."""
    if kind not in EXPORT_KINDS:
        raise ValueError(kind)
    export = Export(kind=kind, filters=filters or {}, created_by_id=actor.id)
    db.session.add(export)
    db.session.commit()
    job = export_queue().enqueue(
        "crm_saas.workers.exports.run_export", current_tenant().schema_name, export.id,
        job_timeout=current_app.config["CRM_EXPORT_JOB_TIMEOUT"], result_ttl=86400, failure_ttl=86400,
    )
    export.job_id = job.id
    db.session.commit()
    return export


def visible_export(user, export_id):
    """Exports belong to whoever asked for them; the hierarchy rule applies as to any record."""
    return db.session.scalar(visible(select(Export), Export.created_by_id, user).where(Export.id == export_id))


def live_progress(export):
    """The row says how it ended; while it runs, the job's meta in Redis says how far it is."""
    if export.status in ("finished", "failed") or not export.job_id:
        return export.status, export.progress
    try:
        job = Job.fetch(export.job_id, connection=redis_connection())
    except NoSuchJobError:
        return export.status, export.progress
    status = job.get_status(refresh=False)
    status = {"queued": "queued", "started": "started", "finished": "finished", "failed": "failed"}.get(
        getattr(status, "value", status), export.status
    )
    return status, int(job.meta.get("progress", export.progress))
