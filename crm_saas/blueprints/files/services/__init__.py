"""Attachments: storing, finding, deleting and moving the files of customers and deals (K1).

Files live on disk, one directory per tenant schema, under random names; the
``attachments`` row keeps the user's name, type, size and checksum. A file
is written under a temporary name and renamed into place before its row
and log entry commit; if the commit fails the file goes, so the disk never
keeps a file that no row points to.

A file is visible exactly to those who see its record; callers find the
record with ``visible_record`` (a 404 when it is None) before anything else.
"""
import os
import secrets

from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.orm import joinedload

from crm_saas.blueprints.customers.models import Customer
from crm_saas.blueprints.customers.services import get_visible_customer
from crm_saas.blueprints.customers.services.shares import read_only_refusal
from crm_saas.blueprints.files.models import ENTITIES, Attachment
from crm_saas.blueprints.files.services import checks, storage
from crm_saas.blueprints.files.services.limits import max_bytes, too_large_message
from crm_saas.blueprints.pipeline.models import Deal
from crm_saas.blueprints.pipeline.services import get_visible_deal
from crm_saas.core.audit import record as log
from crm_saas.core.errors import FieldErrors
from crm_saas.core.permissions import can
from crm_saas.extensions import db


class AttachmentError(FieldErrors):
    """A refused upload: ``{"file": [message]}``."""


# Records of features above this one that carry files too: entity -> (find it visible to a user, load it).
_MORE_RECORDS = {}


def register_entity(entity, *, visible, load):
    """Let a feature above this one attach files to its records (the service feature: its requests), without
    this feature importing it. ``visible(user, id)``: the record or None (a 404); ``load(id)``: the record,
    visible or not (the log's label). Its pages include files/_files.html; files/routes.py routes its uploads."""
    _MORE_RECORDS[entity] = (visible, load)


def visible_record(user, entity, record_id):
    """The customer or deal ``user`` may see, or None: its files follow the record's visibility."""
    finder = {"customer": get_visible_customer, "deal": get_visible_deal}.get(entity) \
        or _MORE_RECORDS.get(entity, (None, None))[0]
    return finder(user, record_id) if finder else None


def visible_attachment(user, attachment_id):
    """``(attachment, record)`` when ``user`` may see the file's record, else None (a 404)."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        return None
    record = visible_record(user, attachment.entity, attachment.entity_id)
    return (attachment, record) if record is not None else None


NEWEST_FIRST = (Attachment.uploaded_at.desc(), Attachment.id.desc())


def attachments_of(entity, entity_id):
    """A statement of the record's files (with who uploaded each); the caller has checked the record is visible."""
    return (select(Attachment).where(Attachment.entity == entity, Attachment.entity_id == entity_id)
            .options(joinedload(Attachment.uploaded_by)))


def attachments_for(entity, entity_id):
    """The record's files, newest first (the files section of a customer or deal page)."""
    return db.session.scalars(attachments_of(entity, entity_id).order_by(*NEWEST_FIRST)).all()


def may_delete(user, attachment, record):
    """The uploader, the record's owner, and whoever manages the company's settings."""
    return (attachment.uploaded_by_id == user.id or getattr(record, "owner_id", None) == user.id
            or can(user, "manage_settings"))


def save_attachment(entity, record, file_storage, *, actor):
    """Check and store one uploaded file for ``record``; raises AttachmentError when refused."""
    if entity not in ENTITIES and entity not in _MORE_RECORDS:
        raise ValueError(entity)
    refusal = read_only_refusal(actor, record) if entity == "customer" else None
    if refusal:
        raise AttachmentError({"file": [refusal]})
    name = checks.display_name(getattr(file_storage, "filename", None))
    if not name:
        raise AttachmentError({"file": [_("Choose a file to upload.")]})
    ext = checks.extension(name)
    if ext not in checks.TYPES:
        raise AttachmentError({"file": [_(
            "%(name)s cannot be attached: allowed types are %(types)s.",
            name=name, types=", ".join(sorted(checks.TYPES)),
        )]})
    folder = storage.files_dir()
    stored_name = f"{secrets.token_hex(16)}.{ext}"
    path, temp = os.path.join(folder, stored_name), os.path.join(folder, f".{stored_name}.part")
    try:
        size, digest = _store_checked(file_storage.stream, temp, name, ext)
        os.replace(temp, path)
    except BaseException:
        storage.remove(temp)
        raise
    try:
        attachment = Attachment(
            entity=entity, entity_id=record.id, file_name=name, content_type=checks.content_type(ext),
            size=size, stored_name=stored_name, sha256=digest, uploaded_by_id=actor.id,
        )
        db.session.add(attachment)
        log("attachment_added", record, actor=actor, target_type=entity, file=name)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        storage.remove(path)
        raise
    return attachment


def _store_checked(stream, temp, name, ext):
    check = checks.ContentCheck(ext)
    size, digest = storage.copy_checked(stream, temp, max_bytes(), check)
    if size > max_bytes():
        raise AttachmentError({"file": [too_large_message(name)]})
    if size == 0:
        raise AttachmentError({"file": [_("%(name)s is empty.", name=name)]})
    if not check.passed():
        raise AttachmentError({"file": [_(
            "%(name)s is not a real %(type)s file: its content does not match its extension.",
            name=name, type=ext.upper(),
        )]})
    return size, digest


def open_attachment(attachment):
    """The file's path on disk, or None when it is gone (a 404 rather than a 500)."""
    path = os.path.join(storage.files_dir(), attachment.stored_name)
    return path if os.path.isfile(path) else None


def delete_attachment(attachment, *, actor):
    """Remove the row (with its log entry) first, then the file: a failed commit leaves both."""
    name, entity = attachment.file_name, attachment.entity
    path = os.path.join(storage.files_dir(), attachment.stored_name)
    record = _parent(entity, attachment.entity_id)
    db.session.delete(attachment)
    log("attachment_deleted", record, actor=actor, target_type=entity, label=None if record else name, file=name)
    db.session.commit()
    storage.remove(path)


def _parent(entity, entity_id):
    """The record a file hangs on, visible or not (for the log's label)."""
    if entity in _MORE_RECORDS:
        return _MORE_RECORDS[entity][1](entity_id)
    return db.session.get(Customer if entity == "customer" else Deal, entity_id)


def purge_attachments(entity, entity_ids):
    """Delete the files of records that are going away, in the caller's transaction.

    The rows go now; the files once that transaction commits (and stay if it
    rolls back). Returns how many were deleted. No log entry: the purge
    that calls this logs itself.
    """
    ids = list(entity_ids)
    if not ids:
        return 0
    where = (Attachment.entity == entity, Attachment.entity_id.in_(ids))
    names = db.session.scalars(select(Attachment.stored_name).where(*where)).all()
    db.session.execute(delete(Attachment).where(*where), execution_options={"synchronize_session": "fetch"})
    folder = storage.files_dir()
    storage.remove_after_commit([os.path.join(folder, name) for name in names])
    return len(names)


def move_attachments(entity, from_id, to_id):
    """Give one record's files to another (merges), in the caller's transaction; returns how many moved."""
    result = db.session.execute(
        update(Attachment).where(Attachment.entity == entity, Attachment.entity_id == from_id)
        .values(entity_id=to_id), execution_options={"synchronize_session": "fetch"},
    )
    return result.rowcount
