"""Batch allocation (``casework rules allocate``): the grade matrix cell by cell through the contract,
exclusions, the cap, no capacity, the objective's order, reasons, bad input and the Python API."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casework.rules import registry
from casework.rules.allocation import (
    AllocateRequest,
    AllocateResponse,
    allocate,
    check,
    greedy,
    handle,
    lower_bound,
)
from casework.rules.allocation.problem import capacity_tenths, points_limit
from casework.rules.cli import answer
from casework.rules.contract import ContractError
from casework.rules.eligibility import DEFAULT_GRADE_MATRIX
from casework.rules.workload import DEFAULT_POINTS_TABLE, PointsTable, capacity_percent

FULL = 2176


def person(id: str = "S1", grade: str = "PO", *, trained: bool = True, months: int = 24, points: int = 1000,
           available: int = FULL, excluded: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"id": id, "grade": grade, "core_training_complete": trained, "months_in_post": months,
            "points": points, "available_points": available, "excluded_cases": list(excluded)}


def case(crn: str = "X000001", tier: str | None = "D1", rosh: str | None = "LOW", **extra: Any) -> dict[str, Any]:
    return {"crn": crn, "tier": tier, "case_type": extra.pop("case_type", "COMMUNITY"), "rosh": rosh, **extra}


def run(practitioners: list[dict], cases: list[dict], **extra: Any) -> dict[str, Any]:
    return handle({"practitioners": practitioners, "cases": cases, **extra})


def owners(result: dict[str, Any]) -> dict[str, str]:
    return {a["crn"]: a["practitioner"] for a in result["assignments"]}


# --- The grade matrix, cell by cell, through the contract --------------------------------------------------

PROFILES = {
    "po": person(grade="PO"),
    "spo": person(grade="SPO"),
    "pqip": person(grade="PQIP"),
    "pso-trained": person(grade="PSO", trained=True, months=12),
    "pso-untrained": person(grade="PSO", trained=False, months=12),
    "pso-new-in-post": person(grade="PSO", trained=True, months=5),
    "pso-exactly-6-months": person(grade="PSO", trained=True, months=6),
}
TRAINED = {"pso-trained", "pso-exactly-6-months"}
UNTRAINED = {"pso-untrained", "pso-new-in-post"}
ANY = {"po", "spo"}

DIMENSIONS: dict[str, tuple[dict[str, dict[str, Any]], dict[str, set[str]]]] = {
    "rosh": (
        {"low": {"rosh": "LOW"}, "medium": {"rosh": "MEDIUM"}, "high": {"rosh": "HIGH"},
         "very-high": {"rosh": "VERY_HIGH"}, "not-assessed": {"rosh": None}},
        {"low": ANY | {"pqip"} | TRAINED | UNTRAINED, "medium": ANY | {"pqip"} | TRAINED, "high": ANY | {"pqip"},
         "very-high": ANY, "not-assessed": ANY},
    ),
    "mappa": (
        {"none": {}, "level-1": {"mappa_level": 1}, "level-2": {"mappa_level": 2}, "level-3": {"mappa_level": 3}},
        {"none": set(PROFILES), "level-1": set(PROFILES), "level-2": ANY, "level-3": ANY},
    ),
    "lifer": (
        {"no": {}, "flag": {"lifer_or_ipp": True}, "inll": {"registrations": ["INLL"]}},
        {"no": set(PROFILES), "flag": ANY, "inll": ANY},
    ),
    "protect": (
        {"A": {"tier": "A0"}, "B": {"tier": "B3"}, "C": {"tier": "C2"}, "D": {"tier": "D0"},
         "D-unsupervised": {"tier": "D1S"}, "untiered": {"tier": None}},
        {"A": ANY | {"pqip"}, "B": ANY | {"pqip"} | TRAINED, "C": set(PROFILES), "D": set(PROFILES),
         "D-unsupervised": set(PROFILES), "untiered": ANY | {"pqip"}},
    ),
    "registrations": (
        {"none": {}, "ADVP": {"registrations": ["ADVP"]}, "REG30": {"registrations": ["REG30"]},
         "RCPR": {"registrations": ["RCPR"]}, "RCCO": {"registrations": ["RCCO"]}},
        {"none": set(PROFILES), "ADVP": ANY | {"pqip"} | TRAINED, "REG30": ANY | {"pqip"} | TRAINED,
         "RCPR": ANY | {"pqip"} | TRAINED, "RCCO": set(PROFILES)},
    ),
}


def matrix_cells() -> list[Any]:
    """One pytest.param per practitioner × value, with an id like ``pso-trained-cannot-hold-rosh-high``."""
    return [pytest.param(who, overrides, who in allowed[value],
                         id=f"{who}-{'can' if who in allowed[value] else 'cannot'}-hold-{dimension}-{value}")
            for dimension, (values, allowed) in DIMENSIONS.items()
            for value, overrides in values.items()
            for who in PROFILES]


@pytest.mark.parametrize(("who", "overrides", "eligible"), matrix_cells())
def test_the_grade_matrix_cell_by_cell(who: str, overrides: dict[str, Any], eligible: bool) -> None:
    # One practitioner with plenty of room and one case that breaks at most the rule under test.
    result = run([PROFILES[who]], [case(**overrides)])
    if eligible:
        assert owners(result) == {"X000001": "S1"}
        assert result["assignments"][0]["reasons"][0].startswith("Eligible: ")
    else:
        assert result["assignments"] == []
        assert result["unallocated"] == [{
            "crn": "X000001", "reason": "NO_ELIGIBLE_PRACTITIONER_WITH_CAPACITY",
            "explanation": result["unallocated"][0]["explanation"]}]
        assert result["unallocated"][0]["explanation"].startswith(
            "Nobody in the pool may hold this case under the grade matrix")


def test_a_local_matrix_in_the_request_is_used() -> None:
    data = DEFAULT_GRADE_MATRIX.to_dict()
    data["categories"]["PSO_UNTRAINED"] = data["categories"]["PO"]
    pool = [PROFILES["pso-untrained"]]
    hard = case(tier="A1", rosh="VERY_HIGH", mappa_level=3, lifer_or_ipp=True)
    assert owners(run(pool, [hard])) == {}
    assert owners(run(pool, [hard], policy=data)) == {"X000001": "S1"}
    assert run(pool, [hard], policy=data)["assignments"][0]["reasons"][0] == (
        "Eligible: a PSO without core training complete, or under 6 months in post may hold any case")


def test_the_matrix_passed_by_the_caller_is_used_unless_the_request_brings_one() -> None:
    data = DEFAULT_GRADE_MATRIX.to_dict()
    data["categories"]["PO"]["max_rosh"] = "HIGH"
    strict = type(DEFAULT_GRADE_MATRIX).from_dict(data)
    request = {"practitioners": [person()], "cases": [case(tier="A1", rosh="VERY_HIGH")]}
    assert owners(handle(request, matrix=strict)) == {}
    assert owners(handle({**request, "policy": DEFAULT_GRADE_MATRIX.to_dict()}, matrix=strict)) == {"X000001": "S1"}


# --- Exclusions, the cap, no capacity -----------------------------------------------------------------------


def test_an_excluded_practitioner_never_gets_the_case_even_when_lowest() -> None:
    pool = [person("S1", points=100, excluded=("X000001",)), person("S2", points=2000)]
    result = run(pool, [case(tier="C1")])
    assert owners(result) == {"X000001": "S2"}
    assert "The only practitioner who may hold it with room under the 110% cap" in result["assignments"][0]["reasons"]


def test_when_everyone_who_may_hold_it_is_excluded_it_is_left_unallocated() -> None:
    pool = [person("S1", excluded=("X000001",)), person("S2", grade="PSO", trained=False)]
    result = run(pool, [case(tier="B1", rosh="HIGH")])
    assert result["unallocated"][0]["explanation"] == (
        "Everyone in the pool who may hold this case under the grade matrix is excluded from it")


def test_an_exclusion_of_a_case_not_in_the_batch_is_ignored() -> None:
    assert owners(run([person(excluded=("Z999999",))], [case()])) == {"X000001": "S1"}


@pytest.mark.parametrize(
    ("points", "available", "cap", "taken"),
    [
        pytest.param(1050, 1000, 110, True, id="exactly-110.0"),
        pytest.param(1051, 1000, 110, False, id="110.1-over"),
        pytest.param(2150, 2000, 110, True, id="2200-of-2000-is-110.0"),
        pytest.param(2151, 2000, 110, False, id="110.05-rounds-up-to-110.1"),
        pytest.param(21949, 20000, 110, True, id="109.995-rounds-to-110.0"),
        pytest.param(1049, 1000, Decimal("109.95"), True, id="cap-109.95-reads-109.9-at-109.9"),
        pytest.param(1050, 1000, 109.95, False, id="cap-109.95-reads-109.9-at-110.0"),
        pytest.param(0, 1000, 0, False, id="cap-0-nothing-with-points"),
    ],
)
def test_the_cap_applies_to_the_rounded_capacity(points: int, available: int, cap: Any, taken: bool) -> None:
    # C1 community: 50 points.
    result = run([person(points=points, available=available)], [case(tier="C1")], max_capacity_percent=float(cap))
    assert (owners(result) == {"X000001": "S1"}) is taken
    if taken:
        after = capacity_percent(points + 50, available)
        assert result["assignments"][0]["capacity_after"] == float(after)
        assert after <= Decimal(str(cap))
    else:
        assert result["unallocated"][0]["explanation"].startswith("This case (50 points) would take everyone")


def test_a_cap_of_0_still_lets_someone_with_no_points_take_a_0_point_case() -> None:
    assert owners(run([person(points=0)], [case(tier=None)], max_capacity_percent=0)) == {"X000001": "S1"}


def test_practitioners_with_no_available_points_take_nothing_and_are_not_in_the_peak() -> None:
    pool = [person("S1", points=0, available=0), person("S2", points=1000)]
    result = run(pool, [case(tier=None), case("X000002", tier="C1")])
    assert set(owners(result).values()) == {"S2"}
    assert result["practitioners"][0] == {"id": "S1", "capacity_before": None, "capacity_after": None, "cases": 0}
    assert result["peak_capacity_percent"] == result["practitioners"][1]["capacity_after"]


def test_nobody_with_available_points_means_no_peak_and_nothing_allocated() -> None:
    result = run([person(available=0)], [case()])
    assert result["assignments"] == [] and result["peak_capacity_percent"] is None
    assert result["peak_lower_bound"] is None
    assert result["unallocated"][0]["explanation"] == (
        "Everyone who may hold this case has no capacity (0 available points)")


def test_someone_already_over_the_cap_takes_nothing_but_sets_the_peak() -> None:
    pool = [person("S1", points=2500), person("S2", points=1000)]
    result = run(pool, [case(tier=None), case("X000002", tier="C1")])
    assert set(owners(result).values()) == {"S2"}
    assert result["peak_capacity_percent"] == float(capacity_percent(2500, FULL)) == 114.9


def test_an_empty_batch_or_pool() -> None:
    empty = run([person()], [])
    assert empty["assignments"] == [] and empty["peak_capacity_percent"] == 46.0
    nobody = run([], [case()])
    assert nobody["unallocated"][0]["crn"] == "X000001" and nobody["peak_capacity_percent"] is None


# --- The objective, in the contract's order -------------------------------------------------------------------


def test_more_cases_come_before_a_lower_peak() -> None:
    # 200 available points, 220 within 110%: 158 alone, or 110 + 102 — two cases beat a lower peak.
    pool = [person(points=0, available=200)]
    cases = [case("X000001", tier="A2"), case("X000002", tier="A0"), case("X000003", tier="B1")]
    result = run(pool, cases)
    assert sorted(owners(result)) == ["X000002", "X000003"]
    assert result["peak_capacity_percent"] == 106.0
    baseline = greedy(AllocateRequest.model_validate({"practitioners": pool, "cases": cases}))
    assert [a.crn for a in baseline.assignments] == ["X000001"] and baseline.peak_capacity_percent == 79.0


def test_the_peak_is_minimised_across_the_whole_pool() -> None:
    # Continuity would take S2 to 92.3% while S1 could stay at 82.3%: the peak wins.
    pool = [person("S1", points=1741), person("S2", points=1958)]
    result = run(pool, [case(tier="C1", previous_practitioner="S2")])
    assert owners(result) == {"X000001": "S1"}
    assert result["peak_capacity_percent"] == 90.0
    assert ("Not given to their previous practitioner (S2): with it they would be at 92.3%, above this batch's "
            "peak of 90.0%") in result["assignments"][0]["reasons"]


def test_continuity_wins_when_the_peak_is_set_by_someone_else() -> None:
    # S3 is at 95% and takes nothing (excluded): either choice leaves the peak at 95%, so continuity decides.
    pool = [person("S1", points=1741), person("S2", points=1958), person("S3", points=2067, excluded=("X000001",))]
    result = run(pool, [case(tier="C1", previous_practitioner="S2")])
    assert owners(result) == {"X000001": "S2"}
    reasons = result["assignments"][0]["reasons"]
    assert "Previous practitioner: keeps continuity of supervision" in reasons
    assert reasons[-1] == ("Not the lowest single choice (S1 would be at 82.3% with it): kept with their previous "
                           "practitioner, keeping the peak at 95.0%")


def test_between_equals_the_previous_practitioner_is_chosen() -> None:
    pool = [person("S1"), person("S2"), person("S3")]
    assert owners(run(pool, [case(previous_practitioner="S3")])) == {"X000001": "S3"}


def test_a_previous_practitioner_not_in_the_pool_is_fine() -> None:
    result = run([person()], [case(previous_practitioner="GONE1")])
    assert "Their previous practitioner (GONE1) is not in this pool" in result["assignments"][0]["reasons"]


def test_fewer_practitioners_over_100_percent_come_last() -> None:
    # S0 sets the peak at 108% (excluded). A 13-point case: S2 would go to 100.3%, S1 to 105.3%; either
    # keeps the peak at 108%, but giving it to S1 (already over 100%) keeps S2 at or under 100%.
    pool = [person("S0", points=1080, available=1000, excluded=("X000001",)),
            person("S1", points=1040, available=1000), person("S2", points=990, available=1000)]
    request = {"practitioners": pool, "cases": [case(tier="D1", case_type="CUSTODY")]}
    result = handle(request)
    assert owners(result) == {"X000001": "S1"}
    baseline = greedy(AllocateRequest.model_validate(request))
    assert [(a.crn, a.practitioner) for a in baseline.assignments] == [("X000001", "S2")]
    over = [p["id"] for p in result["practitioners"] if p["capacity_after"] > 100]
    assert over == ["S0", "S1"]


def test_zero_point_cases_are_spread_by_count() -> None:
    pool = [person("S1"), person("S2"), person("S3")]
    result = run(pool, [case(f"X00000{n}", tier=None) for n in range(6)])
    assert sorted(p["cases"] for p in result["practitioners"]) == [2, 2, 2]


def test_the_answer_does_not_change_from_run_to_run() -> None:
    pool = [person(f"S{n}", grade=g, points=900 + 40 * n) for n, g in enumerate(["PO", "PSO", "PQIP", "PO", "SPO"])]
    cases = [case(f"X{n:06d}", tier=t, rosh=r) for n, (t, r) in
             enumerate([("A1", "HIGH"), ("B2", "MEDIUM"), ("C1", "LOW"), ("D2", "LOW"), ("B0", "MEDIUM")] * 4)]
    assert run(pool, cases) == run(pool, cases)


# --- Reasons and the example ---------------------------------------------------------------------------------


def test_reasons_say_why_in_words() -> None:
    pool = [person("S1", points=1500), person("S2", grade="PSO", trained=True, months=12, points=1800)]
    result = run(pool, [case(tier="C1", rosh="MEDIUM")])
    assert result["assignments"][0]["reasons"] == [
        "Eligible: a PO may hold any case",
        "This case adds 50 points; with this batch their workload goes from 68.9% to 71.2% (cap 110%)",
        "Lowest capacity after allocation among the 2 eligible practitioners with room: 71.2%",
    ]
    assert result["practitioners"] == [
        {"id": "S1", "capacity_before": 68.9, "capacity_after": 71.2, "cases": 1},
        {"id": "S2", "capacity_before": 82.7, "capacity_after": 82.7, "cases": 0},
    ]


def test_the_reference_example_request() -> None:
    # The published example's request: its only practitioner is excluded from its only case.
    request = {
        "practitioners": [{"id": "S1", "grade": "PSO", "core_training_complete": True, "months_in_post": 14,
                           "points": 1500, "available_points": 2176, "excluded_cases": ["X000001"]}],
        "cases": [{"crn": "X000001", "tier": "C1", "case_type": "COMMUNITY", "age_18_to_24": False,
                   "rosh": "MEDIUM", "mappa_level": None, "registrations": [], "lifer_or_ipp": False,
                   "previous_practitioner": "S1"}],
        "policy": None, "max_capacity_percent": 110,
    }
    result = handle(request)
    assert result["assignments"] == []
    assert result["unallocated"] == [{"crn": "X000001", "reason": "NO_ELIGIBLE_PRACTITIONER_WITH_CAPACITY",
                                      "explanation": "Everyone in the pool who may hold this case under the grade "
                                                     "matrix is excluded from it"}]
    assert result["peak_capacity_percent"] == 68.9
    assert result["rules_version"] == "allocation-2026.1"


# --- Bad input ---------------------------------------------------------------------------------------------------


GOOD = {"practitioners": [person("S1"), person("S2")], "cases": [case("X000001"), case("X000002")]}


def _with(path: tuple, value: Any) -> dict[str, Any]:
    request = json.loads(json.dumps(GOOD))
    node = request
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return request


@pytest.mark.parametrize(
    ("request_", "field", "message"),
    [
        pytest.param({**GOOD, "typo": 1}, "typo", "is not a known field", id="unknown-field"),
        pytest.param(_with(("practitioners", 0, "excluded"), []), "practitioners[0].excluded", "is not a known field",
                     id="unknown-practitioner-field"),
        pytest.param(_with(("cases", 1, "risk"), "LOW"), "cases[1].risk", "is not a known field",
                     id="unknown-case-field"),
        pytest.param(_with(("cases", 0, "tier"), "E1"), "cases[0].tier",
                     "must be a two-axis tier such as B2 or B2S, or null when untiered", id="bad-tier"),
        pytest.param(_with(("cases", 1, "crn"), "X000001"), "cases[1].crn", "repeats X000001", id="duplicate-crn"),
        pytest.param(_with(("practitioners", 1, "id"), "S1"), "practitioners[1].id", "repeats S1",
                     id="duplicate-practitioner"),
        pytest.param(_with(("cases", 0, "crn"), "X1"), "cases[0].crn",
                     "must be one letter and six digits, like X123456", id="bad-crn"),
        pytest.param(_with(("practitioners", 0, "excluded_cases"), ["nope"]), "practitioners[0].excluded_cases[0]",
                     "must be one letter and six digits, like X123456", id="bad-excluded-crn"),
        pytest.param(_with(("practitioners", 0, "grade"), "ACO"), "practitioners[0].grade",
                     "must be one of PO, PQIP, PSO, SPO", id="bad-grade"),
        pytest.param(_with(("practitioners", 0, "points"), -1), "practitioners[0].points", "must be at least 0",
                     id="negative-points"),
        pytest.param(_with(("practitioners", 0, "available_points"), 2.5), "practitioners[0].available_points",
                     "must be a whole number", id="fractional-available"),
        pytest.param(_with(("practitioners", 0, "id"), ""), "practitioners[0].id", "must not be empty", id="empty-id"),
        pytest.param(_with(("cases", 0, "case_type"), "PRISON"), "cases[0].case_type",
                     "must be one of COMMUNITY, LICENCE, CUSTODY", id="bad-case-type"),
        pytest.param(_with(("cases", 0, "rosh"), 3), "cases[0].rosh", "must be one of LOW, MEDIUM, HIGH, VERY_HIGH",
                     id="rosh-number"),
        pytest.param(_with(("cases", 0, "mappa_level"), 4), "cases[0].mappa_level", "must be at most 3",
                     id="mappa-4"),
        pytest.param({**GOOD, "max_capacity_percent": "110"}, "max_capacity_percent", "must be a number",
                     id="cap-as-text"),
        pytest.param({**GOOD, "max_capacity_percent": -1}, "max_capacity_percent", "must be at least 0",
                     id="negative-cap"),
        pytest.param({"cases": []}, "practitioners", "is required", id="no-practitioners"),
        pytest.param({**GOOD, "policy": {"categories": {}}}, "policy.categories.PO", "is required",
                     id="incomplete-policy"),
    ],
)
def test_bad_input_is_refused_with_the_field_and_a_message(request_: dict, field: str, message: str) -> None:
    with pytest.raises(ContractError) as raised:
        handle(request_)
    assert (raised.value.field, raised.value.message) == (field, message)
    assert answer("allocate", json.dumps(request_)) == ({"error": {"field": field, "message": message}}, False)


def test_a_previous_practitioner_not_in_the_pool_is_not_an_error() -> None:
    assert answer("allocate", json.dumps(_with(("cases", 0, "previous_practitioner"), "NOBODY")))[1] is True


# --- The Python API, the registry, the command line ------------------------------------------------------------


def test_the_python_api_gives_models() -> None:
    request = AllocateRequest.model_validate(GOOD)
    result = allocate(request, time_limit=1.0)
    assert isinstance(result, AllocateResponse)
    assert result.model_dump(mode="json") == handle(GOOD)
    assert isinstance(greedy(request), AllocateResponse)


def test_the_points_table_passed_in_prices_the_cases() -> None:
    data = DEFAULT_POINTS_TABLE.to_dict()
    data["community"]["C1"] = 500
    table = PointsTable.from_dict(data)
    result = handle({"practitioners": [person(points=0)], "cases": [case(tier="C1")]}, table=table)
    assert result["practitioners"][0]["capacity_after"] == float(capacity_percent(500, FULL))


def test_lower_bound_is_the_fractional_peak() -> None:
    # Two equal POs with nothing, one 50-point case: split in halves, 25 points each: 25/2176 = 1.149%.
    request = AllocateRequest.model_validate({"practitioners": [person("S1", points=0), person("S2", points=0)],
                                              "cases": [case(tier="C1")]})
    assert lower_bound(request) == pytest.approx(100 * 25 / FULL, abs=1e-6)
    assert lower_bound(request, crns=[]) == 0.0
    assert allocate(request).peak_capacity_percent == 2.3
    assert allocate(request).peak_lower_bound == 1.14


def test_check_names_every_broken_rule() -> None:
    pool = [person("S1", grade="PSO", trained=False), person("S2", points=2380, excluded=("X000002",)),
            person("S3", points=0)]
    request = AllocateRequest.model_validate({"practitioners": pool, "cases": [
        case("X000001", tier="A1", rosh="HIGH"), case("X000002"), case("X000003", tier="C1")]})
    problems = check(request, {"X000001": "S1", "X000002": "S2", "X000003": None})
    assert problems == ["X000001 to S1: not eligible", "X000002 to S2: excluded", "S2: over the cap",
                        "X000003: left unallocated but S1 could take it"]
    assert check(request, {"X000001": "S3", "X000002": "S1", "X000003": "S1"}) == []
    with pytest.raises(ContractError, match="S9 is not in the pool"):
        check(request, {"X000001": "S9"})


def test_the_registry_and_the_command_line_runner() -> None:
    assert "allocate" in registry.names()
    assert registry.handler("allocate") is handle
    result, ok = answer("allocate", json.dumps(GOOD))
    assert ok and set(owners(result)) == {"X000001", "X000002"}


# --- The exact arithmetic -------------------------------------------------------------------------------------------


@settings(max_examples=300)
@given(st.integers(min_value=1, max_value=100_000), st.integers(min_value=0, max_value=3000))
def test_points_limit_is_the_most_points_within_a_one_decimal_capacity(available: int, tenths: int) -> None:
    limit = points_limit(available, tenths)
    assert capacity_percent(limit, available) <= Decimal(tenths) / 10
    assert capacity_percent(limit + 1, available) > Decimal(tenths) / 10
    assert int(points_limit(np.array([available]), tenths)[0]) == limit


@settings(max_examples=300)
@given(st.integers(min_value=0, max_value=10_000_000), st.integers(min_value=1, max_value=1_000_000))
def test_capacity_tenths_is_the_workload_rounding(points: int, available: int) -> None:
    assert Decimal(capacity_tenths(points, available)) / 10 == capacity_percent(points, available)
