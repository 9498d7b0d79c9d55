"""注册申请试用帐户: an agency rep files a company's application, with their own code, fixed.

The rep never handles a password: the administrator is emailed a link to
choose one (tenants/registration.py), and the company waits for the
operator like any sign-up.
"""
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from crm_saas.core.errors import FieldErrors
from crm_saas.core.validators import is_cn_phone, is_email
from crm_saas.extensions import db
from crm_saas.tenants.models import Tenant
from crm_saas.tenants.provisioning import SlugError, check_slug
from crm_saas.tenants.registration import ADMIN_USERNAME, register_company, send_setup_link, unusable_password


def slug_message(code):
    return {
        "malformed": _("Use 3-32 lowercase letters, digits or hyphens, starting with a letter."),
        "reserved": _("This subdomain is reserved."),
        "taken": _("This subdomain is already taken."),
    }[code]


def _text(data, key):
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""


def check_application(data):
    """``{field: [messages]}`` for the application's fields (name, slug, admin_name, admin_phone, admin_email)."""
    errors = {}
    if not _text(data, "name"):
        errors["name"] = [_("Company name is required.")]
    elif len(_text(data, "name")) > 200:
        errors["name"] = [_("At most %(max)s characters.", max=200)]
    slug = _text(data, "slug").lower()
    if not slug:
        errors["slug"] = [_("Subdomain is required.")]
    else:
        try:
            check_slug(slug)
        except SlugError as err:
            errors["slug"] = [slug_message(err.code)]
    if not _text(data, "admin_name"):
        errors["admin_name"] = [_("Administrator name is required.")]
    elif len(_text(data, "admin_name")) > 100:
        errors["admin_name"] = [_("At most %(max)s characters.", max=100)]
    if not _text(data, "admin_phone"):
        errors["admin_phone"] = [_("Phone is required.")]
    elif not is_cn_phone(_text(data, "admin_phone")):
        errors["admin_phone"] = [_("Phone: enter an 11-digit mobile number or a landline with area code.")]
    if not _text(data, "admin_email"):
        errors["admin_email"] = [_("Email is required.")]
    elif not is_email(_text(data, "admin_email")):
        errors["admin_email"] = [_("Enter a valid email address.")]
    return errors


def file_application(data, *, actor):
    """File the application as ``actor`` (an active agency rep, whose code it carries); returns ``(tenant_id,
    link_sent)``. Raises ``FieldErrors`` naming each bad field; nothing is created then."""
    if actor.is_operator or not actor.code or not actor.active or actor.agency.status != "active":
        raise FieldErrors({"rep_code": [_("Only agency staff with a rep code can file an application.")]})
    errors = check_application(data)
    if errors:
        raise FieldErrors(errors)
    admin = {"username": ADMIN_USERNAME, "password_hash": unusable_password(), "name": _text(data, "admin_name"),
             "phone": _text(data, "admin_phone"), "email": _text(data, "admin_email"),
             "must_change_password": False}  # they choose it themselves, through the link
    contact = {"name": admin["name"], "phone": admin["phone"], "email": admin["email"]}
    slug = _text(data, "slug").lower()
    try:
        tenant_id = register_company(slug, _text(data, "name"), admin, contact=contact, rep=actor, actor=actor)
    except SlugError as err:  # taken since the check
        raise FieldErrors({"slug": [slug_message(err.code)]}) from None
    except IntegrityError:
        db.session.rollback()
        raise FieldErrors({"slug": [slug_message("taken")]}) from None
    try:
        sent = send_setup_link(db.session.get(Tenant, tenant_id), actor=actor)
    except Exception:  # the company exists; a link that cannot be queued is resent from its page
        db.session.rollback()
        current_app.logger.exception("could not queue the setup link of company %s", tenant_id)
        sent = False
    return tenant_id, sent
