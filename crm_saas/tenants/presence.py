"""Who is working now, for the platform (A2 在线客户, A3 销售跟进): each company user's last request, and the
company's last activity.

Written at most once per five minutes per person, never on every request:
a memo in the process skips the person it wrote for recently, and a Redis
key (``SET NX EX``) makes the five minutes hold across processes. The write
is one statement (an upsert of the person's row and the company's
``last_activity_at``) at the request's teardown, once the request's own
session has given its connection back: a page's transaction never waits on
it, it never holds a second connection (a pool of one would wait on
itself), and a failure costs a log line.
"""
import logging
import time

from flask import g
from sqlalchemy import text

from crm_saas.core.base import utcnow
from crm_saas.core.queue import redis_connection
from crm_saas.extensions import db

WRITE_EVERY = 300  # seconds: at most one write per person in this time
MEMO_LIMIT = 100_000
log = logging.getLogger("crm_saas.presence")
_memo = {}

UPSERT = text("""
WITH seen AS (
    INSERT INTO public.tenant_presence (tenant_id, user_id, name, seen_at) VALUES (:tenant_id, :user_id, :name, :at)
    ON CONFLICT (tenant_id, user_id) DO UPDATE SET name = EXCLUDED.name, seen_at = EXCLUDED.seen_at
)
UPDATE public.tenants SET last_activity_at = :at WHERE id = :tenant_id
""")


def note_activity(exc=None):
    """``teardown_request`` on company hosts: remember that the signed-in person was here (see the module's note)."""
    tenant = g.get("tenant")
    user = g.get("_login_user")  # only if this request already loaded them: never a query of its own
    if exc is not None or tenant is None or user is None or not getattr(user, "is_authenticated", False):
        return
    key = (tenant.id, user.id)
    now = time.monotonic()
    if now - _memo.get(key, -WRITE_EVERY) < WRITE_EVERY:
        return
    if len(_memo) >= MEMO_LIMIT:
        _memo.clear()
    _memo[key] = now
    values = {"tenant_id": tenant.id, "user_id": user.id, "name": user.name[:100], "at": utcnow()}
    try:
        if redis_connection().set(f"crm:seen:{tenant.schema_name}:{user.id}", 1, nx=True, ex=WRITE_EVERY):
            db.session.remove()  # the request is done with it: its connection goes back first
            with db.engine.begin() as conn:
                conn.execute(UPSERT, values)
    except Exception:  # presence is a courtesy to the platform: a page never fails for it
        log.exception("presence not recorded")


