"""Structured logs (crm_saas/core/logs.py): one JSON line per request an operator can follow."""
import json
import logging

from crm_saas.core.logs import JsonFormatter


def _lines(caplog):
    return [json.loads(JsonFormatter().format(record)) for record in caplog.records
            if record.name == "crm_saas.requests"]


def test_each_request_is_one_json_line_naming_company_person_status_and_time(admin_client, tenant, caplog):
    caplog.set_level(logging.INFO, logger="crm_saas.requests")
    response = admin_client.get("/customers/", headers={"X-Request-ID": "proxy-req-0001"})

    assert response.headers["X-Request-ID"] == "proxy-req-0001"
    line = _lines(caplog)[-1]
    assert line["request_id"] == "proxy-req-0001"
    assert line["tenant"] == tenant.slug
    assert line["user_id"] is not None
    assert (line["method"], line["path"], line["status"]) == ("GET", "/customers/", 200)
    assert line["ms"] > 0 and line["level"] == "INFO"


def test_a_request_without_a_sane_id_gets_its_own_and_refused_requests_are_logged(client_for, tenant, caplog):
    caplog.set_level(logging.INFO, logger="crm_saas.requests")
    response = client_for(tenant).get("/customers/", headers={"X-Request-ID": "bad id <script>"})

    given = response.headers["X-Request-ID"]
    assert len(given) == 32 and "<" not in given
    line = _lines(caplog)[-1]
    assert line["request_id"] == given and line["status"] == 302 and line["user_id"] is None
