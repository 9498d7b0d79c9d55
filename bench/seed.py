"""Set-based seeding: a flat big tenant (100k customers, 20k deals) and a deep-tree one (2,000 staff).

Plain ``INSERT ... SELECT generate_series`` with the schema written into the
SQL (validated by ``check_schema_name``): a few seconds instead of minutes of
ORM inserts. Names are ASCII so trigram search behaves the same under any
server locale; region values are Chinese (as real ones are), but they are only
ever compared for equality by the list's filters, never searched.
"""
from sqlalchemy import text

from crm_saas.tenants.binding import check_schema_name

CUSTOMERS = 100_000
DEALS = 20_000
REPS = 9

COMMON_TERM = "Logistics"  # one customer name in eight
SHORT_TERM = "zi"  # two letters (as in 华为): only in "Zanzibar Quartzite Works"; too short for a trigram index
RARE_TERM = "Quartzite"  # exactly one customer: the oldest, i.e. last in the list's newest-first order,
# and, as "Zanzibar Quartzite Works", last in name order too (every other name starts Acme..Wayne)

# Province / city / district triples; repeats weight them, so 上海市 holds a third of the customers.
# The customer list's filters compare them for equality (ix_customers_region), nothing searches them.
REGIONS = [("上海市", "上海市", "浦东新区"), ("上海市", "上海市", "浦东新区"), ("上海市", "上海市", "徐汇区"),
           ("北京市", "北京市", "朝阳区"), ("北京市", "北京市", "海淀区"), ("广东省", "深圳市", "南山区"),
           ("广东省", "广州市", "天河区"), ("浙江省", "杭州市", "西湖区"), ("四川省", "成都市", "武侯区")]
# Tag sets, comma-joined (string_to_array turns '' into an empty array): half the customers have none.
TAG_SETS = ["", "", "", "", "vip", "vip,east", "east", "key-account", "new", "vip,key-account"]
# The list bench's three filters: type = g % 4 and industry = g % 6 pick every 12th customer (8,333),
# the province a third of those: about 2,800 rows, and one in eight of them has COMMON_TERM in its name.
# The RARE_TERM customer (g = 1) is among them.
FILTER_TYPE, FILTER_INDUSTRY, FILTER_PROVINCE = "intent", "it", "上海市"

# The deep-tree tenant: 2,000 staff, the admin at depth 0 and people at every depth 1..8.
# Six directors split the company 22/20/18/16/14/10 %; each director's share is split again
# between their managers (depth 2); below that each level is dealt out evenly by headcount.
TREE_STAFF = 2_000
TREE_DIRECTORS = ((22, (70, 30)), (20, (40, 35, 25)), (18, (50, 50)), (16, (40, 30, 30)), (14, (60, 40)),
                  (10, (100,)))
TREE_LEVELS = (45, 130, 260, 420, 560)  # people at depths 3..7; depth 8 takes the rest

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
    owner_array, owner_count = _owners_array(conn, s)
    _customers_with_contacts(conn, s, owner_array, owner_count)
    stages = [row[0] for row in conn.execute(text(f'SELECT id FROM "{s}".stages ORDER BY position'))]
    pipeline_id = conn.scalar(text(f'SELECT id FROM "{s}".pipelines WHERE is_default'))
    stage_array = "ARRAY[" + ",".join(map(str, stages)) + "]::bigint[]"
    conn.execute(text(f"""
        INSERT INTO "{s}".deals (name, customer_id, pipeline_id, stage_id, position, amount, expected_close,
                                 owner_id, probability, stage_changed_at, created_at, updated_at)
        SELECT 'Deal ' || g, 1 + (g * 7919) % {CUSTOMERS}, {pipeline_id},
               ({stage_array})[1 + g % {len(stages)}], (g / {len(stages)}) * 1024.0,
               (g % 1000) * 100 + 0.5, current_date + (g % 90), ({owner_array})[1 + g % {owner_count}],
               10, now(), now(), now()
        FROM generate_series(1, {DEALS}) g
    """))
    for table in ("users", "customers", "contacts", "deals", "stages", "pipelines"):
        conn.execute(text(f'ANALYZE "{s}".{table}'))
    return {"customers": CUSTOMERS, "deals": DEALS, "stages": len(stages), "staff": owner_count}


def _owners_array(conn, s):
    """Every staff id as a literal ``ARRAY[...]::bigint[]``, and how many."""
    owners = [row[0] for row in conn.execute(text(f'SELECT id FROM "{s}".users ORDER BY id'))]
    return "ARRAY[" + ",".join(map(str, owners)) + "]::bigint[]", len(owners)


def _customers_with_contacts(conn, s, owner_array, owner_count):
    """CUSTOMERS customers, one a minute up to now, dealt round-robin over the owners; one main contact each.

    Region and tags come from hashes of ``g`` (``hashint4extended`` with a seed per column),
    so they are spread independently of type, industry, owner, name and age. ``name_key``
    and ``phone_key`` are what keys.py would store for these ASCII names and digit-only phones.
    """
    region = f"(CASE WHEN g = 1 THEN 1 ELSE 1 + abs(hashint4extended(g, 1)) % {len(REGIONS)} END)"
    conn.execute(text(f"""
        INSERT INTO "{s}".customers (number, name, name_key, industry, type, source, owner_id, created_by_id,
                                     province, city, district, tags, created_at, updated_at)
        SELECT number, name, lower(regexp_replace(name, '[^A-Za-z0-9]+', '', 'g')), industry, type, source,
               owner_id, 1, province, city, district, tags, created_at, created_at
        FROM (
            SELECT 'CRM' || lpad(g::text, 8, '0') AS number,
                   CASE WHEN g = 1 THEN 'Zanzibar {RARE_TERM} Works'
                        ELSE ({_array(PREFIXES)})[1 + g % {len(PREFIXES)}] || ' '
                             || ({_array(SUFFIXES)})[1 + (g / {len(PREFIXES)}) % {len(SUFFIXES)}] || ' ' || g
                   END AS name,
                   (ARRAY['manufacturing','it','retail','finance','services','other'])[1 + g % 6] AS industry,
                   (ARRAY['potential','intent','closed','lost'])[1 + g % 4] AS type,
                   (ARRAY['online_inquiry','exhibition','referral','outbound','campaign','other'])[1 + g % 6]
                       AS source,
                   ({owner_array})[1 + g % {owner_count}] AS owner_id,
                   ({_array(r[0] for r in REGIONS)})[{region}] AS province,
                   ({_array(r[1] for r in REGIONS)})[{region}] AS city,
                   ({_array(r[2] for r in REGIONS)})[{region}] AS district,
                   string_to_array(({_array(TAG_SETS)})[1 + abs(hashint4extended(g, 2)) % {len(TAG_SETS)}], ',')
                       AS tags,
                   now() - make_interval(mins => {CUSTOMERS} - g) AS created_at
            FROM generate_series(1, {CUSTOMERS}) g
        ) rows
    """))
    conn.execute(text(f"""
        INSERT INTO "{s}".contacts (customer_id, name, phone, phone_key, is_primary)
        SELECT customer_id, name, phone, regexp_replace(phone, '[^0-9]+', '', 'g'), true
        FROM (
            SELECT c.id AS customer_id,
                   ({_array(SURNAMES)})[1 + c.id % {len(SURNAMES)}] || ' '
                   || ({_array(GIVEN)})[1 + (c.id / 10) % {len(GIVEN)}] AS name,
                   '138' || lpad(c.id::text, 8, '0') AS phone
            FROM "{s}".customers c
        ) rows
    """))


def tree_superiors(staff=TREE_STAFF, directors=TREE_DIRECTORS, levels=TREE_LEVELS):
    """``superiors[i]`` is the superior of user ``i + 2`` (user 1 is the admin), parents before children.

    Each depth's headcount is shared out over the team leads of the depth above
    in proportion to the weight of their branch (largest remainder), so subtree
    sizes follow the weights; the first half of every team (rounded up) lead
    teams one level down, and split their superior's weight evenly.
    """
    superiors, weight = [], {1: 1.0}
    depth1 = [(2 + i, share / 100) for i, (share, _) in enumerate(directors)]
    for uid, w in depth1:
        superiors.append(1)
        weight[uid] = w
    next_id = 2 + len(directors)
    above = []
    for (uid, w), (_, splits) in zip(depth1, directors, strict=True):
        for split in splits:
            superiors.append(uid)
            weight[next_id] = w * split / sum(splits)
            above.append(next_id)
            next_id += 1
    counts = list(levels) + [staff - next_id + 1 - sum(levels)]
    for count in counts:
        total = sum(weight[p] for p in above)
        quotas = [count * weight[p] / total for p in above]
        shares = [int(q) for q in quotas]
        for k in sorted(range(len(above)), key=lambda k: shares[k] - quotas[k])[:count - sum(shares)]:
            shares[k] += 1
        leads = []
        for parent, n in zip(above, shares, strict=True):
            team = range(next_id, next_id + n)
            superiors.extend([parent] * n)
            next_id += n
            # The first half of each team lead teams of their own; the rest are reps at the leaves.
            for uid in team[:(n + 1) // 2]:
                weight[uid] = weight[parent] / ((n + 1) // 2)
                leads.append(uid)
        above = leads
    assert len(superiors) == staff - 1
    return superiors


def seed_tree_tenant(conn, schema, password_hash):
    """Fill ``schema`` (freshly provisioned, admin is user 1) with the 2,000-person tree and 100k customers.

    Ids are given explicitly (user ``i`` is ``staff<i>``) so the tree can be
    built in one INSERT; anyone with someone below them is a supervisor.
    Customers are dealt round-robin over all staff, about 50 each.
    """
    s = check_schema_name(schema)
    superiors = tree_superiors()
    conn.execute(text(f"""
        INSERT INTO "{s}".users (id, username, password_hash, name, role, superior_id, active,
                                 must_change_password, failed_logins, session_token, created_at)
        SELECT 1 + n, 'staff' || (1 + n), :hash, 'Staff ' || (1 + n), 'rep', sup, true, false, 0,
               md5('staff' || (1 + n)), now()
        FROM unnest(CAST(:superiors AS bigint[])) WITH ORDINALITY AS t(sup, n)
    """), {"hash": password_hash, "superiors": superiors})
    conn.execute(text(f"""
        UPDATE "{s}".users u SET role = 'supervisor'
        WHERE u.role = 'rep' AND EXISTS (SELECT 1 FROM "{s}".users c WHERE c.superior_id = u.id)
    """))
    conn.execute(text(f"""
        SELECT setval(pg_get_serial_sequence('"{s}".users', 'id'), (SELECT max(id) FROM "{s}".users))
    """))
    owner_array, owner_count = _owners_array(conn, s)
    _customers_with_contacts(conn, s, owner_array, owner_count)
    for table in ("users", "customers", "contacts"):
        conn.execute(text(f'ANALYZE "{s}".{table}'))
    return {"customers": CUSTOMERS, "staff": owner_count}


# The deep-tree tenant's board (team_board.py): deals dealt round-robin over all 2,000 staff (10 each), each on
# one of its owner's own customers, spread over the 6 default stages like a funnel (weights out of 50).
TREE_DEALS = 20_000
TREE_STAGE_WEIGHTS = (15, 11, 9, 6, 5, 4)
LOST_REASON = "Budget cut"


def seed_tree_deals(conn, schema):
    """Fill the tree tenant's default pipeline with TREE_DEALS deals; returns counts per stage id.

    Deal ``g`` sits on customer ``g + 20000 * (g % 5)`` (all distinct; the customer's owner is staff
    ``g % 2000`` in id order, so every person owns 10 deals) and takes that customer's owner. The stage
    comes from a hash of ``g``, independent of the owner; positions follow ``g``, so every column
    interleaves all owners. Probability is the stage's; a quarter of the open deals are past their
    expected close, and with no follow-up for more than 14 days (``last_activity_at`` NULL on one deal in
    four, else up to 30 days ago) a good part of them rot. Every NOT NULL column without a server
    default is filled (``version``, ``products`` and ``custom`` take theirs).
    """
    s = check_schema_name(schema)
    assert conn.scalar(text(f'SELECT count(*) FROM "{s}".customers')) >= TREE_DEALS * 5
    first = conn.scalar(text(f'SELECT min(id) FROM "{s}".customers'))
    pipeline_id = conn.scalar(text(f'SELECT id FROM "{s}".pipelines WHERE is_default'))
    stages = conn.execute(text(f"""
        SELECT id, probability, kind FROM "{s}".stages
        WHERE pipeline_id = :p AND removed_at IS NULL ORDER BY position
    """), {"p": pipeline_id}).all()
    assert len(stages) == len(TREE_STAGE_WEIGHTS), f"expected the {len(TREE_STAGE_WEIGHTS)} default stages"
    buckets = [stage for stage, weight in zip(stages, TREE_STAGE_WEIGHTS, strict=True) for _ in range(weight)]
    stage_array = "ARRAY[" + ",".join(str(st.id) for st in buckets) + "]::bigint[]"
    prob_array = "ARRAY[" + ",".join(str(st.probability) for st in buckets) + "]::int[]"
    lost_ids = ",".join(str(st.id) for st in stages if st.kind == "lost") or "0"
    conn.execute(text(f"""
        INSERT INTO "{s}".deals (name, customer_id, pipeline_id, stage_id, position, amount, expected_close,
                                 owner_id, probability, lost_reason, last_activity_at, created_by_id,
                                 stage_changed_at, created_at, updated_at)
        SELECT 'Deal ' || x.g, c.id, {pipeline_id}, x.stage_id, x.g * 1024.0,
               (100 + abs(hashint4extended(x.g, 4)) % 9900) * 100 + 0.5,
               current_date - 30 + x.g % 120, c.owner_id, x.probability,
               CASE WHEN x.stage_id IN ({lost_ids}) THEN '{LOST_REASON}' END,
               CASE WHEN x.g % 4 <> 0 THEN now() - make_interval(hours => (x.g * 7) % 720) END,
               c.owner_id, now() - make_interval(days => x.g % 45), now() - make_interval(days => x.g % 45 + x.g % 90),
               now()
        FROM (
            SELECT g, ({stage_array})[1 + abs(hashint4extended(g, 3)) % {len(buckets)}] AS stage_id,
                   ({prob_array})[1 + abs(hashint4extended(g, 3)) % {len(buckets)}] AS probability
            FROM generate_series(1, {TREE_DEALS}) g
        ) x
        JOIN "{s}".customers c ON c.id = {first} - 1 + x.g + {TREE_DEALS} * (x.g % 5)
    """))
    for table in ("deals", "stages"):
        conn.execute(text(f'ANALYZE "{s}".{table}'))
    return dict(conn.execute(text(f'SELECT stage_id, count(*) FROM "{s}".deals GROUP BY stage_id')).all())
