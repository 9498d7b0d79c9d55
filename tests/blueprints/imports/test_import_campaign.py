"""G1 attribution by import: a customer or deal row names its campaign (市场活动) by name, exactly but for case; an
unknown name is that row's error, naming the field; a deal row without one takes its customer's campaign."""
import io

from openpyxl import load_workbook

from tests.blueprints.customers.campaign_helpers import make_campaign
from tests.blueprints.imports.helpers import imported, run_job, upload, xlsx_bytes


def _commit(app, tenant, api, body):
    assert api.post(f"/imports/{body['id']}/commit").status_code == 202
    run_job(app, tenant, body["id"])
    return api.get(f"/imports/{body['id']}").get_json()


def _by_name(api, path, **query):
    return {item["name"]: item for item in api.get(path, query_string={"per_page": 200, **query}).get_json()["items"]}


def test_customer_and_deal_rows_are_attributed_by_campaign_name(app, tenant, factory, admin_api):
    fair = make_campaign(factory, tenant, "Spring Expo 2026")
    mail = make_campaign(factory, tenant, "邮件推广")
    rows = [["客户名称", "行业", "来源", "市场活动", "联系人", "电话"],
            ["苏州展会客户", "制造", "展会", "  spring EXPO 2026 ", "王芳", "13800138000"],
            ["无锡普通客户", "制造", "转介绍", "", "李强", "13800138001"],
            ["常州未知活动", "制造", "展会", "冬季展会", "赵六", "13800138002"]]
    body = upload(admin_api, xlsx_bytes({"客户信息表": rows})).get_json()
    assert body["mapping"]["市场活动"] == "campaign"
    checked = admin_api.post(f"/imports/{body['id']}/validate").get_json()
    assert (checked["totals"]["valid"], checked["totals"]["errors"]) == (2, 1)
    errors = admin_api.get(f"/imports/{body['id']}/errors").get_json()["items"]
    assert [(e["row"], e["field"]) for e in errors] == [(4, "campaign")]
    assert "冬季展会" in errors[0]["message"]
    assert _commit(app, tenant, admin_api, body)["totals"]["created"] == 2
    customers = _by_name(admin_api, "/customers")
    assert customers["苏州展会客户"]["campaign_id"] == fair and customers["无锡普通客户"]["campaign_id"] is None
    assert "常州未知活动" not in customers

    deals = [["客户", "商机名称", "预计金额", "市场活动"],
             ["苏州展会客户", "随客户的活动", 1000, ""],
             ["苏州展会客户", "另一个活动", 2000, "邮件推广"],
             ["无锡普通客户", "不存在的活动", 3000, "No such campaign"]]
    batch = imported(admin_api, xlsx_bytes({"Deals": deals}), name="deals.xlsx", kind="deals")
    assert (batch["totals"]["valid"], batch["totals"]["errors"]) == (2, 1)
    error = admin_api.get(f"/imports/{batch['id']}/errors").get_json()["items"][0]
    assert (error["row"], error["field"]) == (4, "campaign")
    _commit(app, tenant, admin_api, batch)
    found = _by_name(admin_api, "/deals")
    assert found["随客户的活动"]["campaign_id"] == fair  # none named: the customer's
    assert found["另一个活动"]["campaign_id"] == mail
    assert "不存在的活动" not in found


def test_an_update_row_sets_the_campaign_and_the_template_lists_them(app, tenant, factory, admin_api):
    fair = make_campaign(factory, tenant, "Spring Expo 2026")
    customer_id = factory.customer(tenant, factory.admin_id(tenant), name="合肥老客户", phone="13911112222")
    rows = [["客户名称", "行业", "市场活动"], ["合肥老客户", "", "Spring Expo 2026"]]
    body = imported(admin_api, xlsx_bytes({"Sheet1": rows}), duplicate_policy="update")
    assert _commit(app, tenant, admin_api, body)["totals"]["updated"] == 1
    assert admin_api.get(f"/customers/{customer_id}").get_json()["campaign_id"] == fair

    template = load_workbook(io.BytesIO(admin_api.get("/imports/templates/customers").data))
    headers = [cell.value for cell in next(template.worksheets[0].iter_rows(max_row=1))]
    assert headers[headers.index("Source*") + 1] == "Campaign"
    allowed = [[cell.value for cell in column] for column in template.worksheets[1].iter_cols()]
    assert ["Campaign", "Spring Expo 2026"] in [column[:2] for column in allowed]
