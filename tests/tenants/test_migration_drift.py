"""The tenant revisions build exactly what the models declare.

New companies are made with ``create_all`` at head, existing ones reach head
through the revisions: if the two ever differ, companies signed up before a
release and after it would run on different schemas. This takes a schema
made at head, walks it down to the baseline and back up through every
revision, and asks Alembic's autogenerate whether anything is left to change.
"""
from alembic.autogenerate import compare_metadata
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData

from crm_saas.tenants import migrate


def _walk(connection, schema, destination):
    cfg = migrate.alembic_config(migrate.TENANT)
    cfg.attributes["tenant_schema"] = schema
    script = migrate.script_directory(migrate.TENANT)

    def step(rev, context):
        if destination == "head":
            return script._upgrade_revs("head", rev)
        return script._downgrade_revs(destination, rev)

    with EnvironmentContext(cfg, script, fn=step, destination_rev=destination) as env:
        env.configure(connection=connection, version_table_schema=schema)
        with env.begin_transaction():
            env.run_migrations()


def _models_in(schema):
    from crm_saas.core.base import tenant_tables

    metadata = MetaData()
    for table in tenant_tables():
        table.to_metadata(metadata, schema=schema)
    return metadata


def test_revisions_reach_the_models_schema(app, tenant):
    from crm_saas.extensions import db

    schema = tenant.schema_name
    with app.app_context(), db.engine.begin() as conn:
        _walk(conn, schema, "0001_tenant")
        _walk(conn, schema, "head")
        context = MigrationContext.configure(conn, opts={
            "include_schemas": True,
            "include_name": lambda name, type_, parent: type_ != "schema" or name == schema,
            "compare_type": True,
        })
        diff = [d for d in compare_metadata(context, _models_in(schema))
                if not (d[0] == "remove_table" and d[1].name == "alembic_version")]
    assert _same_expression_indexes_left_out(diff) == []


def _same_expression_indexes_left_out(diff):
    """Alembic reports an expression index as removed and added when PostgreSQL spells the expression its own
    way (``crm_grams(name::text)`` for the models' ``public.crm_grams(name)``); such a pair with the same name,
    table and expression is no drift."""
    def spelled(index):
        return [str(e).replace("public.", "").replace("::text", "") for e in index.expressions]

    removed = {(d[1].table.name, d[1].name): spelled(d[1]) for d in diff if d[0] == "remove_index"}
    added = {(d[1].table.name, d[1].name): spelled(d[1]) for d in diff if d[0] == "add_index"}
    same = {key for key in removed.keys() & added.keys() if removed[key] == added[key]}
    return [d for d in diff if not (d[0] in ("remove_index", "add_index") and (d[1].table.name, d[1].name) in same)]


def test_existing_customers_get_their_duplicate_keys_and_keep_their_serials(app, tenant, factory):
    """A company upgraded from 0002: folded keys filled in, today's serial carried over, not restarted."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from sqlalchemy import text

    from crm_saas.extensions import db

    customer = factory.customer(tenant, factory.admin_id(tenant), name="Ｓｈａｎｇｈａｉ 远航（集团）", phone="+86 138 0013 8000")
    schema = tenant.schema_name
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    with app.app_context(), db.engine.begin() as conn:
        _walk(conn, schema, "0002_staff")
        conn.execute(text(f'INSERT INTO "{schema}".number_sequences (scope, day, last) VALUES '
                          "('customer', :day, 41)"), {"day": today})
        _walk(conn, schema, "head")
        keys = conn.execute(text(f'SELECT c.name_key, k.phone_key FROM "{schema}".customers c '
                                 f'JOIN "{schema}".contacts k ON k.customer_id = c.id WHERE c.id = :id'),
                            {"id": customer}).one()
    assert tuple(keys) == ("shanghai远航集团", "13800138000")
    assert factory._run(tenant, _next_number) == f"CRM{today:%Y%m%d}0042"


def _next_number():
    from crm_saas.blueprints.customers.services.numbering import next_customer_number

    return next_customer_number()
