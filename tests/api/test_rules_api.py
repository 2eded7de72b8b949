"""``POST /api/rules/NAME`` answers exactly as ``casework rules NAME``."""

from __future__ import annotations

import json

import pytest

from casework.rules.cli import answer
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


def test_schema_documents_every_rule_endpoint(api):
    schema = api.get("/api/schema/?format=json").json()
    for name in ("tier", "workload", "recall-type", "rating", "sample"):
        assert f"/api/rules/{name}" in schema["paths"]
