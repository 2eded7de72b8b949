"""The database refuses connections: every page answers 503 with the GOV.UK problem page, the API its JSON
error, never a traceback; nothing is half-written; the next request after it returns succeeds."""

from __future__ import annotations

import logging

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from casework.core import outage
from casework.record.models import Contact
from tests import factories
from tests.reliability.support import database_refusing

pytestmark = pytest.mark.django_db

TITLE = "Sorry, there is a problem with the service"


@pytest.fixture
def client():
    """A plain client: these tests expect 503s, which the suite's page-checking client refuses."""
    return Client(raise_request_exception=False)


@pytest.fixture
def po():
    return factories.StaffFactory()


@pytest.fixture
def case(po):
    return factories.AllocatedCaseFactory(manager=po)


@pytest.fixture
def signed_in(po):
    client = Client(raise_request_exception=False)
    client.force_login(po.user)
    return client


def assert_problem_page(response):
    html = response.content.decode()
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert response["Retry-After"] == "5"
    assert f'<h1 class="govuk-heading-l">{TITLE}</h1>' in html
    assert "Try again later." in html
    assert f"<title>{TITLE} – Casework – GOV.UK</title>" in html
    assert "Traceback" not in html and "OperationalError" not in html and "5432" not in html


def assert_api_error(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {"error": {"field": "", "message": outage.API_MESSAGE}}


def test_a_signed_in_page_while_the_database_is_down_then_back(signed_in, case):
    """The session cannot be read: the error is raised in the middleware, before any view."""
    url = reverse("case-overview", args=[case.crn])
    with database_refusing():
        response = signed_in.get(url)
    assert_problem_page(response)
    assert response["X-Request-ID"]
    assert "no-store" in response["Cache-Control"]
    assert signed_in.get(url).status_code == 200


def test_the_sign_in_page_while_the_database_is_down(client):
    """Signed out, nothing is read; the error comes when the session (holding the CSRF token) is saved."""
    with database_refusing():
        assert_problem_page(client.get(reverse("login")))
        assert_problem_page(client.post(reverse("login"), {"username": "po", "password": "x"}))
    assert client.get(reverse("login")).status_code == 200


def test_a_form_sent_while_the_database_is_down(signed_in, case):
    with database_refusing():
        response = signed_in.post(reverse("contact-new", args=[case.crn]), {"kind": "CASE_NOTE", "notes": "x"})
    assert_problem_page(response)


def test_a_view_whose_query_fails(signed_in, case, monkeypatch):
    """An error in the view itself (the session was read before the database went) takes the middleware's door."""
    def fail(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("casework.web.views.case.case_overview", fail)
    assert_problem_page(signed_in.get(reverse("case-overview", args=[case.crn])))


def test_the_api_with_a_session_while_the_database_is_down(signed_in):
    with database_refusing():
        response = signed_in.get("/api/cases/")
    assert_api_error(response)
    assert signed_in.get("/api/cases/").status_code == 200


def test_the_api_with_a_token_while_the_database_is_down(db):
    _, _, token = factories.api_client("outage", pdu=factories.TeamFactory().pdu)
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {token}")
    with database_refusing():
        response = client.get("/api/cases/")
    assert_api_error(response)
    assert client.get("/api/cases/").status_code == 200


def test_nothing_is_half_written_when_the_database_fails_mid_write(signed_in, case, monkeypatch):
    """The contact row is inserted, then the audit row's insert fails: the transaction keeps neither."""
    def fail(**kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr("casework.record.services.audit_record", fail)
    response = signed_in.post(reverse("contact-new", args=[case.crn]), {
        "kind": "CASE_NOTE", "date_0": "2", "date_1": "3", "date_2": "2026", "time": "14:30", "notes": "Spoke"})
    assert_problem_page(response)
    assert not Contact.objects.exists()


def test_one_error_line_per_request_and_no_traceback(signed_in, case, caplog):
    with caplog.at_level(logging.INFO), database_refusing():
        signed_in.get(reverse("case-overview", args=[case.crn]))
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [(r.name, r.exc_info) for r in errors] == [("casework.outage", None)]
    assert errors[0].getMessage().startswith(f"Database unavailable: GET /cases/{case.crn}/ answered 503")
    access = [r for r in caplog.records if r.name == "casework.request"]
    assert [(r.status, r.user_id) for r in access] == [(503, None)]


def test_any_other_error_is_still_the_500_page(signed_in, case, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("casework.web.views.case.case_overview", fail)
    response = signed_in.get(reverse("case-overview", args=[case.crn]))
    assert response.status_code == 500
    assert TITLE in response.content.decode() and "Retry-After" not in response
