"""/healthz and /readyz: open to a load balancer, cheap, and honest about the database and migrations."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from casework.core import health
from tests import factories
from tests.reliability.support import database_refusing

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    """A plain client: these tests expect 503s, which the suite's page-checking client refuses."""
    return Client(raise_request_exception=False)


@pytest.fixture(autouse=True)
def fresh_migration_check(monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)


@pytest.fixture
def signed_in_spo(settings):
    """An SPO whose second factor is enforced and not yet given: any page would send them to the code page."""
    settings.SECOND_FACTOR_ENFORCED = True
    client = Client()
    client.force_login(factories.SpoFactory().user)
    return client


def test_the_urls():
    assert reverse("healthz") == "/healthz" and reverse("readyz") == "/readyz"


def test_healthz_answers_without_a_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Content-Type"] == "application/json"


def test_healthz_answers_while_the_database_is_down(client):
    with database_refusing():
        response = Client(raise_request_exception=False).get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_health_checks_ignore_the_session_and_the_second_factor(signed_in_spo, django_assert_num_queries):
    """Even with a session cookie: no sign-in, no code page, no session read or written."""
    with django_assert_num_queries(0):
        live = signed_in_spo.get("/healthz")
    assert live.status_code == 200
    assert "sessionid" not in live.cookies and "Cookie" not in live.get("Vary", "")
    ready = signed_in_spo.get("/readyz")
    assert ready.status_code == 200
    assert "sessionid" not in ready.cookies


def test_readyz_when_the_database_answers_and_migrations_are_applied(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}


def test_readyz_checks_migrations_once_per_process(client, django_assert_num_queries):
    assert client.get("/readyz").status_code == 200
    with django_assert_num_queries(1):  # SELECT 1
        assert client.get("/readyz").status_code == 200


def test_readyz_when_the_database_refuses_connections(client):
    with database_refusing():
        response = Client(raise_request_exception=False).get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": "unavailable",
                                                                    "migrations": "unknown"}}
    assert response["Retry-After"] == "5"
    assert client.get("/readyz").status_code == 200  # and ready again once it is back


def test_readyz_when_a_migration_is_not_applied(client, monkeypatch):
    monkeypatch.setattr("django.db.migrations.executor.MigrationExecutor.migration_plan",
                        lambda self, targets: [("record.9999_new", False)])
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": "ok", "migrations": "pending"}}


def test_health_checks_are_read_only(client):
    assert client.post("/healthz").status_code == 405
    assert client.head("/readyz").status_code == 200


def test_health_checks_are_not_in_the_access_log(client, caplog):
    with caplog.at_level("INFO", logger="casework.request"):
        client.get("/healthz")
    assert not [r for r in caplog.records if r.name == "casework.request"]
