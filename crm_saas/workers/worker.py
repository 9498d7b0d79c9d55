"""`crm-saas worker`: an RQ worker that builds the app once, at start (and, if asked, the scheduler beside it)."""
import os

from redis import Redis
from rq import Worker

from crm_saas.extensions import db
from crm_saas.workers.callbacks import horse_killed
from crm_saas.workers.context import set_app
from crm_saas.workers.scheduler import start_in_thread


def run_worker(app, *, burst=False, queues=None, with_scheduler=False):
    set_app(app)
    with app.app_context():
        engine = db.engine
        names = queues or [app.config["CRM_EXPORT_QUEUE"]]
    # Its own connection, without the web side's read timeout: the worker blocks on the queue for minutes.
    connection = Redis.from_url(app.config["REDIS_URL"])
    # Each job runs in a forked child: connections inherited from the parent
    # must not be shared with it, so the child starts with a fresh pool.
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
    worker = Worker(names, connection=connection, work_horse_killed_handler=horse_killed)
    stop_scheduler = start_in_thread(app) if with_scheduler and not burst else None
    try:
        # RQ's own scheduler moves jobs queued for a time (reminders at a task's due time) onto the queue.
        return worker.work(burst=burst, with_scheduler=True)
    finally:
        if stop_scheduler is not None:
            stop_scheduler()
