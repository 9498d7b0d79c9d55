"""Staff: adding people under a superior."""
from flask_babel import gettext as _
from sqlalchemy import func, select

from crm_saas.blueprints.auth.models import User
from crm_saas.blueprints.auth.passwords import hash_password
from crm_saas.extensions import db


class StaffError(ValueError):
    """``errors`` maps field names to messages."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


def list_staff():
    return db.session.scalars(select(User).order_by(User.id)).all()


def create_staff(data, *, actor):
    """Add a person; the password was set by ``actor``, so it must be changed at first login."""
    errors = {}
    username = data["username"].strip()
    if db.session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
        errors["username"] = [_("This username is already taken.")]
    code = (data.get("code") or "").strip() or None
    if code and db.session.scalar(select(User.id).where(User.code == code)):
        errors["code"] = [_("This staff code is already taken.")]
    superior_id = data.get("superior_id")
    if superior_id and db.session.get(User, superior_id) is None:
        errors["superior_id"] = [_("Choose an existing superior.")]
    if errors:
        raise StaffError(errors)
    user = User(
        username=username, code=code, name=data["name"].strip(), phone=(data.get("phone") or "").strip() or None,
        title=(data.get("title") or "").strip() or None, role=data.get("role") or "rep",
        superior_id=superior_id or None, password_hash=hash_password(data["password"]),
        must_change_password=True,
    )
    db.session.add(user)
    db.session.commit()
    return user
