"""The `crm-saas` command: serve, worker, db upgrade, tenants, demo."""
import os
import subprocess
import sys

import click


def _app():
    from crm_saas import create_app

    return create_app()


@click.group(help="crm_saas: a multi-tenant CRM.")
def main():
    pass


@main.command(help="Run the development server (and an RQ worker beside it).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--worker/--no-worker", default=True, show_default=True, help="Start an RQ worker process too.")
def serve(host, port, worker):
    app = _app()
    child = None
    if worker:
        env = dict(os.environ, DATABASE_URL=app.config["DATABASE_URL"], REDIS_URL=app.config["REDIS_URL"])
        child = subprocess.Popen([sys.executable, "-m", "crm_saas.cli", "worker"], env=env)
    base = app.config["CRM_BASE_DOMAIN"]
    click.echo(f"crm_saas is serving on http://{base}:{port}/  (sign up a company there)")
    click.echo(f"demo company: http://demo.{base}:{port}/login  username: admin  password: {DEMO_PASSWORD}")
    try:
        app.run(host=host, port=port, threaded=True, use_reloader=False)
    finally:
        if child:
            child.terminate()


@main.command(help="Run an RQ worker for export and reminder jobs (with the scheduler for reminders).")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker(burst):
    from workers.worker import run_worker

    run_worker(_app(), burst=burst)


@main.group(help="Database commands.")
def db():
    pass


@db.command("upgrade", help="Migrate the public schema, then every tenant schema not yet at head.")
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(min=1),
              help="Tenants upgraded at once, each by a worker process with its own connection.")
def db_upgrade(jobs):
    from crm_saas.tenants.migrate import upgrade_all

    app = _app()
    with app.app_context():
        report = upgrade_all(jobs=jobs, echo=click.echo)
    if report.failed:
        failed = ", ".join(slug for slug, _, _ in report.failed)
        click.echo(f"{len(report.failed)} tenant(s) failed: {failed}", err=True)
        sys.exit(1)


@main.group(help="Tenant (company) commands.")
def tenants():
    pass


@tenants.command("create", help="Create a company with its admin (the admin chose this password).")
@click.argument("slug")
@click.option("--name", required=True)
@click.option("--admin-username", required=True)
@click.option("--admin-password", required=True)
@click.option("--admin-name", default=None)
def tenants_create(slug, name, admin_username, admin_password, admin_name):
    from crm_saas.core.passwords import hash_password, policy_errors
    from crm_saas.tenants.provisioning import SlugError, provision_tenant

    app = _app()
    with app.app_context():
        problems = [str(p) for p in policy_errors(admin_password)]
        if problems:
            raise click.BadParameter(" ".join(problems), param_hint="--admin-password")
        admin = {"username": admin_username, "password_hash": hash_password(admin_password),
                 "name": admin_name or admin_username}
        try:
            provision_tenant(slug, name, admin)
        except SlugError as err:
            raise click.BadParameter(f"subdomain {slug!r} is {err.code}", param_hint="SLUG") from None
    click.echo(f"created {slug}: http://{slug}.{app.config['CRM_BASE_DOMAIN']}/login")


@tenants.command("list", help="Slug, name, status, schema and migration version of every company.")
def tenants_list():
    from sqlalchemy import select

    from crm_saas.extensions import db as database
    from crm_saas.tenants.models import Tenant

    app = _app()
    with app.app_context():
        rows = database.session.scalars(select(Tenant).order_by(Tenant.slug)).all()
        click.echo(f"{'slug':<24} {'name':<30} {'status':<10} {'schema':<26} version")
        for t in rows:
            click.echo(f"{t.slug:<24} {t.name:<30} {t.status:<10} {t.schema_name:<26} {t.schema_version or '-'}")


@main.command("purge-expired", help="Purge customers kept in every company's recycle bin past its days. Run daily.")
def purge_expired_command():
    from sqlalchemy import select

    from crm_saas.blueprints.customers.services.recycle import purge_expired
    from crm_saas.extensions import db as database
    from crm_saas.tenants.binding import tenant_context
    from crm_saas.tenants.models import Tenant

    app = _app()
    with app.app_context():
        companies = database.session.execute(select(Tenant.slug, Tenant.schema_name).order_by(Tenant.slug)).all()
        for slug, schema in companies:
            with tenant_context(schema):
                purged = purge_expired()
            if purged:
                click.echo(f"{slug}: {purged} customer(s) purged")


@main.command("send-reminders", help="Email every company's due task reminders (those with SMTP set up). "
                                     "Run from cron, e.g. every 5 minutes: nothing is sent twice.")
def send_reminders_command():
    from sqlalchemy import select

    from crm_saas.extensions import db as database
    from crm_saas.tenants.models import Tenant
    from workers.context import set_app
    from workers.reminders import send_due_reminders

    app = _app()
    set_app(app)
    with app.app_context():
        companies = database.session.execute(
            select(Tenant.slug, Tenant.schema_name).where(Tenant.status.in_(("trial", "active"))).order_by(Tenant.slug)
        ).all()
    for slug, schema in companies:  # a suspended company's people cannot log in to act on a reminder
        sent = send_due_reminders(schema)
        if sent:
            click.echo(f"{slug}: {sent} reminder(s) sent")


DEMO_PASSWORD = "Demo@2026!"


@main.command(help="Seed the demo company (staff tree, customers, deals). Safe to run again.")
def demo():
    from crm_saas.demo import seed_demo

    app = _app()
    with app.app_context():
        click.echo(seed_demo(DEMO_PASSWORD))


if __name__ == "__main__":
    main()
