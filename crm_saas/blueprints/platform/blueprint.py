"""The console's blueprint and who may open what: any platform account, operators only, agency staff only."""
from functools import wraps

from flask import Blueprint, abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm_saas.tenants.resolve import PLATFORM_SCOPE, scoped

bp = scoped(Blueprint("platform", __name__, url_prefix="/console"), PLATFORM_SCOPE)


def signed_in():
    return current_user.is_authenticated and getattr(current_user, "is_platform", False)


def console_required(view):
    """A platform account, signed in on the platform host; anyone else goes to the console's sign-in."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not signed_in():
            return redirect(url_for("platform.login", next=request.full_path))
        return view(*args, **kwargs)

    return wrapper


def operator_required(view):
    """Operators only; agency staff get 404 (the page is not theirs to know of)."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_operator:
            abort(404)
        return view(*args, **kwargs)

    return console_required(wrapper)


def agency_required(view):
    """Agency staff only (an operator has no agency to act for)."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_user.is_operator:
            abort(404)
        return view(*args, **kwargs)

    return console_required(wrapper)


def console_title(user):
    """What the shell shows under the product's name: the operator's console, or the agency's name."""
    if user.is_operator:
        return _("Platform console")
    return user.agency.name if user.agency else ""
