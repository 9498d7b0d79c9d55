"""Signing in to the platform console: TOTP for operators (no replay), lockout, the login log, and cookies
that mean nothing on the other kind of host."""
from sqlalchemy import select

from tests.platform_factory import otp_code


def _events(app, user_id):
    from crm_saas.extensions import db
    from crm_saas.tenants.models import PlatformLoginEvent

    with app.app_context():
        rows = db.session.execute(select(PlatformLoginEvent.success, PlatformLoginEvent.reason)
                                  .where(PlatformLoginEvent.user_id == user_id).order_by(PlatformLoginEvent.id)).all()
        db.session.remove()
    return [tuple(row) for row in rows]


def test_an_operator_needs_the_current_code_and_each_code_works_once(app, platform, platform_client, client_for):
    operator = platform.operator()
    response = platform_client.post("/console/login", data={"username": operator.username,
                                                             "password": operator.password})
    assert response.status_code == 302 and "/console/otp" in response.headers["Location"]
    assert platform_client.get("/console/companies").status_code == 302  # the password alone signs nobody in

    response = platform_client.post("/console/otp", data={"code": "000000"})
    assert response.status_code == 401 and "That code is wrong" in response.get_data(as_text=True)
    code = otp_code(operator.secret)
    assert platform_client.post("/console/otp", data={"code": code}).status_code == 302
    assert platform_client.get("/console/companies").status_code == 200

    other = client_for("localhost")  # the same code, seen over a shoulder, a moment later
    other.post("/console/login", data={"username": operator.username, "password": operator.password})
    response = other.post("/console/otp", data={"code": code})
    assert response.status_code == 401
    assert other.get("/console/companies").status_code == 302
    assert _events(app, operator.id) == [(False, "bad_otp"), (True, "ok"), (False, "bad_otp")]


def test_five_wrong_passwords_lock_the_account_even_with_the_right_one(app, platform, client_for):
    person = platform.person(platform.agency()[0], role="admin")
    for n in range(5):
        client = client_for("localhost")  # from different browsers: the account is what locks
        response = client.post("/console/login", data={"username": person.username, "password": f"Wrong#{n}xx"})
        assert response.status_code in (401, 429)
    response = client_for("localhost").post("/console/login", data={"username": person.username,
                                                                     "password": person.password})
    assert response.status_code in (401, 429)
    if response.status_code == 401:
        assert "locked" in response.get_data(as_text=True)
    assert _events(app, person.id)[-1] == (False, "locked") or response.status_code == 429


def test_platform_and_company_cookies_are_worthless_on_each_others_host(platform, platform_client, tenant,
                                                                        client_for):
    from tests.conftest import login

    person = platform.person(platform.agency()[0], role="admin")
    platform.sign_in(platform_client, person)
    assert platform_client.get("/console/companies").status_code == 200
    company = client_for(tenant)
    _carry(platform_client, "localhost", company, tenant.host)  # the platform's cookies, copied to the company host
    assert company.get("/customers/").status_code == 302  # sent to the company's sign-in: nobody is signed in

    staff = client_for(tenant)
    assert login(staff, "admin", tenant.admin_password).status_code == 302
    visitor = client_for("localhost")
    _carry(staff, tenant.host, visitor, "localhost")
    assert visitor.get("/console/companies").status_code == 302  # sent to the console's sign-in


def _carry(source, source_domain, target, target_domain):
    cookie = source.get_cookie("session", domain=source_domain)
    assert cookie is not None
    target.set_cookie("session", cookie.value, domain=target_domain)
