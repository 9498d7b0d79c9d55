"""How big an attachment may be, and how the upload routes let one arrive to be measured."""
from flask import current_app, request
from flask_babel import format_decimal
from flask_babel import gettext as _

from crm_saas.blueprints.files.services import checks

# Room for the multipart envelope around the file (boundaries, part headers, the CSRF field).
MULTIPART_SLACK = 64 * 1024


def max_bytes():
    return int(float(current_app.config["CRM_MAX_ATTACHMENT_MB"]) * 1024 * 1024)


def attachment_limit():
    """The limit as people read it, in MB ("20")."""
    return format_decimal(current_app.config["CRM_MAX_ATTACHMENT_MB"])


def attachment_accept():
    """The file input's ``accept``: the allowed extensions (the server checks them anyway)."""
    return ",".join(f".{ext}" for ext in checks.TYPES)


def too_large_message(name=None):
    if name:
        return _("%(name)s is larger than %(limit)s MB.", name=name, limit=attachment_limit())
    return _("The file is larger than %(limit)s MB.", limit=attachment_limit())


def allow_upload_body():
    """Let an upload's request body reach the size check, so a too-large file gets a named message.

    Flask's MAX_CONTENT_LENGTH would answer a bare 413 before the service
    sees the file (and CSRF protection reads the form before any view runs):
    upload routes set their own limit, the attachment limit plus the
    multipart envelope, from a ``url_value_preprocessor`` (which runs before
    every ``before_request``). Bodies beyond even that are still refused
    unread with a 413, which the routes turn into the same field message.
    """
    request.max_content_length = max_bytes() + MULTIPART_SLACK
