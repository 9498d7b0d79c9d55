"""A tenant admin runs the staff tree in a real browser.

Build three levels under the admin with the add form (the username comes
from the Chinese name), drag a whole branch under another manager on the
org tree, then deactivate a rep and hand their customers to a colleague.
"""

import pytest

from tests.browser.session import playwright_expect
from tests.conftest import ADMIN_PASSWORD

expect = playwright_expect()

pytestmark = pytest.mark.browser


def submit(page):
    page.locator("main form button[type=submit]").last.click()


def add_person(page, base, name, username, role, superior):
    """Fill the add form as an admin would; the username must be the pinyin suggestion."""
    page.goto(f"{base}/staff/new")
    page.locator("#name").press_sequentially(name, delay=30)
    expect(page.locator("#username")).to_have_value(username)
    page.fill("#password", "Start#2026")
    page.select_option("#superior_id", label=superior)
    page.select_option("#role", value=role)
    submit(page)
    expect(page.locator("#staff-list")).to_contain_text(username)


def node(page, username):
    return page.locator(f"li.staff-node[data-username='{username}']")


def drag(page, handle, target):
    """A pointer drag in small steps (Sortable's fallback mode follows mouse events)."""
    handle.scroll_into_view_if_needed()
    box, goal = handle.bounding_box(), target.bounding_box()
    x, y = box["x"] + 30, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 10, y + 10, steps=5)
    page.mouse.move(goal["x"] + 40, goal["y"] + goal["height"] / 2, steps=25)
    page.mouse.up()


def test_admin_builds_moves_and_hands_over(page, live_server, tenant, factory):
    base = f"http://{tenant.host}:{live_server.rsplit(':', 1)[1]}"
    page.goto(f"{base}/login")
    page.fill("#username", "admin")
    page.fill("#password", ADMIN_PASSWORD)
    submit(page)

    # 1. Three levels under the admin, plus a second manager.
    add_person(page, base, "王经理", "wangjl", "supervisor", "Admin (admin)")
    add_person(page, base, "李组长", "lizz", "supervisor", "王经理 (wangjl)")
    add_person(page, base, "赵销售", "zhaoxs", "rep", "李组长 (lizz)")
    add_person(page, base, "孙经理", "sunjl", "supervisor", "Admin (admin)")
    ids = dict(factory._run(tenant, lambda: _ids()))
    for i in range(2):
        factory.customer(tenant, ids["zhaoxs"], name=f"赵的客户{i}", phone=f"1350000000{i}")

    page.goto(f"{base}/staff/tree")
    expect(node(page, "wangjl").locator("li.staff-node[data-username='lizz'] li.staff-node[data-username='zhaoxs']")
           ).to_have_count(1)
    expect(node(page, "zhaoxs").locator(".staff-tree-count")).to_have_text("2 customers")

    # 2. Drag 李组长's branch onto 孙经理: the whole team moves, and stays moved after a reload.
    with page.expect_response(lambda r: r.url.endswith("/move") and r.request.method == "POST") as answer:
        drag(page, node(page, "lizz").locator("summary").first,
             page.locator(f"ul.staff-tree-list[data-superior-id='{ids['sunjl']}']"))
    assert answer.value.status == 200
    expect(page.locator("#staff-tree-message")).to_contain_text("李组长 now reports to 孙经理.")
    page.reload()
    expect(node(page, "sunjl").locator("li.staff-node[data-username='zhaoxs']")).to_have_count(1)
    expect(node(page, "wangjl").locator("li.staff-node")).to_have_count(0)

    # 3. 赵销售 leaves: the customers go to 李组长, who sees them at once.
    page.goto(f"{base}/staff/{ids['zhaoxs']}/deactivate")
    expect(page.locator("#handover-summary")).to_contain_text("2 customers and 0 deals")
    page.select_option("#handover_to_id", label="李组长 (lizz)")
    submit(page)
    expect(page.locator(".flash-success")).to_contain_text("2 customers")
    page.goto(f"{base}/staff/tree")
    expect(node(page, "zhaoxs")).to_have_count(0)
    expect(node(page, "lizz").locator(".staff-tree-count").first).to_have_text("2 customers")


def _ids():
    from sqlalchemy import select

    from crm_saas.core.users import User
    from crm_saas.extensions import db

    return db.session.execute(select(User.username, User.id)).all()
