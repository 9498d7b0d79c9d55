"""`crm-saas operators|agencies|tenants ...`: the operator's work from the command line, logged as "system"."""
import random
import re
import string

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from crm_saas import cli
from tests.api.platform_helpers import pending, platform_clients
from tests.conftest import ADMIN_PASSWORD, login
from tests.platform_factory import otp_code


@pytest.fixture
def run(app, monkeypatch):
    """``run(*args, input=None)``: the command against the test app (its database and Redis)."""
    monkeypatch.setattr(cli, "_app", lambda: app)
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(cli.main, [str(arg) for arg in args], input=input, catch_exceptions=False)

    return invoke


def _log(app, tenant_id):
    from crm_saas.extensions import db
    from crm_saas.tenants.models import PlatformLog

    with app.app_context():
        rows = db.session.execute(select(PlatformLog.action, PlatformLog.actor_name)
                                  .where(PlatformLog.tenant_id == tenant_id).order_by(PlatformLog.id)).all()
        db.session.remove()
    return [tuple(row) for row in rows]


def test_operators_create_prints_an_enrolment_that_works(run, client_for):
    username = f"op_cli_{random.randint(0, 10**8)}"
    created = run("operators", "create", username, "--name", "运营 李", input="Operator#2026\nOperator#2026\n")
    assert created.exit_code == 0, created.output
    secret = re.search(r"TOTP secret: ([A-Z2-7]+)", created.output).group(1)
    assert f"otpauth://totp/Huike%20CRM:{username}?secret={secret}" in created.output
    assert "█" in created.output or "▀" in created.output  # the QR code, drawn in the terminal
    assert "changed at first sign-in" in created.output
    assert "Operator#2026" not in created.output

    browser = platform_clients(client_for)()
    response = browser.post("/console/login", data={"username": username, "password": "Operator#2026"})
    assert "/console/enrol" in response.headers["Location"]
    response = browser.post("/console/enrol", data={"code": otp_code(secret)})
    assert response.status_code == 302 and "/console/password" in response.headers["Location"]  # forced change

    taken = run("operators", "create", username, "--name", "X", "--password", "Operator#2026")
    assert taken.exit_code != 0 and "USERNAME" in taken.output and "taken" in taken.output
    weak = run("operators", "create", username + "x", "--name", "X", "--password", "short")
    assert weak.exit_code != 0 and "--password" in weak.output


def test_agencies_create_refuses_a_taken_prefix(run, platform):
    _id, taken = platform.agency()
    refused = run("agencies", "create", "--prefix", taken, "--name", "重复")
    assert refused.exit_code == 1 and "prefix:" in refused.output
    bad = run("agencies", "create", "--prefix", "G1", "--name", "X", "--phone", "12", "--bonus-days", "999")
    assert bad.exit_code == 1 and {"prefix:", "phone:", "bonus_trial_days:"} <= set(bad.output.split())
    for _attempt in range(20):
        prefix = random.choice("QXZ") + random.choice(string.ascii_uppercase) + f"{random.randint(0, 99):02d}"
        created = run("agencies", "create", "--prefix", prefix.lower(), "--name", "浙江代理", "--contact", "陈",
                      "--phone", "13800138000", "--bonus-days", "7")
        if created.exit_code == 0:
            break
    assert f"created agency {prefix}" in created.output and f"{prefix}01-{prefix}99" in created.output


def test_a_pending_company_through_its_life_from_the_command_line(app, run, platform, make_tenant, client_for):
    agency_id, _prefix = platform.agency()
    rep = platform.person(agency_id)
    company = make_tenant("cli")
    platform.set_tenant(company.id, **pending())

    assert run("tenants", "extend", company.slug, "--days", 5).exit_code == 1  # pending: approve first
    approved = run("tenants", "approve", company.slug)
    assert approved.exit_code == 0 and f"{company.slug} (" in approved.output and ": trial, ends " in approved.output
    assert platform.tenant(company.id).status == "trial"
    twice = run("tenants", "approve", company.slug)
    assert twice.exit_code == 1 and "status:" in twice.output

    ends = platform.tenant(company.id).expires_at
    neither = run("tenants", "extend", company.slug)
    assert neither.exit_code == 1 and "days:" in neither.output
    assert run("tenants", "extend", company.slug, "--days", 10).exit_code == 0
    assert (platform.tenant(company.id).expires_at - ends).days == 10
    paid = run("tenants", "extend", company.slug, "--until", "2031-01-31", "--paid")
    assert paid.exit_code == 0 and ": active, ends 2031-01-31" in paid.output

    no_reason = run("tenants", "suspend", company.slug)
    assert no_reason.exit_code == 2 and "--reason" in no_reason.output
    assert run("tenants", "suspend", company.slug, "--reason", "欠费").exit_code == 0
    assert platform.tenant(company.id).status == "suspended"
    assert login(client_for(company), "admin", ADMIN_PASSWORD).status_code == 403
    assert run("tenants", "reactivate", company.slug).exit_code == 0
    assert platform.tenant(company.id).status == "active"

    assert run("tenants", "rename", company.slug, "命令行公司").exit_code == 0
    assert platform.tenant(company.id).name == "命令行公司"
    assigned = run("tenants", "assign", company.slug, "--rep", rep.code.lower())
    assert assigned.exit_code == 0 and f"rep {rep.code}" in assigned.output
    assert (platform.tenant(company.id).rep_id, platform.tenant(company.id).agency_id) == (rep.id, agency_id)
    unknown = run("tenants", "assign", company.slug, "--rep", "ZZ0000")
    assert unknown.exit_code == 2 and "--rep" in unknown.output

    reset = run("tenants", "reset-admin-password", company.slug, input="Reset#2026xy\nReset#2026xy\n")
    assert reset.exit_code == 0 and "Reset#2026xy" not in reset.output
    browser = client_for(company)
    assert login(browser, "admin", "Reset#2026xy").status_code == 302
    forced = browser.get("/customers")
    assert forced.status_code == 302 and forced.headers["Location"].endswith("/password")  # to be changed first

    listing = run("tenants", "list").output
    line = next(row for row in listing.splitlines() if row.startswith(company.slug + " "))
    assert line.split()[2:5] == ["active", "2031-01-31", rep.code]
    assert run("tenants", "approve", "no-such-company").exit_code == 2

    log = _log(app, company.id)
    assert [action for action, _actor in log] == ["approved", "extended", "extended", "suspended", "reactivated",
                                                  "renamed", "assigned", "admin_password_reset"]
    assert {actor for _action, actor in log} == {"system"}


def test_rejecting_from_the_command_line_needs_a_reason(app, run, platform, make_tenant):
    company = make_tenant("clr")
    platform.set_tenant(company.id, **pending())
    assert run("tenants", "reject", company.slug, "--reason", " ").exit_code == 1
    rejected = run("tenants", "reject", company.slug, "--reason", "资料不全")
    assert rejected.exit_code == 0 and ": rejected" in rejected.output
    assert platform.tenant(company.id).status_reason == "资料不全"
