"""The webhooks feature's hooks on the outbox (core/outbox.py ``listen``): which events are worth writing (those
some active endpoint of the company subscribes to), and waking the worker once a transaction wrote some."""
from crm_saas.blueprints.webhooks.services.endpoints import wanted_events
from crm_saas.blueprints.webhooks.services.queueing import wake
from crm_saas.core import outbox


def connect():
    outbox.listen(wanted=wanted_events, committed=wake)
