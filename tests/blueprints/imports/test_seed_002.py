"""Seed 002's three sheets (客户信息表, 销售机会表, 客户互动记录表), headers as they stand in the seed, imported
one after the other and linked by their 客户ID column; and deals and follow-ups refused by their own rules."""
from datetime import date
from zoneinfo import ZoneInfo

from tests.blueprints.imports.helpers import imported, in_tenant, run_job, upload, xlsx_bytes

SEED_002 = {
    "客户信息表": [
        ["客户ID", "客户名称", "联系人", "职位", "电话", "邮箱", "行业", "注册日期"],
        ["C001", "A公司", "张先生", "经理", "13800138000", "zhang@a-company.cn", "零售", date(2023, 1, 15)],
        ["C002", "B集团", "李女士", "主管", "13900139000", "li@b-group.cn", "金融", date(2023, 2, 20)],
    ],
    "销售机会表": [
        ["机会ID", "客户ID", "产品名称", "阶段(如潜在/成交)", "预计金额", "负责人", "截止日期"],
        ["S001", "C001", "软件许可", "潜在", "50,000", "rep_wang", date(2023, 6, 30)],
        ["S002", "C002", "咨询服务", "成交", "30,000", "rep_wang", date(2023, 5, 15)],
    ],
    "客户互动记录表": [
        ["记录ID", "客户ID", "互动类型(如电话/邮件)", "日期", "内容摘要", "负责人", "后续行动"],
        ["I001", "C001", "电话", date(2023, 4, 10), "询价产品", "*客服", "发送报价单"],
        ["I002", "C002", "邮件", date(2023, 4, 12), "投诉处理", "*客服", "跟进满意度"],
    ],
}


def _commit(app, tenant, api, body):
    assert api.post(f"/imports/{body['id']}/commit").status_code == 202
    run_job(app, tenant, body["id"])
    return api.get(f"/imports/{body['id']}").get_json()


def test_seed_002_sheets_import_linked_by_their_customer_id(app, tenant, admin_api, factory):
    factory.user(tenant, "rep_wang", superior_id=factory.admin_id(tenant))
    workbook = xlsx_bytes(SEED_002)

    customers = upload(admin_api, workbook, "CRM数据模板.xlsx", "customers").get_json()
    assert customers["mapping"] == {"客户ID": "customer_ref", "客户名称": "name", "联系人": "contact_name",
                                    "职位": "contact_title", "电话": "contact_phone", "邮箱": "contact_email",
                                    "行业": "industry", "注册日期": "created_at"}
    admin_api.patch(f"/imports/{customers['id']}", json={"defaults": {"source": "other"}})  # the sheet has none
    customers = admin_api.post(f"/imports/{customers['id']}/validate").get_json()
    assert customers["totals"]["valid"] == 2, admin_api.get(f"/imports/{customers['id']}/errors").get_json()
    assert _commit(app, tenant, admin_api, customers)["totals"]["created"] == 2

    deals = upload(admin_api, workbook, "CRM数据模板.xlsx", "deals").get_json()
    assert deals["mapping"] == {"机会ID": "deal_ref", "客户ID": "customer_ref", "产品名称": "name",
                                "阶段(如潜在/成交)": "stage", "预计金额": "amount", "负责人": "owner",
                                "截止日期": "expected_close"}
    deals = admin_api.post(f"/imports/{deals['id']}/validate").get_json()
    assert deals["totals"]["valid"] == 2, admin_api.get(f"/imports/{deals['id']}/errors").get_json()
    assert _commit(app, tenant, admin_api, deals)["totals"]["created"] == 2

    follow_ups = upload(admin_api, workbook, "CRM数据模板.xlsx", "activities").get_json()
    assert follow_ups["mapping"]["互动类型(如电话/邮件)"] == "type" and follow_ups["mapping"]["后续行动"] == "next_action"
    assert follow_ups["mapping"]["记录ID"] is None and follow_ups["mapping"]["日期"] == "occurred_at"
    follow_ups = admin_api.post(f"/imports/{follow_ups['id']}/validate").get_json()
    assert follow_ups["totals"]["valid"] == 2, admin_api.get(f"/imports/{follow_ups['id']}/errors").get_json()
    assert _commit(app, tenant, admin_api, follow_ups)["totals"]["created"] == 2

    def linked():
        from sqlalchemy import select

        from crm_saas.blueprints.activities.models import Activity
        from crm_saas.blueprints.customers.models import Customer
        from crm_saas.blueprints.pipeline.models import Deal, Stage
        from crm_saas.core.users import User
        from crm_saas.extensions import db

        deal_rows = db.session.execute(
            select(Customer.external_ref, Deal.external_ref, Deal.name, Deal.amount, Stage.kind, User.username)
            .join(Deal, Deal.customer_id == Customer.id).join(Stage, Stage.id == Deal.stage_id)
            .join(User, User.id == Deal.owner_id).order_by(Deal.external_ref)).all()
        activity_rows = db.session.execute(
            select(Customer.external_ref, Activity.type, Activity.summary, Activity.next_action)
            .join(Activity, Activity.customer_id == Customer.id).order_by(Customer.external_ref)).all()
        created = db.session.execute(select(Customer.external_ref, Customer.created_at, Customer.industry)
                                     .order_by(Customer.external_ref)).all()
        return [tuple(r) for r in deal_rows], [tuple(r) for r in activity_rows], created

    deal_rows, activity_rows, created = in_tenant(app, tenant, linked)
    assert [(c, d, n, str(a), k, u) for c, d, n, a, k, u in deal_rows] == [
        ("C001", "S001", "软件许可", "50000.00", "open", "rep_wang"),
        ("C002", "S002", "咨询服务", "30000.00", "won", "rep_wang")]
    assert activity_rows == [("C001", "call", "询价产品", "发送报价单"), ("C002", "email", "投诉处理", "跟进满意度")]
    assert [(ref, industry) for ref, _when, industry in created] == [("C001", "retail"), ("C002", "finance")]
    assert created[0][1].astimezone(ZoneInfo("Asia/Shanghai")).date() == date(2023, 1, 15)  # 注册日期 kept

    again = imported(admin_api, workbook, kind="deals")
    assert (again["totals"]["duplicates"], again["totals"]["valid"]) == (2, 2)  # S001, S002 were imported before


def test_deal_and_follow_up_rows_are_refused_by_their_own_rules(admin_api, factory, tenant):
    factory.customer(tenant, factory.admin_id(tenant), name="已有客户")
    rows = {"销售机会表": [["客户", "产品名称", "阶段", "预计金额", "截止日期"],
                         ["C404", "软件许可", "潜在", "100", "2023-06-30"],
                         ["已有客户", "", "输单", "-5", "明天"],
                         ["已有客户", "年度维护", "成交", "8,000", "2023-07-01"]],
            "客户互动记录表": [["客户", "互动类型", "日期", "内容摘要"],
                          ["C404", "电话", "2023-04-10", "询价"],
                          ["已有客户", "飞鸽传书", "不是日期", ""],
                          ["已有客户", "微信", "2023/4/12 15:30", "发了报价"]]}
    deals = imported(admin_api, xlsx_bytes(rows), kind="deals")
    assert deals["totals"]["valid"] == 1
    found = {(e["row"], e["field"]) for e in admin_api.get(f"/imports/{deals['id']}/errors").get_json()["items"]}
    assert found == {(2, "customer_ref"), (3, "name"), (3, "stage"), (3, "amount"), (3, "expected_close")}
    follow_ups = imported(admin_api, xlsx_bytes(rows), kind="activities")
    assert follow_ups["totals"]["valid"] == 1
    found = {(e["row"], e["field"]) for e in admin_api.get(f"/imports/{follow_ups['id']}/errors").get_json()["items"]}
    assert found == {(2, "customer_ref"), (3, "type"), (3, "occurred_at"), (3, "summary")}
