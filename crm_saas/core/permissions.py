"""Roles and rights (B4): admin, supervisor and rep, with a matrix the admin can edit.

Admins hold every permission, always, so no setting can lock a company out
of its own account. Supervisors' and reps' rights are a company setting.
"""
from functools import wraps

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from crm_saas.core.settings import get_setting

ROLES = ("admin", "supervisor", "rep")
ROLE_LABELS = {"admin": _l("Administrator"), "supervisor": _l("Supervisor"), "rep": _l("Sales rep")}

PERMISSIONS = {
    "manage_staff": _l("Manage staff"),
    "manage_settings": _l("Manage settings"),
    "transfer_customers": _l("Transfer customers"),
    "approve_customers": _l("Approve new customers"),
    "delete_customers": _l("Delete customers"),
    "export": _l("Export"),
    "import_customers": _l("Import data"),
    "see_all": _l("See all records"),
}
# Rights that reach beyond the hierarchy, shown so the admin knows what they grant.
PERMISSION_HELP = {
    "manage_staff": _l("Add, edit, move and deactivate staff (never admins)."),
    "manage_settings": _l("Change company settings and this matrix."),
    "transfer_customers": _l("Hand a visible customer to someone else."),
    "approve_customers": _l("Approve or reject customers entered by reps below them, and their transfer requests."),
    "delete_customers": _l("Send visible customers to the recycle bin and restore them (admins purge)."),
    "export": _l("Download visible records as a spreadsheet."),
    "import_customers": _l("Import customers, deals and follow-ups from Excel or CSV, and revert their imports."),
    "see_all": _l("See every record in the company, as an admin does."),
}


def granted(role):
    """The permission codes a role holds in this company."""
    if role == "admin":
        return frozenset(PERMISSIONS)
    return frozenset(get_setting("role_permissions").get(role, ())) & frozenset(PERMISSIONS)


def can(user, permission):
    return permission in granted(user.role)


def user_can(permission):
    """Templates: ``{% if user_can('export') %}``; False for anonymous visitors and platform accounts (no company)."""
    return current_user.is_authenticated and not getattr(current_user, "is_platform", False) \
        and can(current_user, permission)


def init_app(app):
    app.jinja_env.globals["user_can"] = user_can


def permission_required(permission):
    """Web views: log in first, then 403 without the right (a page, not a record, so 403 hides nothing)."""
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not can(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        return login_required(wrapper)

    return decorator
