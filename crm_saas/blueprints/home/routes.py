"""Pages every host has: the front door, health and the language switch."""
from flask import Blueprint, current_app, jsonify, redirect, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from crm_saas.core.permissions import can
from crm_saas.core.queue import redis_connection
from crm_saas.core.views import safe_next
from crm_saas.extensions import db
from crm_saas.tenants.resolve import current_tenant

bp = Blueprint("home", __name__)


# Where a person's day starts: the first module they hold, in this order (B4: a 客服 role without reports or
# deals lands on the service queue rather than on a 403); with none of them, their own profile.
START_PAGES = (("reports", "reports.dashboard"), ("deals", "pipeline.board"), ("customers", "customers.index"),
               ("service", "service.queue"), ("campaigns", "campaigns.index"))


@bp.route("/")
def home():
    """The platform host's front door is sign-up; a tenant's is the dashboard (H1), or the first module one holds."""
    if current_tenant() is None:
        return redirect(url_for("signup.signup"))
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for(next((page for module, page in START_PAGES if can(current_user, module)),
                                 "auth.profile")))


@bp.route("/favicon.ico")
def favicon():
    """For clients that ask the conventional path rather than read the page's ``<link rel="icon">``."""
    return redirect(url_for("static", filename="favicon.svg"), 301)


@bp.route("/healthz")
def healthz():
    """200 with the state of each backing service, 503 when one is down."""
    state = {}
    try:
        db.session.execute(text("SELECT 1"))
        state["database"] = "ok"
    except Exception as exc:  # report, don't raise: this page exists to say what is wrong
        state["database"] = f"error: {type(exc).__name__}"
    finally:
        db.session.remove()
    try:
        redis_connection().ping()
        state["redis"] = "ok"
    except Exception as exc:
        state["redis"] = f"error: {type(exc).__name__}"
    healthy = all(v == "ok" for v in state.values())
    return jsonify(status="ok" if healthy else "degraded", **state), 200 if healthy else 503


@bp.route("/language", methods=["POST"])
def language():
    lang = request.form.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return redirect(safe_next(request.form.get("next")))
