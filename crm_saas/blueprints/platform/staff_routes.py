"""(being built) An agency's staff tree: add, edit, move, departure (B1-B3 over platform_users)."""
from flask import render_template

from crm_saas.blueprints.platform.blueprint import agency_required, bp


@bp.route("/staff")
@agency_required
def staff():
    return render_template("platform/stub.html", title="staff")
