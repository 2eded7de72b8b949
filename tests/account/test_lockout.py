"""Five failed sign-ins lock a username for 15 minutes; every failure and the lockout are audited."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from casework.audit.models import AuditEvent
from tests.factories import PASSWORD, StaffFactory

pytestmark = pytest.mark.django_db

LIMIT = 5


def attempt(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


@pytest.fixture
def po(db):
    return StaffFactory(user__username="jsmith")


def test_settings_are_five_failures_and_fifteen_minutes(settings):
    assert settings.AXES_FAILURE_LIMIT == LIMIT
    assert dt.timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username"]


def test_four_failures_then_the_right_password_signs_in_and_resets_the_count(client, po):
    for _ in range(LIMIT - 1):
        assert attempt(client, "jsmith", "wrong-password").status_code == 200
    response = attempt(client, "jsmith", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert actions() == ["auth.sign_in_failed"] * (LIMIT - 1) + ["auth.sign_in"]
    assert not AccessAttempt.objects.filter(username="jsmith").exists()


def test_the_fifth_failure_locks_the_username(client, po):
    for _ in range(LIMIT - 1):
        response = attempt(client, "jsmith", "wrong-password")
        assert b"Enter a correct username and password" in response.content
    response = attempt(client, "jsmith", "wrong-password")
    assert response.status_code == 429
    assert b"Sign-in locked for 15 minutes" in response.content
    assert actions() == ["auth.sign_in_failed"] * (LIMIT - 1) + ["auth.locked_out"]
    locked = AuditEvent.objects.get(action="auth.locked_out")
    assert (locked.actor, locked.ip_address) == (po.user, "127.0.0.1")


def test_while_locked_even_the_right_password_is_refused_and_the_lock_is_not_extended(client, po):
    for _ in range(LIMIT):
        attempt(client, "jsmith", "wrong-password")
    started = AccessAttempt.objects.get(username="jsmith").attempt_time
    response = attempt(client, "jsmith", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert actions()[-1] == "auth.sign_in_refused_locked"
    assert AccessAttempt.objects.get(username="jsmith").attempt_time == started


def test_after_fifteen_minutes_the_right_password_works_again(client, po):
    for _ in range(LIMIT):
        attempt(client, "jsmith", "wrong-password")
    # Move the lock into the past instead of waiting for it.
    AccessAttempt.objects.filter(username="jsmith").update(
        attempt_time=AccessAttempt.objects.get(username="jsmith").attempt_time - dt.timedelta(minutes=15, seconds=1))
    response = attempt(client, "jsmith", PASSWORD)
    assert response.status_code == 302
    assert actions()[-1] == "auth.sign_in"


def test_one_locked_username_does_not_lock_another(client, po):
    other = StaffFactory(user__username="other")
    for _ in range(LIMIT):
        attempt(client, "jsmith", "wrong-password")
    assert attempt(client, "other", PASSWORD).status_code == 302
    assert AuditEvent.objects.filter(action="auth.sign_in").get().actor == other.user


def test_an_unknown_username_locks_the_same_way_so_names_cannot_be_probed(client, db):
    for _ in range(LIMIT - 1):
        attempt(client, "nobody", "guess")
    assert attempt(client, "nobody", "guess").status_code == 429
    event = AuditEvent.objects.get(action="auth.locked_out")
    assert (event.actor, event.actor_label) == (None, "unknown: nobody")


def test_an_empty_form_is_not_a_sign_in_attempt(client, db):
    assert client.post(reverse("login"), {"username": "", "password": ""}).status_code == 200
    assert not AuditEvent.objects.exists()
