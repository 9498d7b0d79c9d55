"""Provisioning is one transaction: a failure anywhere leaves no schema and no tenant row."""
import pytest
from sqlalchemy import select, text

from crm_saas.core.passwords import hash_password
from crm_saas.extensions import db
from crm_saas.tenants.binding import tenant_context
from crm_saas.tenants.models import Tenant, TenantDomain
from crm_saas.tenants.provisioning import SlugError, provision_tenant
from tests.conftest import new_slug

ADMIN = {"username": "admin", "password_hash": "x", "name": "Admin"}


def schema_exists(name):
    return db.session.scalar(
        text("SELECT count(*) FROM information_schema.schemata WHERE schema_name = :n"), {"n": name}
    ) == 1


def test_failure_mid_way_leaves_nothing(app):
    slug = new_slug("boom")

    def explode(conn):
        # Schema, tables, pipeline and admin exist by now, inside the transaction.
        assert conn.execute(text(f"SELECT count(*) FROM t_{slug.replace('-', '_')}.stages")).scalar() == 6
        raise RuntimeError("disk full")

    with app.app_context():
        with pytest.raises(RuntimeError):
            provision_tenant(slug, "Boom Ltd", dict(ADMIN), hook=explode)
        assert db.session.scalar(select(Tenant).where(Tenant.slug == slug)) is None
        assert db.session.scalar(select(TenantDomain).where(TenantDomain.domain == f"{slug}.localhost")) is None
        assert not schema_exists("t_" + slug.replace("-", "_"))


def test_new_tenant_has_schema_defaults_admin_and_version(app):
    from crm_saas.blueprints.pipeline.services import default_pipeline
    from crm_saas.core.users import User
    from crm_saas.tenants.migrate import TENANT, head

    slug = new_slug("fresh")
    with app.app_context():
        admin = dict(ADMIN, password_hash=hash_password("Admin#2026"))
        tenant_id = provision_tenant(slug, "Fresh Co", admin)
        tenant = db.session.get(Tenant, tenant_id)
        assert tenant.schema_version == head(TENANT) and tenant.status == "trial"
        assert schema_exists(tenant.schema_name)
        with tenant_context(tenant):
            stages = [(s.code, s.kind) for s in default_pipeline().stages]
            assert stages == [("initial_contact", "open"), ("needs_analysis", "open"), ("proposal", "open"),
                              ("negotiation", "open"), ("won", "won"), ("lost", "lost")]
            assert db.session.scalar(select(User.role).where(User.username == "admin")) == "admin"


@pytest.mark.parametrize("slug, code", [("A", "malformed"), ("-abc", "malformed"), ("www", "reserved"),
                                        ("has space", "malformed"), ("x" * 40, "malformed")])
def test_bad_slugs_are_refused_before_anything_is_written(app, slug, code):
    with app.app_context():
        with pytest.raises(SlugError) as err:
            provision_tenant(slug, "Bad", dict(ADMIN))
        assert err.value.code == code


def test_taken_slug_is_refused(app, tenant):
    with app.app_context():
        with pytest.raises(SlugError) as err:
            provision_tenant(tenant.slug, "Again", dict(ADMIN))
        assert err.value.code == "taken"
