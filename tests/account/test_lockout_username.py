"""Failed sign-ins count under the username as people mean it: trimmed and lower-case.

Before, ``JSmith``, ``jsmith`` and `` jsmith `` were three counters, so varying the case or the
spacing of a username bought five more guesses each time.
"""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from casework.account.lockout import axes_username, normalise_username
from tests.factories import PASSWORD, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def po(db):
    return StaffFactory(user__username="jsmith")


def attempt(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_variants_of_a_username_share_one_count_and_one_lock(client, po):
    for typed in ["JSmith", " jsmith ", "JSMITH", "jSmith", "jsmith"]:
        attempt(client, typed, "wrong-password")
    assert list(AccessAttempt.objects.values_list("username", "failures_since_start")) == [("jsmith", 5)]
    response = attempt(client, "jsmith", PASSWORD)
    assert response.status_code == 429 and "_auth_user_id" not in client.session


def test_a_success_clears_the_count_kept_under_the_normalised_name(client, po):
    attempt(client, " JSMITH", "wrong-password")
    assert AccessAttempt.objects.get().username == "jsmith"
    assert attempt(client, "jsmith", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.exists()


@pytest.mark.parametrize("typed, counted", [("  JSmith\t", "jsmith"), ("ｊｓｍｉｔｈ", "jsmith"), ("", ""),
                                            (None, ""), ("x" * 200, "x" * 150)])
def test_normalise_username(typed, counted):
    assert normalise_username(typed) == counted


def test_the_callable_reads_credentials_first_then_the_form(rf):
    request = rf.post("/sign-in/", {"username": " Form "})
    assert axes_username(request, {"username": "Given"}) == "given"
    assert axes_username(request, None) == "form"


def test_the_audit_records_a_failure_under_the_normalised_username_and_its_account(client, po):
    from casework.audit.models import AuditEvent

    attempt(client, " JSmith ", "wrong-password")
    attempt(client, "NoSuchPerson", "wrong-password")
    known, unknown = AuditEvent.objects.filter(action="auth.sign_in_failed").order_by("pk")
    assert known.actor == po.user and known.detail == "username 'jsmith'"
    assert unknown.actor is None and unknown.actor_label == "unknown: nosuchperson"
