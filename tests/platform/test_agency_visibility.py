"""Issue 14's visibility matrix: in a three-level agency each person sees exactly their own and their subtree's
companies, on every console page and API call, 404 for the rest; a moved branch changes it on the next request;
a departure hands the companies over."""
import pytest

from crm_saas.core.base import utcnow


@pytest.fixture
def world(platform, make_tenant, client_for):
    """Agency: admin > supervisor > rep1, and admin > rep2; a company each for rep1, the supervisor and rep2; and a
    company of another agency. Each person signed in on the web and holding an API token."""
    agency_id, _prefix = platform.agency(name="三级代理")
    admin = platform.person(agency_id, role="admin", name="总管")
    supervisor = platform.person(agency_id, role="supervisor", superior_id=admin.id, name="主管")
    rep1 = platform.person(agency_id, role="rep", superior_id=supervisor.id, name="业务一")
    rep2 = platform.person(agency_id, role="rep", superior_id=admin.id, name="业务二")
    other_agency, _ = platform.agency(name="别家代理")
    stranger = platform.person(other_agency, role="rep", name="别家业务")
    operator = platform.operator()
    companies = {}
    for key, holder in (("c1", rep1), ("c2", supervisor), ("c3", rep2), ("c4", stranger)):
        info = make_tenant(prefix=key, name=f"公司{key}")
        platform.set_tenant(info.id, agency_id=holder.agency_id, rep_id=holder.id, rep_code=holder.code,
                            expires_at=utcnow())
        companies[key] = info.id
    people = {"admin": admin, "supervisor": supervisor, "rep1": rep1, "rep2": rep2, "operator": operator}
    web, api = {}, {}
    for name, person in people.items():
        web[name] = client_for("localhost")
        platform.sign_in(web[name], person)
        api[name] = platform.api(client_for("localhost"), person)
    return people, companies, web, api


def _check(world, expected):
    """Every person against every company on every page and call: 200 where ``expected`` says, else 404."""
    people, companies, web, api = world
    wrong = []
    for name, visible in expected.items():
        for key, company_id in companies.items():
            want = 200 if key in visible else 404
            answers = {
                "page": web[name].get(f"/console/companies/{company_id}").status_code,
                "panel": web[name].get(f"/console/companies/{company_id}/panel").status_code,
                "api": api[name].get(f"/platform/tenants/{company_id}").status_code,
                "contacts": api[name].get(f"/platform/tenants/{company_id}/contacts").status_code,
            }
            wrong += [(name, key, what, got) for what, got in answers.items() if got != want]
            rename = api[name].post(f"/platform/tenants/{company_id}/rename", json={"name": f"公司{key}"})
            if (rename.status_code == 404) != (key not in visible):
                wrong.append((name, key, "rename", rename.status_code))
        listed = api[name].get("/platform/tenants", query_string={"per_page": 200}).get_json()["items"]
        shown = {key for key, company_id in companies.items() if company_id in {item["id"] for item in listed}}
        if shown != set(visible):
            wrong.append((name, "api list", sorted(shown)))
        page = web[name].get("/console/companies", query_string={"q": "公司c"}).text
        on_page = {key for key in companies if f"公司{key}<" in page}
        if on_page != set(visible):
            wrong.append((name, "page list", sorted(on_page)))
    assert not wrong, wrong


def test_each_person_sees_exactly_their_subtree_and_a_move_or_departure_changes_it(world, platform):
    people, companies, web, api = world
    _check(world, {
        "rep1": {"c1"}, "supervisor": {"c1", "c2"}, "rep2": {"c3"}, "admin": {"c1", "c2", "c3"},
        "operator": {"c1", "c2", "c3", "c4"},
    })

    # The admin moves rep1 (and so their company) from under the supervisor to under themselves.
    moved = api["admin"].patch(f"/platform/staff/{people['rep1'].id}", json={"superior_id": people["admin"].id})
    assert moved.status_code == 200, moved.get_json()
    assert web["supervisor"].get(f"/console/companies/{companies['c1']}").status_code == 404  # the next request
    assert api["supervisor"].get(f"/platform/tenants/{companies['c1']}").status_code == 404
    assert api["rep1"].get(f"/platform/tenants/{companies['c1']}").status_code == 200

    # rep2 leaves; their company goes to rep1 in the same action.
    left = api["admin"].post(f"/platform/staff/{people['rep2'].id}/deactivate",
                             json={"handover_to": people["rep1"].id})
    assert left.status_code == 200, left.get_json()
    assert platform.tenant(companies["c3"]).rep_id == people["rep1"].id
    assert api["rep2"].get("/platform/tenants").status_code == 401  # their token died with the departure
    assert web["rep2"].get("/console/companies").status_code == 302  # and their session
    _check(world, {
        "rep1": {"c1", "c3"}, "supervisor": {"c2"}, "admin": {"c1", "c2", "c3"},
        "operator": {"c1", "c2", "c3", "c4"},
    })
