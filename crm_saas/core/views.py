"""What every feature's views share: a record the viewer may not see is a 404, never a 403 that confirms it."""
from flask import abort


def found_or_404(record):
    """``record``, or a 404 when the lookup (always through the visibility rule) found nothing."""
    if record is None:
        abort(404)
    return record
