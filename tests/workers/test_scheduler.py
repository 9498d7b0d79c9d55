"""Scheduled work (crm_saas/workers/scheduler.py): several schedulers, each job queued once per interval."""
from datetime import timedelta

import pytest
import time_machine
from rq import Queue

from crm_saas.core.base import utcnow
from crm_saas.workers import scheduler as scheduling

REMINDERS = "crm_saas.workers.scheduled.send_reminders"
EXPIRY = "crm_saas.workers.scheduled.expire_companies"
PURGE = "crm_saas.workers.scheduled.purge_recycle_bins"
WARN = "crm_saas.workers.platform.warn_expiring"
COUNT = "crm_saas.workers.platform.count_companies"
HOURLY = [COUNT, WARN, EXPIRY]  # sorted by name, as ``queued`` lists them


@pytest.fixture
def queue(app, monkeypatch):
    """A queue (and so a leader lock) of this test's own."""
    monkeypatch.setitem(app.config, "CRM_EXPORT_QUEUE", f"sched-{utcnow().timestamp()}")
    from crm_saas.core.queue import redis_connection

    with app.app_context():
        queue = Queue(app.config["CRM_EXPORT_QUEUE"], connection=redis_connection())
    yield queue
    queue.empty()
    queue.connection.delete(*scheduling.keys(queue.name).values())


def queued(queue):
    """The functions queued, sorted; the hourly three (expiry, its warnings, the counts) always go together.
    Only the jobs named above: the schedule's other jobs follow the same rules."""
    return sorted(job.func_name for job in queue.get_jobs() if job.func_name in (REMINDERS, PURGE, *HOURLY))


def but_hourly(names):
    """``names`` less one run of each hourly job but expiry (which stands for all three below)."""
    names = list(names)
    for name in (COUNT, WARN):
        names.remove(name)
    return names


def test_two_schedulers_queue_each_job_once_and_a_successor_waits_for_the_interval(app, queue):
    with time_machine.travel(utcnow(), tick=False) as clock:
        first, second = scheduling.Scheduler(app), scheduling.Scheduler(app)
        assert first.tick() is True and second.tick() is False  # one leads, the other stands by
        assert queued(queue) == sorted(HOURLY + [REMINDERS])  # the daily purge waits for 03:30
        first.tick(), second.tick()
        assert but_hourly(queued(queue)) == [EXPIRY, REMINDERS]

        clock.shift(timedelta(seconds=301))
        first.tick(), second.tick()
        assert but_hourly(queued(queue)) == [EXPIRY, REMINDERS, REMINDERS]

        first.resign()  # the leader stops (or its lock lapses): the other takes over ...
        clock.shift(timedelta(seconds=60))
        assert second.tick() is True
        assert but_hourly(queued(queue)) == [EXPIRY, REMINDERS, REMINDERS]  # ... without queuing again what ran
        clock.shift(timedelta(seconds=250))
        second.tick()
        assert but_hourly(queued(queue)) == [EXPIRY, REMINDERS, REMINDERS, REMINDERS]

        clock.shift(timedelta(days=1))
        second.tick()
        assert queued(queue).count(PURGE) == 1
        assert [queued(queue).count(name) for name in HOURLY] == [2, 2, 2]


def test_the_reaper_fails_a_row_whose_job_vanished_from_redis(app, tenant, admin_api, queue):
    from crm_saas.core import jobs
    from crm_saas.core.queue import redis_connection

    export_id = admin_api.post("/exports", json={"kind": "customers"}).get_json()["id"]
    waiting = admin_api.post("/exports", json={"kind": "customers"}).get_json()["id"]
    job_id = queue.get_job_ids()[0]
    with app.app_context():
        redis_connection().delete(f"rq:job:{job_id}")  # Redis restarted without its data, or the record expired
        assert jobs.reap() >= 1
    lost = admin_api.get(f"/exports/{export_id}").get_json()
    assert lost["status"] == "failed"
    assert lost["error"] == "Its job was lost from the queue (the queue server restarted or was emptied)."
    assert admin_api.get(f"/exports/{waiting}").get_json()["status"] == "queued"  # its job is there: untouched


def test_companies_past_their_end_date_stop_working(app, make_tenant, client_for):
    from crm_saas.extensions import db
    from crm_saas.tenants.models import Tenant
    from crm_saas.workers.context import set_app
    from crm_saas.workers.scheduled import expire_companies

    overdue, current = make_tenant("late"), make_tenant("ontime")
    with app.app_context():
        db.session.get(Tenant, overdue.id).expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    set_app(app)
    assert overdue.slug in expire_companies()
    with app.app_context():
        assert db.session.get(Tenant, overdue.id).status == "expired"
        assert db.session.get(Tenant, current.id).status == "trial"
    assert client_for(overdue).get("/login").status_code == 402  # a page saying so and whom to call (issue 14)
    assert client_for(current).get("/login").status_code == 200
