"""The platform host: self-service sign-up (A1), and finding one's company to sign in to."""
from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from redis.exceptions import RedisError
from sqlalchemy.exc import IntegrityError

from crm_saas.blueprints.signup.forms import SLUG_MESSAGES, FindCompanyForm, SignupForm
from crm_saas.core import mail
from crm_saas.core.passwords import hash_password
from crm_saas.core.throttle import by_address, guarding_sign_up
from crm_saas.core.validators import is_email
from crm_saas.extensions import db, limiter
from crm_saas.tenants.provisioning import SlugError
from crm_saas.tenants.registration import ADMIN_USERNAME, register_company
from crm_saas.tenants.resolve import PLATFORM_SCOPE, scoped, tenant_for_host, tenant_host

bp = scoped(Blueprint("signup", __name__), PLATFORM_SCOPE)


@bp.route("/signup", methods=["GET", "POST"])
@guarding_sign_up
def signup():
    """A1: the company is created at once, then waits for the operator (or starts its trial, by the platform's
    setting); its host shows which. A rep code ties it to that rep and their agency."""
    form = SignupForm(rep_code=request.args.get("code", ""))
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
            register_company(slug, form.company_name.data.strip(), admin, contact=contact, rep=form.rep)
        except SlugError as err:  # another sign-up took it since the form was checked
            form.subdomain.errors.append(SLUG_MESSAGES[err.code])
        except IntegrityError:  # ... or between the check and the insert
            db.session.rollback()
            form.subdomain.errors.append(SLUG_MESSAGES["taken"])
        else:
            login = url_for("auth.login", username=ADMIN_USERNAME, welcome=1)
            return redirect(f"{request.scheme}://{tenant_host(slug)}{login}")
    return render_template("signup/signup.html", form=form), 200 if not form.errors else 422


def _find_rate():
    return current_app.config["CRM_PASSWORD_RESET_RATE"]


@bp.route("/find", methods=["GET", "POST"])
@limiter.limit(_find_rate, key_func=by_address, methods=["POST"])
def find_company():
    """A subdomain goes to its sign-in page (subdomains are public: they are in DNS); an email address gets,
    by email, the sign-in page of each company where it has an account, the same answer for any address."""
    form = FindCompanyForm()
    sent = False
    if form.validate_on_submit():
        asked = form.company.data.strip()
        if "@" in asked:
            if not is_email(asked):
                form.company.errors.append(_("Enter a valid email address."))
            elif not mail.configured():
                form.company.errors.append(_("Email cannot be sent from here: ask a colleague for your "
                                             "company's subdomain."))
            else:
                login = f"{request.scheme}://{tenant_host('{slug}')}{url_for('auth.login')}?username={{username}}"
                try:
                    mail.queue_company_links(asked, login, str(get_locale()))
                except RedisError:
                    form.company.errors.append(_("Email cannot be sent just now. Try again in a minute."))
                else:
                    sent = True
        else:
            slug = asked.lower().removesuffix("." + current_app.config["CRM_BASE_DOMAIN"])
            tenant = tenant_for_host(f"{slug}.{current_app.config['CRM_BASE_DOMAIN']}") if slug else None
            if tenant is not None and tenant.status != "rejected":  # a waiting or closed one says so there
                return redirect(f"{request.scheme}://{tenant_host(tenant.slug)}{url_for('auth.login')}")
            form.company.errors.append(_("No company uses this subdomain. Check the spelling, or enter your email "
                                         "address instead."))
    return render_template("signup/find.html", form=form, sent=sent), 422 if form.errors else 200
