"""The one visibility rule (B2): own records, plus the subtree's for supervisors, all for admins.

Every list, board, detail, export, API route and job filters through
``visible``; a row it drops is answered with 404, never 403.
"""
from sqlalchemy import select

from crm_saas.blueprints.auth.models import User


def visible_owner_ids(user):
    """A SELECT of the owner ids ``user`` may see, or None when they see everything."""
    if user.role == "admin":
        return None
    tree = select(User.id).where(User.id == user.id).cte("visible_staff", recursive=True)
    tree = tree.union_all(select(User.id).join(tree, User.superior_id == tree.c.id))
    return select(tree.c.id)


def visible(statement, owner_column, user):
    """Narrow ``statement`` to rows whose ``owner_column`` the user may see."""
    owners = visible_owner_ids(user)
    return statement if owners is None else statement.where(owner_column.in_(owners))
