"""Alembic environment for this track.

``crm-saas db upgrade`` drives both tracks itself (crm_saas/tenants/migrate.py):
the public track once, then the tenant track once per schema, each tenant in
its own transaction. This file exists so ``alembic revision`` can create new
scripts here (``alembic -c migrations/alembic.ini -n <track> revision -m ...``).
"""
from crm_saas.tenants.migrate import run_from_alembic_cli

run_from_alembic_cli()
