"""The webhooks feature's hooks on the outbox (core/outbox.py ``listen``)."""


def connect():
    pass
