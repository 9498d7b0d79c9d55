"""An import in a real browser, as a company's admin: upload a file, map a column the match left out, a dry run
that finds errors, fix them with a value for empty cells, commit and watch the progress bar, download the
rejected rows, and revert the import."""
import io
import re

import pytest
from openpyxl import Workbook, load_workbook

from tests.blueprints.imports.helpers import run_job
from tests.browser.session import company_url, playwright_expect, sign_in

expect = playwright_expect()

pytestmark = pytest.mark.browser

ROWS = [
    ["公司", "联系人", "手机", "行业"],
    ["温州瓯江贸易有限公司", "王芳", "13800138000", "零售"],
    ["温州鹿城科技有限公司", "李强", "13800138001", "IT"],
    ["温州号码不对有限公司", "赵六", "12345", "零售"],
]


def _workbook():
    book = Workbook()
    for row in ROWS:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _import_id(page):
    return int(re.search(r"/imports/(\d+)$", page.url).group(1))


def test_upload_map_dry_run_fix_commit_download_and_revert(page, live_server, app, tenant):
    base = company_url(tenant, live_server)
    sign_in(page, base)
    page.goto(f"{base}/customers/")
    page.locator("#sidebar").get_by_role("link", name="Import").click()
    expect(page).to_have_url(f"{base}/imports/")

    # 1. Upload: the kind, the file; the templates are offered beside.
    expect(page.locator("a.import-template")).to_have_count(4)
    page.select_option("#import-kind", "customers")
    page.set_input_files("#import-file", {"name": "温州客户.xlsx", "buffer": _workbook(),
                                          "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
    page.get_by_role("button", name="Upload and map the columns").click()
    expect(page).to_have_url(re.compile(r"/imports/\d+$"))
    import_id = _import_id(page)

    # 2. Map: 联系人, 手机 and 行业 were matched by their headers; 公司 is mapped by hand.
    columns = page.locator("table.import-columns")
    expect(columns.locator("tr[data-column='手机'] select")).to_have_value("contact_phone")
    expect(columns.locator("tr[data-column='公司'] select")).to_have_value("")
    expect(columns.locator("tr[data-column='公司']")).to_contain_text("温州瓯江贸易有限公司")
    columns.locator("tr[data-column='公司'] select").select_option("name")

    # 3. The dry run: no source anywhere, so every row is refused, and nothing is saved.
    page.get_by_role("button", name="Check the rows (dry run)").click()
    dry_run = page.locator("#import-dry-run")
    expect(dry_run.locator("[data-total=errors]")).to_have_text("3")
    expect(dry_run.locator(".import-errors")).to_contain_text("Row 2 Source")
    expect(page.locator("button.import-commit")).to_be_disabled()

    # 4. Fix: a source for empty cells; the dry run again leaves the one bad phone number.
    page.select_option("#default-source", "exhibition")
    page.get_by_role("button", name="Check the rows (dry run)").click()
    expect(dry_run.locator("[data-total=valid]")).to_have_text("2")
    expect(dry_run.locator("[data-total=errors]")).to_have_text("1")
    expect(dry_run.locator(".import-errors li")).to_have_count(1)
    expect(dry_run.locator(".import-errors li")).to_contain_text("Row 4 Contact phone")

    # 5. Commit: the progress bar polls until the job (run here, as a worker would) has finished.
    page.get_by_role("button", name="Import 2 valid rows").click()
    expect(page.locator("#import-progress")).to_be_visible()
    expect(page.locator("#import-batch")).to_have_attribute("data-status", "running")
    run_job(app, tenant, import_id)
    outcome = page.locator("#import-outcome")
    expect(outcome.locator("[data-total=created]")).to_have_text("2", timeout=15_000)
    expect(page.locator("#import-progress")).to_have_count(0)

    # 6. The rejected rows, led by why.
    with page.expect_download() as download:
        outcome.locator("a.import-error-file").click()
    rows = list(load_workbook(io.BytesIO(download.value.path().read_bytes())).active.values)
    assert rows[0][0] == "Error reason" and rows[0][1:] == tuple(ROWS[0])
    assert rows[1][1:] == tuple(ROWS[3]) and "Contact phone" in rows[1][0]

    page.goto(f"{base}/customers/")
    expect(page.locator("#customer-results")).to_contain_text("温州瓯江贸易有限公司")

    # 7. Revert: asked to confirm, then the customers it created go to the recycle bin.
    page.goto(f"{base}/imports/{import_id}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("button.import-revert").click()
    expect(page.locator("#import-batch")).to_have_attribute("data-status", "running")
    run_job(app, tenant, import_id, job="revert")
    report = page.locator("#import-revert-report")
    expect(report.locator("[data-total=deleted]")).to_have_text("2", timeout=15_000)
    page.goto(f"{base}/customers/")
    expect(page.locator("#customer-results")).not_to_contain_text("温州瓯江贸易有限公司")
    page.goto(f"{base}/imports/")
    expect(page.locator("#import-history tr[data-import-id]")).to_contain_text("Reverted")
