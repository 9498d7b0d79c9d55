"""The weekly summary's switch: managers turn it on and off in place (``_subscription.html`` answers itself);
reps may not turn it on; the targets page shows it to managers."""
import pytest
from sqlalchemy import select

from tests.blueprints.reports.target_scene import company
from tests.conftest import login

HTMX = {"HX-Request": "true"}


@pytest.fixture
def people(tenant, factory):
    return company(factory, tenant)


def signed_in(client_for, tenant, username):
    client = client_for(tenant)
    assert login(client, username, "Staff#2026").status_code == 302
    return client


def stored(factory, tenant, user_id):
    """``(active, last_sent_at)`` of the person's weekly subscription, or None."""
    from crm_saas.blueprints.reports.models import ReportSubscription
    from crm_saas.extensions import db

    return factory._run(tenant, lambda: db.session.execute(
        select(ReportSubscription.active, ReportSubscription.last_sent_at)
        .where(ReportSubscription.user_id == user_id)).first())


def test_a_supervisor_switches_it_on_and_off_in_place(tenant, factory, people, client_for):
    boss = signed_in(client_for, tenant, "boss")
    page = boss.get("/reports/targets/manage").get_data(as_text=True)
    assert 'id="weekly-summary"' in page and "Send me the weekly summary" in page
    assert "Add your email address first." in page  # boss has none yet
    on = boss.post("/reports/subscription", data={"active": "1"}, headers=HTMX)
    assert on.status_code == 200
    html = on.get_data(as_text=True)
    assert html.lstrip().startswith('<form id="weekly-summary"') and "Stop the weekly summary" in html
    assert 'name="active" value="0"' in html
    assert tuple(stored(factory, tenant, people["boss"])) == (True, None)
    off = boss.post("/reports/subscription", data={"active": "0"}, headers=HTMX)
    assert "Send me the weekly summary" in off.get_data(as_text=True)
    assert tuple(stored(factory, tenant, people["boss"])) == (False, None)
    again = boss.post("/reports/subscription", data={"active": "1", "next": "/reports/targets/manage"})
    assert again.status_code == 302 and again.headers["Location"].endswith("/reports/targets/manage")
    assert stored(factory, tenant, people["boss"])[0] is True


def test_a_rep_may_not_subscribe(tenant, factory, people, client_for):
    rep = signed_in(client_for, tenant, "rep_a")
    assert rep.post("/reports/subscription", data={"active": "1"}, headers=HTMX).status_code == 403
    assert stored(factory, tenant, people["rep_a"]) is None
    assert rep.post("/reports/subscription", data={"active": "0"}, headers=HTMX).status_code == 200  # off is fine


def test_the_switch_is_shown_to_managers_only(tenant, factory, people):
    from flask import render_template
    from flask_babel import force_locale

    from crm_saas.blueprints.reports.services.subscriptions import subscription_state
    from crm_saas.core.users import User
    from crm_saas.extensions import db

    def render(user_id):
        with factory.app.test_request_context(), force_locale("en"):
            state = subscription_state(db.session.get(User, user_id))
            return state, render_template("reports/_subscription.html", weekly_summary=state).strip()

    state, html = factory._run(tenant, lambda: render(people["rep_a"]))
    assert state == {"allowed": False, "active": False, "email": None} and html == ""
    state, html = factory._run(tenant, lambda: render(people["admin"]))
    assert state["allowed"] and 'id="weekly-summary"' in html
