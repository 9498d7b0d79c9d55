"""Customer pages: the searchable list, the add form, the detail page."""
from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm_saas.blueprints.customers import codes
from crm_saas.blueprints.customers.forms import CustomerForm
from crm_saas.blueprints.customers.services import create_customer, get_visible_customer, search_customers
from crm_saas.htmx import redirect_to, render
from crm_saas.permissions import ROLE_LABELS, permission_required
from crm_saas.visibility import who_can_see
from crm_saas.tenants.resolve import TENANT_SCOPE, scoped

bp = scoped(Blueprint("customers", __name__, url_prefix="/customers"), TENANT_SCOPE)


@bp.route("/")
@login_required
def index():
    q = request.args.get("q", "")
    page = max(request.args.get("page", 1, type=int), 1)
    rows, total = search_customers(current_user, q=q, page=page)
    return render(
        "customers/index.html", "customers/_results.html",
        customers=rows, total=total, q=q, page=page, codes=codes,
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    form = CustomerForm()
    if form.validate_on_submit():
        data = dict(form.data)
        data["contacts"] = [
            {"name": form.contact_name.data.strip(), "phone": form.contact_phone.data.strip(), "is_primary": True}
        ]
        customer = create_customer(data, actor=current_user)
        flash(_("Customer %(number)s has been saved.", number=customer.number), "success")
        return redirect_to(url_for("customers.detail", customer_id=customer.id))
    return render("customers/new.html", "customers/_form.html", form=form), 200 if not form.errors else 422


@bp.route("/<int:customer_id>/access")
@permission_required("manage_staff")
def access(customer_id):
    """Who can see this customer, and why: the owner, the chain above them, then the company-wide roles."""
    customer = get_visible_customer(current_user, customer_id)
    if customer is None:
        abort(404)
    return render_template("customers/access.html", customer=customer, viewers=who_can_see(customer.owner),
                           roles=ROLE_LABELS)


@bp.route("/<int:customer_id>")
@login_required
def detail(customer_id):
    customer = get_visible_customer(current_user, customer_id)
    if customer is None:
        abort(404)
    return render("customers/detail.html", "customers/_detail.html", customer=customer, codes=codes)
