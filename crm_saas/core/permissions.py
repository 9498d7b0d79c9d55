"""Roles and rights (B4): admin, supervisor, rep and the roles an admin adds, with a matrix the admin edits.

Admins hold every permission, always, so no setting can lock a company out
of its own account. Rights are of two kinds: a module (customers, deals,
service, campaigns, reports, pool) opens a part of the product, an action
(export, import, settings ...) lets one do a thing in it. The built-in
supervisor and rep reach every module, as they always did, and their
actions are a company setting; a custom role holds exactly what its row in
``roles`` says (core/roles.py). Visibility stays the tree rule, widened by
``see_all`` (core/visibility.py).
"""
from functools import wraps

from flask import abort, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from crm_saas.core.roles import BUILT_IN, custom_roles
from crm_saas.core.settings import get_setting

ROLES = BUILT_IN
ROLE_LABELS = {"admin": _l("Administrator"), "supervisor": _l("Supervisor"), "rep": _l("Sales rep")}

# Modules: a role without one finds its pages answer 403 and its records 404 (``module_gate``).
MODULES = {
    "customers": _l("Customers"),
    "deals": _l("Deals"),
    "service": _l("Service requests"),
    "campaigns": _l("Campaigns and segments"),
    "reports": _l("Reports"),
    "pool": _l("Lead pool"),
}
ACTIONS = {
    "manage_staff": _l("Manage staff"),
    "manage_settings": _l("Manage settings"),
    "transfer_customers": _l("Transfer customers"),
    "approve_customers": _l("Approve new customers"),
    "delete_customers": _l("Delete customers"),
    "export": _l("Export"),
    "import_customers": _l("Import data"),
    "see_all": _l("See all records"),
    "service_desk": _l("Work the service queue"),
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
    "service_desk": _l("See and take unassigned service requests, and the history of the customers they serve."),
    "customers": _l("Open customers, their contacts and follow-ups."),
    "deals": _l("Open deals, the board and the pipeline."),
    "service": _l("Open service requests and complaints, and the service queue."),
    "campaigns": _l("Open campaigns and segments."),
    "reports": _l("Open the dashboard and the report centre."),
    "pool": _l("Open the lead pools and claim from them."),
}
PERMISSIONS = {**MODULES, **ACTIONS}


def granted(role):
    """The permission codes a role holds in this company (an unknown role holds nothing)."""
    if role == "admin":
        return frozenset(PERMISSIONS)
    if role in BUILT_IN:
        return (frozenset(get_setting("role_permissions").get(role, ())) & frozenset(ACTIONS)) | frozenset(MODULES)
    custom = custom_roles().get(role)
    return frozenset(custom.rights if custom else ()) & frozenset(PERMISSIONS)


def role_label(key):
    """A role's name as people read it: the built-in three translated, a custom role as its admin named it."""
    if key in ROLE_LABELS:
        return ROLE_LABELS[key]
    custom = custom_roles().get(key)
    return custom.name if custom else key


def can(user, permission):
    return permission in granted(user.role)


def user_can(permission):
    """Templates: ``{% if user_can('export') %}``; False for anonymous visitors and platform accounts (no company)."""
    return current_user.is_authenticated and not getattr(current_user, "is_platform", False) \
        and can(current_user, permission)


def init_app(app):
    app.jinja_env.globals["user_can"] = user_can
    app.jinja_env.globals["role_label"] = role_label


def module_gate(module):
    """A blueprint's ``before_request`` closing its module to roles without it: 404 for a record's address
    (a role without the module sees none of its records), 403 for its pages. Anonymous callers pass on to the
    view's own login check; platform accounts never reach company pages."""
    def gate():
        if not current_user.is_authenticated or getattr(current_user, "is_platform", False):
            return None
        if not can(current_user, module):
            abort(404 if any(name == "id" or name.endswith("_id") for name in (request.view_args or {})) else 403)
        return None

    return gate


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
