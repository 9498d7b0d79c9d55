"""The board and a move as a supervisor with a subtree sees them, on the deep-tree tenant.

The tree tenant of ``supervisor.py`` (2,000 staff, depth 8, 100k customers; seeded once per run)
gets 20,000 deals over the 6 default stages, dealt round-robin over all staff
(``seed.seed_tree_deals``), so the supervisor ``supervisor.pick_viewers`` picks (330 people)
sees about a sixth of them. For that supervisor, and for the admin for reference:

- ``GET /board`` vs. the walk of the subtree, then per-stage count, amount and weighted amount and
  the first ``CARDS_PER_COLUMN`` cards of each column with customer and owner names, in one statement
  (``floors.TEAM_BOARD_SQL``). The page must first show the floor's numbers and cards.
- ``POST /deals/<id>/move`` of a visible deal to the next stage, after a given card, and back
  (every timed request is a real move; each sends the version the previous answer carried), vs.
  the SQL a move needs in one transaction (``floors.move_floor``): walk, lock and check, the
  neighbours' positions, update and history row, the two columns' totals, commit. The floor
  moves a deal of its own between the same two stages, after other cards, so the two never
  change each other's neighbours.

``app: n walks`` counts the page's statements that walk the tree (``WITH RECURSIVE``) and their time;
``templates`` is the time spent rendering (Flask's template signals; SQL that runs while rendering,
such as the menu's counts, is counted there too). Both are medians over 5 requests.
"""
import cProfile
import io
import pstats
import re
import statistics
import time
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal

import flask

from bench import floors, seed, supervisor
from bench.timing import compare, once_ms, sql_meter
from crm_saas.blueprints.pipeline.services.board import CARDS_PER_COLUMN
from crm_saas.tenants.binding import check_schema_name

SECTION = re.compile(r'<section [^>]*class="board-column"')
HEAD = re.compile(r'<header id="stage-head-(\d+)".*?data-count="(\d+)".*?data-amount="([^"]*)"'
                  r'.*?data-weighted="([^"]*)"', re.S)
CARD = re.compile(r'<li\s[^>]*?\bid="deal-(\d+)"[^>]*>.*?</li>', re.S)  # a card: its <li> tag and body
VERSION = re.compile(r'\bdata-version="(\d+)"')
# Where the moving cards sit in their columns (index among the viewer's first cards): the app's card
# and the floor's, and the cards each is dropped under; far enough apart that neither move changes
# the other's neighbours.
APP_CARD, FLOOR_CARD = 9, 10
APP_ANCHOR, FLOOR_ANCHOR = 0, 4
CENT = Decimal("0.01")  # the board rounds weighted amounts half up (board.CENT)


def seed_deals(app, db, schema, log):
    log(f"seeding {seed.TREE_DEALS:,} deals over the default stages, dealt over all staff, into {schema}")
    with app.app_context():
        def fill():
            with db.engine.begin() as conn:
                return seed.seed_tree_deals(conn, schema)

        ms, per_stage = once_ms(fill)
        db.session.remove()
    log(f"seeded and analyzed in {ms / 1000:.1f} s: {sorted(per_stage.values(), reverse=True)} per stage")


def run(app, db, raw, schema, session_for, password, runs, log, explain=False):
    """Result rows for the board and a move, as the supervisor and as the admin."""
    seed_deals(app, db, schema, log)
    with app.app_context():
        engine = db.engine
    s = check_schema_name(schema)
    shape, supervisor_id, _, _ = supervisor.pick_viewers(raw, schema)
    admin_id = raw.execute(f"SELECT id FROM \"{s}\".users WHERE username = 'admin'").fetchone()[0]
    pipeline_id = raw.execute(f'SELECT id FROM "{s}".pipelines WHERE is_default').fetchone()[0]
    staff = len(shape)
    rows = []
    for viewer, who in ((supervisor_id, "supervisor"), (admin_id, "admin")):
        username, depth, subtree = shape[viewer]
        client, base_url = session_for(supervisor.TREE_SLUG, username, password)
        see_all = who == "admin"
        board_floor = floors.team_board_floor(raw, schema, pipeline_id, None if see_all else viewer)
        columns = _columns(board_floor())
        visible = sum(c["count"] for c in columns.values())
        log(f"board as {who} {username}: depth {depth}, subtree {subtree} people, {visible:,} visible deals")

        def board_page(client=client, base_url=base_url):
            resp = client.get("/board", base_url=base_url)
            assert resp.status_code == 200, f"GET /board: {resp.status_code}"
            return resp

        _check_board(board_page().get_data(as_text=True), columns, who)
        who_label = f"{who} depth {depth} ({subtree:,} of {staff:,} staff" if not see_all else f"{who} ({staff:,} staff"
        floor_what = f"floor: totals + {CARDS_PER_COLUMN} cards a column, one statement"
        floor_what += "" if see_all else ", after the walk"
        rows.append(compare(engine, f"board, {who_label}, {visible:,} of {seed.TREE_DEALS:,} deals)", board_page,
                            board_floor, runs, f"{anatomy(app, engine, board_page)}; {floor_what}"))
        if explain:
            print_explain(raw, engine, f"board as {who}", board_page,
                          floors.team_board_sql(schema, pipeline_id,
                                                None if see_all else floors.visible_owner_ids(raw, schema, viewer)))

        log(f"move as {who}: a card to the next stage after a given card, and back")
        move_page, move_floor = _moves(raw, schema, client, base_url, viewer, see_all, columns)
        floor_what = ("floor: " + ("" if see_all else "walk, ") + "lock, neighbours, update + history, "
                      "2 columns' totals, commit")
        rows.append(compare(engine, f"  move to the next stage after a card, {who}", move_page, move_floor, runs,
                            f"{anatomy(app, engine, move_page)}; {floor_what}"))
        if explain:
            print_explain(raw, engine, f"move as {who}", move_page)
    return rows


def _columns(floor_rows):
    """``{stage_id: {"count", "amount", "weighted", "cards": [(id, version, name, customer, owner)]}}``, in
    board order."""
    columns = {}
    for row in floor_rows:
        column = columns.setdefault(row[0], {"kind": row[2], "count": row[3], "amount": row[4],
                                             "weighted": row[5], "cards": []})
        if row[6] is not None:
            column["cards"].append((row[6], row[13], row[7], row[16], row[17]))
    return columns


def shown_board(html):
    """``{stage_id: (count, amount, weighted, [(card id, version)])}`` as the board page shows them."""
    shown = {}
    for section in SECTION.split(html)[1:]:
        head = HEAD.search(section)
        assert head, "a board column without its head"
        shown[int(head.group(1))] = (int(head.group(2)), Decimal(head.group(3)), Decimal(head.group(4)),
                                     [(card_id, version) for card_id, version, _ in find_cards(section)])
    return shown


def find_cards(html):
    """``[(deal id, version, html)]`` of the cards in ``html``, in order."""
    found = []
    for card in CARD.finditer(html):
        version = VERSION.search(card.group(0)[:card.group(0).index(">")])
        found.append((int(card.group(1)), int(version.group(1)) if version else None, card.group(0)))
    return found


def _check_board(html, columns, who):
    """The page shows the floor's columns in order, each with its count, amount, weighted amount and cards."""
    shown = shown_board(html)
    assert list(shown) == list(columns), f"{who}'s board shows stages {list(shown)}, floor {list(columns)}"
    for stage_id, column in columns.items():
        count, amount, weighted, cards = shown[stage_id]
        assert count == column["count"], f"{who}, stage {stage_id}: page counts {count}, floor {column['count']}"
        assert amount == column["amount"], f"{who}, stage {stage_id}: amount {amount} vs floor {column['amount']}"
        assert weighted == Decimal(column["weighted"]).quantize(CENT, ROUND_HALF_UP), \
            f"{who}, stage {stage_id}: weighted {weighted} vs floor {column['weighted']}"
        assert cards == [card[:2] for card in column["cards"]], \
            f"{who}, stage {stage_id}: cards (or their versions) differ from the floor's"
        if cards:
            first_id, _, name, customer, owner = column["cards"][0]
            body = next(card_html for card_id, _, card_html in find_cards(html) if card_id == first_id)
            for text in (name, customer, owner):
                assert text in body, f"{who}, stage {stage_id}: first card does not show {text!r}"


def _heads(html):
    return {int(m.group(1)): (int(m.group(2)), Decimal(m.group(3))) for m in HEAD.finditer(html)}


def _moves(raw, schema, client, base_url, viewer, see_all, columns):
    """``(page, floor)``: each call moves its own card from the first stage to the second or back."""
    first, second = list(columns)[:2]
    cards = {stage_id: columns[stage_id]["cards"] for stage_id in (first, second)}
    assert columns[first]["kind"] == columns[second]["kind"] == "open"
    assert len(cards[first]) > FLOOR_CARD and len(cards[second]) > FLOOR_ANCHOR, "too few cards to move among"
    app_deal, version, *_ = cards[first][APP_CARD]
    floor_deal = cards[first][FLOOR_CARD][0]
    app_after = {stage_id: cards[stage_id][APP_ANCHOR][0] for stage_id in cards}
    floor_after = {stage_id: cards[stage_id][FLOOR_ANCHOR][0] for stage_id in cards}
    app_state = {"stage": first, "version": version}
    floor_state = {"stage": first}

    def page():
        to = second if app_state["stage"] == first else first
        resp = client.post(f"/deals/{app_deal}/move", base_url=base_url,
                           data={"stage_id": to, "after_id": app_after[to], "version": app_state["version"]})
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200, f"move of deal {app_deal}: {resp.status_code} {html[:200]}"
        answered = find_cards(html)
        assert answered and answered[0][0] == app_deal, "the move does not answer the card"
        assert answered[0][1] == app_state["version"] + 1, "the move did not bump the version"
        assert set(_heads(html)) == {first, second}, "the move does not answer both column heads"
        app_state.update(stage=to, version=answered[0][1])
        return resp

    move = floors.move_floor(raw, schema, viewer, see_all=see_all)

    def floor():
        to = second if floor_state["stage"] == first else first
        totals = move(floor_deal, to, floor_after[to])[1]
        floor_state["stage"] = to
        return totals

    # Check once: the floor moves its card to the second stage, then the app its card; the app's heads
    # must be the floor's totals with one more card (and its amount) moved from the first stage.
    totals = floor()
    heads = _heads(page().get_data(as_text=True))
    amount = raw.execute(f'SELECT amount FROM "{check_schema_name(schema)}".deals WHERE id = %s',
                         (app_deal,)).fetchone()[0]
    assert heads[first] == (totals[first][0] - 1, totals[first][1] - amount), (heads, totals)
    assert heads[second] == (totals[second][0] + 1, totals[second][1] + amount), (heads, totals)
    return page, floor


@contextmanager
def template_meter(app):
    """``stats["ms"]``: time spent rendering templates in the requests run inside (outermost renders only)."""
    stats, started = {"ms": 0.0}, []

    def before(sender, **extra):
        started.append(time.perf_counter())

    def after(sender, **extra):
        start = started.pop()
        if not started:
            stats["ms"] += (time.perf_counter() - start) * 1000

    flask.before_render_template.connect(before, app)
    flask.template_rendered.connect(after, app)
    try:
        yield stats
    finally:
        flask.before_render_template.disconnect(before, app)
        flask.template_rendered.disconnect(after, app)


def anatomy(app, engine, page, loads=5):
    """``app: n walks x ms, templates y ms``: medians over ``loads`` requests of the time in the statements
    that walk the tree, and in rendering."""
    walks, walk_ms, template_ms = [], [], []
    for _ in range(loads):
        with sql_meter(engine) as sql, template_meter(app) as templates:
            page()
        tree = [ms for ms, statement, _ in sql["log"] if "RECURSIVE" in statement]
        walks.append(len(tree))
        walk_ms.append(sum(tree))
        template_ms.append(templates["ms"])
    return (f"app: {max(walks)} walks {statistics.median(walk_ms):.1f} ms, "
            f"templates {statistics.median(template_ms):.1f} ms")


def print_explain(raw, engine, title, page, floor_sql=None):
    """The floor's plan (the board's), the page's statements (time, first line), the plans of its two slowest
    as the app sent them (in a transaction rolled back, so a move's UPDATE and INSERT change nothing), and
    where the page's Python time goes (cProfile over 5 requests, cumulative, crm_saas and the hot spots)."""
    if floor_sql:
        print(f"\n== EXPLAIN {title}: floor ==")
        print(floors.explain(raw, floor_sql, None))
    with sql_meter(engine) as stats:
        page()
    print(f"\n== {title}: {stats['statements']} statements, {stats['ms']:.1f} ms ==")
    for ms, sql, _ in stats["log"]:
        print(f"  {ms:6.2f} ms  {' '.join(sql.split())[:150]}")
    for ms, sql, params in sorted(stats["log"], key=lambda entry: entry[0], reverse=True)[:2]:
        print(f"\n== EXPLAIN {title}: statement that took {ms:.1f} ms ==")
        print(sql)
        print(floors.explain_rolled_back(raw, sql, params))
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(5):
        page()
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(
        r"crm_saas/(?!templates)|\(url_for\)|\(gettext\)|\(ngettext\)|orm/loading.py.*\(instances\)|"
        r"jinja2/environment.py.*\(render\)|\(execute\)", 30)
    print(f"\n== {title}: profile of 5 requests (cProfile slows everything ~2x; compare shares) ==")
    print(out.getvalue().split("\n\n", 2)[-1].rstrip())
