"""Declarative base shared by public and tenant tables.

Tenant tables are declared in the placeholder schema ``tenant``; every
connection that touches them carries ``schema_translate_map`` that turns the
placeholder into the bound tenant's real schema (DESIGN.md, tenancy rule 3).
Keys are BIGINT everywhere so tenants can later be spread over nodes (rule 7).
"""
from datetime import datetime, timezone

from sqlalchemy import BigInteger, DateTime, MetaData
from sqlalchemy.orm import DeclarativeBase, registry

TENANT_SCHEMA = "tenant"
PUBLIC_SCHEMA = "public"

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow():
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING),
        type_annotation_map={int: BigInteger, datetime: DateTime(timezone=True)},
    )


class TenantTable:
    """Mixin for tables that live once per tenant schema."""

    __table_args__ = {"schema": TENANT_SCHEMA}


def tenant_tables():
    """Every table declared in the tenant schema, in dependency order.

    Complete once ``create_app`` has wired the features, each of which loads its models.
    """
    return [t for t in Base.metadata.sorted_tables if t.schema == TENANT_SCHEMA]


def tenant_args(*constraints):
    """``__table_args__`` for a tenant table that also declares indexes or constraints."""
    return (*constraints, {"schema": TENANT_SCHEMA})
