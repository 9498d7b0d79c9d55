"""One row on its way in: its cells, what they mean, what the rules said, and what will be done with it.

``Mapper`` reads a row's cells through the batch's mapping (and the defaults
for empty cells); the checks of each kind fill in ``errors`` and ``action``;
``problems`` words the errors as the importer reads them ("第 12 行
联系电话：不能为空").
"""
from dataclasses import dataclass, field

from flask_babel import gettext as _

from crm_saas.blueprints.imports.services.fields import field_map
from crm_saas.blueprints.imports.services.reading import blank

CHUNK = 1000  # rows checked (and written) together: one duplicate lookup, one COPY, one commit

CREATE, UPDATE, SKIP, ERROR = "create", "update", "skip", "error"


@dataclass
class Row:
    number: int
    cells: list
    filled: dict  # the file's own non-empty cells, by field
    values: dict  # the same with the defaults for empty cells
    data: dict = None
    extra: dict = None
    errors: dict = field(default_factory=dict)  # import field -> messages
    action: str = CREATE
    duplicate: str = None  # what it duplicates, in words, when it does
    target: object = None  # the record an update changes
    changes: dict = None
    keys: list = None  # what a customer row is known by, for duplicates (customer_check.row_keys)


class Mapper:
    """Cells -> ``(filled, values)`` by field key, through the batch's mapping and defaults."""

    def __init__(self, imp):
        known = field_map(imp.kind)
        self.fields = known
        self.slots = [(index, imp.mapping.get(column)) for index, column in enumerate(imp.columns)
                      if imp.mapping.get(column) in known]
        self.defaults = {key: value for key, value in (imp.defaults or {}).items()
                         if key in known and not blank(value)}

    def row(self, number, cells):
        filled = {key: cells[index] for index, key in self.slots if not blank(cells[index])}
        return Row(number, cells, filled, {**self.defaults, **filled})


def chunks(source_rows, mapper, size=CHUNK):
    """The file's rows as ``Row``s, ``size`` at a time."""
    chunk = []
    for number, cells in source_rows:
        chunk.append(mapper.row(number, cells))
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def problem_text(row_number, label, message):
    """"Row 12 Contact phone: is required" / "第 12 行 联系电话：不能为空".

    The rules' messages often begin with the field's own name ("联系电话不能为空");
    said once is enough, so a message that starts with the label loses it.
    """
    label, message = str(label), str(message)
    if label and message.startswith(label):
        rest = message[len(label):].lstrip(" :：")
        if rest and (message[len(label)] in ":：" or not label.isascii()):
            message = rest
    return _("Row %(row)s %(field)s: %(message)s", row=row_number, field=label, message=message)


def row_problems(row, fields):
    """``[(field, message)]`` of a row's errors, each worded with the row and the field's label."""
    found = []
    for key, messages in row.errors.items():
        label = fields[key].label if key in fields else key
        for message in messages:
            found.append((key, problem_text(row.number, label, message)))
    return found
