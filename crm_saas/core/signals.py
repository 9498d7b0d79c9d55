"""Events one feature announces and others react to, so that neither imports the other.

Flask's signal namespace pattern (blinker), kept in one place as Indico
keeps ``indico.core.signals``: the feature that owns an event sends it; each
feature that reacts keeps its receivers in its own ``listeners.py`` and
connects them in its ``init_app``. Receivers run inside the sender's
transaction, so a change and every reaction to it commit or roll back
together, and they never commit themselves.

Where the sender needs an answer (how many records moved with a person or
a merge), each receiver returns a ``{kind: count}`` dict and ``counts``
adds up the answers.
"""
from blinker import Namespace

_signals = Namespace()

# --- tenancy (sent by crm_saas.tenants.provisioning) ---
tenant_provisioned = _signals.signal("tenant-provisioned", doc="""
A new company's schema and tables exist. Sender: a Session bound to that schema,
inside the provisioning transaction: add what every company starts with.
""")

# --- staff (sent by the staff feature) ---
staff_holdings_counted = _signals.signal("staff-holdings-counted", doc="""
Sender: a person about to depart. Return ``{kind: count}`` of the records they hold
that a departure would hand over (the confirm page shows them).
""")
staff_departed = _signals.signal("staff-departed", doc="""
Sender: a person being deactivated; ``to``: the colleague taking over. Hand every
record the person holds to ``to`` and return ``{kind: count}`` of what moved (B3).
""")

# --- customers (sent by the customers feature) ---
customer_deleted = _signals.signal("customer-deleted", doc="""
Sender: a customer going to the recycle bin; ``at``: its ``deleted_at``. Hide what
hangs on it, marked with the same time so a restore takes back exactly that.
""")
customer_restored = _signals.signal("customer-restored", doc="""
Sender: a customer leaving the recycle bin; ``deleted_at``: the time it was deleted.
""")
customers_purging = _signals.signal("customers-purging", doc="""
Sender: a tuple of customer ids about to be deleted for good. Delete what hangs on them.
""")
customer_transferred = _signals.signal("customer-transferred", doc="""
Sender: a customer changing hands; ``from_owner``, ``to_owner``: the people. Records
the old owner held on it follow; return ``{kind: count}``.
""")
customers_merged = _signals.signal("customers-merged", doc="""
Sender: the customer merged away; ``into``: the customer kept. Move what hangs on the
sender to ``into`` before the sender is deleted; return ``{kind: count}``.
""")

# --- deals (sent by the pipeline feature) ---
deals_purging = _signals.signal("deals-purging", doc="""
Sender: a tuple of deal ids about to be deleted for good. Delete what hangs on them.
""")

# --- custom fields (sent by the custom_fields feature) ---
custom_field_deleting = _signals.signal("custom-field-deleting", doc="""
Sender: a custom field definition about to be deleted, its values still in place;
``actor``: who deletes it. Keep what the values said where history is kept.
""")


def counts(results):
    """Add up the ``{kind: count}`` answers of a ``send``; receivers that answer None add nothing."""
    total = {}
    for _receiver, answer in results:
        for kind, count in (answer or {}).items():
            total[kind] = total.get(kind, 0) + count
    return total
