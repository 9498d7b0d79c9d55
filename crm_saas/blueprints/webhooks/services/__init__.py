"""Webhooks: endpoints an admin registers (``endpoints.py``), where they may point (``addresses.py``), the
worker's half: handing the outbox's events to endpoints and posting them (``delivery.py``, ``sending.py``), the
admins told when an endpoint is turned off (``notices.py``), and waking the worker (``queueing.py``).

The retry policy lives here, one place for the worker, the pages and the docs.
"""
from datetime import timedelta

from flask import current_app

from crm_saas.core.errors import FieldErrors

# Waits after the 1st, 2nd, ... failed attempt of a delivery; the last one repeats.
RETRY_DELAYS = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(hours=1),
                timedelta(hours=6), timedelta(hours=24))
# A delivery given up after this many attempts (it stays in the log, "retry now" sends it once more).
MAX_ATTEMPTS = 8
# Failed attempts in a row (any delivery) that turn an endpoint off; the app config may lower it (tests).
DISABLE_AFTER = 10
STATUSES = ("pending", "delivered", "failed")
# Why an endpoint is off: it failed too often, or someone turned it off.
REASONS = ("failures", "manual")
PING = "ping"


class WebhookError(FieldErrors):
    """A refused endpoint change, naming each bad field (``url``, ``events``, ``secret``, ``description``)."""


def retry_delay(failed_attempts):
    """The wait after ``failed_attempts`` failures in a row (1 for the first)."""
    return RETRY_DELAYS[min(max(failed_attempts, 1), len(RETRY_DELAYS)) - 1]


def disable_after():
    return int(current_app.config.get("CRM_WEBHOOK_DISABLE_AFTER") or DISABLE_AFTER)
