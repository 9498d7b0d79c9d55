"""Scenes for the report centre's tests: a staff tree, and records placed at chosen times straight in the database.

The tree (``team``): admin; boss (supervisor) > mid (supervisor, two levels
down from the top: the "depth-2 supervisor") > ana, ben; boss > cai;
other (supervisor) > dan. Every test works in March 2025, China time
(``MARCH``): a report's period is ``range=month&from=2025-03-01``.
"""
import re
from datetime import datetime
from html import unescape
from itertools import count
from zoneinfo import ZoneInfo

from tests.conftest import ADMIN_PASSWORD, STAFF_PASSWORD, login

SH = ZoneInfo("Asia/Shanghai")
MARCH = {"range": "month", "from": "2025-03-01"}
_numbers = count(1)


def at(month, day, hour=12, minute=0, year=2025):
    """A moment in China time (March 2025 unless told)."""
    return datetime(year, month, day, hour, minute, tzinfo=SH)


def team(factory, tenant):
    """The people by name (``admin`` included)."""
    admin = factory.admin_id(tenant)
    ids = {"admin": admin}
    ids["boss"] = factory.user(tenant, "boss", role="supervisor", superior_id=admin, name="Boss")
    ids["mid"] = factory.user(tenant, "mid", role="supervisor", superior_id=ids["boss"], name="Mid")
    ids["ana"] = factory.user(tenant, "ana", superior_id=ids["mid"], name="Ana")
    ids["ben"] = factory.user(tenant, "ben", superior_id=ids["mid"], name="Ben")
    ids["cai"] = factory.user(tenant, "cai", superior_id=ids["boss"], name="Cai")
    ids["other"] = factory.user(tenant, "other", role="supervisor", superior_id=admin, name="Other")
    ids["dan"] = factory.user(tenant, "dan", superior_id=ids["other"], name="Dan")
    return ids


def signed_in(client_for, tenant, username):
    client = client_for(tenant)
    password = ADMIN_PASSWORD if username == "admin" else STAFF_PASSWORD
    assert login(client, username, password).status_code == 302
    return client


def stages(factory, tenant):
    """``{code: stage id}`` of the default pipeline (initial_contact ... won, lost)."""
    from crm_saas.blueprints.pipeline.services import default_pipeline

    return factory._run(tenant, lambda: {s.code: s.id for s in default_pipeline().stages})


def customer(factory, tenant, owner, *, created=None, source="referral", type="potential", province="上海市",
             city="上海市", last_follow_up=None):
    """A customer stored as given (no change log, no contacts): what the reports read."""
    from crm_saas.blueprints.customers.models import Customer
    from crm_saas.extensions import db

    def make():
        number = next(_numbers)
        record = Customer(number=f"R{number:06d}", name=f"客户{number}", industry="it", source=source, type=type,
                          province=province, city=city, owner_id=owner, created_by_id=owner,
                          created_at=created or at(1, 15), last_follow_up_at=last_follow_up)
        db.session.add(record)
        db.session.commit()
        return record.id

    return factory._run(tenant, make)


def deal(factory, tenant, owner, customer_id, *, amount="1000", created=None, path=(), lost_reason=None):
    """A deal created at ``created`` in the first stage, then moved along ``path`` (``[(stage code, at)]``); the
    stage history records each move, and the deal stands where the last one left it."""
    from crm_saas.blueprints.pipeline.models import Deal, DealStageChange
    from crm_saas.blueprints.pipeline.services import default_pipeline
    from crm_saas.extensions import db

    created = created or at(3, 1)

    def make():
        pipeline = default_pipeline()
        by_code = {s.code: s for s in pipeline.stages}
        stage = by_code["initial_contact"]
        record = Deal(name=f"Deal {next(_numbers)}", customer_id=customer_id, pipeline_id=pipeline.id,
                      stage_id=stage.id, owner_id=owner, amount=amount, created_at=created, stage_changed_at=created)
        db.session.add(record)
        db.session.flush()
        db.session.add(DealStageChange(deal_id=record.id, to_stage_id=stage.id, moved_at=created))
        for code, moved_at in path:
            target = by_code[code]
            reason = lost_reason if target.kind == "lost" else None
            db.session.add(DealStageChange(deal_id=record.id, from_stage_id=record.stage_id, to_stage_id=target.id,
                                           moved_at=moved_at, lost_reason=reason))
            record.stage_id, record.stage_changed_at = target.id, moved_at
            record.lost_reason = reason
        db.session.commit()
        return record.id

    return factory._run(tenant, make)


def closed(factory, tenant, owner, kind, *, amount="1000", created=None, closed_at=None, reason="价格太高",
           **customer_values):
    """A deal of a new customer of ``owner`` won or lost (``kind``) at ``closed_at``."""
    customer_id = customer(factory, tenant, owner, **customer_values)
    return deal(factory, tenant, owner, customer_id, amount=amount, created=created or at(3, 1),
                path=[(kind, closed_at or at(3, 10))], lost_reason=reason)


def run(factory, tenant, fn):
    """``fn()`` inside the company's schema, committed."""
    from crm_saas.extensions import db

    def go():
        value = fn()
        db.session.commit()
        return value

    return factory._run(tenant, go)


def report(factory, tenant, key, user_id, **args):
    """A report's ``Result`` as ``user_id`` sees it with ``args`` (the scope's and the report's own)."""
    from flask import g

    from crm_saas.blueprints.reports.services.extras import read_report_scope
    from crm_saas.blueprints.reports.services.registry import get_report
    from crm_saas.core.users import User
    from crm_saas.extensions import db

    def build():
        with factory.app.test_request_context(headers={"Accept-Language": "en"}):
            g.pop("subtree_ids", None)
            found = get_report(key)
            scope = read_report_scope(db.session.get(User, user_id), found, {**MARCH, **args})
            return found.build(scope)

    return factory._run(tenant, build)


def rows_by(result, column):
    """``{row[column]: row}`` of the result's rows."""
    return {row[column]: row for row in result.rows}


def measure_count(factory, tenant, user_id, drill, **args):
    """How many records the measure of a cell's link lists (the registry's statement, under the same scope)."""
    from sqlalchemy import func, select

    from crm_saas.blueprints.reports.services.registry import all_measures
    from crm_saas.blueprints.reports.services.scope import read_scope
    from crm_saas.core.users import User
    from crm_saas.extensions import db

    name, params = drill
    values = {**MARCH, **args}
    values.update({key: value for key, value in params.items() if key in ("owner_id", "team_id")})
    rest = {key: value for key, value in params.items() if key not in ("owner_id", "team_id")}

    def count_rows():
        with factory.app.test_request_context():
            scope = read_scope(db.session.get(User, user_id), values)
            stmt = all_measures()[name].statement(scope, **rest)
            return db.session.scalar(select(func.count()).select_from(stmt.subquery()))

    return factory._run(tenant, count_rows)


def table_rows(html):
    """The report table's body rows as lists of cell texts (group headings included, as one cell)."""
    body = html.split('id="report-table"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        rows.append([unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells])
    return rows


def totals_row(html):
    foot = html.split("<tfoot>", 1)[1].split("</tfoot>", 1)[0]
    return [unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<th[^>]*>(.*?)</th>", foot, re.S)]


def cell_link(html, row_text, column_index):
    """The href of the cell ``column_index`` in the body row whose first cell reads ``row_text``."""
    body = html.split('id="report-table"', 1)[1]
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        if cells and unescape(re.sub(r"<[^>]+>", "", cells[0])).strip() == row_text:
            found = re.search(r'href="([^"]+)"', cells[column_index])
            return unescape(found.group(1)) if found else None
    return None


def records_total(client, url):
    """The total the list behind a figure shows (reports/_records.html's ``data-total``)."""
    page = client.get(url)
    assert page.status_code == 200, url
    return int(re.search(r'data-total="(\d+)"', page.text).group(1))
