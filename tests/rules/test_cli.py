"""The JSON Lines runner (docs/contracts.md) over every contract, most of all tier and workload."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from casework.rules import cli

TIER_REQUEST: dict[str, Any] = {
    "as_of": "2026-11-27",
    "gender": "MALE",
    "active_sentence": True,
    "rosh": "HIGH",
    "rsr": 4.2,
    "mappa": {"level": 2, "category": 1},
    "registrations": ["RCCO", "ADVP"],
    "ogrs": 59,
    "assessment": {"needs": {"ACCOMMODATION": "STANDARD", "THINKING_AND_BEHAVIOUR": "SEVERE"}},
    "mandate_for_change": True,
    "women": {"parenting": True, "impulsivity_or_temper": False, "breach_or_recall_last_year": False},
    "predictors": {
        "arp": 55.0,
        "arp_static": False,
        "csrp": 1.2,
        "csrp_static": False,
        "dc_srp": {"band": "MEDIUM", "score": 2.5},
    },
    "lifer_release_date": None,
    "sexual_offence_history": False,
    "unsupervised": False,
}
WORKLOAD_REQUEST: dict[str, Any] = {
    "grade": "PO",
    "contracted_hours": 37,
    "reductions": [{"hours": 1.8}],
    "cases": [{"tier": "B2", "case_type": "COMMUNITY", "age_18_to_24": False}],
    "court_reports": {"standard": 1, "fast": 0},
}


def line(request: dict[str, Any], **changes: Any) -> str:
    return json.dumps({**request, **changes})


def run(name: str, *lines: str) -> tuple[int, list[dict[str, Any]], str]:
    stdin = io.StringIO("".join(f"{text}\n" for text in lines))
    stdout = io.StringIO()
    status = cli.run(name, stdin, stdout)
    raw = stdout.getvalue()
    return status, [json.loads(text) for text in raw.splitlines()], raw


def test_good_lines_answer_in_order_and_exit_0() -> None:
    status, answers, raw = run("tier", line(TIER_REQUEST), line(TIER_REQUEST, unsupervised=True))
    assert status == 0
    assert [a["two_axis"]["tier"] for a in answers] == ["A2", "A2S"]
    assert raw.count("\n") == 2


BAD_TIER_LINES = [
    pytest.param("{not json", "", "is not valid JSON", id="malformed-json"),
    pytest.param("[1, 2]", "", "must be a JSON object", id="not-an-object"),
    pytest.param('"a string"', "", "must be a JSON object", id="a-string"),
    pytest.param(line(TIER_REQUEST, colour="red"), "colour", "is not a known field", id="unknown-top-level"),
    pytest.param(
        line(TIER_REQUEST, mappa={"level": 2, "category": 1, "tier": "A"}),
        "mappa.tier",
        "is not a known field",
        id="unknown-nested",
    ),
    pytest.param(
        line(TIER_REQUEST, predictors={"dc_srp": {"band": "MEDIUM", "score": 2.5, "x": 1}}),
        "predictors.dc_srp.x",
        "is not a known field",
        id="unknown-doubly-nested",
    ),
    pytest.param(
        line(TIER_REQUEST, rosh="SEVERE"),
        "rosh",
        "must be one of LOW, MEDIUM, HIGH, VERY_HIGH",
        id="wrong-enum",
    ),
    pytest.param(line(TIER_REQUEST, ogrs=101), "ogrs", "must be at most 100", id="out-of-range"),
    pytest.param(line(TIER_REQUEST, rsr=500), "rsr", "must be between 0 and 99.99, or 999.99", id="rsr-out-of-range"),
    pytest.param(
        line(TIER_REQUEST, registrations=["ZZZZ"]),
        "registrations[0]",
        "'ZZZZ' is not a known registration code",
        id="unknown-registration",
    ),
]


@pytest.mark.parametrize(("bad", "field", "message"), BAD_TIER_LINES)
def test_a_bad_line_gets_an_error_and_the_others_still_answer(bad: str, field: str, message: str) -> None:
    status, answers, _ = run("tier", line(TIER_REQUEST), bad, line(TIER_REQUEST, unsupervised=True))
    assert status == 2
    assert len(answers) == 3
    assert answers[0]["two_axis"]["tier"] == "A2"
    assert set(answers[1]) == {"error"}
    assert set(answers[1]["error"]) == {"field", "message"}
    assert answers[1]["error"]["field"] == field
    assert message in answers[1]["error"]["message"]
    assert answers[2]["two_axis"]["tier"] == "A2S"


def test_every_bad_line_is_reported_on_its_own_line() -> None:
    bad_lines = [param.values[0] for param in BAD_TIER_LINES]
    status, answers, _ = run("tier", *bad_lines, line(TIER_REQUEST))
    assert status == 2
    assert [("error" in a) for a in answers] == [True] * len(bad_lines) + [False]
    assert [a["error"]["field"] for a in answers[:-1]] == [param.values[1] for param in BAD_TIER_LINES]


def test_blank_lines_are_skipped() -> None:
    status, answers, _ = run("tier", "", line(TIER_REQUEST), "   ", "\t", line(TIER_REQUEST))
    assert status == 0
    assert len(answers) == 2


def test_no_input_is_no_output_and_exit_0() -> None:
    assert run("tier") == (0, [], "")


def test_workload_lines() -> None:
    status, answers, _ = run(
        "workload",
        line(WORKLOAD_REQUEST),
        line(WORKLOAD_REQUEST, reductions=[{"hours": 1, "percent": 5}]),
        line(WORKLOAD_REQUEST, grade="ACO"),
        line(WORKLOAD_REQUEST, cases=[{"tier": "B2", "case_type": "COMMUNITY", "crn": "X1"}]),
        line(WORKLOAD_REQUEST, contracted_hours=40),
        line(WORKLOAD_REQUEST, reductions=[{"percent": 100}]),
    )
    assert status == 2
    assert answers[0] == {
        "points": 253,
        "available_points": 2070,
        "capacity_percent": 12.2,
        "reduction_hours": 1.8,
        "rules_version": "workload-2026.1",
    }
    assert [a.get("error", {}).get("field") for a in answers[1:5]] == [
        "reductions[0]",
        "grade",
        "cases[0].crn",
        "contracted_hours",
    ]
    assert answers[5]["capacity_percent"] is None


def test_output_lines_are_compact_json() -> None:
    _, _, raw = run("workload", line(WORKLOAD_REQUEST))
    assert raw == (
        '{"points":253,"available_points":2070,"capacity_percent":12.2,"reduction_hours":1.8,'
        '"rules_version":"workload-2026.1"}\n'
    )


def test_a_huge_integer_literal_is_a_line_error() -> None:
    status, answers, _ = run("tier", '{"ogrs": ' + "9" * 5000 + "}", line(TIER_REQUEST))
    assert status == 2
    assert "error" in answers[0]


ELIGIBILITY_REQUEST: dict[str, Any] = {
    "practitioner": {"grade": "PSO", "core_training_complete": True, "months_in_post": 14},
    "case": {"tier": "B1", "rosh": "MEDIUM", "registrations": ["ADVP"]},
    "capacity": {"points": 1900, "available_points": 2176, "case_points": 102},
}


def test_eligibility_lines() -> None:
    status, answers, _ = run(
        "eligibility",
        line(ELIGIBILITY_REQUEST),
        line(ELIGIBILITY_REQUEST, case={"tier": "A1", "rosh": "HIGH"}),
        line(ELIGIBILITY_REQUEST, practitioner={"grade": "TPO"}),
        line(ELIGIBILITY_REQUEST, capacity=None),
    )
    assert status == 2
    assert (answers[0]["eligible"], answers[0]["projected_capacity_percent"]) == (True, 92.0)
    assert answers[1]["reasons"] == ["ROSH_ABOVE_LIMIT", "PROTECT_LEVEL_NOT_ALLOWED"]
    assert answers[1]["override_required"] is True
    assert answers[2] == {"error": {"field": "practitioner.grade", "message": "must be one of PO, PQIP, PSO, SPO"}}
    assert answers[3]["projected_capacity_percent"] is None


@pytest.mark.parametrize(
    ("name", "request_"),
    [
        pytest.param("eligibility", ELIGIBILITY_REQUEST, id="eligibility"),
        pytest.param("workload", WORKLOAD_REQUEST, id="workload"),
        pytest.param("recall-type", {"sentence_group": "EXTENDED"}, id="recall-type"),
        pytest.param("rating", {"framework": "YOUTH_2018", "standards": {}}, id="rating"),
        pytest.param("sample", {"population": [], "size": None, "as_of": "2026-11-27", "seed": 1}, id="sample"),
    ],
)
def test_every_contract_answers_good_lines_with_0_and_a_typo_with_2(name: str, request_: dict[str, Any]) -> None:
    status, answers, _ = run(name, line(request_))
    assert status == 0 and "error" not in answers[0] and answers[0]["rules_version"]
    status, answers, _ = run(name, line(request_), line(request_, typo=1), line(request_))
    assert status == 2
    assert answers[1] == {"error": {"field": "typo", "message": "is not a known field"}}
    assert answers[0] == answers[2]
