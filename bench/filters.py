"""The customer list under three filters and a search, and a rare match late in name order.

On the flat tenant (100k customers), as the admin: ``GET /customers/`` with
type, industry and province filters and a common search term (about 2,800
customers pass the filters, 245 of them match the term), in the default
newest-first order and by name; then the rare term, whose one match
("Zanzibar Quartzite Works") sorts last by name, alone and with the filters.

The floor (``floors.list_floor``) collects the matches once in a MATERIALIZED
CTE and reads the count and the first 50 rows (owner name, main contact) from
it, in one statement. The trap is measured once for the record: the plain
``ORDER BY name LIMIT 50`` with the rare term and no CTE, with the walk of
``ix_customers_name`` forced (``enable_sort = off``), beside what the planner
picks for it when left alone.

Every result row says whether the page's own statements, as the app sent them,
collected the matching ids in the count (``search.search_customers`` does so up to
2,000 matches) and whether any is planned as a walk of ``ix_customers_name`` (plain
EXPLAIN of each statement that reads customers, captured with ``sql_meter``).
"""
import re
from urllib.parse import urlencode

from bench import floors, seed
from bench.timing import compare, median_ms, sql_meter

FILTERS = {"type": seed.FILTER_TYPE, "industry": seed.FILTER_INDUSTRY, "province": seed.FILTER_PROVINCE}
NAME_WALK = re.compile(r"Index (?:Only )?Scan (?:Backward )?using ix_customers_name on ")
PAGE_TOTAL = re.compile(r'<div class="toolbar">\s*<p class="muted">(\d+)')
FIRST_ROW = re.compile(r'<tr data-customer-id="(\d+)">.*?<a href="[^"]*">([^<]*)</a>', re.S)
FILTER_LABEL = "type=intent&industry=it&province=上海市"

# (label, q, filters, sort, reference)
CASES = (
    (f"customer list {FILTER_LABEL}&q={seed.COMMON_TERM}", seed.COMMON_TERM, FILTERS, "-created_at",
     "DESIGN 0.1 ms SQL typical"),
    ("  same, sort=name", seed.COMMON_TERM, FILTERS, "name", "DESIGN 0.1 ms SQL typical"),
    (f"customer list q={seed.RARE_TERM}&sort=name (1 match, last by name)", seed.RARE_TERM, None, "name",
     "DESIGN 67 ms trap / 4.5 ms CTE"),
    (f"  same, &{FILTER_LABEL}", seed.RARE_TERM, FILTERS, "name", "DESIGN 67 ms trap / 4.5 ms CTE"),
    (f"customer list {FILTER_LABEL}&sort=name, no search", None, FILTERS, "name",
     "above COLLECT_IDS_UP_TO: index order"),
)


def page_url(q, filters, sort):
    params = dict(filters or {})
    if q:
        params["q"] = q
    if sort != "-created_at":
        params["sort"] = sort
    return "/customers/?" + urlencode(params)


def shown(html):
    """``(total, first id, first name)`` as the page shows them."""
    total, first = PAGE_TOTAL.search(html), FIRST_ROW.search(html)
    assert total, "no total on the customer list"
    return int(total.group(1)), (int(first.group(1)) if first else None), (first.group(2) if first else None)


def app_statements(engine, page):
    """The page's statements that read customers, slowest first: ``[(ms, sql, params)]``."""
    with sql_meter(engine) as stats:
        page()
    return sorted((entry for entry in stats["log"] if ".customers" in entry[1]), key=lambda e: e[0], reverse=True)


def walks_name_index(raw, statements):
    """Whether any of the statements is planned as a walk of ix_customers_name."""
    return any(NAME_WALK.search(floors.plan(raw, sql, params)) for _, sql, params in statements)


def run(raw, engine, schema, get, runs, log, explain=False):
    rows = []
    for label, q, filters, sort, reference in CASES:
        url = page_url(q, filters, sort)
        log(f"GET {url} vs floor")
        page, floor = get(url), floors.list_floor(raw, schema, q, filters, sort)
        total, first = floor()
        assert total and first, f"floor finds nothing for {url}"
        page_total, page_first_id, page_first_name = shown(page().get_data(as_text=True))
        assert page_total == total, f"{url}: page shows {page_total} customers, floor counts {total}"
        assert (page_first_id, page_first_name) == (first[0][0], first[0][2]), \
            f"{url}: page starts with {page_first_name!r}, floor with {first[0][2]!r}"
        statements = app_statements(engine, page)
        walk = walks_name_index(raw, statements)
        collected = any("array_agg" in sql for _, sql, _ in statements) and any(
            re.search(r"customers\.id = ANY \((CAST\()?ARRAY\[", sql) for _, sql, _ in statements)
        how = (f"app: {'ids collected in the count' if collected else 'count, then index order'}, "
               f"{'WALKS' if walk else 'no walk of'} ix_customers_name")
        rows.append(compare(engine, f"{label}, {total:,} hits", page, floor, runs, f"{how}; {reference}"))
        if q == seed.RARE_TERM and not filters:
            rows.append(_trap(raw, schema, floor, runs, log))
        if explain:
            _print_explain(raw, schema, label.strip(), q, filters, sort, statements)
    return rows


def _trap(raw, schema, floor, runs, log):
    """The rare term by name without the CTE: as planned, and with the walk of ix_customers_name forced."""
    log(f"trap, for reference: q={seed.RARE_TERM} ORDER BY name LIMIT 50 without the CTE")
    sql, params = floors.list_plain_sql(schema, seed.RARE_TERM, None, "name")

    def plain():  # never prepared: a prepared statement could keep a plan made before the SET
        return raw.execute(sql, params, prepare=False).fetchall()

    assert [row[1] for row in plain()] == [f"Zanzibar {seed.RARE_TERM} Works"]
    planned_walk = bool(NAME_WALK.search(floors.plan(raw, sql, params)))
    planned_ms = median_ms(plain, runs=runs)
    raw.execute("SET enable_sort = off")
    try:
        assert NAME_WALK.search(floors.plan(raw, sql, params)), "enable_sort = off did not force the name walk"
        trap_ms = median_ms(plain, runs=runs)
    finally:
        raw.execute("RESET enable_sort")
    floor_ms = median_ms(floor, runs=runs)
    left = f"left to the planner {planned_ms:.1f} ms, {'walks' if planned_walk else 'no walk'}"
    return ("  trap, for reference: ORDER BY name LIMIT 50 without the CTE, name-index walk forced",
            f"trap {trap_ms:7.1f} ms", f"floor {floor_ms:6.1f} ms", f"ratio {trap_ms / floor_ms:5.2f}",
            f"[{left}; what the CTE saves]")


def _print_explain(raw, schema, label, q, filters, sort, statements):
    """The floor's plan, then the page's two slowest statements as the app sent them (count and page);
    for the rare term, the trap."""
    sql, params = floors.list_sql(schema, q, filters, sort)
    print(f"\n== EXPLAIN {label}: floor ==")
    print(floors.explain(raw, sql, params))
    for rank, (ms, sql, params) in enumerate(statements[:2]):
        plan = floors.explain(raw, sql, params)
        walk = "WALKS ix_customers_name" if NAME_WALK.search(plan) else "no walk of ix_customers_name"
        print(f"\n== EXPLAIN {label}: the page's {('slowest', 'next slowest')[rank]} statement ({ms:.1f} ms), "
              f"{walk} ==")
        print(sql)
        print(plan)
    if q == seed.RARE_TERM and not filters:
        sql, params = floors.list_plain_sql(schema, q, None, "name")
        raw.execute("SET enable_sort = off")
        try:
            print(f"\n== EXPLAIN {label}: the trap (no CTE, enable_sort = off) ==")
            print(floors.explain(raw, sql, params))
        finally:
            raw.execute("RESET enable_sort")
