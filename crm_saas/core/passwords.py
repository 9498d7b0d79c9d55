"""Password policy (B6) and hashing."""
import re

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

POLICY_TEXT = _l("At least 8 characters, with letters, digits and a special character.")


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
    return errors


def hash_password(password):
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def verify_password(password_hash, password):
    return check_password_hash(password_hash, password or "")
