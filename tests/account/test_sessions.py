"""Sessions end after 30 minutes idle or 10 hours in all; sign-in and sign-out are audited; cookies are locked down."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import types

import pytest
from django.urls import reverse

from casework.account.middleware import LAST_SEEN, SIGNED_IN_AT, TOUCH_SECONDS
from casework.audit.models import AuditEvent
from tests.factories import PASSWORD, StaffFactory

pytestmark = pytest.mark.django_db

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def po(db):
    return StaffFactory(user__username="officer")


def signed_in(client, po):
    client.post(reverse("login"), {"username": "officer", "password": PASSWORD})
    return client


def age_session(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


@pytest.fixture
def clock(monkeypatch):
    """The session clocks' time, fixed (so the tests compare times exactly, never within a tolerance)."""
    now = int(time.time())
    monkeypatch.setattr("casework.account.middleware.time", types.SimpleNamespace(time=lambda: now))
    return now


def test_sign_in_is_audited_with_the_address_and_starts_the_clocks(client, po, clock):
    signed_in(client, po)
    event = AuditEvent.objects.get(action="auth.sign_in")
    assert (event.actor, event.ip_address) == (po.user, "127.0.0.1")
    assert client.session[LAST_SEEN] == clock
    assert client.session[SIGNED_IN_AT] == client.session[LAST_SEEN]


def test_thirty_minutes_idle_signs_out_and_says_why(client, po, settings):
    assert settings.SESSION_IDLE_SECONDS == 30 * 60
    signed_in(client, po)
    age_session(client, casework_last_seen=30 * 60 + 1)
    response = client.get(reverse("caseload"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    page = client.get(response["Location"])
    assert b"You were signed out because you had not used Casework for 30 minutes" in page.content
    event = AuditEvent.objects.get(action="auth.sign_out")
    assert (event.actor, event.detail) == (po.user, "idle timeout")


def test_activity_within_thirty_minutes_keeps_the_session_and_moves_the_clock(client, po, clock):
    signed_in(client, po)
    age_session(client, casework_last_seen=29 * 60)
    assert client.get(reverse("caseload")).status_code == 200
    assert client.session[LAST_SEEN] == clock


def test_the_last_seen_time_is_written_at_most_once_a_minute(client, po):
    signed_in(client, po)
    age_session(client, casework_last_seen=TOUCH_SECONDS - 10)
    before = client.session[LAST_SEEN]
    client.get(reverse("caseload"))
    assert client.session[LAST_SEEN] == before


def test_ten_hours_after_sign_in_the_session_ends_however_busy(client, po, settings):
    assert settings.SESSION_MAX_SECONDS == 10 * 60 * 60
    signed_in(client, po)
    age_session(client, casework_signed_in_at=10 * 60 * 60 + 1, casework_last_seen=5)
    assert client.get(reverse("caseload"))["Location"].startswith(reverse("login"))
    assert AuditEvent.objects.get(action="auth.sign_out").detail == "session too old"


def test_sign_out_is_audited(client, po):
    signed_in(client, po)
    assert client.post(reverse("logout")).status_code == 302
    event = AuditEvent.objects.get(action="auth.sign_out")
    assert (event.actor, event.detail) == (po.user, "signed out")
    assert client.get(reverse("caseload")).status_code == 302


def test_session_and_csrf_cookies_are_http_only_and_the_session_ends_with_the_browser(client, po, settings):
    response = client.post(reverse("login"), {"username": "officer", "password": PASSWORD})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["max-age"] == ""  # a browser-session cookie; the server ends it after 30 idle minutes
    assert settings.CSRF_COOKIE_HTTPONLY and settings.SESSION_COOKIE_AGE == 30 * 60


def test_production_cookies_are_secure_and_hsts_is_on():
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS >= 31536000, "
            "s.SECURE_SSL_REDIRECT, s.SECOND_FACTOR_ENFORCED, s.DEMO_MODE)")
    env = {**{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
           "DJANGO_SETTINGS_MODULE": "casework.settings.production", "SECRET_KEY": "x" * 64,
           "ALLOWED_HOSTS": "casework.example.org", "DATABASE_URL": "postgres://localhost/casework"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["True", "True", "True", "True", "True", "False"], result.stderr
