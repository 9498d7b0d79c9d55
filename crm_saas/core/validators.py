"""Field checks shared by forms and the API, with messages that name the field."""
import re
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def is_cn_phone(value):
    """An 11-digit mainland mobile, or a landline with its area code (C3)."""
    value = re.sub(r"[\s()]", "", value or "").removeprefix("+86")
    return bool(_MOBILE.match(value) or _LANDLINE.match(value))


def is_email(value):
    """Syntax only: deliverability would need DNS on every save."""
    # Loaded on the first check, not with the app: its tables cost 50 ms of every process's start-up.
    from email_validator import EmailNotValidError, validate_email  # noqa: PLC0415

    try:
        validate_email(value or "", check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


class CnPhone:
    def __init__(self, message=None):
        self.message = message or _l("Enter an 11-digit mobile number or a landline with area code.")

    def __call__(self, form, field):
        if field.data and not is_cn_phone(field.data):
            raise ValidationError(self.message)


# GB 11643: 6 digits of area, 8 of birth date, 3 of sequence, and a check character (0-9 or X).
_RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3})([0-9Xx])(?![0-9A-Za-z])")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def holds_resident_id(text):
    """Whether ``text`` holds a mainland resident ID number (身份证号码): its shape, a real birth date, its check.

    C12: the CRM never stores identity numbers, so free text carrying one is
    refused. The date and the check character keep order and phone numbers
    of 18 digits from being taken for one.
    """
    if not isinstance(text, str):
        return False
    for match in _RESIDENT_ID.finditer(text):
        digits = "".join(match.groups()[:3])
        born = match.group(2)
        try:
            birthday = date(int(born[:4]), int(born[4:6]), int(born[6:]))
        except ValueError:
            continue
        check = _ID_CHECK[sum(int(d) * w for d, w in zip(digits, _ID_WEIGHTS, strict=True)) % 11]
        if birthday.year >= 1900 and match.group(4).upper() == check:
            return True
    return False


def resident_id_message(label):
    """The refusal, naming the field as its form labels it."""
    return _("%(field)s: do not enter a resident ID number; the CRM keeps none.", field=label)


def resident_id_errors(data, labels):
    """``{field: [message]}`` for each field of ``labels`` whose text in ``data`` holds a resident ID number."""
    return {field: [resident_id_message(label)]
            for field, label in labels.items() if holds_resident_id(data.get(field))}
