"""``POST /api/rules/NAME`` answers exactly as ``casework rules NAME``."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest

from casework.api.schema import contract_schema
from casework.rules import eligibility, registry
from casework.rules.cli import answer
from casework.ruleset.services import rule_config_change
from tests import factories
from tests.test_cli import TIER

pytestmark = pytest.mark.django_db

REQUESTS = {
    "tier": TIER,
    "workload": {"grade": "PO", "contracted_hours": 37, "reductions": [{"hours": 1.8}, {"percent": 40}],
                 "cases": [{"tier": "B2", "case_type": "COMMUNITY", "age_18_to_24": False}],
                 "court_reports": {"standard": 1, "fast": 0}},
    "recall-type": {"sentence_group": "ADULT_SDS", "new_offence": "NO",
                    "exclusions": {"parole_board_s244zb": False, "repatriated_for_murder": False, "sopc": False,
                                   "dcr": False, "terrorist_or_national_security": False,
                                   "foreign_power_threat": False, "mappa_category_4": False,
                                   "mappa_level_2_or_3": False}, "youth": None},
    "rating": {"framework": "PROBATION_2018", "standards": {"1.1": {"rating": "GOOD"}}, "overrides": {}},
    "enforcement": {"as_of": "2026-05-10", "kind": "COMMUNITY_ORDER",
                    "contacts": [{"date": "2026-03-01", "outcome": "UNACCEPTABLE_ABSENCE"},
                                 {"date": "2026-04-14", "outcome": "UNACCEPTABLE_ABSENCE"}],
                    "actions": [{"date": "2026-03-03", "action": "WARNING"}],
                    "risk_events": [{"type": "DOMESTIC_ABUSE_CALLOUT", "date": "2026-04-01"}],
                    "risk_reviews": [{"date": "2026-04-08"}]},
    "eligibility": {"practitioner": {"grade": "PSO", "core_training_complete": True, "months_in_post": 14},
                    "case": {"tier": "B1", "rosh": "MEDIUM", "mappa_level": None, "registrations": ["ADVP"],
                             "lifer_or_ipp": False},
                    "capacity": {"points": 1900, "available_points": 2176, "case_points": 102,
                                 "already_holds": False},
                    "policy": None},
    "sample": {"population": [{"crn": "X100001", "pnc": None, "first_name": None, "last_name": None,
                               "date_of_birth": None, "gender": "FEMALE", "sentence_kind": "COMMUNITY",
                               "rosh": "LOW", "start_date": "2026-01-12", "region": "North West",
                               "pdu": "Manchester North", "team": None, "practitioner": "Sam Patel",
                               "sensitive": False}],
               "size": 1, "as_of": "2026-11-27", "seed": 7},
    "allocate": {"practitioners": [{"id": "S1", "grade": "PSO", "core_training_complete": True, "months_in_post": 14,
                                    "points": 1500, "available_points": 2176, "excluded_cases": ["X000001"]},
                                   {"id": "S2", "grade": "PO", "points": 1400, "available_points": 2176}],
                 "cases": [{"crn": "X000001", "tier": "C1", "case_type": "COMMUNITY", "age_18_to_24": False,
                            "rosh": "MEDIUM", "mappa_level": None, "registrations": [], "lifer_or_ipp": False,
                            "previous_practitioner": "S1"}],
                 "policy": None, "max_capacity_percent": 110},
    "safeguards": {"as_of": "2026-03-02",
                   "case": {"kind": "COMMUNITY_ORDER", "start_date": "2026-01-12", "rosh": "HIGH",
                            "children_contact": "YES", "registrations": [{"code": "ADVP", "start_date": "2026-01-12"}],
                            "events": [{"type": "ARREST", "date": "2026-02-20"}],
                            "done": [{"safeguard": "DOMESTIC_ABUSE_ENQUIRY", "date": "2026-01-20"}],
                            "not_required": [{"safeguard": "HOME_VISIT", "reason": "Victim has moved away",
                                              "by": "SPO1", "date": "2026-01-21"}]},
                   "policy": None},
}


@pytest.fixture
def api(client, po):
    client.force_login(po.user)
    return client


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_api_and_cli_answer_identically(api, name):
    response = api.post(f"/api/rules/{name}", data=json.dumps(REQUESTS[name]), content_type="application/json")
    expected, ok = answer(name, json.dumps(REQUESTS[name]))
    assert ok and response.status_code == 200
    assert response.json() == expected


@pytest.mark.parametrize(
    "body, field",
    [
        pytest.param({**TIER, "typo_field": 1}, "typo_field", id="unknown-field"),
        pytest.param({**TIER, "rosh": "EXTREME"}, "rosh", id="bad-enum"),
        pytest.param({**TIER, "ogrs": 101}, "ogrs", id="out-of-range"),
        pytest.param([1, 2], "", id="not-an-object"),
    ],
)
def test_api_rejects_bad_requests_with_the_contract_error(api, body, field):
    response = api.post("/api/rules/tier", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == field
    if isinstance(body, dict):
        assert response.json() == answer("tier", json.dumps(body))[0]


def test_api_rejects_malformed_json(api):
    response = api.post("/api/rules/tier", data="{nope", content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()["error"]) == {"field", "message"}


def test_every_contract_has_an_example_here():
    assert sorted(REQUESTS) == registry.names()


@pytest.mark.parametrize("name", registry.names())
def test_api_refuses_an_unknown_field_for_every_contract(api, name):
    body = {**REQUESTS[name], "typo_field": 1}
    response = api.post(f"/api/rules/{name}", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"error": {"field": "typo_field", "message": "is not a known field"}}


@pytest.mark.parametrize(
    "name, body, field, message",
    [
        pytest.param("eligibility", {**REQUESTS["eligibility"], "case": {"tier": "B1", "rosh": 3}}, "case.rosh",
                     "must be one of LOW, MEDIUM, HIGH, VERY_HIGH", id="eligibility-nested-wrong-type"),
        pytest.param("workload", {**REQUESTS["workload"], "contracted_hours": "37"}, "contracted_hours",
                     "must be a number", id="workload-string-number"),
        pytest.param("sample", {**REQUESTS["sample"], "as_of": "27/11/2026"}, "as_of",
                     "must be a real date in the form YYYY-MM-DD", id="sample-date-format"),
        pytest.param("recall-type", {"sentence_group": "ADULT_SDS", "exclusions": {"dcr": 0}}, "exclusions.dcr",
                     "must be true or false", id="recall-number-for-flag"),
        pytest.param("rating", {"framework": "PROBATION_2018", "standards": {"1.1": {"rating": None}}},
                     "standards.1.1", "give either rating or key_questions", id="rating-neither"),
    ],
)
def test_api_errors_name_the_nested_field(api, name, body, field, message):
    response = api.post(f"/api/rules/{name}", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"error": {"field": field, "message": message}}


def test_eligibility_uses_the_grade_matrix_in_force_unless_the_request_brings_one(api):
    admin = factories.AdminStaffFactory().user
    matrix = copy.deepcopy(eligibility.DEFAULT_GRADE_MATRIX.to_dict())
    matrix["categories"]["PSO_TRAINED"]["allowed_protect_levels"] = ["C", "D"]
    rule_config_change(kind="GRADE_MATRIX", key="default", data=matrix, by=admin, reason="Local PSO policy")

    def post(body):
        return api.post("/api/rules/eligibility", data=json.dumps(body), content_type="application/json").json()

    local = post(REQUESTS["eligibility"])
    assert (local["eligible"], local["reasons"]) == (False, ["PROTECT_LEVEL_NOT_ALLOWED"])
    assert local["config"] == ["GRADE_MATRIX/default/v2"]
    schema = api.get("/api/schema/?format=json").json()
    jsonschema.validate(local, {"$ref": "#/components/schemas/EligibilityResponse", **schema})
    own = post({**REQUESTS["eligibility"], "policy": eligibility.DEFAULT_GRADE_MATRIX.to_dict()})
    assert (own["eligible"], own["reasons"]) == (True, [])
    assert "config" not in own


def test_schema_documents_every_rule_endpoint(api):
    schema = api.get("/api/schema/?format=json").json()
    for name in registry.names():
        assert f"/api/rules/{name}" in schema["paths"]


def _component(schema, ref):
    assert ref.startswith("#/components/schemas/")
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


@pytest.mark.parametrize("name", registry.names())
def test_schema_gives_each_contract_its_request_and_response_models(api, name):
    schema = api.get("/api/schema/?format=json").json()
    operation = schema["paths"][f"/api/rules/{name}"]["post"]
    handler = registry.handler(name)
    request = _component(schema, operation["requestBody"]["content"]["application/json"]["schema"]["$ref"])
    response = _component(schema, operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"])
    assert request["title"] == handler.request_model.__name__
    assert response["title"] == handler.response_model.__name__
    # A real object schema, not just ``object``: its fields, which are required, and no others allowed.
    assert request["type"] == "object" and request["additionalProperties"] is False
    assert set(request["properties"]) == set(handler.request_model.model_fields)
    assert set(request["required"]) == {n for n, f in handler.request_model.model_fields.items() if f.is_required()}
    # Answers with a local policy in force also carry ``config`` (which versions produced them).
    assert set(response["properties"]) == set(handler.response_model.model_fields) | {"config"}
    assert operation["responses"]["400"]["content"]["application/json"]


@pytest.mark.parametrize("name", registry.names())
def test_schema_components_are_the_contract_models_own(api, name):
    # Every component a contract refers to is its own definition (no other schema took its name).
    schema = api.get("/api/schema/?format=json").json()["components"]["schemas"]
    handler = registry.handler(name)
    for model, direction in ((handler.request_model, "request"), (handler.response_model, "response")):
        _, components = contract_schema(model, direction)
        for component, definition in components.items():
            assert schema[component] == definition, component
