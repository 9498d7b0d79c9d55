"""Issue 13.9: a new company's board shows its first steps to those who run it, each ticked off as the company
does it, until all are done or someone hides the list; reps never see it."""
import re

from tests.conftest import STAFF_PASSWORD, login


def steps(page):
    return dict(re.findall(r'<li data-step="(\w+)" class="(done|todo)">', page))


def test_the_checklist_ticks_off_what_the_company_did_and_goes_when_done(tenant, factory, admin_client, admin_api):
    page = admin_client.get("/board").text
    assert "Get started" in page and "0 of 4 done" in page
    assert steps(page) == {"staff": "todo", "setup": "todo", "customers": "todo", "deal": "todo"}
    assert 'href="/staff/new"' in page and 'href="/customers/new"' in page

    admin = factory.admin_id(tenant)
    factory.user(tenant, "rep", superior_id=admin)
    customer = factory.customer(tenant, admin)
    assert steps(admin_client.get("/board").text) == {"staff": "done", "setup": "todo", "customers": "done",
                                                      "deal": "todo"}
    assert admin_api.post("/custom-fields", json={"entity": "customer", "label": "Level", "type": "text"}
                          ).status_code == 201
    factory.deal(tenant, customer, admin)
    assert "Get started" not in admin_client.get("/board").text  # all four done: gone for good
    assert "Get started" not in admin_client.get("/board").text


def test_a_rep_never_sees_it_and_hiding_it_hides_it_for_everyone(tenant, factory, admin_client, client_for):
    factory.user(tenant, "rep", superior_id=factory.admin_id(tenant))
    rep = client_for(tenant)
    login(rep, "rep", STAFF_PASSWORD)
    assert "Get started" not in rep.get("/board").text
    assert rep.post("/onboarding/dismiss").status_code == 403
    hidden = admin_client.post("/onboarding/dismiss", headers={"HX-Request": "true"})
    assert hidden.status_code == 200 and hidden.text == ""
    assert "Get started" not in admin_client.get("/board").text
