"""Backups per company: one archive holds a company's rows and files; a restore makes a company of it again.

``crm-saas tenants backup SLUG FILE`` (here) and ``crm-saas tenants restore FILE [--as NEWSLUG]`` (restore.py).

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
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from psycopg import sql
from sqlalchemy import select

from crm_saas.core.base import utcnow
from crm_saas.extensions import db
from crm_saas.tenants.binding import check_schema_name
from crm_saas.tenants.models import Tenant, TenantDomain

FORMAT = "crm_saas-company-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024
VERSION_TABLE = "alembic_version"

# One name of a file's path: nothing hidden (so neither "." nor ".."), no separator, no NUL.
FILE_PART = re.compile(r"^[^./\\\x00][^/\\\x00]{0,254}$")

# The same text for the same rows on any server and in any session: COPY's text and to_jsonb depend on these.
SESSION_SETTINGS = (
    "SET LOCAL client_encoding = 'UTF8'",
    "SET LOCAL TimeZone = 'UTC'",
    "SET LOCAL DateStyle = 'ISO, YMD'",
    "SET LOCAL IntervalStyle = 'postgres'",
    "SET LOCAL extra_float_digits = 3",
    "SET LOCAL bytea_output = 'hex'",
)

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
            cursor = raw_cursor(snapshot)
            fix_session(cursor)
            revision = _revision(cursor, schema)
            tables = []
            found = dict(tables_of(cursor, schema))
            for table in load_order(cursor, schema, list(found)):  # the manifest reads parents first
                columns = found[table]
                with archive.open(data_member(table), "w", force_zip64=True) as member, \
                        cursor.copy(copy_sql(schema, table, columns, "TO STDOUT")) as copy:
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
                         for _, table, column, last, called in sequences_of(cursor, schema, positions=True)]
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
        remove_path(temp)
        raise


def _write_files(archive, folder):
    """Every file of the company's folder by its path in it; names starting with a dot (uploads under way) left out."""
    files = []
    for relative in walk_files(folder):
        if not safe_path(relative):
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


def walk_files(folder):
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


def table_checksum(cursor, schema, table):
    """``(rows, checksum)`` of a table: md5 of each row as ``to_jsonb(row)::text``, summed as two 64-bit halves.

    Independent of the columns' physical order and of the rows' order; run
    it after ``fix_session`` (times in UTC), as the backup and the restore do.
    """
    cursor.execute(sql.SQL(
        "SELECT count(*), coalesce(sum(('x' || substr(h, 1, 16))::bit(64)::bigint), 0),"
        " coalesce(sum(('x' || substr(h, 17, 16))::bit(64)::bigint), 0)"
        " FROM (SELECT md5(to_jsonb(r.*)::text) AS h FROM {}.{} AS r) AS hashed"
    ).format(sql.Identifier(schema), sql.Identifier(table)))
    rows, high, low = cursor.fetchone()
    return int(rows), f"{int(high) % 2**64:016x}{int(low) % 2**64:016x}"


def raw_cursor(connection):
    """A psycopg cursor on the SQLAlchemy connection's own DBAPI connection, so in its transaction."""
    return connection.connection.driver_connection.cursor()


def fix_session(cursor):
    for statement in SESSION_SETTINGS:
        cursor.execute(statement)


def _revision(cursor, schema):
    cursor.execute(sql.SQL("SELECT version_num FROM {}.{}").format(sql.Identifier(schema),
                                                                     sql.Identifier(VERSION_TABLE)))
    versions = [row[0] for row in cursor.fetchall()]
    if len(versions) != 1:
        raise BackupError(f"schema {schema} records {len(versions)} migration versions; expected one")
    return versions[0]


def tables_of(cursor, schema):
    """``[(table, [columns])]`` of the schema's tables, by name; stored columns in their order (none generated)."""
    cursor.execute(
        """SELECT c.relname, array_agg(a.attname::text ORDER BY a.attnum) FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid
           WHERE n.nspname = %s AND c.relkind = 'r' AND c.relname <> %s
             AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
           GROUP BY c.relname ORDER BY c.relname""", (schema, VERSION_TABLE))
    return [(name, list(columns)) for name, columns in cursor.fetchall()]


def sequences_of(cursor, schema, *, positions=False):
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


def copy_sql(schema, table, columns, direction):
    return sql.SQL("COPY {}.{} ({}) " + direction).format(
        sql.Identifier(schema), sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)))


def data_member(table):
    return f"data/{table}.copy"


def remove_path(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass

def load_order(cursor, schema, names):
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


def safe_path(path):
    """A relative path of plain names: nothing absolute, no ``..``, nothing hidden."""
    return isinstance(path, str) and all(FILE_PART.fullmatch(part) for part in path.split("/"))
