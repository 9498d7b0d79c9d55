"""One pass over a batch's rows: the dry run (check only) and the commit (check, then write) are the same walk.

The file is read a chunk of rows at a time; each chunk is checked by its
kind's rules, written (on commit), and its problems saved, then let go, so
memory stays flat however long the file is. The rejected rows go to the
error workbook as they come. The commit checks every row again rather than
trusting the dry run: records may have changed in between.
"""
from sqlalchemy import delete, insert

from crm_saas.blueprints.imports.models import ImportProblem
from crm_saas.blueprints.imports.services import storage
from crm_saas.blueprints.imports.services.contact_check import ContactCheck
from crm_saas.blueprints.imports.services.customer_check import CustomerCheck
from crm_saas.blueprints.imports.services.error_book import ErrorBook
from crm_saas.blueprints.imports.services.fields import field_map
from crm_saas.blueprints.imports.services.linked_check import ActivityCheck, DealCheck
from crm_saas.blueprints.imports.services.reading import Source
from crm_saas.blueprints.imports.services.rows import CREATE, ERROR, SKIP, UPDATE, Mapper, chunks, row_problems
from crm_saas.blueprints.imports.services.writing import ActivityWriter, ContactWriter, CustomerWriter, DealWriter
from crm_saas.extensions import db

TOTALS = ("rows", "valid", "errors", "duplicates", "created", "updated", "skipped")
CHECKS = {"customers": CustomerCheck, "contacts": ContactCheck, "deals": DealCheck, "activities": ActivityCheck}
WRITERS = {"customers": CustomerWriter, "contacts": ContactWriter, "deals": DealWriter,
           "activities": ActivityWriter}
DONE = {CREATE: "created", UPDATE: "updated", SKIP: "skipped"}


def source_of(imp):
    source = Source(storage.path_of(imp.file_name), imp.file_format, imp.kind, imp.encoding, imp.sheet)
    source.header_row, source.columns = imp.header_row, list(imp.columns)
    return source


def walk(imp, actor, *, commit=False, progress=None):
    """Check (and with ``commit``, write) every row; returns the totals. Problems and the error file are kept."""
    fields, mapper = field_map(imp.kind), Mapper(imp)
    check = CHECKS[imp.kind](imp, actor)
    writer = WRITERS[imp.kind](imp, actor) if commit else None
    totals = dict.fromkeys(TOTALS, 0)
    expected = (imp.totals or {}).get("rows") or 0
    db.session.execute(delete(ImportProblem).where(ImportProblem.import_id == imp.id))
    db.session.commit()
    book = ErrorBook(storage.path_of(storage.error_name(imp)), imp.columns)
    for chunk in chunks(source_of(imp).rows(), mapper):
        check.check(chunk)
        if writer is not None:
            writer.write(chunk)
        problems = []
        for row in chunk:
            _count(totals, row, commit)
            if row.action == ERROR:
                found = row_problems(row, fields)
                book.add([message for _field, message in found], row.cells)
                problems += [{"import_id": imp.id, "kind": "error", "row": row.number, "field": field,
                              "message": message} for field, message in found]
            if row.duplicate:
                problems.append({"import_id": imp.id, "kind": "duplicate", "row": row.number, "field": None,
                                 "message": row.duplicate})
        if problems:
            db.session.execute(insert(ImportProblem), problems)
        db.session.commit()
        if progress is not None and expected:
            progress(totals["rows"] * 100 // expected)
    imp.error_file_name = storage.error_name(imp) if book.close() else None
    return totals


def _count(totals, row, commit):
    totals["rows"] += 1
    totals["errors" if row.action == ERROR else "valid"] += 1
    totals["duplicates"] += bool(row.duplicate)
    if commit and row.action in DONE:
        totals[DONE[row.action]] += 1
