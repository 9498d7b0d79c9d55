"""Public-schema tables: the companies and the hosts that reach them."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_saas.core.base import PUBLIC_SCHEMA, utcnow
from crm_saas.extensions import db


class Tenant(db.Model):
    __tablename__ = "tenants"
    __table_args__ = {"schema": PUBLIC_SCHEMA}

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    schema_name: Mapped[str] = mapped_column(String(63), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="trial")  # trial, active, suspended ...
    expires_at: Mapped[datetime | None]
    contact_name: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    rep_code: Mapped[str | None] = mapped_column(String(6))
    # Version of the tenant migration track this schema is at; lets
    # ``db upgrade`` skip up-to-date tenants without opening their schema.
    schema_version: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime | None]

    domains = relationship("TenantDomain", back_populates="tenant", cascade="all, delete-orphan")

    @property
    def is_open(self):
        """Whether its users may work: trial and active companies only."""
        return self.status in ("trial", "active")


class TenantDomain(db.Model):
    __tablename__ = "tenant_domains"
    __table_args__ = {"schema": PUBLIC_SCHEMA}

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey(f"{PUBLIC_SCHEMA}.tenants.id", ondelete="CASCADE"))
    domain: Mapped[str] = mapped_column(String(253), unique=True)
    is_primary: Mapped[bool] = mapped_column(default=True)

    tenant = relationship("Tenant", back_populates="domains")
