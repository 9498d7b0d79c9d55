"""Raw-SQL floors: what the board and the customer lists cost the database, hand-written.

Executed with psycopg on its own connection, outside Flask and the ORM, over the
same data as the pages. Each returns a callable that runs the work once and
fetches every row, so it can be timed like a page.
"""
import psycopg

from crm_saas.blueprints.customers.services.keys import phone_digits
from crm_saas.blueprints.customers.services.search import SHORT_SEARCH
from crm_saas.blueprints.pipeline.services.board import CARDS_PER_COLUMN
from crm_saas.tenants.binding import check_schema_name

BOARD_SQL = """
SELECT s.id, s.name, t.cnt, t.total, c.id, c.name, c.amount, c.expected_close, cu.name, u.name
FROM "{s}".stages s
CROSS JOIN LATERAL (
    SELECT count(*) AS cnt, coalesce(sum(d.amount), 0) AS total FROM "{s}".deals d WHERE d.stage_id = s.id
) t
LEFT JOIN LATERAL (
    SELECT d.id, d.name, d.amount, d.expected_close, d.customer_id, d.owner_id, d.position
    FROM "{s}".deals d WHERE d.stage_id = s.id
    ORDER BY d.position, d.id LIMIT %(limit)s
) c ON true
LEFT JOIN "{s}".customers cu ON cu.id = c.customer_id
LEFT JOIN "{s}".users u ON u.id = c.owner_id
WHERE s.pipeline_id = %(pipeline_id)s
ORDER BY s.position, c.position, c.id
"""

# The predicate customers.services.search_filter builds for an admin and a term of words (the
# benches' terms): contacts' matches as an array of ids, so each arm of the OR is an index
# condition. A term shaped like a phone number adds a phone_key trigram arm, which no bench uses.
SEARCH_WHERE = """
c.deleted_at IS NULL AND (
    c.number = %(q)s OR c.name ILIKE %(pattern)s
    OR c.id = ANY(ARRAY(SELECT customer_id FROM "{s}".contacts WHERE name ILIKE %(pattern)s))
)
"""
# One or two characters (SHORT_SEARCH): the names' letters and pairs, through their GIN index (a trigram index
# cannot serve so short a term; ILIKE then reads every name).
SHORT_SEARCH_WHERE = """
c.deleted_at IS NULL AND (
    c.number = %(q)s OR public.crm_grams(c.name) @> ARRAY[%(gram)s::text]
    OR c.id = ANY(ARRAY(SELECT customer_id FROM "{s}".contacts WHERE public.crm_grams(name) @> ARRAY[%(gram)s::text]))
)
"""
SEARCH_COUNT_SQL = 'SELECT count(*) FROM "{s}".customers c WHERE ' + SEARCH_WHERE
SEARCH_PAGE_SQL = """
SELECT c.id, c.number, c.name, c.type, c.industry, mc.name, mc.phone, u.name
FROM "{s}".customers c
JOIN "{s}".users u ON u.id = c.owner_id
LEFT JOIN LATERAL (
    SELECT ct.name, ct.phone FROM "{s}".contacts ct
    WHERE ct.customer_id = c.id AND ct.is_primary ORDER BY ct.id LIMIT 1
) mc ON true
WHERE """ + SEARCH_WHERE + """
ORDER BY c.created_at DESC, c.id DESC
LIMIT %(limit)s
"""

# The supervisor's list: the walk down users.superior_id that visibility.py does, run
# once; then count and first page with the ids written into the SQL as a literal array,
# so the planner sees how many owners there are (a parameter or a CTE hides that).
VISIBLE_WALK_SQL = """
WITH RECURSIVE tree(id) AS (
    SELECT id FROM "{s}".users WHERE id = %(viewer)s
    UNION SELECT u.id FROM "{s}".users u JOIN tree ON u.superior_id = tree.id
)
SELECT id FROM tree
"""
VISIBLE_WHERE = "c.deleted_at IS NULL AND c.owner_id = ANY('{{{ids}}}'::bigint[])"
VISIBLE_COUNT_SQL = 'SELECT count(*) FROM "{s}".customers c WHERE ' + VISIBLE_WHERE
VISIBLE_PAGE_SQL = SEARCH_PAGE_SQL.replace(SEARCH_WHERE, VISIBLE_WHERE).replace("%(limit)s", "{limit}")


# The list page under filters and a search (filters.py): the matches collected once in a
# MATERIALIZED CTE (id and sort keys only), then the count and the first page both read it.
# Collecting first is what keeps a rare match late in the sort order from turning the page
# into a walk of the whole sort index (the trap); collecting once is what a count followed
# by a separate page query cannot do.
LIST_SORTS = {"-created_at": "{a}.created_at DESC, {a}.id DESC", "name": "{a}.name, {a}.id"}
LIST_FILTER_COLUMNS = ("type", "industry", "source", "province", "city", "district")
LIST_SQL = """
WITH matches AS MATERIALIZED (
    SELECT c.id, c.name, c.created_at FROM "{s}".customers c WHERE {where}
)
SELECT (SELECT count(*) FROM matches), c.id, c.number, c.name, c.type, c.industry, mc.name, mc.phone, u.name
FROM (SELECT m.id FROM matches m ORDER BY {m_order} LIMIT {limit}) p
JOIN "{s}".customers c ON c.id = p.id
JOIN "{s}".users u ON u.id = c.owner_id
LEFT JOIN LATERAL (
    SELECT ct.name, ct.phone FROM "{s}".contacts ct
    WHERE ct.customer_id = c.id AND ct.is_primary ORDER BY ct.id LIMIT 1
) mc ON true
ORDER BY {c_order}
"""
# The same page without the CTE, ids and names only: what the planner is left with when it
# is asked for the first 50 by name directly (the trap, when it walks ix_customers_name).
LIST_PLAIN_SQL = 'SELECT c.id, c.name FROM "{s}".customers c WHERE {where} ORDER BY {c_order} LIMIT {limit}'


def connect(database_url):
    return psycopg.connect(database_url, autocommit=True)


def board_floor(conn, schema, pipeline_id, limit=CARDS_PER_COLUMN):
    sql = BOARD_SQL.format(s=check_schema_name(schema))
    params = {"pipeline_id": pipeline_id, "limit": limit}

    def run():
        return conn.execute(sql, params).fetchall()

    return run


def search_sql(schema, q, limit=50):
    """``(count_sql, page_sql, params)`` of the search floor for ``q``.

    A short term's page takes the matches from the index first (MATERIALIZED): left to walk the newest-first
    index, PostgreSQL computes every customer's grams until it meets 50 matches, all 100k for a rare one
    (1.8 s), the trap ``search_customers`` avoids by collecting the ids in its count.
    """
    s = check_schema_name(schema)
    params = {"q": q, "gram": q.lower(), "pattern": f"%{q}%", "limit": limit}
    if len(q) > SHORT_SEARCH:
        return SEARCH_COUNT_SQL.format(s=s), SEARCH_PAGE_SQL.format(s=s), params
    count_sql = SEARCH_COUNT_SQL.replace(SEARCH_WHERE, SHORT_SEARCH_WHERE).format(s=s)
    matches = f'WITH matches AS MATERIALIZED (SELECT c.id FROM "{s}".customers c WHERE ' + SHORT_SEARCH_WHERE + ")\n"
    page_sql = matches.format(s=s) + SEARCH_PAGE_SQL.replace(
        SEARCH_WHERE, "c.id IN (SELECT id FROM matches)").format(s=s)
    return count_sql, page_sql, params


def search_floor(conn, schema, q, limit=50):
    count_sql, page_sql, params = search_sql(schema, q, limit)

    def run():
        total = conn.execute(count_sql, params).fetchone()[0]
        return total, conn.execute(page_sql, params).fetchall()

    return run


def visible_owner_ids(conn, schema, viewer_id):
    sql = VISIBLE_WALK_SQL.format(s=check_schema_name(schema))
    return [row[0] for row in conn.execute(sql, {"viewer": viewer_id})]


def visible_sql(schema, ids, limit=50):
    """The count and first-page SQL for a literal owner id list: ``(count_sql, page_sql)``."""
    s, ids = check_schema_name(schema), ",".join(str(int(i)) for i in ids)
    return VISIBLE_COUNT_SQL.format(s=s, ids=ids), VISIBLE_PAGE_SQL.format(s=s, ids=ids, limit=int(limit))


def visible_list_floor(conn, schema, viewer_id, limit=50):
    """Walk the viewer's subtree once, then count and fetch the first page of their customers."""

    def run():
        count_sql, page_sql = visible_sql(schema, visible_owner_ids(conn, schema, viewer_id), limit)
        total = conn.execute(count_sql).fetchone()[0]
        return total, conn.execute(page_sql).fetchall()

    return run


def list_where(schema, q=None, filters=None):
    """The list page's predicate for an admin, as ``(sql, params)``: not deleted, the search, each filter."""
    s = check_schema_name(schema)
    if q and phone_digits(q):
        raise ValueError(f"no floor for a phone search ({q!r}): SEARCH_WHERE is the predicate for words")
    where, params = ("c.deleted_at IS NULL", {}) if not q else (SEARCH_WHERE.format(s=s), {"q": q,
                                                                                         "pattern": f"%{q}%"})
    for column, value in (filters or {}).items():
        if column not in LIST_FILTER_COLUMNS:
            raise ValueError(f"no floor for filter {column!r}")
        where += f" AND c.{column} = %(f_{column})s"
        params[f"f_{column}"] = value
    return where, params


def list_sql(schema, q=None, filters=None, sort="-created_at", limit=50):
    """``(sql, params)`` of the list floor: count and first page from one MATERIALIZED set of matches."""
    where, params = list_where(schema, q, filters)
    order = LIST_SORTS[sort]
    sql = LIST_SQL.format(s=check_schema_name(schema), where=where, m_order=order.format(a="m"),
                          c_order=order.format(a="c"), limit=int(limit))
    return sql, params


def list_plain_sql(schema, q=None, filters=None, sort="name", limit=50):
    """``(sql, params)`` of the page query left to the planner: no CTE, ``ORDER BY .. LIMIT`` directly."""
    where, params = list_where(schema, q, filters)
    sql = LIST_PLAIN_SQL.format(s=check_schema_name(schema), where=where, c_order=LIST_SORTS[sort].format(a="c"),
                                limit=int(limit))
    return sql, params


def list_floor(conn, schema, q=None, filters=None, sort="-created_at", limit=50):
    """Count and first page of the filtered, searched list; ``run()`` returns ``(total, rows)``.

    Never prepared: the cases share one SQL text (the term and filter values are
    parameters), and once psycopg had prepared it PostgreSQL settled on a generic
    plan, in which the phone arm of the time (``phone LIKE $1 || '%'``) could not use
    its index and every search read all 100k contacts (1.5 -> 11 ms for the rare
    term). The app never gets there: it prepares nothing (README "Prepared statements").
    """
    sql, params = list_sql(schema, q, filters, sort, limit)

    def run():
        rows = conn.execute(sql, params, prepare=False).fetchall()
        return (rows[0][0] if rows else 0), [row[1:] for row in rows]

    return run


def explain(conn, sql, params):
    """EXPLAIN (ANALYZE, BUFFERS) text, for the --explain flag."""
    return "\n".join(row[0] for row in conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params))


def plan(conn, sql, params):
    """EXPLAIN text without running the statement: the plan the planner picks now."""
    return "\n".join(row[0] for row in conn.execute("EXPLAIN " + sql, params))


# The board as a viewer with a subtree sees it (team_board.py): after the walk, the per-stage totals
# (count, amount, weighted amount) in one pass over the viewer's deals grouped by stage, and the first
# cards of each column in one LATERAL down ix_deals_stage_position, each with what its card shows
# (customer and owner names by primary key, the dates behind "days in stage", rotting and overdue).
# ``{where}`` is the visibility: the walked ids as a literal array, or only ``deleted_at`` for an admin.
# The weighted amount divides once per column, not once per deal: the same exact numeric, and numeric
# division is most of what the weighting costs (admin, 20k deals: totals 6.8 -> 5.8 ms; 3.4 without it).
TEAM_BOARD_SQL = """
SELECT s.id, s.code, s.kind, coalesce(t.cnt, 0), coalesce(t.total, 0), coalesce(t.weighted, 0),
       c.id, c.name, c.amount, c.probability, c.expected_close, c.stage_changed_at,
       coalesce(c.last_activity_at, c.created_at), c.version, c.position, c.customer_id,
       (SELECT cu.name FROM "{s}".customers cu WHERE cu.id = c.customer_id),
       (SELECT u.name FROM "{s}".users u WHERE u.id = c.owner_id)
FROM "{s}".stages s
LEFT JOIN (
    SELECT d.stage_id, count(*) AS cnt, sum(d.amount) AS total,
           sum(d.amount * coalesce(d.probability, 0)) / 100 AS weighted
    FROM "{s}".deals d
    WHERE d.pipeline_id = {pipeline_id} AND {where}
    GROUP BY d.stage_id
) t ON t.stage_id = s.id
LEFT JOIN LATERAL (
    SELECT d.id, d.name, d.amount, d.probability, d.expected_close, d.stage_changed_at, d.last_activity_at,
           d.created_at, d.version, d.position, d.customer_id, d.owner_id
    FROM "{s}".deals d
    WHERE d.stage_id = s.id AND {where}
    ORDER BY d.position, d.id LIMIT {limit}
) c ON true
WHERE s.pipeline_id = {pipeline_id} AND s.removed_at IS NULL
ORDER BY s.position, c.position, c.id
"""

# A move (POST /deals/<id>/move with after_id), statement by statement, in one transaction after the walk:
# lock the visible deal, with the target stage checked against its pipeline and what the card shows;
MOVE_LOCK_SQL = """
SELECT d.version, d.stage_id, s.kind, s.probability, d.name, d.amount, d.expected_close, d.created_at,
       d.last_activity_at, cu.name, u.name
FROM "{s}".deals d
JOIN "{s}".stages s ON s.id = %(to)s AND s.pipeline_id = d.pipeline_id AND s.removed_at IS NULL
JOIN "{s}".customers cu ON cu.id = d.customer_id
JOIN "{s}".users u ON u.id = d.owner_id
WHERE d.id = %(deal)s AND {where}
FOR UPDATE OF d
"""
# the card dropped under (visible, in the target stage) and the visible card that follows it;
MOVE_NEIGHBOURS_SQL = """
SELECT a.position, f.position
FROM "{s}".deals a
LEFT JOIN LATERAL (
    SELECT d.position FROM "{s}".deals d
    WHERE d.stage_id = %(to)s AND {where} AND d.id <> %(deal)s AND (d.position, d.id) > (a.position, a.id)
    ORDER BY d.position, d.id LIMIT 1
) f ON true
WHERE a.id = %(after)s AND a.stage_id = %(to)s AND {a_where} AND a.id <> %(deal)s
"""
# the update and the history row in one statement;
MOVE_UPDATE_SQL = """
WITH moved AS (
    UPDATE "{s}".deals SET stage_id = %(to)s, position = %(position)s, probability = %(probability)s,
        stage_changed_at = now(), lost_reason = NULL, version = version + 1, updated_at = now()
    WHERE id = %(deal)s
    RETURNING id
)
INSERT INTO "{s}".deal_stage_changes (deal_id, from_stage_id, to_stage_id, moved_by_id, lost_reason, moved_at)
SELECT id, %(from)s, %(to)s, %(viewer)s, NULL, now() FROM moved
"""
# the two columns' new heads for the viewer.
MOVE_TOTALS_SQL = """
SELECT s.id, s.code, count(d.id), coalesce(sum(d.amount), 0),
       coalesce(sum(d.amount * coalesce(d.probability, 0)) / 100, 0)
FROM "{s}".stages s
LEFT JOIN "{s}".deals d ON d.stage_id = s.id AND d.pipeline_id = s.pipeline_id AND {where}
WHERE s.id IN (%(from)s, %(to)s)
GROUP BY s.id
"""


def deals_where(ids, alias="d"):
    """The board's visibility on deals: not in the recycle bin and, unless ``ids`` is None (an admin),
    owned by one of ``ids``, written into the SQL as a literal array."""
    where = f"{alias}.deleted_at IS NULL"
    if ids is None:
        return where
    return where + f" AND {alias}.owner_id = ANY('{{{','.join(str(int(i)) for i in ids)}}}'::bigint[])"


def team_board_sql(schema, pipeline_id, ids, limit=CARDS_PER_COLUMN):
    return TEAM_BOARD_SQL.format(s=check_schema_name(schema), pipeline_id=int(pipeline_id), where=deals_where(ids),
                                 limit=int(limit))


def team_board_floor(conn, schema, pipeline_id, viewer_id=None, limit=CARDS_PER_COLUMN):
    """Walk the viewer's subtree (none for an admin: ``viewer_id=None``), then totals and first cards of every
    column in one statement; ``run()`` returns the rows, one per card (one per empty column)."""

    def run():
        ids = None if viewer_id is None else visible_owner_ids(conn, schema, viewer_id)
        return conn.execute(team_board_sql(schema, pipeline_id, ids, limit)).fetchall()

    return run


def move_floor(conn, schema, viewer_id, see_all=False):
    """``move(deal_id, to_stage_id, after_id)`` -> ``(new version, {stage_id: (count, amount, weighted)})``:
    what a move needs, in one transaction: the walk (skipped for ``see_all``), lock and check, neighbours,
    update and history, the two columns' totals, commit."""
    s = check_schema_name(schema)

    def move(deal_id, to_stage_id, after_id):
        with conn.transaction():
            ids = None if see_all else visible_owner_ids(conn, schema, viewer_id)
            where = deals_where(ids)
            params = {"deal": deal_id, "to": to_stage_id, "after": after_id, "viewer": viewer_id}
            locked = conn.execute(MOVE_LOCK_SQL.format(s=s, where=where), params).fetchone()
            assert locked is not None, f"deal {deal_id} is not visible, or stage {to_stage_id} is not its pipeline's"
            version, from_stage_id, _kind, probability = locked[:4]
            assert from_stage_id != to_stage_id, "the floor's move would not change the stage"
            found = conn.execute(MOVE_NEIGHBOURS_SQL.format(s=s, where=where, a_where=deals_where(ids, "a")),
                                 params).fetchone()
            assert found is not None, f"card {after_id} is not in stage {to_stage_id}"
            anchor, following = found
            position = (anchor + following) / 2 if following is not None else anchor + 1024
            conn.execute(MOVE_UPDATE_SQL.format(s=s), dict(params, position=position, probability=probability,
                                                           **{"from": from_stage_id}))
            totals = conn.execute(MOVE_TOTALS_SQL.format(s=s, where=where),
                                  dict(params, **{"from": from_stage_id})).fetchall()
        return version + 1, {row[0]: tuple(row[2:]) for row in totals}

    return move


def explain_rolled_back(conn, sql, params):
    """EXPLAIN (ANALYZE, BUFFERS) inside a transaction that is rolled back: safe for UPDATE and INSERT too."""
    with conn.transaction():
        text = explain(conn, sql, params)
        raise psycopg.Rollback()
    return text
