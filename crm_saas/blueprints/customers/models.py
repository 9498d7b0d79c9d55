"""Customers, their contacts, change log, transfer requests and shares (tenant schema)."""
from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_saas.core.base import TENANT_SCHEMA, TenantTable, tenant_args, utcnow
from crm_saas.extensions import db

USERS_ID = f"{TENANT_SCHEMA}.users.id"
CUSTOMERS_ID = f"{TENANT_SCHEMA}.customers.id"


class Customer(TenantTable, db.Model):
    __tablename__ = "customers"
    __table_args__ = tenant_args(
        Index("ix_customers_owner_id", "owner_id"),
        Index("ix_customers_created_at", "created_at"),
        Index("ix_customers_updated_at", "updated_at"),
        # Sorting by name walks this index; the search guards against the rare-late-match trap (services/search.py).
        Index("ix_customers_name", "name"),
        Index("ix_customers_name_trgm", "name", postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"}),
        # A search of one or two characters (华为), which trigrams cannot serve (services/search.py).
        Index("ix_customers_name_grams", text("public.crm_grams(name)"), postgresql_using="gin"),
        Index("ix_customers_name_key", "name_key"),
        Index("ix_customers_tags", "tags", postgresql_using="gin"),
        Index("ix_customers_region", "province", "city", "district"),
        Index("ix_customers_custom", "custom", postgresql_using="gin"),
        Index("ix_customers_pending", "created_at", postgresql_where=text("status = 'pending'")),
        Index("ix_customers_deleted", "deleted_at", postgresql_where=text("deleted_at IS NOT NULL")),
        # I1: later sheets of an import link to a customer by the id it had in the file (seed 002's 客户ID).
        Index("ix_customers_external_ref", "external_ref", postgresql_where=text("external_ref IS NOT NULL")),
        # C11: a pool's list, newest arrivals first (pools/services/listing.py).
        Index("ix_customers_pool", "pool_id", "pool_entered_at", postgresql_where=text("pool_id IS NOT NULL")),
        # C11: owned (an owner, no pool) or pooled (a pool, no owner), never both, never neither.
        CheckConstraint("(owner_id IS NULL) <> (pool_id IS NULL)", name="owned_or_pooled"),
        # G1: a campaign's page counts the customers it brought.
        Index("ix_customers_campaign_id", "campaign_id", postgresql_where=text("campaign_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # The name folded for duplicate checks (duplicates.name_key): width, case, spaces and punctuation ignored.
    name_key: Mapped[str | None] = mapped_column(String(200))
    industry: Mapped[str] = mapped_column(String(40))
    industry_note: Mapped[str | None] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(20), default="potential")
    # C9: the company's own classification (settings "customer_categories").
    category: Mapped[str | None] = mapped_column(String(40))
    # B4: active, or pending/rejected while a rep's entry waits for a supervisor.
    status: Mapped[str] = mapped_column(String(20), default="active", server_default="active")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey(USERS_ID))
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str | None] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(40))
    size: Mapped[str | None] = mapped_column(String(40))
    province: Mapped[str | None] = mapped_column(String(40))
    city: Mapped[str | None] = mapped_column(String(40))
    district: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(300))
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(40)), default=list, server_default=text("'{}'"))
    remarks: Mapped[str | None] = mapped_column(Text)
    needs: Mapped[str | None] = mapped_column(Text)
    goals: Mapped[str | None] = mapped_column(Text)
    past_dealings: Mapped[str | None] = mapped_column(Text)
    # None while the customer is in a pool (C11): ``pool_id`` says which.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey(USERS_ID))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey(USERS_ID))
    custom: Mapped[dict] = mapped_column(JSONB, default=dict, server_default=text("'{}'::jsonb"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # C9: set while the customer is in the recycle bin.
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey(USERS_ID))
    # C11, the public pool (crm_saas/blueprints/pools): which pool holds it, since when, why (words and the
    # rule's code: no_follow_up, no_deal, no_win, release, import ...), and who owned it before.
    pool_id: Mapped[int | None] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.pools.id"))
    pool_entered_at: Mapped[datetime | None]
    pool_reason: Mapped[str | None] = mapped_column(Text)
    pool_rule: Mapped[str | None] = mapped_column(String(30))
    previous_owner_id: Mapped[int | None] = mapped_column(ForeignKey(USERS_ID))
    # When the current owner got it (created, claimed, assigned, transferred) and the newest follow-up
    # (kept by activities): the pool's rules count their days from the later of the two.
    owned_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    last_follow_up_at: Mapped[datetime | None]
    # An approved protection extension holds the rules off until then; how many this ownership was granted.
    protected_until: Mapped[datetime | None]
    protection_extensions: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # I1: the id the customer had in the file it was imported from, and the import batch that last wrote it.
    external_ref: Mapped[str | None] = mapped_column(String(100))
    import_id: Mapped[int | None]
    # G1: the campaign the customer came from (set on entry, by import or in bulk).
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.campaigns.id", ondelete="SET NULL"))

    owner = relationship("User", foreign_keys=[owner_id])
    previous_owner = relationship("User", foreign_keys=[previous_owner_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])
    deleted_by = relationship("User", foreign_keys=[deleted_by_id])
    contacts = relationship(
        "Contact", back_populates="customer", cascade="all, delete-orphan", order_by="Contact.id"
    )

    @property
    def primary_contact(self):
        return next((c for c in self.contacts if c.is_primary), None)

    @property
    def region(self):
        return " ".join(part for part in dict.fromkeys((self.province, self.city, self.district)) if part)


class Contact(TenantTable, db.Model):
    __tablename__ = "contacts"
    __table_args__ = tenant_args(
        Index("ix_contacts_customer_id", "customer_id"),
        Index("ix_contacts_phone_key", "phone_key"),  # duplicates: the same number, however typed
        # Search: any run of three or more of a number's digits (the last four, an area code).
        Index("ix_contacts_phone_key_trgm", "phone_key", postgresql_using="gin",
              postgresql_ops={"phone_key": "gin_trgm_ops"}),
        Index("ix_contacts_name_trgm", "name", postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"}),
        Index("ix_contacts_name_grams", text("public.crm_grams(name)"), postgresql_using="gin"),  # 张三
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey(CUSTOMERS_ID, ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(30))
    # Digits only, without +86 (duplicates.phone_key): 010-8888 6666 and 01088886666 are one number.
    phone_key: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(200))
    wechat: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(20))
    is_primary: Mapped[bool] = mapped_column(default=False)

    customer = relationship("Customer", back_populates="contacts")


class NumberCounter(TenantTable, db.Model):
    """The last serial handed out per number prefix (``CRM20261201``); one upsert per number.

    Keyed by the rendered prefix rather than by day, so the serial restarts
    exactly when the number's own date part changes, whatever pattern the
    company chose.
    """

    __tablename__ = "number_counters"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class CustomerChange(TenantTable, db.Model):
    """One changed field (C7): who, when, old, new, why. One save writes its rows with one ``at``.

    ``field`` is a code (``name``, ``contact.phone``, ``custom.budget``);
    ``label`` copies a custom field's label and ``subject`` a contact's name
    at the time, so the log still reads right after the definition or the
    contact is gone.
    """

    __tablename__ = "customer_changes"
    __table_args__ = tenant_args(
        Index("ix_customer_changes_customer_id_at", "customer_id", "at"),
        # I1: what an import batch did, read back when it is reverted.
        Index("ix_customer_changes_import_id", "import_id", postgresql_where=text("import_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey(CUSTOMERS_ID, ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey(USERS_ID))
    actor_name: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(30))
    field: Mapped[str | None] = mapped_column(String(80))
    label: Mapped[str | None] = mapped_column(String(100))
    subject: Mapped[str | None] = mapped_column(String(200))
    old: Mapped[Any] = mapped_column(JSONB, nullable=True)
    new: Mapped[Any] = mapped_column(JSONB, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text)
    # I1: the import batch that made this change (None for changes made by hand).
    import_id: Mapped[int | None]


class TransferRequest(TenantTable, db.Model):
    """C8: a transfer asked for by someone without the right, waiting for someone above them."""

    __tablename__ = "transfer_requests"
    __table_args__ = tenant_args(
        Index("ix_transfer_requests_customer_id", "customer_id"),
        Index("ix_transfer_requests_pending", "created_at", postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey(CUSTOMERS_ID, ondelete="CASCADE"))
    from_owner_id: Mapped[int] = mapped_column(ForeignKey(USERS_ID))
    to_user_id: Mapped[int] = mapped_column(ForeignKey(USERS_ID))
    reason: Mapped[str | None] = mapped_column(Text)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey(USERS_ID))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey(USERS_ID))
    decided_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    customer = relationship("Customer")
    from_owner = relationship("User", foreign_keys=[from_owner_id])
    to_user = relationship("User", foreign_keys=[to_user_id])
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])


class CustomerShare(TenantTable, db.Model):
    """A customer shared with a colleague outside its owner's chain (I2): ``read`` or ``edit``, through ``until``.

    One share per person and customer (sharing again replaces it). It is one
    branch of the visibility rule (``shares.share_clause``), read at query time,
    so a share past its last day simply stops counting; a transfer or the
    colleague's departure deletes it outright (``shares.end_shares``).
    """

    __tablename__ = "customer_shares"
    __table_args__ = tenant_args(
        UniqueConstraint("customer_id", "user_id"),
        Index("ix_customer_shares_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey(CUSTOMERS_ID, ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey(USERS_ID))
    access: Mapped[str] = mapped_column(String(10), default="read")
    # The last day the share counts (company time), inclusive; None for no end.
    until: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey(USERS_ID))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    customer = relationship("Customer")
    user = relationship("User", foreign_keys=[user_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
