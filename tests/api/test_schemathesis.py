"""No request gives the API a server error, and every error it answers has the documented shape.

The documented shape (docs/security.md, ``casework/api/errors.py``) is
``{"error": {"field": "...", "message": "..."}}``, JSON, whatever went wrong: a field a person can
act on and a sentence, never a Python repr. First the findings of the security review, one test
each (each failed before the fix); then Schemathesis over every operation of the OpenAPI schema
(valid and invalid requests, 25 of each per operation, in-process, signed in with an API token);
then Hypothesis over raw request bodies (any bytes, any JSON, any nesting) to every endpoint that
takes one.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from casework.api.parsers import MAX_DEPTH, TOO_DEEP
from casework.rules import registry
from tests import factories

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 25
OPERATIONS = [(method.upper(), path)
              for path, methods in SchemaGenerator().get_schema(request=None, public=True)["paths"].items()
              for method in methods]
BODY_OPERATIONS = [path for method, path in OPERATIONS if method == "POST"]


@pytest.fixture
def token(db):
    team = factories.TeamFactory()
    po = factories.StaffFactory(team=team)
    factories.AllocatedCaseFactory(manager=po)
    return factories.api_client("schemathesis", scopes=["cases:read", "rules"], pdu=team.pdu)[2]


@pytest.fixture
def api(token):
    client = Client(raise_request_exception=False)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def post(path: str, body, content_type: str = "application/json"):
        return client.post(path, data=body, content_type=content_type, **headers)

    return post


def assert_structured(response, status: int | None = None) -> dict:
    """The response is the documented JSON error; returns its ``error`` part."""
    assert response.status_code >= 400 and (status is None or response.status_code == status), (
        response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/json", response.content[:300]
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"field", "message"}, body
    error = body["error"]
    assert isinstance(error["field"], str) and isinstance(error["message"], str) and error["message"]
    assert "ErrorDetail" not in error["message"], error
    return error


def test_every_operation_is_covered():
    assert ("POST", "/api/cases/lookup") in OPERATIONS and ("GET", "/api/cases/{crn}") in OPERATIONS
    assert {f"/api/rules/{name}" for name in registry.names()} <= set(BODY_OPERATIONS)


# Findings.


def nested(depth: int, inner="[]") -> str:
    return "[" * (depth - 1) + inner + "]" * (depth - 1)


@pytest.mark.parametrize("path", BODY_OPERATIONS)
@pytest.mark.parametrize("body", [
    pytest.param(nested(1000), id="list-1000-deep"),
    pytest.param('{"crns": ' + nested(1000) + "}", id="field-1000-deep"),
    pytest.param(nested(MAX_DEPTH + 1), id="one-level-too-deep"),
])
def test_deeply_nested_json_is_refused_with_the_structured_error(api, path, body):
    assert assert_structured(api(path, body), 400) == {"field": "", "message": TOO_DEEP}


@pytest.mark.parametrize("path", BODY_OPERATIONS)
def test_json_at_the_depth_limit_reaches_the_contract(api, path):
    error = assert_structured(api(path, '{"crns": ' + nested(MAX_DEPTH - 1) + "}"), 400)
    assert error["message"] != TOO_DEEP


def test_a_bad_crn_in_lookup_names_the_item_in_words(api):
    error = assert_structured(api("/api/cases/lookup", json.dumps({"crns": ["X123456", "bad"]})), 400)
    assert error == {"field": "crns[1]", "message": "Enter a CRN as one letter followed by six numbers, like X123456"}


@pytest.mark.parametrize("path", BODY_OPERATIONS)
def test_a_body_over_the_size_limit_is_a_structured_413(api, settings, path):
    body = json.dumps({"crns": ["X123456"] * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 10)})
    error = assert_structured(api(path, body), 413)
    assert error["message"] == f"The request body is too large: at most {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes"


@pytest.mark.parametrize("body, message", [
    pytest.param('{"crns": [1e400]}', "Numbers in the request body must be finite", id="overflowing-float"),
    pytest.param('{"crns": [NaN]}', "Numbers in the request body must be finite", id="nan"),
    pytest.param('{"crns": [' + "9" * 5000 + "]}", "at most 4,300 digits", id="huge-integer"),
    pytest.param(b'{"crns": ["\xff"]}', "must be JSON in UTF-8", id="not-utf8"),
    pytest.param("{", "not valid JSON", id="truncated"),
])
def test_unreadable_bodies_get_the_structured_error(api, body, message):
    for path in BODY_OPERATIONS:
        assert message in assert_structured(api(path, body), 400)["message"]


def test_form_encoded_bodies_are_refused_with_the_structured_error(api):
    error = assert_structured(api("/api/cases/lookup", "crns=X123456", "application/x-www-form-urlencoded"), 415)
    assert "application/x-www-form-urlencoded" in error["message"]


# Schemathesis over the whole schema.


@pytest.fixture
def in_process():
    """Keep the test's database transaction open across WSGI requests, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize("method, path", [pytest.param(m, p, id=f"{m} {p}") for m, p in OPERATIONS])
def test_schemathesis_finds_no_server_error_and_only_structured_errors(in_process, token, method, path):
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", in_process, headers=headers)
    operation = schema[path][method]
    statuses: set[int] = set()

    def check(case) -> None:
        response = case.call(headers=headers)
        case.validate_response(response, checks=[not_a_server_error], headers=headers)
        statuses.add(response.status_code)
        if response.status_code >= 400:
            body = response.json()
            assert set(body) == {"error"} and set(body["error"]) == {"field", "message"}, body
            assert "ErrorDetail" not in body["error"]["message"], body

    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        fuzz = given(case=operation.as_strategy(generation_mode=mode))(check)
        fuzz = hypothesis_settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                                   suppress_health_check=list(HealthCheck))(fuzz)
        seed(20261205)(fuzz)()
    assert statuses


# Hypothesis over raw bodies.

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
BODIES = st.one_of(
    JSON_VALUES.map(json.dumps),
    st.dictionaries(st.sampled_from(["crns", "grade", "date", "items", "answers", "sentence"]), JSON_VALUES,
                    max_size=3).map(json.dumps),
    st.integers(min_value=1, max_value=3000).map(nested),
    st.binary(max_size=64),
    st.sampled_from(["", "null", "[]", "{}", '{"crns": null}', '{"crns": []}', '{"crns": [""]}', "1e400",
                     '{"": {"": {"": 1}}}', '{"crns": "X123456"}', "\ufeff{}"]),
)


@pytest.mark.parametrize("path", BODY_OPERATIONS)
def test_any_body_gets_an_answer_or_the_structured_error(api, path):
    def attempt(body):
        response = api(path, body)
        assert response.status_code < 500, (body[:200], response.content[:300])
        if response.status_code != 200:
            assert_structured(response)

    fuzz = hypothesis_settings(max_examples=60, deadline=None, database=None,
                               suppress_health_check=list(HealthCheck))(given(body=BODIES)(attempt))
    seed(20261205)(fuzz)()
