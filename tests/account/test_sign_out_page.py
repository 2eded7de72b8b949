"""Signing out is a POST; an address typed or bookmarked shows a page with the button, never an empty 405."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casework.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_get_shows_a_sign_out_page_and_does_not_sign_out(client, signed_in, po):
    client = signed_in(po)
    response = client.get(reverse("logout"))
    assert response.status_code == 200
    assert b"Sign out of Casework" in response.content and b'<button type="submit"' in response.content
    assert client.get(reverse("caseload")).status_code == 200  # still signed in
    assert not AuditEvent.objects.filter(action="auth.sign_out").exists()


def test_the_button_signs_out_and_is_audited(client, signed_in, po):
    client = signed_in(po)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="auth.sign_out", actor=po.user).count() == 1
    assert client.get(reverse("caseload")).status_code == 302


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
