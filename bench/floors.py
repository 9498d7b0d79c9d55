"""Raw-SQL floors: what the board and the customer lists cost the database, hand-written.

Executed with psycopg on its own connection, outside Flask and the ORM, over the
same data as the pages. Each returns a callable that runs the work once and
fetches every row, so it can be timed like a page.
"""
import psycopg

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

# The predicate customers.services.search_filter builds for an admin: contacts'
# matches as an array of ids, so each arm of the OR is an index condition.
SEARCH_WHERE = """
c.deleted_at IS NULL AND (
    c.number = %(q)s OR c.name ILIKE %(pattern)s
    OR c.id = ANY(ARRAY(SELECT customer_id FROM "{s}".contacts WHERE name ILIKE %(pattern)s
                        UNION SELECT customer_id FROM "{s}".contacts WHERE phone LIKE %(q)s || '%%'))
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


def connect(database_url):
    return psycopg.connect(database_url, autocommit=True)


def board_floor(conn, schema, pipeline_id, limit=50):
    sql = BOARD_SQL.format(s=check_schema_name(schema))
    params = {"pipeline_id": pipeline_id, "limit": limit}

    def run():
        return conn.execute(sql, params).fetchall()

    return run


def search_floor(conn, schema, q, limit=50):
    s = check_schema_name(schema)
    count_sql, page_sql = SEARCH_COUNT_SQL.format(s=s), SEARCH_PAGE_SQL.format(s=s)
    params = {"q": q, "pattern": f"%{q}%", "limit": limit}

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


def explain(conn, sql, params):
    """EXPLAIN (ANALYZE, BUFFERS) text, for the --explain flag."""
    return "\n".join(row[0] for row in conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params))
