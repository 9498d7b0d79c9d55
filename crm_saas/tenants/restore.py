"""Restoring a company from a backup archive: ``crm-saas tenants restore FILE [--as NEWSLUG]``.

The archive, what a restore keeps and checks, and why it is one transaction
are described in ``backup.py``, which writes the archive; this module reads
it back into a new company, through the catalog helpers ``backup.py`` shares.
"""
import hashlib
import json
import os
import re
import secrets
import shutil
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import psycopg
from flask import current_app
from psycopg import sql
from sqlalchemy import insert, text

from crm_saas.core.base import TENANT_SCHEMA, tenant_tables, utcnow
from crm_saas.extensions import db
from crm_saas.tenants.backup import (
    CHUNK,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    VERSION_TABLE,
    BackupError,
    copy_sql,
    data_member,
    files_root,
    fix_session,
    load_order,
    raw_cursor,
    safe_path,
    sequences_of,
    table_checksum,
    tables_of,
    walk_files,
)
from crm_saas.tenants.migrate import TENANT, downgrade_tenant, head, stamp_tenant, tenant_revisions, upgrade_schema
from crm_saas.tenants.models import Tenant, TenantDomain
from crm_saas.tenants.provisioning import check_slug, schema_for

# The public row's fields a restored company keeps; the rest (id, slug, schema, version) the restore decides.
KEPT_FIELDS = ("name", "status", "expires_at", "contact_name", "contact_phone", "contact_email", "rep_code",
               "created_at", "last_activity_at")
TIME_FIELDS = ("expires_at", "created_at", "last_activity_at")
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass
class RestoreReport:
    tenant_id: int
    slug: str
    schema: str
    name: str
    revision: str  # the backup's; the company is at head now
    tables: int
    rows: int
    files: int
    original_slug: str


def restore_tenant(path, slug=None, *, hook=None):
    """Make a company of the archive ``path``, under ``slug`` (default: the slug it was backed up from).

    Raises ``SlugError`` when the slug is malformed, reserved or taken, and
    ``BackupError`` when the archive cannot be restored; either way nothing
    is left behind. ``hook(connection)`` runs just before the commit (tests
    use it to fail mid-way). Returns a RestoreReport.
    """
    with _open_archive(path) as archive:
        manifest = _manifest(archive)
        revision = manifest["revision"]
        if revision not in tenant_revisions():
            raise BackupError(f"the backup is at tenant revision {revision}, which this installation does not know "
                              "(made by a newer release?): upgrade the application before restoring it")
        original = manifest["tenant"]["slug"]
        slug = slug or original
        check_slug(slug)
        schema = schema_for(slug)
        root = files_root()
        final = os.path.join(root, schema)
        if os.path.isdir(final) and os.listdir(final):
            raise BackupError(f"the files folder {final} is not empty (left by an earlier company {slug}?): "
                              "move it away before restoring")
        staging = None
        try:
            with db.engine.begin() as conn:
                tenant_id = _create_company(conn, manifest, slug, schema)
                at_head = revision == head(TENANT)
                if not at_head:
                    downgrade_tenant(conn, schema, revision)
                cursor = raw_cursor(conn)
                fix_session(cursor)
                _load(cursor, archive, manifest, schema)
                _set_sequences(cursor, manifest, schema)
                version = head(TENANT) if at_head else upgrade_schema(conn, schema)
                conn.execute(Tenant.__table__.update().where(Tenant.id == tenant_id).values(schema_version=version))
                if manifest["files"]:
                    staging = _stage_files(archive, manifest["files"], root, schema)
                if hook:
                    hook(conn)
        except BaseException:
            if staging:
                shutil.rmtree(staging, ignore_errors=True)
            raise
    if staging:
        _move_into_place(staging, final)
    tables = manifest["tables"]
    return RestoreReport(tenant_id=tenant_id, slug=slug, schema=schema, name=manifest["tenant"]["name"],
                         revision=revision, tables=len(tables), rows=sum(t["rows"] for t in tables),
                         files=len(manifest["files"]), original_slug=original)


@contextmanager
def _open_archive(path):
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise BackupError(f"no file {path}") from None
    except (OSError, zipfile.BadZipFile) as err:
        raise BackupError(f"{path} is not a company backup: {err}") from None
    with archive:
        yield archive


def _manifest(archive):
    """The manifest, with every name it hands to SQL or to the file system checked first."""
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise BackupError("the archive has no manifest: not a company backup") from None
    except (ValueError, zipfile.BadZipFile) as err:
        raise BackupError(f"the backup's manifest is damaged: {err}") from None
    try:
        if manifest["format"] != FORMAT:
            raise BackupError("not a company backup (its manifest names another format)")
        if manifest["version"] != FORMAT_VERSION:
            raise BackupError(f"backup format version {manifest['version']} is not one this release reads "
                              f"({FORMAT_VERSION})")
        company = manifest["tenant"]
        _require(isinstance(company["slug"], str) and isinstance(company["name"], str), "tenant")
        _require(isinstance(manifest["revision"], str), "revision")
        for table in manifest["tables"]:
            _require(_identifier(table["name"]) and table["name"] != VERSION_TABLE, "table name")
            _require(table["columns"] and all(_identifier(c) for c in table["columns"]), "columns")
            _require(isinstance(table["rows"], int) and isinstance(table["checksum"], str), "table")
        for sequence in manifest["sequences"]:
            _require(isinstance(sequence["last_value"], int) and isinstance(sequence["is_called"], bool), "sequence")
        for file in manifest["files"]:
            _require(safe_path(file["path"]) and isinstance(file["size"], int)
                     and SHA256.fullmatch(file["sha256"] or ""), "file")
        for key in TIME_FIELDS:
            if company.get(key) is not None:
                company[key] = datetime.fromisoformat(company[key])
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise BackupError(f"the backup's manifest is damaged: {type(err).__name__}: {err}") from None
    return manifest


def _require(condition, what):
    if not condition:
        raise ValueError(f"bad {what}")


def _identifier(name):
    return isinstance(name, str) and bool(IDENTIFIER.fullmatch(name))


def _create_company(conn, manifest, slug, schema):
    """The public rows and the schema at head, as provisioning makes them (no admin, no defaults: those are rows)."""
    company = manifest["tenant"]
    values = {key: company.get(key) for key in KEPT_FIELDS}
    values["created_at"] = values["created_at"] or utcnow()
    values["status"] = values["status"] or "trial"
    tenant_id = conn.scalar(insert(Tenant).values(slug=slug, schema_name=schema, **values).returning(Tenant.id))
    base = current_app.config["CRM_BASE_DOMAIN"]
    conn.execute(insert(TenantDomain).values(tenant_id=tenant_id, domain=f"{slug}.{base}", is_primary=True))
    conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    tconn = conn.execution_options(schema_translate_map={TENANT_SCHEMA: schema})
    db.metadata.create_all(tconn, tables=tenant_tables(), checkfirst=False)
    stamp_tenant(conn, schema)
    return tenant_id


def _load(cursor, archive, manifest, schema):
    """Each table's rows by COPY, parents before children, then counted and checksummed against the manifest."""
    wanted = {table["name"]: table for table in manifest["tables"]}
    present = dict(tables_of(cursor, schema))
    if set(wanted) != set(present):
        missing, extra = sorted(set(present) - set(wanted)), sorted(set(wanted) - set(present))
        raise BackupError(f"the backup's tables do not match revision {manifest['revision']}'s "
                          f"(not in the backup: {missing or 'none'}; unknown here: {extra or 'none'})")
    for name, table in wanted.items():
        if set(table["columns"]) != set(present[name]):
            raise BackupError(f"table {name}: the backup's columns do not match revision {manifest['revision']}'s")
    for name in load_order(cursor, schema, list(wanted)):
        try:
            with archive.open(data_member(name)) as source, \
                    cursor.copy(copy_sql(schema, name, wanted[name]["columns"], "FROM STDIN")) as copy:
                while chunk := source.read(CHUNK):
                    copy.write(chunk)
        except KeyError:
            raise BackupError(f"the archive has no rows for table {name}: it is damaged") from None
        except (zipfile.BadZipFile, zlib.error, EOFError) as err:
            raise BackupError(f"the rows of table {name} are damaged in the archive: {err}") from None
        except psycopg.Error as err:  # rows COPY cannot read: damaged in a way the archive's checks missed
            raise BackupError(f"the rows of table {name} do not load: {str(err).splitlines()[0]}") from None
    for name, table in wanted.items():
        rows, checksum = table_checksum(cursor, schema, name)
        if (rows, checksum) != (table["rows"], table["checksum"]):
            raise BackupError(f"table {name}: {rows} rows restored (checksum {checksum}), the backup holds "
                              f"{table['rows']} (checksum {table['checksum']}): the archive is damaged")


def _set_sequences(cursor, manifest, schema):
    """Every sequence past the largest id of its column and past where it stood at the backup."""
    recorded = {(s["table"], s["column"]): s["last_value"] + (1 if s["is_called"] else 0)
                for s in manifest["sequences"]}
    for sequence, table, column in sequences_of(cursor, schema):
        cursor.execute(sql.SQL("SELECT coalesce(max({}), 0) FROM {}.{}").format(
            sql.Identifier(column), sql.Identifier(schema), sql.Identifier(table)))
        largest = cursor.fetchone()[0]
        following = max(largest + 1, recorded.get((table, column), 1))
        # As the original stood: "handed out following - 1" when any was, else "will hand out 1 first".
        name = sql.Identifier(schema, sequence).as_string(cursor.connection)
        cursor.execute("SELECT setval(%s::regclass, %s, %s)",
                       (name, max(following - 1, 1), following > 1))


def _stage_files(archive, files, root, schema):
    """Extract and check the files into a folder beside the companies' folders; returns that folder."""
    os.makedirs(root, exist_ok=True)
    staging = os.path.join(root, f".restore-{schema}-{secrets.token_hex(4)}")
    os.makedirs(staging)
    try:
        for file in files:
            target = os.path.join(staging, *file["path"].split("/"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            digest, size = hashlib.sha256(), 0
            with archive.open(f"files/{file['path']}") as source, open(target, "xb") as out:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
            if (size, digest.hexdigest()) != (file["size"], file["sha256"]):
                raise BackupError(f"file {file['path']} is damaged in the archive")
    except KeyError:
        shutil.rmtree(staging, ignore_errors=True)
        raise BackupError("the archive lacks a file its manifest lists: it is damaged") from None
    except (zipfile.BadZipFile, zlib.error, EOFError) as err:
        shutil.rmtree(staging, ignore_errors=True)
        raise BackupError(f"a file is damaged in the archive: {err}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _move_into_place(staging, final):
    """After the commit: one rename (replacing the empty folder a first page view may have made), else file by file."""
    try:
        os.rename(staging, final)
        return
    except OSError:
        pass
    for relative in walk_files(staging):
        target = os.path.join(final, *relative.split("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.replace(os.path.join(staging, *relative.split("/")), target)
    shutil.rmtree(staging, ignore_errors=True)


# --- the catalog and the checksum, shared by both directions -------------------------------------------------------


def read_manifest(path):
    """The archive's manifest, checked: what it would restore, without restoring it."""
    with _open_archive(path) as archive:
        return _manifest(archive)
