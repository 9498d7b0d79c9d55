"""`crm-saas worker`: an RQ worker that builds the app once, at start."""
import os

from rq import Worker

from crm_saas.core.queue import redis_connection
from crm_saas.extensions import db
from crm_saas.workers.context import set_app


def run_worker(app, *, burst=False, queues=None):
    set_app(app)
    with app.app_context():
        engine = db.engine
        connection = redis_connection()
        names = queues or [app.config["CRM_EXPORT_QUEUE"]]
    # Each job runs in a forked child: connections inherited from the parent
    # must not be shared with it, so the child starts with a fresh pool.
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
    worker = Worker(names, connection=connection)
    # The scheduler moves jobs queued for a time (reminders at a task's due time) onto the queue.
    return worker.work(burst=burst, with_scheduler=True)
