"""Field checks shared by forms and the API, with messages that name the field."""
import re

from email_validator import EmailNotValidError, validate_email
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
