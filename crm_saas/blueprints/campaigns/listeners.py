"""What the campaigns feature hears from others."""


def connect():
    pass
