"""The one visibility rule (B2): own records, plus the subtree's for supervisors, all for admins.

Every list, board, detail, export, API route and job filters through
``visible``; a row it drops is answered with 404, never 403. Admins, and
anyone granted ``see_all`` in the permission matrix, see everything;
everyone else sees the records owned by themselves and by everyone below
them at any depth (``subtree_ids``).

One more branch widens the rule, never narrows it: records shared with the
user (I2). The feature that owns the shares hands ``visible`` the condition
(``shared=``, e.g. "the customer's id is among the user's live shares"),
OR'ed with the owner's branch; nobody else gains sight through it. A share
reaches only its one colleague, and what it lets them do beside reading is
the owning feature's rule (customers: ``services.shares.access_of``).

These places count records past visibility on purpose, and no others; each
shows a number, never a hidden record:

- the pipeline settings count the deals in each stage and pipeline
  (``pipeline.stages``): an admin removing a stage must know every deal in it;
- the organisation tree counts each shown person's customers
  (``customers.services.count_by_owner``): a supervisor sees what each of
  their people holds;
- a departure counts everything the person holds (the ``staff_holdings_counted``
  listeners): all of it changes hands, seen by the manager or not;
- deleting a custom field counts the records holding a value
  (``custom_fields.services.records_with_values``): all of them lose it;
- a likely duplicate counts the matches the user may not see
  (``customers.duplicates.find_matches``): counted, never named (C10);
- tag suggestions rank the tags of the company's newest customers
  (``customers.services.tag_suggestions``): words offered, no customer shown;
- a campaign's totals (members, customers and deals it brought, won amount,
  ROI: ``campaigns.services.figures``) count the whole company, so marketing
  reads its full return; the lists on its page show only what the viewer sees.
"""
from dataclasses import dataclass, field

from flask import g, has_request_context
from sqlalchemy import BigInteger, any_, bindparam, cast, false, literal, or_, select
from sqlalchemy.dialects.postgresql import ARRAY

from crm_saas.core.permissions import can, granted
from crm_saas.core.roles import BUILT_IN, custom_roles
from crm_saas.core.users import User
from crm_saas.extensions import db


def visible(statement, owner_column, user, shared=None):
    """Narrow ``statement`` to rows whose ``owner_column`` the user may see, or that ``shared`` admits.

    ``shared`` is the share branch: a condition (or None) that admits rows
    shared with ``user`` whoever owns them; those who see everything need none.

    The tree is walked first (well under a millisecond for thousands of
    people) and the owner ids go into the SQL as a literal array. Left inside
    the statement as a subquery, the planner guessed the same few hundred
    owners for everyone, so a rep's list read all 100k customers and a count
    always scanned the table (bench/README.md: 40-110x the floor for a rep).
    A literal, not a bound parameter: once psycopg prepares a statement,
    PostgreSQL may switch to a generic plan that again ignores how many ids
    there are.
    """
    if can(user, "see_all"):
        return statement
    if shared is None:
        return within_subtree(statement, owner_column, user)
    ids = subtree_ids(user.id)
    return statement.where(or_(owner_column == any_(literal_ids(ids)), shared) if ids else shared)


def subtree_ids(user_id, people=User):
    """``user_id`` and everyone below them at any depth (the hierarchy alone, no rights), walked once per request.

    A recursive CTE down ``superior_id`` (indexed), so a moved subtree is
    seen from its new place by the very next query, with nothing to rebuild.
    ``people`` is the table of the tree: a company's staff (``User``), or an
    agency's (``tenants.models.PlatformUser``), walked by this same code. A
    board page asks five times, hence the cache on ``g``; code that changes
    the tree calls ``forget_walks``, so a question asked after a move in the
    same request walks the tree as it now stands.
    """
    cache = g.setdefault("subtree_ids", {}) if has_request_context() else {}
    key = (people.__tablename__, user_id)
    if key not in cache:
        tree = select(people.id).where(people.id == user_id).cte("subtree", recursive=True)
        # UNION, not UNION ALL: the walk ends even if a cycle were ever stored.
        tree = tree.union(select(people.id).join(tree, people.superior_id == tree.c.id))
        cache[key] = frozenset(db.session.scalars(select(tree.c.id)))
    return cache[key]


def within_subtree(statement, owner_column, user, people=User):
    """Narrow ``statement`` to rows owned by ``user`` or anyone below them in ``people``'s tree (no rights asked)."""
    ids = subtree_ids(user.id, people)
    if not ids:
        return statement.where(false())
    return statement.where(owner_column == any_(literal_ids(ids)))


def forget_walks():
    if has_request_context():
        g.pop("subtree_ids", None)


def literal_ids(ids):
    """Ids as a literal ``ARRAY[...]::bigint[]`` in the SQL, so the planner sees how many there are.

    The cast matters: an ``integer[]`` against a bigint column is checked
    element by element, a ``bigint[]`` is hashed (bench/README.md, the team board).
    """
    return cast(bindparam(None, sorted(ids), type_=ARRAY(BigInteger), literal_execute=True), ARRAY(BigInteger))


def who_can_see(owner):
    """Everyone who sees records owned by ``owner``, each with why: ``[(user, reason, detail)]``.

    The inverse of ``visible``: the owner; each superior up the
    chain (``detail`` = levels above the owner); then, outside the chain,
    admins and holders of ``see_all``. Deactivated people are left out: they
    see nothing.
    """
    chain = select(User.id, User.superior_id, literal(0).label("depth")).where(User.id == owner.id)
    chain = chain.cte("chain", recursive=True)
    chain = chain.union_all(
        select(User.id, User.superior_id, (chain.c.depth + 1).label("depth"))
        .join(chain, User.id == chain.c.superior_id).where(chain.c.depth < 1000)
    )
    rows = db.session.execute(
        select(User, chain.c.depth).join(chain, User.id == chain.c.id).order_by(chain.c.depth)
    ).all()
    seen, result = set(), []
    for user, depth in rows:
        if user.active:
            result.append((user, "owner" if depth == 0 else "superior", depth))
        seen.add(user.id)
    wide_roles = [role for role in (*BUILT_IN, *custom_roles()) if "see_all" in granted(role)]
    others = db.session.scalars(
        select(User).where(User.role.in_(wide_roles), User.active.is_(True), User.id.not_in(seen or {0}))
        .order_by(User.role, User.name)
    )
    result += [(user, "admin" if user.role == "admin" else "see_all", None) for user in others]
    return result


@dataclass
class Node:
    """One person of a drawn tree (a company's staff or an agency's), with how many records they hold."""

    person: object
    held: int = 0
    children: list = field(default_factory=list)


def nest(people, held):
    """``people`` nested by ``superior_id`` into ``Node``s (``held``: ``{id: count}``); returns the roots.

    Someone whose superior is not among ``people`` (out of the viewer's
    sight, or departed) is a root: the tree shows what the viewer sees.
    """
    nodes = {p.id: Node(p, held.get(p.id, 0)) for p in people}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.person.superior_id)
        (parent.children if parent else roots).append(node)
    return roots
