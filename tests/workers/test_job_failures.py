"""Jobs never hang (core/jobs.py): real `crm-saas worker` processes killed mid-export, with SIGKILL.

An export is held mid-run by a lock on the customers table (as a long query
would hold it), the worker is killed, and the API, reading the row, must say
failed with a reason within a minute; a retry then finishes.
"""
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

WAIT = 60


@pytest.fixture
def own_queue(app, monkeypatch):
    """A queue of this test's own, so no other test's worker takes its jobs, nor it theirs."""
    name = f"{app.config['CRM_EXPORT_QUEUE']}-{os.urandom(3).hex()}"
    monkeypatch.setitem(app.config, "CRM_EXPORT_QUEUE", name)
    return name


def worker_environment(app):
    return dict(os.environ, DATABASE_URL=app.config["DATABASE_URL"], REDIS_URL=app.config["REDIS_URL"],
                CRM_EXPORT_QUEUE=app.config["CRM_EXPORT_QUEUE"], CRM_EXPORT_DIR=app.config["CRM_EXPORT_DIR"],
                SECRET_KEY="worker-test")


def start_worker(app, log_path):
    """A worker in a process group of its own (it and the processes it forks for jobs)."""
    log = open(log_path, "w")
    return subprocess.Popen([sys.executable, "-m", "crm_saas.cli", "worker"], env=worker_environment(app),
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def run_burst_worker(app):
    done = subprocess.run([sys.executable, "-m", "crm_saas.cli", "worker", "--burst"], env=worker_environment(app),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stderr


@contextmanager
def customers_locked(app, tenant):
    """Hold the company's customers table so an export reading it waits, mid-run, until released."""
    with psycopg.connect(app.config["DATABASE_URL"]) as conn:
        conn.execute(f'LOCK TABLE "{tenant.schema_name}".customers IN ACCESS EXCLUSIVE MODE')
        yield
        conn.rollback()


def wait_for(api, export_id, status):
    deadline = time.monotonic() + WAIT
    while True:
        body = api.get(f"/exports/{export_id}").get_json()
        if body["status"] == status or time.monotonic() > deadline:
            return body
        time.sleep(0.5)


def job_process(worker_pid):
    """The process the worker forked to run the job (RQ's work horse): its newest child (the first runs RQ's
    scheduler of jobs queued for a time)."""
    def started(pid):
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])

    children = Path(f"/proc/{worker_pid}/task/{worker_pid}/children").read_text().split()
    return max((int(pid) for pid in children), key=started)


def _finishes_after_retry(app, api, export_id, *, worker=None):
    retried = api.post(f"/exports/{export_id}/retry")
    assert retried.status_code == 202 and retried.get_json()["status"] == "queued"
    assert retried.get_json()["error"] is None
    log = run_burst_worker(app) if worker is None else ""
    finished = wait_for(api, export_id, "finished")
    assert finished["status"] == "finished", finished
    assert api.get(finished["download_url"]).status_code == 200
    return log


def test_a_worker_killed_with_its_job_reads_failed_within_a_minute_and_a_retry_finishes(
        app, tenant, factory, admin_api, own_queue, tmp_path):
    factory.customer(tenant, factory.admin_id(tenant), name="导出一个")
    worker = start_worker(app, tmp_path / "worker.log")
    try:
        with customers_locked(app, tenant):
            export_id = admin_api.post("/exports", json={"kind": "customers"}).get_json()["id"]
            assert wait_for(admin_api, export_id, "started")["status"] == "started"
            # The worker, its helpers and the job's process (RQ gives that a process group of its own): all of
            # it gone at once, as when its host goes down. Nobody is left to say what happened.
            horse = job_process(worker.pid)
            os.killpg(worker.pid, signal.SIGKILL)
            os.kill(horse, signal.SIGKILL)
            worker.wait()
            killed = time.monotonic()
            failed = wait_for(admin_api, export_id, "failed")
            assert time.monotonic() - killed < WAIT
        assert failed["status"] == "failed", failed
        assert "stopped before it finished" in failed["error"]
        assert failed["download_url"] is None
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    log = _finishes_after_retry(app, admin_api, export_id)
    # The job's log lines name the job and the company.
    assert '"message": "job finished"' in log and f'"tenant_schema": "{tenant.schema_name}"' in log


def test_a_job_process_killed_under_a_live_worker_fails_at_once_and_the_same_worker_retries_it(
        app, tenant, factory, admin_api, own_queue, tmp_path):
    factory.customer(tenant, factory.admin_id(tenant), name="导出两个")
    worker = start_worker(app, tmp_path / "worker.log")
    try:
        with customers_locked(app, tenant):
            export_id = admin_api.post("/exports", json={"kind": "customers"}).get_json()["id"]
            assert wait_for(admin_api, export_id, "started")["status"] == "started"
            os.kill(job_process(worker.pid), signal.SIGKILL)  # as the OOM killer would
            killed = time.monotonic()
            failed = wait_for(admin_api, export_id, "failed")
            assert time.monotonic() - killed < 10  # the worker saw its job's process end and said so
        assert "stopped before it finished" in failed["error"]
        _finishes_after_retry(app, admin_api, export_id, worker=worker)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


def test_only_a_failed_export_is_retried(app, tenant, admin_api, own_queue):
    export_id = admin_api.post("/exports", json={"kind": "customers"}).get_json()["id"]
    refused = admin_api.post(f"/exports/{export_id}/retry")
    assert refused.status_code == 409 and refused.get_json()["message"] == "Only a failed export can be retried."
