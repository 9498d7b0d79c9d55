"""Customers and their contacts (tenant schema)."""
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_saas.extensions import db
from crm_saas.models_base import TENANT_SCHEMA, TenantTable, tenant_args, utcnow


class Customer(TenantTable, db.Model):
    __tablename__ = "customers"
    __table_args__ = tenant_args(
        Index("ix_customers_owner_id", "owner_id"),
        Index("ix_customers_created_at", "created_at"),
        Index("ix_customers_name_trgm", "name", postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"}),
        Index("ix_customers_custom", "custom", postgresql_using="gin"),
        Index("ix_customers_pending", "created_at", postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    industry: Mapped[str] = mapped_column(String(40))
    industry_note: Mapped[str | None] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(20), default="potential")
    # B4: active, or pending/rejected while a rep's entry waits for a supervisor.
    status: Mapped[str] = mapped_column(String(20), default="active", server_default="active")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.users.id"))
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
    owner_id: Mapped[int] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.users.id"))
    custom: Mapped[dict] = mapped_column(JSONB, default=dict, server_default=text("'{}'::jsonb"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[datetime | None]

    owner = relationship("User", foreign_keys=[owner_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])
    contacts = relationship(
        "Contact", back_populates="customer", cascade="all, delete-orphan", order_by="Contact.id"
    )

    @property
    def primary_contact(self):
        return next((c for c in self.contacts if c.is_primary), None)


class Contact(TenantTable, db.Model):
    __tablename__ = "contacts"
    __table_args__ = tenant_args(
        Index("ix_contacts_customer_id", "customer_id"),
        # Pattern ops: phone search is a prefix LIKE, which a plain btree cannot serve outside the C collation.
        Index("ix_contacts_phone", "phone", postgresql_ops={"phone": "varchar_pattern_ops"}),
        Index("ix_contacts_name_trgm", "name", postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey(f"{TENANT_SCHEMA}.customers.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(200))
    wechat: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(20))
    is_primary: Mapped[bool] = mapped_column(default=False)

    customer = relationship("Customer", back_populates="contacts")


class NumberSequence(TenantTable, db.Model):
    """Daily counters behind customer numbers; one upsert per number keeps them unique under concurrency."""

    __tablename__ = "number_sequences"

    scope: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)
