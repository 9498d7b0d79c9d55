"""The core: what every feature stands on, and nothing that knows about features.

The staff user and its tree (``users``, ``staff``), the one visibility rule
(``visibility``), roles and rights (``permissions``), company settings
(``settings``), the operation log (``audit``), the base model (``base``),
validation and form helpers, htmx and template helpers, and the signals
through which features hear of each other's events (``signals``). Tenancy
(``crm_saas.tenants``) sits at this level too.

Features (``crm_saas.blueprints.<feature>``) import from here; nothing here
imports a feature. ``lint-imports`` holds that (pyproject.toml).
"""
