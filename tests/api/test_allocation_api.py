"""``POST /api/rules/allocate``: the configuration in force, the documented schema and errors."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest

from casework.rules import eligibility, workload
from casework.rules.cli import answer
from casework.ruleset.services import rule_config_change
from tests import factories

pytestmark = pytest.mark.django_db

REQUEST = {
    "practitioners": [
        {"id": "S1", "grade": "PSO", "core_training_complete": True, "months_in_post": 14, "points": 1500,
         "available_points": 2176, "excluded_cases": []},
        {"id": "S2", "grade": "PO", "points": 1900, "available_points": 2176},
    ],
    "cases": [{"crn": "X000001", "tier": "B2", "case_type": "LICENCE", "rosh": "MEDIUM",
               "previous_practitioner": "S1"}],
}


@pytest.fixture
def api(client, po):
    client.force_login(po.user)

    def post(body):
        return client.post("/api/rules/allocate", data=json.dumps(body), content_type="application/json")

    return post


@pytest.fixture
def admin():
    return factories.AdminStaffFactory().user


def test_the_api_answers_as_the_command_does_with_the_published_rules(api):
    response = api(REQUEST)
    assert response.status_code == 200
    assert response.json() == answer("allocate", json.dumps(REQUEST))[0]
    assert response.json()["assignments"][0]["practitioner"] == "S1"
    assert "config" not in response.json()


def test_the_grade_matrix_in_force_is_used_unless_the_request_brings_one(api, admin):
    matrix = copy.deepcopy(eligibility.DEFAULT_GRADE_MATRIX.to_dict())
    matrix["categories"]["PSO_TRAINED"]["allowed_protect_levels"] = ["C", "D"]
    rule_config_change(kind="GRADE_MATRIX", key="default", data=matrix, by=admin, reason="Local PSO policy")
    local = api(REQUEST).json()
    assert local["assignments"][0]["practitioner"] == "S2"
    assert local["config"] == ["GRADE_MATRIX/default/v2"]
    own = api({**REQUEST, "policy": eligibility.DEFAULT_GRADE_MATRIX.to_dict()}).json()
    assert own["assignments"][0]["practitioner"] == "S1"
    assert "config" not in own


def test_the_points_table_in_force_prices_the_cases(api, admin):
    table = copy.deepcopy(workload.DEFAULT_POINTS_TABLE.to_dict())
    table["licence"]["B2"] = 400
    rule_config_change(kind="POINTS_TABLE", key="default", data=table, by=admin, reason="Trial")
    body = api(REQUEST).json()
    assert body["assignments"][0]["reasons"][2].startswith("This case adds 400 points")
    assert body["config"] == ["POINTS_TABLE/default/v2"]


def test_the_answer_matches_the_documented_schema(api, client):
    body = api(REQUEST).json()
    schema = client.get("/api/schema/?format=json").json()
    jsonschema.validate(body, {"$ref": "#/components/schemas/AllocateResponse", **schema})
    request_schema = schema["components"]["schemas"]["AllocateRequest"]
    assert set(request_schema["properties"]) == {"practitioners", "cases", "policy", "max_capacity_percent"}
    assert set(request_schema["required"]) == {"practitioners", "cases"}


def test_bad_input_is_a_400_with_the_field(api):
    duplicate = {**REQUEST, "cases": REQUEST["cases"] * 2}
    response = api(duplicate)
    assert response.status_code == 400
    assert response.json() == {"error": {"field": "cases[1].crn", "message": "repeats X000001"}}
