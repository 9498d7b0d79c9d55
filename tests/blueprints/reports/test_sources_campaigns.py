"""Source effectiveness by campaign (G1, ``by=campaign``): a row per campaign with its cost and ROI, one for the
records of no campaign; the same figures on the page, in the API and in the Excel export."""
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.blueprints.customers.campaign_helpers import make_campaign
from tests.blueprints.reports.report_scenes import (
    at,
    customer,
    deal,
    measure_count,
    report,
    run,
    signed_in,
    table_rows,
    team,
)
from tests.workers.report_scene import run_and_download

D = Decimal


@pytest.fixture
def scene(tenant, factory):
    """March 2025. Campaigns: 春季展会 (1-31 March, cost 2,000), 邮件推广 (February, cost 1,000), 线上推广 (from
    10 March, cost 500, nothing yet), a cancelled one in March and one in April (neither shown).

    - ana: c1 and c2 of 春季展会 (2 and 3 March); c1's deal won 3,000 on 20 March, c2's lost on 12 March;
      c3 of no campaign (4 March) whose deal of 邮件推广 (created in February) was won for 1,500 on 15 March;
      c4 of no campaign (1 March) with an open deal of none;
    - ben: c5 of 春季展会 (6 March), its deal won 1,000 on 9 March.
    """
    ids = team(factory, tenant)
    spring = make_campaign(factory, tenant, "春季展会", cost="2000", starts_on=date(2025, 3, 1),
                           ends_on=date(2025, 3, 31))
    mail = make_campaign(factory, tenant, "邮件推广", cost="1000", starts_on=date(2025, 2, 1), ends_on=date(2025, 2, 28))
    online = make_campaign(factory, tenant, "线上推广", cost="500", starts_on=date(2025, 3, 10))
    make_campaign(factory, tenant, "取消的活动", cost="900", status="cancelled", starts_on=date(2025, 3, 5))
    make_campaign(factory, tenant, "四月活动", cost="800", starts_on=date(2025, 4, 1))

    def add(owner, created, campaign):
        return customer(factory, tenant, ids[owner], created=created, source="campaign"), campaign

    def sell(owner, customer_id, created, campaign, path=(), amount="1000"):
        return deal(factory, tenant, ids[owner], customer_id, created=created, path=list(path), amount=amount,
                    lost_reason="预算不足"), campaign

    records = [add("ana", at(3, 2), spring), add("ana", at(3, 3), spring), add("ana", at(3, 4), None),
               add("ana", at(3, 1), None), add("ben", at(3, 6), spring)]
    (c1, _), (c2, _), (c3, _), (c4, _), (c5, _) = records
    deals = [sell("ana", c1, at(3, 5), spring, [("won", at(3, 20))], "3000"),
             sell("ana", c2, at(3, 6), spring, [("lost", at(3, 12))]),
             sell("ana", c3, at(2, 10), mail, [("won", at(3, 15))], "1500"),
             sell("ana", c4, at(3, 2), None),
             sell("ben", c5, at(3, 7), spring, [("won", at(3, 9))])]

    def attribute():
        from crm_saas.blueprints.customers.models import Customer
        from crm_saas.blueprints.pipeline.models import Deal
        from crm_saas.extensions import db

        for model, rows in ((Customer, records), (Deal, deals)):
            for record_id, campaign_id in rows:
                db.session.get(model, record_id).campaign_id = campaign_id

    run(factory, tenant, attribute)
    return {**ids, "spring": spring, "mail": mail, "online": online}


def figures(result):
    return {row["source"]: (row["new_customers"], row["new_deals"], row["won_count"], row["won_amount"],
                            row["lost_count"], row["win_rate"], row["cost"], row["roi"]) for row in result.rows}


def test_the_admin_reads_every_campaign_its_cost_and_roi(tenant, factory, scene):
    result = report(factory, tenant, "sources", scene["admin"], by="campaign")
    assert [row["source"] for row in result.rows] == ["线上推广", "春季展会", "邮件推广", "No campaign"]
    assert figures(result) == {
        "线上推广": (0, 0, 0, D("0.00"), 0, None, D("500.00"), D("0.0")),
        "春季展会": (3, 3, 2, D("4000.00"), 1, D("66.7"), D("2000.00"), D("200.0")),
        "邮件推广": (0, 0, 1, D("1500.00"), 0, D("100.0"), D("1000.00"), D("150.0")),
        "No campaign": (2, 1, 0, D("0.00"), 0, None, None, None),
    }
    totals = result.totals
    assert (totals["new_customers"], totals["new_deals"], totals["won_count"], totals["won_amount"],
            totals["lost_count"], totals["win_rate"], totals["cost"], totals["roi"]) == (
        5, 4, 3, D("5500.00"), 1, D("75.0"), D("3500.00"), D("157.1"))
    spring_row = [row["key"] for row in result.rows].index(scene["spring"])
    assert measure_count(factory, tenant, scene["admin"], result.drill[(spring_row, "won_count")]) == 2
    assert measure_count(factory, tenant, scene["admin"], result.drill[(3, "new_customers")]) == 2  # no campaign
    by_source = report(factory, tenant, "sources", scene["admin"])  # the default grouping is untouched
    assert [row["key"] for row in by_source.rows] == ["campaign"] and by_source.rows[0]["cost"] is None


def test_a_rep_counts_their_own_against_the_whole_cost(tenant, factory, scene):
    result = report(factory, tenant, "sources", scene["ana"], by="campaign")
    assert figures(result)["春季展会"] == (2, 2, 1, D("3000.00"), 1, D("50.0"), D("2000.00"), D("150.0"))


def test_the_page_the_api_and_the_export_show_the_campaigns(app, tenant, factory, client_for, api_for, scene):
    admin = signed_in(client_for, tenant, "admin")
    page = admin.get("/reports/sources", query_string={"range": "month", "from": "2025-03-01", "by": "campaign"})
    assert page.status_code == 200
    assert re.search(r'<select class="form-select" name="by"', page.text)
    rows = {row[0]: row for row in table_rows(page.text)}
    assert rows["春季展会"][1:4] == ["3", "3", "2"] and rows["春季展会"][-2:] == ["CN¥2,000.00", "200.0%"]
    assert rows["No campaign"][-2:] == ["–", "–"]

    body = api_for(tenant).get("/reports/sources", query_string={"range": "month", "from": "2025-03-01",
                                                                 "by": "campaign"}).get_json()
    spring = next(row for row in body["rows"] if row["key"] == scene["spring"])
    assert (spring["source"], spring["won_amount"], spring["cost"], spring["roi"]) == (
        "春季展会", "4000.00", "2000.00", "200.0")
    assert body["filters"]["by"] == "campaign" and body["totals"]["roi"] == "157.1"
    bad = api_for(tenant).get("/reports/sources", query_string={"by": "region"})
    assert bad.status_code == 422 and list(bad.get_json()["errors"]) == ["by"]

    queued = admin.post("/reports/export", data={"report": "sources", "format": "xlsx", "range": "month",
                                                 "from": "2025-03-01", "by": "campaign"})
    export_id = int(re.search(r"/exports/(\d+)", queued.text).group(1))
    sheet = load_workbook(io.BytesIO(run_and_download(app, tenant, admin, export_id).data)).active
    values = [row for row in sheet.values if row and any(row)]
    spring_row = next(row for row in values if row[0] == "春季展会")
    assert list(spring_row[:4]) == ["春季展会", 3, 3, 2] and [float(v) for v in spring_row[-2:]] == [2000.0, 200.0]
