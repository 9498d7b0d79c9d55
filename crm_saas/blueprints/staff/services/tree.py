"""The organisation tree as a viewer may see it (B2), built in memory from two queries.

One query for the people, one GROUP BY for their customer counts: the page
costs the same for 5 people or 500, and nesting is done in Python, where a
missing superior (outside the viewer's subtree) simply makes a root.
"""
from dataclasses import dataclass, field

from crm_saas.blueprints.customers.services import count_by_owner
from crm_saas.core.staff import NAME_ORDER, visible_staff
from crm_saas.core.users import User
from crm_saas.extensions import db


@dataclass
class Node:
    person: User
    customers: int = 0
    children: list = field(default_factory=list)


def org_tree(viewer):
    """``(roots, people)``: the active people ``viewer`` sees, nested, and the same people flat by name.

    Staff managers and see-all roles get the whole company; anyone else
    their own subtree, rooted at themselves. Departed people are left out.
    """
    people = db.session.scalars(
        visible_staff(viewer).where(User.active.is_(True)).order_by(NAME_ORDER, User.id)
    ).all()
    counts = count_by_owner([p.id for p in people])
    nodes = {p.id: Node(p, counts.get(p.id, 0)) for p in people}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.person.superior_id)
        (parent.children if parent else roots).append(node)
    return roots, people
