"""`crm-saas check` (crm_saas/checks.py): what a production deployment lacks, named, with exit code 1."""
import os
import subprocess
import sys
import time

from cryptography.fernet import Fernet

from tests.api_client import change_setting
from tests.mail_sink import start_sink
from tests.workers.test_job_failures import worker_environment


def check(app, **environment):
    ran = subprocess.run([sys.executable, "-m", "crm_saas.cli", "check"], env={**worker_environment(app), **environment},
                         capture_output=True, text=True, timeout=120)
    lines = {line.split(":", 1)[0].split()[-1]: line.split()[0] for line in ran.stdout.splitlines()}
    return ran.returncode, lines, ran.stdout


def test_a_bare_deployment_is_told_what_it_lacks(app, monkeypatch):
    monkeypatch.setitem(app.config, "CRM_EXPORT_QUEUE", f"check-bare-{os.getpid()}")
    code, lines, out = check(app, SECRET_KEY="dev")
    assert code == 1, out
    assert lines["SECRET_KEY"] == "FAIL" and lines["CRM_HTTPS"] == "FAIL"
    assert lines["worker"] == "FAIL" and lines["scheduler"] == "FAIL"
    assert lines["CRM_PROXY_HOPS"] == "WARN" and lines["CRM_ENCRYPTION_KEY"] == "WARN"
    assert lines["CRM_MAIL_URL"] == "WARN"
    assert lines["DATABASE_URL"] == "OK" and lines["REDIS_URL"] == "OK" and lines["migrations"] == "OK"
    assert "Run `crm-saas scheduler`" in out


def test_a_complete_deployment_passes_with_its_worker_and_scheduler_running(app, monkeypatch, factory, tenant):
    change_setting(factory, tenant, "smtp", lambda smtp: {**smtp, "host": "smtp.example.com"})
    monkeypatch.setitem(app.config, "CRM_EXPORT_QUEUE", f"check-full-{os.getpid()}")
    sink, stop_sink = start_sink()
    complete = {"SECRET_KEY": "k" * 64, "CRM_HTTPS": "1", "CRM_PROXY_HOPS": "1", "CRM_BASE_DOMAIN": "crm.example.com",
                "CRM_ENCRYPTION_KEY": Fernet.generate_key().decode(), "CRM_MAIL_URL": f"smtp://127.0.0.1:{sink.port}"}
    worker = subprocess.Popen([sys.executable, "-m", "crm_saas.cli", "worker", "--with-scheduler"],
                              env={**worker_environment(app), **complete}, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            code, lines, out = check(app, **complete)
            if code == 0 or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert code == 0, out
        assert set(lines.values()) == {"OK"}, out
        assert "mail:" in out and "companies send reminders through their SMTP server" in out
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        stop_sink()
    code, lines, out = check(app, **complete)
    assert (code, lines["worker"], lines["scheduler"]) == (1, "FAIL", "FAIL")  # it said goodbye on the way out
