"""Backups per company: one archive holds a company's rows and files; a restore makes a company of it again.

``crm-saas tenants backup SLUG FILE`` and ``crm-saas tenants restore FILE [--as NEWSLUG]``.

**No pg_dump.** The server may be the embedded one from the wheel (PostgreSQL
17 or 18) while the machine's ``pg_dump`` is 15, and pg_dump refuses a newer
server. The app's own connection is enough: a company is one schema, its
tables are listed by the catalog, and psycopg's ``COPY ... TO STDOUT`` /
``FROM STDIN`` streams each table's rows in PostgreSQL's text format, which
servers of other versions read back (a backup taken on the embedded 18
restores on the machine's 15).

**What is read**, in one ``REPEATABLE READ READ ONLY`` transaction, so the
rows agree with each other while the company keeps working: the company's
row in ``public.tenants`` (and its domains, for the record), the tables of
its own schema, each sequence owned by them, and the schema's Alembic
revision (its ``alembic_version``, which says what the tables look like).
Then the files under ``CRM_FILES_DIR/<schema>/`` (files are not
transactional: a file uploaded during the backup may be missing, one
deleted meanwhile may be kept; both are harmless). Nothing of another
company is read: every statement names this schema or filters the catalog
on it.

**The archive** is a zip, chosen over tar.gz because a zip member can be
written as a stream of unknown length (each table's COPY goes straight into
it, with no temporary copy) and read back by name with its CRC checked:

- ``manifest.json``: format and version, the time, the company's public row,
  the revision, every table with its columns, row count and checksum, every
  sequence's position, every file with its size and SHA-256;
- ``data/<table>.copy``: the table's rows (COPY text format, UTF-8, dates
  ISO in UTC);
- ``files/<name>``: the attached files.

The file holds password hashes and customers' personal data: it is written
readable by its owner only (0600), under a temporary name renamed into place
when complete, so a failed backup leaves no half archive behind. Secrets in
settings (the SMTP password) are kept as stored, encrypted with
``CRM_ENCRYPTION_KEY``: restored on an installation with another key, the
admin types them again (core/crypto.py).

**Checksums** are computed by PostgreSQL on both sides: each row as
``to_jsonb(row)::text`` (keys sorted, so the columns' physical order does
not matter; session settings fixed so times read the same), hashed with
md5, the hashes summed as two 64-bit halves. The sum needs no ordering, no
primary key and constant memory, however long the table; the row count is
kept beside it. A restore recomputes both after loading and refuses (rolls
back) on any difference, so what it commits is what was backed up.

**Restore** creates a new company: a new ``tenants`` row with the kept fields
of the old one (name, status, expiry, contact, rep code, times; never ids or
references into the public schema of the installation it came from), the
domain ``<slug>.<CRM_BASE_DOMAIN>`` (other domains belong to the original),
and a new schema. Without ``--as`` the original slug is used only if no
company has it; with ``--as`` the new slug is checked as sign-up checks it.
The schema is built as provisioning builds it (``create_all`` at head and a
stamp); a backup taken at an older revision gets that schema walked down
to its revision first (the track cannot build a schema from nothing, its
baseline is empty), the rows loaded and checked there, then walked up to
head, so the same migrations that upgraded every other company upgrade its
rows. Each sequence is set past both its recorded position and the table's
largest id, so the restored company adds records, and never hands out an id
the original had used and deleted (the operation log still names it).

Everything is one transaction: a failure anywhere (a damaged archive, a
checksum, a migration, ``hook``) leaves no row, no schema. Files are
extracted and checked into a staging folder beside the files folders
before the commit and moved into place after it; on failure the staging
folder is removed.

**Sessions.** Rows are restored exactly, ``login_sessions``,
``users.session_token`` and ``api_tokens`` included, so the copy is identical
table for table; nothing is rotated. Browser sessions do not carry over
anyway: a cookie names its company's ``tenants.id``, and a restore gets a
new one (on another installation the cookie would also need its
``SECRET_KEY``); under a new slug the browser does not even send it to the
new host. People sign in again, with their own passwords. API tokens are
bearer secrets looked up on the host they are sent to, so a token of the
original also works on a copy: a restore is that company as it was, and
what could sign in to it then (passwords, tokens) signs in to the restore.
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
from sqlalchemy import insert, select, text

from crm_saas.core.base import TENANT_SCHEMA, tenant_tables, utcnow
from crm_saas.extensions import db
from crm_saas.tenants.binding import check_schema_name
from crm_saas.tenants.migrate import (
    TENANT,
    downgrade_tenant,
    head,
    stamp_tenant,
    tenant_revisions,
    upgrade_schema,
)
from crm_saas.tenants.models import Tenant, TenantDomain
from crm_saas.tenants.provisioning import check_slug, schema_for

FORMAT = "crm_saas-company-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024
VERSION_TABLE = "alembic_version"

# The public row's fields a restored company keeps; the rest (id, slug, schema, version) the restore decides.
KEPT_FIELDS = ("name", "status", "expires_at", "contact_name", "contact_phone", "contact_email", "rep_code",
               "created_at", "last_activity_at")
TIME_FIELDS = ("expires_at", "created_at", "last_activity_at")

# The same text for the same rows on any server and in any session: COPY's text and to_jsonb depend on these.
SESSION_SETTINGS = (
    "SET LOCAL client_encoding = 'UTF8'",
    "SET LOCAL TimeZone = 'UTC'",
    "SET LOCAL DateStyle = 'ISO, YMD'",
    "SET LOCAL IntervalStyle = 'postgres'",
    "SET LOCAL extra_float_digits = 3",
    "SET LOCAL bytea_output = 'hex'",
)

IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# One name of a file's path: nothing hidden (so neither "." nor ".."), no separator, no NUL.
FILE_PART = re.compile(r"^[^./\\\x00][^/\\\x00]{0,254}$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the person who typed the command."""


@dataclass
class BackupReport:
    slug: str
    name: str
    revision: str
    path: str
    tables: int
    rows: int
    files: int


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


def files_root(app=None):
    """Where every company's files folder lives: the files feature's rule (``CRM_FILES_DIR`` or ``<instance>/files``).

    Read from the config here, not imported: the tenancy layer knows no feature.
    """
    app = app or current_app
    return app.config.get("CRM_FILES_DIR") or os.path.join(app.instance_path, "files")


# --- backup -------------------------------------------------------------------------------------------------------


def backup_tenant(slug, path):
    """Write the company ``slug`` (rows and files) to the archive ``path``; returns a BackupReport."""
    path = os.path.abspath(path)
    with _new_file(path) as out, zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with db.engine.connect() as snapshot, snapshot.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True).begin():
            company = snapshot.execute(select(Tenant.__table__).where(Tenant.slug == slug)).mappings().first()
            if company is None:
                raise BackupError(f"no company has the subdomain {slug!r}")
            schema = check_schema_name(company["schema_name"])
            domains = snapshot.scalars(select(TenantDomain.domain).where(TenantDomain.tenant_id == company["id"])
                                       .order_by(TenantDomain.id)).all()
            cursor = _raw_cursor(snapshot)
            _fix_session(cursor)
            revision = _revision(cursor, schema)
            tables = []
            found = dict(_tables(cursor, schema))
            for table in _load_order(cursor, schema, list(found)):  # the manifest reads parents first
                columns = found[table]
                with archive.open(_data_member(table), "w", force_zip64=True) as member, \
                        cursor.copy(_copy_sql(schema, table, columns, "TO STDOUT")) as copy:
                    buffer = bytearray()  # COPY hands over a row at a time: write to the zip a megabyte at a time
                    for row in copy:
                        buffer += row
                        if len(buffer) >= CHUNK:
                            member.write(buffer)
                            buffer.clear()
                    member.write(buffer)
                rows, checksum = table_checksum(cursor, schema, table)
                tables.append({"name": table, "columns": columns, "rows": rows, "checksum": checksum})
            sequences = [{"table": table, "column": column, "last_value": last, "is_called": called}
                         for _, table, column, last, called in _sequences(cursor, schema, positions=True)]
        files = _write_files(archive, os.path.join(files_root(), schema))
        manifest = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "created_at": utcnow().isoformat(),
            "tenant": {key: _jsonable(value) for key, value in company.items() if key != "id"},
            "domains": list(domains),
            "revision": revision,
            "tables": tables,
            "sequences": sequences,
            "files": files,
        }
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    return BackupReport(slug=slug, name=company["name"], revision=revision, path=path, tables=len(tables),
                        rows=sum(t["rows"] for t in tables), files=len(files))


@contextmanager
def _new_file(path):
    """A file only its owner may read, complete at ``path`` or not there at all."""
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        raise BackupError(f"no folder {folder} to write the backup in")
    temp = os.path.join(folder, f".{os.path.basename(path)}.{secrets.token_hex(4)}.partial")
    handle = os.fdopen(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        _remove(temp)
        raise


def _write_files(archive, folder):
    """Every file of the company's folder by its path in it; names starting with a dot (uploads under way) left out."""
    files = []
    for relative in _walk_files(folder):
        if not _safe_path(relative):
            raise BackupError(f"cannot keep the file {os.path.join(folder, relative)!r}: a restore refuses its name")
        digest, size = hashlib.sha256(), 0
        with open(os.path.join(folder, relative), "rb") as source, \
                archive.open(f"files/{relative}", "w", force_zip64=True) as member:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                member.write(chunk)
        files.append({"path": relative, "size": size, "sha256": digest.hexdigest()})
    return files


def _walk_files(folder):
    if not os.path.isdir(folder):
        return []
    found = []
    for current, folders, names in os.walk(folder):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        for name in sorted(names):
            full = os.path.join(current, name)
            if name.startswith(".") or os.path.islink(full) or not os.path.isfile(full):
                continue
            found.append(os.path.relpath(full, folder).replace(os.sep, "/"))
    return found


def _jsonable(value):
    """Times as ISO 8601 text; anything else JSON has no type for as text."""
    if isinstance(value, datetime):
        return value.isoformat()
    return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)


# --- restore ------------------------------------------------------------------------------------------------------


def read_manifest(path):
    """The archive's manifest, checked: what it would restore, without restoring it."""
    with _open_archive(path) as archive:
        return _manifest(archive)


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
                cursor = _raw_cursor(conn)
                _fix_session(cursor)
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
            _require(_safe_path(file["path"]) and isinstance(file["size"], int)
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


def _safe_path(path):
    """A relative path of plain names: nothing absolute, no ``..``, nothing hidden."""
    return isinstance(path, str) and all(FILE_PART.fullmatch(part) for part in path.split("/"))


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
    present = dict(_tables(cursor, schema))
    if set(wanted) != set(present):
        missing, extra = sorted(set(present) - set(wanted)), sorted(set(wanted) - set(present))
        raise BackupError(f"the backup's tables do not match revision {manifest['revision']}'s "
                          f"(not in the backup: {missing or 'none'}; unknown here: {extra or 'none'})")
    for name, table in wanted.items():
        if set(table["columns"]) != set(present[name]):
            raise BackupError(f"table {name}: the backup's columns do not match revision {manifest['revision']}'s")
    for name in _load_order(cursor, schema, list(wanted)):
        try:
            with archive.open(_data_member(name)) as source, \
                    cursor.copy(_copy_sql(schema, name, wanted[name]["columns"], "FROM STDIN")) as copy:
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


def _load_order(cursor, schema, names):
    """Tables with the tables their foreign keys point at first (a table's rows may point at each other)."""
    needs = {name: set() for name in names}
    cursor.execute(
        """SELECT src.relname, dst.relname FROM pg_constraint c
           JOIN pg_class src ON src.oid = c.conrelid JOIN pg_namespace n ON n.oid = src.relnamespace
           JOIN pg_class dst ON dst.oid = c.confrelid
           WHERE c.contype = 'f' AND n.nspname = %s""", (schema,))
    for source, target in cursor.fetchall():
        if source in needs and target in needs and source != target:
            needs[source].add(target)
    order = []
    while needs:
        ready = sorted(name for name, wanted in needs.items() if not wanted)
        if not ready:
            raise BackupError(f"the foreign keys of tables {sorted(needs)} form a cycle: no order loads them")
        order.extend(ready)
        for name in ready:
            del needs[name]
        for wanted in needs.values():
            wanted.difference_update(ready)
    return order


def _set_sequences(cursor, manifest, schema):
    """Every sequence past the largest id of its column and past where it stood at the backup."""
    recorded = {(s["table"], s["column"]): s["last_value"] + (1 if s["is_called"] else 0)
                for s in manifest["sequences"]}
    for sequence, table, column in _sequences(cursor, schema):
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
    for relative in _walk_files(staging):
        target = os.path.join(final, *relative.split("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.replace(os.path.join(staging, *relative.split("/")), target)
    shutil.rmtree(staging, ignore_errors=True)


# --- the catalog and the checksum, shared by both directions -------------------------------------------------------


def table_checksum(cursor, schema, table):
    """``(rows, checksum)`` of a table: md5 of each row as ``to_jsonb(row)::text``, summed as two 64-bit halves.

    Independent of the columns' physical order and of the rows' order; run
    it after ``_fix_session`` (times in UTC), as the backup and the restore do.
    """
    cursor.execute(sql.SQL(
        "SELECT count(*), coalesce(sum(('x' || substr(h, 1, 16))::bit(64)::bigint), 0),"
        " coalesce(sum(('x' || substr(h, 17, 16))::bit(64)::bigint), 0)"
        " FROM (SELECT md5(to_jsonb(r.*)::text) AS h FROM {}.{} AS r) AS hashed"
    ).format(sql.Identifier(schema), sql.Identifier(table)))
    rows, high, low = cursor.fetchone()
    return int(rows), f"{int(high) % 2**64:016x}{int(low) % 2**64:016x}"


def _raw_cursor(connection):
    """A psycopg cursor on the SQLAlchemy connection's own DBAPI connection, so in its transaction."""
    return connection.connection.driver_connection.cursor()


def _fix_session(cursor):
    for statement in SESSION_SETTINGS:
        cursor.execute(statement)


def _revision(cursor, schema):
    cursor.execute(sql.SQL("SELECT version_num FROM {}.{}").format(sql.Identifier(schema),
                                                                     sql.Identifier(VERSION_TABLE)))
    versions = [row[0] for row in cursor.fetchall()]
    if len(versions) != 1:
        raise BackupError(f"schema {schema} records {len(versions)} migration versions; expected one")
    return versions[0]


def _tables(cursor, schema):
    """``[(table, [columns])]`` of the schema's tables, by name; stored columns in their order (none generated)."""
    cursor.execute(
        """SELECT c.relname, array_agg(a.attname::text ORDER BY a.attnum) FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid
           WHERE n.nspname = %s AND c.relkind = 'r' AND c.relname <> %s
             AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
           GROUP BY c.relname ORDER BY c.relname""", (schema, VERSION_TABLE))
    return [(name, list(columns)) for name, columns in cursor.fetchall()]


def _sequences(cursor, schema, *, positions=False):
    """``[(sequence, table, column)]`` of the sequences owned by the schema's columns (serial and identity).

    With ``positions``, each also carries ``last_value`` and ``is_called``.
    """
    cursor.execute(
        """SELECT s.relname, t.relname, a.attname FROM pg_class s
           JOIN pg_namespace n ON n.oid = s.relnamespace
           JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass
                AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
           JOIN pg_class t ON t.oid = d.refobjid
           JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
           WHERE s.relkind = 'S' AND n.nspname = %s ORDER BY t.relname, a.attname""", (schema,))
    found = cursor.fetchall()
    if not positions:
        return found
    result = []
    for sequence, table, column in found:
        cursor.execute(sql.SQL("SELECT last_value, is_called FROM {}.{}").format(sql.Identifier(schema),
                                                                                  sql.Identifier(sequence)))
        last, called = cursor.fetchone()
        result.append((sequence, table, column, int(last), bool(called)))
    return result


def _copy_sql(schema, table, columns, direction):
    return sql.SQL("COPY {}.{} ({}) " + direction).format(
        sql.Identifier(schema), sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)))


def _data_member(table):
    return f"data/{table}.copy"


def _remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
