"""Issue 11.9: secrets a company stores (its SMTP password) are encrypted at rest, with the configured key."""
from cryptography.fernet import Fernet
from sqlalchemy import text, update

from crm_saas.core import crypto
from crm_saas.core.settings import get_setting
from crm_saas.extensions import db
from crm_saas.tenants.migrate import downgrade_tenant, upgrade_tenants
from crm_saas.tenants.models import Tenant
from tests.api_client import change_setting


def test_round_trip_and_legacy_values(app, monkeypatch):
    with app.app_context():
        sealed = crypto.encrypt("s3cret-pw")
        assert sealed.startswith("fernet:") and "s3cret" not in sealed and crypto.decrypt(sealed) == "s3cret-pw"
        assert crypto.encrypt(sealed) == sealed  # never twice
        assert crypto.decrypt("typed-before-encryption") == "typed-before-encryption"
        monkeypatch.setitem(app.config, "CRM_ENCRYPTION_KEY", Fernet.generate_key())
        assert crypto.decrypt(sealed) == ""  # another key cannot read it: the admin types it again


def raw_password(factory, tenant):
    return factory._run(tenant, lambda: db.session.execute(
        text(f"SELECT value->>'password' FROM {tenant.schema_name}.settings WHERE key = 'smtp'")).scalar())


def test_the_setting_is_stored_encrypted_and_read_in_clear(tenant, factory):
    change_setting(factory, tenant, "smtp", lambda v: {**v, "host": "smtp.example.com", "password": "s3cret-pw"})
    assert raw_password(factory, tenant).startswith("fernet:")
    assert factory._run(tenant, lambda: get_setting("smtp"))["password"] == "s3cret-pw"


def test_the_upgrade_encrypts_a_password_stored_as_typed(app, tenant, factory):
    change_setting(factory, tenant, "smtp", lambda v: {**v, "host": "smtp.example.com", "password": "s3cret-pw"})
    schema = tenant.schema_name

    def as_before_the_upgrade():
        db.session.execute(text(f"UPDATE {schema}.settings SET value = jsonb_set(value, '{{password}}', "
                                "'\"typed-long-ago\"') WHERE key = 'smtp'"))
        db.session.commit()

    factory._run(tenant, as_before_the_upgrade)
    with app.app_context():
        with db.engine.begin() as conn:  # the schema as 0005 left it, the later revisions walked back
            downgrade_tenant(conn, schema, "0005_login_sessions")
        db.session.execute(update(Tenant).where(Tenant.id == tenant.id).values(schema_version="0005_login_sessions"))
        db.session.commit()
        report = upgrade_tenants(db.engine)
    assert tenant.slug in report.upgraded
    assert raw_password(factory, tenant).startswith("fernet:")
    assert factory._run(tenant, lambda: get_setting("smtp"))["password"] == "typed-long-ago"
