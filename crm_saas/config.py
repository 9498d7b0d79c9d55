"""Configuration: defaults in code, then the environment, then the caller (tests and benches pass theirs).

Every setting in ``DEFAULTS`` can come from the environment, under one
prefix: a setting named ``CRM_X`` from ``CRM_X``; any other (``MAX_CONTENT_LENGTH``,
``SQLALCHEMY_ENGINE_OPTIONS`` ...) from ``CRM_`` and its name; and the three
that every host names its own way from ``DATABASE_URL``, ``REDIS_URL`` and
``SECRET_KEY``. A value is read as its default's kind: ``1``/``true``/``on``
for a switch, ``30`` for a number, JSON for ``{"pool_size": 5}``; a value
that is not one stops start-up naming the variable. README's
Configuration table lists them all (a test holds it to ``DEFAULTS``).

Production fails closed: without ``CRM_EMBEDDED`` (the development
convenience of ``make run`` and ``make test``), a missing DATABASE_URL,
REDIS_URL or SECRET_KEY stops start-up naming the variable, rather than
quietly writing a company's data into a server started on the spot.

Nothing here connects to anything or reads the environment at import time.
"""
import json
import os
import secrets

DEFAULTS = {
    # Development only: start PostgreSQL and Redis from the pip wheels for the URLs not given (embedded.py).
    "CRM_EMBEDDED": False,
    "SECRET_KEY": None,  # required in production; in development kept in the instance folder
    "CRM_ENCRYPTION_KEY": None,  # Fernet key for stored secrets (core/crypto.py); None: derived from SECRET_KEY
    "DATABASE_URL": None,  # required in production; in development None starts the embedded PostgreSQL
    "REDIS_URL": None,  # required in production; in development None starts the embedded redis-server
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
    # The platform's own mail (core/mail.py): password-reset links. smtp://user:password@host:587 (STARTTLS when
    # the server offers it) or smtps://...:465; empty: no reset by email (an admin resets a colleague's password).
    "CRM_MAIL_URL": "",
    "CRM_MAIL_SENDER": "",  # empty: noreply@<base domain>
    "CRM_PASSWORD_RESET_MINUTES": 30,  # how long an emailed reset link works (once)
    "CRM_PASSWORD_RESET_RATE": "5 per hour",  # reset requests from one address; also "find my company" by email
    # One JSON line per request and per job on stderr (core/logs.py); off: plain lines for a terminal.
    "CRM_LOG_JSON": True,
    "CRM_LOG_LEVEL": "INFO",
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
    "SQLALCHEMY_ENGINE_OPTIONS": {},  # engine options of one's own, over those built from the settings above
    "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
}

# What the code relies on rather than settings: not read from the environment (tests may still override them).
FIXED = {
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # flask-smorest: the OpenAPI document lives at /api/v1/openapi.json
    "API_TITLE": "crm_saas API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
}

# Named in the environment without the prefix, as hosting platforms name them.
UNPREFIXED = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")
REQUIRED = UNPREFIXED


class ConfigurationError(RuntimeError):
    """Start-up refused: a required setting is missing (the message names the variable)."""


def environment_name(key):
    """The environment variable a setting is read from."""
    return key if key.startswith("CRM_") or key in UNPREFIXED else f"CRM_{key}"


_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _parsed(key, raw):
    """The environment's text as the setting's type; a value that cannot be one stops start-up naming it."""
    default = DEFAULTS[key]
    if key in UNPREFIXED or isinstance(default, str):
        return raw
    if isinstance(default, bool):
        if raw.strip().lower() in _TRUE + _FALSE:
            return raw.strip().lower() in _TRUE
        raise ConfigurationError(f"{environment_name(key)}={raw!r}: expected one of {', '.join(_TRUE + _FALSE)}.")
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw
    expected = type(default) if default is not None else None
    if expected in (int, dict, list) and not isinstance(value, expected) or isinstance(value, bool) and expected is int:
        raise ConfigurationError(f"{environment_name(key)}={raw!r}: expected {_KINDS[expected]}.")
    return value


_KINDS = {int: "a whole number", dict: 'a JSON object such as {"pool_size": 5}', list: 'a JSON list such as ["en"]'}


def load_config(app, overrides=None):
    """Defaults, then the environment, then explicit overrides; refuses to start without what production needs."""
    app.config.update(DEFAULTS)
    app.config.update(FIXED)
    for key in DEFAULTS:
        raw = os.environ.get(environment_name(key))
        if raw not in (None, ""):
            app.config[key] = _parsed(key, raw)
    app.config.update(overrides or {})
    if app.config["CRM_HTTPS"]:
        app.config["SESSION_COOKIE_SECURE"] = True
    if app.config["CRM_EMBEDDED"]:
        if not app.config["SECRET_KEY"]:
            app.config["SECRET_KEY"] = _instance_secret(app.instance_path)
        return
    missing = [key for key in REQUIRED if not app.config.get(key)]
    if missing:
        raise ConfigurationError(
            f"{missing[0]} is not set: crm_saas needs {', '.join(missing)} in production. "
            "Set it in the environment, or set CRM_EMBEDDED=1 for development servers started from the pip wheels."
        )


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
