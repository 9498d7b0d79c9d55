"""Configuration: safe defaults, overridden by the environment, then by the caller.

Nothing here connects to anything: reading the environment happens when
``load_config`` is called by the app factory, never at import time.
"""
import os
import secrets

DEFAULTS = {
    "SECRET_KEY": None,  # filled per instance folder when unset, see load_config
    "CRM_ENCRYPTION_KEY": None,  # Fernet key for stored secrets (core/crypto.py); None: derived from SECRET_KEY
    "DATABASE_URL": None,  # None: start the embedded PostgreSQL
    "REDIS_URL": None,  # None: start the embedded redis-server
    "CRM_BASE_DOMAIN": "localhost",
    "CRM_TRIAL_DAYS": 14,
    "CRM_EXPORT_QUEUE": "crm-exports",
    "CRM_EXPORT_JOB_TIMEOUT": 1800,
    "CRM_EXPORT_DIR": None,  # None: <instance folder>/exports
    "CRM_FILES_DIR": None,  # None: <instance folder>/files; attachments, one folder per tenant schema
    "CRM_MAX_ATTACHMENT_MB": 20,
    # B6: how often a password may be tried (core/throttle.py); "N per period", several separated by ";".
    "CRM_SIGN_IN_RATE": "20 per minute;100 per hour",  # tries from one address, right or wrong
    "CRM_SIGN_IN_FAILURES": "5 per 15 minutes",  # wrong passwords for one account from one address
    "CRM_SIGN_UP_RATE": "10 per hour",  # sign-ups from one address
    "RATELIMIT_KEY_PREFIX": "crm-limits",
    # Proxies in front of the app that set X-Forwarded-For/-Proto: the limits count the client's address, not theirs.
    "CRM_PROXY_HOPS": 0,
    # Connections a company configures (its SMTP server): private and internal addresses refused unless allowed.
    "CRM_OUTBOUND_ALLOW_PRIVATE": False,
    "CRM_OUTBOUND_TIMEOUT": 5,
    # Served over HTTPS (behind a TLS proxy): Secure session cookie and HSTS (core/headers.py).
    "CRM_HTTPS": False,
    "CRM_API_TOKEN_HOURS": 24 * 30,
    "PASSWORD_HASH_METHOD": "scrypt",
    "LANGUAGES": ["zh_CN", "en"],
    "BABEL_DEFAULT_LOCALE": "zh_CN",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",  # times are stored in UTC, shown in China time
    # The database pool (engine_options below; README "Configuration", "Tenancy"): each process (each gunicorn
    # worker) holds at most size + overflow connections. A backend's catalog cache grows with every tenant schema
    # it opens and never shrinks, so a connection is replaced once it has served this many schemas (0: never;
    # tenants/recycling.py) and once it is this many seconds old (SQLAlchemy's pool_recycle; 0: never).
    "CRM_DB_POOL_SIZE": 10,
    "CRM_DB_MAX_OVERFLOW": 20,
    "CRM_DB_POOL_RECYCLE": 3600,
    "CRM_DB_TENANTS_PER_CONNECTION": 20,
    "SQLALCHEMY_ENGINE_OPTIONS": {},  # a caller's own engine options, over those built from the settings above
    "WTF_CSRF_TIME_LIMIT": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
    # flask-smorest: the OpenAPI document lives at /api/v1/openapi.json
    "API_TITLE": "crm_saas API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
}

ENVIRONMENT_KEYS = (
    "SECRET_KEY", "CRM_ENCRYPTION_KEY", "DATABASE_URL", "REDIS_URL", "CRM_BASE_DOMAIN", "CRM_EXPORT_QUEUE",
    "CRM_EXPORT_DIR", "CRM_FILES_DIR", "CRM_PROXY_HOPS", "CRM_OUTBOUND_ALLOW_PRIVATE", "CRM_HTTPS",
    "CRM_DB_POOL_SIZE", "CRM_DB_MAX_OVERFLOW", "CRM_DB_POOL_RECYCLE", "CRM_DB_TENANTS_PER_CONNECTION",
)
# Read from the environment as yes/no rather than as text.
BOOLEAN_KEYS = ("CRM_OUTBOUND_ALLOW_PRIVATE", "CRM_HTTPS")


def load_config(app, overrides=None):
    """Defaults, then environment variables, then explicit overrides (tests)."""
    app.config.update(DEFAULTS)
    for key in ENVIRONMENT_KEYS:
        if os.environ.get(key):
            value = os.environ[key]
            app.config[key] = value.strip().lower() in ("1", "true", "yes", "on") if key in BOOLEAN_KEYS else value
    app.config.update(overrides or {})
    if app.config["CRM_HTTPS"]:
        app.config["SESSION_COOKIE_SECURE"] = True
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(app.instance_path)


def _instance_secret(instance_path):
    """A per-installation secret kept in the instance folder, so sessions survive restarts."""
    os.makedirs(instance_path, exist_ok=True)
    path = os.path.join(instance_path, "secret_key")
    if not os.path.exists(path):
        with open(path, "w") as fh:
            fh.write(secrets.token_hex(32))
        os.chmod(path, 0o600)
    with open(path) as fh:
        return fh.read().strip()


def engine_options(config):
    """The engine's options from the ``CRM_DB_*`` settings; ``SQLALCHEMY_ENGINE_OPTIONS`` wins key by key.

    Prepared statements are always off (``prepare_threshold=None``): psycopg
    prepares a statement on the connection after its fifth run, and that is
    session state. Behind pgbouncer in transaction mode the next transaction
    may run on another server, where the statement does not exist (or another
    one of that name does). Always, not behind a setting, because directly on
    PostgreSQL nothing measurable is lost: psycopg forgets them at every
    rollback of an open transaction, and the pool rolls back every connection
    it takes back, so no page statement ran prepared even with the default
    (bench/README.md, "Prepared statements off"); custom plans also keep the
    planner seeing each statement's values (the generic-plan traps there).
    """
    recycle = int(config["CRM_DB_POOL_RECYCLE"] or 0)
    options = {
        "pool_pre_ping": True,
        "pool_size": int(config["CRM_DB_POOL_SIZE"]),
        "max_overflow": int(config["CRM_DB_MAX_OVERFLOW"]),
        "pool_recycle": recycle if recycle > 0 else -1,
        "connect_args": {"prepare_threshold": None},
    }
    explicit = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options["connect_args"] = {**options["connect_args"], **explicit.pop("connect_args", {})}
    return {**options, **explicit}


def sqlalchemy_url(url):
    """Accept the standard ``postgresql://`` form and pick the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
