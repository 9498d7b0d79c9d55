"""Sales targets (业绩目标): the checks one target passes, who may set whose, progress against them (a team's
target defaulting to its people's sum), and the targets page with its inline editing."""
from decimal import Decimal

import pytest

from tests.blueprints.reports.target_scene import (
    MONTH,
    as_user,
    company,
    customer,
    deal,
    figures,
    follow_up,
    scope_of,
    target,
)
from tests.conftest import login

PASSWORD = "Staff#2026"


@pytest.fixture
def people(tenant, factory):
    return company(factory, tenant)


def create(factory, tenant, actor_id, data):
    """``("ok", id)`` or ``("refused", errors, extra)`` as the service answers ``actor_id``."""
    from crm_saas.blueprints.reports.services.targets import TargetConflict, TargetError, create_target

    def run(user):
        try:
            return "ok", create_target(data, actor=user).id
        except TargetConflict as err:
            return "conflict", {k: [str(m) for m in v] for k, v in err.errors.items()}, err.extra
        except TargetError as err:
            return "refused", {k: [str(m) for m in v] for k, v in err.errors.items()}, {}

    return as_user(factory, tenant, actor_id, run)


def progress(factory, tenant, user_id, **kwargs):
    from crm_saas.blueprints.reports.services.targets import target_progress

    return as_user(factory, tenant, user_id, lambda user: figures(target_progress(scope_of(user, **kwargs))))


def test_every_bad_field_is_named(tenant, factory, people):
    outcome, errors, _extra = create(factory, tenant, people["admin"], {
        "period": "2026-13", "metric": "revenue", "value": "-5", "user_id": people["rep_a"],
        "team_id": people["boss"]})
    assert outcome == "refused"
    assert set(errors) == {"period", "metric", "value", "team_id"}
    assert errors["period"] == ["Enter a month as YYYY-MM or a quarter as YYYY-Qn."]
    assert errors["team_id"] == ["Choose a person or a team, not both."]
    assert create(factory, tenant, people["admin"], {"period": "2026-Q2", "metric": "follow_ups", "value": "12.5",
                                                     "user_id": people["rep_a"]})[1] == {"value": ["Enter a whole number."]}
    assert create(factory, tenant, people["admin"], {"period": "2026-Q2", "metric": "won_amount", "value": "1.005",
                                                     "user_id": people["rep_a"]})[1] == {"value": ["Enter at most two decimals."]}
    assert create(factory, tenant, people["admin"], {"period": "2026-04", "metric": "won_amount", "value": "1"})[1] == {
        "user_id": ["Choose a person or a team."]}
    assert create(factory, tenant, people["admin"], {"period": "2026-04", "metric": "won_amount", "value": "1",
                                                     "team_id": people["rep_a"]})[1] == {
        "team_id": ["A team is led by a supervisor or an administrator."]}


def test_supervisors_set_targets_below_them_only(tenant, factory, people):
    data = {"period": "2026-03", "metric": "won_amount", "value": "30000"}
    assert create(factory, tenant, people["boss"], {**data, "user_id": people["rep_a"]})[0] == "ok"
    for holder in ({"user_id": people["boss"]}, {"user_id": people["rep_c"]}):  # themself, another team
        assert create(factory, tenant, people["boss"], {**data, **holder})[1] == {
            "user_id": ["Choose someone you may set targets for."]}
    assert create(factory, tenant, people["boss"], {**data, "team_id": people["boss2"]})[1] == {
        "team_id": ["Choose a team you may set targets for."]}
    assert create(factory, tenant, people["admin"], {**data, "team_id": people["boss"]})[0] == "ok"
    assert create(factory, tenant, people["admin"], {**data, "user_id": people["admin"]})[0] == "ok"
    assert create(factory, tenant, people["rep_a"], {**data, "user_id": people["rep_a"]})[0] == "refused"


def test_a_second_target_for_the_same_holder_period_and_metric_is_a_conflict(tenant, factory, people):
    data = {"period": "2026-03", "metric": "new_customers", "value": "10", "user_id": people["rep_a"]}
    first = create(factory, tenant, people["admin"], data)[1]
    outcome, errors, extra = create(factory, tenant, people["admin"], {**data, "value": "12"})
    assert outcome == "conflict" and extra == {"existing_id": first}
    assert create(factory, tenant, people["admin"], {**data, "period": "2026-Q1"})[0] == "ok"  # a quarter is another


@pytest.fixture
def march(tenant, factory, people):
    """Targets of March 2026 (rep_a 30000, rep_b 20000, rep_c 10000 won; rep_a 4 new customers; boss's team 10
    follow-ups) and what happened: rep_a won 10000 + 2500, rep_b nothing, rep_c 7000; a deal won in April."""
    target(factory, tenant, "won_amount", 30000, user_id=people["rep_a"])
    target(factory, tenant, "won_amount", 20000, user_id=people["rep_b"])
    target(factory, tenant, "won_amount", 10000, user_id=people["rep_c"])
    target(factory, tenant, "new_customers", 4, user_id=people["rep_a"])
    target(factory, tenant, "follow_ups", 10, team_id=people["boss"])
    a = customer(factory, tenant, people["rep_a"], "甲公司")
    customer(factory, tenant, people["rep_a"], "乙公司", created=MONTH.replace(month=2, day=20))  # February
    c = customer(factory, tenant, people["rep_c"], "丙公司")
    deal(factory, tenant, a, people["rep_a"], "10000")
    deal(factory, tenant, a, people["rep_a"], "2500", on=MONTH.replace(day=31))
    deal(factory, tenant, a, people["rep_a"], "99999", on=MONTH.replace(month=4, day=1))
    deal(factory, tenant, c, people["rep_c"], "7000")
    for _ in range(3):
        follow_up(factory, tenant, a, people["rep_a"])
    follow_up(factory, tenant, c, people["rep_c"])
    return people


def test_a_teams_target_defaults_to_its_peoples_sum(tenant, factory, march):
    got = progress(factory, tenant, march["boss"])  # a supervisor: their team
    assert got["won_amount"] == (Decimal("50000.00"), Decimal("12500.00"), Decimal("25.0"))
    assert got["new_customers"] == (Decimal(4), Decimal(1), Decimal("25.0"))
    assert got["follow_ups"] == (Decimal(10), Decimal(3), Decimal("30.0"))  # the team's own target
    target(factory, tenant, "won_amount", 40000, team_id=march["boss"])  # now a target of its own
    assert progress(factory, tenant, march["boss"])["won_amount"][0] == Decimal("40000.00")


def test_progress_for_a_rep_the_admin_and_filters(tenant, factory, march):
    assert progress(factory, tenant, march["rep_a"])["won_amount"] == (
        Decimal("30000.00"), Decimal("12500.00"), Decimal("41.7"))
    assert progress(factory, tenant, march["rep_b"])["won_amount"] == (Decimal("20000.00"), Decimal("0.00"), Decimal("0.0"))
    company_wide = progress(factory, tenant, march["admin"])  # every person's targets, everyone's results
    assert company_wide["won_amount"] == (Decimal("60000.00"), Decimal("19500.00"), Decimal("32.5"))
    assert company_wide["follow_ups"] == (None, Decimal(4), None)  # a team's target is not a person's
    assert progress(factory, tenant, march["admin"], owner_id=march["rep_c"])["won_amount"] == (
        Decimal("10000.00"), Decimal("7000.00"), Decimal("70.0"))
    assert progress(factory, tenant, march["admin"], team_id=march["boss"])["won_amount"][:2] == (
        Decimal("50000.00"), Decimal("12500.00"))
    # A supervisor filtering by someone out of sight learns nothing: no target, nothing counted.
    assert progress(factory, tenant, march["boss"], owner_id=march["rep_c"])["won_amount"] == (
        None, Decimal("0.00"), None)
    # A week measures against its month; a quarter against the quarter's target.
    assert progress(factory, tenant, march["rep_a"], first=MONTH.replace(day=16), range_="week")["won_amount"][0] == \
        Decimal("30000.00")
    assert progress(factory, tenant, march["rep_a"], range_="quarter")["won_amount"][0] is None
    target(factory, tenant, "won_amount", 90000, user_id=march["rep_a"], period="2026-Q1")
    assert progress(factory, tenant, march["rep_a"], range_="quarter")["won_amount"] == (
        Decimal("90000.00"), Decimal("12500.00"), Decimal("13.9"))


def test_the_list_behind_an_actual_has_as_many_rows(tenant, factory, march):
    from crm_saas.blueprints.reports.services.target_report import MEASURES
    from crm_saas.blueprints.reports.services.targets import target_progress
    from tests.blueprints.reports.target_scene import count_rows

    def check(user):
        scope = scope_of(user)
        for item in target_progress(scope):
            listed = count_rows(MEASURES[item["measure"]].statement(scope, **item["params"]))
            if item["metric"] != "won_amount":
                assert listed == item["actual"], item["metric"]
            else:
                assert listed == 2  # the two deals of 10000 and 2500
        return True

    assert as_user(factory, tenant, march["boss"], check)


def test_progress_costs_two_statements(tenant, factory, march, count_queries):
    from crm_saas.blueprints.reports.services.targets import target_progress

    def run(user):
        scope = scope_of(user)
        with count_queries() as statements:
            target_progress(scope)
        return len(statements)

    assert as_user(factory, tenant, march["admin"], run) <= 3  # the targets, the actuals (and the tree walk)


# -- the page --------------------------------------------------------------------------------------------------

def signed_in(client_for, tenant, username):
    client = client_for(tenant)
    assert login(client, username, PASSWORD).status_code == 302
    return client


HTMX = {"HX-Request": "true"}


def stored(factory, tenant):
    """``[(metric, value)]`` of every target in the company."""
    from sqlalchemy import select

    from crm_saas.blueprints.reports.models import Target
    from crm_saas.extensions import db

    return factory._run(tenant, lambda: sorted(db.session.execute(select(Target.metric, Target.value)).all()))


def test_the_page_lists_whom_the_viewer_may_set_targets_for(tenant, factory, people, client_for, admin_client):
    target(factory, tenant, "won_amount", 30000, user_id=people["rep_a"])
    target(factory, tenant, "won_amount", 20000, user_id=people["rep_b"])
    boss = signed_in(client_for, tenant, "boss")
    page = boss.get("/reports/targets/manage?period=2026-03")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'id="target-row-person-{people["rep_a"]}"' in html and f'id="target-row-person-{people["rep_b"]}"' in html
    assert "Rep C" not in html and f'target-row-person-{people["boss"]}"' not in html
    assert "¥30,000.00" in html
    whole = admin_client.get("/reports/targets/manage?period=2026-03").get_data(as_text=True)
    assert f'id="target-row-team-{people["boss"]}"' in whole and "CN¥50,000.00 (its people's)" in whole
    assert signed_in(client_for, tenant, "rep_a").get("/reports/targets/manage").status_code == 403


def test_a_row_is_edited_in_place_with_errors_beside_the_field(tenant, factory, people, client_for):
    boss = signed_in(client_for, tenant, "boss")
    url = f"/reports/targets/manage/person/{people['rep_a']}"
    form = boss.get(f"{url}?period=2026-03&edit=1", headers=HTMX).get_data(as_text=True)
    assert form.startswith(f'<tr id="target-row-person-{people["rep_a"]}"') and 'name="won_amount"' in form
    refused = boss.post(url, data={"period": "2026-03", "won_amount": "-1", "new_customers": "2.5", "follow_ups": ""},
                        headers=HTMX)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert f'id="target-row-person-{people["rep_a"]}-won_amount-error"' in html and "Enter a target above 0." in html
    assert "Enter a whole number." in html
    saved = boss.post(url, data={"period": "2026-03", "won_amount": "30000", "new_customers": "5", "follow_ups": ""},
                      headers=HTMX)
    assert saved.status_code == 200 and "¥30,000.00" in saved.get_data(as_text=True)
    assert stored(factory, tenant) == [("new_customers", Decimal("5.00")), ("won_amount", Decimal("30000.00"))]
    # Emptying a value removes that target; the others stay.
    boss.post(url, data={"period": "2026-03", "won_amount": "30000", "new_customers": "", "follow_ups": ""}, headers=HTMX)
    assert stored(factory, tenant) == [("won_amount", Decimal("30000.00"))]
    assert boss.post(f"/reports/targets/manage/person/{people['rep_c']}", data={"period": "2026-03"},
                     headers=HTMX).status_code == 404  # out of sight
    assert boss.get(f"/reports/targets/manage/person/{people['boss']}?period=2026-03",
                    headers=HTMX).status_code == 403  # their own: seen, not theirs to set


def test_delete_from_the_row(tenant, factory, people, client_for):
    own = target(factory, tenant, "won_amount", 5000, user_id=people["boss"])
    mine = target(factory, tenant, "won_amount", 30000, user_id=people["rep_a"])
    other = target(factory, tenant, "won_amount", 10000, user_id=people["rep_c"])
    boss = signed_in(client_for, tenant, "boss")
    assert boss.post(f"/reports/targets/manage/{other}/delete", headers=HTMX).status_code == 404
    assert boss.post(f"/reports/targets/manage/{own}/delete", headers=HTMX).status_code == 403
    answer = boss.post(f"/reports/targets/manage/{mine}/delete", headers=HTMX)
    assert answer.status_code == 200 and "¥30,000.00" not in answer.get_data(as_text=True)
    assert boss.post(f"/reports/targets/manage/{mine}/delete", headers=HTMX).status_code == 404


def test_the_page_costs_the_same_with_more_people(tenant, factory, people, admin_client, count_queries):
    admin_client.get("/reports/targets/manage?period=2026-03")
    with count_queries() as few:
        assert admin_client.get("/reports/targets/manage?period=2026-03").status_code == 200
    for i in range(6):
        rep = factory.user(tenant, f"extra{i}", superior_id=people["boss2"])
        target(factory, tenant, "won_amount", 100 + i, user_id=rep)
    with count_queries() as many:
        assert admin_client.get("/reports/targets/manage?period=2026-03").status_code == 200
    assert len(many) == len(few)
