"""Recall type (rules.md §5.3): every answer combination, the contract, and properties."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.rules import recall, registry
from casework.rules.contract import ContractError
from casework.rules.recall import (
    AdultExclusions,
    NewOffence,
    RecallInputs,
    RecallType,
    SentenceGroup,
    YouthFlags,
    decide,
    handle,
)
from tests.rules.strategies import json_values, mutated

EXCLUSIONS = list(recall.EXCLUSION_LABELS)
YOUTH = list(recall.YOUTH_LABELS)
OFFENCES: list[str | None] = ["NO", "CHARGED_AND_CONVICTED", "ONLY_CHARGED", None]
MISSING = object()  # a key left out of the request

FIXED_TERM_ONLY = ["FIXED_TERM", "NO_RECALL"]
STANDARD_ONLY = ["STANDARD", "NO_RECALL"]
ALL_TYPES = ["FIXED_TERM", "STANDARD", "NO_RECALL"]


def adult(new_offence: Any = "NO", **exclusions: Any) -> dict[str, Any]:
    """An adult request; every exclusion false unless given (MISSING leaves it out)."""
    values = dict.fromkeys(EXCLUSIONS, False) | exclusions
    return {
        "sentence_group": "ADULT_SDS",
        "new_offence": new_offence,
        "exclusions": {k: v for k, v in values.items() if v is not MISSING},
        "youth": None,
    }


def youth(**flags: Any) -> dict[str, Any]:
    values = dict.fromkeys(YOUTH, False) | flags
    return {"sentence_group": "YOUTH_SDS", "youth": {k: v for k, v in values.items() if v is not MISSING}}


def _offence_id(offence: str | None) -> str:
    return offence or "unanswered"


# --- adult determinate: all 2^8 exclusion combinations × every new-offence answer ---------------


def _adult_cases() -> list[Any]:
    cases = []
    for flags in itertools.product([False, True], repeat=len(EXCLUSIONS)):
        on = [name for name, flag in zip(EXCLUSIONS, flags, strict=True) if flag]
        for offence in OFFENCES:
            fixed_term = not on and offence in ("NO", "CHARGED_AND_CONVICTED")
            cases.append(pytest.param(
                dict(zip(EXCLUSIONS, flags, strict=True)), offence, fixed_term,
                id=f"{'+'.join(on) or 'no-exclusion'}--{_offence_id(offence)}",
            ))
    return cases


@pytest.mark.parametrize(("exclusions", "offence", "fixed_term"), _adult_cases())
def test_adult_every_exclusion_combination(exclusions, offence, fixed_term):
    result = handle(adult(offence, **exclusions))
    assert result["mandatory"] == ("FIXED_TERM" if fixed_term else "STANDARD")
    assert result["allowed"] == (FIXED_TERM_ONLY if fixed_term else STANDARD_ONLY)
    assert result["emergency_offered"] is False
    for name, on in exclusions.items():
        reason = recall.REASON_EXCLUDED.format(label=recall.EXCLUSION_LABELS[name])
        assert (reason in result["reasons"]) is on


def _unanswered_cases() -> list[Any]:
    return [
        pytest.param(name, variant, offence, id=f"{name}-{variant}--{_offence_id(offence)}")
        for name in EXCLUSIONS
        for variant in ("null", "missing")
        for offence in OFFENCES
    ]


@pytest.mark.parametrize(("name", "variant", "offence"), _unanswered_cases())
def test_adult_unanswered_exclusion_counts_as_true(name, variant, offence):
    result = handle(adult(offence, **{name: None if variant == "null" else MISSING}))
    assert result["mandatory"] == "STANDARD"
    assert result["allowed"] == STANDARD_ONLY
    assert recall.REASON_UNANSWERED.format(label=recall.EXCLUSION_LABELS[name]) in result["reasons"]


@pytest.mark.parametrize("offence", OFFENCES, ids=_offence_id)
@pytest.mark.parametrize("variant", ["null", "missing", "empty-object"])
def test_adult_exclusions_object_unanswered_means_all_true(variant, offence):
    request = adult(offence)
    if variant == "null":
        request["exclusions"] = None
    elif variant == "missing":
        del request["exclusions"]
    else:
        request["exclusions"] = {}
    result = handle(request)
    assert result["mandatory"] == "STANDARD"
    unanswered = [r for r in result["reasons"] if "not answered: counts as yes" in r]
    assert len(unanswered) == len(EXCLUSIONS)


@pytest.mark.parametrize("variant", ["null", "missing"])
def test_adult_new_offence_unanswered_means_standard(variant):
    request = adult(None)
    if variant == "missing":
        del request["new_offence"]
    result = handle(request)
    assert result["mandatory"] == "STANDARD"
    assert result["reasons"][0] == recall.REASON_NEW_OFFENCE_UNANSWERED


@pytest.mark.parametrize(
    ("request_", "mandatory", "reason"),
    [
        pytest.param(adult("NO"), "FIXED_TERM",
                     "No further offence and no exclusion applies: fixed-term recall is mandatory",
                     id="no-offence-no-exclusion-fixed-term"),
        pytest.param(adult("CHARGED_AND_CONVICTED"), "FIXED_TERM",
                     "Charged with and convicted of a further offence and no exclusion applies: "
                     "fixed-term recall is mandatory",
                     id="convicted-no-exclusion-fixed-term"),
        pytest.param(adult("ONLY_CHARGED"), "STANDARD",
                     "Charged with a further offence but not convicted: fixed-term recall is excluded",
                     id="only-charged-standard"),
        pytest.param(adult("NO", mappa_level_2_or_3=True), "STANDARD",
                     "MAPPA level 2 or 3: fixed-term recall is excluded", id="mappa-2-or-3-standard"),
        pytest.param(adult("NO", mappa_category_4=True), "STANDARD",
                     "MAPPA category 4: fixed-term recall is excluded", id="mappa-category-4-standard"),
        pytest.param(adult("NO", parole_board_s244zb=None), "STANDARD",
                     "Referred to the Parole Board under s.244ZB not answered: counts as yes, so fixed-term "
                     "recall is excluded", id="s244zb-unanswered-standard"),
        pytest.param(adult("NO", foreign_power_threat=True), "STANDARD",
                     "Foreign-power threat: fixed-term recall is excluded", id="foreign-power-standard"),
    ],
)
def test_adult_reasons_read_as_sentences(request_, mandatory, reason):
    result = handle(request_)
    assert result["mandatory"] == mandatory
    assert reason in result["reasons"]
    other = "standard" if mandatory == "FIXED_TERM" else "fixed-term"
    assert result["reasons"][-1].endswith(f"so {other} recall is not offered")


# --- indeterminate and extended -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("group", "emergency", "reason"),
    [
        pytest.param("INDETERMINATE", True, recall.REASON_INDETERMINATE,
                     id="indeterminate-emergency-offered"),
        pytest.param("EXTENDED", False, recall.REASON_EXTENDED, id="extended-no-emergency"),
    ],
)
@pytest.mark.parametrize(
    "extra",
    [
        pytest.param({}, id="nothing-else"),
        pytest.param({"new_offence": "NO", "exclusions": dict.fromkeys(EXCLUSIONS, False)},
                     id="adult-answers-ignored"),
        pytest.param({"youth": dict.fromkeys(YOUTH, False)}, id="youth-answers-ignored"),
        pytest.param({"new_offence": None, "exclusions": None, "youth": None}, id="all-null"),
    ],
)
def test_indeterminate_and_extended_always_standard(group, emergency, reason, extra):
    result = handle({"sentence_group": group} | extra)
    assert result["mandatory"] == "STANDARD"
    assert result["allowed"] == STANDARD_ONLY
    assert result["emergency_offered"] is emergency
    assert result["reasons"][0] == reason
    assert (recall.REASON_EMERGENCY in result["reasons"]) is emergency


# --- youth determinate: every flag answer (false, true, null, missing) ---------------------------


def _youth_cases() -> list[Any]:
    answers = [False, True, None, MISSING]
    names = {False: "no", True: "yes", None: "null", MISSING: "missing"}
    cases = []
    for values in itertools.product(answers, repeat=len(YOUTH)):
        fixed_term = all(v is False for v in values)
        ident = "-".join(f"{flag}={names[v]}" for flag, v in zip(YOUTH, values, strict=True))
        cases.append(pytest.param(dict(zip(YOUTH, values, strict=True)), fixed_term, id=ident))
    return cases


@pytest.mark.parametrize(("flags", "fixed_term"), _youth_cases())
def test_youth_every_flag_combination(flags, fixed_term):
    result = handle(youth(**flags))
    if fixed_term:
        assert result["mandatory"] == "FIXED_TERM"
        assert result["allowed"] == FIXED_TERM_ONLY
        assert result["reasons"][0] == recall.REASON_YOUTH_FIXED_TERM
    else:
        # Discretionary: fixed-term, standard or no recall.
        assert result["mandatory"] is None
        assert result["allowed"] == ALL_TYPES
        assert result["reasons"][-1] == recall.REASON_YOUTH_DISCRETIONARY
    assert result["emergency_offered"] is False


@pytest.mark.parametrize("variant", ["null", "missing", "empty-object"])
def test_youth_object_unanswered_is_discretionary(variant):
    request: dict[str, Any] = {"sentence_group": "YOUTH_SDS"}
    if variant == "null":
        request["youth"] = None
    elif variant == "empty-object":
        request["youth"] = {}
    result = handle(request)
    assert result["mandatory"] is None
    assert result["allowed"] == ALL_TYPES


@pytest.mark.parametrize("offence", OFFENCES, ids=_offence_id)
def test_youth_ignores_new_offence_and_adult_exclusions(offence):
    request = youth() | {"new_offence": offence, "exclusions": dict.fromkeys(EXCLUSIONS, True)}
    assert handle(request)["mandatory"] == "FIXED_TERM"


def test_adult_ignores_youth_flags():
    request = adult("NO") | {"youth": dict.fromkeys(YOUTH, True)}
    assert handle(request)["mandatory"] == "FIXED_TERM"


# --- typed API ----------------------------------------------------------------------------------


def test_decide_typed_inputs():
    decision = decide(RecallInputs(
        sentence_group=SentenceGroup.ADULT_SDS,
        new_offence=NewOffence.CHARGED_AND_CONVICTED,
        exclusions=AdultExclusions(**dict.fromkeys(EXCLUSIONS, False)),
    ))
    assert decision.mandatory is RecallType.FIXED_TERM
    assert decision.allowed == (RecallType.FIXED_TERM, RecallType.NO_RECALL)
    assert decision.rules_version == recall.RULES_VERSION


def test_decide_defaults_are_unanswered():
    assert decide(RecallInputs(SentenceGroup.ADULT_SDS)).mandatory is RecallType.STANDARD
    assert decide(RecallInputs(SentenceGroup.YOUTH_SDS)).mandatory is None
    assert decide(RecallInputs(SentenceGroup.YOUTH_SDS, youth=YouthFlags(False, False, False))).mandatory \
        is RecallType.FIXED_TERM


def test_version_and_effective_date():
    assert recall.RULES_VERSION == "recall-2026.1"
    assert dt.date(2026, 3, 31) == recall.EFFECTIVE_FROM


def test_response_shape_matches_contract():
    result = handle(adult("NO"))
    assert set(result) == {"mandatory", "allowed", "emergency_offered", "reasons", "rules_version"}
    assert result["rules_version"] == "recall-2026.1"


def test_registry_routes_recall_type():
    assert registry.handler("recall-type") is handle


# --- contract errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        pytest.param({}, "sentence_group", id="sentence-group-missing"),
        pytest.param({"sentence_group": "adult_sds"}, "sentence_group", id="sentence-group-lower-case"),
        pytest.param({"sentence_group": None}, "sentence_group", id="sentence-group-null"),
        pytest.param(adult("NO") | {"extra": 1}, "extra", id="unknown-top-level-field"),
        pytest.param(adult("YES"), "new_offence", id="new-offence-unknown-answer"),
        pytest.param(adult("NO", sopcc=False), "exclusions.sopcc", id="unknown-exclusion-typo"),
        pytest.param(adult("NO", dcr="no"), "exclusions.dcr", id="exclusion-string"),
        pytest.param(adult("NO", dcr=0), "exclusions.dcr", id="exclusion-number"),
        pytest.param(adult("NO") | {"exclusions": []}, "exclusions", id="exclusions-list"),
        pytest.param(youth(sentence_over_12_months=False), "youth.sentence_over_12_months",
                     id="unknown-youth-flag"),
        pytest.param(youth(mappa_level_2_or_3="true"), "youth.mappa_level_2_or_3", id="youth-flag-string"),
        pytest.param({"sentence_group": "YOUTH_SDS", "youth": True}, "youth", id="youth-not-object"),
        pytest.param(adult("NO") | {"youth": {"bogus": True}}, "youth.bogus",
                     id="unknown-youth-flag-on-adult-case"),
    ],
)
def test_contract_errors_name_the_field(request_, field):
    with pytest.raises(ContractError) as error:
        handle(request_)
    assert error.value.field == field


# --- properties ---------------------------------------------------------------------------------

flag = st.sampled_from([False, True, None])


@given(
    group=st.sampled_from(list(SentenceGroup)),
    offence=st.sampled_from([*NewOffence, None]),
    exclusions=st.none() | st.builds(AdultExclusions, *[flag] * len(EXCLUSIONS)),
    flags=st.none() | st.builds(YouthFlags, flag, flag, flag),
)
def test_property_no_recall_always_allowed_and_one_mandatory_type(group, offence, exclusions, flags):
    decision = decide(RecallInputs(group, offence, exclusions, flags))
    assert RecallType.NO_RECALL in decision.allowed
    assert list(decision.allowed) == sorted(decision.allowed, key=list(RecallType).index)
    if decision.mandatory is not None:
        types = {RecallType.FIXED_TERM, RecallType.STANDARD} & set(decision.allowed)
        assert types == {decision.mandatory}
    assert decision.emergency_offered is (group is SentenceGroup.INDETERMINATE)
    assert decision.reasons


VALID_REQUESTS = [adult("NO"), youth(), {"sentence_group": "INDETERMINATE", "new_offence": None}]


@given(st.one_of(json_values, *[mutated(r) for r in VALID_REQUESTS]))
def test_property_handle_raises_only_contract_errors(request_):
    try:
        result = handle(request_)
    except ContractError:
        return
    assert RecallType.NO_RECALL.value in result["allowed"]
