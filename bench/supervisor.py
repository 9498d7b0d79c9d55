"""The customer list as a supervisor sees it: a deep tree, walked on every request.

A second tenant holds 2,000 staff in a tree of depth 8 (``seed.tree_superiors``)
and 100k customers dealt over all of them. The measured supervisor is the person
at depth 2 or 3 whose subtree is largest while still "a few hundred" people; a rep
at the bottom of the tree is measured too, because a small visible set is where a
planner that cannot see the set's size goes most wrong.
"""
from bench import floors, seed
from bench.timing import compare, once_ms, sql_meter
from crm_saas.tenants.binding import check_schema_name

TREE_SLUG = "tree"
MAX_SUBTREE = 400


def seed_tenant(app, db, password_hash, log):
    """Provision and fill the tree tenant; returns its schema."""
    from crm_saas.tenants.provisioning import provision_tenant, schema_for

    with app.app_context():
        provision_tenant(TREE_SLUG, "Bench Tree Co", {"username": "admin", "password_hash": password_hash,
                                                       "name": "Admin"})
        schema = schema_for(TREE_SLUG)
        log(f"seeding {seed.TREE_STAFF:,} staff in a tree of depth 8 and {seed.CUSTOMERS:,} customers into {schema}")

        def fill():
            with db.engine.begin() as conn:
                return seed.seed_tree_tenant(conn, schema, password_hash)

        ms, _ = once_ms(fill)
        log(f"seeded and analyzed in {ms / 1000:.1f} s")
        db.session.remove()
    return schema


def tree_shape(raw, schema):
    """``{id: (username, depth, subtree size)}`` for every active person."""
    s = check_schema_name(schema)
    rows = raw.execute(f'SELECT id, superior_id, username FROM "{s}".users WHERE active ORDER BY id').fetchall()
    superior = {uid: sup for uid, sup, _ in rows}
    depth, size = {}, {uid: 1 for uid in superior}

    def depth_of(uid):
        if uid not in depth:
            depth[uid] = 0 if superior[uid] is None else depth_of(superior[uid]) + 1
        return depth[uid]

    for uid in superior:
        up = superior[uid]
        while up is not None:
            size[up] += 1
            up = superior[up]
    return {uid: (name, depth_of(uid), size[uid]) for uid, _, name in rows}


def pick_viewers(raw, schema):
    """The measured supervisor (depth 2-3, largest subtree up to MAX_SUBTREE) and the deepest rep."""
    shape = tree_shape(raw, schema)
    supervisor = max((uid for uid, (_, d, n) in shape.items() if d in (2, 3) and n <= MAX_SUBTREE),
                     key=lambda uid: (shape[uid][2], -uid))
    rep = max((uid for uid, (_, _, n) in shape.items() if n == 1), key=lambda uid: (shape[uid][1], uid))
    top = max((uid for uid, (_, d, _) in shape.items() if d == 1), key=lambda uid: shape[uid][2])
    return shape, supervisor, rep, top


def run(app, db, raw, schema, client_for, password, runs, log, explain=False):
    """Result rows for the supervisor's list (full page and htmx partial) and a rep's, on the tree tenant
    ``schema`` (``seed_tenant``, seeded once per run and shared with team_board.py)."""
    shape, supervisor, rep, top = pick_viewers(raw, schema)
    staff = len(shape)
    log(f"top director staff{top}: depth 1, subtree {shape[top][2]} of {staff} ({shape[top][2] * 100 // staff}%)")
    with app.app_context():
        engine = db.engine
    rows = []
    for viewer, who in ((supervisor, "supervisor"), (rep, "rep")):
        username, depth, subtree = shape[viewer]
        get = client_for(TREE_SLUG, username, password)
        floor = floors.visible_list_floor(raw, schema, viewer)
        visible, first = floor()
        log(f"{who} {username}: depth {depth}, subtree {subtree} people, {visible:,} visible customers")
        html = get("/customers/")().get_data(as_text=True)
        assert str(visible) in html, f"{who}'s page does not show {visible} customers"
        assert first[0][2] in html, f"{who}'s page does not start with {first[0][2]!r}"
        label = f"customer list, {who} depth {depth} ({subtree} of {staff:,} staff, {visible:,} visible)"
        reference = "floor = walk + count + page, ids as a literal array"
        rows.append(compare(engine, label, get("/customers/"), floor, runs, reference))
        if who == "supervisor":
            partial = get("/customers/", headers={"HX-Request": "true"})
            assert 'id="customer-results"' in partial().get_data(as_text=True)
            rows.append(compare(engine, "  same, htmx partial (#customer-results)", partial, floor, runs,
                                reference))
        if explain:
            print_explain(raw, engine, schema, viewer, who, get("/customers/"))
    return rows


def print_explain(raw, engine, schema, viewer, who, page):
    """The floor's plans, then the plans of the page's own two slowest statements, as the app sent them."""
    count_sql, page_sql = floors.visible_sql(schema, floors.visible_owner_ids(raw, schema, viewer))
    for title, sql in (("floor count", count_sql), ("floor page", page_sql)):
        print(f"\n== EXPLAIN {who}: {title} ==")
        print(floors.explain(raw, sql, None))
    with sql_meter(engine) as stats:
        page()
    for ms, sql, params in sorted(stats["log"], key=lambda entry: entry[0], reverse=True)[:2]:
        print(f"\n== EXPLAIN {who}: page statement that took {ms:.1f} ms ==")
        print(floors.explain(raw, sql, params))
