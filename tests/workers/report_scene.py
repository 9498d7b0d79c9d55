"""A company whose won amounts are known, for the report exports' tests; and reading exported files.

November 2026 (China time), owners 张三 and 李四 under the admin:

- 张三 won 12,345.50 and 1,000.00 (13,345.50 from 2 deals) and lost one of 800.00;
- 李四 won 500.00;
- the admin won nothing; the company's won amount is 13,845.50 from 3 deals.
"""
import io
from datetime import datetime
from zoneinfo import ZoneInfo

SH = ZoneInfo("Asia/Shanghai")
NOVEMBER = {"range": "month", "from": "2026-11-01"}


def at(day, hour=12):
    return datetime(2026, 11, day, hour, tzinfo=SH)


def closed_deal(factory, tenant, customer_id, owner, name, amount, kind, when):
    """A deal made on 1 November that reached a ``kind`` (won/lost) stage at ``when``."""
    from crm_saas.blueprints.pipeline.models import Deal, DealStageChange
    from crm_saas.blueprints.pipeline.services import default_pipeline
    from crm_saas.extensions import db

    deal_id = factory.deal(tenant, customer_id, owner, name=name, amount=amount)

    def run():
        stage = next(s for s in default_pipeline().stages if s.kind == kind)
        deal = db.session.get(Deal, deal_id)
        db.session.add(DealStageChange(deal_id=deal_id, from_stage_id=deal.stage_id, to_stage_id=stage.id,
                                       moved_at=when, lost_reason="价格" if kind == "lost" else None))
        deal.stage_id, deal.stage_changed_at, deal.created_at = stage.id, when, at(1)
        deal.lost_reason = "价格" if kind == "lost" else None
        db.session.commit()

    factory._run(tenant, run)
    return deal_id


def won_scene(factory, tenant):
    """The scene above; returns ``{"admin", "zhang", "li"}`` user ids."""
    admin = factory.admin_id(tenant)
    zhang = factory.user(tenant, "zhang", name="张三", superior_id=admin)
    li = factory.user(tenant, "li", name="李四", superior_id=admin)
    first = factory.customer(tenant, zhang, name="星河客户", phone="13900000001")
    second = factory.customer(tenant, li, name="远航客户", phone="13900000002")
    closed_deal(factory, tenant, first, zhang, "大单", "12345.50", "won", at(10))
    closed_deal(factory, tenant, first, zhang, "小单", "1000.00", "won", at(12))
    closed_deal(factory, tenant, first, zhang, "丢单", "800.00", "lost", at(13))
    closed_deal(factory, tenant, second, li, "李单", "500.00", "won", at(20))
    return {"admin": admin, "zhang": zhang, "li": li}


def pdf_text(data):
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pdf_fonts(data):
    """The names of the fonts the PDF embeds (WeasyPrint prefixes a subset tag: ABCDEF+Name)."""
    from pypdf import PdfReader

    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return names


def in_tenant(app, tenant, username, work, locale="zh_CN"):
    """``work(user)`` inside the company, as ``username``, in ``locale`` (as the worker runs a job)."""
    from flask_babel import force_locale
    from sqlalchemy import select

    from crm_saas.core.users import User
    from crm_saas.extensions import db
    from crm_saas.tenants.binding import tenant_context

    with app.app_context(), tenant_context(tenant.schema_name), force_locale(locale):
        return work(db.session.scalar(select(User).where(User.username == username)))


def run_and_download(app, tenant, client, export_id):
    """Run the export's job here, then download its file as ``client``; returns the response."""
    from tests.api_client import run_export_here

    run_export_here(app, tenant, export_id)
    progress = client.get(f"/exports/{export_id}")
    assert "export-download" in progress.text, progress.text
    return client.get(f"/exports/{export_id}/download")
