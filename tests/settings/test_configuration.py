"""Start-up configuration: a missing or malformed DATABASE_URL stops with one clear line."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_check(env_overrides: dict[str, str], settings: str = "casework.settings.local"):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS"}}
    env.update({"DJANGO_SETTINGS_MODULE": settings, **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    "url, message",
    [
        pytest.param("mysql://root@localhost/x", "DATABASE_URL is malformed", id="unsupported-scheme"),
        pytest.param("not a url", "DATABASE_URL is malformed", id="no-scheme"),
        pytest.param("postgres://", "must name a database", id="postgres-without-database"),
        pytest.param("sqlite://", "needs a file path", id="sqlite-without-path"),
    ],
)
def test_malformed_database_url_stops_with_one_line(url, message):
    result = run_check({"DATABASE_URL": url})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("casework: ") and message in lines[0]


def test_production_requires_database_url():
    result = run_check({"SECRET_KEY": "x" * 64, "ALLOWED_HOSTS": "casework.example.org"},
                       settings="casework.settings.production")
    assert result.returncode == 2
    assert result.stderr.strip() == "casework: DATABASE_URL is not set; set it to postgres://USER:PASSWORD@HOST:PORT/NAME"


@pytest.mark.parametrize(
    "overrides, message",
    [
        pytest.param({}, "SECRET_KEY must be set", id="no-secret-key"),
        pytest.param({"SECRET_KEY": "short"}, "SECRET_KEY must be set", id="short-secret-key"),
        pytest.param({"SECRET_KEY": "x" * 64, "DEBUG": "true"}, "DEBUG must be off", id="debug-on"),
        pytest.param({"SECRET_KEY": "x" * 64}, "ALLOWED_HOSTS must list", id="no-allowed-hosts"),
    ],
)
def test_production_refuses_unsafe_settings(overrides, message):
    result = run_check({"DATABASE_URL": "postgres://localhost/casework", **overrides},
                       settings="casework.settings.production")
    assert result.returncode == 2
    assert message in result.stderr


def test_database_options_follow_the_engine(db):
    from django.db import connection

    if connection.vendor == "sqlite":
        assert connection.settings_dict["OPTIONS"]["init_command"].startswith("PRAGMA journal_mode=WAL")
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    else:
        assert connection.vendor == "postgresql"
        assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
