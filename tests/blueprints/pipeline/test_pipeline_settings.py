"""Pipelines and stages as a company setting (D2): the admin pages, the rules they keep, and what the board shows."""
import re
from html import unescape

from sqlalchemy import select

from tests.conftest import STAFF_PASSWORD, login

HTMX = {"HX-Request": "true"}
ZH = {"Accept-Language": "zh-CN"}
BASE = "/settings/pipelines/"


def default_pipeline_id(factory, tenant):
    from crm_saas.blueprints.pipeline.services import default_pipeline

    return factory._run(tenant, lambda: default_pipeline().id)


def stage_ids(factory, tenant, pipeline_id):
    """``{name as stored: id}`` of a pipeline's stages, in order."""
    from crm_saas.blueprints.pipeline.models import Stage
    from crm_saas.extensions import db

    return factory._run(tenant, lambda: {s.name: s.id for s in db.session.scalars(
        select(Stage).where(Stage.pipeline_id == pipeline_id).order_by(Stage.position))})


def columns(client, pipeline_id, headers=None):
    """The board's column titles, left to right."""
    html = client.get(f"/board?pipeline_id={pipeline_id}", headers=headers or {}).text
    return [unescape(t) for t in re.findall(r'id="stage-head-\d+".*?<h2[^>]*>(.*?)</h2>', html, re.S)]


def settings_rows(html):
    """``[(name, kind label, probability)]`` of the stages section as shown."""
    rows = re.findall(r'<tr id="stage-\d+" data-kind="\w+">\s*<td>\d+</td>\s*<td class="stage-name">(.*?)</td>\s*'
                      r'<td>(.*?)</td>\s*<td>(\d+)%</td>', html)
    return [(unescape(n), k, int(p)) for n, k, p in rows]


def stages_url(pipeline_id, *rest):
    return f"{BASE}{pipeline_id}/" + "/".join(str(r) for r in rest)


def log_actions(factory, tenant):
    from crm_saas.core.audit import OperationLog
    from crm_saas.extensions import db

    return factory._run(tenant, lambda: [e.action for e in db.session.scalars(select(OperationLog)
                                                                               .order_by(OperationLog.id))])


DEFAULT_EN = ["Initial contact", "Needs analysis", "Proposal", "Negotiation", "Won", "Lost"]


def test_only_holders_of_manage_settings_reach_the_pages(tenant, client_for, factory, admin_client):
    pid = default_pipeline_id(factory, tenant)
    factory.user(tenant, "rep", superior_id=factory.admin_id(tenant))
    rep = client_for(tenant)
    login(rep, "rep", STAFF_PASSWORD)
    assert rep.get(BASE).status_code == 403
    assert rep.get(stages_url(pid)).status_code == 403
    assert rep.post(BASE, data={"name": "Mine"}).status_code == 403
    assert rep.post(stages_url(pid, "stages"), data={"name": "X", "kind": "open", "probability": "5"}).status_code == 403
    first = stage_ids(factory, tenant, pid)["初步接触"]
    assert rep.post(stages_url(pid, "stages", first, "remove")).status_code == 403
    assert client_for(tenant).get(BASE).status_code == 302  # anonymous: to the login page
    assert columns(admin_client, pid) == DEFAULT_EN
    assert log_actions(factory, tenant) == []
    settings = admin_client.get("/settings/").text
    assert f'href="{BASE}"' in settings and "Pipelines and their stages" in settings


def test_list_shows_each_pipeline_with_default_marker_stages_and_open_deals(tenant, admin_client, factory):
    admin = factory.admin_id(tenant)
    customer = factory.customer(tenant, admin)
    for index in (0, 1, 4):  # two open deals and a won one
        factory.deal(tenant, customer, admin, stage_index=index)
    page = admin_client.get(BASE)
    assert page.status_code == 200 and "<html" in page.text
    pid = default_pipeline_id(factory, tenant)
    row = re.search(rf'<tr id="pipeline-{pid}" data-default>.*?</tr>', page.text, re.S).group(0)
    assert "Default" in row and re.findall(r"<td>(\d+)</td>", row) == ["6", "2"]
    section = admin_client.get(BASE, headers=HTMX).text
    assert "<html" not in section and section.strip().startswith('<section id="pipeline-list"')


def test_add_rename_reorder_and_remove_stages_show_on_the_board(tenant, admin_client, factory):
    pid = default_pipeline_id(factory, tenant)
    ids = stage_ids(factory, tenant, pid)

    added = admin_client.post(stages_url(pid, "stages"), data={"name": "Site visit", "kind": "open", "probability": "60"},
                              headers=HTMX)
    assert added.status_code == 200
    assert added.text.strip().startswith(f'<section id="pipeline-stages-{pid}"')
    assert "Site visit has been added." in added.text
    assert columns(admin_client, pid) == ["Initial contact", "Needs analysis", "Proposal", "Negotiation", "Site visit",
                                          "Won", "Lost"]

    plain = admin_client.post(stages_url(pid, "stages", ids["方案提交"], "edit"),
                              data={"name": "Quotation", "kind": "open", "probability": "50"})
    assert plain.status_code == 302 and plain.headers["Location"].endswith(stages_url(pid))
    assert "Quotation has been saved." in admin_client.get(stages_url(pid)).text  # flashed

    assert admin_client.post(stages_url(pid, "stages", ids["方案提交"], "move"), data={"direction": "up"},
                             headers=HTMX).status_code == 200
    site_visit = stage_ids(factory, tenant, pid)["Site visit"]
    admin_client.post(stages_url(pid, "stages", site_visit, "move"), data={"direction": "up"})
    admin_client.post(stages_url(pid, "stages", ids["成交"], "move"), data={"direction": "down"})
    admin_client.post(stages_url(pid, "stages", ids["成交"], "move"), data={"direction": "down"})  # last: stays
    removed = admin_client.post(stages_url(pid, "stages", ids["初步接触"], "remove"), headers=HTMX)
    assert removed.status_code == 200 and "Initial contact has been removed." in removed.text

    expected = ["Quotation", "Needs analysis", "Site visit", "Negotiation", "Lost", "Won"]
    assert columns(admin_client, pid) == expected
    assert [n for n, _k, _p in settings_rows(admin_client.get(stages_url(pid)).text)] == expected
    assert settings_rows(admin_client.get(stages_url(pid)).text)[2] == ("Site visit", "In progress", 60)


def test_a_new_stage_lands_after_its_kind_or_where_asked(tenant, admin_client, factory):
    pid = default_pipeline_id(factory, tenant)
    admin_client.post(stages_url(pid, "stages"), data={"name": "No budget", "kind": "lost", "probability": ""})
    admin_client.post(stages_url(pid, "stages"), data={"name": "Signed", "kind": "won", "probability": ""})
    admin_client.post(stages_url(pid, "stages"), data={"name": "Lead", "kind": "open", "probability": "5", "position": "0"})
    rows = settings_rows(admin_client.get(stages_url(pid)).text)
    assert [n for n, _k, _p in rows] == ["Lead", "Initial contact", "Needs analysis", "Proposal", "Negotiation", "Won",
                                         "Signed", "Lost", "No budget"]
    assert rows[6] == ("Signed", "Won", 100) and rows[8] == ("No budget", "Lost", 0)  # blank: the natural number


def test_stage_rules_are_named_by_field(tenant, admin_client, factory):
    pid = default_pipeline_id(factory, tenant)
    url = stages_url(pid, "stages")
    cases = [
        ({"name": "", "kind": "open", "probability": "10"}, "Name is required."),
        ({"name": "x" * 101, "kind": "open", "probability": "10"}, "At most 100 characters."),
        ({"name": "initial CONTACT", "kind": "open", "probability": "10"}, "initial CONTACT is already taken."),
        ({"name": "输单", "kind": "open", "probability": "10"}, "输单 is already taken."),
        ({"name": "Fine", "kind": "maybe", "probability": "10"}, "Choose open, won or lost."),
        ({"name": "Fine", "kind": "open", "probability": "101"}, "The probability is a whole number from 0 to 100."),
        ({"name": "Fine", "kind": "open", "probability": "ten"}, "The probability is a whole number from 0 to 100."),
        ({"name": "Fine", "kind": "open", "probability": ""}, "Give a default probability from 0 to 100."),
        ({"name": "Fine", "kind": "open", "probability": "1", "position": "7"}, "Choose a place from the list."),
    ]
    for data, message in cases:
        answer = admin_client.post(url, data=data, headers=HTMX)
        assert answer.status_code == 422, data
        assert f'class="field-error">{message}' in unescape(answer.text), (data, answer.text)
    assert len(stage_ids(factory, tenant, pid)) == 6
    plain = admin_client.post(url, data={"name": "", "kind": "open", "probability": "1"})
    assert plain.status_code == 422 and "<html" in plain.text and "Name is required." in plain.text


def test_a_stage_with_deals_cannot_go_until_they_move(tenant, admin_client, factory):
    from crm_saas.blueprints.pipeline.models import Deal, DealStageChange
    from crm_saas.core.base import utcnow
    from crm_saas.extensions import db

    admin = factory.admin_id(tenant)
    customer = factory.customer(tenant, admin)
    pid = default_pipeline_id(factory, tenant)
    ids = stage_ids(factory, tenant, pid)
    needs, proposal, lost = ids["需求分析"], ids["方案提交"], ids["输单"]
    one = factory.deal(tenant, customer, admin, name="One", stage_index=0)
    assert admin_client.post(f"/deals/{one}/move", data={"stage_id": needs, "position": 0}).status_code == 200
    two = factory.deal(tenant, customer, admin, name="Two", stage_index=1)
    remove = stages_url(pid, "stages", needs, "remove")

    refused = admin_client.post(remove, headers=HTMX)
    assert refused.status_code == 422
    assert "Needs analysis still holds 2 deals: move them first." in refused.text
    asked = admin_client.get(remove, headers=HTMX).text  # the confirmation says so before anyone tries
    assert "Needs analysis still holds 2 deals: move them first." in asked and "Remove the stage" not in asked

    assert admin_client.post(f"/deals/{one}/move", data={"stage_id": proposal, "position": 0}).status_code == 200
    factory._run(tenant, lambda: (db.session.get(Deal, two).__setattr__("deleted_at", utcnow()), db.session.commit()))
    refused = admin_client.post(remove)
    assert refused.status_code == 422
    text = unescape(refused.text)
    assert "Needs analysis still holds 1 deal: move it first." in text
    assert "1 of them is in the recycle bin with its customer" in text
    assert "Needs analysis" in columns(admin_client, pid)

    factory._run(tenant, lambda: (db.session.get(Deal, two).__setattr__("deleted_at", None), db.session.commit()))
    assert admin_client.post(f"/deals/{two}/move", data={"stage_id": lost, "position": 0}).status_code == 422
    assert admin_client.post(f"/deals/{two}/move",
                             data={"stage_id": lost, "position": 0, "lost_reason": "No budget"}).status_code == 200
    done = admin_client.post(remove)
    assert done.status_code == 302
    assert columns(admin_client, pid) == ["Initial contact", "Proposal", "Negotiation", "Won", "Lost"]

    def history(deal_id):
        return factory._run(tenant, lambda: [(c.from_stage_id, c.to_stage_id, c.lost_reason) for c in db.session.scalars(
            select(DealStageChange).where(DealStageChange.deal_id == deal_id).order_by(DealStageChange.id))])

    # The history still says where each deal went, the retired stage included (D5 figures need it).
    assert history(one) == [(None, ids["初步接触"], None), (ids["初步接触"], needs, None), (needs, proposal, None)]
    assert history(two) == [(None, needs, None), (needs, lost, "No budget")]
    assert admin_client.post(f"/deals/{one}/move", data={"stage_id": needs, "position": 0}).status_code == 422
    assert "Needs analysis" in admin_client.get(f"/deals/{one}").text  # the history reads it by name


def test_the_last_open_won_and_lost_stage_stay(tenant, admin_client, factory):
    pid = default_pipeline_id(factory, tenant)
    ids = stage_ids(factory, tenant, pid)
    for name, message in (("成交", "needs at least one won stage."), ("输单", "needs at least one lost stage.")):
        answer = admin_client.post(stages_url(pid, "stages", ids[name], "remove"), headers=HTMX)
        assert answer.status_code == 422 and message in answer.text
    rekind = admin_client.post(stages_url(pid, "stages", ids["成交"], "edit"),
                               data={"name": "Won", "kind": "open", "probability": "90"}, headers=HTMX)
    assert rekind.status_code == 422 and 'class="field-error">销售管道 needs at least one won stage.' in rekind.text
    for name in ("初步接触", "需求分析", "方案提交"):
        assert admin_client.post(stages_url(pid, "stages", ids[name], "remove")).status_code == 302
    last_open = stages_url(pid, "stages", ids["商务谈判"])
    answer = admin_client.post(last_open + "/remove")
    assert answer.status_code == 422 and "needs at least one open stage: new deals start there." in answer.text
    answer = admin_client.post(last_open + "/edit", data={"name": "Negotiation", "kind": "lost", "probability": ""})
    assert answer.status_code == 422 and "needs at least one open stage" in answer.text
    assert columns(admin_client, pid) == ["Negotiation", "Won", "Lost"]

    # With a second won stage, the first may go or become open; a blank probability then keeps its number.
    admin_client.post(stages_url(pid, "stages"), data={"name": "Signed", "kind": "won", "probability": ""})
    answer = admin_client.post(stages_url(pid, "stages", ids["成交"], "edit"),
                               data={"name": "Won", "kind": "open", "probability": "95"})
    assert answer.status_code == 302
    assert settings_rows(admin_client.get(stages_url(pid)).text)[1] == ("Won", "In progress", 95)


def test_a_stage_holding_deals_keeps_its_kind_and_deals_keep_their_probability(tenant, admin_client, factory):
    from crm_saas.blueprints.pipeline.models import Deal
    from crm_saas.extensions import db

    admin = factory.admin_id(tenant)
    pid = default_pipeline_id(factory, tenant)
    ids = stage_ids(factory, tenant, pid)
    before = factory.deal(tenant, factory.customer(tenant, admin), admin, stage_index=2)
    admin_client.post(stages_url(pid, "stages"), data={"name": "Signed", "kind": "won", "probability": ""})
    answer = admin_client.post(stages_url(pid, "stages", ids["方案提交"], "edit"),
                               data={"name": "Proposal", "kind": "won", "probability": "100"})
    assert answer.status_code == 422
    assert "Proposal holds 1 deal: move it before changing the stage's kind." in unescape(answer.text)
    assert admin_client.post(stages_url(pid, "stages", ids["方案提交"], "edit"),
                             data={"name": "Proposal", "kind": "open", "probability": "65"}).status_code == 302
    after = factory.deal(tenant, factory.customer(tenant, admin, name="另一个客户", phone="13900139000"), admin,
                         stage_index=2)
    probability = {d: factory._run(tenant, lambda d=d: db.session.get(Deal, d).probability) for d in (before, after)}
    assert probability == {before: 50, after: 65}  # a default for deals that arrive, not a rewrite of those there
    assert settings_rows(admin_client.get(stages_url(pid)).text)[2] == ("Proposal", "In progress", 65)


def test_renaming_a_default_stage_shows_the_new_name_in_every_language(tenant, admin_client, factory):
    pid = default_pipeline_id(factory, tenant)
    ids = stage_ids(factory, tenant, pid)
    assert columns(admin_client, pid, ZH)[:2] == ["初步接触", "需求分析"]

    # The edit form sent back with the name as it reads keeps the stage translated.
    unchanged = admin_client.post(stages_url(pid, "stages", ids["初步接触"], "edit"),
                                  data={"name": "Initial contact", "kind": "open", "probability": "15"})
    assert unchanged.status_code == 302
    assert columns(admin_client, pid, ZH)[0] == "初步接触" and columns(admin_client, pid)[0] == "Initial contact"

    admin_client.post(stages_url(pid, "stages", ids["需求分析"], "edit"),
                      data={"name": "Discovery", "kind": "open", "probability": "25"})
    assert columns(admin_client, pid)[:2] == ["Initial contact", "Discovery"]
    assert columns(admin_client, pid, ZH)[:2] == ["初步接触", "Discovery"]
    zh_settings = admin_client.get(stages_url(pid), headers=ZH).text
    assert "Discovery" in zh_settings and "需求分析" not in zh_settings


def test_a_second_pipeline_with_its_own_stages(tenant, admin_client, factory):
    first = default_pipeline_id(factory, tenant)
    assert admin_client.post(BASE, data={"name": "Projects"}).status_code == 302
    for name, message in (("projects", "projects is already taken."), ("销售管道", "销售管道 is already taken."),
                          ("  ", "Name is required."), ("p" * 101, "At most 100 characters.")):
        answer = admin_client.post(BASE, data={"name": name}, headers=HTMX)
        assert answer.status_code == 422 and message in answer.text, name
    page = admin_client.get(BASE).text
    second = int(re.search(r'<tr id="pipeline-(\d+)">\s*<td><a href="[^"]+">Projects</a>', page).group(1))
    assert columns(admin_client, second) == DEFAULT_EN  # a copy of the default set, translated like it
    assert columns(admin_client, second, ZH)[0] == "初步接触"

    admin_client.post(stages_url(second, "stages"), data={"name": "Pilot", "kind": "open", "probability": "70"})
    assert "Pilot" in columns(admin_client, second) and "Pilot" not in columns(admin_client, first)
    assert admin_client.post(stages_url(first, "stages", stage_ids(factory, tenant, second)["Pilot"], "edit"),
                             data={"name": "Stolen"}).status_code == 404  # a stage is reached through its pipeline

    assert admin_client.post(f"{BASE}{second}/rename", data={"name": "Big projects"}, headers=HTMX).status_code == 200
    made = admin_client.post(f"{BASE}{second}/default", headers=HTMX)
    assert made.status_code == 200 and "Big projects is now the default pipeline." in made.text
    assert len(re.findall(r"data-default", made.text)) == 1 and f'<tr id="pipeline-{second}" data-default>' in made.text
    assert admin_client.get("/board").text.count("Pilot") >= 1  # the board opens the default pipeline

    refused = admin_client.post(f"{BASE}{second}/delete", headers=HTMX)
    assert refused.status_code == 422 and "Big projects is the default pipeline" in refused.text
    admin = factory.admin_id(tenant)
    factory.deal(tenant, factory.customer(tenant, admin), admin)  # into the new default pipeline
    admin_client.post(f"{BASE}{first}/default")
    refused = admin_client.post(f"{BASE}{second}/delete")
    assert refused.status_code == 422 and "Big projects holds 1 deal (the recycle bin included)" in refused.text
    assert admin_client.get(f"{BASE}{first}/delete", headers=HTMX).status_code == 200  # asks first
    assert admin_client.post(f"{BASE}{first}/delete").status_code == 422  # the default again
    admin_client.post(BASE, data={"name": "Empty"})
    empty = int(re.search(r'<tr id="pipeline-(\d+)">\s*<td><a href="[^"]+">Empty</a>', admin_client.get(BASE).text)
                .group(1))
    deleted = admin_client.post(f"{BASE}{empty}/delete", headers=HTMX)
    assert deleted.status_code == 200 and "Empty has been deleted." in deleted.text
    assert f'id="pipeline-{empty}"' not in deleted.text
    assert admin_client.get(f"/board?pipeline_id={empty}").status_code == 404


def test_every_change_is_in_the_operation_log(tenant, admin_client, factory):
    pid = default_pipeline_id(factory, tenant)
    ids = stage_ids(factory, tenant, pid)
    admin_client.post(BASE, data={"name": "Projects"})
    admin_client.post(f"{BASE}{pid}/rename", data={"name": "Sales"})
    admin_client.post(stages_url(pid, "stages"), data={"name": "Demo", "kind": "open", "probability": "40"})
    admin_client.post(stages_url(pid, "stages", ids["方案提交"], "edit"), data={"name": "Quote", "kind": "open",
                                                                             "probability": "50"})
    admin_client.post(stages_url(pid, "stages", ids["方案提交"], "move"), data={"direction": "up"})
    admin_client.post(stages_url(pid, "stages", ids["初步接触"], "remove"))
    page = admin_client.get(BASE).text
    projects = int(re.search(r'<tr id="pipeline-(\d+)">\s*<td><a href="[^"]+">Projects</a>', page).group(1))
    admin_client.post(f"{BASE}{projects}/default")
    admin_client.post(f"{BASE}{pid}/delete")
    assert log_actions(factory, tenant) == [
        "pipeline_created", "pipeline_renamed", "stage_added", "stage_updated", "stages_reordered", "stage_removed",
        "pipeline_made_default", "pipeline_deleted",
    ]
    log = unescape(admin_client.get("/audit/operations").text)
    for label in ("Pipeline added", "Pipeline renamed", "Stage added", "Stage edited", "Stages reordered",
                  "Stage removed", "Default pipeline changed", "Pipeline deleted"):
        assert label in log, label
    assert "Name: 方案提交 → Quote" in log and "Kind: In progress" in log and "Sales / Demo" in log
    # Refused changes and changes to nothing leave no entry.
    admin_client.post(stages_url(projects, "stages"), data={"name": "", "kind": "open"})
    admin_client.post(f"{BASE}{projects}/rename", data={"name": "Projects"})
    assert len(log_actions(factory, tenant)) == 8
