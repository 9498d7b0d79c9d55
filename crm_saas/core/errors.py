"""The one shape a refused change takes in services: field name -> messages.

Views turn it into messages beside form fields, the API into a 422
``{"errors": {...}}``; each feature subclasses it so callers can catch
their own.
"""


class FieldErrors(ValueError):
    """``errors`` maps field names to lists of messages; the API answers 422."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors

    @property
    def messages(self):
        """Every message, field by field, as text: for a page that shows the refusal in one place."""
        return [str(message) for messages in self.errors.values() for message in messages]


class Conflict(FieldErrors):
    """Refused because the record is not as the caller last read it (a stale version): the API answers 409.

    ``extra`` says how it stands now (e.g. the deal's version and stage), beside the errors.
    """

    def __init__(self, errors, **extra):
        super().__init__(errors)
        self.extra = extra
