"""Attachments on disk: one directory per tenant schema, random names, and files that follow their rows.

Nothing here decides whether a file may be stored or seen (``services``
does); this module only writes, sends and removes files.
"""
import hashlib
import logging
import os
import unicodedata
from urllib.parse import quote

from flask import current_app, send_file
from sqlalchemy import event

from crm_saas.blueprints.files.services import checks
from crm_saas.extensions import db
from crm_saas.tenants.binding import current_schema

CHUNK = 64 * 1024
_PENDING = "crm_files_to_remove"

logger = logging.getLogger(__name__)


def files_dir(app=None, schema=None):
    """One directory per tenant schema, under the instance folder unless CRM_FILES_DIR says where."""
    app = app or current_app
    root = app.config.get("CRM_FILES_DIR") or os.path.join(app.instance_path, "files")
    path = os.path.join(root, schema or current_schema())
    os.makedirs(path, exist_ok=True)
    return path


def copy_checked(stream, temp, limit, check):
    """Copy ``stream`` to ``temp``, hashing it and feeding ``check``; returns ``(size, sha256)``.

    Stops at the first byte past ``limit`` (the size returned then exceeds
    it), so an oversized file is never read or written whole.
    """
    size, digest = 0, hashlib.sha256()
    with open(temp, "wb") as out:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > limit:
                break
            digest.update(chunk)
            check.feed(chunk)
            out.write(chunk)
    return size, digest.hexdigest()


def send_attachment(attachment, path):
    """Always a download under the user's own name (RFC 5987 for non-ASCII), never shown inline."""
    response = send_file(path, mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.file_name, max_age=0)
    if not attachment.file_name.isascii():
        # Flask's plain ``filename=`` drops what is not ASCII, leaving "报价单.pdf" as ".pdf".
        response.headers.set("Content-Disposition", "attachment", filename=_ascii_name(attachment),
                             **{"filename*": "UTF-8''" + quote(attachment.file_name, safe="!#$&+^`|~")})
    response.headers["Content-Type"] = attachment.content_type  # send_file would add a second charset to text
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _ascii_name(attachment):
    """The fallback name for clients that ignore ``filename*``: accents dropped, or ``file-<id>.<ext>``."""
    simple = unicodedata.normalize("NFKD", attachment.file_name).encode("ascii", "ignore").decode("ascii")
    simple = " ".join(simple.split()).strip(" .")
    ext = checks.extension(attachment.file_name)
    if checks.extension(simple) == ext and simple.rpartition(".")[0].strip(" ._-"):
        return simple
    return f"file-{attachment.id}.{ext}"


def remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
    except OSError:
        logger.exception("could not remove attachment file %s", path)


def remove_after_commit(paths):
    """Remove ``paths`` once the session's transaction commits; forget them if it rolls back."""
    session = db.session()
    if _PENDING not in session.info:
        session.info[_PENDING] = []
        event.listen(session, "after_commit", _remove_pending)
        event.listen(session, "after_rollback", _forget_pending)
    session.info[_PENDING].extend(paths)


def _remove_pending(session):
    for path in session.info.get(_PENDING, ()):
        remove(path)
    session.info[_PENDING] = []


def _forget_pending(session):
    session.info[_PENDING] = []
