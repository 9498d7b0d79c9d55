"""The service pages (F1): the queue's tabs and overdue rows, filing a request, a request's page (its customer's
history, masked contacts, the status buttons, notes), the customer page's requests (C13), and requests following
their people and customers (departures, merges)."""
import io
import re
from datetime import timedelta

import pytest

from crm_saas.core.base import utcnow
from tests.blueprints.service.helpers import file_request, logged_in, move, service_team, set_request, stored

PHONE = "13812345678"


@pytest.fixture
def scene(tenant, factory):
    ids = service_team(factory, tenant)
    customer = factory.customer(tenant, ids["rep"], name="华东机械有限公司", phone=PHONE)
    return {"ids": ids, "customer": customer}


def test_the_customer_page_shows_its_requests_and_offers_a_new_one(tenant, factory, scene, client_for):
    ids = scene["ids"]
    request_id = file_request(factory, tenant, ids["rep"], scene["customer"], type="after_sales",
                              assignee_id=ids["desk"])
    number = stored(factory, tenant, request_id)["number"]
    page = logged_in(client_for, tenant, "boss").get(f"/customers/{scene['customer']}").text
    section = page[page.index('id="customer-service-requests"'):]
    assert f'href="/service/{request_id}"' in section and number in section
    assert "After-sales" in section and "Desk" in section and "New" in section
    assert f'/service/new?customer_id={scene["customer"]}' in section


def test_a_role_without_the_service_module_sees_no_service_section(tenant, factory, scene, client_for):
    from tests.blueprints.service.helpers import add_role

    role = add_role(factory, tenant, key="sales", name="销售", rights=("customers",))
    seller = factory.user(tenant, "seller", role=role, superior_id=scene["ids"]["rep"])
    client = logged_in(client_for, tenant, "seller")
    mine = factory.customer(tenant, seller, name="自己的客户")
    assert 'id="customer-service-requests"' not in client.get(f"/customers/{mine}").text
    assert client.get("/service/").status_code == 403


def test_filing_from_the_form_names_bad_fields_then_opens_the_new_request(tenant, scene, client_for):
    client = logged_in(client_for, tenant, "rep")
    form = client.get(f"/service/new?customer_id={scene['customer']}").text
    assert "华东机械有限公司" in form and "联系人" in form  # the customer chosen, its contact offered
    refused = client.post("/service/new", data={"customer_id": scene["customer"], "type": "", "description": ""})
    assert refused.status_code == 422
    assert 'id="sr-type-error"' in refused.text and 'id="sr-description-error"' in refused.text
    saved = client.post("/service/new", data={"customer_id": scene["customer"], "type": "complaint",
                                              "priority": "urgent", "channel": "phone", "subject": "设备异响",
                                              "description": "客户反映设备运行时异响"})
    assert saved.status_code == 302
    page = client.get(saved.headers["Location"]).text
    assert "设备异响" in page and "Complaint" in page and "Urgent" in page and "Request filed" in page


def test_the_queue_tabs_and_an_overdue_request_standing_out(tenant, factory, scene, client_for):
    ids = scene["ids"]
    waiting = file_request(factory, tenant, ids["rep"], scene["customer"], subject="无人处理")
    mine = file_request(factory, tenant, ids["rep"], scene["customer"], subject="我的工单", assignee_id=ids["desk"])
    late = file_request(factory, tenant, ids["rep"], scene["customer"], subject="已超时", assignee_id=ids["desk"])
    set_request(factory, tenant, late, due_at=utcnow() - timedelta(hours=1))
    desk = logged_in(client_for, tenant, "desk")
    unassigned = desk.get("/service/").text  # the service desk starts at the unassigned ones
    assert "无人处理" in unassigned and "我的工单" not in unassigned
    rows = desk.get("/service/?tab=mine").text
    assert rows.index("已超时") < rows.index("我的工单")  # soonest due first
    late_row = rows[rows.index(f'data-request-id="{late}"'):rows.index("</tr>", rows.index("已超时"))]
    assert "Overdue" in late_row and "bg-red" in late_row
    mine_row = rows[rows.index(f'data-request-id="{mine}"'):]
    assert "Overdue" not in mine_row[:mine_row.index("</tr>")]
    overdue_only = desk.get("/service/?tab=mine&overdue=1").text
    assert "已超时" in overdue_only and "我的工单" not in overdue_only
    number = stored(factory, tenant, waiting)["number"]
    rep_queue = logged_in(client_for, tenant, "rep").get(f"/service/?tab=all&q={number}").text
    assert "无人处理" in rep_queue and "已超时" not in rep_queue


def test_the_request_page_shows_the_customers_history_with_contacts_masked_for_the_desk(
        tenant, factory, scene, client_for):
    ids = scene["ids"]
    earlier = file_request(factory, tenant, ids["rep"], scene["customer"], subject="上次的咨询", type="inquiry")
    move(factory, tenant, earlier, ids["rep"], "resolved", resolution="已答复")
    move(factory, tenant, earlier, ids["rep"], "closed")  # closed and nobody's: not the desk's to open
    contact = factory._run(tenant, lambda: _contact_of(scene["customer"]))
    request_id = file_request(factory, tenant, ids["rep"], scene["customer"], contact_id=contact)
    desk = logged_in(client_for, tenant, "desk").get(f"/service/{request_id}").text
    assert "华东机械有限公司" in desk and "138****5678" in desk and PHONE not in desk
    assert f'href="/customers/{scene["customer"]}"' not in desk  # never the customer's own page
    assert "上次的咨询" in desk and f'href="/service/{earlier}"' not in desk  # the earlier one is not theirs to open
    owner = logged_in(client_for, tenant, "rep").get(f"/service/{request_id}").text
    assert PHONE in owner and f'href="/customers/{scene["customer"]}"' in owner and f'href="/service/{earlier}"' in owner


def _contact_of(customer_id):
    from sqlalchemy import select

    from crm_saas.blueprints.customers.models import Contact
    from crm_saas.extensions import db

    return db.session.scalar(select(Contact.id).where(Contact.customer_id == customer_id))


def test_a_rep_outside_the_owner_chain_gets_404_and_the_owners_supervisor_sees_it(tenant, factory, scene, client_for):
    request_id = file_request(factory, tenant, scene["ids"]["rep"], scene["customer"])
    assert logged_in(client_for, tenant, "outsider").get(f"/service/{request_id}").status_code == 404
    assert logged_in(client_for, tenant, "boss").get(f"/service/{request_id}").status_code == 200


def test_the_desk_takes_a_request_and_moves_it_along_on_its_page(tenant, factory, scene, client_for):
    request_id = file_request(factory, tenant, scene["ids"]["rep"], scene["customer"])
    desk = logged_in(client_for, tenant, "desk")
    htmx = {"HX-Request": "true"}
    taken = desk.post(f"/service/{request_id}/assign", data={"assignee_id": scene["ids"]["desk"]}, headers=htmx)
    assert taken.status_code == 200 and "Assigned to Desk" in taken.text
    assert 'value="in_progress"' in taken.text and "Start work" in taken.text
    started = desk.post(f"/service/{request_id}/transition", data={"status": "in_progress"}, headers=htmx)
    assert "Resolve…" in started.text and "Wait for the customer" in started.text
    desk.post(f"/service/{request_id}/transition", data={"status": "resolved", "resolution": "更换配件"}, headers=htmx)
    refused = desk.post(f"/service/{request_id}/transition", data={"status": "closed", "satisfaction": "7"},
                        headers=htmx)
    assert refused.status_code == 422 and "Give a satisfaction score from 1 to 5." in refused.text
    closed = desk.post(f"/service/{request_id}/transition", data={"status": "closed", "satisfaction": "5"},
                       headers=htmx)
    assert closed.status_code == 200 and "★★★★★" in closed.text and "Reopen" in closed.text
    assert (stored(factory, tenant, request_id)["status"], stored(factory, tenant, request_id)["satisfaction"]) == (
        "closed", 5)


def test_a_note_answers_the_timeline_with_it(tenant, factory, scene, client_for):
    request_id = file_request(factory, tenant, scene["ids"]["rep"], scene["customer"])
    client = logged_in(client_for, tenant, "rep")
    htmx = {"HX-Request": "true"}
    empty = client.post(f"/service/{request_id}/notes", data={"body": ""}, headers=htmx)
    assert empty.status_code == 422 and 'id="sr-note-body-error"' in empty.text
    added = client.post(f"/service/{request_id}/notes", data={"body": "客户要求周五前回复"}, headers=htmx)
    assert added.status_code == 200 and added.text.lstrip().startswith('<section id="service-timeline"')
    assert "客户要求周五前回复" in added.text


def test_a_departing_assignee_hands_open_requests_over(tenant, factory, scene, admin_api, admin_client):
    ids = scene["ids"]
    open_one = file_request(factory, tenant, ids["rep"], scene["customer"], assignee_id=ids["desk"])
    done = file_request(factory, tenant, ids["rep"], scene["customer"], assignee_id=ids["desk"])
    move(factory, tenant, done, ids["rep"], "resolved", resolution="已解决")
    confirm = admin_client.get(f"/staff/{ids['desk']}/deactivate", headers={"Accept-Language": "en"}).text
    assert "1 open service request goes to them too." in confirm  # the admin knows before choosing the heir
    heir = factory.user(tenant, "heir", role="kefu", superior_id=ids["admin"])
    response = admin_api.post(f"/staff/{ids['desk']}/deactivate", json={"handover_to": heir})
    assert response.status_code == 200, response.get_json()
    assert stored(factory, tenant, open_one)["assignee_id"] == heir
    assert stored(factory, tenant, done)["assignee_id"] == ids["desk"]  # resolved work keeps who did it


def test_merged_customers_bring_their_requests(tenant, factory, scene, admin_client):
    ids = scene["ids"]
    other = factory.customer(tenant, ids["rep"], name="华东机械（重复）", phone="13912340000")
    request_id = file_request(factory, tenant, ids["rep"], other)
    merged = admin_client.post(f"/customers/merge?keep={scene['customer']}&other={other}", data={"reason": "重复"})
    assert merged.status_code == 302
    assert stored(factory, tenant, request_id)["customer_id"] == scene["customer"]


def test_a_request_carries_files_that_only_its_viewers_open(tenant, factory, scene, client_for):
    request_id = file_request(factory, tenant, scene["ids"]["rep"], scene["customer"])
    rep = logged_in(client_for, tenant, "rep")
    uploaded = rep.post(f"/service/{request_id}/files", data={"file": (io.BytesIO("现场照片说明".encode()), "现场记录.txt")},
                        content_type="multipart/form-data", headers={"HX-Request": "true"})
    assert uploaded.status_code == 200 and "现场记录.txt" in uploaded.text
    download = re.search(r'href="(/files/\d+/download)"', rep.get(f"/service/{request_id}").text).group(1)
    assert rep.get(download).data == "现场照片说明".encode()
    assert logged_in(client_for, tenant, "boss").get(download).status_code == 200
    assert logged_in(client_for, tenant, "outsider").get(download).status_code == 404


def test_the_desk_finds_and_files_for_a_caller_outside_its_tree_and_a_rep_does_not(tenant, factory, scene, client_for):
    desk = logged_in(client_for, tenant, "desk")
    assert desk.get("/service/customer-choices?customer_q=").text.count('role="option"') == 1  # "no match": typed first
    found = desk.get("/service/customer-choices?customer_q=华东机械").text
    assert f'data-value="{scene["customer"]}"' in found and PHONE not in found
    saved = desk.post("/service/new", data={"customer_id": scene["customer"], "type": "inquiry",
                                            "description": "来电咨询保修期"})
    assert saved.status_code == 302
    assert f'href="/customers/{scene["customer"]}"' not in desk.get(saved.headers["Location"]).text

    outsider = logged_in(client_for, tenant, "outsider")  # a rep of another branch: no desk right
    assert f'data-value="{scene["customer"]}"' not in outsider.get("/service/customer-choices?customer_q=华东机械").text
    refused = outsider.post("/service/new", data={"customer_id": scene["customer"], "type": "inquiry",
                                                  "description": "来电咨询"})
    assert refused.status_code == 422 and 'id="sr-customer_id-error"' in refused.text
