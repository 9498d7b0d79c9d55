"""(being built) An agency rep's work on their companies: applications, contacts, classes, bin, extensions."""
from flask import render_template

from crm_saas.blueprints.platform.blueprint import agency_required, bp


@bp.route("/companies/new", methods=["GET", "POST"])
@agency_required
def new_company():
    return render_template("platform/stub.html", title="new company")
