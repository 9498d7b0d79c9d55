"""A pool's rules (C11): when an owned customer goes back to the pool, as checked values and as SQL.

Three clocks, each off when its days are unset: no follow-up for N days,
no new deal for M days, no won deal for K days; each may differ by
customer type (``per_type``). A clock starts at the later of when the owner
got the customer (``owned_at``) and the last follow-up, deal or win. Closed
customers and customers with an open deal may be exempt; an approved
protection extension holds every clock off until ``protected_until``; the
owner is warned ``warn_days`` before.

The same expressions serve the scheduled job, the warning, the due date
shown on a customer and the protection extension, so they always agree.
"""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, case, cast, exists, func, literal, select

from crm_saas.blueprints.customers.models import Customer
from crm_saas.blueprints.customers.services import codes
from crm_saas.blueprints.pipeline.models import Deal, Stage

CLOCKS = ("no_follow_up_days", "no_deal_days", "no_win_days")
# The code a move by each clock is logged with (customers.pool_rule, the change log, pool events).
RULE_CODES = {"no_follow_up_days": "no_follow_up", "no_deal_days": "no_deal", "no_win_days": "no_win"}
RULE_LABELS = {
    "no_follow_up": _l("No follow-up in time"), "no_deal": _l("No new deal in time"),
    "no_win": _l("No won deal in time"), "release": _l("Released"), "import": _l("Imported into the pool"),
}
DEFAULT_RULES = {"no_follow_up_days": None, "no_deal_days": None, "no_win_days": None, "per_type": {},
                 "exempt_closed": True, "exempt_open_deal": True, "warn_days": 3, "max_extensions": 2}
MAX_DAYS = 3650
MAX_WARN_DAYS = 60
MAX_EXTENSIONS = 20


def rules_of(pool):
    """The pool's rules with every key present (stored rules may predate a key)."""
    return {**DEFAULT_RULES, **(pool.rules or {})}


def rule_label(code):
    return RULE_LABELS.get(code, code or "")


def reason_template(clock):
    """The stored words of a move by ``clock``, ``%s`` standing for the days (PostgreSQL ``format``)."""
    words = {
        "no_follow_up_days": _("No follow-up for %(days)s days", days="%s"),
        "no_deal_days": _("No new deal for %(days)s days", days="%s"),
        "no_win_days": _("No won deal for %(days)s days", days="%s"),
    }
    return words[clock]


def _days(value, field, errors, *, upper=MAX_DAYS, allow_none=True):
    if value in (None, "") and allow_none:
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= upper:
        errors[field] = [_("Enter a whole number of days from 1 to %(max)d, or leave it empty.", max=upper)]
        return None
    return value


def clean_rules(raw, errors, *, current=None):
    """``raw`` (any subset of the keys) merged over ``current``, checked; bad keys land in ``errors`` as
    ``rules.<key>``."""
    rules = {**DEFAULT_RULES, **(current or {})}
    if raw is None:
        return rules
    if not isinstance(raw, dict):
        errors["rules"] = [_("Send the rules as an object.")]
        return rules
    for clock in CLOCKS:
        if clock in raw:
            rules[clock] = _days(raw[clock], f"rules.{clock}", errors)
    if "per_type" in raw:
        rules["per_type"] = _per_type(raw["per_type"], errors)
    for flag in ("exempt_closed", "exempt_open_deal"):
        if flag in raw:
            if not isinstance(raw[flag], bool):
                errors[f"rules.{flag}"] = [_("Send true or false.")]
            else:
                rules[flag] = raw[flag]
    if "warn_days" in raw:
        warn = raw["warn_days"]
        rules["warn_days"] = 0 if warn in (0, "0") else _days(warn, "rules.warn_days", errors, upper=MAX_WARN_DAYS)
        rules["warn_days"] = rules["warn_days"] or 0
    if "max_extensions" in raw:
        value = raw["max_extensions"]
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_EXTENSIONS:
            errors["rules.max_extensions"] = [_("Enter a whole number from 0 to %(max)d.", max=MAX_EXTENSIONS)]
        else:
            rules["max_extensions"] = value
    return rules


def _per_type(raw, errors):
    """``{type: {clock: days}}`` for the customer types whose days differ from the pool's."""
    if raw in (None, ""):
        return {}
    if not isinstance(raw, dict):
        errors["rules.per_type"] = [_("Send the days per customer type as an object.")]
        return {}
    cleaned = {}
    for kind, clocks in raw.items():
        if kind not in codes.CUSTOMER_TYPES:
            errors[f"rules.per_type.{kind}"] = [_("Choose a customer type: %(types)s.",
                                                  types=", ".join(codes.CUSTOMER_TYPES))]
            continue
        if not isinstance(clocks, dict):
            errors[f"rules.per_type.{kind}"] = [_("Send the days of this type as an object.")]
            continue
        days = {clock: _days(clocks[clock], f"rules.per_type.{kind}.{clock}", errors)
                for clock in CLOCKS if clock in clocks}
        days = {clock: value for clock, value in days.items() if value is not None}
        if days:
            cleaned[kind] = days
    return cleaned


def any_clock(rules):
    """Whether any clock runs at all (for some type): a pool without one never takes anyone back."""
    return any(rules.get(c) for c in CLOCKS) or any(rules.get("per_type") or {})


# --- as SQL, over ``customers`` (correlated on Customer.id) ---

def _clock_days(rules, clock):
    """The days of ``clock`` for each customer's type, as SQL (NULL where the clock is off), or None if off."""
    base = rules.get(clock)
    special = {kind: days[clock] for kind, days in (rules.get("per_type") or {}).items() if days.get(clock)}
    if not special:
        return None if base is None else literal(base)
    return cast(case(special, value=Customer.type, else_=literal(base, Integer)), Integer)


def _last_deal():
    return select(func.max(Deal.created_at)).where(
        Deal.customer_id == Customer.id, Deal.deleted_at.is_(None)).scalar_subquery()


def _last_win():
    return select(func.max(Deal.stage_changed_at)).join(Stage, Stage.id == Deal.stage_id).where(
        Deal.customer_id == Customer.id, Deal.deleted_at.is_(None), Stage.kind == "won").scalar_subquery()


def open_deal():
    return exists().where(Deal.customer_id == Customer.id, Deal.deleted_at.is_(None),
                          Deal.stage_id.in_(select(Stage.id).where(Stage.kind == "open")))


def _since():
    return func.coalesce(Customer.owned_at, Customer.created_at)


def clock_starts():
    """When each clock starts: the later of getting the customer and the clock's last event."""
    return {
        "no_follow_up_days": func.greatest(_since(), Customer.last_follow_up_at),
        "no_deal_days": func.greatest(_since(), _last_deal()),
        "no_win_days": func.greatest(_since(), _last_win()),
    }


def due_dates(rules):
    """``{clock: SQL due time}`` of the clocks that run; missing clocks are off."""
    starts = clock_starts()
    dues = {}
    for clock in CLOCKS:
        days = _clock_days(rules, clock)
        if days is not None:
            dues[clock] = starts[clock] + func.make_interval(0, 0, 0, days)
    return dues


def due_at(rules):
    """The time the first clock runs out (NULL if none runs), held off by a protection extension."""
    dues = list(due_dates(rules).values())
    if not dues:
        return None
    first = dues[0] if len(dues) == 1 else func.least(*dues)
    return func.greatest(first, Customer.protected_until)


def exemptions(rules):
    """Conditions a customer must meet to be taken back at all (closed and open-deal exemptions)."""
    conditions = []
    if rules.get("exempt_closed"):
        conditions.append(Customer.type != "closed")
    if rules.get("exempt_open_deal"):
        conditions.append(~open_deal())
    return conditions


def fired_rule(rules, now):
    """The code of the first clock run out at ``now`` (CASE over the clocks), and its stored words."""
    dues = due_dates(rules)
    whens_rule = [(due <= now, RULE_CODES[clock]) for clock, due in dues.items()]
    whens_reason = [(due <= now, func.format(reason_template(clock), _clock_days(rules, clock)))
                    for clock, due in dues.items()]
    return case(*whens_rule), case(*whens_reason)
