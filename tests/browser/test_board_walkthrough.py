"""A rep's morning on the kanban board, in a real browser against a live server.

Drag a deal across two columns and then into lost (the dialog asks why;
cancelling puts the card back), watching every column head follow the
server's totals, and a reload show the same; then add a follow-up from a
quiet card's "+ Follow-up" button: the dialog closes, the card stops
rotting and the bell counts the new task, all without a page load.
"""
import re
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pytest

from tests.browser.mouse import drag
from tests.browser.session import playwright_expect
from tests.conftest import ADMIN_PASSWORD

expect = playwright_expect()

pytestmark = pytest.mark.browser

LOCAL_INPUT = "%Y-%m-%dT%H:%M"  # what a datetime-local input takes
HEAD = re.compile(r'id="stage-head-(\d+)".*?data-count="(\d+)".*?data-amount="([\d.]+)".*?data-weighted="([\d.]+)"',
                  re.S)


# --- the board as the page shows it ---------------------------------------------------------------------------

def cards_of(page, stage_id):
    return page.locator(f"ol.board-cards[data-stage-id='{stage_id}']")


def head_attributes(page, stage_id):
    """``(count, amount, weighted)`` as the head's data attributes hold them (strings, as the server wrote them)."""
    head = page.locator(f"#stage-head-{stage_id}")
    return (head.locator(".stage-count").get_attribute("data-count"),
            head.locator(".stage-amount").get_attribute("data-amount"),
            head.locator(".stage-weighted").get_attribute("data-weighted"))


def as_numbers(count, amount, weighted):
    return int(count), Decimal(amount), Decimal(weighted)


def page_heads(page, stage_ids):
    return {sid: as_numbers(*head_attributes(page, sid)) for sid in stage_ids}


def server_heads(html):
    """The out-of-band heads of a move's answer: ``{stage_id: (count, amount, weighted)}`` as strings."""
    return {int(sid): (count, amount, weighted) for sid, count, amount, weighted in HEAD.findall(html)}


def expect_head(page, stage_id, attributes):
    """Wait until the head shows exactly ``attributes`` (count, amount, weighted, as the server wrote them)."""
    head = page.locator(f"#stage-head-{stage_id}")
    count, amount, weighted = attributes
    expect(head.locator(".stage-count")).to_have_attribute("data-count", count)
    expect(head.locator(".stage-amount")).to_have_attribute("data-amount", amount)
    expect(head.locator(".stage-weighted")).to_have_attribute("data-weighted", weighted)


def card_order(page, stage_id):
    return [int(i) for i in cards_of(page, stage_id).locator("li.deal-card").evaluate_all(
        "cards => cards.map(card => card.dataset.dealId)")]


def move_response(page, deal_id):
    return page.expect_response(lambda r: r.url.split("?")[0].endswith(f"/deals/{deal_id}/move")
                                and r.request.method == "POST")


def settled(locator):
    """Wait until htmx has finished with swapped-in content (it drops ``htmx-added`` once the element is live)."""
    expect(locator).to_be_attached()
    expect(locator).not_to_have_class(re.compile(r"\bhtmx-added\b"))


def mark_page(page):
    page.evaluate("window.__same_page = true")


def expect_same_page(page):
    assert page.evaluate("window.__same_page === true"), "the page was reloaded"


# --- the board as the deals imply ----------------------------------------------------------------------------

class Board:
    """Where each deal is and what it is worth; the heads the server should show follow from it."""

    def __init__(self, stages):
        self.stages = stages  # [(id, kind, probability)] in column order
        self.probability = {sid: p for sid, _kind, p in stages}
        self.where, self.amount = {}, {}

    def add(self, deal_id, stage_id, amount):
        self.where[deal_id], self.amount[deal_id] = stage_id, Decimal(amount)

    def move(self, deal_id, stage_id):
        self.where[deal_id] = stage_id  # a move takes the new stage's probability

    def head(self, stage_id):
        amounts = [self.amount[d] for d, sid in self.where.items() if sid == stage_id]
        weighted = sum((a * self.probability[stage_id] / 100 for a in amounts), Decimal(0))
        return len(amounts), sum(amounts, Decimal(0)), weighted.quantize(Decimal("0.01"), ROUND_HALF_UP)

    def heads(self, stage_ids=None):
        return {sid: self.head(sid) for sid in (stage_ids or [s for s, _k, _p in self.stages])}


def _stages():
    from crm_saas.blueprints.pipeline.services import default_pipeline

    return [(s.id, s.kind, s.probability) for s in default_pipeline().stages]


def test_drag_across_into_lost_then_follow_up_from_a_card(page, live_server, tenant, factory, app):
    from crm_saas.core.base import utcnow

    host = f"http://{tenant.host}:{live_server.rsplit(':', 1)[1]}"
    admin = factory.admin_id(tenant)
    stages = factory._run(tenant, _stages)
    first, second, third = (sid for sid, _kind, _p in stages[:3])
    lost = next(sid for sid, kind, _p in stages if kind == "lost")
    assert {p for _s, _k, p in stages[:3]} == {10, 25, 50}  # the default pipeline (D2): weights tell columns apart

    lamps = factory.customer(tenant, admin, name="Hangzhou Lamps")
    fans = factory.customer(tenant, admin, name="Ningbo Fans", phone="13900000000")
    chairs = factory.deal(tenant, lamps, admin, name="Office chairs", amount="12000.40")
    desks = factory.deal(tenant, lamps, admin, name="Standing desks", amount="3500")
    tables = factory.deal(tenant, fans, admin, name="Meeting tables", amount="800")
    boards = factory.deal(tenant, fans, admin, name="Whiteboards", amount="2000", stage_index=1)
    long_ago = utcnow() - timedelta(days=30)  # no follow-up for 30 days (the company's default is 14): rotting
    factory.set_deal(tenant, tables, created_at=long_ago, last_activity_at=None, stage_changed_at=long_ago)
    model = Board(stages)
    for deal, stage, amount in ((chairs, first, "12000.40"), (desks, first, "3500"), (tables, first, "800"),
                                (boards, second, "2000")):
        model.add(deal, stage, amount)

    page.goto(f"{host}/login")
    page.fill("#username", "admin")
    page.fill("#password", ADMIN_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{host}/dashboard")
    page.goto(f"{host}/board")
    page.wait_for_load_state()  # board.js and Sortable are live once the page has loaded
    all_stages = [sid for sid, _k, _p in stages]
    assert page_heads(page, all_stages) == model.heads()
    assert model.head(first) == (3, Decimal("16300.40"), Decimal("1630.04"))  # the numbers the heads start from

    moves = []
    page.on("request", lambda r: moves.append(r.url) if "/move" in r.url else None)

    def move_and_check(deal_id, source, target, lost_reason=None):
        """Drop ``deal_id`` on ``target`` (answering the lost dialog with ``lost_reason``) and check the heads."""
        version = int(page.locator(f"#deal-{deal_id}").get_attribute("data-version"))
        with move_response(page, deal_id) as answer:
            drag(page, page.locator(f"#deal-{deal_id}"), cards_of(page, target))
            if lost_reason is not None:
                dialog = page.locator("#lost-dialog")
                expect(dialog).to_be_visible()
                page.fill("#lost-reason", lost_reason)
                dialog.get_by_role("button", name="Mark as lost").click()
        response = answer.value
        assert response.status == 200, response.text()
        sent = {k: v[0] for k, v in parse_qs(response.request.post_data, keep_blank_values=True).items()}
        assert sent["stage_id"] == str(target) and sent["version"] == str(version), (sent, target, version)
        assert sent.get("lost_reason") == lost_reason

        model.move(deal_id, target)
        said = server_heads(response.text())
        assert set(said) == {source, target}
        assert {sid: as_numbers(*values) for sid, values in said.items()} == model.heads([source, target])
        for sid, values in said.items():
            expect_head(page, sid, values)
        card = cards_of(page, target).locator(f"#deal-{deal_id}")
        expect(card).to_have_attribute("data-version", str(version + 1))  # the server's card replaced the dragged one
        settled(card)
        expect(cards_of(page, source).locator(f"#deal-{deal_id}")).to_have_count(0)
        expect(page.locator("#board-message")).to_be_hidden()
        assert page_heads(page, all_stages) == model.heads()  # nothing else moved
        order = card_order(page, target)
        above = order[order.index(deal_id) - 1] if order.index(deal_id) else ""
        assert sent["after_id"] == str(above)  # the card posted the neighbour it shows above it

        page.reload()
        page.wait_for_load_state()
        assert page_heads(page, all_stages) == model.heads()
        assert card_order(page, target) == order  # the server kept the card where it was dropped
        expect(cards_of(page, source).locator(f"#deal-{deal_id}")).to_have_count(0)

    # 1. Initial contact -> Needs analysis -> Proposal: the weighted amount follows each stage's probability.
    move_and_check(chairs, first, second)
    assert model.head(first) == (2, Decimal("4300"), Decimal("430.00"))
    assert model.head(second) == (2, Decimal("14000.40"), Decimal("3500.10"))
    move_and_check(chairs, second, third)
    assert model.head(third) == (1, Decimal("12000.40"), Decimal("6000.20"))

    # 2. Into lost: the dialog asks why; cancelling sends nothing and puts the card back.
    dialog = page.locator("#lost-dialog")
    count = len(moves)
    drag(page, page.locator(f"#deal-{chairs}"), cards_of(page, lost))
    expect(dialog).to_be_visible()
    page.fill("#lost-reason", "typed, then thought better of it")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(cards_of(page, third).locator(f"#deal-{chairs}")).to_have_count(1)
    expect(cards_of(page, lost).locator("li.deal-card")).to_have_count(0)
    assert len(moves) == count
    assert page_heads(page, all_stages) == model.heads()

    # ... and giving a reason moves it for good: the amount counts in lost, at a weight of nothing.
    move_and_check(chairs, third, lost, lost_reason="Chose a cheaper supplier")
    assert model.head(lost) == (1, Decimal("12000.40"), Decimal("0.00"))
    assert model.head(third) == (0, Decimal("0"), Decimal("0.00"))

    # 3. A follow-up from a quiet card: the dialog, the card no longer rotting, the bell counting the task.
    card = page.locator(f"#deal-{tables}")
    expect(card).to_have_class(re.compile(r"\brotting\b"))
    expect(card.locator(".rotting-note")).to_be_visible()
    bell = page.locator("#task-bell")
    expect(bell).to_have_attribute("data-due", "0")
    mark_page(page)

    card.get_by_role("button", name="+ Follow-up").click()
    follow_up = page.locator("#follow-up-dialog")
    expect(follow_up).to_be_visible()
    form = follow_up.locator(f"form#activity-form-deal-{tables}")
    settled(form)
    expect(form).to_contain_text("Ningbo Fans · Meeting tables")
    # In company time (what the form reads and writes): it happened an hour ago, and the next
    # follow-up was due five minutes ago, so the task it makes is due (and overdue) at once.
    now = utcnow().astimezone(ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"]))
    form.get_by_label("Type").select_option("visit")
    form.get_by_label("When").fill((now - timedelta(hours=1)).strftime(LOCAL_INPUT))
    form.get_by_label("Summary").fill("Walked the showroom; they want oak tops")
    form.get_by_label("Next step").fill("Send the oak price list")
    form.get_by_label("Next follow-up").fill((now - timedelta(minutes=5)).strftime(LOCAL_INPUT))
    with page.expect_response(lambda r: r.url.endswith("/activities") and r.request.method == "POST") as saved:
        form.get_by_role("button", name="Save follow-up").click()
    assert saved.value.status == 200, saved.value.text()
    triggers = saved.value.headers.get("hx-trigger", "")
    assert "activity-added" in triggers and "task-changed" in triggers

    expect(follow_up).to_be_hidden()
    refreshed = page.locator(f"#deal-{tables}")
    expect(refreshed).not_to_have_class(re.compile(r"\brotting\b"))
    expect(refreshed.locator(".rotting-note")).to_have_count(0)
    expect(bell).to_have_attribute("data-due", "1")
    expect(bell).to_have_attribute("data-overdue", "1")
    expect(bell.locator("mark")).to_have_text("1")
    expect(bell).to_have_attribute("title", re.compile(r"^1 task due today or overdue, 1 overdue$"))
    expect_same_page(page)
    assert page_heads(page, all_stages) == model.heads()  # a follow-up moves no money

    page.reload()
    expect(page.locator(f"#deal-{tables}")).not_to_have_class(re.compile(r"\brotting\b"))
    expect(page.locator("#task-bell")).to_have_attribute("data-due", "1")
