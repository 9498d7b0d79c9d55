"""An agency's staff tree in the console (A3, managed as B1-B3): who sees whom, adding with a free code, moves with
the whole subtree, departures that hand everything over. A three-level agency: admin > supervisor > rep."""
import re

import pytest

from tests.platform_factory import AGENT_PASSWORD, field_error, signed_in

HX = {"HX-Request": "true"}
NEW_PASSWORD = "Harbour#Kite2027"


@pytest.fixture
def agency(platform):
    """admin > sup1 > rep1, admin > sup2 > rep2: ``(agency_id, prefix, people by name)``."""
    return platform.agency_tree(admin=("admin", None), sup1=("supervisor", "admin"), rep1=("rep", "sup1"),
                                sup2=("supervisor", "admin"), rep2=("rep", "sup2"))


def listed(page):
    return {int(n) for n in re.findall(r'data-staff-id="(\d+)"', page.get_data(as_text=True))}


def free_offered(page):
    """The codes the new-person form offers."""
    select = re.search(r'<select[^>]*name="code".*?</select>', page.get_data(as_text=True), re.S).group(0)
    return re.findall(r'<option[^>]*value="([A-Z]{2}\d{4})"', select)


def superior_of(app, person_id):
    from crm_saas.extensions import db
    from crm_saas.tenants.models import PlatformUser

    with app.app_context():
        try:
            return db.session.get(PlatformUser, person_id).superior_id
        finally:
            db.session.remove()


def test_each_sees_exactly_their_subtree(platform, client_for, agency):
    _agency_id, _prefix, people = agency
    ids = {name: person.id for name, person in people.items()}
    other_agency_person = platform.person(platform.agency()[0], role="rep")

    admin = signed_in(platform, client_for, people["admin"])
    assert listed(admin.get("/console/staff")) == set(ids.values())
    assert listed(admin.get("/console/staff/tree")) == set(ids.values())
    assert admin.get(f"/console/staff/{other_agency_person.id}/edit").status_code == 404

    sup1 = signed_in(platform, client_for, people["sup1"])
    assert listed(sup1.get("/console/staff")) == {ids["sup1"], ids["rep1"]}
    assert listed(sup1.get("/console/staff/tree")) == {ids["sup1"], ids["rep1"]}
    assert sup1.get(f"/console/staff/{ids['rep1']}/edit").status_code == 200
    for outside in ("rep2", "sup2", "admin"):
        assert sup1.get(f"/console/staff/{ids[outside]}/edit").status_code == 404
    assert sup1.get(f"/console/staff/{ids['sup1']}/edit").status_code == 404  # nobody manages themselves but admins

    rep1 = signed_in(platform, client_for, people["rep1"])
    for path in ("/console/staff", "/console/staff/tree", "/console/staff/new"):
        assert rep1.get(path).status_code == 404  # a rep manages nobody: not offered, not reachable
    assert "/console/staff" not in rep1.get("/console/companies").get_data(as_text=True)

    operator = platform.operator()
    op = signed_in(platform, client_for, operator)
    assert op.get("/console/staff").status_code == 404  # operators manage agencies' people from the agency pages


def test_adding_takes_a_free_code_which_then_is_offered_no_more(app, platform, client_for, agency):
    agency_id, prefix, people = agency
    admin = signed_in(platform, client_for, people["admin"])
    page = admin.get("/console/staff/new")
    offered = free_offered(page)
    assert offered and all(code.startswith(prefix) for code in offered)
    assert people["rep1"].code not in offered
    assert 'value="admin"' in page.get_data(as_text=True)  # an admin may appoint admins

    suggestion = admin.get("/console/staff/suggest-username", query_string={"name": "张三海"}, headers=HX)
    assert re.search(r'name="username"[^>]*value="zhangsh\d*"', suggestion.get_data(as_text=True))

    username = f"new_{people['rep1'].username}"
    form = {"name": "张三海", "username": username, "code": offered[1], "role": "rep",
            "superior_id": str(people["sup2"].id), "phone": "13912345678", "email": "zsh@example.com",
            "password": AGENT_PASSWORD}
    response = admin.post("/console/staff/new", data=form)
    assert response.status_code == 302, field_error(response, "code")
    staff = admin.get("/console/staff")
    assert username in staff.get_data(as_text=True) and offered[1] in staff.get_data(as_text=True)
    assert offered[1] not in free_offered(admin.get("/console/staff/new"))
    assert offered[0] in free_offered(admin.get("/console/staff/new"))  # only the chosen one is taken

    # Seen by their superior at once; and their password was set by someone else: changed at first sign-in.
    assert len(listed(signed_in(platform, client_for, people["sup2"]).get("/console/staff"))) == 3
    newcomer = client_for("localhost")
    first = newcomer.post("/console/login", data={"username": username, "password": AGENT_PASSWORD})
    assert first.status_code == 302 and first.headers["Location"].endswith("/console/password")

    for code in (people["rep1"].code, offered[1], f"{prefix}00", "ZZ9999", ""):  # taken, just taken, invented
        refused = admin.post("/console/staff/new", data={**form, "username": f"x{username}", "code": code})
        assert refused.status_code == 422, code
        assert field_error(refused, "code") == "Choose one of the agency's free codes."
    assert f"x{username}" not in admin.get("/console/staff").get_data(as_text=True)  # nothing half saved

    refused = admin.post("/console/staff/new", data={**form, "username": username, "code": offered[0],
                                                     "name": "", "phone": "12"})
    assert refused.status_code == 422
    assert field_error(refused, "username") == "This username is taken."
    assert field_error(refused, "name") == "Name is required."
    assert field_error(refused, "phone").startswith("Phone:")


def test_a_supervisor_adds_only_under_themselves_and_never_an_admin(platform, client_for, agency):
    _agency_id, _prefix, people = agency
    sup1 = signed_in(platform, client_for, people["sup1"])
    page = sup1.get("/console/staff/new")
    text = page.get_data(as_text=True)
    assert 'value="admin"' not in text
    superiors = re.search(r'<select[^>]*name="superior_id".*?</select>', text, re.S).group(0)
    assert set(map(int, re.findall(r'value="(\d+)"', superiors))) == {people["sup1"].id, people["rep1"].id}

    form = {"name": "李四", "username": f"li_{people['sup1'].username}", "code": free_offered(page)[0],
            "role": "admin", "superior_id": str(people["sup1"].id), "password": AGENT_PASSWORD}
    refused = sup1.post("/console/staff/new", data=form)
    assert refused.status_code == 422
    assert field_error(refused, "role") == "Only an administrator can appoint or change administrators."
    refused = sup1.post("/console/staff/new", data={**form, "role": "rep", "superior_id": str(people["sup2"].id)})
    assert field_error(refused, "superior_id") == "Choose a superior among your people."
    assert sup1.post("/console/staff/new", data={**form, "role": "rep"}).status_code == 302


def test_editing_changes_the_fields_and_a_typed_password_resets_it(platform, client_for, agency):
    _agency_id, _prefix, people = agency
    rep1 = people["rep1"]
    admin = signed_in(platform, client_for, people["admin"])
    page = admin.get(f"/console/staff/{rep1.id}/edit")
    assert page.status_code == 200 and re.search(rf'<option selected value="{rep1.code}">', page.get_data(as_text=True))
    form = {"name": "王五", "username": rep1.username, "code": rep1.code, "role": "rep",
            "superior_id": str(people["sup1"].id), "phone": "13900001111", "email": "", "password": ""}
    assert admin.post(f"/console/staff/{rep1.id}/edit", data=form).status_code == 302
    assert "王五" in admin.get("/console/staff").get_data(as_text=True)
    assert client_for("localhost").post("/console/login", data={"username": rep1.username,
                                                                "password": AGENT_PASSWORD}).status_code == 302

    weak = admin.post(f"/console/staff/{rep1.id}/edit", data={**form, "password": "abc"})
    assert weak.status_code == 422 and field_error(weak, "password")
    assert admin.post(f"/console/staff/{rep1.id}/edit", data={**form, "password": NEW_PASSWORD}).status_code == 302
    again = client_for("localhost").post("/console/login", data={"username": rep1.username,
                                                                 "password": NEW_PASSWORD})
    assert again.status_code == 302 and again.headers["Location"].endswith("/console/password")


def test_moving_a_supervisor_moves_their_rep_seen_on_the_next_request(app, platform, client_for, make_tenant,
                                                                       agency):
    agency_id, _prefix, people = agency
    company = make_tenant()
    platform.set_tenant(company.id, agency_id=agency_id, rep_id=people["rep1"].id, rep_code=people["rep1"].code)
    sup2 = signed_in(platform, client_for, people["sup2"])
    assert sup2.get(f"/console/companies/{company.id}/panel").status_code == 404

    admin = signed_in(platform, client_for, people["admin"])
    moved = admin.post(f"/console/staff/{people['sup1'].id}/move", data={"superior_id": str(people["sup2"].id)},
                       headers=HX)
    assert moved.status_code == 200
    assert "now reports to" in moved.get_data(as_text=True)
    assert superior_of(app, people["sup1"].id) == people["sup2"].id
    assert superior_of(app, people["rep1"].id) == people["sup1"].id  # the team came along as it was

    ids = {name: person.id for name, person in people.items()}
    assert listed(sup2.get("/console/staff")) == {ids["sup2"], ids["rep2"], ids["sup1"], ids["rep1"]}
    assert sup2.get(f"/console/companies/{company.id}/panel").status_code == 200

    # The Move form of the tree page, without htmx: back to the tree with the message.
    back = admin.post("/console/staff/move", data={"person_id": str(ids["sup1"]), "superior_id": str(ids["admin"])})
    assert back.status_code == 302 and back.headers["Location"].endswith("/console/staff/tree")
    assert superior_of(app, ids["sup1"]) == ids["admin"]
    assert sup2.get(f"/console/companies/{company.id}/panel").status_code == 404


def test_a_move_under_ones_own_subordinate_is_refused(app, platform, client_for, agency):
    _agency_id, _prefix, people = agency
    ids = {name: person.id for name, person in people.items()}
    admin = signed_in(platform, client_for, people["admin"])
    refused = admin.post(f"/console/staff/{ids['sup1']}/move", data={"superior_id": str(ids["rep1"])}, headers=HX)
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert 'id="staff-tree-message"' in text and "is %s or below them in the tree" % people["sup1"].name in text
    assert superior_of(app, ids["sup1"]) == ids["admin"] and superior_of(app, ids["rep1"]) == ids["sup1"]

    sup1 = signed_in(platform, client_for, people["sup1"])
    top = sup1.post(f"/console/staff/{ids['rep1']}/move", data={"superior_id": ""}, headers=HX)
    assert top.status_code == 422 and "Choose a superior among your people." in top.get_data(as_text=True)
    away = sup1.post(f"/console/staff/{ids['rep1']}/move", data={"superior_id": str(ids["sup2"])}, headers=HX)
    assert away.status_code == 422  # out of their own subtree: not theirs to give away
    assert sup1.post(f"/console/staff/{ids['rep2']}/move", data={"superior_id": str(ids["sup1"])},
                     headers=HX).status_code == 404  # not theirs to see
    assert superior_of(app, ids["rep1"]) == ids["sup1"] and superior_of(app, ids["rep2"]) == ids["sup2"]


def test_a_departure_hands_companies_and_reports_over_and_ends_the_code(app, platform, client_for, make_tenant,
                                                                         agency):
    from crm_saas.extensions import db
    from crm_saas.tenants.agencies import rep_for_code

    agency_id, _prefix, people = agency
    sup1, rep1, sup2 = people["sup1"], people["rep1"], people["sup2"]
    companies = [make_tenant(), make_tenant()]
    for company in companies:
        platform.set_tenant(company.id, agency_id=agency_id, rep_id=sup1.id, rep_code=sup1.code)
    leaving = signed_in(platform, client_for, sup1)  # their own browser, still open

    admin = signed_in(platform, client_for, people["admin"])
    page = admin.get(f"/console/staff/{sup1.id}/deactivate")
    summary = re.search(r'<ul id="handover-summary">.*?</ul>', page.get_data(as_text=True), re.S).group(0)
    assert "2 companies they look after go to the colleague" in summary
    assert "1 person who reports to them will report to that colleague" in summary
    colleagues = re.search(r'<select[^>]*name="handover_to".*?</select>', page.get_data(as_text=True), re.S)
    assert f'value="{rep1.id}"' not in colleagues.group(0)  # their own team cannot take over from them

    refused = admin.post(f"/console/staff/{sup1.id}/deactivate", data={"handover_to": str(rep1.id)})
    assert refused.status_code == 422 and field_error(refused, "handover_to")
    done = admin.post(f"/console/staff/{sup1.id}/deactivate", data={"handover_to": str(sup2.id)})
    assert done.status_code == 302
    followed = admin.get(done.headers["Location"]).get_data(as_text=True)
    assert "2 companies handed to" in followed

    assert [platform.tenant(c.id).rep_id for c in companies] == [sup2.id, sup2.id]
    assert [platform.tenant(c.id).rep_code for c in companies] == [sup2.code, sup2.code]
    assert superior_of(app, rep1.id) == sup2.id
    sup2_client = signed_in(platform, client_for, sup2)
    assert sup2_client.get(f"/console/companies/{companies[0].id}/panel").status_code == 200

    assert leaving.get("/console/staff").status_code == 302  # their session ended with the departure
    refused = client_for("localhost").post("/console/login", data={"username": sup1.username,
                                                                   "password": sup1.password})
    assert refused.status_code == 401 and "This account has been disabled." in refused.get_data(as_text=True)
    with app.app_context():
        assert rep_for_code(sup1.code) is None
        assert rep_for_code(sup2.code) is not None
        db.session.remove()
    assert admin.get(f"/console/staff/{sup1.id}/deactivate").status_code == 404  # gone once, not twice
    assert "Departed" in admin.get("/console/staff").get_data(as_text=True)


def test_a_supervisor_hands_over_only_within_their_team(app, platform, client_for, agency):
    _agency_id, _prefix, people = agency
    sup1, rep1, sup2 = people["sup1"], people["rep1"], people["sup2"]
    client = signed_in(platform, client_for, sup1)
    assert client.get(f"/console/staff/{sup1.id}/deactivate").status_code == 404  # not one's own departure
    page = client.get(f"/console/staff/{rep1.id}/deactivate")
    colleagues = re.search(r'<select[^>]*name="handover_to".*?</select>', page.get_data(as_text=True), re.S).group(0)
    assert set(map(int, re.findall(r'value="(\d+)"', colleagues))) == {sup1.id}

    refused = client.post(f"/console/staff/{rep1.id}/deactivate", data={"handover_to": str(sup2.id)})
    assert refused.status_code == 422 and field_error(refused, "handover_to") == "Choose a colleague in your own team."
    assert client.post(f"/console/staff/{rep1.id}/deactivate", data={"handover_to": str(sup1.id)}).status_code == 302
    assert "Departed" in client.get("/console/staff").get_data(as_text=True)
