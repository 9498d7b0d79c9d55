"""What the service feature hears from others, and what it announces to integrations (the outbox)."""


def connect():
    pass
