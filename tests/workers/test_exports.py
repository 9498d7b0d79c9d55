"""An export runs in a real `crm-saas worker` process against real Redis and yields a readable xlsx."""
import io
import re
import time

import openpyxl

from tests.workers.test_job_failures import run_burst_worker


def test_worker_process_writes_the_visible_customers(app, servers, tenant, client_for, factory, monkeypatch):
    # A queue of its own: the burst worker must not also run what the session's other tests queued
    # (reminders scheduled for their tasks), which took a minute when this test ran late.
    monkeypatch.setitem(app.config, "CRM_EXPORT_QUEUE", f"{app.config['CRM_EXPORT_QUEUE']}-worker-test")
    admin = factory.admin_id(tenant)
    rep = factory.user(tenant, "exporter", role="supervisor", superior_id=admin)  # reps may not export by default
    names = {f"导出客户{i}" for i in range(25)}
    for i, name in enumerate(sorted(names)):
        factory.customer(tenant, rep, name=name, phone=f"1390000{i:04d}")
    factory.customer(tenant, admin, name="Admin's own customer")  # not visible to the rep

    from tests.conftest import STAFF_PASSWORD, login

    client = client_for(tenant)
    assert login(client, "exporter", STAFF_PASSWORD).status_code == 302
    started = client.post("/exports/customers", data={"q": ""})
    assert started.status_code == 200 and "<progress" in started.text
    export_id = int(re.search(r"/exports/(\d+)", started.text).group(1))

    run_burst_worker(app)

    deadline = time.time() + 30
    while True:
        progress = client.get(f"/exports/{export_id}")
        if "export-download" in progress.text or time.time() > deadline:
            break
        time.sleep(0.2)
    assert "25" in progress.text and "hx-trigger" not in progress.text  # finished: polling stops
    download = client.get(re.search(r'href="([^"]+/download)"', progress.text).group(1))
    assert download.status_code == 200

    sheet = openpyxl.load_workbook(io.BytesIO(download.data), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 26  # header + the rep's 25, not the admin's
    assert {row[1] for row in rows[1:]} == names
    assert all(re.fullmatch(r"CRM\d{12}", row[0]) for row in rows[1:])
    assert {row[13] for row in rows[1:]} == {f"1390000{i:04d}" for i in range(25)}  # the owner reads them in full
