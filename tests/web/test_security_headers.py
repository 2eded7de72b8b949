"""Headers on every response: a strict Content-Security-Policy with a nonce, no framing, no sniffing, no storing."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.access import test_permissions as matrix
from tests.access.test_permissions import world  # noqa: F401 - the permission matrix's organisation

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


# No response carrying personal data may be stored by a browser or proxy.


CACHE_ROLES = ["anonymous", "po", "spo", "head", "admin", "api-cases"]


@pytest.mark.parametrize("route", [pytest.param(r, id=r.name) for r in matrix.ROUTES])
def test_every_response_in_the_permission_walk_is_no_store(world, db, route):  # noqa: F811
    """Every URL of the permission matrix, for people, an API client and nobody: ``no-store`` whatever the answer."""
    for role in CACHE_ROLES:
        for kind in ("in-scope", "out-of-scope") if route.object_kind else (None,):
            client, headers = matrix.client_for(role, world)
            url = matrix.url_for(route, kind, world)
            if route.method == "post":
                response = client.post(url, data="{}", content_type="application/json", **headers)
            else:
                response = client.get(url, **headers)
            cache_control = {part.strip() for part in response.get("Cache-Control", "").split(",")}
            assert {"no-store", "private"} <= cache_control, f"{role} {url}: {response.get('Cache-Control')}"


def test_static_files_keep_their_own_caching(client):
    response = client.get("/static/js/init.mjs")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


# CSRF tokens live in the session.


def test_the_csrf_token_is_kept_in_the_session_and_forms_still_post(db, settings):
    assert settings.CSRF_USE_SESSIONS
    factories.StaffFactory(team=factories.TeamFactory(), user__username="csrfcheck")
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("login"))
    assert settings.CSRF_COOKIE_NAME not in page.cookies and settings.CSRF_COOKIE_NAME not in client.cookies
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1).decode()
    assert client.post(reverse("login"), {"username": "csrfcheck", "password": "wrong"}).status_code == 403
    response = client.post(reverse("login"), {"username": "csrfcheck", "password": factories.PASSWORD,
                                              "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    home = client.get(reverse("home"))  # signing in rotates the token; the sign-out form carries the new one
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', home.content).group(1).decode()
    assert client.post(reverse("logout"), {"csrfmiddlewaretoken": token}).status_code == 302
    assert "_auth_user_id" not in client.session
