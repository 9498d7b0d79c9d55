"""Files to import, made the way people make them, and the import jobs run in this process."""
import csv
import io

from openpyxl import Workbook

from tests.api_client import API

EN_HEADERS = ["Customer ID", "Customer name*", "Industry*", "Source*", "Province", "City", "Owner", "Contact name*",
              "Contact phone*", "Contact email", "Tags"]
ZH_HEADERS = ["客户ID", "客户名称", "行业", "来源", "省份", "城市", "负责人", "联系人", "联系电话", "邮箱", "标签"]


def xlsx_bytes(sheets):
    """``{sheet name: rows}`` as an xlsx workbook (the first row of each is its header)."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows, encoding="utf-8"):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def upload(api, content, name="customers.xlsx", kind="customers"):
    """POST /imports as an integration would (multipart: file + kind)."""
    return api.client.post(f"{API}/imports", data={"kind": kind, "file": (io.BytesIO(content), name)},
                           headers=api.headers(), content_type="multipart/form-data")


def run_job(app, tenant, import_id, job="commit"):
    """Run the batch's queued job here (the worker process is tested elsewhere); returns what it returned."""
    import crm_saas.workers.context
    from crm_saas.blueprints.imports.models import Import
    from crm_saas.core.queue import export_queue
    from crm_saas.extensions import db
    from crm_saas.tenants.binding import tenant_context
    from crm_saas.workers.context import set_app
    from crm_saas.workers.imports import run_commit, run_revert

    with app.app_context(), tenant_context(tenant.schema_name):
        export_queue().remove(db.session.get(Import, import_id).job_id)  # no worker must run it again
    previous = crm_saas.workers.context._app
    set_app(app)
    try:
        return (run_commit if job == "commit" else run_revert)(tenant.schema_name, import_id)
    finally:
        set_app(previous)


def in_tenant(app, tenant, fn):
    from crm_saas.tenants.binding import tenant_context

    with app.app_context(), tenant_context(tenant.schema_name):
        return fn()


def imported(api, content, *, name="customers.xlsx", kind="customers", **options):
    """Upload, set ``options`` (mapping, duplicate_policy, defaults ...) if any, dry-run: the batch's JSON."""
    body = upload(api, content, name, kind).get_json()
    if options:
        response = api.patch(f"/imports/{body['id']}", json=options)
        assert response.status_code == 200, response.get_json()
    response = api.post(f"/imports/{body['id']}/validate")
    assert response.status_code == 200, response.get_json()
    return response.get_json()
