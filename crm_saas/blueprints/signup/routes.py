"""Self-service sign-up on the platform host (A1)."""
from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from crm_saas.blueprints.auth.passwords import hash_password
from crm_saas.blueprints.signup.forms import SignupForm
from crm_saas.extensions import db
from crm_saas.tenants.provisioning import SlugError, provision_tenant
from crm_saas.tenants.resolve import PLATFORM_SCOPE, scoped, tenant_host

bp = scoped(Blueprint("signup", __name__), PLATFORM_SCOPE)

ADMIN_USERNAME = "admin"
SLUG_MESSAGES = {
    "malformed": lambda: _("Use 3-32 lowercase letters, digits or hyphens, starting with a letter."),
    "reserved": lambda: _("This subdomain is reserved."),
    "taken": lambda: _("This subdomain is already taken."),
}


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    form = SignupForm()
    if form.validate_on_submit():
        slug = form.subdomain.data.strip().lower()
        admin = {
            "username": ADMIN_USERNAME,
            "password_hash": hash_password(form.password.data),
            "name": form.admin_name.data.strip(),
            "phone": form.phone.data.strip(),
            "email": form.email.data.strip(),
            "must_change_password": False,  # the admin chose it
        }
        contact = {"name": admin["name"], "phone": admin["phone"], "email": admin["email"]}
        try:
            provision_tenant(
                slug, form.company_name.data.strip(), admin, contact=contact,
                rep_code=(form.rep_code.data or "").upper() or None,
            )
        except SlugError as err:
            form.subdomain.errors.append(SLUG_MESSAGES[err.code]())
        except IntegrityError:  # another sign-up took it between the check and the insert
            db.session.rollback()
            form.subdomain.errors.append(SLUG_MESSAGES["taken"]())
        else:
            from crm_saas.tenants.models import Tenant

            tenant = Tenant(slug=slug)
            login = url_for("auth.login", username=ADMIN_USERNAME, welcome=1)
            return redirect(f"{request.scheme}://{tenant_host(tenant)}{login}")
    return render_template("signup/signup.html", form=form), 200 if not form.errors else 422
