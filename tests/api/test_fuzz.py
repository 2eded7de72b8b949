"""Schemathesis fuzzes the API in-process against its own OpenAPI schema.

Every operation gets generated requests, valid and invalid, some aimed at the CRNs, team and PDU
codes of cases the caller must not see. No request may cause a server error, every response must
match the schema, and no response may contain a case outside the caller's scope. Bounded so the
whole run takes well under a minute.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import factories

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 20
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


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


@pytest.fixture
def world():
    team = factories.TeamFactory()
    elsewhere = factories.TeamFactory()
    po = factories.StaffFactory(team=team)
    visible = [factories.AllocatedCaseFactory(manager=po) for _ in range(3)]
    factories.CommunityOrderFactory(case=visible[0])
    factories.RegistrationFactory(case=visible[0])
    hidden = [
        factories.AllocatedCaseFactory(manager=factories.StaffFactory(team=elsewhere)),  # out of scope
        factories.restrict(factories.AllocatedCaseFactory(manager=po), excluded=[factories.StaffFactory()]),
        factories.restrict(factories.AllocatedCaseFactory(manager=po), permitted=[po]),
    ]
    _, _, token = factories.api_client("fuzz", scopes=["cases:read", "rules"], pdu=team.pdu)
    return {"token": token, "visible": [c.crn for c in visible], "hidden": [c.crn for c in hidden],
            "codes": {"team": [team.code, elsewhere.code], "pdu": [team.pdu.code, elsewhere.pdu.code]}}


def aimed(case, crn: str, world: dict, which: str):
    """Point a generated request at a known case, team or PDU (often one the caller must not see)."""
    path = case.operation.path
    if "{crn}" in path:
        case.path_parameters = {"crn": crn}
    elif path == "/api/cases/lookup" and isinstance(case.body, dict):
        case.body = {"crns": [crn, *world["visible"][:1]]}
    elif path == "/api/cases/" and isinstance(case.query, dict):
        key = which if which in ("team", "pdu") else "crn"
        value = crn if key == "crn" else world["codes"][key][-1]
        case.query = {**case.query, key: value}
    return case


def strategy_for(operation, world, mode):
    generated = operation.as_strategy(generation_mode=mode)
    known = st.sampled_from(world["visible"] + world["hidden"])
    targeted = st.tuples(generated, known, st.sampled_from(["crn", "team", "pdu"])).map(
        lambda t: aimed(t[0], t[1], world, t[2]))
    return st.one_of(generated, targeted)


def test_the_api_survives_fuzzing_and_never_leaks_a_case(in_process, world):
    headers = {"Authorization": f"Bearer {world['token']}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", in_process, headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/api/cases/", "/api/cases/{crn}", "/api/cases/lookup",
                                              "/api/rules/tier"}
    hidden = [crn.encode() for crn in world["hidden"]]
    seen_statuses: dict[str, set[int]] = {}

    def check(case) -> None:
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)
        path = case.operation.path
        body = response.content
        if path == "/api/cases/lookup" and response.status_code == 200:
            body = json.dumps(response.json()["results"]).encode()  # "not_found" repeats the CRNs asked for
        leaked = [crn for crn in hidden if crn in body]
        assert not leaked, f"{case.method} {case.formatted_path}: leaked {leaked}"
        seen_statuses.setdefault(f"{case.method.upper()} {path}", set()).add(response.status_code)

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz = given(case=strategy_for(operation, world, mode))(check)
            fuzz = hypothesis_settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                                       suppress_health_check=list(HealthCheck))(fuzz)
            seed(20261127)(fuzz)()

    # The fuzzing reached the case data, not only the error paths.
    assert 200 in seen_statuses["GET /api/cases/"]
    assert {200, 404} <= seen_statuses["GET /api/cases/{crn}"]
    assert 400 in seen_statuses["POST /api/cases/lookup"]
