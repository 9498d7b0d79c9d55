"""The `crm-saas` command: serve, worker, db upgrade, tenants, demo; the platform's commands are in cli_platform.py."""
import os
import subprocess
import sys

import click

from crm_saas import cli_platform


def _app():
    from crm_saas import create_app
    from crm_saas.config import ConfigurationError

    try:
        return create_app()
    except ConfigurationError as err:  # a message naming the variable, not a traceback
        raise click.ClickException(str(err)) from None


@click.group(help="crm_saas: a multi-tenant CRM.")
def main():
    pass


@main.command(help="Run the development server (and an RQ worker beside it).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--worker/--no-worker", default=True, show_default=True, help="Start an RQ worker process too.")
def serve(host, port, worker):
    import signal

    app = _app()
    child = None
    if worker:  # with the scheduled work too, as production runs it
        env = dict(os.environ, DATABASE_URL=app.config["DATABASE_URL"], REDIS_URL=app.config["REDIS_URL"])
        child = subprocess.Popen([sys.executable, "-m", "crm_saas.cli", "worker", "--with-scheduler"], env=env)
    # Stopped by SIGTERM (make run's trap, a supervisor) as by Ctrl-C: the worker goes too, never left behind.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    base = app.config["CRM_BASE_DOMAIN"]
    click.echo(f"crm_saas is serving on http://{base}:{port}/  (sign up a company there)")
    click.echo(f"demo company: http://demo.{base}:{port}/login  username: admin  password: {DEMO_PASSWORD}")
    click.echo(f"platform console: http://{base}:{port}/console/login  operator (enrols an authenticator at first "
               f"sign-in), or agency rep zhoujie; password: {DEMO_PASSWORD}")
    try:
        app.run(host=host, port=port, threaded=True, use_reloader=False)
    finally:
        if child:
            child.terminate()


@main.command(help="Run an RQ worker for export and reminder jobs (with RQ's scheduler for reminders due at a time).")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option("--with-scheduler", is_flag=True, help="Also run the scheduled work (purge, reminders, company expiry, "
                                                     "dead-job reaper) in this process.")
def worker(burst, with_scheduler):
    from crm_saas.workers.worker import run_worker

    run_worker(_app(), burst=burst, with_scheduler=with_scheduler)


@main.command(help="Run the scheduled work (purge, reminders, company expiry, dead-job reaper) until stopped. "
                   "Several may run: one leads, the others stand by.")
def scheduler():
    from crm_saas.workers.scheduler import run_scheduler

    run_scheduler(_app())


@main.command(help="Report what a production deployment lacks (settings, database, Redis, worker, scheduler, "
                   "migrations); exits 1 if anything FAILs.")
def check():
    from crm_saas.checks import FAIL, run_checks

    findings = run_checks(_app())
    for finding in findings:
        click.echo(f"{finding.level:<4}  {finding.topic}: {finding.message}")
    if any(finding.level == FAIL for finding in findings):
        raise SystemExit(1)


@main.group(help="Development servers from the pip wheels (CRM_EMBEDDED).")
def embedded():
    pass


@embedded.command("stop", help="Stop the embedded servers this session started (CRM_EMBEDDED_SESSION); make run "
                               "calls it when it ends.")
def embedded_stop():
    from flask import Flask

    from crm_saas import embedded as servers

    session = os.environ.get("CRM_EMBEDDED_SESSION")
    if not session:
        raise click.ClickException("CRM_EMBEDDED_SESSION is not set: there is no session whose servers to stop.")
    instance = Flask("crm_saas").instance_path  # where create_app keeps them; no app (or database) needed
    stopped = servers.stop_started_by(instance, session)
    click.echo(f"stopped embedded {', '.join(stopped)}" if stopped else "this session started no embedded server")


@main.group(help="Database commands.")
def db():
    pass


@db.command("upgrade", help="Migrate the public schema, then every tenant schema not yet at head.")
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(min=1),
              help="Tenants upgraded at once, each by a worker process with its own connection.")
def db_upgrade(jobs):
    from crm_saas.tenants.heads import nothing_to_upgrade

    database_url = os.environ.get("DATABASE_URL")
    already = nothing_to_upgrade(database_url) if database_url else None
    if already is not None:  # a deploy's usual case, answered without building the app
        public, companies = already
        click.echo(f"public schema at {public}")
        click.echo(f"tenants: 0 upgraded, {companies} already at head, 0 failed")
        return

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


@tenants.command("list", help="Slug, name, status, end date, rep code, schema and migration version of every company.")
def tenants_list():
    from sqlalchemy import select

    from crm_saas.extensions import db as database
    from crm_saas.tenants.models import Tenant

    app = _app()
    with app.app_context():
        rows = database.session.scalars(select(Tenant).order_by(Tenant.slug)).all()
        click.echo(f"{'slug':<24} {'name':<30} {'status':<10} {'ends':<10} {'rep':<6} {'schema':<26} version")
        for t in rows:
            ends = cli_platform.local_date(app, t.expires_at)
            click.echo(f"{t.slug:<24} {t.name:<30} {t.effective_status():<10} {ends:<10} {t.rep_code or '-':<6} "
                       f"{t.schema_name:<26} {t.schema_version or '-'}")


@tenants.command("backup", help="Write one company (its schema's rows and its files) to FILE, a zip archive.")
@click.argument("slug")
@click.argument("file", type=click.Path(dir_okay=False))
def tenants_backup(slug, file):
    from crm_saas.tenants.backup import BackupError, backup_tenant

    app = _app()
    with app.app_context():
        try:
            report = backup_tenant(slug, file)
        except BackupError as err:
            raise click.ClickException(str(err)) from None
    click.echo(f"backed up {report.slug} ({report.name}) at revision {report.revision}: {report.tables} tables, "
               f"{report.rows} rows, {report.files} files -> {report.path}")


@tenants.command("restore", help="Make a company of a backup FILE: under its own subdomain if no company has it, "
                                 "or under --as NEWSLUG. The other companies are not touched.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--as", "new_slug", default=None, metavar="NEWSLUG", help="Restore under this subdomain instead.")
def tenants_restore(file, new_slug):
    from crm_saas.tenants.backup import BackupError
    from crm_saas.tenants.provisioning import SlugError
    from crm_saas.tenants.restore import read_manifest, restore_tenant

    app = _app()
    with app.app_context():
        try:
            report = restore_tenant(file, new_slug)
        except BackupError as err:
            raise click.ClickException(str(err)) from None
        except SlugError as err:
            slug = new_slug or read_manifest(file)["tenant"]["slug"]
            if err.code == "taken" and not new_slug:
                raise click.ClickException(f"a company already has the subdomain {slug!r}: restore this backup under "
                                           "another one with --as NEWSLUG") from None
            raise click.BadParameter(f"subdomain {slug!r} is {err.code}",
                                     param_hint="--as" if new_slug else "FILE") from None
    restored = report.slug if report.slug == report.original_slug else f"{report.original_slug} as {report.slug}"
    click.echo(f"restored {restored} ({report.name}) from revision {report.revision}: {report.tables} tables, "
               f"{report.rows} rows, {report.files} files; http://{report.slug}.{app.config['CRM_BASE_DOMAIN']}/login")


for _command in cli_platform.TENANT_COMMANDS:
    tenants.add_command(_command)
main.add_command(cli_platform.agencies)
main.add_command(cli_platform.operators)


@main.command("purge-expired", help="Purge customers kept in every company's recycle bin past its days (the "
                                     "scheduler does this daily; for those who keep a cron).")
def purge_expired_command():
    from crm_saas.workers.context import set_app
    from crm_saas.workers.scheduled import purge_recycle_bins

    set_app(_app())
    for slug, purged in purge_recycle_bins().items():
        click.echo(f"{slug}: {purged} customer(s) purged")


@main.command("send-reminders", help="Email every company's due task reminders (those with SMTP set up); the "
                                     "scheduler does this every 5 minutes. Nothing is sent twice.")
def send_reminders_command():
    from crm_saas.workers.context import set_app
    from crm_saas.workers.scheduled import send_reminders

    set_app(_app())
    for slug, sent in send_reminders().items():
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
