"""The staff blueprint and what its views share: who may act on whom.

``routes.py`` (list, forms, departures) and ``tree_routes.py`` (the tree and
moves) both hang their views on ``bp``.
"""
from flask import Blueprint, abort
from flask_login import current_user

from crm_saas.core.staff import get_visible_staff, may_manage
from crm_saas.core.views import found_or_404
from crm_saas.tenants.resolve import TENANT_SCOPE, scoped

bp = scoped(Blueprint("staff", __name__, url_prefix="/staff"), TENANT_SCOPE)


def visible_person(user_id):
    """The person, or 404 when ``current_user`` may not see them: hidden people stay unconfirmed."""
    return found_or_404(get_visible_staff(current_user, user_id))


def manageable_person(user_id):
    """The person ``current_user`` may change.

    404 before 403: someone outside the viewer's sight must not be confirmed
    by a "forbidden". Then 403 without ``manage_staff``, and for an admin
    when the viewer is not one (staff managers never act on admins).
    """
    person = visible_person(user_id)
    if not may_manage(current_user, person):
        abort(403)
    return person

