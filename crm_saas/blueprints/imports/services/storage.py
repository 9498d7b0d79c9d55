"""Where a company's uploaded files and error workbooks live: one folder per tenant schema, kept 7 days.

Beside the exports (``CRM_IMPORT_DIR``, else ``<instance>/imports``), under
names the server makes (``upload-12.xlsx``, ``errors-12.xlsx``): the name a
person gave their file is only ever shown, never used as a path.
"""
import os
from datetime import timedelta

from flask import current_app

from crm_saas.tenants.binding import current_schema

KEEP = timedelta(days=7)


def import_dir(app=None, schema=None):
    app = app or current_app
    root = app.config.get("CRM_IMPORT_DIR") or os.path.join(app.instance_path, "imports")
    path = os.path.join(root, schema or current_schema())
    os.makedirs(path, exist_ok=True)
    return path


def upload_name(imp):
    return f"upload-{imp.id}.{imp.file_format}"


def error_name(imp):
    return f"errors-{imp.id}.xlsx"


def path_of(name):
    return os.path.join(import_dir(), name)


def remove(name):
    if name:
        try:
            os.remove(path_of(name))
        except FileNotFoundError:
            pass
