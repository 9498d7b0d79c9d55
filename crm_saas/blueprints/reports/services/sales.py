"""Sales by rep and by team (H2): won amount and count, win rate, average deal size, average sales cycle.

Both read one aggregate: the deals closed in the period (won or lost, by the
time they reached that stage), grouped by owner in SQL. A team is a
supervisor or admin and everyone below them; its figures are the sums of
its people's, rolled up the tree in Python (2,000 people, a few thousand
additions), so a team row costs no statement. Teams nest, so team rows do
not add up: the totals row is the sum over every deal the viewer may see,
never a sum of rows, and a supervisor's total is exactly what they may see.

Win rate is won / (won + lost) closed in the period (3 won of 8 closed:
37.5); the sales cycle is the days from a won deal's creation to its win.
"""
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from crm_saas.blueprints.pipeline.models import Deal, Stage
from crm_saas.blueprints.reports.services import base
from crm_saas.blueprints.reports.services.catalog import Chart, Column, Measure, Report, Result
from crm_saas.blueprints.reports.services.figures import (
    average_days,
    average_money,
    by_name,
    money,
    names_of,
    percent,
    span_seconds,
)
from crm_saas.core.permissions import can
from crm_saas.core.users import User
from crm_saas.core.visibility import subtree_ids
from crm_saas.extensions import db

LEADER_ROLES = ("supervisor", "admin")
COUNTED = ("won_count", "won_amount", "lost_count")  # the cells that open the deals behind them
MEASURE_OF = {"won_count": "sales_won", "won_amount": "sales_won", "lost_count": "sales_lost"}


@dataclass
class Figures:
    """What adds up along the tree: counts, amounts and the summed cycle (an average is taken at the end)."""

    won: int = 0
    amount: object = 0
    lost: int = 0
    cycle_seconds: object = 0

    def add(self, other):
        self.won += other.won
        self.amount += other.amount
        self.lost += other.lost
        self.cycle_seconds += other.cycle_seconds


def closed_by_owner(scope):
    """``{owner_id: Figures}`` of the deals won or lost in the period, in one grouped statement."""
    won, lost = Stage.kind == "won", Stage.kind == "lost"
    stmt = (base.deals(scope).join(Stage, Stage.id == Deal.stage_id)
            .where(Stage.kind.in_(("won", "lost")), scope.during(Deal.stage_changed_at))
            .with_only_columns(
                Deal.owner_id, func.count().filter(won), func.coalesce(func.sum(Deal.amount).filter(won), 0),
                func.count().filter(lost),
                func.coalesce(func.sum(span_seconds(Deal.created_at, Deal.stage_changed_at)).filter(won), 0))
            .group_by(Deal.owner_id))
    return {owner: Figures(*figures) for owner, *figures in db.session.execute(stmt)}


def _figures(row, f):
    row.update(won_count=f.won, won_amount=money(f.amount), lost_count=f.lost,
               win_rate=percent(f.won, f.won + f.lost), average_deal=average_money(f.amount, f.won),
               sales_cycle=average_days(f.cycle_seconds, f.won))
    return row


def _total(figures):
    total = Figures()
    for f in figures.values():
        total.add(f)
    return total


def _link_cells(result, index, param, value):
    for column in COUNTED:
        result.drill[(index, column)] = (MEASURE_OF[column], {param: value} if param else {})


def _finish(result, total, first_column):
    result.totals = _figures({first_column: _("Total")}, total)
    _link_cells(result, "total", None, None)
    return result


def build_by_owner(scope):
    figures = closed_by_owner(scope)
    names = names_of(list(figures))
    result = Result(rows=[])
    for owner in by_name(figures, names):
        result.rows.append(_figures({"key": owner, "owner": names.get(owner, "")}, figures[owner]))
        _link_cells(result, len(result.rows) - 1, "owner_id", owner)
    return _finish(result, _total(figures), "owner")


def build_by_team(scope):
    """One row per leader the viewer sees (inside the team filter) whose team closed something."""
    figures = closed_by_owner(scope)
    people = db.session.execute(select(User.id, User.superior_id, User.name, User.role, User.active)).all()
    superior = {p.id: p.superior_id for p in people}
    leaders = {p.id for p in people if p.role in LEADER_ROLES and p.active}
    if not can(scope.user, "see_all"):
        leaders &= subtree_ids(scope.user.id)
    if scope.team_id:
        leaders &= subtree_ids(scope.team_id)
    teams = {}
    for owner, f in figures.items():
        person, seen = owner, set()
        while person is not None and person not in seen:  # up the tree: the owner's own team, then each above
            seen.add(person)
            if person in leaders:
                teams.setdefault(person, Figures()).add(f)
            person = superior.get(person)
    names = {p.id: p.name for p in people}
    label = _("%(name)s's team")  # translated once, filled per row (a gettext per row was a tenth of the page)
    result = Result(rows=[])
    for leader in by_name(teams, names):
        result.rows.append(_figures({"key": leader, "team": label % {"name": names[leader]}}, teams[leader]))
        _link_cells(result, len(result.rows) - 1, "team_id", leader)
    return _finish(result, _total(figures), "team")


def _columns(first, label):
    return (
        Column(first, label, "text"),
        Column("won_count", _l("Deals won"), "int"),
        Column("won_amount", _l("Won amount"), "money"),
        Column("lost_count", _l("Deals lost"), "int"),
        Column("win_rate", _l("Win rate (%)"), "percent"),
        Column("average_deal", _l("Average deal size"), "money"),
        Column("sales_cycle", _l("Average sales cycle (days)"), "days"),
    )


REPORTS = [
    Report("sales-by-owner", _l("Sales by rep"),
           _l("Per owner: deals won and their amount, deals lost, win rate, average deal size and sales cycle, "
              "for deals closed in the period."),
           _columns("owner", _l("Owner")), Chart("bar", "owner", ("won_amount",)), build_by_owner,
           default_sort="-won_amount"),
    Report("sales-by-team", _l("Sales by team"),
           _l("The same figures per team (a supervisor and everyone below them). Teams nest, so the total counts "
              "each deal once."),
           _columns("team", _l("Team")), Chart("bar", "team", ("won_amount",)), build_by_team,
           default_sort="-won_amount"),
]
MEASURES = {
    "sales_won": Measure("deals", _l("Deals won"), base.won_deals),
    "sales_lost": Measure("deals", _l("Deals lost"), base.lost_deals),
}
