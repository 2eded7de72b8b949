"""Logs: every record carries the request's id; production writes one JSON object per line; one access line
per request."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse

from casework.core.logs import JsonFormatter, RequestIdFilter
from casework.settings.base import BASE_DIR
from tests import factories

pytestmark = pytest.mark.django_db


def record(message="Something happened", **extra) -> logging.LogRecord:
    entry = logging.LogRecord("casework.test", logging.WARNING, __file__, 1, message, (), None)
    entry.__dict__.update(extra)
    return entry


def test_the_json_formatter_writes_one_object_per_line():
    line = JsonFormatter().format(record("Two\nlines é", request_id="abc", status=503, duration_ms=1.5))
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "Two\nlines é" and entry["level"] == "WARNING" and entry["logger"] == "casework.test"
    assert entry["request_id"] == "abc" and entry["status"] == 503 and entry["duration_ms"] == 1.5
    assert entry["time"].endswith("+00:00")
    assert "msg" not in entry and "args" not in entry


def test_the_json_formatter_keeps_a_traceback_in_one_field():
    try:
        raise ValueError("boom")
    except ValueError:
        entry = record()
        entry.exc_info = sys.exc_info()
    parsed = json.loads(JsonFormatter().format(entry))
    assert "Traceback" in parsed["exception"] and "ValueError: boom" in parsed["exception"]


def test_the_filter_gives_every_record_a_request_id_even_outside_a_request():
    entry = record()
    assert RequestIdFilter().filter(entry) is True
    assert entry.request_id is None


def test_each_request_has_one_access_line_with_its_id(caplog):
    po = factories.StaffFactory()
    client = Client()
    client.force_login(po.user)
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    logs = logging.getLogger("casework")
    with caplog.at_level(logging.INFO, logger="casework.request"):
        logs.addHandler(handler)  # the filter runs on a handler, as the settings put it
        try:
            response = client.get(reverse("search") + "?q=Smith", HTTP_X_REQUEST_ID="lb-1234")
        finally:
            logs.removeHandler(handler)
    assert response.status_code == 200 and response["X-Request-ID"] == "lb-1234"
    [line] = [r for r in caplog.records if r.name == "casework.request"]
    assert (line.method, line.path, line.status, line.user_id) == ("GET", "/search/", 200, po.user.pk)
    assert line.request_id == "lb-1234" and line.duration_ms >= 0
    assert "Smith" not in line.getMessage()  # no query string: searches are personal data


def test_a_new_request_id_when_none_comes_in(caplog):
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    logs = logging.getLogger("casework")
    with caplog.at_level(logging.INFO, logger="casework.request"):
        logs.addHandler(handler)
        try:
            response = Client().get(reverse("login"))
        finally:
            logs.removeHandler(handler)
    [line] = [r for r in caplog.records if r.name == "casework.request"]
    assert line.request_id == response["X-Request-ID"] and len(line.request_id) == 32
    assert line.user_id is None


def test_production_settings_log_json_with_the_request_id(tmp_path):
    script = (
        "import django, logging\n"
        "django.setup()\n"
        "from django.test import Client\n"
        "Client().get('/healthz')\n"
        "Client().get('/api/cases/', HTTP_X_REQUEST_ID='req-42', HTTP_X_FORWARDED_PROTO='https',"
        " HTTP_HOST='casework.example')\n"
        "logging.getLogger('casework.test').warning('outside a request')\n"
    )
    (tmp_path / "staticfiles").mkdir()  # else WhiteNoise warns (a Python warning, not a log record)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "casework.settings.production", "SECRET_KEY": "k" * 60,
           "ALLOWED_HOSTS": "casework.example,testserver", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "CASEWORK_VAR_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=BASE_DIR, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.strip()]
    access = [e for e in lines if e["logger"] == "casework.request"]
    assert [(e["method"], e["path"], e["status"], e["request_id"]) for e in access] == [
        ("GET", "/api/cases/", 401, "req-42")]
    assert access[0]["level"] == "INFO" and access[0]["duration_ms"] >= 0
    # Django's own records too: its warning about the refused request carries the same id.
    assert [e["request_id"] for e in lines if e["logger"] == "django.request"] == ["req-42"]
    assert {"logger": "casework.test", "message": "outside a request", "request_id": None}.items() <= \
        next(e for e in lines if e["logger"] == "casework.test").items()
