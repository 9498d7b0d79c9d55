"""The personal centre (B5): everyone edits their own details; a bad field is named and nothing is saved."""
from sqlalchemy import select

from tests.conftest import STAFF_PASSWORD, login

GOOD = {"name": "李雷", "title": "Senior rep", "phone": "13912345678", "region": "华东", "locale": "en"}


def me(factory, tenant, username="rep"):
    from crm_saas.core.users import User
    from crm_saas.extensions import db

    def read():
        user = db.session.scalar(select(User).where(User.username == username))
        return {key: getattr(user, key) for key in GOOD}

    return factory._run(tenant, read)


def rep_client(tenant, factory, client_for):
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=factory.admin_id(tenant))
    factory.user(tenant, "rep", superior_id=boss)
    client = client_for(tenant)
    assert login(client, "rep", STAFF_PASSWORD).status_code == 302
    return client


def test_the_page_shows_what_the_admin_set(tenant, factory, client_for):
    page = rep_client(tenant, factory, client_for).get("/me")
    assert page.status_code == 200
    for text in ("rep", "Sales rep", "Boss", "My details", 'href="/password"'):
        assert text in page.text


def test_saving_own_details(tenant, factory, client_for, admin_client):
    client = rep_client(tenant, factory, client_for)
    saved = client.post("/me", data=GOOD)
    assert saved.status_code == 302 and saved.location.endswith("/me")
    assert me(factory, tenant) == GOOD
    page = client.get("/me").text
    assert "Your details have been saved." in page and "13912345678" in page and "华东" in page
    log = admin_client.get("/audit/operations").text
    assert "Own profile edited" in log and "Phone: — → 13912345678" in log


def test_a_bad_phone_and_a_missing_name_are_named_and_nothing_is_saved(tenant, factory, client_for):
    client = rep_client(tenant, factory, client_for)
    before = me(factory, tenant)
    bad = client.post("/me", data=dict(GOOD, name=" ", phone="12345"))
    assert bad.status_code == 422
    assert "Name is required." in bad.text
    assert "Phone: enter an 11-digit mobile number or a landline with area code." in bad.text
    assert me(factory, tenant) == before


def test_choosing_chinese_switches_the_pages(tenant, factory, client_for):
    client = rep_client(tenant, factory, client_for)
    client.post("/me", data=dict(GOOD, locale="zh_CN"))
    assert me(factory, tenant)["locale"] == "zh_CN"
    page = client.get("/me").text
    assert 'lang="zh-CN"' in page and "退出登录" in page


def test_only_for_the_logged_in(tenant, client_for):
    assert client_for(tenant).get("/me").status_code == 302
