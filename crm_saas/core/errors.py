"""The one shape a refused change takes in services: field name -> messages.

Views turn it into messages beside form fields, the API into a 422
``{"errors": {...}}``; each feature subclasses it so callers can catch
their own.
"""


class FieldErrors(ValueError):
    """``errors`` maps field names to lists of messages."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors
