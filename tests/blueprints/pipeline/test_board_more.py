"""The board a rep lives on: filters in the URL, weighted totals, neighbours by id, stale moves, more on scroll,
rotting and overdue cards; the deal pages around it: add, detail with history, inline edit, list with bulk changes."""
import re
from datetime import date, timedelta

from crm_saas.blueprints.pipeline.services.board import CARDS_PER_COLUMN
from tests.conftest import ADMIN_PASSWORD, STAFF_PASSWORD, login


def heads(html):
    found = re.findall(r'id="stage-head-(\d+)".*?data-count="(\d+)".*?data-amount="([\d.]+)".*?data-weighted="([\d.]+)"',
                       html, re.S)
    return {int(s): (int(c), float(a), float(w)) for s, c, a, w in found}


def cards(html, stage_id):
    column = re.search(rf'data-stage-id="{stage_id}".*?</ol>', html, re.S).group(0)
    return [int(i) for i in re.findall(r'id="deal-(\d+)"', column)]


def test_moves_land_after_the_card_above_and_answer_weighted_heads(tenant, admin_client, factory):
    admin = factory.admin_id(tenant)
    customer = factory.customer(tenant, admin)
    (first, _), (second, _) = factory.stages(tenant)[:2]
    a, b, c = (factory.deal(tenant, customer, admin, name=n, amount="1000") for n in "ABC")
    moved = admin_client.post(f"/deals/{c}/move", data={"stage_id": first, "after_id": str(a), "version": "1"})
    assert moved.status_code == 200 and 'data-version="2"' in moved.text
    assert cards(admin_client.get("/board").text, first) == [a, c, b]
    top = admin_client.post(f"/deals/{b}/move", data={"stage_id": first, "after_id": "", "version": "1"})
    assert top.status_code == 200 and cards(admin_client.get("/board").text, first) == [b, a, c]
    across = admin_client.post(f"/deals/{a}/move", data={"stage_id": second, "after_id": ""})
    assert heads(across.text) == {first: (2, 2000.0, 200.0), second: (1, 1000.0, 250.0)}


def test_a_move_from_a_stale_card_is_refused_with_where_it_is(tenant, admin_client, client_for, factory):
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    deal = factory.deal(tenant, factory.customer(tenant, boss), boss)
    stages = factory.stages(tenant)
    other = client_for(tenant)
    login(other, "boss", STAFF_PASSWORD)
    # Both have the card at version 1; the admin moves first, the boss's move comes second.
    assert admin_client.post(f"/deals/{deal}/move", data={"stage_id": stages[2][0], "version": "1"}).status_code == 200
    late = other.post(f"/deals/{deal}/move", data={"stage_id": stages[1][0], "version": "1"})
    assert late.status_code == 409 and 'data-stale="true"' in late.text and "Proposal" in late.text
    assert cards(other.get("/board").text, stages[2][0]) == [deal]  # the board the boss reloads shows the truth


def test_filters_live_in_the_url(tenant, admin_client, factory):
    admin = factory.admin_id(tenant)
    rep = factory.user(tenant, "rep", superior_id=admin)
    near, far = date.today() + timedelta(days=5), date.today() + timedelta(days=60)
    mine = factory.deal(tenant, factory.customer(tenant, rep), rep, name="近的", amount="100")
    factory.set_deal(tenant, mine, expected_close=near)
    later = factory.deal(tenant, factory.customer(tenant, admin, phone="13900000000"), admin, name="远的")
    factory.set_deal(tenant, later, expected_close=far)
    url = f"/board?owner_id={rep}&close_to={near + timedelta(days=1)}&amount_max=500"
    page = admin_client.get(url).text
    assert "近的" in page and "远的" not in page
    assert f'<input type="hidden" name="owner_id" value="{rep}">' in page and f'value="{near + timedelta(days=1)}"' in page
    assert re.search(r'id="pick-owner-id"[^>]*value="Rep"', page)  # the owner picker shows whom it filters by
    assert 'name="amount_max" min="0" step="any" value="500"' in page
    partial = admin_client.get(url, headers={"HX-Request": "true"}).text
    assert partial.strip().startswith('<div id="board"') and "近的" in partial


def test_columns_load_twenty_cards_then_more_on_scroll(tenant, admin_client, factory):
    admin = factory.admin_id(tenant)
    customer = factory.customer(tenant, admin)
    deals = [factory.deal(tenant, customer, admin, name=f"D{i:02d}") for i in range(CARDS_PER_COLUMN + 3)]
    stage = factory.stages(tenant)[0][0]
    board = admin_client.get("/board").text
    assert CARDS_PER_COLUMN == 20
    assert cards(board, stage) == deals[:20] and "23 deals" in board
    more_url = re.search(r'hx-get="(/board/stages/\d+/more[^"]*)"', board).group(1).replace("&amp;", "&")
    rest = admin_client.get(more_url, headers={"HX-Request": "true"}).text
    assert [int(i) for i in re.findall(r'id="deal-(\d+)"', rest)] == deals[20:] and "/more" not in rest


def test_rotting_and_overdue_cards_stand_out(tenant, admin_client, factory):
    from crm_saas.core.base import utcnow

    admin = factory.admin_id(tenant)
    customer = factory.customer(tenant, admin)
    quiet, late, fresh = (factory.deal(tenant, customer, admin, name=n) for n in ("Quiet", "Late", "Fresh"))
    factory.set_deal(tenant, quiet, created_at=utcnow() - timedelta(days=30), last_activity_at=None,
             stage_changed_at=utcnow() - timedelta(days=30))
    factory.set_deal(tenant, late, expected_close=date.today() - timedelta(days=2))
    board = admin_client.get("/board").text
    card = lambda i: re.search(rf'<li id="deal-{i}" class="([^"]*)"', board).group(1)  # noqa: E731
    assert "rotting" in card(quiet) and "30 days in stage" in board
    assert "overdue" in card(late) and "rotting" not in card(late)
    assert card(fresh) == "deal-card"


def test_add_a_deal_with_products_then_edit_it_inline(tenant, admin_client, factory):
    admin = factory.admin_id(tenant)
    customer = factory.customer(tenant, admin, name="买家公司")
    stage = factory.stages(tenant)[1][0]
    form = admin_client.get(f"/deals/new?customer_id={customer}&stage_id={stage}").text
    assert f'<option selected value="{customer}">' in form or f'value="{customer}" selected' in form
    saved = admin_client.post("/deals/new", data={
        "name": "服务器", "customer_id": str(customer), "stage_id": str(stage), "owner_id": str(admin),
        "products-0-name": "服务器", "products-0-quantity": "2", "products-0-price": "35000",
        "products-1-name": "", "products-1-quantity": "1", "products-1-price": "",
        "key_actions": "周五报价"})
    assert saved.status_code == 302, saved.text
    page = admin_client.get(saved.location).text
    assert "服务器" in page and "70,000.00" in page and "周五报价" in page and "买家公司" in page
    deal_id = int(saved.location.rsplit("/", 1)[1])
    edit = admin_client.get(f"/deals/{deal_id}/edit", headers={"HX-Request": "true"}).text
    assert 'id="deal-summary"' in edit and 'name="version" type="hidden" value="1"' in edit
    done = admin_client.post(f"/deals/{deal_id}/edit", headers={"HX-Request": "true"}, data={
        "name": "服务器扩容", "owner_id": str(admin), "amount": "80000", "version": "1", "reason": "加单",
        "products-0-name": "服务器", "products-0-quantity": "2", "products-0-price": "40000"})
    assert done.status_code == 200 and "Changes saved." in done.text and "80,000.00" in done.text
    assert '<header id="deal-header" hx-swap-oob="true">' in done.text and "服务器扩容" in done.text
    stale = admin_client.post(f"/deals/{deal_id}/edit", data={"name": "旧页面", "owner_id": str(admin),
                                                               "version": "1", "products-0-name": ""})
    assert stale.status_code == 422 and "Someone changed this deal since you opened it" in stale.text
    history = admin_client.get(f"/deals/{deal_id}").text
    assert "Needs analysis" in history  # the stage history's first row


def test_the_list_changes_owner_and_stage_of_ticked_deals(tenant, client_for, factory):
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    rep = factory.user(tenant, "rep", superior_id=boss)
    customer = factory.customer(tenant, rep)
    ids = [factory.deal(tenant, customer, rep, name=f"批{i}") for i in range(3)]
    hidden = factory.deal(tenant, factory.customer(tenant, admin, phone="13900000000"), admin, name="看不见")
    lost = [sid for sid, kind in factory.stages(tenant) if kind == "lost"][0]
    client = client_for(tenant)
    login(client, "boss", STAFF_PASSWORD)
    page = client.get("/deals/").text
    assert "批0" in page and "看不见" not in page
    refused = client.post("/deals/bulk", data={"ids": [str(i) for i in ids[:2]], "new_stage_id": str(lost)})
    assert refused.status_code == 422 and "Give a reason for losing these deals." in refused.text
    done = client.post("/deals/bulk", data={"ids": [str(i) for i in ids[:2]] + [str(hidden)],
                                            "new_stage_id": str(lost), "lost_reason": "预算冻结",
                                            "new_owner_id": str(boss)})
    assert done.status_code == 200 and "2 deals changed." in done.text
    after = client.get(f"/deals/?stage_id={lost}", headers={"HX-Request": "true"}).text
    assert "批0" in after and "批1" in after and "批2" not in after
    assert client.get(f"/deals/{hidden}").status_code == 404


def test_a_bulk_change_answers_the_list_its_filters_asked_for(tenant, client_for, factory):
    """The bulk form sends the filters along (hx-include): with every owner listed, after giving two deals to
    another owner the list still shows every owner's deals, not only the new owner's."""
    admin = factory.admin_id(tenant)
    rep = factory.user(tenant, "rep", superior_id=admin)
    other = factory.user(tenant, "other", superior_id=admin)
    customer = factory.customer(tenant, rep)
    ids = [factory.deal(tenant, customer, rep, name=f"单{i}") for i in range(3)]
    client = client_for(tenant)
    login(client, "admin", ADMIN_PASSWORD)
    page = client.get("/deals/").text
    assert 'name="new_owner_id"' in page and 'name="new_stage_id"' in page
    changed = client.post("/deals/bulk", headers={"HX-Request": "true"}, data={
        "ids": [str(i) for i in ids[:2]], "new_owner_id": str(other), "new_stage_id": "", "lost_reason": "",
        # the filters, as hx-include="#deal-filters" adds them: all owners, any stage
        "q": "", "stage_id": "", "owner_id": "", "team": "", "sort": ""})
    assert changed.status_code == 200 and "2 deals changed." in changed.text
    assert all(f"单{i}" in changed.text for i in range(3))
    assert "3 deals" in changed.text


def test_two_people_moving_one_card_at_once_never_lose_a_move_silently(app, tenant, factory):
    """Two threads move the same card from the same copy (version 1) at the same moment: one move is applied,
    the other is refused with where the card is now; the history has exactly the applied move."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from tests.conftest import ADMIN_PASSWORD, HostClient

    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    deal = factory.deal(tenant, factory.customer(tenant, boss), boss)
    stages = factory.stages(tenant)
    targets = {"admin": stages[1][0], "boss": stages[2][0]}
    start = threading.Barrier(2)

    def move(username):
        client = HostClient(app, app.response_class, use_cookies=True)
        client.host = tenant.host
        login(client, username, ADMIN_PASSWORD if username == "admin" else STAFF_PASSWORD)
        start.wait()
        return username, client.post(f"/deals/{deal}/move", data={"stage_id": targets[username], "version": "1"})

    with ThreadPoolExecutor(2) as pool:
        results = dict((name, response.status_code) for name, response in pool.map(move, ("admin", "boss")))
    assert sorted(results.values()) == [200, 409], results
    winner = next(name for name, status in results.items() if status == 200)

    def state():
        from sqlalchemy import select

        from crm_saas.blueprints.pipeline.models import Deal, DealStageChange
        from crm_saas.extensions import db

        row = db.session.get(Deal, deal)
        moves = db.session.scalars(select(DealStageChange.to_stage_id).where(DealStageChange.deal_id == deal)
                                   .order_by(DealStageChange.id)).all()
        return row.stage_id, row.version, moves

    assert factory._run(tenant, state) == (targets[winner], 2, [stages[0][0], targets[winner]])
