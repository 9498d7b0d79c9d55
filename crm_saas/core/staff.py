"""The staff directory as one viewer sees it: who they may see, pick, and act on.

Every feature that lists people (owner dropdowns, filters, the log's
people, assignees) asks here, so "whom can I choose" has one answer that
follows the one visibility rule.
"""
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from crm_saas.core.permissions import can
from crm_saas.core.users import User
from crm_saas.core.visibility import subtree_ids, visible
from crm_saas.extensions import db

# Staff lists read active people first, then by name in pinyin order (张伟 after 李娜, as a Chinese reader looks):
# GB18030 keeps GB2312's common characters in pinyin order, so its bytes sort names as a Chinese dictionary
# does, in any PostgreSQL (the embedded one has no ICU collations), with Latin names first.
NAME_ORDER = func.convert_to(User.name, "GB18030")
STAFF_ORDER = (User.active.desc(), NAME_ORDER, User.id)


def visible_staff(viewer):
    """People ``viewer`` may see: everyone for staff managers and see-all roles, else their subtree."""
    stmt = select(User)
    return stmt if can(viewer, "manage_staff") else visible(stmt, User.id, viewer)


def assignable_people(actor):
    """Active people ``actor`` may make owner or assignee: themselves and everyone they see."""
    return visible(select(User).where(User.active.is_(True)), User.id, actor)


def get_assignable(actor, user_id):
    """The active person ``user_id`` if ``actor`` may hand them records, else None."""
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        return None
    return db.session.scalar(assignable_people(actor).where(User.id == user_id))


def may_manage(actor, person):
    """Staff managers act on people, but only admins act on admins (PERMISSION_HELP says so)."""
    return can(actor, "manage_staff") and (person.role != "admin" or actor.role == "admin")


def search_staff(viewer, q=None, **filters):
    """People ``viewer`` sees whose name, username or code holds ``q``, narrowed by role, active, superior_id."""
    stmt = visible_staff(viewer)
    q = (q or "").strip()
    if q:
        columns = (User.name, User.username, User.code)
        stmt = stmt.where(or_(*(column.icontains(q, autoescape=True) for column in columns)))
    for key in ("role", "active", "superior_id"):
        if filters.get(key) is not None:
            stmt = stmt.where(getattr(User, key) == filters[key])
    return stmt


def leads_people(viewer):
    """Whether ``viewer`` has anyone to look after: staff managers, see-all roles and supervisors with people below.

    The menus ask it: a rep with nobody below them gets no staff list of one.
    ``subtree_ids`` is kept for the request, so the question costs nothing more.
    """
    return can(viewer, "manage_staff") or can(viewer, "see_all") or len(subtree_ids(viewer.id)) > 1


def list_staff(viewer=None, *, active=None):
    stmt = select(User) if viewer is None else visible_staff(viewer)
    if active is not None:
        stmt = stmt.where(User.active.is_(active))
    stmt = stmt.options(selectinload(User.superior))  # the list shows each superior: one query, not one per row
    return db.session.scalars(stmt.order_by(*STAFF_ORDER)).all()


def get_visible_staff(viewer, user_id):
    """The person, or None when they do not exist or ``viewer`` may not see them (a 404)."""
    return db.session.scalar(visible_staff(viewer).where(User.id == user_id))


# What a person picker (a combobox, _macros.person_picker) may offer: everyone the viewer sees, the active
# ones, those they may hand records to (with or without themselves), and the leaders of teams.
PICKER_SCOPES = ("visible", "active", "assignable", "others", "leaders")
PICKER_LIMIT = 20


def _picker_statement(viewer, scope):
    if scope in ("assignable", "others"):
        stmt = assignable_people(viewer)
        return stmt.where(User.id != viewer.id) if scope == "others" else stmt
    stmt = visible_staff(viewer)
    if scope in ("active", "leaders"):
        stmt = stmt.where(User.active.is_(True))
    return stmt.where(User.role.in_(("admin", "supervisor"))) if scope == "leaders" else stmt


def pick_people(viewer, scope, q=""):
    """``(id, name, username)`` of the first people in ``scope`` whose name, username or code holds ``q``.

    Pickers ask as one types, so a 2,000-person company's pages no longer
    carry 2,000 ``<option>``s per dropdown (a page's largest cost there).
    """
    stmt = _picker_statement(viewer, scope)
    q = (q or "").strip()
    if q:
        columns = (User.name, User.username, User.code)
        stmt = stmt.where(or_(*(column.icontains(q, autoescape=True) for column in columns)))
    stmt = stmt.with_only_columns(User.id, User.name, User.username).order_by(NAME_ORDER, User.id).limit(PICKER_LIMIT)
    return db.session.execute(stmt).all()


def picked_person(viewer, scope, user_id):
    """The person ``user_id`` as a picker in ``scope`` shows them chosen, or None (unknown, or out of scope)."""
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        return None
    stmt = _picker_statement(viewer, scope).where(User.id == user_id)
    return db.session.execute(stmt.with_only_columns(User.id, User.name, User.username)).first()
