"""Headers on every response: a strict Content-Security-Policy with a nonce, no framing, no sniffing."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("url", ["/sign-in/", "/accessibility/", "/cases/X999999/"])
def test_pages_send_a_strict_content_security_policy(client, url):
    if url.startswith("/cases/"):
        client.force_login(factories.StaffFactory(team=factories.TeamFactory()).user)
    response = client.get(url)
    policy = directives(response)
    nonce = next(s for s in policy["script-src"] if s.startswith("'nonce-"))
    assert policy["default-src"] == ["'self'"]
    hashes = {s for s in policy["script-src"] if s.startswith("'sha256-")}  # axe-core's, under test settings only
    assert set(policy["script-src"]) - {nonce} - hashes == {"'self'"}
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["form-action"] == ["'self'"]
    scripts = re.findall(rb"<script[^>]*>", response.content)
    assert scripts, "the page loads its module script"
    assert all(f'nonce="{nonce[7:-1]}"'.encode() in tag for tag in scripts)


def test_each_response_gets_a_new_nonce(client):
    first = directives(client.get("/sign-in/"))["script-src"]
    second = directives(client.get("/sign-in/"))["script-src"]
    assert first != second


def test_the_production_policy_allows_no_inline_script_at_all(settings):
    """Test settings add one hash, for axe-core in the browser tests; the base policy has none."""
    from casework.settings import base

    script_src = base.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"]
    assert [str(s) for s in script_src if s != base.CSP_NONCE] == ["'self'"]


def test_other_security_headers(client):
    response = client.get("/sign-in/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_api_responses_carry_the_headers_too(client):
    response = client.get(reverse("api-case-list"))
    assert response.status_code == 401
    assert response["X-Content-Type-Options"] == "nosniff" and "Content-Security-Policy" in response


def test_deploy_check_is_clean_under_production_settings(tmp_path):
    env = {**{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
           "DJANGO_SETTINGS_MODULE": "casework.settings.production", "SECRET_KEY": secrets.token_urlsafe(64),
           "ALLOWED_HOSTS": "casework.example.org", "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
