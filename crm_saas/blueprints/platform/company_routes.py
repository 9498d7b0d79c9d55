"""(being built)"""
from flask import render_template

from crm_saas.blueprints.platform.blueprint import bp, console_required


@bp.route("/companies")
@console_required
def companies():
    return render_template("platform/companies.html")
