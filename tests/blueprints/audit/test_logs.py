"""Login log and operation log (J1): admins only, filtered by person and by whole days in China time."""
import re
from datetime import datetime, timezone

from sqlalchemy import select

from tests.conftest import STAFF_PASSWORD, login

HTMX = {"HX-Request": "true"}


def rows(html):
    """The body rows of a results table (header and "nothing matches" row left out)."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [r for r in re.findall(r"<tr>(.*?)</tr>", body, re.S) if "colspan" not in r]


def add_login_events(factory, tenant, events):
    """``events``: (username, UTC datetime) pairs, written straight into the log."""
    from crm_saas.core.users import LoginEvent
    from crm_saas.extensions import db

    def add():
        for username, at in events:
            db.session.add(LoginEvent(username=username, success=False, reason="bad_credentials", channel="api",
                                      ip="10.0.0.9", at=at))
        db.session.commit()

    factory._run(tenant, add)


def utc(*parts):
    return datetime(*parts, tzinfo=timezone.utc)


def test_only_staff_managers_read_the_logs(tenant, client_for, factory):
    admin = factory.admin_id(tenant)
    factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    factory.user(tenant, "rep", superior_id=admin)
    for username in ("boss", "rep"):
        client = client_for(tenant)
        login(client, username, STAFF_PASSWORD)
        assert client.get("/audit/logins").status_code == 403
        assert client.get("/audit/operations").status_code == 403


def test_login_log_filtered_by_person(tenant, admin_client, client_for, factory):
    admin = factory.admin_id(tenant)
    rep = factory.user(tenant, "rep", superior_id=admin)
    client = client_for(tenant)
    login(client, "rep", "wrong-Pass1!")
    login(client, "rep", STAFF_PASSWORD)
    everyone = admin_client.get("/audit/logins")
    assert everyone.status_code == 200 and len(rows(everyone.text)) == 3  # the admin's own login too
    mine = admin_client.get("/audit/logins", query_string={"user_id": rep}, headers=HTMX)
    assert 'id="log-results"' in mine.text and "<html" not in mine.text
    found = rows(mine.text)
    assert len(found) == 2 and all("<td>rep</td>" in r for r in found)
    assert "Wrong username or password" in found[1] and "Logged in" in found[0] and "Web" in found[0]


def test_login_log_days_are_china_days(tenant, admin_client, factory):
    add_login_events(factory, tenant, [
        ("late_on_the_1st", utc(2024, 3, 1, 15, 57)),   # 23:57 in Shanghai, 1 March
        ("early_on_the_2nd", utc(2024, 3, 1, 16, 30)),  # 00:30 in Shanghai, 2 March
        ("on_the_5th", utc(2024, 3, 5, 2, 0)),
    ])

    def names(**query):
        html = admin_client.get("/audit/logins", query_string=query, headers=HTMX).text
        return [re.search(r"<td>([a-z_0-9]+)</td>", r).group(1) for r in rows(html)]

    assert names(date_from="2024-03-01", date_to="2024-03-01") == ["late_on_the_1st"]
    assert names(date_from="2024-03-02", date_to="2024-03-02") == ["early_on_the_2nd"]
    assert names(date_from="2024-03-02", date_to="2024-03-05") == ["on_the_5th", "early_on_the_2nd"]
    assert names(date_to="2024-03-04") == ["early_on_the_2nd", "late_on_the_1st"]
    page = admin_client.get("/audit/logins", query_string={"date_from": "2024-03-05", "date_to": "2024-03-01"})
    assert "To: the end date comes before the start date." in page.text and rows(page.text) == []


def test_login_log_pages_keep_the_filter(tenant, admin_client, factory):
    add_login_events(factory, tenant, [(f"user{i:02d}", utc(2024, 3, 1, 4, i)) for i in range(55)])
    first = admin_client.get("/audit/logins", query_string={"date_from": "2024-03-01", "date_to": "2024-03-01"})
    assert len(rows(first.text)) == 50 and "55 login attempts" in first.text
    next_url = re.search(r'<a href="([^"]+)"[^>]*>Next</a>', first.text).group(1).replace("&amp;", "&")
    assert "date_from=2024-03-01" in next_url
    second = admin_client.get(next_url)
    assert len(rows(second.text)) == 5 and "user00" in second.text


def test_operation_log_by_person_and_date_with_departed_people(tenant, admin_client, client_for, factory):
    from crm_saas.blueprints.staff.services.departures import deactivate_staff
    from crm_saas.core.audit import OperationLog
    from crm_saas.core.users import User
    from crm_saas.extensions import db

    admin = factory.admin_id(tenant)
    rep = factory.user(tenant, "rep", superior_id=admin)
    leaver = factory.user(tenant, "leaver", superior_id=admin)
    for username in ("rep", "leaver"):
        client = client_for(tenant)
        login(client, username, STAFF_PASSWORD)
        details = {"name": username.title(), "phone": "13800000000", "locale": "en"}
        assert client.post("/me", data=details).status_code == 302
    admin_client.post("/settings/general", data={"customer_approval": "y"})

    def depart_and_backdate():
        leaving = db.session.get(User, leaver)
        deactivate_staff(leaving, handover_to_id=admin, actor=db.session.get(User, admin))
        entry = db.session.scalar(select(OperationLog).where(OperationLog.actor_id == rep))
        entry.at = utc(2024, 3, 1, 16, 30)  # 2 March in Shanghai
        db.session.commit()

    factory._run(tenant, depart_and_backdate)
    page = admin_client.get("/audit/operations")
    assert "Leaver (departed)" in page.text
    assert {"Own profile edited", "Setting changed", "Staff member deactivated"} <= set(
        re.findall(r"<td>([A-Z][a-z ]+)</td>", page.text))
    by_rep = rows(admin_client.get("/audit/operations", query_string={"user_id": rep}, headers=HTMX).text)
    assert len(by_rep) == 1 and "Own profile edited" in by_rep[0] and "Phone: — → 13800000000" in by_rep[0]
    by_leaver = rows(admin_client.get("/audit/operations", query_string={"user_id": leaver}, headers=HTMX).text)
    assert len(by_leaver) == 1 and "Leaver" in by_leaver[0]
    on_day = rows(admin_client.get("/audit/operations", query_string={"date_from": "2024-03-02",
                                                                      "date_to": "2024-03-02"}, headers=HTMX).text)
    assert len(on_day) == 1 and "Own profile edited" in on_day[0]
    assert rows(admin_client.get("/audit/operations", query_string={"date_from": "2024-03-01",
                                                                    "date_to": "2024-03-01"}).text) == []


def test_the_operation_log_reads_labels_not_codes(tenant, admin_client, admin_api):
    created = admin_api.post("/custom-fields", json={"entity": "customer", "label": "Level", "type": "choice",
                                                     "options": ["A", "B"]})
    assert created.status_code == 201
    entry = [r for r in rows(admin_client.get("/audit/operations", headers=HTMX).text) if "Custom field added" in r]
    assert len(entry) == 1
    assert "Type: Single choice" in entry[0] and "Record type: Customers" in entry[0]
    assert "choice" not in entry[0].replace("Single choice", "")
