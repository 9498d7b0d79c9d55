"""Structured logs: one JSON line per request and per job, so an operator can follow one through the system.

A request line names the request id (the proxy's ``X-Request-ID`` when it
sends a sane one, else a new one, echoed back in the response), the company,
the person, the method, path, status and milliseconds. Jobs log the same way
with their job id and company (crm_saas/workers/context.py). ``CRM_LOG_JSON``
off gives plain lines for a developer's terminal.
"""
import json
import logging
import re
import sys
import time
import uuid

from flask import g, request

log = logging.getLogger("crm_saas.requests")
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class JsonFormatter(logging.Formatter):
    """A log record as one JSON object: time, level, logger, message, and the fields passed as ``extra``."""

    STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}

    def format(self, record):
        entry = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname,
                 "logger": record.name, "message": record.getMessage()}
        entry.update({k: v for k, v in vars(record).items() if k not in self.STANDARD})
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the moment, so a replaced stream (a test's capture) is never kept."""

    def __init__(self):
        logging.Handler.__init__(self)

    @property
    def stream(self):
        return sys.stderr


def configure(json_lines=True, level="INFO"):
    """The ``crm_saas`` loggers' output (stderr); called by the app factory, kept when called again.

    Only our own loggers: the root logger and third parties' are left to
    whoever runs the process (gunicorn, RQ, pytest).
    """
    logger = logging.getLogger("crm_saas")
    logger.setLevel(level)
    if any(isinstance(handler, _StderrHandler) for handler in logger.handlers):
        return
    handler = _StderrHandler()
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter("%(asctime)s %(levelname)s %(name)s "
                                                                               "%(message)s"))
    logger.addHandler(handler)


def _start():
    g.request_started = time.perf_counter()
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if _SANE_ID.match(given) else uuid.uuid4().hex


def _finish(response):
    tenant = g.get("tenant")
    user = g.get("_login_user")
    log.info("request", extra={
        "request_id": g.get("request_id"), "tenant": getattr(tenant, "slug", None),
        "user_id": getattr(user, "id", None), "method": request.method, "path": request.path,
        "status": response.status_code, "ms": round((time.perf_counter() - g.get("request_started", 0)) * 1000, 1),
    })
    if g.get("request_id"):
        response.headers["X-Request-ID"] = g.request_id
    return response


def init_app(app):
    configure(bool(app.config["CRM_LOG_JSON"]), app.config["CRM_LOG_LEVEL"])
    app.before_request(_start)
    app.after_request(_finish)
