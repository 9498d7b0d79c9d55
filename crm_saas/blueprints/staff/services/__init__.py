"""Staff: adding, editing and moving people in the tree (B1, B2).

Departures are in ``departures.py``. Every change is written to the
operation log in the same transaction as the change itself.
"""
import re

from flask_babel import gettext as _
from sqlalchemy import func, select

from crm_saas.blueprints.auth.services import revoke_tokens
from crm_saas.core.audit import record
from crm_saas.core.errors import FieldErrors
from crm_saas.core.passwords import hash_password, set_password
from crm_saas.core.roles import BUILT_IN, custom_roles
from crm_saas.core.users import User
from crm_saas.core.visibility import forget_walks, subtree_ids
from crm_saas.extensions import db
from crm_saas.tenants.binding import current_schema

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")
EDITABLE = ("code", "username", "name", "phone", "email", "title", "region", "role", "superior_id")


class StaffError(FieldErrors):
    """Refused staff change, naming the fields."""


def _clean(value):
    """Blank text is no value; other types pass through."""
    if value is None or isinstance(value, str):
        return (value or "").strip() or None
    return value


def check_staff(data, *, actor, user=None):
    """Every rule on the given fields, as ``{field: [message]}``; fields absent from ``data`` are not judged."""
    errors = {}
    if "username" in data:
        username = (data["username"] or "").strip()
        clash = select(User.id).where(func.lower(User.username) == username.lower())
        if not username:
            errors["username"] = [_("Username is required.")]
        elif not USERNAME_RE.match(username):
            errors["username"] = [_("Use 2-64 letters, digits, dots, dashes or underscores.")]
        elif db.session.scalar(clash if user is None else clash.where(User.id != user.id)):
            errors["username"] = [_("This username is already taken.")]
    if "name" in data and not (data["name"] or "").strip():
        errors["name"] = [_("Name is required.")]
    code = _clean(data.get("code"))
    if code:
        clash = select(User.id).where(func.lower(User.code) == code.lower())
        if db.session.scalar(clash if user is None else clash.where(User.id != user.id)):
            errors["code"] = [_("This staff code is already taken.")]
    if "role" in data:
        role = data["role"] or "rep"
        if role not in BUILT_IN and role not in custom_roles():
            errors["role"] = [_("Choose one of the company's roles.")]
        elif actor.role != "admin" and (role == "admin" or (user is not None and user.role == "admin")):
            errors["role"] = [_("Only an administrator can appoint or change administrators.")]
        elif user is not None and user.role == "admin" and role != "admin" and _last_admin(user):
            errors["role"] = [_("The company needs at least one active administrator.")]
    if data.get("superior_id"):
        errors.update(_check_superior(data["superior_id"], user))
    return errors


def _check_superior(superior_id, user):
    """An active superior outside ``user``'s own subtree.

    Moves in one company queue behind a transaction-scoped advisory lock, so
    two moves checked at the same time (A under B, B under A) cannot both
    pass and store a cycle.
    """
    if user is not None:
        db.session.execute(select(func.pg_advisory_xact_lock(func.hashtext("staff-tree:" + current_schema()))))
        forget_walks()  # under the lock the tree may differ from an earlier walk in this request
    superior = db.session.get(User, superior_id)
    if superior is None or not superior.active:
        return {"superior_id": [_("Choose an active colleague as superior.")]}
    if user is not None and superior.id in subtree_ids(user.id):
        return {"superior_id": [_(
            "%(name)s cannot report to %(superior)s: %(superior)s is %(name)s or below them in the tree.",
            name=user.name, superior=superior.name,
        )]}
    return {}


def _last_admin(user):
    others = select(func.count()).where(User.role == "admin", User.active.is_(True), User.id != user.id)
    return db.session.scalar(others) == 0


def create_staff(data, *, actor):
    """Add a person; the password was set by ``actor``, so it must be changed at first login."""
    errors = check_staff({"username": data.get("username"), "name": data.get("name"), **{
        key: data.get(key) for key in ("code", "role", "superior_id")}}, actor=actor)
    if errors:
        raise StaffError(errors)
    user = User(
        username=data["username"].strip(), name=data["name"].strip(), role=data.get("role") or "rep",
        superior_id=data.get("superior_id") or None, password_hash=hash_password(data["password"]),
        must_change_password=True,
        **{key: _clean(data.get(key)) for key in ("code", "phone", "email", "title", "region")},
    )
    db.session.add(user)
    db.session.flush()
    record("staff_created", user, actor=actor, role=user.role, superior_id=user.superior_id)
    db.session.commit()
    forget_walks()
    return user


def update_staff(user, data, *, actor):
    """Change the given fields (a missing key is left alone); a new superior moves the whole subtree.

    ``password`` resets it: the person must choose their own at next login,
    and their sessions and tokens end.
    """
    if actor.role != "admin" and user.role == "admin":
        raise StaffError({"role": [_("Only an administrator can change administrators.")]})
    errors = check_staff({key: data[key] for key in EDITABLE if key in data}, actor=actor, user=user)
    if errors:
        raise StaffError(errors)
    changes = {}
    for key in EDITABLE:
        if key not in data:
            continue
        value = (data[key] or None) if key == "superior_id" else _clean(data[key])
        if key == "role":
            value = value or "rep"
        if key in ("username", "name"):
            value = value.strip()
        if getattr(user, key) != value:
            changes[key] = [getattr(user, key), value]
            setattr(user, key, value)
    if data.get("password"):
        set_password(user, data["password"], by_self=False)
        revoke_tokens(user)
        changes["password"] = "reset"
    if changes:
        action = "staff_moved" if list(changes) == ["superior_id"] else "staff_updated"
        record(action, user, actor=actor, changes=changes)
    db.session.commit()
    forget_walks()  # a new superior moved a subtree: this request's later questions walk the tree anew
    return user


def move_staff(user, superior_id, *, actor):
    """Put ``user`` (and so their whole subtree) under ``superior_id``; None makes them top-level."""
    return update_staff(user, {"superior_id": superior_id}, actor=actor)

