"""Password policy (B6), hashing, and setting a person's password (by themselves or by someone else)."""
import re

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms.validators import ValidationError

from crm_saas.core.users import new_session_token

POLICY_TEXT = _l("At least 8 characters, with letters, digits and a special character.")
# zxcvbn's score (0-4) below which a password counts as common: it knows the lists of leaked passwords
# (Password1!, admin123!, P@ssw0rd1 ...), keyboard walks, dates and l33t spelling, and is maintained for that.
MIN_STRENGTH = 2


def policy_errors(password):
    """Messages for every rule the password breaks; empty when it passes."""
    password = password or ""
    errors = []
    if len(password) < 8:
        errors.append(_l("Password must be at least 8 characters long."))
    if not re.search(r"[A-Za-z]", password):
        errors.append(_l("Password must contain a letter."))
    if not re.search(r"\d", password):
        errors.append(_l("Password must contain a digit."))
    if not re.search(r"[^A-Za-z0-9]", password):
        errors.append(_l("Password must contain a special character."))
    if not errors and _strength(password[:72]) < MIN_STRENGTH:
        errors.append(_l("This password is among the most common ones: choose one nobody would guess."))
    return errors


def hash_password(password):
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def verify_password(password_hash, password):
    return check_password_hash(password_hash, password or "")


def password_policy(form, field):
    """WTForms validator: the policy's messages on the field (sign-up, staff, password change)."""
    errors = policy_errors(field.data)
    if errors:
        raise ValidationError(" ".join(str(e) for e in errors))


def set_password(user, new_password, *, by_self):
    """Store a new password. One set by someone else must be changed at next login."""
    user.password_hash = hash_password(new_password)
    user.must_change_password = not by_self
    user.session_token = new_session_token()


def _strength(password):
    from zxcvbn import zxcvbn  # noqa: PLC0415  (start-up cost: its word lists load on first use, not with the app)

    return zxcvbn(password)["score"]
