"""The org tree (B2): nested people with their customer counts, moves that carry the subtree."""
from html.parser import HTMLParser

from tests.conftest import STAFF_PASSWORD, login


class _Tree(HTMLParser):
    """``{username: superior's username or None}`` and each node's text, read from the tree's nested <li>s."""

    def __init__(self):
        super().__init__()
        self.stack, self.parents, self.text = [], {}, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "li":
            name = attrs.get("data-username")
            if name:
                above = [n for n in self.stack if n]
                self.parents[name] = above[-1] if above else None
                self.text[name] = ""
            self.stack.append(name)

    def handle_endtag(self, tag):
        if tag == "li":
            self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1]:
            self.text[self.stack[-1]] += data


def read_tree(html):
    parser = _Tree()
    parser.feed(html)
    return parser


def company(tenant, factory):
    """admin > (north > rep_n, south > rep_s); each rep owns customers."""
    admin = factory.admin_id(tenant)
    ids = {"admin": admin}
    ids["north"] = factory.user(tenant, "north", role="supervisor", superior_id=admin)
    ids["south"] = factory.user(tenant, "south", role="supervisor", superior_id=admin)
    ids["rep_n"] = factory.user(tenant, "rep_n", superior_id=ids["north"])
    ids["rep_s"] = factory.user(tenant, "rep_s", superior_id=ids["south"])
    factory.customer(tenant, ids["rep_s"], name="南方一号", phone="13800000001")
    factory.customer(tenant, ids["rep_s"], name="南方二号", phone="13800000002")
    factory.customer(tenant, ids["rep_n"], name="北方一号", phone="13800000003")
    return ids


def test_tree_shows_nested_people_with_customer_counts(tenant, admin_client, factory):
    ids = company(tenant, factory)
    gone = factory.customer(tenant, ids["rep_s"], name="已删除", phone="13800000009")

    def delete():
        from crm_saas.blueprints.customers.models import Customer
        from crm_saas.core.base import utcnow
        from crm_saas.extensions import db

        db.session.get(Customer, gone).deleted_at = utcnow()
        db.session.commit()

    factory._run(tenant, delete)
    page = admin_client.get("/staff/tree")
    assert page.status_code == 200
    tree = read_tree(page.text)
    assert tree.parents == {"admin": None, "north": "admin", "south": "admin", "rep_n": "north", "rep_s": "south"}
    assert "2 customers" in tree.text["rep_s"] and "1 customer" in tree.text["rep_n"]
    assert "0 customers" in tree.text["south"] and "Sales rep" in tree.text["rep_s"]
    assert "<details open>" in page.text and 'id="staff-tree"' in page.text


def test_a_supervisor_sees_their_own_subtree_without_move_controls(tenant, client_for, factory):
    company(tenant, factory)
    client = client_for(tenant)
    login(client, "south", STAFF_PASSWORD)
    page = client.get("/staff/tree").text
    assert read_tree(page).parents == {"south": None, "rep_s": "south"}
    assert "staff-move" not in page and "tree.js" not in page


def test_departed_people_are_not_in_the_tree(tenant, admin_client, factory):
    ids = company(tenant, factory)
    admin_client.post(f"/staff/{ids['rep_n']}/deactivate", data={"handover_to_id": ids["north"]})
    assert "rep_n" not in read_tree(admin_client.get("/staff/tree").text).parents


def test_move_changes_the_tree_and_who_sees_what(tenant, admin_client, client_for, factory):
    ids = company(tenant, factory)
    north = client_for(tenant)
    login(north, "north", STAFF_PASSWORD)
    assert "南方一号" not in north.get("/customers/").text

    moved = admin_client.post(f"/staff/{ids['south']}/move", data={"superior_id": ids["north"]},
                              headers={"HX-Request": "true"})
    assert moved.status_code == 200
    assert "South now reports to North." in moved.text
    assert moved.text.lstrip().startswith('<section id="staff-tree"')
    tree = read_tree(moved.text)
    assert tree.parents["south"] == "north" and tree.parents["rep_s"] == "south"  # the subtree came along

    seen = north.get("/customers/").text
    assert "南方一号" in seen and "南方二号" in seen
    assert read_tree(north.get("/staff/tree").text).parents["rep_s"] == "south"


def test_move_to_the_top_level_and_without_javascript(tenant, admin_client, factory):
    ids = company(tenant, factory)
    moved = admin_client.post(f"/staff/{ids['north']}/move", data={"superior_id": ""})
    assert moved.status_code == 302 and moved.location.endswith("/staff/tree")
    page = admin_client.get("/staff/tree").text
    assert "North is now at the top level." in page
    assert read_tree(page).parents["north"] is None


def test_a_cycle_is_refused_with_the_reason_and_nothing_changes(tenant, admin_client, factory):
    ids = company(tenant, factory)
    before = read_tree(admin_client.get("/staff/tree").text).parents
    refused = admin_client.post(f"/staff/{ids['north']}/move", data={"superior_id": ids["rep_n"]},
                                headers={"HX-Request": "true"})
    assert refused.status_code == 422
    assert "North cannot report to Rep_N: Rep_N is North or below them in the tree." in refused.text
    assert read_tree(refused.text).parents == before
    assert read_tree(admin_client.get("/staff/tree").text).parents == before

    onto_self = admin_client.post(f"/staff/{ids['north']}/move", data={"superior_id": ids["north"]},
                                  headers={"HX-Request": "true"})
    assert onto_self.status_code == 422 and read_tree(onto_self.text).parents == before


def test_the_move_form_moves_a_team_and_refuses_a_cycle(tenant, admin_client, factory):
    """The keyboard / no-JS way: one form naming the person and the new superior."""
    ids = company(tenant, factory)
    page = admin_client.get("/staff/tree").text
    assert page.count('id="staff-move-form"') == 1
    moved = admin_client.post("/staff/move", data={"user_id": ids["south"], "superior_id": ids["north"]})
    assert moved.status_code == 302
    tree = read_tree(admin_client.get("/staff/tree").text)
    assert tree.parents["south"] == "north" and tree.parents["rep_s"] == "south"
    refused = admin_client.post("/staff/move", data={"user_id": ids["north"], "superior_id": ids["rep_s"]})
    assert refused.status_code == 422 and "cannot report to" in refused.text
