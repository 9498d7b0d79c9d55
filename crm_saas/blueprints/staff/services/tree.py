"""The organisation tree as a viewer may see it (B2), built in memory from two queries.

One query for the people, one GROUP BY for their customer counts: the page
costs the same for 5 people or 500, and nesting is done in Python, where a
missing superior (outside the viewer's subtree) simply makes a root.
"""

from crm_saas.blueprints.customers.services import count_by_owner
from crm_saas.core.staff import NAME_ORDER, visible_staff
from crm_saas.core.users import User
from crm_saas.core.visibility import nest
from crm_saas.extensions import db


def org_tree(viewer):
    """``(roots, people)``: the active people ``viewer`` sees, nested, and the same people flat by name.

    Staff managers and see-all roles get the whole company; anyone else
    their own subtree, rooted at themselves. Departed people are left out.
    """
    people = db.session.scalars(
        visible_staff(viewer).where(User.active.is_(True)).order_by(NAME_ORDER, User.id)
    ).all()
    return nest(people, count_by_owner([p.id for p in people])), people
