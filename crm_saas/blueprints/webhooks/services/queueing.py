"""Waking the worker when a transaction wrote outbox events: one delivery job per company at a time.

A commit that wrote events sets a wake-up key for its company and queues
the company's job only if the key was not set already; the job clears the
key before it looks for work, so an event committed while it runs queues
the next run, and a burst of commits (an import) queues one job, not one
per commit. The key expires (``WAKE_TTL``) in case a job never ran.

Redis being down is no loss: the caller swallows the error, the events
wait in the outbox, and the scheduler's sweep (every minute) delivers them
once it runs again.
"""
import logging

from flask import current_app
from redis.exceptions import RedisError

from crm_saas.core.queue import export_queue, redis_connection
from crm_saas.tenants.binding import current_schema

log = logging.getLogger(__name__)

JOB = "crm_saas.workers.webhooks.deliver_company"
WAKE_TTL = 300


def _wake_key(schema):
    return f"crm:{current_app.config['CRM_EXPORT_QUEUE']}:webhooks:wake:{schema}"


def queue_delivery(schema):
    """Queue the company's delivery job unless one is already waiting; raises ``redis`` errors."""
    connection = redis_connection()
    if not connection.set(_wake_key(schema), 1, nx=True, ex=WAKE_TTL):
        return False
    try:
        export_queue().enqueue(JOB, schema, job_timeout=1800, result_ttl=300, failure_ttl=86400)
    except RedisError:
        try:
            connection.delete(_wake_key(schema))  # the next commit tries again
        except RedisError:
            pass
        raise
    return True


def woken(schema):
    """The job has started: the next commit queues another one."""
    redis_connection().delete(_wake_key(schema))


def wake():
    """Queue the current company's delivery job; never raises (with Redis away the sweep delivers later)."""
    schema = current_schema()
    if schema is None:
        return False
    try:
        return queue_delivery(schema)
    except RedisError as exc:
        log.warning("webhook job not queued for %s (the sweep delivers): %s", schema, exc)
    except Exception:  # noqa: BLE001 - runs after a commit: the change is saved, nothing may undo the answer
        log.exception("webhook job not queued for %s", schema)
    return False
