"""Platform records for tests: agencies, their staff, operators (TOTP enrolled), companies given to agency staff,
signing them in to the console, and reading its pages.

The fixtures (``platform``, ``platform_client``, ``platform_api``) are in conftest.py. Every name is unique
per call, since tests of one worker share the public schema.
"""
import html
import random
import re
import secrets
import string
from dataclasses import dataclass

import pyotp

from tests.api_client import API, ApiClient

PLATFORM_HOST = "localhost"
OPERATOR_PASSWORD = "Operator#2026"
AGENT_PASSWORD = "Agent#2026x"


@dataclass
class Person:
    id: int
    username: str
    password: str
    code: str | None = None
    agency_id: int | None = None
    secret: str | None = None  # an operator's TOTP secret
    name: str = ""


def otp_code(secret, offset=0):
    """The code of the current time step (``offset`` steps later: a second sign-in within 30 s needs a new one)."""
    totp = pyotp.TOTP(secret)
    from crm_saas.core.base import utcnow

    return totp.generate_otp(totp.timecode(utcnow()) + offset)


class PlatformFactory:
    def __init__(self, app):
        self.app = app
        self._steps = {}

    def _run(self, fn):
        from crm_saas.extensions import db

        with self.app.app_context():
            try:
                return fn()
            finally:
                db.session.remove()

    def agency(self, name=None, bonus_trial_days=0, status="active"):
        """A new agency with a free random prefix; returns ``(id, prefix)``."""
        from sqlalchemy import select

        from crm_saas.extensions import db
        from crm_saas.tenants.models import Agency

        def make():
            while True:
                prefix = "".join(random.choices(string.ascii_uppercase, k=2)) + f"{random.randint(0, 99):02d}"
                if db.session.scalar(select(Agency.id).where(Agency.prefix == prefix)) is None:
                    break
            agency = Agency(prefix=prefix, name=name or f"Agency {prefix}", contact="联系人", phone="13900000000",
                            bonus_trial_days=bonus_trial_days, status=status)
            db.session.add(agency)
            db.session.commit()
            return agency.id, prefix

        return self._run(make)

    def agency_tree(self, **people):
        """A new agency and its people, made in the order given, each ``key=(role, superior's key or None[, name])``:
        ``(agency_id, prefix, {key: Person})``."""
        agency_id, prefix = self.agency()
        made = {}
        for key, (role, superior, *name) in people.items():
            made[key] = self.person(agency_id, role=role, superior_id=made[superior].id if superior else None,
                                    name=name[0] if name else None)
        return agency_id, prefix, made

    def person(self, agency_id, role="rep", superior_id=None, name=None, must_change=False, phone="13911112222"):
        """Agency staff with the agency's first free code; signs in with ``AGENT_PASSWORD``."""
        from crm_saas.core.passwords import hash_password
        from crm_saas.extensions import db
        from crm_saas.tenants.agencies import free_codes
        from crm_saas.tenants.models import Agency, PlatformUser

        def make():
            agency = db.session.get(Agency, agency_id)
            code = free_codes(agency)[0]
            username = f"{role}_{secrets.token_hex(4)}"
            person = PlatformUser(agency_id=agency_id, username=username, name=name or f"{role.title()} {code}",
                                  role=role, code=code, superior_id=superior_id, phone=phone,
                                  password_hash=hash_password(AGENT_PASSWORD), must_change_password=must_change)
            db.session.add(person)
            db.session.commit()
            return Person(person.id, username, AGENT_PASSWORD, code, agency_id, name=person.name)

        return self._run(make)

    def operator(self, name="运营 王"):
        """An operator whose TOTP is enrolled; ``secret`` makes their codes (``otp_code``)."""
        from crm_saas.extensions import db
        from crm_saas.tenants import accounts

        def make():
            username = f"op_{secrets.token_hex(4)}"
            user, _uri = accounts.create_operator(username, name, OPERATOR_PASSWORD)
            user.totp_confirmed, user.must_change_password = True, False
            secret = accounts.totp_secret(user)
            db.session.commit()
            return Person(user.id, username, OPERATOR_PASSWORD, secret=secret, name=name)

        return self._run(make)

    def next_code(self, person):
        """A code newer than any this factory gave for ``person`` (codes are taken once)."""
        offset = self._steps.get(person.id, -1) + 1
        self._steps[person.id] = offset
        return otp_code(person.secret, offset)

    def tenant(self, tenant_id):
        """The public row of a company, detached, read now."""
        from crm_saas.extensions import db
        from crm_saas.tenants.models import Tenant

        def read():
            row = db.session.get(Tenant, tenant_id)
            db.session.expunge(row)
            return row

        return self._run(read)

    def set_tenant(self, tenant_id, **values):
        from sqlalchemy import update

        from crm_saas.extensions import db
        from crm_saas.tenants.models import Tenant

        def write():
            db.session.execute(update(Tenant).where(Tenant.id == tenant_id).values(**values))
            db.session.commit()

        self._run(write)

    def sign_in(self, client, person):
        """Sign ``person`` in to the console through its pages (password, then a code for operators)."""
        response = client.post("/console/login", data={"username": person.username, "password": person.password})
        if person.secret:
            assert response.status_code == 302 and "/console/otp" in response.headers["Location"], response.status_code
            response = client.post("/console/otp", data={"code": self.next_code(person)})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    def api(self, client, person):
        """An ApiClient on the platform host holding a platform token of ``person``."""
        body = {"username": person.username, "password": person.password}
        if person.secret:
            body["otp"] = self.next_code(person)
        response = client.post(f"{API}/platform/auth/token", json=body)
        assert response.status_code == 200, response.get_json()
        return ApiClient(client, response.get_json()["token"])


def company(make_tenant, platform, person=None, name=None, **values):
    """A company (make_tenant), given to ``person``'s agency and to them, with the public values given."""
    info = make_tenant(name=name)
    if person is not None:
        values.update(agency_id=person.agency_id, rep_id=person.id, rep_code=person.code)
    if values:
        platform.set_tenant(info.id, **values)
    return info


def signed_in(platform, client_for, person):
    """A console client of ``person``'s own, signed in. ``client_for`` gives each platform-host client an address
    of its own: sign-ins are limited per address, and these tests sign many people in."""
    client = client_for(PLATFORM_HOST)
    platform.sign_in(client, person)
    return client


def text(response):
    return response.get_data(as_text=True)


def field_error(response, field_id):
    """The message under the field whose id is ``field_id``, or None."""
    found = re.search(rf'id="{field_id}-error"[^>]*>([^<]*)<', text(response))
    return html.unescape(found.group(1)) if found else None
