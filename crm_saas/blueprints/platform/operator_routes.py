"""(being built) The operator's pages: agencies, extension decisions, the platform log, settings, reports."""
from flask import render_template

from crm_saas.blueprints.platform.blueprint import bp, console_required, operator_required


def _stub(title):
    return render_template("platform/stub.html", title=title)


@bp.route("/agencies")
@operator_required
def agencies():
    return _stub("agencies")


@bp.route("/extensions")
@console_required
def extensions():
    return _stub("extensions")


@bp.route("/online")
@console_required
def online():
    return _stub("online")


@bp.route("/reports/reps")
@console_required
def rep_report():
    return _stub("rep report")


@bp.route("/log")
@operator_required
def log():
    return _stub("log")


@bp.route("/settings", methods=["GET", "POST"])
@operator_required
def settings():
    return _stub("settings")
