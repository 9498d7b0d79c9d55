"""The service report (F1): complaint rate, resolution time, satisfaction and overdue requests against a known
fixture, per assignee and per type, as each viewer may see them (API and page)."""
from datetime import timedelta

import pytest

from tests.blueprints.reports.report_scenes import MARCH, at, customer, signed_in

PERIOD = "range=month&from=2025-03-01"
FAR = at(1, 1, year=2099)


def add_request(factory, tenant, customer_id, type_, status, created, *, assignee=None, resolved_hours=None,
                satisfaction=None, due_at=FAR, response_due_at=FAR, responded=True):
    """A request stored as given (no timeline, no numbering service): what the report reads."""
    from crm_saas.blueprints.service.models import ServiceRequest
    from crm_saas.extensions import db

    def make():
        number = f"SR-T{created:%m%d%H%M}-{type_[:3]}-{status[:3]}-{satisfaction}"
        resolved = created + timedelta(hours=resolved_hours) if resolved_hours is not None else None
        record = ServiceRequest(
            number=number, type=type_, status=status, priority="normal", description="问题描述",
            customer_id=customer_id, assignee_id=assignee, created_at=created, updated_at=created,
            resolved_at=resolved, closed_at=resolved if status == "closed" else None, satisfaction=satisfaction,
            due_at=due_at, response_due_at=response_due_at, responded_at=created if responded else None)
        db.session.add(record)
        db.session.commit()
        return record.id

    return factory._run(tenant, make)


@pytest.fixture
def scene(tenant, factory):
    """admin > boss > ana; admin > other > dan. In March 2025 (China time):

    ana's customer: ana has 2 complaints (closed 6 h, scored 5; resolved 24 h) and 2 inquiries (closed 3 h, scored
    3; new and past due), and one suggestion nobody has taken, past its response time; dan's customer: dan has an
    after-sales request in progress and a complaint closed in 10 h, scored 4. Outside: a complaint the evening
    before March in Shanghai, one in April, one on a customer in the recycle bin.
    """
    admin = factory.admin_id(tenant)
    ids = {"admin": admin}
    ids["boss"] = factory.user(tenant, "boss", role="supervisor", superior_id=admin, name="Boss")
    ids["ana"] = factory.user(tenant, "ana", superior_id=ids["boss"], name="Ana")
    ids["other"] = factory.user(tenant, "other", role="supervisor", superior_id=admin, name="Other")
    ids["dan"] = factory.user(tenant, "dan", superior_id=ids["other"], name="Dan")
    mine, his = customer(factory, tenant, ids["ana"]), customer(factory, tenant, ids["dan"], province="北京市")
    binned = customer(factory, tenant, ids["ana"])
    ana, dan = ids["ana"], ids["dan"]
    add_request(factory, tenant, mine, "complaint", "closed", at(3, 1, 0, 30), assignee=ana, resolved_hours=6,
                satisfaction=5)  # 00:30 on 1 March in Shanghai is still 28 February in UTC: March's
    add_request(factory, tenant, mine, "complaint", "resolved", at(3, 3), assignee=ana, resolved_hours=24)
    add_request(factory, tenant, mine, "inquiry", "closed", at(3, 5), assignee=ana, resolved_hours=3, satisfaction=3)
    add_request(factory, tenant, mine, "inquiry", "new", at(3, 10), assignee=ana, due_at=at(3, 11))
    add_request(factory, tenant, mine, "suggestion", "new", at(3, 25), response_due_at=at(3, 25, 16), responded=False)
    add_request(factory, tenant, his, "after_sales", "in_progress", at(3, 15), assignee=dan)
    add_request(factory, tenant, his, "complaint", "closed", at(3, 20), assignee=dan, resolved_hours=10,
                satisfaction=4)
    add_request(factory, tenant, mine, "complaint", "new", at(2, 28, 23, 30), assignee=ana)  # February
    add_request(factory, tenant, mine, "complaint", "new", at(4, 1, 0, 30), assignee=ana)  # April
    add_request(factory, tenant, binned, "complaint", "new", at(3, 12), assignee=ana)

    def bin_it():
        from crm_saas.blueprints.customers.models import Customer
        from crm_saas.extensions import db

        db.session.get(Customer, binned).deleted_at = at(3, 30)
        db.session.commit()

    factory._run(tenant, bin_it)
    return ids


def by_key(body):
    return {(row["group"], row["key"]): row for row in body["rows"]}


def test_complaint_rate_resolution_and_satisfaction_against_the_fixture(tenant, scene, admin_api):
    body = admin_api.get(f"/reports/service?{PERIOD}").get_json()
    rows = by_key(body)
    assert [(row["group"], row["assignee"]) for row in body["rows"]] == [
        (None, "Ana"), (None, "Dan"), (None, "Unassigned"),
        ("By type", "Inquiry"), ("By type", "Complaint"), ("By type", "After-sales"), ("By type", "Suggestion")]
    assert rows[(None, scene["ana"])] == {
        "key": scene["ana"], "group": None, "assignee": "Ana", "requests": 4, "complaints": 2,
        "complaint_rate": "50.0", "resolved": 3, "resolution_hours": 11, "rated": 2, "satisfaction": "50.0",
        "overdue": 1}  # (6 + 24 + 3) / 3 hours; one of two rated scored 4 or 5
    dan = rows[(None, scene["dan"])]
    assert (dan["requests"], dan["complaint_rate"], dan["resolution_hours"], dan["satisfaction"], dan["overdue"]) \
        == (2, "50.0", 10, "100.0", 0)
    unassigned = rows[(None, "unassigned")]
    assert (unassigned["requests"], unassigned["complaints"], unassigned["complaint_rate"], unassigned["overdue"]) \
        == (1, 0, "0.0", 1)
    complaint = rows[("By type", "complaint")]
    assert (complaint["requests"], complaint["complaint_rate"], complaint["resolution_hours"],
            complaint["satisfaction"]) == (3, None, 13, "100.0")  # (6 + 24 + 10) / 3 = 13.3 hours
    assert body["totals"] == {
        "assignee": "Total", "requests": 7, "complaints": 3, "complaint_rate": "42.9", "resolved": 4,
        "resolution_hours": 11, "rated": 3, "satisfaction": "66.7", "overdue": 2}  # 3 / 7; 43 h / 4; 2 of 3


def test_each_viewer_counts_what_they_see_and_filters_narrow_by_assignee(tenant, scene, api_for, admin_api):
    boss = api_for(tenant, "boss").get(f"/reports/service?{PERIOD}").get_json()
    assert [row["assignee"] for row in boss["rows"] if row["group"] is None] == ["Ana", "Unassigned"]
    assert (boss["totals"]["requests"], boss["totals"]["complaint_rate"]) == (5, "40.0")  # dan's are out of sight
    dan = api_for(tenant, "dan").get(f"/reports/service?{PERIOD}").get_json()
    assert [row["assignee"] for row in dan["rows"] if row["group"] is None] == ["Dan"]
    assert dan["totals"]["requests"] == 2

    team = admin_api.get(f"/reports/service?{PERIOD}&team_id={scene['boss']}").get_json()
    assert [row["assignee"] for row in team["rows"] if row["group"] is None] == ["Ana"]  # the unassigned one: no
    assert team["totals"]["requests"] == 4 and team["filters"]["team_id"] == scene["boss"]
    owner = admin_api.get(f"/reports/service?{PERIOD}&owner_id={scene['dan']}").get_json()
    assert owner["totals"]["complaints"] == 1
    region = admin_api.get(f"/reports/service?{PERIOD}&province=北京市").get_json()
    assert region["totals"]["requests"] == 2  # dan's customer is in Beijing
    april = admin_api.get("/reports/service?range=month&from=2025-04-01").get_json()
    assert april["totals"]["requests"] == 1 and april["totals"]["complaint_rate"] == "100.0"


def test_the_report_page_shows_the_rates_and_the_types(tenant, scene, client_for):
    page = signed_in(client_for, tenant, "admin").get("/reports/service", query_string=MARCH)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Service requests and complaints" in text and "42.9%" in text and "66.7%" in text
    assert "By type" in text and "After-sales" in text and "Unassigned" in text
    assert signed_in(client_for, tenant, "dan").get("/reports/service", query_string=MARCH).status_code == 200
