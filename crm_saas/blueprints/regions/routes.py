"""The cascading province / city / district picker (C2): htmx re-renders it after each choice."""
import re

from flask import Blueprint, render_template, request
from flask_login import login_required

from crm_saas.core import regions
from crm_saas.tenants.resolve import TENANT_SCOPE, scoped

bp = scoped(Blueprint("regions", __name__, url_prefix="/regions"), TENANT_SCOPE)

# The prefix ends up in element ids: keep it to characters that need no escaping in a selector.
_PREFIX = re.compile(r"^[A-Za-z0-9_-]{0,40}$")

# The partial is included by other features' pages too: its lists must not depend on the view.
bp.add_app_template_global(regions.provinces, "region_provinces")
bp.add_app_template_global(regions.cities, "region_cities")
bp.add_app_template_global(regions.districts, "region_districts")


@bp.route("/picker")
@login_required
def picker():
    """The picker for the values the browser holds, after the change htmx names in ``HX-Trigger-Name``.

    Only what lies below the changed select is re-checked, so an old stored
    value (no longer in the list) survives a change further down.
    """
    args = request.args
    region = regions.follow_change(args.get("province"), args.get("city"), args.get("district"),
                                   changed=request.headers.get("HX-Trigger-Name"))
    prefix = args.get("prefix", "")
    return render_template("regions/_picker.html", region=region,
                           prefix=prefix if _PREFIX.match(prefix) else "",
                           mode="filter" if args.get("mode") == "filter" else "form")
