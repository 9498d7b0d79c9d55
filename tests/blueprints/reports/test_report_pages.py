"""The report centre's pages: the list of reports, every report in both languages, sorting by a column, the htmx
body, report arguments, and a statement count that does not grow with the rows."""
import re

import pytest

from tests.blueprints.reports.report_scenes import (
    at,
    closed,
    customer,
    deal,
    signed_in,
    table_rows,
    team,
)

MARCH = "range=month&from=2025-03-01"
MINE = ("sales-by-owner", "sales-by-team", "funnel", "conversion", "sources", "follow-ups")


def report_keys(app):
    from crm_saas.blueprints.reports.services.registry import all_reports

    with app.app_context():
        return list(all_reports())


@pytest.fixture
def scene(tenant, factory):
    """ana: 3 won (1,000, 2,000, 3,000) and 1 lost in March; ben: 1 won (5,000); cai: 2 lost."""
    ids = team(factory, tenant)
    for amount in ("1000", "2000", "3000"):
        closed(factory, tenant, ids["ana"], "won", amount=amount)
    closed(factory, tenant, ids["ana"], "lost")
    closed(factory, tenant, ids["ben"], "won", amount="5000")
    closed(factory, tenant, ids["cai"], "lost")
    closed(factory, tenant, ids["cai"], "lost")
    return ids


def test_the_centre_lists_every_report(app, tenant, admin_client):
    page = admin_client.get("/reports/")
    assert page.status_code == 200
    for key in report_keys(app):
        assert f'href="/reports/{key}"' in page.text
    assert "Sales by rep" in page.text and "Stage funnel" in page.text
    chinese = admin_client.get("/reports/", headers={"Accept-Language": "zh-CN"})
    assert chinese.status_code == 200 and 'lang="zh-CN"' in chinese.text


def test_every_report_renders_in_english_and_chinese(app, tenant, scene, client_for, admin_client):
    mid = signed_in(client_for, tenant, "mid")
    for key in report_keys(app):
        for client in (admin_client, mid):
            for language in ("en", "zh-CN"):
                page = client.get(f"/reports/{key}?{MARCH}", headers={"Accept-Language": language})
                assert page.status_code == 200, (key, language)
                assert 'id="report-body"' in page.text and 'id="scope-filters"' in page.text
    chinese = admin_client.get(f"/reports/sales-by-owner?{MARCH}", headers={"Accept-Language": "zh-CN"}).text
    assert "¥6,000.00" in chinese and "CN¥" not in chinese


def test_a_column_head_sorts_the_table_both_ways(tenant, scene, admin_client):
    page = admin_client.get(f"/reports/sales-by-owner?{MARCH}").text
    assert [row[0] for row in table_rows(page)] == ["Ana", "Ben", "Cai"]  # the won amount, biggest first
    assert 'href="/reports/sales-by-owner?sort=-lost_count&amp;range=month&amp;from=2025-03-01"' in page
    by_lost = admin_client.get(f"/reports/sales-by-owner?{MARCH}&sort=-lost_count").text
    assert [row[0] for row in table_rows(by_lost)] == ["Cai", "Ana", "Ben"]
    assert 'aria-sort="descending"' in by_lost and 'data-sort="lost_count"' in by_lost
    by_name = admin_client.get(f"/reports/sales-by-owner?{MARCH}&sort=-owner").text
    assert [row[0] for row in table_rows(by_name)] == ["Cai", "Ben", "Ana"]
    # A sort the table does not offer is the report's own order.
    assert table_rows(admin_client.get(f"/reports/sales-by-owner?{MARCH}&sort=bogus").text)[0][0] == "Ana"


def test_htmx_asks_for_the_body_only(tenant, scene, admin_client):
    page = admin_client.get(f"/reports/sales-by-owner?{MARCH}", headers={"HX-Request": "true"})
    assert page.status_code == 200
    assert page.text.lstrip().startswith("<div id=\"report-body\"") and "<html" not in page.text


def test_the_chart_carries_the_figures_and_the_lists_behind_them(tenant, scene, admin_client):
    import json
    from html import unescape

    page = admin_client.get(f"/reports/sales-by-owner?{MARCH}").text
    chart = json.loads(unescape(re.search(r"data-chart='([^']+)'", page).group(1)))
    assert chart["type"] == "bar" and chart["categories"] == ["Ana", "Ben", "Cai"]  # largest first
    assert chart["series"][0]["data"] == [6000.0, 5000.0, 0.0]
    assert chart["urls"][0].startswith("/reports/records/sales_won?") and "owner_id=" in chart["urls"][0]


def test_bad_filters_are_named_and_the_default_shown(tenant, scene, admin_client):
    page = admin_client.get("/reports/sales-by-owner?range=year&owner_id=x")
    assert page.status_code == 422
    assert "Choose day, week, month, quarter or custom." in page.text
    bad_pipeline = admin_client.get("/reports/funnel?pipeline_id=424242")
    assert bad_pipeline.status_code == 422 and "Choose a pipeline from the list." in bad_pipeline.text
    assert admin_client.get("/reports/no-such-report").status_code == 404


def test_report_arguments_have_their_own_controls(tenant, scene, admin_client):
    funnel = admin_client.get(f"/reports/funnel?{MARCH}").text
    assert 'id="report-extras"' in funnel and 'name="pipeline_id"' in funnel
    follow = admin_client.get(f"/reports/follow-ups?{MARCH}&days=45").text
    assert re.search(r'name="days" value="45"', follow)
    assert admin_client.get(f"/reports/follow-ups?{MARCH}&days=45&sort=rep").status_code == 200


def test_a_rep_opens_the_centre_and_sees_their_own_figures(tenant, scene, client_for):
    ben = signed_in(client_for, tenant, "ben")
    assert ben.get("/reports/").status_code == 200
    rows = table_rows(ben.get(f"/reports/sales-by-owner?{MARCH}").text)
    assert [row[0] for row in rows] == ["Ben"]


def _grow(factory, tenant, ids, times):
    """More rows in every report: a new rep with a won and a lost deal, a follow-up and a type change each time."""
    from crm_saas.blueprints.activities.models import Activity
    from crm_saas.blueprints.customers.models import CustomerChange
    from crm_saas.extensions import db
    from tests.blueprints.reports.report_scenes import run

    for index in range(times):
        rep = factory.user(tenant, f"grow{index}", superior_id=ids["mid"], name=f"Grow {index}")
        lead = factory.user(tenant, f"lead{index}", role="supervisor", superior_id=ids["boss"], name=f"Lead {index}")
        closed(factory, tenant, rep, "won", amount="10", source="exhibition" if index % 2 else "outbound")
        closed(factory, tenant, lead, "lost")
        customer_id = customer(factory, tenant, rep, created=at(3, 3))
        deal(factory, tenant, rep, customer_id, created=at(3, 4), path=[("needs_analysis", at(3, 6))])
        run(factory, tenant, lambda c=customer_id, r=rep: db.session.add_all([
            Activity(customer_id=c, type="visit", occurred_at=at(3, 5), summary="拜访", created_by_id=r),
            CustomerChange(customer_id=c, at=at(3, 7), actor_name="x", action="updated", field="type",
                           old="potential", new="intent")]))


def test_the_statement_count_does_not_grow_with_the_rows(tenant, factory, scene, admin_client, count_queries):
    def counts():
        found = {}
        for key in MINE:
            admin_client.get(f"/reports/{key}?{MARCH}")  # warm: the menu's and the session's first reads
            with count_queries() as statements:
                assert admin_client.get(f"/reports/{key}?{MARCH}").status_code == 200
            found[key] = len(statements)
        return found

    before = counts()
    _grow(factory, tenant, scene, 6)
    after = counts()
    assert after == before
    assert max(after.values()) <= 20, after


def test_a_long_table_shows_its_first_rows_and_all_on_request(tenant, scene, admin_client, monkeypatch):
    from crm_saas.blueprints.reports import report_routes

    monkeypatch.setattr(report_routes, "SHOWN_ROWS", 2)
    page = admin_client.get(f"/reports/sales-by-owner?{MARCH}&sort=-lost_count").text
    names = [row[0] for row in table_rows(page)]
    assert names[:2] == ["Cai", "Ana"] and "Ben" not in names  # the first two in the order asked (2 lost, 1 lost)
    assert "1 more row is not shown here; the export holds it." in page
    link = re.search(r'<a href="([^"]+)"[^>]*>Show all rows</a>', page).group(1).replace("&amp;", "&")
    assert "all=1" in link and "sort=-lost_count" in link
    every = admin_client.get(link).text
    assert [row[0] for row in table_rows(every)][:3] == ["Cai", "Ana", "Ben"]
    assert "not shown here" not in every
