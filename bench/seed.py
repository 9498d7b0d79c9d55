"""Set-based seeding: a flat big tenant (100k customers, 20k deals) and a deep-tree one (2,000 staff).

Plain ``INSERT ... SELECT generate_series`` with the schema written into the
SQL (validated by ``check_schema_name``): a few seconds instead of minutes of
ORM inserts. Names are ASCII so trigram search behaves the same under any
server locale; region values are Chinese (as real ones are), but they are only
ever compared for equality by the list's filters, never searched.
"""
import time

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


# The reports bench (reports.py, issue 16): on the tree tenant with its TREE_DEALS deals, a history to report on.
# Customers are spread over CUSTOMER_DAYS (same order, so every owner's customers still interleave), deals walk
# the default stages over REPORT_DAYS, follow-ups over FOLLOW_UP_DAYS; nothing happens before its customer exists.
CUSTOMER_DAYS = 730
REPORT_DAYS = 540
MAX_CYCLE_DAYS = 180  # a closed deal's creation to its close
OPEN_DAYS = 180  # an open deal's age at most
FOLLOW_UPS = 200_000
FOLLOW_UP_DAYS = 365
TYPE_CHANGED = 20_000  # customers whose type moved (potential -> intent -> closed / lost), in the change log
FOLLOW_UP_TYPES = ("call", "visit", "email", "meeting", "wechat", "call", "wechat")  # calls and WeChat the most
LOST_REASONS = (LOST_REASON, "Price too high", "Chose a competitor", "No decision", "Requirements changed")
# A deal's path through the 6 default stages by position (0-3 open, 4 won, 5 lost), one per bucket of 1,000 deals
# (deals are dealt to buckets in hash order): 7 end open, 7 won, 6 lost; 100 rows over the 20 buckets, so 20,000
# deals have exactly 100,000 stage changes. The first row of each path is the creation (from no stage).
DEAL_PATHS = (
    "0", "0,1", "0,1,2", "0,1,2,3", "0,1,2,1,2", "0,1,2,3,2,3", "0,1,2,3",  # open
    "0,1,2,3,4", "0,1,2,3,4", "0,2,3,4", "0,1,2,1,2,3,4", "0,1,2,3,2,3,4", "0,1,5,1,2,3,4",  # won (the last after
    "0,1,2,1,2,3,2,3,4",                                                                  # a loss was reopened)
    "0,5", "0,1,2,1,5", "0,1,2,5", "0,1,2,1,2,3,5", "0,1,2,3,2,3,5", "0,1,2,3,2,5",  # lost
)
# A customer's type history by its type now and a variant (hash % 4): the change log's type rows, oldest first.
TYPE_PATHS = {
    "intent": ("potential,intent",) * 4,
    "closed": ("potential,closed", "potential,intent,closed", "potential,intent,closed", "potential,intent,closed"),
    "lost": ("potential,lost", "potential,intent,lost", "potential,intent,closed,lost",
             "potential,intent,closed,lost"),
}
TASK_EVERY = 10  # every tenth follow-up asks for a next one a week later: a task, done unless one in ten


def _frac(expr, seed):
    """A number in [0, 1) from a hash of ``expr`` (an integer SQL expression) with ``seed``."""
    return f"((abs(hashint8extended(({expr})::bigint, {seed})) % 1000000) / 1000000.0)"


def seed_report_history(conn, schema, log=None):
    """Give the tree tenant (after ``seed_tree_deals``) a history for the reports; returns row counts.

    Set-based SQL only. Every timestamp follows from the ones before it: a deal is created after its
    customer, its stage changes (``deal_stage_changes``, rewritten whole) run from its creation to
    ``stage_changed_at``, a closed deal's ``expected_close`` is near its close and an open one's ahead of
    its creation, a lost deal's reason is that of its last move; a follow-up comes after its customer,
    ``last_follow_up_at`` and ``last_activity_at`` are the newest follow-ups', a type change comes between
    the customer's creation and now, ending in its type now. The customers' new creation times are worked
    out first (``bench_customer_times``) and written once at the end, with ``last_follow_up_at``: every
    update of a customer rewrites its row in all eleven of its indexes (trigram and gram ones included).
    ``log(step, ms)``, if given, hears each step's time.
    """
    s = check_schema_name(schema)
    first = conn.scalar(text(f'SELECT min(id) FROM "{s}".customers'))
    spacing = CUSTOMER_DAYS * 86400 / CUSTOMERS
    steps = (
        ("customer times", lambda: conn.execute(text(f"""
            CREATE TEMP TABLE bench_customer_times ON COMMIT DROP AS
            SELECT id, type, owner_id, now() - make_interval(secs => ({CUSTOMERS} - (id - {first})) * {spacing})
                AS created_at
            FROM "{s}".customers;
            ALTER TABLE bench_customer_times ADD PRIMARY KEY (id);
            ANALYZE bench_customer_times
        """))),
        ("deal history", lambda: _deal_history(conn, s, first)),
        ("follow-ups and tasks", lambda: _follow_ups(conn, s, first)),
        ("type changes", lambda: _type_changes(conn, s)),
        ("targets", lambda: _targets(conn, s)),
        ("customers", lambda: conn.execute(text(f"""
            UPDATE "{s}".customers c
            SET created_at = t.created_at, updated_at = t.created_at, owned_at = t.created_at,
                last_follow_up_at = m.at
            FROM bench_customer_times t
            LEFT JOIN (SELECT customer_id, max(occurred_at) AS at FROM "{s}".activities GROUP BY customer_id) m
                ON m.customer_id = t.id
            WHERE c.id = t.id
        """))),
        ("analyze", lambda: [conn.execute(text(f'ANALYZE "{s}".{table}')) for table in REPORT_TABLES]),
    )
    for name, step in steps:
        started = time.perf_counter()
        step()
        if log:
            log(name, (time.perf_counter() - started) * 1000)
    return {table: conn.scalar(text(f'SELECT count(*) FROM "{s}".{table}')) for table in REPORT_TABLES}


REPORT_TABLES = ("customers", "deals", "deal_stage_changes", "activities", "tasks", "customer_changes", "targets")


def _deal_history(conn, s, first):
    pipeline_id = conn.scalar(text(f'SELECT id FROM "{s}".pipelines WHERE is_default'))
    stages = conn.execute(text(f"""
        SELECT id, probability, kind FROM "{s}".stages
        WHERE pipeline_id = :p AND removed_at IS NULL ORDER BY position
    """), {"p": pipeline_id}).all()
    assert [st.kind for st in stages] == ["open"] * 4 + ["won", "lost"], "expected the 6 default stages"
    deals = conn.scalar(text(f'SELECT count(*) FROM "{s}".deals'))
    assert deals == TREE_DEALS and len(DEAL_PATHS) == 20 and sum(p.count(",") + 1 for p in DEAL_PATHS) == 100
    stage_ids = "ARRAY[" + ",".join(str(st.id) for st in stages) + "]::bigint[]"
    probabilities = "ARRAY[" + ",".join(str(st.probability) for st in stages) + "]::int[]"
    reason = f"({_array(LOST_REASONS)})[1 + abs(hashint8extended(id * 16 + n, 10)) % {len(LOST_REASONS)}]"
    # Each deal: its path; its age, uniform over REPORT_DAYS (open deals over OPEN_DAYS); its moves over
    # ``cycle`` (a closed deal's at most MAX_CYCLE_DAYS; an open one has sat in its stage since); and its
    # customer, one of its owner's that is older than the deal (customer ``g`` of ``_customers_with_contacts``
    # is owned by staff ``g % TREE_STAFF`` in id order and, after ``bench_customer_times``, was created
    # ``(CUSTOMERS + 1 - g) * spacing`` seconds ago), picked by a hash, so some customers get two deals or more.
    spacing = CUSTOMER_DAYS * 86400 / CUSTOMERS
    conn.execute(text(f"""
        CREATE TEMP TABLE bench_deal_paths ON COMMIT DROP AS
        SELECT id, owner_id, path, age,
               {first} - 1 + slot + {TREE_STAFF} * (kmin + abs(hashint8extended(id, 24)) % (kmax - kmin + 1))
                   AS customer_id,
               age * CASE WHEN open THEN 0.3 + 0.65 * {_frac("id", 22)} ELSE 0.15 + 0.85 * {_frac("id", 22)} END
                   AS cycle
        FROM (
            SELECT d.id, d.owner_id, p.path, p.open, (d.customer_id - {first} + 1) % {TREE_STAFF} AS slot,
                   CASE WHEN p.open THEN interval '3 days' + interval '{OPEN_DAYS - 3} days' * {_frac("d.id", 21)}
                        ELSE interval '2 days' + interval '{REPORT_DAYS - 2} days' * {_frac("d.id", 21)} END AS age
            FROM (SELECT id, (row_number() OVER (ORDER BY hashint8extended(id, 7)) - 1) % 20 AS bucket
                  FROM "{s}".deals) x
            JOIN "{s}".deals d ON d.id = x.id
            CROSS JOIN LATERAL (
                SELECT path, path[cardinality(path)] < 4 AS open
                FROM (SELECT string_to_array(({_array(DEAL_PATHS)})[1 + x.bucket::int], ',')::int[] AS path) q
            ) p
        ) t
        CROSS JOIN LATERAL (
            SELECT CASE WHEN slot = 0 THEN 1 ELSE 0 END AS kmin,
                   floor(({CUSTOMERS} + 1 - extract(epoch FROM age) / {spacing} - slot) / {TREE_STAFF})::int AS kmax
        ) k
    """))
    conn.execute(text(f"""
        UPDATE bench_deal_paths SET cycle = least(cycle, interval '{MAX_CYCLE_DAYS} days')
        WHERE path[cardinality(path)] >= 4
    """))
    conn.execute(text(f"""
        CREATE TEMP TABLE bench_deal_steps ON COMMIT DROP AS
        SELECT id, owner_id, n, is_last, ({stage_ids})[ix + 1] AS stage_id, ix,
               CASE WHEN ix = 5 THEN {reason} END AS lost_reason,
               now() - age + cycle * coalesce(cum::float8 / nullif(total, 0), 0) AS moved_at
        FROM (
            SELECT p.id, p.owner_id, p.age, p.cycle, s.ix, s.n, s.n = cardinality(p.path) AS is_last,
                   sum(s.w) OVER (PARTITION BY p.id ORDER BY s.n) AS cum, sum(s.w) OVER (PARTITION BY p.id) AS total
            FROM bench_deal_paths p
            CROSS JOIN LATERAL (
                SELECT ix, n, CASE WHEN n = 1 THEN 0 ELSE 1 + abs(hashint8extended(p.id * 16 + n, 9)) % 20 END AS w
                FROM unnest(p.path) WITH ORDINALITY AS u(ix, n)
            ) s
        ) t
    """))
    conn.execute(text(f'DELETE FROM "{s}".deal_stage_changes'))  # the board bench's moves, if it ran
    conn.execute(text(f"""
        INSERT INTO "{s}".deal_stage_changes (deal_id, from_stage_id, to_stage_id, moved_by_id, lost_reason, moved_at)
        SELECT id, lag(stage_id) OVER (PARTITION BY id ORDER BY n), stage_id, owner_id, lost_reason, moved_at
        FROM bench_deal_steps ORDER BY moved_at
    """))
    conn.execute(text(f"""
        UPDATE "{s}".deals d
        SET customer_id = p.customer_id, stage_id = st.stage_id, probability = ({probabilities})[st.ix + 1],
            lost_reason = st.lost_reason, created_at = now() - p.age, stage_changed_at = st.moved_at,
            updated_at = st.moved_at, version = 1, deleted_at = NULL,
            expected_close = CASE
                WHEN st.ix >= 4 THEN (st.moved_at AT TIME ZONE 'Asia/Shanghai')::date
                                     + (abs(hashint8extended(d.id, 23)) % 21)::int - 10
                ELSE ((now() - p.age) AT TIME ZONE 'Asia/Shanghai')::date
                     + 30 + (abs(hashint8extended(d.id, 23)) % 120)::int END
        FROM bench_deal_paths p JOIN bench_deal_steps st ON st.id = p.id AND st.is_last
        WHERE d.id = p.id
    """))


def _follow_ups(conn, s, first):
    """FOLLOW_UPS follow-ups over FOLLOW_UP_DAYS, each on a random customer created before it (so older customers
    have more), by its owner, on the customer's first deal if it existed by then; every TASK_EVERY-th asks for a
    next one a week later (a task)."""
    spacing = CUSTOMER_DAYS * 86400 / CUSTOMERS
    conn.execute(text(f"""
        INSERT INTO "{s}".activities (customer_id, deal_id, type, occurred_at, summary, next_follow_up_at,
                                      created_by_id, created_at, updated_at)
        SELECT c.id, (SELECT d.id FROM "{s}".deals d WHERE d.customer_id = c.id AND d.created_at <= t.at
                      ORDER BY d.created_at LIMIT 1),
               ({_array(FOLLOW_UP_TYPES)})[1 + abs(hashint4extended(t.k, 14)) % {len(FOLLOW_UP_TYPES)}], t.at,
               'Follow-up ' || t.k, CASE WHEN t.k % {TASK_EVERY} = 0 THEN t.at + interval '7 days' END,
               coalesce(c.owner_id, 1), t.at + make_interval(mins => t.k % 600), t.at + make_interval(mins => t.k % 600)
        FROM (SELECT k, now() - interval '{FOLLOW_UP_DAYS} days' * {_frac("k", 13)} AS at
              FROM generate_series(1, {FOLLOW_UPS}) k) t
        CROSS JOIN LATERAL (
            SELECT {first} - 1 + 1 + abs(hashint4extended(t.k, 11))
                   % floor({CUSTOMERS} + 1 - extract(epoch FROM now() - t.at) / {spacing})::int AS customer_id
        ) x
        JOIN bench_customer_times c ON c.id = x.customer_id
        ORDER BY t.at
    """))
    conn.execute(text(f"""
        UPDATE "{s}".deals d SET last_activity_at = m.at
        FROM (SELECT deal_id, max(occurred_at) AS at FROM "{s}".activities WHERE deal_id IS NOT NULL
              GROUP BY deal_id) m
        WHERE m.deal_id = d.id
    """))
    conn.execute(text(f"""
        INSERT INTO "{s}".tasks (title, due_at, customer_id, deal_id, activity_id, assignee_id, done, done_at,
                                 created_by_id, created_at)
        SELECT 'Follow up again', a.next_follow_up_at, a.customer_id, a.deal_id, a.id, a.created_by_id, f.done,
               CASE WHEN f.done THEN a.next_follow_up_at END, a.created_by_id, a.created_at
        FROM "{s}".activities a
        CROSS JOIN LATERAL (SELECT a.next_follow_up_at < now() - interval '2 days' AND a.id % 97 % 10 <> 0 AS done) f
        WHERE a.next_follow_up_at IS NOT NULL
    """))


def _type_changes(conn, s):
    """TYPE_CHANGED customers (not potential now) with their type's history in the change log, by their owner."""
    paths = ", ".join(f"('{kind}', {variant}, '{path}')" for kind, variants in TYPE_PATHS.items()
                      for variant, path in enumerate(variants))
    conn.execute(text(f"""
        INSERT INTO "{s}".customer_changes (customer_id, at, actor_id, actor_name, action, field, old, new)
        SELECT c.id, c.created_at + (now() - c.created_at)
                                    * ((step.n - 1 + 0.1 + 0.8 * {_frac("c.id * 8 + step.n", 16)})
                                       / (cardinality(p.path) - 1)),
               u.id, u.name, 'updated', 'type', to_jsonb(p.path[step.n]), to_jsonb(p.path[step.n + 1])
        FROM (SELECT id, row_number() OVER (ORDER BY hashint8extended(id, 12)) AS r FROM bench_customer_times
              WHERE type <> 'potential' AND owner_id IS NOT NULL) pick
        JOIN bench_customer_times c ON c.id = pick.id
        JOIN "{s}".users u ON u.id = c.owner_id
        JOIN (VALUES {paths}) AS v(type, variant, path_text)
            ON v.type = c.type AND v.variant = abs(hashint8extended(c.id, 15)) % 4
        CROSS JOIN LATERAL (SELECT string_to_array(v.path_text, ',') AS path) p
        CROSS JOIN LATERAL generate_series(1, cardinality(p.path) - 1) AS step(n)
        WHERE pick.r <= {TYPE_CHANGED}
        ORDER BY 2
    """))


def _targets(conn, s):
    """A few targets: this month's for every tenth person (each metric), and this month's and quarter's won
    amount for every team led from depth 1 and 2 (its own, beside the sum of its people's)."""
    month = "to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')"
    quarter = "to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-\"Q\"Q')"
    conn.execute(text(f"""
        INSERT INTO "{s}".targets (period, user_id, metric, value, created_by_id, created_at, updated_at)
        SELECT {month}, u.id, m.metric, m.base + u.id % 7 * m.step, 1, now(), now()
        FROM "{s}".users u
        CROSS JOIN (VALUES ('won_amount', 200000, 50000), ('new_customers', 3, 1), ('follow_ups', 12, 4))
            AS m(metric, base, step)
        WHERE u.id % 10 = 0
    """))
    conn.execute(text(f"""
        WITH RECURSIVE tree(id, depth) AS (
            SELECT id, 0 FROM "{s}".users WHERE superior_id IS NULL
            UNION ALL SELECT u.id, t.depth + 1 FROM "{s}".users u JOIN tree t ON u.superior_id = t.id
        )
        INSERT INTO "{s}".targets (period, team_id, metric, value, created_by_id, created_at, updated_at)
        SELECT p.period, t.id, 'won_amount', p.scale * (5000000 - t.depth * 1500000), 1, now(), now()
        FROM tree t CROSS JOIN (VALUES ({month}, 1), ({quarter}, 3)) AS p(period, scale)
        WHERE t.depth IN (1, 2)
    """))
