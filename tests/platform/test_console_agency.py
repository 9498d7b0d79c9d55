"""An agency's work on its companies in the console (seed 003 下篇): filing a company's application (its admin sets a
password from an emailed link, even while the company waits), and the company panel: contact log, category,
recycle bin, extension requests, the password link again. A company the viewer does not see is 404 everywhere."""
import html
import re
from datetime import timedelta

import pytest

from crm_saas.core.base import utcnow
from tests.conftest import new_slug
from tests.mail_sink import run_mail_jobs
from tests.platform_factory import field_error, signed_in, text

HX = {"HX-Request": "true"}
ADMIN_PASSWORD = "Lantern#Harbor2027"


@pytest.fixture
def agency(platform):
    """admin > sup > rep, admin > other (a rep in another branch): ``(agency_id, people)``."""
    agency_id, _prefix, people = platform.agency_tree(admin=("admin", None), sup=("supervisor", "admin"),
                                                      rep=("rep", "sup", "业务员 小王"), other=("rep", "admin"))
    return agency_id, people


@pytest.fixture
def company(platform, make_tenant, agency):
    """A company of the rep, on trial for five more days."""
    agency_id, people = agency
    info = make_tenant()
    now = utcnow()
    platform.set_tenant(info.id, agency_id=agency_id, rep_id=people["rep"].id, rep_code=people["rep"].code,
                        status="trial", approved_at=now, expires_at=now + timedelta(days=5))
    return info


def mails_to(sink, address):
    """The messages to ``address`` (the queue is shared: a job another test left may be sent meanwhile)."""
    return [message for to, message in sink.messages if to == [address]]


def application(slug, **values):
    return {"name": f"华东机电 {slug}", "slug": slug, "admin_name": "张经理", "admin_phone": "13812345678",
            "admin_email": f"{slug}@example.com", **values}


# -- filing an application -----------------------------------------------------------------------------------------

def test_a_filed_application_waits_and_its_admin_sets_a_password_from_the_link(app, platform, client_for, agency,
                                                                                mail_sink):
    _agency_id, people = agency
    rep = people["rep"]
    client = signed_in(platform, client_for, rep)
    page = client.get("/console/companies/new")
    assert page.status_code == 200
    assert re.search(rf'<input id="rep-code"[^>]*value="{rep.code}" readonly', text(page))  # shown, fixed
    assert 'name="rep_code"' not in text(page)  # and not sent: the service takes the rep's own

    slug = new_slug("filed")
    filed = client.post("/console/companies/new", data=application(slug, rep_code="ZZ9999"))
    assert filed.status_code == 302
    tenant_id = int(re.search(r"/console/companies/(\d+)$", filed.headers["Location"]).group(1))
    tenant = platform.tenant(tenant_id)
    assert (tenant.slug, tenant.status) == (slug, "pending")
    assert (tenant.agency_id, tenant.rep_id, tenant.rep_code) == (rep.agency_id, rep.id, rep.code)
    assert (tenant.contact_name, tenant.contact_email) == ("张经理", f"{slug}@example.com")
    assert client.get(f"/console/companies/{tenant_id}/panel").status_code == 200  # theirs at once
    flashed = text(client.get(filed.headers["Location"]))
    assert f"An email with a link to choose the password was sent to {slug}@example.com" in flashed

    assert run_mail_jobs(app) >= 1
    [message] = mails_to(mail_sink, f"{slug}@example.com")
    link = re.search(r"http://\S+/reset-password/\S+", message.get_content()).group(0)
    assert link.startswith(f"http://{slug}.localhost/reset-password/")

    company = client_for(f"{slug}.localhost")
    path = link.split(f"{slug}.localhost", 1)[1]
    assert company.get(path).status_code == 200  # open while the company waits
    done = company.post(path, data={"password": ADMIN_PASSWORD, "confirm": ADMIN_PASSWORD})
    assert done.status_code == 302
    assert company.get(path).status_code == 404  # once only


def test_without_a_mail_server_the_application_is_filed_and_the_page_says_so(platform, client_for, agency):
    _agency_id, people = agency
    client = signed_in(platform, client_for, people["rep"])
    filed = client.post("/console/companies/new", data=application(new_slug("nomail")))
    assert filed.status_code == 302
    page = text(client.get(filed.headers["Location"]))
    assert "could not be sent (no mail server is configured)" in html.unescape(page)
    tenant_id = int(filed.headers["Location"].rsplit("/", 1)[1])
    panel = client.get(f"/console/companies/{tenant_id}/panel")
    assert "No mail server is configured: the link cannot be sent." in text(panel)
    resent = client.post(f"/console/companies/{tenant_id}/setup-link", headers=HX)
    assert resent.status_code == 422 and "The link could not be sent. No mail server is configured." in text(resent)


def test_bad_input_names_each_field_and_files_nothing(app, platform, client_for, agency, company):
    from sqlalchemy import func, select

    from crm_saas.extensions import db
    from crm_saas.tenants.models import Tenant

    _agency_id, people = agency
    client = signed_in(platform, client_for, people["rep"])
    empty = client.post("/console/companies/new", data={})
    assert empty.status_code == 422
    assert field_error(empty, "name") == "Company name is required."
    assert field_error(empty, "slug") == "Subdomain is required."
    assert field_error(empty, "admin_name") == "Administrator name is required."
    assert field_error(empty, "admin_phone") == "Phone is required."
    assert field_error(empty, "admin_email") == "Email is required."

    bad = client.post("/console/companies/new", data=application("Bad Slug!", admin_phone="12",
                                                                  admin_email="nobody"))
    assert bad.status_code == 422
    assert field_error(bad, "slug").startswith("Use 3-32 lowercase letters")
    assert field_error(bad, "admin_phone").startswith("Phone:")
    assert field_error(bad, "admin_email") == "Enter a valid email address."
    assert field_error(bad, "name") is None and 'value="张经理"' in text(bad)  # what was typed stays

    taken = client.post("/console/companies/new", data=application(company.slug))
    assert taken.status_code == 422 and field_error(taken, "slug") == "This subdomain is already taken."
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Tenant)
                                 .where(Tenant.name == f"华东机电 {company.slug}")) == 0
        db.session.remove()

    operator = platform.operator()
    op = signed_in(platform, client_for, operator)
    assert op.get("/console/companies/new").status_code == 404  # operators file nothing: they approve


# -- the company panel ---------------------------------------------------------------------------------------------

def test_the_contact_log_lists_newest_first_and_refuses_the_future(platform, client_for, agency, company):
    _agency_id, people = agency
    client = signed_in(platform, client_for, people["rep"])
    panel = client.get(f"/console/companies/{company.id}/panel")
    assert panel.status_code == 200 and text(panel).lstrip().startswith('<section id="agency-panel"')
    assert "No contact logged yet." in text(panel)

    first = client.post(f"/console/companies/{company.id}/contacts", headers=HX, data={
        "occurred_at": "2025-03-01T10:00", "way": "visit", "summary": "上门演示，客户很满意",
        "next_contact_at": "2025-03-08T10:00"})
    assert first.status_code == 200 and "Contact logged." in text(first)
    second = client.post(f"/console/companies/{company.id}/contacts", headers=HX,
                         data={"occurred_at": "", "way": "phone", "summary": "电话回访：准备付费"})
    assert second.status_code == 200
    log = re.search(r'<ol id="panel-contact-log".*?</ol>', text(second), re.S).group(0)
    assert log.index("电话回访：准备付费") < log.index("上门演示，客户很满意")  # newest first
    assert "Visit" in log and "Phone call" in log and "业务员 小王" in log
    assert 'datetime="2025-03-08T02:00:00+00:00"' in log  # typed in China time, stored in UTC

    tomorrow = (utcnow() + timedelta(days=1, hours=8)).strftime("%Y-%m-%dT%H:%M")
    future = client.post(f"/console/companies/{company.id}/contacts", headers=HX,
                         data={"occurred_at": tomorrow, "way": "phone", "summary": "还没发生"})
    assert future.status_code == 422
    assert field_error(future, "panel-occurred_at") == "A contact cannot be in the future."
    assert "还没发生" in text(future)  # what was typed stays in the box
    empty = client.post(f"/console/companies/{company.id}/contacts", headers=HX,
                        data={"way": "pigeon", "summary": " "})
    assert field_error(empty, "panel-summary") == "Summary is required."
    assert field_error(empty, "panel-way") == "Choose how you were in touch."
    assert text(client.get(f"/console/companies/{company.id}/panel")).count('class="timeline-entry"') == 2

    plain = client.post(f"/console/companies/{company.id}/contacts", data={"way": "wechat", "summary": "微信"})
    assert plain.status_code == 302 and plain.headers["Location"].endswith(f"/console/companies/{company.id}")

    operator = platform.operator()
    op = signed_in(platform, client_for, operator)
    read = op.get(f"/console/companies/{company.id}/panel")
    assert read.status_code == 200 and "电话回访：准备付费" in text(read)
    assert 'id="panel-contact-form"' not in text(read)  # operators read the log; the agency writes it
    assert op.post(f"/console/companies/{company.id}/contacts", data={"summary": "x"}).status_code == 404


def test_category_and_recycle_bin(platform, client_for, agency, company):
    _agency_id, people = agency
    client = signed_in(platform, client_for, people["rep"])
    classified = client.post(f"/console/companies/{company.id}/category", data={"category": " 重点客户 "},
                             headers=HX)
    assert classified.status_code == 200 and "Category set to 重点客户." in text(classified)
    assert platform.tenant(company.id).category == "重点客户"
    assert '<option value="重点客户">' in text(classified)  # offered again from the viewer's categories

    long = client.post(f"/console/companies/{company.id}/category", data={"category": "类" * 51}, headers=HX)
    assert long.status_code == 422 and field_error(long, "panel-category") == "At most 50 characters."
    assert platform.tenant(company.id).category == "重点客户"
    cleared = client.post(f"/console/companies/{company.id}/category", data={"category": ""}, headers=HX)
    assert "Category cleared." in text(cleared) and platform.tenant(company.id).category is None

    binned = client.post(f"/console/companies/{company.id}/bin", headers=HX)
    assert binned.status_code == 200 and "Restore from the recycle bin" in text(binned)
    assert platform.tenant(company.id).binned_at is not None
    restored = client.post(f"/console/companies/{company.id}/unbin", headers=HX)
    assert "Move to the recycle bin" in text(restored) and platform.tenant(company.id).binned_at is None


def test_an_extension_request_and_a_second_one_refused(platform, client_for, agency, company):
    _agency_id, people = agency
    client = signed_in(platform, client_for, people["rep"])
    for data, field, message in (
        ({"days": "abc", "reason": "试用不够"}, "panel-days", "Give a whole number of days from 1 to 366."),
        ({"days": "400", "reason": "试用不够"}, "panel-days", "Give a whole number of days from 1 to 366."),
        ({"days": "30", "reason": " "}, "panel-reason", "Give a reason."),
    ):
        refused = client.post(f"/console/companies/{company.id}/extension-requests", data=data, headers=HX)
        assert refused.status_code == 422 and field_error(refused, field) == message, data

    asked = client.post(f"/console/companies/{company.id}/extension-requests", headers=HX,
                        data={"days": "30", "reason": "客户需要更多时间评估"})
    assert asked.status_code == 200 and "Extension of 30 days requested" in text(asked)
    # The panel only asks; the page's own list comes along out of band (htmx) and holds the request once.
    card = re.search(r'<section id="company-extensions"[^>]*hx-swap-oob="true".*?</section>', text(asked), re.S)
    assert "客户需要更多时间评估" in card.group(0) and "Waiting" in card.group(0)
    assert text(asked).count("data-request-id=") == 1
    assert 'id="panel-extension-form"' not in text(asked)  # one at a time

    again = client.post(f"/console/companies/{company.id}/extension-requests", headers=HX,
                        data={"days": "10", "reason": "再要十天"})
    assert again.status_code == 422
    assert field_error(again, "panel-days") == "This company already has an extension request waiting."
    assert "data-request-id=" not in text(again)  # nothing new to list
    assert text(client.get(f"/console/companies/{company.id}")).count("data-request-id=") == 1  # once, in its card


def test_pending_company_resends_the_password_link(app, platform, client_for, agency, mail_sink):
    _agency_id, people = agency
    client = signed_in(platform, client_for, people["rep"])
    slug = new_slug("resend")
    filed = client.post("/console/companies/new", data=application(slug))
    tenant_id = int(filed.headers["Location"].rsplit("/", 1)[1])
    panel = client.get(f"/console/companies/{tenant_id}/panel")
    assert "Resend the password link" in text(panel)
    assert "An extension can be asked for once the company is approved" in text(panel)
    resent = client.post(f"/console/companies/{tenant_id}/setup-link", headers=HX)
    assert resent.status_code == 200 and f"A new password link was sent to {slug}@example.com" in text(resent)
    assert run_mail_jobs(app) >= 2
    first, second = (re.search(r"/reset-password/\S+", m.get_content()).group(0)
                     for m in mails_to(mail_sink, f"{slug}@example.com"))
    company = client_for(f"{slug}.localhost")
    assert company.get(first).status_code == 404 and company.get(second).status_code == 200


def test_everything_is_404_for_a_rep_who_does_not_see_the_company(platform, client_for, agency, company):
    _agency_id, people = agency
    outsiders = [people["other"], platform.person(platform.agency()[0], role="admin")]
    calls = [("get", "panel", {}), ("post", "contacts", {"summary": "x"}), ("post", "category", {"category": "x"}),
             ("post", "bin", {}), ("post", "unbin", {}), ("post", "extension-requests", {"days": "3", "reason": "x"}),
             ("post", "setup-link", {})]
    for person in outsiders:
        client = signed_in(platform, client_for, person)
        for method, path, data in calls:
            response = getattr(client, method)(f"/console/companies/{company.id}/{path}", data=data, headers=HX)
            assert response.status_code == 404, (person.username, path)
    assert platform.tenant(company.id).category is None and platform.tenant(company.id).binned_at is None

    for insider in ("rep", "sup", "admin"):  # the rep, and everyone above them
        client = signed_in(platform, client_for, people[insider])
        assert client.get(f"/console/companies/{company.id}/panel").status_code == 200, insider
