"""Staff list and the add-staff form (tenant admins)."""
from functools import wraps

from flask import Blueprint, abort, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm_saas.blueprints.staff.forms import ROLE_LABELS, StaffForm
from crm_saas.blueprints.staff.services import StaffError, create_staff, list_staff
from crm_saas.htmx import redirect_to, render
from crm_saas.tenants.resolve import TENANT_SCOPE, scoped

bp = scoped(Blueprint("staff", __name__, url_prefix="/staff"), TENANT_SCOPE)


def admin_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_user.role != "admin":
            abort(403)
        return view(*args, **kwargs)

    return login_required(wrapper)


def _form():
    form = StaffForm()
    form.superior_id.choices = [(0, _("(none)"))] + [(u.id, f"{u.name} ({u.username})") for u in list_staff()]
    return form


@bp.route("/")
@login_required
def index():
    return render("staff/index.html", "staff/_list.html", staff=list_staff(), roles=ROLE_LABELS)


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new():
    form = _form()
    if form.validate_on_submit():
        try:
            user = create_staff(form.data, actor=current_user)
        except StaffError as err:
            for field, messages in err.errors.items():
                getattr(form, field).errors.extend(messages)
        else:
            flash(_("%(name)s has been added.", name=user.name), "success")
            return redirect_to(url_for("staff.index"))
    return render("staff/new.html", "staff/_form.html", form=form)
