"""An agency's staff tree (A3), managed as a company's is (B1-B3): add, edit, move with the subtree, departure.

Who manages whom: operators any agency's people; an agency's admin their
whole agency; a supervisor the people below them (never themselves, never
an admin). Reps manage nobody. Moves queue behind one advisory lock per
agency, so two crossing moves cannot store a cycle; the walk is the
company tree's own (``core.visibility.subtree_ids`` over ``platform_users``).
"""

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from crm_saas.blueprints.staff.services import USERNAME_RE
from crm_saas.blueprints.staff.services.usernames import suggest_username
from crm_saas.core.base import utcnow
from crm_saas.core.errors import FieldErrors
from crm_saas.core.passwords import hash_password, policy_errors, set_password
from crm_saas.core.users import new_session_token
from crm_saas.core.validators import is_cn_phone, is_email
from crm_saas.core.visibility import forget_walks, nest, subtree_ids
from crm_saas.extensions import db
from crm_saas.tenants.accounts import find_account, revoke_tokens
from crm_saas.tenants.agencies import free_codes, visible_staff
from crm_saas.tenants.lifecycle import log_change
from crm_saas.tenants.models import Agency, PlatformUser, Tenant

AGENCY_ROLES = ("admin", "supervisor", "rep")


def may_manage(actor, person=None):
    """Whether ``actor`` manages agency staff at all (``person`` None), or this person."""
    if actor.is_operator:
        return person is None or not person.is_operator
    if actor.role == "rep" or not actor.active:
        return False
    if person is None:
        return True
    if person.agency_id != actor.agency_id:
        return False
    if actor.role == "admin":
        return True
    return person.id != actor.id and person.role != "admin" and person.id in subtree_ids(actor.id, PlatformUser)


def get_visible_person(viewer, person_id):
    if isinstance(person_id, bool) or not isinstance(person_id, int):
        return None
    return db.session.scalar(visible_staff(select(PlatformUser).where(PlatformUser.id == person_id,
                                                                      PlatformUser.role != "operator"), viewer))


def staff_statement(viewer, *, agency_id=None, active=None, q=None):
    statement = visible_staff(select(PlatformUser).where(PlatformUser.role != "operator"), viewer)
    if agency_id:
        statement = statement.where(PlatformUser.agency_id == agency_id)
    if active is not None:
        statement = statement.where(PlatformUser.active.is_(active))
    q = (q or "").strip()
    if q:
        statement = statement.where(func.concat_ws(" ", PlatformUser.name, PlatformUser.username, PlatformUser.code)
                                    .icontains(q, autoescape=True))
    return statement.order_by(PlatformUser.active.desc(), PlatformUser.code, PlatformUser.id)


def suggest(name):
    """A username for ``name`` by the pinyin rule, free among platform accounts."""
    return suggest_username(name, column=PlatformUser.username)


def _lock(agency_id):
    db.session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"agency-tree:{agency_id}"))))
    forget_walks()


def _text(data, key):
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""


def _check(data, *, actor, agency, person=None):
    """``{field: [messages]}`` for the fields given (all of them when adding)."""
    errors = {}
    creating = person is None
    if creating or "username" in data:
        username = _text(data, "username")
        other = find_account(username) if username else None
        if not username:
            errors["username"] = [_("Username is required.")]
        elif not USERNAME_RE.match(username):
            errors["username"] = [_("Use 2-64 letters, digits, dots, dashes or underscores.")]
        elif other is not None and (person is None or other.id != person.id):
            errors["username"] = [_("This username is taken.")]
    if creating or "name" in data:
        if not _text(data, "name"):
            errors["name"] = [_("Name is required.")]
        elif len(_text(data, "name")) > 100:
            errors["name"] = [_("At most %(max)s characters.", max=100)]
    if _text(data, "phone") and not is_cn_phone(_text(data, "phone")):
        errors["phone"] = [_("Phone: enter an 11-digit mobile number or a landline with area code.")]
    if _text(data, "email") and not is_email(_text(data, "email")):
        errors["email"] = [_("Enter a valid email address.")]
    if creating or "role" in data:
        role = data.get("role")
        if role not in AGENCY_ROLES:
            errors["role"] = [_("Choose a role.")]
        elif role == "admin" and not (actor.is_operator or actor.role == "admin"):
            errors["role"] = [_("Only an administrator can appoint or change administrators.")]
        elif person is not None and person.id == actor.id and role != person.role:
            errors["role"] = [_("You cannot change your own role.")]
    if creating or ("code" in data and data.get("code") != person.code):
        code = _text(data, "code").upper()
        if code not in free_codes(agency):
            errors["code"] = [_("Choose one of the agency's free codes.")]
    if creating or "password" in data:
        password = data.get("password") or ""
        if creating and not password:
            errors["password"] = [_("Password is required.")]
        elif password and policy_errors(password):
            errors["password"] = [" ".join(str(m) for m in policy_errors(password))]
    if "superior_id" in data and data.get("superior_id") is not None:
        errors.update(_check_superior(data["superior_id"], actor=actor, agency=agency, person=person))
    elif (creating or "superior_id" in data) and not actor.is_operator and actor.role != "admin":
        # At the top of the tree a person would leave the supervisor's own subtree: only admins put them there.
        errors["superior_id"] = [_("Choose a superior among your people.")]
    return errors


def _check_superior(superior_id, *, actor, agency, person):
    _lock(agency.id)
    superior = db.session.get(PlatformUser, superior_id) if isinstance(superior_id, int) else None
    if superior is None or not superior.active or superior.agency_id != agency.id:
        return {"superior_id": [_("Choose an active colleague as superior.")]}
    if not actor.is_operator and actor.role != "admin" and superior.id not in subtree_ids(actor.id, PlatformUser):
        return {"superior_id": [_("Choose a superior among your people.")]}
    if person is not None and superior.id in subtree_ids(person.id, PlatformUser):
        return {"superior_id": [_(
            "%(name)s cannot report to %(superior)s: %(superior)s is %(name)s or below them in the tree.",
            name=person.name, superior=superior.name)]}
    return {}


def create_staff(data, *, actor):
    """Add a person to an agency (the actor's, or ``agency_id`` for operators); their password was set by
    someone else, so they change it at first sign-in. Commits; raises ``FieldErrors``."""
    if not may_manage(actor):
        raise FieldErrors({"role": [_("You cannot add staff.")]})
    if actor.is_operator:
        agency_id = data.get("agency_id")
        agency = db.session.get(Agency, agency_id) if isinstance(agency_id, int) else None
    else:
        agency = actor.agency
    if agency is None:
        raise FieldErrors({"agency_id": [_("Choose an agency.")]})
    errors = _check(data, actor=actor, agency=agency)
    if errors:
        db.session.rollback()
        raise FieldErrors(errors)
    person = PlatformUser(
        agency_id=agency.id, username=_text(data, "username"), name=_text(data, "name"),
        phone=_text(data, "phone") or None, email=_text(data, "email") or None, role=data["role"],
        code=_text(data, "code").upper(), superior_id=data.get("superior_id"),
        password_hash=hash_password(data["password"]), must_change_password=True,
    )
    db.session.add(person)
    try:
        db.session.flush()
    except IntegrityError:  # the username or the code was taken by someone added meanwhile
        db.session.rollback()
        raise FieldErrors(_taken(data)) from None
    log_change("staff_added", person, actor=actor, target_type="agency_staff",
               after={"code": person.code, "role": person.role, "superior_id": person.superior_id})
    db.session.commit()
    forget_walks()
    return person


def _taken(data, person=None):
    """The field a unique index refused: the code if someone else holds it now, else the username."""
    code = _text(data, "code").upper()
    holder = select(PlatformUser.id).where(PlatformUser.code == code)
    if person is not None:
        holder = holder.where(PlatformUser.id != person.id)
    if code and db.session.scalar(holder):
        return {"code": [_("Choose one of the agency's free codes.")]}
    return {"username": [_("This username is taken.")]}


EDITABLE = ("username", "name", "phone", "email", "role", "code", "superior_id")


def update_staff(person, data, *, actor):
    """Change what ``data`` names (a new superior moves the whole subtree; ``password`` resets it, to be
    changed at next sign-in; ``decides_extensions`` is the operator's to grant). Commits."""
    if not may_manage(actor, person):
        raise FieldErrors({"role": [_("You cannot change this person.")]})
    errors = _check(data, actor=actor, agency=person.agency, person=person)
    if "decides_extensions" in data and not actor.is_operator:
        errors["decides_extensions"] = [_("Only the platform's operators grant this.")]
    if errors:
        db.session.rollback()
        raise FieldErrors(errors)
    before, after = {}, {}
    for key in EDITABLE + ("decides_extensions",):
        if key not in data:
            continue
        value = data[key]
        if isinstance(value, str):
            value = value.strip() or None
        if key == "code" and value:
            value = value.upper()
        if getattr(person, key) != value:
            before[key], after[key] = getattr(person, key), value
            setattr(person, key, value)
    if data.get("password"):
        set_password(person, data["password"], by_self=False)
        revoke_tokens(person)
        after["password"] = "reset"
    if after:
        action = "staff_moved" if list(after) == ["superior_id"] else "staff_updated"
        log_change(action, person, actor=actor, target_type="agency_staff", before=before, after=after)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise FieldErrors(_taken(data, person)) from None
    forget_walks()
    return person


def deactivate_staff(person, handover_to, *, actor):
    """离职: the person signs in no more; their companies, and the people under them, pass to ``handover_to``
    (an active colleague of the same agency) in one transaction. Returns how many companies moved."""
    if not may_manage(actor, person) or person.id == actor.id:
        raise FieldErrors({"handover_to": [_("You cannot deactivate this person.")]})
    if not person.active:
        raise FieldErrors({"handover_to": [_("This person has already left.")]})
    _lock(person.agency_id)
    colleague = db.session.get(PlatformUser, handover_to) if isinstance(handover_to, int) else None
    if (colleague is None or not colleague.active or colleague.agency_id != person.agency_id
            or colleague.id in subtree_ids(person.id, PlatformUser)):
        raise FieldErrors({"handover_to": [_("Choose an active colleague outside this person's team.")]})
    if not (actor.is_operator or actor.role == "admin" or colleague.id in subtree_ids(actor.id, PlatformUser)):
        # A supervisor hands over within their own team: the companies stay where they can see them.
        raise FieldErrors({"handover_to": [_("Choose a colleague in your own team.")]})
    moved = db.session.execute(update(Tenant).where(Tenant.rep_id == person.id).values(
        rep_id=colleague.id, rep_code=colleague.code).returning(Tenant.id)).scalars().all()
    db.session.execute(update(PlatformUser).where(PlatformUser.superior_id == person.id)
                       .values(superior_id=colleague.id))
    person.active, person.deactivated_at = False, utcnow()
    person.session_token = new_session_token()  # every session of theirs ends
    revoke_tokens(person)
    log_change("staff_departed", person, actor=actor, target_type="agency_staff",
               after={"handover_to": colleague.id, "companies": len(moved)})
    db.session.commit()
    forget_walks()
    return len(moved)


# -- the tree page and the departure page ------------------------------------------------------------------------

def company_counts(person_ids):
    """``{rep id: companies they hold}`` (counted past the recycle bin: the bin is a view, not a transfer)."""
    if not person_ids:
        return {}
    return dict(db.session.execute(select(Tenant.rep_id, func.count()).where(Tenant.rep_id.in_(list(person_ids)))
                                   .group_by(Tenant.rep_id)).all())


def agency_tree(viewer):
    """``(roots, people)``: the active agency staff ``viewer`` sees, nested by superior, and the same people flat.

    Two queries whatever the size; someone whose superior is out of sight
    (a supervisor's own superior) is a root.
    """
    people = db.session.scalars(
        visible_staff(select(PlatformUser).where(PlatformUser.role != "operator", PlatformUser.active.is_(True)),
                      viewer).order_by(PlatformUser.code, PlatformUser.id)).all()
    return nest(people, company_counts([p.id for p in people])), people


def superior_choices(actor, person=None):
    """The active people ``actor`` may put someone under: the whole agency for its admin, else their own
    subtree (themselves included); never ``person`` or anyone below them (a cycle)."""
    people = db.session.scalars(
        visible_staff(select(PlatformUser).where(PlatformUser.role != "operator", PlatformUser.active.is_(True)),
                      actor).order_by(PlatformUser.code, PlatformUser.id)).all()
    below = subtree_ids(person.id, PlatformUser) if person is not None else frozenset()
    return [p for p in people if p.id not in below]


def handover_choices(actor, person):
    """Whom ``person``'s companies and people may go to: active, seen by ``actor``, outside ``person``'s team."""
    return superior_choices(actor, person)


def handover_counts(person):
    """What a departure moves: ``{"companies": n, "reports": n}``."""
    companies = db.session.scalar(select(func.count()).select_from(Tenant).where(Tenant.rep_id == person.id))
    reports = db.session.scalar(select(func.count()).select_from(PlatformUser)
                                .where(PlatformUser.superior_id == person.id, PlatformUser.active.is_(True)))
    return {"companies": companies or 0, "reports": reports or 0}
