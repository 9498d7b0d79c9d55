"""Cells as the rules expect them: text, codes for labels, dates, numbers, people, places.

A cell is turned into what the form or the API would have sent for the same
thing (a code for "零售", a date for 2023/1/15, a username's id), and then
judged by the feature's own rules; what cannot be turned is passed on as it
is, so the rule's own message names the problem (C5).
"""
import re
from datetime import date, datetime, timedelta

from flask_babel import gettext as _

from crm_saas.blueprints.imports.services.fields import fold, in_languages
from crm_saas.blueprints.imports.services.reading import as_text, blank
from crm_saas.core import regions
from crm_saas.core.campaign_refs import campaign_ids_by_name, name_key
from crm_saas.core.staff import assignable_people
from crm_saas.core.users import User
from crm_saas.extensions import db

_SPLIT = re.compile(r"[,，;；、|\n]+")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                   r"(?:[ T]+(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?$")
_EXCEL_EPOCH = datetime(1899, 12, 30)


def text(cell):
    return as_text(cell) or None


def split_list(cell):
    """Tags and multiple choices: separated by commas, semicolons or 、 in either width."""
    return [part.strip() for part in _SPLIT.split(as_text(cell)) if part.strip()]


def parse_datetime(cell):
    """A naive datetime (company time) from a date cell, ISO or Chinese-style text, or an Excel day number."""
    if isinstance(cell, datetime):
        return cell
    if isinstance(cell, date):
        return datetime.combine(cell, datetime.min.time())
    if isinstance(cell, (int, float)) and not isinstance(cell, bool) and 1 <= cell < 2958466:
        return _EXCEL_EPOCH + timedelta(days=float(cell))
    found = _DATE.match(as_text(cell))
    if not found:
        return None
    try:
        return datetime(*(int(part or 0) for part in found.groups()))
    except ValueError:
        return None


class Choices:
    """A code list read in any of its spellings: the code, its label in either language, a usual word.

    A value that begins one label only (零售 for 零售商贸) is that label's
    code; anything else is passed on as typed for the rule to refuse.
    """

    def __init__(self, codes, extra=None):
        self.index, self.labels = {}, []
        for code, label in codes.items():
            self.index.setdefault(fold(code), code)
            for name in in_languages(label):
                self.index.setdefault(fold(name), code)
                self.labels.append((fold(name), code))
        for word, code in (extra or {}).items():
            self.index.setdefault(fold(word), code)

    def code(self, cell):
        value = as_text(cell)
        key = fold(value)
        if key in self.index:
            return self.index[key]
        starts = {code for label, code in self.labels if key and label.startswith(key)}
        return starts.pop() if len(starts) == 1 else value


class People:
    """The people an importer may make owner, found by username, staff code or (unique) name."""

    def __init__(self, actor):
        self.actor = actor
        self._index = None

    def _build(self):
        rows = db.session.execute(assignable_people(self.actor).with_only_columns(
            User.id, User.username, User.code, User.name)).all()
        index, names = {}, {}
        for person_id, username, code, name in rows:
            index[fold(username)] = person_id
            if code:
                index.setdefault(fold(code), person_id)
            names.setdefault(fold(name), set()).add(person_id)
        for key, ids in names.items():
            if len(ids) == 1:
                index.setdefault(key, next(iter(ids)))
        return index

    def find(self, cell):
        if self._index is None:
            self._index = self._build()
        return self._index.get(fold(as_text(cell)))

    def message(self, cell):
        return _("No one you may assign has the username or staff code %(value)s.", value=as_text(cell))


class Campaigns:
    """The company's campaigns found by name, exactly but for case (G1): an unknown name is the row's error,
    never a guess, since a campaign's figures (its customers, deals and ROI) are built on it."""

    def __init__(self):
        self._index = None

    def find(self, cell):
        """``(id, error)``: the campaign the cell names, or None and why not."""
        if self._index is None:
            self._index = campaign_ids_by_name()
        key = name_key(as_text(cell))
        if key not in self._index:
            return None, _("No campaign is named %(value)s: use a campaign's name as its page shows it.",
                           value=as_text(cell))
        if self._index[key] is None:
            return None, _("Several campaigns are named %(value)s: rename one to tell them apart.",
                           value=as_text(cell))
        return self._index[key], None


def complete_region(province, city, district):
    """Names as the national list writes them, where the short form meant one only: 广东 -> 广东省, 深圳 -> 深圳市."""
    province = _complete(province, regions.provinces())
    city = _complete(city, regions.cities(province)) if province else city
    district = _complete(district, regions.districts(province, city)) if province and city else district
    return province, city, district


def _complete(value, names):
    if not value or value in names:
        return value
    starts = [name for name in names if name.startswith(value)]
    return starts[0] if len(starts) == 1 else value


def present(values, key):
    return key in values and not blank(values[key])
