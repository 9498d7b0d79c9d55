"""The Redis connection and the RQ queue the web side enqueues on."""
from flask import current_app
from redis import Redis
from rq import Queue

# A request never waits long on a Redis that is down or unreachable: it fails fast and the caller says so
# (a 503 for a job, a log line for a reminder). Workers block on the queue and make their own connection.
CONNECT_TIMEOUT = 2
READ_TIMEOUT = 5


def redis_connection():
    """One client per app (it holds its own pool), made on first use, not at import."""
    ext = current_app.extensions
    if "crm_redis" not in ext:
        ext["crm_redis"] = Redis.from_url(current_app.config["REDIS_URL"], socket_connect_timeout=CONNECT_TIMEOUT,
                                          socket_timeout=READ_TIMEOUT)
    return ext["crm_redis"]


def export_queue():
    return Queue(current_app.config["CRM_EXPORT_QUEUE"], connection=redis_connection())
