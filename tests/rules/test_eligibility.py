"""Grade matrix (rules.md §3.2): every row, both sides of every rule, the override rule and policy data."""

from __future__ import annotations

import itertools
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.rules import eligibility, registry
from casework.rules.contract import ContractError
from casework.rules.eligibility import (
    DEFAULT_GRADE_MATRIX,
    LIFER_NOT_ALLOWED,
    NO_CAPACITY,
    CaseProfile,
    Eligibility,
    GradeMatrix,
    PractitionerCategory,
    PractitionerProfile,
    Restriction,
    check_eligibility,
    eligible_categories,
    needs_override,
    override_reasons,
    practitioner_category,
)
from casework.rules.tiering import Registration, Rosh
from casework.rules.workload import Grade
from tests.rules.strategies import json_values

PO = PractitionerProfile(Grade.PO)
SPO = PractitionerProfile(Grade.SPO)
PQIP = PractitionerProfile(Grade.PQIP)
PSO_TRAINED = PractitionerProfile(Grade.PSO, core_training_complete=True, months_in_post=12)
PSO_UNTRAINED = PractitionerProfile(Grade.PSO, core_training_complete=False, months_in_post=12)
PSO_NEW = PractitionerProfile(Grade.PSO, core_training_complete=True, months_in_post=5)
PROFILES = {
    "po": PO,
    "spo": SPO,
    "pqip": PQIP,
    "pso-trained": PSO_TRAINED,
    "pso-untrained": PSO_UNTRAINED,
    "pso-new-in-post": PSO_NEW,
}


def case(**overrides: Any) -> CaseProfile:
    """A case every category may hold: tier D1, RoSH low, no MAPPA, no registrations, not a lifer."""
    base: dict[str, Any] = {"tier": "D1", "rosh": Rosh.LOW}
    base.update(overrides)
    return CaseProfile(**base)


def matrix_params(dimension: str, values: dict[str, Any], allowed: dict[str, set[str]]) -> list[Any]:
    """One pytest.param per practitioner × value, with an id like ``pso-trained-cannot-hold-rosh-high``."""
    return [
        pytest.param(
            PROFILES[who],
            overrides,
            value in allowed[who],
            id=f"{who}-{'can' if value in allowed[who] else 'cannot'}-hold-{dimension}-{value}",
        )
        for who in PROFILES
        for value, overrides in values.items()
    ]


# --- Categories ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "trained", "months", "category"),
    [
        pytest.param(Grade.PO, False, 0, PractitionerCategory.PO, id="po"),
        pytest.param(Grade.SPO, False, 0, PractitionerCategory.SPO, id="spo"),
        pytest.param(Grade.PQIP, False, 0, PractitionerCategory.PQIP, id="pqip"),
        pytest.param(Grade.PSO, True, 6, PractitionerCategory.PSO_TRAINED, id="pso-trained-6-months"),
        pytest.param(Grade.PSO, True, 60, PractitionerCategory.PSO_TRAINED, id="pso-trained-60-months"),
        pytest.param(Grade.PSO, True, 5, PractitionerCategory.PSO_UNTRAINED, id="pso-trained-5-months-untrained"),
        pytest.param(Grade.PSO, False, 60, PractitionerCategory.PSO_UNTRAINED, id="pso-no-training-untrained"),
        pytest.param(Grade.PSO, False, 0, PractitionerCategory.PSO_UNTRAINED, id="pso-new-no-training"),
    ],
)
def test_practitioner_category(grade: Grade, trained: bool, months: int, category: PractitionerCategory) -> None:
    assert practitioner_category(grade, trained, months) is category


def test_months_in_post_threshold_comes_from_the_matrix() -> None:
    data = DEFAULT_GRADE_MATRIX.to_dict()
    data["pso_min_months_in_post"] = 12
    matrix = GradeMatrix.from_dict(data)
    held = check_eligibility(PSO_TRAINED, case(rosh=Rosh.MEDIUM), matrix)  # 12 months: trained
    assert held.category is PractitionerCategory.PSO_TRAINED
    newer = PractitionerProfile(Grade.PSO, True, 11)
    result = check_eligibility(newer, case(rosh=Rosh.MEDIUM), matrix)
    assert result.category is PractitionerCategory.PSO_UNTRAINED
    assert result.reasons == (
        "A PSO without core training complete, or under 12 months in post may hold "
        "RoSH low cases only; this case is RoSH medium",
    )


# --- Every row, both sides of every rule ----------------------------------------------------------

EVERYONE = set(PROFILES)
UNTRAINED = {"pso-untrained", "pso-new-in-post"}


@pytest.mark.parametrize(
    ("practitioner", "overrides", "eligible"),
    matrix_params(
        "rosh",
        {
            "low": {"rosh": Rosh.LOW},
            "medium": {"rosh": Rosh.MEDIUM},
            "high": {"rosh": Rosh.HIGH},
            "very-high": {"rosh": Rosh.VERY_HIGH},
            "not-assessed": {"rosh": None},
        },
        {
            "po": {"low", "medium", "high", "very-high", "not-assessed"},
            "spo": {"low", "medium", "high", "very-high", "not-assessed"},
            "pqip": {"low", "medium", "high"},
            "pso-trained": {"low", "medium"},
            "pso-untrained": {"low"},
            "pso-new-in-post": {"low"},
        },
    ),
)
def test_rosh_rule(practitioner: PractitionerProfile, overrides: dict[str, Any], eligible: bool) -> None:
    assert check_eligibility(practitioner, case(**overrides)).eligible is eligible


@pytest.mark.parametrize(
    ("practitioner", "overrides", "eligible"),
    matrix_params(
        "mappa",
        {
            "none": {"mappa_level": None},
            "level-1": {"mappa_level": 1},
            "level-2": {"mappa_level": 2},
            "level-3": {"mappa_level": 3},
        },
        {
            "po": {"none", "level-1", "level-2", "level-3"},
            "spo": {"none", "level-1", "level-2", "level-3"},
            "pqip": {"none", "level-1"},
            "pso-trained": {"none", "level-1"},
            "pso-untrained": {"none", "level-1"},
            "pso-new-in-post": {"none", "level-1"},
        },
    ),
)
def test_mappa_rule(practitioner: PractitionerProfile, overrides: dict[str, Any], eligible: bool) -> None:
    assert check_eligibility(practitioner, case(**overrides)).eligible is eligible


@pytest.mark.parametrize(
    ("practitioner", "overrides", "eligible"),
    matrix_params(
        "lifer",
        {"no": {}, "flag": {"lifer_or_ipp": True}, "inll": {"registrations": frozenset({"INLL"})}},
        {
            "po": {"no", "flag", "inll"},
            "spo": {"no", "flag", "inll"},
            "pqip": {"no"},
            "pso-trained": {"no"},
            "pso-untrained": {"no"},
            "pso-new-in-post": {"no"},
        },
    ),
)
def test_lifer_rule(practitioner: PractitionerProfile, overrides: dict[str, Any], eligible: bool) -> None:
    assert check_eligibility(practitioner, case(**overrides)).eligible is eligible


@pytest.mark.parametrize(
    ("practitioner", "overrides", "eligible"),
    matrix_params(
        "protect",
        {
            "A": {"tier": "A0"},
            "B": {"tier": "B3"},
            "C": {"tier": "C2"},
            "D": {"tier": "D0"},
            "D-unsupervised": {"tier": "D1S"},
            "untiered": {"tier": None},
        },
        {
            "po": {"A", "B", "C", "D", "D-unsupervised", "untiered"},
            "spo": {"A", "B", "C", "D", "D-unsupervised", "untiered"},
            "pqip": {"A", "B", "C", "D", "D-unsupervised", "untiered"},
            "pso-trained": {"B", "C", "D", "D-unsupervised"},
            "pso-untrained": {"C", "D", "D-unsupervised"},
            "pso-new-in-post": {"C", "D", "D-unsupervised"},
        },
    ),
)
def test_protect_level_rule(practitioner: PractitionerProfile, overrides: dict[str, Any], eligible: bool) -> None:
    assert check_eligibility(practitioner, case(**overrides)).eligible is eligible


@pytest.mark.parametrize(
    ("practitioner", "overrides", "eligible"),
    matrix_params(
        "registration",
        {
            "none": {},
            "ADVP": {"registrations": frozenset({"ADVP"})},
            "REG30": {"registrations": frozenset({"REG30"})},
            "RCPR": {"registrations": frozenset({"RCPR"})},
            "RCCO": {"registrations": frozenset({"RCCO"})},
            "SPO-stalking": {"registrations": frozenset({"SPO"})},
            "RMDO": {"registrations": frozenset({"RMDO"})},
        },
        {who: {"none", "ADVP", "REG30", "RCPR", "RCCO", "SPO-stalking", "RMDO"} for who in EVERYONE - UNTRAINED}
        | {who: {"none", "RCCO", "SPO-stalking", "RMDO"} for who in UNTRAINED},
    ),
)
def test_domestic_abuse_and_child_protection_rule(
    practitioner: PractitionerProfile, overrides: dict[str, Any], eligible: bool
) -> None:
    assert check_eligibility(practitioner, case(**overrides)).eligible is eligible


# --- Reasons ----------------------------------------------------------------------------------------


def test_reasons_name_every_rule_broken() -> None:
    result = check_eligibility(
        PSO_UNTRAINED,
        case(
            tier="A2",
            rosh=Rosh.HIGH,
            mappa_level=2,
            registrations=frozenset({"ADVP", "RCPR"}),
            lifer_or_ipp=True,
        ),
    )
    who = "A PSO without core training complete, or under 6 months in post"
    assert result == Eligibility(
        False,
        (
            f"{who} may hold RoSH low cases only; this case is RoSH high",
            f"{who} may not hold MAPPA level 2 or 3 cases; this case is MAPPA level 2",
            f"{who} may not hold lifer or IPP cases; this case is a lifer or IPP case",
            f"{who} may hold protect level C or D cases only; this case is protect level A (tier A2)",
            f"{who} may not hold cases with a domestic abuse or child protection registration; this case has "
            "ADVP (domestic abuse perpetrator), RCPR (child protection)",
        ),
        PractitionerCategory.PSO_UNTRAINED,
        (
            Restriction.ROSH_ABOVE_LIMIT,
            Restriction.MAPPA_LEVEL_2_OR_3,
            Restriction.LIFER_OR_IPP,
            Restriction.PROTECT_LEVEL_NOT_ALLOWED,
            Restriction.DOMESTIC_ABUSE_OR_CHILD_PROTECTION,
        ),
    )


@pytest.mark.parametrize(
    ("practitioner", "overrides", "reason"),
    [
        pytest.param(
            PQIP,
            {"rosh": Rosh.VERY_HIGH},
            "A PQiP may hold RoSH low, medium or high cases only; this case is RoSH very high",
            id="pqip-rosh",
        ),
        pytest.param(
            PSO_TRAINED,
            {"rosh": Rosh.HIGH},
            "A PSO with core training complete may hold RoSH low or medium cases only; this case is RoSH high",
            id="pso-trained-rosh",
        ),
        pytest.param(
            PSO_TRAINED,
            {"rosh": None},
            "A PSO with core training complete may hold RoSH low or medium cases only; this case's RoSH has "
            "not been assessed",
            id="pso-trained-rosh-not-assessed",
        ),
        pytest.param(
            PSO_TRAINED,
            {"tier": "A1"},
            "A PSO with core training complete may hold protect level B, C or D cases only; this case is "
            "protect level A (tier A1)",
            id="pso-trained-protect",
        ),
        pytest.param(
            PSO_UNTRAINED,
            {"tier": None},
            "A PSO without core training complete, or under 6 months in post may hold protect level C or D "
            "cases only; this case has no tier yet",
            id="pso-untrained-untiered",
        ),
        pytest.param(PQIP, {"lifer_or_ipp": True}, LIFER_NOT_ALLOWED.format(who="A PQiP"), id="pqip-lifer"),
    ],
)
def test_reason_wording(practitioner: PractitionerProfile, overrides: dict[str, Any], reason: str) -> None:
    assert check_eligibility(practitioner, case(**overrides)).reasons == (reason,)


def test_eligible_cases_have_no_reasons() -> None:
    assert check_eligibility(PSO_UNTRAINED, case()) == Eligibility(True, (), PractitionerCategory.PSO_UNTRAINED)


@pytest.mark.parametrize(
    ("overrides", "categories"),
    [
        pytest.param({}, set(PractitionerCategory), id="low-risk-anyone"),
        pytest.param({"rosh": Rosh.VERY_HIGH, "tier": "A1"}, {"PO", "SPO"}, id="very-high-po-spo"),
        pytest.param({"rosh": Rosh.HIGH, "tier": "B1"}, {"PO", "SPO", "PQIP"}, id="high-up-to-pqip"),
        pytest.param({"rosh": Rosh.MEDIUM, "tier": "C1"}, {"PO", "SPO", "PQIP", "PSO_TRAINED"}, id="medium"),
    ],
)
def test_eligible_categories(overrides: dict[str, Any], categories: set[str]) -> None:
    assert {c.value for c in eligible_categories(case(**overrides))} == categories


def test_a_bad_tier_is_rejected() -> None:
    with pytest.raises(ValueError, match="is not a two-axis tier"):
        CaseProfile(tier="E1", rosh=Rosh.LOW)


# --- Overrides -------------------------------------------------------------------------------------

OK = Eligibility(True, (), PractitionerCategory.PO)
OUTSIDE = Eligibility(
    False,
    ("A PQiP may not hold lifer or IPP cases; this case is a lifer or IPP case",),
    PractitionerCategory.PQIP,
)


@pytest.mark.parametrize(
    ("eligibility", "projected", "needed"),
    [
        pytest.param(OK, Decimal("50.0"), False, id="inside-matrix-50"),
        pytest.param(OK, Decimal("110.0"), False, id="inside-matrix-110.0"),
        pytest.param(OK, Decimal("110.1"), True, id="inside-matrix-110.1"),
        pytest.param(OK, None, True, id="no-capacity"),
        pytest.param(OUTSIDE, Decimal("50.0"), True, id="outside-matrix-50"),
        pytest.param(OUTSIDE, Decimal("120.0"), True, id="outside-matrix-120"),
    ],
)
def test_needs_override(eligibility: Eligibility, projected: Decimal | None, needed: bool) -> None:
    assert needs_override(eligibility, projected) is needed


def test_override_reasons() -> None:
    assert override_reasons(OUTSIDE, Decimal("112.3")) == (
        *OUTSIDE.reasons,
        "This allocation takes their workload to 112.3%, over 110%",
    )
    assert override_reasons(OK, None) == (NO_CAPACITY,)
    assert override_reasons(OK, Decimal("105.0"), limit=Decimal(100)) == (
        "This allocation takes their workload to 105.0%, over 100%",
    )


# --- The matrix as data ------------------------------------------------------------------------------


def test_default_matrix_is_rules_md() -> None:
    assert DEFAULT_GRADE_MATRIX.to_dict() == {
        "categories": {
            "PO": {
                "max_rosh": "VERY_HIGH",
                "allow_mappa_2_3": True,
                "allow_lifer_ipp": True,
                "allowed_protect_levels": ["A", "B", "C", "D"],
                "allow_domestic_abuse_or_child_protection": True,
            },
            "SPO": {
                "max_rosh": "VERY_HIGH",
                "allow_mappa_2_3": True,
                "allow_lifer_ipp": True,
                "allowed_protect_levels": ["A", "B", "C", "D"],
                "allow_domestic_abuse_or_child_protection": True,
            },
            "PQIP": {
                "max_rosh": "HIGH",
                "allow_mappa_2_3": False,
                "allow_lifer_ipp": False,
                "allowed_protect_levels": ["A", "B", "C", "D"],
                "allow_domestic_abuse_or_child_protection": True,
            },
            "PSO_TRAINED": {
                "max_rosh": "MEDIUM",
                "allow_mappa_2_3": False,
                "allow_lifer_ipp": False,
                "allowed_protect_levels": ["B", "C", "D"],
                "allow_domestic_abuse_or_child_protection": True,
            },
            "PSO_UNTRAINED": {
                "max_rosh": "LOW",
                "allow_mappa_2_3": False,
                "allow_lifer_ipp": False,
                "allowed_protect_levels": ["C", "D"],
                "allow_domestic_abuse_or_child_protection": False,
            },
        },
        "domestic_abuse_codes": ["ADVP", "REG30"],
        "child_protection_codes": ["RCPR"],
        "pso_min_months_in_post": 6,
    }


def test_matrix_round_trips_through_json() -> None:
    data = json.loads(json.dumps(DEFAULT_GRADE_MATRIX.to_dict()))
    assert GradeMatrix.from_dict(data) == DEFAULT_GRADE_MATRIX


def test_a_local_policy_can_count_child_concerns() -> None:
    data = DEFAULT_GRADE_MATRIX.to_dict()
    data["child_protection_codes"].append("RCCO")
    matrix = GradeMatrix.from_dict(data)
    rcco = case(registrations=frozenset({"RCCO"}))
    assert check_eligibility(PSO_UNTRAINED, rcco).eligible is True
    assert check_eligibility(PSO_UNTRAINED, rcco, matrix).eligible is False


def test_a_local_policy_can_relax_a_row() -> None:
    data = DEFAULT_GRADE_MATRIX.to_dict()
    data["categories"]["PQIP"]["allow_lifer_ipp"] = True
    matrix = GradeMatrix.from_dict(data)
    assert check_eligibility(PQIP, case(lifer_or_ipp=True), matrix).eligible is True


def _policy(path: str, value: Any) -> dict[str, Any]:
    data = DEFAULT_GRADE_MATRIX.to_dict()
    *parents, last = path.split(".")
    target = data
    for part in parents:
        target = target[part]
    if value is _DELETE:
        del target[last]
    else:
        target[last] = value
    return data


_DELETE = object()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        pytest.param(
            _policy("categories.PQIP", _DELETE),
            "policy.categories.PQIP",
            "is required",
            id="missing-category",
        ),
        pytest.param(
            _policy("categories.ACO", {}),
            "policy.categories.ACO",
            "is not a known field",
            id="unknown-category",
        ),
        pytest.param(
            _policy("categories.PO.max_rosh", "EXTREME"),
            "policy.categories.PO.max_rosh",
            "must be one of",
            id="bad-rosh",
        ),
        pytest.param(
            _policy("categories.PO.allow_lifer_ipp", "yes"),
            "policy.categories.PO.allow_lifer_ipp",
            "must be true or false",
            id="bad-flag",
        ),
        pytest.param(
            _policy("categories.PO.allowed_protect_levels", ["A", "A"]),
            "policy.categories.PO.allowed_protect_levels[1]",
            "repeats A",
            id="repeated-level",
        ),
        pytest.param(
            _policy("categories.PO.allowed_protect_levels", []),
            "policy.categories.PO.allowed_protect_levels",
            "must name at least one",
            id="no-levels",
        ),
        pytest.param(
            _policy("categories.PO.allowed_protect_levels", ["E"]),
            "policy.categories.PO.allowed_protect_levels[0]",
            "must be one of A, B, C, D",
            id="bad-level",
        ),
        pytest.param(
            _policy("categories.PO.colour", "red"),
            "policy.categories.PO.colour",
            "is not a known field",
            id="unknown-rule",
        ),
        pytest.param(
            _policy("domestic_abuse_codes", ["XYZ"]),
            "policy.domestic_abuse_codes[0]",
            "must be one of",
            id="unknown-code",
        ),
        pytest.param(
            _policy("pso_min_months_in_post", -1),
            "policy.pso_min_months_in_post",
            "must be at least 0",
            id="negative-months",
        ),
        pytest.param(_policy("version", 2), "policy.version", "is not a known field", id="unknown-top-level"),
    ],
)
def test_from_dict_rejects(data: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(ContractError) as caught:
        GradeMatrix.from_dict(data, "policy")
    assert caught.value.field == field
    assert message in caught.value.message


def test_a_python_built_matrix_needs_every_category() -> None:
    with pytest.raises(ValueError, match="no rules for PSO_UNTRAINED"):
        GradeMatrix(
            {
                c: DEFAULT_GRADE_MATRIX.categories[c]
                for c in PractitionerCategory
                if c is not PractitionerCategory.PSO_UNTRAINED
            },
            frozenset(),
            frozenset(),
        )


# --- Properties -------------------------------------------------------------------------------------

cases = st.builds(
    CaseProfile,
    tier=st.none() | st.from_regex(r"\A[A-D][0-3]S?\Z"),
    rosh=st.none() | st.sampled_from(Rosh),
    mappa_level=st.none() | st.integers(1, 3),
    registrations=st.frozensets(st.sampled_from([c.value for c in Registration])),
    lifer_or_ipp=st.booleans(),
)


@given(cases)
def test_narrower_rows_never_allow_more(case_: CaseProfile) -> None:
    # PO/SPO ⊇ PQiP ⊇ trained PSO ⊇ untrained PSO, for every case.
    order = [PO, PQIP, PSO_TRAINED, PSO_UNTRAINED]
    results = [check_eligibility(p, case_).eligible for p in order]
    assert results[0] is True
    assert check_eligibility(SPO, case_).eligible is True
    for wider, narrower in itertools.pairwise(results):
        assert wider or not narrower


@given(cases)
def test_eligible_exactly_when_no_reasons(case_: CaseProfile) -> None:
    for practitioner in PROFILES.values():
        result = check_eligibility(practitioner, case_)
        assert result.eligible is (not result.reasons)
    for practitioner in PROFILES.values():
        result = check_eligibility(practitioner, case_)
        assert len(result.codes) == len(result.reasons)


# --- The ``eligibility`` contract ---------------------------------------------------------------------

EXAMPLE: dict[str, Any] = {
    "practitioner": {"grade": "PSO", "core_training_complete": True, "months_in_post": 14},
    "case": {"tier": "B1", "rosh": "MEDIUM", "mappa_level": None, "registrations": ["ADVP"], "lifer_or_ipp": False},
    "capacity": {"points": 1900, "available_points": 2176, "case_points": 102, "already_holds": False},
    "policy": None,
}


def contract_request(**changes: Any) -> dict[str, Any]:
    data = json.loads(json.dumps(EXAMPLE))
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        target = data
        for name in parents:
            target = target[name]
        if value is _DELETE:
            del target[last]
        else:
            target[last] = value
    return data


def test_contract_example() -> None:
    assert eligibility.handle(EXAMPLE) == {
        "eligible": True,
        "reasons": [],
        "projected_capacity_percent": 92.0,
        "override_required": False,
        "category": "PSO_TRAINED",
        "explanations": [],
        "rules_version": "eligibility-2026.1",
    }


def test_registry_routes_eligibility() -> None:
    assert registry.handler("eligibility") is eligibility.handle


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({"capacity": None}, {"projected_capacity_percent": None, "override_required": False},
                     id="no-capacity-given-eligibility-only"),
        pytest.param({"capacity": _DELETE}, {"projected_capacity_percent": None, "override_required": False},
                     id="capacity-left-out"),
        pytest.param({"capacity__points": 2300}, {"projected_capacity_percent": 110.4, "override_required": True},
                     id="over-110-needs-override"),
        pytest.param({"capacity__points": 2291}, {"projected_capacity_percent": 110.0, "override_required": False},
                     id="exactly-110-does-not"),
        pytest.param({"capacity__points": 2300, "capacity__already_holds": True},
                     {"projected_capacity_percent": 105.7, "override_required": False},
                     id="already-holds-adds-nothing"),
        pytest.param({"capacity__available_points": 0},
                     {"projected_capacity_percent": None, "override_required": True,
                      "explanations": ["They have no capacity (0 available points)"]},
                     id="no-available-points-needs-override"),
        pytest.param({"case__rosh": "HIGH"},
                     {"eligible": False, "reasons": ["ROSH_ABOVE_LIMIT"], "override_required": True},
                     id="rosh-above-limit"),
        pytest.param({"case__tier": "A1"},
                     {"eligible": False, "reasons": ["PROTECT_LEVEL_NOT_ALLOWED"]}, id="protect-level"),
        pytest.param({"case__mappa_level": 2, "case__lifer_or_ipp": True},
                     {"reasons": ["MAPPA_LEVEL_2_OR_3", "LIFER_OR_IPP"]}, id="mappa-and-lifer"),
        pytest.param({"case__registrations": ["INLL"]}, {"reasons": ["LIFER_OR_IPP"]}, id="inll-is-lifer"),
        pytest.param({"practitioner__months_in_post": 5},
                     {"category": "PSO_UNTRAINED",
                      "reasons": ["ROSH_ABOVE_LIMIT", "PROTECT_LEVEL_NOT_ALLOWED",
                                  "DOMESTIC_ABUSE_OR_CHILD_PROTECTION"]},
                     id="pso-new-in-post"),
        pytest.param({"practitioner": {"grade": "PSO"}}, {"category": "PSO_UNTRAINED"},
                     id="pso-defaults-to-untrained"),
        pytest.param({"case__rosh": None, "case__tier": None},
                     {"reasons": ["ROSH_NOT_ASSESSED", "NO_TIER"]}, id="unknowns-fail-restrictions"),
        pytest.param({"practitioner": {"grade": "PQIP"}, "case__rosh": "VERY_HIGH"},
                     {"category": "PQIP", "reasons": ["ROSH_ABOVE_LIMIT"]}, id="pqip-very-high"),
        pytest.param({"practitioner": {"grade": "PO"}, "case__rosh": "VERY_HIGH", "case__mappa_level": 3},
                     {"eligible": True, "category": "PO"}, id="po-anything"),
    ],
)
def test_contract_variants(changes: dict[str, Any], expected: dict[str, Any]) -> None:
    response = eligibility.handle(contract_request(**changes))
    assert {key: response[key] for key in expected} == expected
    assert response["override_required"] is bool(response["explanations"])


def test_explanations_give_each_reason_in_words_then_the_capacity() -> None:
    response = eligibility.handle(contract_request(case__rosh="HIGH", capacity__points=2300))
    assert response["explanations"] == [
        "A PSO with core training complete may hold RoSH low or medium cases only; this case is RoSH high",
        "This allocation takes their workload to 110.4%, over 110%",
    ]


def test_a_policy_in_the_request_replaces_the_matrix() -> None:
    policy = DEFAULT_GRADE_MATRIX.to_dict()
    policy["categories"]["PSO_TRAINED"]["max_rosh"] = "HIGH"
    policy["categories"]["PSO_TRAINED"]["allowed_protect_levels"] = ["A", "B", "C", "D"]
    response = eligibility.handle(contract_request(case__rosh="HIGH", case__tier="A1", policy=policy))
    assert (response["eligible"], response["reasons"]) == (True, [])


def test_a_matrix_passed_in_is_used_when_the_request_has_no_policy() -> None:
    strict = DEFAULT_GRADE_MATRIX.to_dict()
    strict["categories"]["PSO_TRAINED"]["allowed_protect_levels"] = ["D"]
    matrix = GradeMatrix.from_dict(strict)
    assert eligibility.handle(EXAMPLE, matrix=matrix)["reasons"] == ["PROTECT_LEVEL_NOT_ALLOWED"]
    assert eligibility.handle(contract_request(policy=DEFAULT_GRADE_MATRIX.to_dict()), matrix=matrix)["eligible"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        pytest.param({"practitioner": _DELETE}, "practitioner", "is required", id="practitioner-missing"),
        pytest.param({"case__rosh": _DELETE}, "case.rosh", "is required", id="rosh-must-be-given"),
        pytest.param({"case__tier": _DELETE}, "case.tier", "is required", id="tier-must-be-given"),
        pytest.param({"practitioner__grade": "ACO"}, "practitioner.grade", "must be one of PO, PQIP, PSO, SPO",
                     id="unknown-grade"),
        pytest.param({"practitioner__months_in_post": 1.5}, "practitioner.months_in_post", "must be a whole number",
                     id="fractional-months"),
        pytest.param({"practitioner__months_in_post": -1}, "practitioner.months_in_post", "must be at least 0",
                     id="negative-months"),
        pytest.param({"practitioner__core_training_complete": "yes"}, "practitioner.core_training_complete",
                     "must be true or false", id="string-flag"),
        pytest.param({"case__tier": "E1"}, "case.tier", "must be a two-axis tier such as B2 or B2S", id="bad-tier"),
        pytest.param({"case__mappa_level": 4}, "case.mappa_level", "must be at most 3", id="mappa-4"),
        pytest.param({"case__registrations": ["ADVP", "XYZ"]}, "case.registrations[1]", "must be one of",
                     id="unknown-registration"),
        pytest.param({"case__registrations": "ADVP"}, "case.registrations", "must be a list",
                     id="registrations-string"),
        pytest.param({"case__crn": "X123456"}, "case.crn", "is not a known field", id="unknown-case-field"),
        pytest.param({"capacity__points": -1}, "capacity.points", "must be at least 0", id="negative-points"),
        pytest.param({"capacity__case_points": _DELETE}, "capacity.case_points", "is required",
                     id="case-points-missing"),
        pytest.param({"capacity__points": "1900"}, "capacity.points", "must be a number", id="string-points"),
        pytest.param({"team": "T1"}, "team", "is not a known field", id="unknown-top-level-field"),
        pytest.param({"policy": {"categories": {}}}, "policy.categories.PO", "is required", id="policy-incomplete"),
        pytest.param({"case": []}, "case", "must be a JSON object", id="case-list"),
    ],
)
def test_contract_rejects(changes: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(ContractError) as caught:
        eligibility.handle(contract_request(**changes))
    assert caught.value.field == field
    assert message in caught.value.message


@given(json_values)
def test_handle_raises_only_contract_errors_on_arbitrary_json(data: Any) -> None:
    try:
        response = eligibility.handle(data)
    except ContractError:
        return
    json.dumps(response, allow_nan=False)


@given(st.sampled_from(["practitioner", "case", "capacity", "policy"]), json_values)
def test_handle_raises_only_contract_errors_on_mutated_requests(name: str, value: Any) -> None:
    try:
        response = eligibility.handle({**EXAMPLE, name: value})
    except ContractError:
        return
    assert response["eligible"] is (response["reasons"] == [])
