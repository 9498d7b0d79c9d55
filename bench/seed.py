"""Set-based seeding of one big tenant: staff, 100k customers with a main contact, 20k deals.

Plain ``INSERT ... SELECT generate_series`` with the schema written into the
SQL (validated by ``check_schema_name``): a few seconds instead of minutes of
ORM inserts. Names are ASCII so trigram search behaves the same under any
server locale.
"""
from sqlalchemy import text

from crm_saas.tenants.binding import check_schema_name

CUSTOMERS = 100_000
DEALS = 20_000
REPS = 9

COMMON_TERM = "Logistics"  # one customer name in eight
RARE_TERM = "Quartzite"  # exactly one customer: the oldest, i.e. last in the list's newest-first order

PREFIXES = ["Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay", "Soylent", "Tyrell"]
SUFFIXES = ["Trading", COMMON_TERM, "Software", "Foods", "Motors", "Textiles", "Pharma", "Media"]
SURNAMES = ["Li", "Wang", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou"]
GIVEN = ["Wei", "Fang", "Na", "Min", "Jing", "Lei", "Yan", "Tao", "Jun", "Hui"]


def _array(words):
    return "ARRAY[" + ",".join(f"'{w}'" for w in words) + "]"


def seed_big_tenant(conn, schema, password_hash):
    """Fill ``schema`` (freshly provisioned, admin is user 1); returns row counts."""
    s = check_schema_name(schema)
    conn.execute(text(f"""
        INSERT INTO "{s}".users (username, password_hash, name, role, superior_id, active,
                                 must_change_password, failed_logins, session_token, created_at)
        SELECT 'rep' || g, :hash, 'Rep ' || g, 'rep', 1, true, false, 0, md5('rep' || g), now()
        FROM generate_series(1, {REPS}) g
    """), {"hash": password_hash})
    owners = [row[0] for row in conn.execute(text(f'SELECT id FROM "{s}".users ORDER BY id'))]
    owner_array = "ARRAY[" + ",".join(map(str, owners)) + "]::bigint[]"
    conn.execute(text(f"""
        INSERT INTO "{s}".customers (number, name, industry, type, source, owner_id, created_by_id,
                                     created_at, updated_at)
        SELECT 'CRM' || lpad(g::text, 8, '0'),
               CASE WHEN g = 1 THEN 'Zanzibar {RARE_TERM} Works'
                    ELSE ({_array(PREFIXES)})[1 + g % {len(PREFIXES)}] || ' '
                         || ({_array(SUFFIXES)})[1 + (g / {len(PREFIXES)}) % {len(SUFFIXES)}] || ' ' || g END,
               (ARRAY['manufacturing','it','retail','finance','services','other'])[1 + g % 6],
               (ARRAY['potential','intent','closed','lost'])[1 + g % 4],
               (ARRAY['online_inquiry','exhibition','referral','outbound','campaign','other'])[1 + g % 6],
               ({owner_array})[1 + g % {len(owners)}], 1,
               now() - make_interval(mins => {CUSTOMERS} - g), now() - make_interval(mins => {CUSTOMERS} - g)
        FROM generate_series(1, {CUSTOMERS}) g
    """))
    conn.execute(text(f"""
        INSERT INTO "{s}".contacts (customer_id, name, phone, is_primary)
        SELECT c.id,
               ({_array(SURNAMES)})[1 + c.id % {len(SURNAMES)}] || ' ' || ({_array(GIVEN)})[1 + (c.id / 10) % {len(GIVEN)}],
               '138' || lpad(c.id::text, 8, '0'), true
        FROM "{s}".customers c
    """))
    stages = [row[0] for row in conn.execute(text(f'SELECT id FROM "{s}".stages ORDER BY position'))]
    pipeline_id = conn.scalar(text(f'SELECT id FROM "{s}".pipelines WHERE is_default'))
    stage_array = "ARRAY[" + ",".join(map(str, stages)) + "]::bigint[]"
    conn.execute(text(f"""
        INSERT INTO "{s}".deals (name, customer_id, pipeline_id, stage_id, position, amount, expected_close,
                                 owner_id, probability, stage_changed_at, created_at, updated_at)
        SELECT 'Deal ' || g, 1 + (g * 7919) % {CUSTOMERS}, {pipeline_id},
               ({stage_array})[1 + g % {len(stages)}], (g / {len(stages)}) * 1024.0,
               (g % 1000) * 100 + 0.5, current_date + (g % 90), ({owner_array})[1 + g % {len(owners)}],
               10, now(), now(), now()
        FROM generate_series(1, {DEALS}) g
    """))
    for table in ("users", "customers", "contacts", "deals", "stages", "pipelines"):
        conn.execute(text(f'ANALYZE "{s}".{table}'))
    return {"customers": CUSTOMERS, "deals": DEALS, "stages": len(stages), "staff": len(owners)}
