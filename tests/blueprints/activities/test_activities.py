"""Follow-ups, tasks, the bell, the agenda and the timeline (E1-E3), through the pages a rep uses."""
import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from tests.api_client import change_setting
from tests.conftest import STAFF_PASSWORD, login

SHANGHAI = ZoneInfo("Asia/Shanghai")
HX = {"HX-Request": "true"}


def local(delta=timedelta()):
    """A ``datetime-local`` input's value, in the company's time (China)."""
    return (datetime.now(SHANGHAI) + delta).strftime("%Y-%m-%dT%H:%M")


def follow_up(client, customer_id, deal_id=None, subject="customer", **fields):
    data = {"customer_id": customer_id, "subject": subject, "type": "call", "occurred_at": local(-timedelta(hours=3)),
            "duration_minutes": "20", "participants": "王经理", "summary": "谈了报价", **fields}
    if deal_id:
        data["deal_id"] = deal_id
    return client.post("/activities", data=data, headers=HX)


def logged_in(client_for, tenant, username):
    client = client_for(tenant)
    assert login(client, username, STAFF_PASSWORD).status_code == 302
    return client


def rows(factory, tenant, model, **where):
    from crm_saas.extensions import db

    return factory._run(tenant, lambda: db.session.scalars(
        select(model).filter_by(**where).order_by(model.id)).all())


def test_quick_add_records_every_field_and_makes_the_owner_a_task(tenant, factory, client_for):
    from crm_saas.blueprints.activities.models import Activity, Task
    from crm_saas.blueprints.pipeline.models import Deal
    from crm_saas.extensions import db

    admin = factory.admin_id(tenant)
    rep = factory.user(tenant, "rep", superior_id=admin)
    customer = factory.customer(tenant, rep, name="远航贸易")
    deal = factory.deal(tenant, customer, rep, name="年度采购")
    client = logged_in(client_for, tenant, "rep")

    form = client.get(f"/activities/new?customer_id={customer}&deal_id={deal}")
    assert form.status_code == 200
    assert f'id="activity-form-deal-{deal}"' in form.text and 'name="occurred_at"' in form.text
    assert re.search(r'name="occurred_at" value="\d{4}-\d\d-\d\dT\d\d:\d\d"', form.text)  # now, by default

    saved = follow_up(client, customer, deal, subject="deal", type="visit", feedback="价格偏高", offer="九折",
                      next_action="发送合同", next_follow_up_at=local(-timedelta(hours=1)))
    assert saved.status_code == 200, saved.text
    assert "Follow-up saved" in saved.text and f'id="activity-form-deal-{deal}"' in saved.text
    events = json.loads(saved.headers["HX-Trigger"])
    assert events["activity-added"] == {"customer_id": customer, "deal_id": deal}
    assert f"activity-added-customer-{customer}" in events and f"activity-added-deal-{deal}" in events
    assert "task-changed" in events

    [activity] = rows(factory, tenant, Activity, customer_id=customer)
    assert (activity.type, activity.deal_id, activity.duration_minutes, activity.participants, activity.summary,
            activity.feedback, activity.offer, activity.next_action) == (
        "visit", deal, 20, "王经理", "谈了报价", "价格偏高", "九折", "发送合同")
    assert activity.next_follow_up_at > activity.occurred_at
    assert abs(activity.occurred_at - (datetime.now(SHANGHAI) - timedelta(hours=3))) < timedelta(minutes=2)
    [task] = rows(factory, tenant, Task, activity_id=activity.id)
    assert (task.title, task.assignee_id, task.customer_id, task.deal_id, task.done) == (
        "发送合同", rep, customer, deal, False)
    assert task.due_at == activity.next_follow_up_at
    # A follow-up is activity for rotting: the deal remembers it.
    assert factory._run(tenant, lambda: db.session.get(Deal, deal).last_activity_at) == activity.occurred_at

    bell = client.get("/tasks/bell")
    assert 'data-due="1"' in bell.text and 'data-overdue="1"' in bell.text and 'class="badge"' in bell.text
    assert 'hx-trigger="every 60s, task-changed from:body"' in bell.text
    assert "task-bell" in client.get(f"/customers/{customer}").text  # in the nav of every page
    agenda = client.get("/agenda")
    assert agenda.status_code == 200 and "发送合同" in agenda.text and "Overdue" in agenda.text


def test_follow_up_task_is_titled_by_customer_when_no_next_step(tenant, factory, client_for, admin_client):
    from crm_saas.blueprints.activities.models import Task

    admin = factory.admin_id(tenant)
    rep = factory.user(tenant, "rep", superior_id=admin)
    customer = factory.customer(tenant, rep, name="星河科技")
    assert follow_up(admin_client, customer, next_follow_up_at=local(timedelta(days=2))).status_code == 200
    [task] = rows(factory, tenant, Task, customer_id=customer)
    assert (task.title, task.assignee_id) == ("Follow up with 星河科技", rep)  # the owner's, whoever wrote it
    assert 'data-due="0"' in logged_in(client_for, tenant, "rep").get("/tasks/bell").text  # not due yet


def test_broken_rules_are_named_beside_their_fields_and_nothing_is_saved(tenant, factory, admin_client):
    from crm_saas.blueprints.activities.models import Activity

    customer = factory.customer(tenant, factory.admin_id(tenant))
    refused = follow_up(admin_client, customer, type="fax", summary=" ", duration_minutes="2000",
                        occurred_at=local(), next_follow_up_at=local(-timedelta(hours=1)))
    assert refused.status_code == 422
    for field in ("type", "summary", "duration_minutes", "next_follow_up_at"):
        assert f'id="activity-form-customer-{customer}-{field}-error"' in refused.text, field
    assert "Summary is required" in refused.text and "after this one" in refused.text
    future_call = follow_up(admin_client, customer, occurred_at=local(timedelta(hours=2)))
    assert future_call.status_code == 422 and "in the future" in future_call.text
    assert rows(factory, tenant, Activity) == []
    # Visits may be booked ahead: an appointment on the agenda.
    booked = follow_up(admin_client, customer, type="visit", summary="上门演示", occurred_at=local(timedelta(hours=2)))
    assert booked.status_code == 200
    year, week, _day = (datetime.now(SHANGHAI) + timedelta(hours=2)).isocalendar()
    assert "上门演示" in admin_client.get(f"/agenda?week={year}-W{week:02d}").text


def test_a_rep_cannot_see_or_write_follow_ups_on_a_customer_they_cannot_see(tenant, factory, client_for):
    from crm_saas.blueprints.activities.models import Activity

    admin = factory.admin_id(tenant)
    factory.user(tenant, "rep", superior_id=admin)
    other = factory.user(tenant, "other", superior_id=admin)
    hidden = factory.customer(tenant, other)
    hidden_deal = factory.deal(tenant, hidden, other)
    client = logged_in(client_for, tenant, "rep")
    assert client.get(f"/activities/new?customer_id={hidden}").status_code == 404
    assert client.get(f"/activities/timeline?customer_id={hidden}").status_code == 404
    assert client.get(f"/activities/timeline?deal_id={hidden_deal}").status_code == 404
    assert follow_up(client, hidden).status_code == 404
    assert rows(factory, tenant, Activity) == []


def test_the_timeline_mixes_follow_ups_stage_and_field_changes_newest_first(tenant, factory, admin_client):
    from crm_saas.blueprints.customers.models import Customer
    from crm_saas.blueprints.customers.services import update_customer
    from crm_saas.blueprints.pipeline.services.moves import move_deal
    from crm_saas.core.users import User
    from crm_saas.extensions import db

    admin = factory.admin_id(tenant)
    customer = factory.customer(tenant, admin, name="旧名称有限公司")
    deal = factory.deal(tenant, customer, admin, name="试点项目")
    stages = factory.stages(tenant)
    assert follow_up(admin_client, customer, summary="首次电话沟通", occurred_at=local(-timedelta(days=2))).status_code == 200

    def later_changes():
        actor = db.session.get(User, admin)
        move_deal(actor, deal, stages[1][0])
        update_customer(db.session.get(Customer, customer), {"name": "新名称有限公司"}, actor=actor, reason="更名")

    factory._run(tenant, later_changes)
    page = admin_client.get(f"/activities/timeline?customer_id={customer}")
    assert page.status_code == 200
    html = page.text
    assert f'<section id="timeline-customer-{customer}"' in html
    assert f'hx-trigger="activity-added-customer-{customer} from:body"' in html
    field_change, stage_change, activity = (html.index("新名称有限公司"), html.index("Initial contact → Needs analysis"),
                                            html.index("首次电话沟通"))
    assert field_change < stage_change < activity
    assert "试点项目" in html and "更名" in html

    deal_page = admin_client.get(f"/activities/timeline?deal_id={deal}").text
    assert f'<section id="timeline-deal-{deal}"' in deal_page and "Initial contact → Needs analysis" in deal_page
    assert "首次电话沟通" not in deal_page  # that follow-up was on the customer only


def test_a_next_time_without_a_next_step_reads_as_the_next_follow_up(tenant, factory, admin_client):
    customer = factory.customer(tenant, factory.admin_id(tenant))
    follow_up(admin_client, customer, summary="只约了时间", next_follow_up_at=local(timedelta(days=1)))
    follow_up(admin_client, customer, summary="有下一步", occurred_at=local(-timedelta(hours=1)),
              next_action="寄样品", next_follow_up_at=local(timedelta(days=2)))
    html = admin_client.get(f"/activities/timeline?customer_id={customer}").text
    steps = [re.sub(r"<[^>]+>", "", p).split() for p in re.findall(r'<p class="next-step">(.*?)</p>', html, re.S)]
    assert [words[:2] for words in steps] == [["Next", "step:"], ["Next", "follow-up:"]]
    assert steps[0][2:4] == ["寄样品", "·"] and "(" not in "".join(steps[1])  # no empty step before the time
    assert "<ol class=\"timeline-entries\">" in html  # an order, not numbered backwards (no `reversed`)


def test_late_follow_ups_are_kept_and_marked(tenant, factory, admin_client):
    customer = factory.customer(tenant, factory.admin_id(tenant))
    follow_up(admin_client, customer, summary="上周的拜访", occurred_at=local(-timedelta(days=3)))
    follow_up(admin_client, customer, summary="刚才的电话", occurred_at=local(-timedelta(hours=1)))
    html = admin_client.get(f"/activities/timeline?customer_id={customer}").text
    assert html.count("written late") == 1
    assert html.index("刚才的电话") < html.index("written late")


def test_timeline_masks_contact_phones_for_readers_outside_the_owners_chain(tenant, factory, client_for):
    from crm_saas.blueprints.customers.models import Customer
    from crm_saas.blueprints.customers.services import editable_data, update_customer
    from crm_saas.core.users import User
    from crm_saas.extensions import db

    admin = factory.admin_id(tenant)
    owner = factory.user(tenant, "owner", superior_id=admin)
    factory.user(tenant, "viewer", role="supervisor", superior_id=admin)
    change_setting(factory, tenant, "role_permissions", lambda v: {**v, "supervisor": [*v["supervisor"], "see_all"]})
    customer = factory.customer(tenant, owner, phone="13800138000")

    def new_phone():
        record = db.session.get(Customer, customer)
        data = editable_data(record)
        data["contacts"][0]["phone"] = "13912345678"
        update_customer(record, {"contacts": data["contacts"]}, actor=db.session.get(User, owner))

    factory._run(tenant, new_phone)
    html = logged_in(client_for, tenant, "viewer").get(f"/activities/timeline?customer_id={customer}").text
    assert "139****5678" in html and "13912345678" not in html and "13800138000" not in html
    assert "13912345678" in logged_in(client_for, tenant, "owner").get(
        f"/activities/timeline?customer_id={customer}").text


def test_editing_the_next_time_moves_the_open_task(tenant, factory, admin_client):
    from crm_saas.blueprints.activities.models import Activity, Task

    customer = factory.customer(tenant, factory.admin_id(tenant))
    follow_up(admin_client, customer, next_follow_up_at=local(timedelta(days=1)))
    [activity] = rows(factory, tenant, Activity)
    edit = admin_client.get(f"/activities/{activity.id}/edit", headers=HX)
    assert edit.status_code == 200 and f'id="activity-form-edit-{activity.id}"' in edit.text
    data = {"customer_id": customer, "type": "call", "occurred_at": local(-timedelta(hours=3)), "summary": "改过的纪要",
            "next_action": "再打一次", "next_follow_up_at": local(timedelta(days=3))}
    saved = admin_client.post(f"/activities/{activity.id}", data=data, headers=HX)
    assert saved.status_code == 200 and "task-changed" in json.loads(saved.headers["HX-Trigger"])
    [task] = rows(factory, tenant, Task)
    assert task.title == "再打一次"
    assert task.due_at.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M") == local(timedelta(days=3))


def test_only_the_author_and_those_above_the_owner_edit_a_follow_up(tenant, factory, client_for, admin_client):
    from crm_saas.blueprints.activities.models import Activity

    admin = factory.admin_id(tenant)
    factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    change_setting(factory, tenant, "role_permissions", lambda v: {**v, "supervisor": [*v["supervisor"], "see_all"]})
    customer = factory.customer(tenant, admin)
    follow_up(admin_client, customer)
    [activity] = rows(factory, tenant, Activity)
    boss = logged_in(client_for, tenant, "boss")
    assert "谈了报价" in boss.get(f"/activities/timeline?customer_id={customer}").text
    assert boss.get(f"/activities/{activity.id}/edit").status_code == 403  # sees it (see_all), may not edit
    assert admin_client.get(f"/activities/{activity.id}/edit").status_code == 200


def test_agenda_adds_ticks_off_and_shows_the_team(tenant, factory, client_for):
    from crm_saas.blueprints.activities.models import Task

    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    factory.user(tenant, "rep", superior_id=boss)
    rep = logged_in(client_for, tenant, "rep")
    refused = rep.post("/tasks", data={"title": "", "due_at": "soon"}, headers=HX)
    assert refused.status_code == 422 and 'id="task-add-title-error"' in refused.text
    assert 'id="task-add-due_at-error"' in refused.text
    added = rep.post("/tasks", data={"title": "准备报价单", "due_at": local(-timedelta(minutes=30))}, headers=HX)
    assert added.status_code == 200 and "准备报价单" in added.text
    assert "task-changed" in json.loads(added.headers["HX-Trigger"])
    assert 'data-overdue="1"' in rep.get("/tasks/bell").text

    [task] = rows(factory, tenant, Task)
    ticked = rep.post(f"/tasks/{task.id}/done", data={"done": "1"}, headers=HX)
    assert ticked.status_code == 200 and f'id="task-{task.id}"' in ticked.text and " checked" in ticked.text
    assert rows(factory, tenant, Task)[0].done is True
    assert 'data-due="0"' in rep.get("/tasks/bell").text

    boss_client = logged_in(client_for, tenant, "boss")
    # The task's own week: half an hour ago is last week from Monday 00:00 to 00:30 in China.
    year, week, _day = (datetime.now(SHANGHAI) - timedelta(minutes=30)).isocalendar()
    due_week = f"week={year}-W{week:02d}"
    assert "准备报价单" not in boss_client.get(f"/agenda?{due_week}").text
    assert "准备报价单" in boss_client.get(f"/agenda?{due_week}&team=1").text
    assert "My team" not in rep.get("/agenda").text  # nobody below a rep
    other_week = boss_client.get("/agenda?week=2030-W10&team=1")
    assert other_week.status_code == 200 and "2030-W10" in other_week.text and "2030-W11" in other_week.text
    reopened = boss_client.post(f"/tasks/{task.id}/done", data={}, headers=HX)  # unticked: open again
    assert reopened.status_code == 200 and rows(factory, tenant, Task)[0].done is False


def test_tasks_of_others_are_404(tenant, factory, client_for):
    admin = factory.admin_id(tenant)
    factory.user(tenant, "rep", superior_id=admin)
    factory.user(tenant, "peer", superior_id=admin)
    peer = logged_in(client_for, tenant, "peer")
    peer.post("/tasks", data={"title": "同事的任务", "due_at": local(timedelta(hours=1))}, headers=HX)
    from crm_saas.blueprints.activities.models import Task

    [task] = rows(factory, tenant, Task)
    rep = logged_in(client_for, tenant, "rep")
    assert rep.post(f"/tasks/{task.id}/done", data={"done": "1"}, headers=HX).status_code == 404
    assert "同事的任务" not in rep.get("/agenda?team=1").text


def test_a_departure_hands_open_tasks_to_the_colleague(tenant, factory, admin_client):
    from crm_saas.blueprints.activities.models import Task

    admin = factory.admin_id(tenant)
    leaver = factory.user(tenant, "leaver", superior_id=admin)
    heir = factory.user(tenant, "heir", superior_id=admin)
    customer = factory.customer(tenant, leaver)
    follow_up(admin_client, customer, next_follow_up_at=local(timedelta(days=1)))  # open, the owner's
    follow_up(admin_client, customer, next_follow_up_at=local(timedelta(days=2)))
    first, second = rows(factory, tenant, Task)
    admin_client.post(f"/tasks/{second.id}/done", data={"done": "1"}, headers=HX)

    done = admin_client.post(f"/staff/{leaver}/deactivate", data={"handover_to_id": heir})
    assert done.status_code in (200, 302)
    after = {t.id: (t.assignee_id, t.done) for t in rows(factory, tenant, Task)}
    assert after == {first.id: (heir, False), second.id: (leaver, True)}
