"""The Redis connection and the RQ queue the web side enqueues on."""
from flask import current_app
from redis import Redis
from rq import Queue


def redis_connection():
    """One client per app (it holds its own pool), made on first use, not at import."""
    ext = current_app.extensions
    if "crm_redis" not in ext:
        ext["crm_redis"] = Redis.from_url(current_app.config["REDIS_URL"])
    return ext["crm_redis"]


def export_queue():
    return Queue(current_app.config["CRM_EXPORT_QUEUE"], connection=redis_connection())
