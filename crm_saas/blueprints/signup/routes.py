"""Self-service sign-up on the platform host (A1)."""
from flask import Blueprint, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError

from crm_saas.blueprints.signup.forms import SLUG_MESSAGES, SignupForm
from crm_saas.core.passwords import hash_password
from crm_saas.core.throttle import guarding_sign_up
from crm_saas.extensions import db
from crm_saas.tenants.provisioning import SlugError, provision_tenant
from crm_saas.tenants.resolve import PLATFORM_SCOPE, scoped, tenant_host

bp = scoped(Blueprint("signup", __name__), PLATFORM_SCOPE)

ADMIN_USERNAME = "admin"


@bp.route("/signup", methods=["GET", "POST"])
@guarding_sign_up
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
        except SlugError as err:  # another sign-up took it since the form was checked
            form.subdomain.errors.append(SLUG_MESSAGES[err.code])
        except IntegrityError:  # ... or between the check and the insert
            db.session.rollback()
            form.subdomain.errors.append(SLUG_MESSAGES["taken"])
        else:
            login = url_for("auth.login", username=ADMIN_USERNAME, welcome=1)
            return redirect(f"{request.scheme}://{tenant_host(slug)}{login}")
    return render_template("signup/signup.html", form=form), 200 if not form.errors else 422
