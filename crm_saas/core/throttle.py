"""How often anyone may try a password (B6), kept in Redis by Flask-Limiter: 429 with Retry-After past that.

Two limits guard every place a password is tried (sign-in on the page and
for a token, changing one's password) and one guards sign-up:

- per address: so many tries a minute and an hour from one address, guessed
  right or wrong (``CRM_SIGN_IN_RATE``, ``CRM_SIGN_UP_RATE``);
- per account and address: so many *wrong* passwords for one account from one
  address (``CRM_SIGN_IN_FAILURES``); only failures count (``g.sign_in_failed``).

No limit is per account alone: five anonymous guesses locked an admin out
for 15 minutes when the account itself was locked. An attacker now blocks
only their own address, and the real user signs in from theirs. Unknown
and known usernames meet the same limits, answers and timing, so a limit
never tells which accounts exist. Counters live per company host, so one
company's traffic never throttles another's.
"""
import time

from flask import current_app, g, request

from crm_saas.core.requests import is_api_request
from crm_saas.core.users import LoginEvent
from crm_saas.extensions import db, limiter


def storage_uri(redis_url):
    """The ``limits`` library's name for the app's Redis (a Unix socket is ``redis+unix://``)."""
    if redis_url.startswith("unix://"):
        return "redis+unix://" + redis_url[len("unix://"):]
    return redis_url


def init_app(app):
    app.config.setdefault("RATELIMIT_STORAGE_URI", storage_uri(app.config["REDIS_URL"]))
    # Redis down must not lock everyone out: the limits count in this process's memory until it is back.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 2, "socket_timeout": 5})
    limiter.init_app(app)


def by_address():
    return f"{request.host}|{request.remote_addr}"


def attempted_username():
    """The username a sign-in names (form or JSON), or None (a password change names none)."""
    body = request.get_json(silent=True) if request.is_json else request.form
    username = body.get("username") if hasattr(body, "get") else None
    return username.strip() if isinstance(username, str) else None


def by_account_and_address():
    """The account named in the attempt, folded, with the address it came from."""
    username = attempted_username()
    if username is None:  # a password change: the signed-in person's own account
        username = f"#{getattr(g.get('_login_user'), 'id', '')}"
    return f"{request.host}|{username.casefold()}|{request.remote_addr}"


def failed(_response=None):
    """Whether this request tried a wrong password (set by the services that check one)."""
    return bool(g.get("sign_in_failed"))


def mark_failed():
    g.sign_in_failed = True


def sign_in_rate():
    return current_app.config["CRM_SIGN_IN_RATE"]


def sign_in_failures():
    return current_app.config["CRM_SIGN_IN_FAILURES"]


def sign_up_rate():
    return current_app.config["CRM_SIGN_UP_RATE"]


def guarding_passwords(view):
    """Both limits of a place where a password is tried (POST only: showing the form costs nothing)."""
    view = limiter.shared_limit(sign_in_failures, "password-failures", key_func=by_account_and_address,
                                methods=["POST"], deduct_when=failed, on_breach=_log_refusal)(view)
    return limiter.shared_limit(sign_in_rate, "password-tries", key_func=by_address, methods=["POST"],
                                on_breach=_log_refusal)(view)


def guarding_sign_up(view):
    return limiter.limit(sign_up_rate, key_func=by_address, methods=["POST"])(view)


def _log_refusal(_limit):
    """A refused sign-in is in the login log too (J1), so an admin sees the spray that hit the limit."""
    username = attempted_username()
    if username is None or g.get("tenant") is None:
        return None
    db.session.add(LoginEvent(
        username=username[:64], success=False, reason="throttled", ip=request.remote_addr,
        channel="api" if is_api_request() else "web", user_agent=request.user_agent.string[:300],
    ))
    db.session.commit()
    return None


def failures_left():
    """``(left, allowed, minutes)``: wrong passwords the account named may still get from this address
    (of ``allowed``) before sign-in there waits ``minutes``, counting this request's; None where the limit
    did not apply (or Redis could not say). Read from the limit itself, so the warning never disagrees
    with the refusal.
    """
    try:
        for limit in limiter.current_limits:
            if "password-failures" in limit.request_args:
                left = limit.remaining - (1 if failed() else 0)  # this failure is counted after the response
                return max(0, left), limit.limit.amount, -(-limit.limit.get_expiry() // 60)
    except Exception:  # the limits' storage is down: no warning, the fallback still counts
        current_app.logger.warning("could not read the sign-in failures left", exc_info=True)
    return None


def retry_after():
    """Seconds until the limit this request broke lets it through again (0 when none was broken)."""
    limit = limiter.current_limit
    return max(0, int(limit.reset_at - time.time())) if limit is not None and limit.breached else 0
