"""The company's roles and the permission matrix (B4): adding, renaming and deleting roles, and their rights.

The pages (settings/role_routes.py, the matrix on the settings page) and the
API (api/roles.py) call these, so both refuse the same things with the same
words. Built-in roles keep their nature: admins hold everything and nothing
here changes them; supervisors and reps reach every module and only their
actions change, stored in the ``role_permissions`` setting as they always
were. A custom role's rights are its row's. Every change is written to the
operation log in the change's own transaction, and ``forget_roles`` makes
the rest of the request read the new rights.
"""
import re

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from crm_saas.core.audit import record
from crm_saas.core.errors import Conflict, FieldErrors
from crm_saas.core.permissions import ACTIONS, MODULES, PERMISSIONS, ROLE_LABELS, granted, role_label
from crm_saas.core.roles import BUILT_IN, Role, custom_roles, forget_roles
from crm_saas.core.settings import get_setting, set_setting
from crm_saas.core.users import User
from crm_saas.extensions import db
from crm_saas.tenants.binding import current_schema

KEY_RE = re.compile(r"[a-z0-9_]{2,20}")
NAME_MAX = 60
# The built-in roles whose actions the matrix edits; admins hold every right and have no column to edit.
EDITABLE_BUILT_IN = ("supervisor", "rep")


class RoleError(FieldErrors):
    """A refused role change, naming the fields."""


class RoleInUse(RoleError, Conflict):
    """A role people still hold cannot go: the API answers 409 with ``holders``."""


def ordered(codes):
    """Rights in the matrix's order (modules, then actions), unknown codes dropped."""
    codes = set(codes)
    return [code for code in PERMISSIONS if code in codes]


def all_roles():
    """Every role: the built-in three in their order, then the company's own as they were added."""
    rows = db.session.scalars(select(Role).order_by(Role.id)).all()
    built_in = sorted((r for r in rows if r.built_in), key=lambda r: BUILT_IN.index(r.key) if r.key in BUILT_IN else 9)
    return built_in + [r for r in rows if not r.built_in]


def get_role(role_id):
    return db.session.get(Role, role_id)


def role_data(role):
    """A role as the API and the pages read it: a built-in one by its translated name, with what it holds."""
    return {"id": role.id, "key": role.key, "name": str(role_label(role.key)) if role.built_in else role.name,
            "rights": ordered(granted(role.key)), "built_in": role.built_in}


def holders():
    """``{role key: how many people hold it}`` (deactivated people too: they keep their role)."""
    return dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())


def _lock():
    """Role changes in one company queue: two admins cannot both take the same key or name."""
    db.session.execute(select(func.pg_advisory_xact_lock(func.hashtext("roles:" + current_schema()))))


def _name_errors(name, role=None):
    if not name:
        return [_("Name is required.")]
    if len(name) > NAME_MAX:
        return [_("At most %(num)s characters.", num=NAME_MAX)]
    taken = {str(ROLE_LABELS[key]).casefold() for key in BUILT_IN} | set(BUILT_IN)
    taken |= {r.name.casefold() for r in custom_roles().values() if role is None or r.id != role.id}
    if name.casefold() in taken:
        return [_("Another role already has this name.")]
    return []


def _key_errors(key):
    if not KEY_RE.fullmatch(key):
        return [_("Use 2-20 lowercase letters, digits or underscores.")]
    if key in BUILT_IN:
        return [_("This key belongs to a built-in role.")]
    if db.session.scalar(select(Role.id).where(Role.key == key)):
        return [_("Another role already has this key.")]
    return []


def _rights_errors(rights):
    """Messages for a rights list that is not a list of known codes."""
    if not isinstance(rights, (list, tuple, set)) or not all(isinstance(code, str) for code in rights):
        return [_("Send a list of rights.")]
    unknown = sorted(set(rights) - set(PERMISSIONS))
    if unknown:
        return [_("Unknown rights: %(codes)s. Known: %(known)s.", codes=", ".join(unknown),
                  known=", ".join(PERMISSIONS))]
    return []


def _free_key():
    taken = set(db.session.scalars(select(Role.key)))
    number = len(taken) - len(BUILT_IN) + 1
    while f"role_{number}" in taken:
        number += 1
    return f"role_{number}"


def create_role(data, *, actor):
    """Add a role from ``{key?, name, rights?}``; without a key it gets ``role_<n>``."""
    _lock()
    forget_roles()  # under the lock, names are read as stored
    name = (data.get("name") or "").strip()
    key = (data.get("key") or "").strip()
    rights = data.get("rights") if data.get("rights") is not None else []
    errors = {}
    if key and _key_errors(key):
        errors["key"] = _key_errors(key)
    if _name_errors(name):
        errors["name"] = _name_errors(name)
    if _rights_errors(rights):
        errors["rights"] = _rights_errors(rights)
    if errors:
        raise RoleError(errors)
    role = Role(key=key or _free_key(), name=name, rights=ordered(rights), built_in=False)
    db.session.add(role)
    db.session.flush()
    record("role_created", role, actor=actor, target_type="role", key=role.key, rights=role.rights)
    db.session.commit()
    forget_roles()
    return role


def update_role(role, data, *, actor):
    """Rename a custom role and/or replace a role's rights (a built-in one's actions only)."""
    _lock()
    forget_roles()
    errors = {}
    if role.key == "admin":
        raise RoleError({"rights": [_("Administrators always hold every right: their role cannot change.")]})
    if data.get("key") not in (None, role.key):
        errors["key"] = [_("A role's key cannot change.")]
    name = (data["name"] or "").strip() if "name" in data and data["name"] is not None else None
    if role.built_in and name is not None and name != str(role_label(role.key)):
        errors["name"] = [_("A built-in role's name cannot change.")]
    elif not role.built_in and name is not None and _name_errors(name, role):
        errors["name"] = _name_errors(name, role)
    rights = data.get("rights")
    if "rights" in data and (rights is None or _rights_errors(rights)):
        errors["rights"] = _rights_errors(rights) if rights is not None else [_("Send a list of rights.")]
    elif rights is not None and role.built_in and not set(MODULES) <= set(rights):
        errors["rights"] = [_("Built-in roles always reach every module: keep %(modules)s in the list.",
                              modules=", ".join(MODULES))]
    if errors:
        raise RoleError(errors)
    if not role.built_in and name is not None and name != role.name:
        record("role_renamed", role, actor=actor, target_type="role", changes={"name": [role.name, name]})
        role.name = name
    if rights is not None:
        _store_rights(role_matrix(), {role.key: set(rights)}, actor=actor)
    db.session.commit()
    forget_roles()
    return role


def delete_role(role, *, actor):
    """Remove a custom role nobody holds; built-in roles stay, and a held role waits until its people move."""
    if role.built_in:
        raise RoleError({"id": [_("Built-in roles cannot be deleted.")]})
    _lock()
    count = db.session.scalar(select(func.count()).where(User.role == role.key))
    if count:
        raise RoleInUse({"id": [ngettext(
            "%(num)s person holds this role: give them another role first.",
            "%(num)s people hold this role: give them another role first.", count)]}, holders=count)
    record("role_deleted", role, actor=actor, target_type="role", key=role.key, rights=role.rights)
    db.session.delete(role)
    db.session.commit()
    forget_roles()


def role_matrix():
    """``{role key: set of codes}`` the matrix edits: supervisors' and reps' actions, each custom role's rights."""
    current = get_setting("role_permissions")
    matrix = {role: set(current.get(role, ())) & set(ACTIONS) for role in EDITABLE_BUILT_IN}
    matrix.update({key: set(role.rights) & set(PERMISSIONS) for key, role in custom_roles().items()})
    return matrix


def editable_codes(key):
    """What the matrix may change for a role: a built-in one's actions, a custom role's every right."""
    return ACTIONS if key in BUILT_IN else PERMISSIONS


def change_permissions(matrix, *, actor):
    """Replace the rights of the roles in ``matrix`` (others stay); returns what was granted and revoked per role.

    Codes a role's column cannot hold (a module for a built-in role, an
    unknown code) are dropped rather than stored, so a stale form cannot
    plant a right. One log entry names each grant and revocation: "who gave
    reps export, and when" must be answerable.
    """
    before = role_matrix()
    changed = _store_rights(before, {role: set(codes or ()) for role, codes in matrix.items() if role in before},
                            actor=actor)
    db.session.commit()
    forget_roles()
    return changed


def _store_rights(before, wanted, *, actor):
    """Store ``wanted`` rights over ``before`` and log the difference (no commit: the caller commits)."""
    after = {**before, **{role: codes & set(editable_codes(role)) for role, codes in wanted.items()}}
    granted_now = {role: sorted(after[role] - before[role]) for role in after if after[role] - before[role]}
    revoked = {role: sorted(before[role] - after[role]) for role in after if before[role] - after[role]}
    if not (granted_now or revoked):
        return {}, {}
    if any(role in EDITABLE_BUILT_IN for role in {**granted_now, **revoked}):
        set_setting("role_permissions", {role: ordered(after[role]) for role in EDITABLE_BUILT_IN}, actor=actor)
    rows = custom_roles()
    for role in {**granted_now, **revoked}:
        if role in rows:
            rows[role].rights = ordered(after[role])
    record("permissions_changed", None, actor=actor, target_type="setting", label="role_permissions",
           granted=granted_now, revoked=revoked)
    return granted_now, revoked
