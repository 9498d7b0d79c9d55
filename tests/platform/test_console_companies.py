"""The console's company list and company page: what each platform account sees (their subtree's companies
only, 404 for the rest), the list's filters, and the platform facts a company's page shows (never its data)."""
import re
from datetime import timedelta

import pytest

from crm_saas.core.base import utcnow
from tests.platform_factory import company, signed_in


@pytest.fixture
def tree(platform):
    """An agency with an admin, a supervisor, a rep under the supervisor and a rep under the admin."""
    agency_id, prefix, people = platform.agency_tree(
        admin=("admin", None, "Admin A"), boss=("supervisor", "admin", "Boss B"), mine=("rep", "boss", "Rep Mine"),
        other=("rep", "admin", "Rep Other"))
    return {"agency_id": agency_id, "prefix": prefix, **people}


def ids_listed(html):
    return {int(found) for found in re.findall(r'data-company-id="(\d+)"', html)}


def test_each_agency_person_lists_their_subtrees_companies_and_gets_404_for_the_rest(
        platform, client_for, make_tenant, tree):
    theirs = company(make_tenant, platform, tree["mine"], status="trial")
    others = company(make_tenant, platform, tree["other"], status="trial")

    rep = signed_in(platform, client_for, tree["mine"])
    html = rep.get("/console/companies").get_data(as_text=True)
    assert theirs.id in ids_listed(html) and others.id not in ids_listed(html)
    assert rep.get(f"/console/companies/{theirs.id}").status_code == 200
    assert rep.get(f"/console/companies/{others.id}").status_code == 404
    assert rep.post(f"/console/companies/{others.id}/rename", data={"rename-name": "Taken over"}).status_code == 404
    assert rep.post(f"/console/companies/{theirs.id}/approve").status_code == 404  # the operator's action

    boss = signed_in(platform, client_for, tree["boss"])
    listed = ids_listed(boss.get("/console/companies").get_data(as_text=True))
    assert theirs.id in listed and others.id not in listed
    assert boss.get(f"/console/companies/{others.id}").status_code == 404

    admin = signed_in(platform, client_for, tree["admin"])
    listed = ids_listed(admin.get("/console/companies").get_data(as_text=True))
    assert {theirs.id, others.id} <= listed


def test_the_operator_lists_every_company_with_its_facts(platform, client_for, make_tenant, tree, app):
    operator = platform.operator()
    row = company(make_tenant, platform, tree["mine"], name="Facts Co", status="trial", user_count=7,
                  customer_count=321, storage_bytes=5 * 1024 * 1024, last_activity_at=utcnow())
    _present(app, row.id, "在线 小王")
    client = signed_in(platform, client_for, operator)
    response = client.get(f"/console/companies?q={row.slug}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and ids_listed(html) == {row.id}
    line = _row(html, row.id)
    for text in ("Facts Co", row.slug, "Trial", "Rep Mine", tree["mine"].code, ">7<", ">321<", "5 MB"):
        assert text in line, text
    assert 'badge bg-green-lt">1<' in line  # one person online

    # filters by agency, rep and status narrow the list; the search finds by name too
    assert ids_listed(client.get(f"/console/companies?agency={tree['agency_id']}&q=Facts").get_data(as_text=True)) \
        == {row.id}
    assert row.id not in ids_listed(client.get(f"/console/companies?rep={tree['other'].id}").get_data(as_text=True))
    assert row.id not in ids_listed(client.get(f"/console/companies?q={row.slug}&status=pending")
                                    .get_data(as_text=True))


def test_expiring_and_sorting_by_end_date(platform, client_for, make_tenant, tree):
    soon = company(make_tenant, platform, tree["mine"], name="Soon", status="trial",
                   expires_at=utcnow() + timedelta(days=3))
    later = company(make_tenant, platform, tree["mine"], name="Later", status="trial",
                    expires_at=utcnow() + timedelta(days=40))
    rep = signed_in(platform, client_for, tree["mine"])
    html = rep.get("/console/companies?expiring=14").get_data(as_text=True)
    assert soon.id in ids_listed(html) and later.id not in ids_listed(html)
    html = rep.get("/console/companies?sort=-ends_at").get_data(as_text=True)
    assert html.index(f'data-company-id="{later.id}"') < html.index(f'data-company-id="{soon.id}"')
    html = rep.get("/console/companies").get_data(as_text=True)  # soonest end first by default
    assert html.index(f'data-company-id="{soon.id}"') < html.index(f'data-company-id="{later.id}"')
    # Whatever the filters, the rep is told how many of theirs end within two weeks, with a link to them.
    html = rep.get("/console/companies?sort=name").get_data(as_text=True)
    assert "1 company ends within 14 days: see which" in html
    assert 'href="/console/companies?expiring=14&amp;sort=ends_at"' in html
    other = signed_in(platform, client_for, tree["other"]).get("/console/companies").get_data(as_text=True)
    assert "ends within" not in other  # another rep's companies are not theirs to chase


def test_an_open_company_past_its_date_shows_as_expired_and_filters_so(platform, client_for, make_tenant, tree):
    past = company(make_tenant, platform, tree["mine"], status="trial", expires_at=utcnow() - timedelta(hours=1))
    rep = signed_in(platform, client_for, tree["mine"])
    html = rep.get("/console/companies?status=expired").get_data(as_text=True)
    assert past.id in ids_listed(html) and 'data-status="expired"' in _row(html, past.id)
    assert past.id not in ids_listed(rep.get("/console/companies?status=trial").get_data(as_text=True))


@pytest.mark.parametrize("query", ["status=bogus", "expiring=abc", "expiring=0", "sort=password", "agency=x",
                                   "rep=-1", "page=-4", "page=abc", "q=%25_", "category=" + "x" * 300])
def test_nonsense_in_the_filters_never_fails_the_page(platform, client_for, query):
    client = signed_in(platform, client_for, platform.operator())
    response = client.get(f"/console/companies?{query}")
    assert response.status_code == 200
    if query.split("=")[0] in ("status", "expiring", "sort", "agency", "rep"):
        assert "that value is not valid, so this filter is off" in response.get_data(as_text=True)


def test_the_recycle_bin_and_categories_of_an_agency_rep(platform, client_for, make_tenant, tree):
    kept = company(make_tenant, platform, tree["mine"], status="trial", category="Hot")
    binned = company(make_tenant, platform, tree["mine"], status="trial", binned_at=utcnow())
    rep = signed_in(platform, client_for, tree["mine"])
    html = rep.get("/console/companies").get_data(as_text=True)
    assert kept.id in ids_listed(html) and binned.id not in ids_listed(html)
    assert '<option value="Hot"' in html
    assert ids_listed(rep.get("/console/companies?bin=1").get_data(as_text=True)) == {binned.id}
    assert ids_listed(rep.get("/console/companies?category=Hot").get_data(as_text=True)) == {kept.id}


def test_the_company_page_shows_platform_facts_and_who_is_online(platform, client_for, make_tenant, tree, app,
                                                                 factory):
    row = company(make_tenant, platform, tree["mine"], name="Page Co", status="trial", contact_name="联系人 李",
                  contact_phone="13812345678", user_count=3)
    admin_id = factory.admin_id(row)
    factory.customer(row, admin_id, name="SECRET CUSTOMER 机密")
    _present(app, row.id, "在线 小张")
    client = signed_in(platform, client_for, platform.operator())
    response = client.get(f"/console/companies/{row.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for text in ("Page Co", "联系人 李", "13812345678", "Rep Mine", "在线 小张", "Trial"):
        assert text in html, text
    assert "SECRET CUSTOMER" not in html  # platform facts only, never the company's data
    assert client.get("/console/companies/999999999").status_code == 404


def test_an_agency_rep_has_the_rename_and_password_forms_but_not_the_operators(platform, client_for, make_tenant,
                                                                               tree):
    row = company(make_tenant, platform, tree["mine"], status="pending")
    html = signed_in(platform, client_for, tree["mine"]).get(f"/console/companies/{row.id}").get_data(as_text=True)
    assert 'id="action-rename"' in html and 'id="action-password"' in html
    for key in ("approve", "reject", "extend", "suspend", "assign"):
        assert f'id="action-{key}"' not in html, key
    html = signed_in(platform, client_for, tree["boss"]).get(f"/console/companies/{row.id}").get_data(as_text=True)
    assert 'id="action-assign"' in html and 'id="action-approve"' not in html


def test_a_supervisor_assigns_within_their_team_and_the_company_follows(platform, client_for, make_tenant, tree):
    row = company(make_tenant, platform, tree["mine"], status="trial")
    boss = signed_in(platform, client_for, tree["boss"])
    # Rep Other is not in the supervisor's subtree: not a choice for them
    response = boss.post(f"/console/companies/{row.id}/assign", data={"assign-rep_id": str(tree["other"].id)})
    assert response.status_code == 422 and "Choose an active agency person." in response.get_data(as_text=True)
    assert platform.tenant(row.id).rep_id == tree["mine"].id
    response = boss.post(f"/console/companies/{row.id}/assign", data={"assign-rep_id": str(tree["boss"].id)})
    assert response.status_code == 302
    assert platform.tenant(row.id).rep_id == tree["boss"].id


def _present(app, tenant_id, name):
    from crm_saas.extensions import db
    from crm_saas.tenants.models import TenantPresence

    with app.app_context():
        db.session.add(TenantPresence(tenant_id=tenant_id, user_id=1, name=name, seen_at=utcnow()))
        db.session.commit()
        db.session.remove()


def _row(html, tenant_id):
    start = html.index(f'data-company-id="{tenant_id}"')
    return html[start:html.index("</tr>", start)]


def test_the_lists_cost_does_not_grow_with_its_rows(platform, client_for, make_tenant, tree, app, count_queries):
    rep = signed_in(platform, client_for, tree["mine"])
    company(make_tenant, platform, tree["mine"], status="trial")
    _present(app, company(make_tenant, platform, tree["mine"], status="trial").id, "一")
    with count_queries() as few:
        assert rep.get("/console/companies").status_code == 200
    for n in range(4):
        _present(app, company(make_tenant, platform, tree["mine"], status="trial").id, f"人 {n}")
    with count_queries() as many:
        html = rep.get("/console/companies").get_data(as_text=True)
    assert len(ids_listed(html)) == 6
    assert len(many) == len(few)
