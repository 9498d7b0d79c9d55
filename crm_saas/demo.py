"""The demo company: a staff tree, a few hundred customers and deals, a service desk with its requests, two
campaigns with their members. Running it twice changes nothing."""
import random
from datetime import timedelta

from sqlalchemy import func, select

from crm_saas.blueprints.campaigns.models import Campaign
from crm_saas.blueprints.campaigns.services.campaigns import create_campaign
from crm_saas.blueprints.campaigns.services.members import add_customers
from crm_saas.blueprints.customers.models import Contact, Customer
from crm_saas.blueprints.customers.services.keys import name_key, phone_key
from crm_saas.blueprints.customers.services.numbering import next_customer_number
from crm_saas.blueprints.pipeline.models import Deal, DealStageChange
from crm_saas.blueprints.pipeline.services import default_pipeline
from crm_saas.blueprints.pools.services import default_pool
from crm_saas.blueprints.pools.services.moves import put_in_pool
from crm_saas.blueprints.service.models import ServiceRequest
from crm_saas.blueprints.service.services.flow import transition
from crm_saas.blueprints.service.services.requests import create_request
from crm_saas.core.base import utcnow
from crm_saas.core.passwords import hash_password
from crm_saas.core.roles import Role
from crm_saas.core.users import User
from crm_saas.extensions import db
from crm_saas.tenants import accounts
from crm_saas.tenants.binding import tenant_context
from crm_saas.tenants.models import Agency, PlatformUser, Tenant
from crm_saas.tenants.provisioning import provision_tenant

SLUG = "demo"
CUSTOMERS = 300
DEALS = 200
POOLED = 20  # the last customers (no deals) wait in the lead pool, released by their owner
# (username, name, role, superior username)
STAFF = (
    ("wangqiang", "王强", "supervisor", "admin"),
    ("lina", "李娜", "supervisor", "admin"),
    ("zhangwei", "张伟", "rep", "wangqiang"),
    ("liuyang", "刘洋", "rep", "wangqiang"),
    ("chenjing", "陈静", "rep", "lina"),
    ("zhaolei", "赵磊", "rep", "lina"),
    ("kefu", "周敏", "kefu", "admin"),  # the service desk: a custom role (B4)
)
DESK_ROLE = ("kefu", "客服", ["service", "service_desk"])
PREFIXES = ("华东", "鼎盛", "恒远", "星辰", "瑞丰", "金桥", "远航", "天成", "博雅", "中信达")
SUFFIXES = ("科技有限公司", "贸易有限公司", "制造有限公司", "信息技术有限公司", "咨询服务有限公司")
SURNAMES = "王李张刘陈杨黄赵吴周"
GIVEN = ("伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇")
REGIONS = (("上海市", "上海市", "浦东新区"), ("北京市", "北京市", "朝阳区"), ("广东省", "深圳市", "南山区"),
           ("浙江省", "杭州市", "西湖区"), ("江苏省", "苏州市", "姑苏区"), ("四川省", "成都市", "武侯区"))
TAGS = ((), ("重点客户",), ("展会",), ("重点客户", "年采购超百万"), ())


def seed_demo(password):
    if db.session.scalar(select(Tenant.id).where(Tenant.slug == SLUG)) is None:
        provision_tenant(SLUG, "演示公司 Demo Co.", {
            "username": "admin", "password_hash": hash_password(password), "name": "管理员",
        })
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == SLUG))
    with tenant_context(tenant):
        _seed_staff(password)
        made = _seed_customers_and_deals()
        _seed_campaigns()
        _seed_service_requests()
    platform = _seed_platform(password)
    return (f"demo company ready ({made} new customers): username admin, password {password} "
            f"(the service desk 客服: kefu, same password)\n{platform}")


# The platform's side (issue 14): an agency of three levels whose rep looks after the demo company and has
# filed a second company, waiting for the operator. (username, name, role, code, superior)
AGENCY = ("SH01", "上海汇达代理", 7)
AGENTS = (
    ("huida", "汇达管理员", "admin", "SH0101", None),
    ("sunli", "孙丽", "supervisor", "SH0102", "huida"),
    ("zhoujie", "周杰", "rep", "SH0103", "sunli"),
)
PENDING_SLUG = "xingchen"


def _seed_platform(password):
    agency = db.session.scalar(select(Agency).where(Agency.prefix == AGENCY[0]))
    if agency is None:
        agency = Agency(prefix=AGENCY[0], name=AGENCY[1], bonus_trial_days=AGENCY[2], contact="汇达 陈经理",
                        phone="02168880000")
        db.session.add(agency)
        db.session.flush()
    people = {p.username: p for p in db.session.scalars(select(PlatformUser))}
    for username, name, role, code, superior in AGENTS:
        if username not in people:
            people[username] = PlatformUser(
                username=username, name=name, role=role, code=code, agency_id=agency.id, phone="13916880000",
                superior_id=people[superior].id if superior else None, password_hash=hash_password(password))
            db.session.add(people[username])
            db.session.flush()
    rep = people["zhoujie"]
    db.session.execute(Tenant.__table__.update().where(Tenant.slug == SLUG, Tenant.rep_id.is_(None)).values(
        agency_id=agency.id, rep_id=rep.id, rep_code=rep.code))
    if "operator" not in people:
        operator, _uri = accounts.create_operator("operator", "平台运营", password)
        operator.must_change_password = False  # a demo: the first sign-in enrols the authenticator only
    db.session.commit()
    if db.session.scalar(select(Tenant.id).where(Tenant.slug == PENDING_SLUG)) is None:
        provision_tenant(PENDING_SLUG, "星辰贸易（待审批）", {
            "username": "admin", "password_hash": hash_password(password), "name": "星辰管理员",
        }, status="pending", expires_at=None, approved_at=None, agency_id=agency.id, rep_id=rep.id,
            rep_code=rep.code, contact={"name": "星辰 吴总", "phone": "13800000000", "email": "wu@example.com"})
    return (f"platform console (the bare base domain, /console/login): operator / {password} (the first sign-in "
            f"shows a QR code for an authenticator app); agency admin huida, supervisor sunli, rep zhoujie, "
            f"each / {password}")


def _seed_staff(password):
    key, name, rights = DESK_ROLE
    if db.session.scalar(select(Role.id).where(Role.key == key)) is None:
        db.session.add(Role(key=key, name=name, rights=rights))
    existing = {u.username: u for u in db.session.scalars(select(User))}
    password_hash = hash_password(password)
    for username, name, role, superior in STAFF:
        if username not in existing:
            user = User(username=username, name=name, role=role, password_hash=password_hash,
                        superior_id=existing[superior].id)
            db.session.add(user)
            db.session.flush()
            existing[username] = user
    db.session.commit()


def _seed_customers_and_deals():
    have = db.session.scalar(select(func.count()).select_from(Customer))
    if have >= CUSTOMERS:
        return 0
    rng = random.Random(2026)
    owners = db.session.scalars(select(User).where(User.role == "rep")).all()
    customers = []
    for i in range(have, CUSTOMERS):
        owner = owners[i % len(owners)]
        name = f"{rng.choice(PREFIXES)}{rng.choice(SUFFIXES)}{i:03d}"
        province, city, district = rng.choice(REGIONS)
        customer = Customer(
            number=next_customer_number(), name=name, name_key=name_key(name), tags=list(rng.choice(TAGS)),
            province=province, city=city, district=district,
            industry=rng.choice(["manufacturing", "it", "retail", "finance", "services"]),
            type=rng.choice(["potential", "intent", "closed"]),
            source=rng.choice(["online_inquiry", "exhibition", "referral", "outbound"]),
            owner_id=owner.id, created_by_id=owner.id,
        )
        phone = f"13{rng.randrange(10**9):09d}"
        customer.contacts.append(Contact(
            name=rng.choice(SURNAMES) + rng.choice(GIVEN), phone=phone, phone_key=phone_key(phone),
            role="decision_maker", is_primary=True,
        ))
        customers.append(customer)
    db.session.add_all(customers)
    db.session.flush()
    pipeline = default_pipeline()
    stages = pipeline.stages
    for i, customer in enumerate(customers[:DEALS]):
        stage = stages[i % len(stages)]
        deal = Deal(
            name=f"{customer.name[:12]} 项目", customer_id=customer.id, pipeline_id=pipeline.id, stage_id=stage.id,
            owner_id=customer.owner_id, amount=rng.randrange(5, 500) * 1000, probability=stage.probability,
            expected_close=(utcnow() + timedelta(days=rng.randrange(5, 120))).date(), position=i * 1024,
            lost_reason="价格过高" if stage.kind == "lost" else None,
        )
        db.session.add(deal)
        db.session.flush()
        db.session.add(DealStageChange(deal_id=deal.id, to_stage_id=stage.id, moved_by_id=customer.owner_id))
    pool = default_pool()
    for customer in customers[DEALS:][-POOLED:]:
        put_in_pool(customer, pool, reason="客户暂无需求，放回公海", rule="release", actor=customer.owner)
    db.session.commit()
    return len(customers)


def _seed_campaigns():
    """A spring trade fair that brought customers and deals, and a WeChat push inviting the first 40 customers."""
    if db.session.scalar(select(func.count()).select_from(Campaign)):
        return
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    fair = create_campaign({"name": "2026春季工业展", "channel": "exhibition", "starts_on": "2026-03-10",
                            "ends_on": "2026-03-12", "budget": "80000", "cost": "72500", "status": "finished"},
                           actor=admin)
    push = create_campaign({"name": "微信老客户回馈", "channel": "wechat", "starts_on": "2026-11-01",
                            "budget": "5000", "cost": "1200", "status": "active"}, actor=admin)
    brought = db.session.scalars(select(Customer).where(Customer.source == "exhibition", Customer.owner_id.is_not(None))
                                 .order_by(Customer.id).limit(30)).all()
    for customer in brought:
        customer.campaign_id = fair.id
    db.session.execute(Deal.__table__.update().where(Deal.customer_id.in_([c.id for c in brought]))
                       .values(campaign_id=fair.id))
    db.session.commit()
    invited = db.session.scalars(select(Customer.id).where(Customer.owner_id.is_not(None))
                                 .order_by(Customer.id).limit(40)).all()
    add_customers(push, list(invited), actor=admin)


def _seed_service_requests():
    """A few requests in every state: new and unassigned, being handled by the desk, and closed with a score."""
    if db.session.scalar(select(func.count()).select_from(ServiceRequest)):
        return
    desk = db.session.scalar(select(User).where(User.username == "kefu"))
    customers = db.session.scalars(select(Customer).where(Customer.owner_id.is_not(None))
                                   .order_by(Customer.id).limit(6)).all()
    scenes = (("complaint", "urgent", "设备运行时异响，客户要求尽快上门检修", None),
              ("inquiry", "normal", "咨询年度维保合同的续签价格", None),
              ("after_sales", "high", "更换的配件与型号不符", "in_progress"),
              ("suggestion", "low", "建议增加移动端报修入口", "in_progress"),
              ("complaint", "normal", "送货延迟三天", "closed"),
              ("after_sales", "normal", "安装调试指导", "closed"))
    for customer, (kind, priority, text, status) in zip(customers, scenes, strict=False):
        owner = customer.owner
        req = create_request({"customer_id": customer.id, "type": kind, "priority": priority, "channel": "phone",
                              "description": text, "assignee_id": desk.id if status else None}, actor=owner)
        if status:
            transition(req, "in_progress", actor=desk)
        if status == "closed":
            transition(req, "resolved", actor=desk, resolution="已处理并电话回访确认")
            transition(req, "closed", actor=desk, satisfaction=5 if kind == "after_sales" else 3)
