"""Scheduled work in the product, no cron needed: RQ's CronScheduler, one leader among however many run.

`crm-saas scheduler` runs it as a process of its own; `crm-saas worker
--with-scheduler` runs it in a thread beside the worker. Several may run
(one per worker host, for failover): the one holding the leader lock in
Redis queues the jobs, the others wait to take over when its lock lapses
(``LEADER_TTL``). When each job last ran is kept in Redis too, so a new
leader queues a job when its interval is due, not again at once: each job
runs once per interval across all of them.

The jobs (``SCHEDULE``) run on the workers' queue. The reaper of dead jobs
(core/jobs.py) runs in the scheduler's own loop instead, every
``jobs.REAP_EVERY`` seconds, so it never waits behind a long export.
"""
import logging
import signal
import threading
import time
import uuid
from datetime import datetime, timezone

from redis import Redis
from redis.exceptions import RedisError
from rq.cron import CronScheduler

from crm_saas.core import jobs
from crm_saas.workers import platform, pools, report_mail, scheduled, service, webhooks

log = logging.getLogger("crm_saas.scheduler")

LEADER_TTL = 60
TICK = 5  # seconds between looks at the schedule

# (job, when): an interval in seconds, or a cron line in the server's local time.
SCHEDULE = (
    (scheduled.purge_recycle_bins, {"cron": "30 3 * * *"}),  # daily, 03:30
    (scheduled.send_reminders, {"interval": 300}),  # behind the job queued for each task's due time
    (scheduled.expire_companies, {"interval": 3600}),
    (platform.warn_expiring, {"interval": 3600}),  # 7 and 1 days before a company's end
    (platform.count_companies, {"interval": 3600}),  # users, customers, storage for the operator's list
    (pools.recycle_pools, {"cron": "10 2 * * *"}),  # daily, 02:10: lead pools' warnings and returns (C11)
    (report_mail.send_weekly_summaries, {"cron": "0 8 * * 1"}),  # Mondays, 08:00: last week's summary by email
    (service.remind_overdue, {"interval": 300}),  # assignees of overdue service requests, once per due time (F1)
    (webhooks.sweep_webhooks, {"interval": 60}),  # events a lost wake-up left behind, and due retries
)

# Lua: renew the lock only if this scheduler holds it (a lapsed one may have passed to another).
_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('expire', KEYS[1], ARGV[2]) end return 0"
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


def keys(queue_name):
    """The Redis keys the schedulers of one installation (named by its queue) share."""
    return {"leader": f"crm:{queue_name}:scheduler:leader", "last_run": f"crm:{queue_name}:scheduler:last-run"}


class Scheduler(CronScheduler):
    """A CronScheduler that queues only while it leads, and shares when each job last ran."""

    def __init__(self, app, connection=None):
        connection = connection or Redis.from_url(app.config["REDIS_URL"])
        super().__init__(connection, name=f"crm-{uuid.uuid4().hex[:8]}")
        self.app = app
        queue = app.config["CRM_EXPORT_QUEUE"]
        self.keys = keys(queue)
        for func, when in SCHEDULE:
            self.register(func, queue, job_timeout=1800, result_ttl=86400, failure_ttl=86400, **when)
        self._last_reap = 0.0

    def leads(self):
        """Take the lock if nobody holds it, keep it if this one does."""
        if self.connection.set(self.keys["leader"], self.name, nx=True, ex=LEADER_TTL):
            log.info("scheduler leads", extra={"scheduler": self.name})
            return True
        return bool(self.connection.eval(_RENEW, 1, self.keys["leader"], self.name, LEADER_TTL))

    def resign(self):
        """Give the lead up (on stopping), so another scheduler takes over at its next look, not a minute later."""
        self.connection.eval(_RELEASE, 1, self.keys["leader"], self.name)

    def enqueue_jobs(self):
        if not self.leads():
            return []
        last_runs = self.connection.hgetall(self.keys["last_run"])
        for job in self._cron_jobs:
            shared = last_runs.get(job.name.encode())
            if shared is not None:
                ran = datetime.fromtimestamp(float(shared), timezone.utc)
                if job.latest_enqueue_time is None or ran > job.latest_enqueue_time:
                    job.set_enqueue_time(ran)
        enqueued = super().enqueue_jobs()
        if enqueued:
            self.connection.hset(self.keys["last_run"], mapping={job.name: job.latest_enqueue_time.timestamp()
                                                        for job in enqueued})
        return enqueued

    def tick(self):
        """One look at the schedule: queue what is due, beat, reap if it is time. True while this one leads."""
        if self.enqueue_jobs():
            self.save()
        self.heartbeat()
        leading = self.connection.get(self.keys["leader"]) == self.name.encode()
        if leading and time.monotonic() - self._last_reap >= jobs.REAP_EVERY:
            self._last_reap = time.monotonic()
            with self.app.app_context():
                jobs.reap()
        return leading

    def run(self, stop):
        """Tick until ``stop`` is set; a Redis outage is waited out, not fatal."""
        self.register_birth()
        try:
            while not stop.is_set():
                try:
                    self.tick()
                except RedisError:
                    log.warning("scheduler cannot reach Redis; trying again", exc_info=True)
                stop.wait(TICK)
        finally:
            try:
                self.resign()
                self.register_death()
            except RedisError:
                pass


def run_scheduler(app):
    """`crm-saas scheduler`: run in this process until SIGTERM or Ctrl-C."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    Scheduler(app).run(stop)


def start_in_thread(app):
    """`crm-saas worker --with-scheduler`: beside the worker; returns a function that stops it (giving up the lead)."""
    stop = threading.Event()
    thread = threading.Thread(target=Scheduler(app).run, args=(stop,), name="crm-scheduler", daemon=True)
    thread.start()

    def stopped():
        stop.set()
        thread.join(timeout=10)

    return stopped
