"""Configuration (crm_saas/config.py): every setting from the environment, production failing closed."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask

from crm_saas.config import DEFAULTS, ConfigurationError, environment_name, load_config

README = Path(__file__).resolve().parents[2] / "README.md"
PRODUCTION = {"DATABASE_URL": "postgresql://db/crm", "REDIS_URL": "redis://cache/0", "SECRET_KEY": "k" * 32}


def _clean_environment(**given):
    """The environment of a process started by an operator who set only ``given``."""
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith("CRM_") and key not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")}
    return {**environment, **given}


def _loaded(monkeypatch, instance="/nonexistent", **environment):
    for key in list(os.environ):
        if key.startswith("CRM_") or key in PRODUCTION:
            monkeypatch.delenv(key)
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    app = Flask(__name__, instance_path=str(instance))
    load_config(app)
    return app.config


@pytest.mark.parametrize("missing", ["DATABASE_URL", "REDIS_URL", "SECRET_KEY"])
def test_a_production_process_without_a_required_variable_refuses_to_start_naming_it(missing, tmp_path):
    given = {key: value for key, value in PRODUCTION.items() if key != missing}
    started = subprocess.run([sys.executable, "-c", "from crm_saas import create_app; create_app()"],
                             env=_clean_environment(**given), cwd=tmp_path, capture_output=True, text=True,
                             timeout=120)
    assert started.returncode != 0
    assert f"{missing} is not set" in started.stderr
    assert not (tmp_path / "instance").exists()  # no embedded server was started in its place


def test_the_command_line_says_what_is_missing_without_a_traceback(tmp_path):
    command = Path(sys.executable).with_name("crm-saas")
    ran = subprocess.run([str(command), "db", "upgrade"], env=_clean_environment(), cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert ran.returncode == 1
    assert "DATABASE_URL is not set" in ran.stderr
    assert "Traceback" not in ran.stderr


def test_every_setting_comes_from_the_environment_as_its_kind(monkeypatch):
    config = _loaded(monkeypatch, **PRODUCTION, CRM_MAX_ATTACHMENT_MB="5", CRM_HTTPS="on",
                     CRM_OUTBOUND_ALLOW_PRIVATE="false", CRM_BASE_DOMAIN="crm.example.com",
                     CRM_SQLALCHEMY_ENGINE_OPTIONS=json.dumps({"pool_size": 3, "max_overflow": 0}),
                     CRM_MAX_CONTENT_LENGTH="1048576", CRM_LOG_JSON="0")
    assert config["CRM_MAX_ATTACHMENT_MB"] == 5
    assert config["CRM_HTTPS"] is True and config["SESSION_COOKIE_SECURE"] is True
    assert config["CRM_OUTBOUND_ALLOW_PRIVATE"] is False
    assert config["CRM_BASE_DOMAIN"] == "crm.example.com"
    assert config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_size": 3, "max_overflow": 0}
    assert config["MAX_CONTENT_LENGTH"] == 1048576
    assert config["CRM_LOG_JSON"] is False
    assert config["DATABASE_URL"] == PRODUCTION["DATABASE_URL"]


@pytest.mark.parametrize(("variable", "value"), [("CRM_MAX_ATTACHMENT_MB", "twenty"), ("CRM_HTTPS", "maybe"),
                                                 ("CRM_SQLALCHEMY_ENGINE_OPTIONS", "pool_size=5")])
def test_a_value_of_the_wrong_kind_stops_start_up_naming_the_variable(monkeypatch, variable, value):
    with pytest.raises(ConfigurationError, match=variable):
        _loaded(monkeypatch, **PRODUCTION, **{variable: value})


def test_development_needs_nothing_but_the_switch(monkeypatch, tmp_path):
    config = _loaded(monkeypatch, tmp_path, CRM_EMBEDDED="1")
    assert config["CRM_EMBEDDED"] is True and len(config["SECRET_KEY"]) == 64


def test_the_readme_table_names_every_setting_and_its_variable():
    table = README.read_text(encoding="utf-8").split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", table))
    assert {environment_name(key) for key in DEFAULTS} <= documented
