"""Inspection ratings (rules.md §6.1–6.2): percentages, bands, overall, overrides, frameworks."""

from __future__ import annotations

import copy
import json
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.rules import rating, registry
from casework.rules.contract import ContractError
from casework.rules.rating import (
    FRAMEWORKS,
    PROBATION_2018,
    YOUTH_2018,
    Counts,
    Framework,
    Override,
    Provenance,
    Rating,
    StandardEvidence,
    StandardKind,
    handle,
    key_question_percentage,
    rate,
)
from tests.rules.strategies import json_values, mutated

SCORE_RATING = {0: "INADEQUATE", 1: "REQUIRES_IMPROVEMENT", 2: "GOOD", 3: "OUTSTANDING"}


def case_keys(framework: Framework) -> list[str]:
    return [s.key for s in framework.standards if s.key_questions]


def questions(framework: Framework, standard: str) -> list[str]:
    return list(framework.standard(standard).key_question_keys())


def counts(framework: Framework, standard: str, *pairs: tuple[int, int]) -> dict[str, Any]:
    """key_questions JSON for ``standard``: one (sufficient, applicable) per key question, or one for all."""
    keys = questions(framework, standard)
    pairs = pairs * len(keys) if len(pairs) == 1 else pairs
    given = zip(keys, pairs, strict=True)
    return {"key_questions": {k: {"sufficient": s, "applicable": a} for k, (s, a) in given}}


def probation(standards: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"framework": "PROBATION_2018", "standards": standards} | extra


def ratings_scoring(framework: Framework, total: int) -> dict[str, dict[str, str]]:
    """Every standard given as a rating, the scores summing to ``total``."""
    full, rest = divmod(total, 3)
    result = {}
    for index, standard in enumerate(framework.standards):
        score = 3 if index < full else rest if index == full else 0
        result[standard.key] = {"rating": SCORE_RATING[score]}
    return result


# --- key question percentage --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sufficient", "applicable", "expected"),
    [
        pytest.param(0, 1, 0, id="none-sufficient"),
        pytest.param(1, 1, 100, id="all-sufficient"),
        pytest.param(79, 100, 79, id="79"),
        pytest.param(80, 100, 80, id="80"),
        pytest.param(129, 200, 65, id="64.5-rounds-up-to-65"),
        pytest.param(128, 200, 64, id="64.0"),
        pytest.param(1289, 2000, 64, id="64.45-rounds-down"),
        pytest.param(99, 200, 50, id="49.5-rounds-up-to-50"),
        pytest.param(159, 200, 80, id="79.5-rounds-up-to-80"),
        pytest.param(1, 8, 13, id="12.5-half-up-not-bankers"),
        pytest.param(1, 3, 33, id="one-third"),
        pytest.param(2, 3, 67, id="two-thirds"),
        pytest.param(41, 52, 79, id="contract-example-engagement"),
        pytest.param(28, 50, 56, id="contract-example-safety"),
        pytest.param(10**15 * 645 + 1, 10**18, 65, id="huge-counts-no-float-error"),
        pytest.param(0, 0, None, id="applies-to-no-case"),
    ],
)
def test_key_question_percentage(sufficient, applicable, expected):
    assert key_question_percentage(sufficient, applicable) == expected


@pytest.mark.parametrize(("sufficient", "applicable"), [(2, 1), (-1, 1), (0, -1)],
                         ids=["sufficient-over-applicable", "negative-sufficient", "negative-applicable"])
def test_key_question_percentage_rejects_impossible_counts(sufficient, applicable):
    with pytest.raises(ValueError, match="sufficient"):
        key_question_percentage(sufficient, applicable)


# --- standard bands, every edge, both frameworks -------------------------------------------------

STANDARD_EDGES = [
    ((100, 100), "OUTSTANDING", "100%"),
    ((80, 100), "OUTSTANDING", "80%"),
    ((159, 200), "OUTSTANDING", "79.5%-rounds-to-80"),
    ((79, 100), "GOOD", "79%"),
    ((65, 100), "GOOD", "65%"),
    ((129, 200), "GOOD", "64.5%-rounds-to-65"),
    ((64, 100), "REQUIRES_IMPROVEMENT", "64%"),
    ((50, 100), "REQUIRES_IMPROVEMENT", "50%"),
    ((99, 200), "REQUIRES_IMPROVEMENT", "49.5%-rounds-to-50"),
    ((49, 100), "INADEQUATE", "49%"),
    ((0, 100), "INADEQUATE", "0%"),
]


@pytest.mark.parametrize(
    ("framework", "standard", "pair", "expected"),
    [
        pytest.param(fw, std, pair, expected, id=f"{fw.key}-{std}-{label}-{expected.lower()}")
        for fw in (PROBATION_2018, YOUTH_2018)
        for std in case_keys(fw)
        for pair, expected, label in STANDARD_EDGES
    ],
)
def test_standard_band_edges(framework, standard, pair, expected):
    result = handle({"framework": framework.key, "standards": {standard: counts(framework, standard, pair)}})
    entry = result["standards"][standard]
    assert entry["rating"] == expected
    assert entry["computed_rating"] == expected
    assert entry["overridden"] is False
    assert result["unverified_rules"] == ["standard_bands"]


@pytest.mark.parametrize(
    ("pairs", "lowest", "expected", "percentages"),
    [
        pytest.param([(41, 52), (37, 52), (28, 50)], "SAFETY", "REQUIRES_IMPROVEMENT", [79, 71, 56],
                     id="contract-example-56%-is-requires-improvement"),
        pytest.param([(40, 100), (90, 100), (95, 100)], "ENGAGEMENT", "INADEQUATE", [40, 90, 95],
                     id="first-key-question-lowest"),
        pytest.param([(70, 100), (50, 100), (50, 100)], "DESISTANCE", "REQUIRES_IMPROVEMENT", [70, 50, 50],
                     id="tie-names-first-in-framework-order"),
        pytest.param([(1, 2), (1, 2), (1, 2)], "ENGAGEMENT", "REQUIRES_IMPROVEMENT", [50, 50, 50],
                     id="three-way-tie-names-first"),
        pytest.param([(0, 0), (90, 100), (70, 100)], "SAFETY", "GOOD", [None, 90, 70],
                     id="not-applicable-question-left-out-of-lowest"),
        pytest.param([(0, 0), (0, 0), (3, 10)], "SAFETY", "INADEQUATE", [None, None, 30],
                     id="only-one-question-applies"),
    ],
)
def test_case_standard_rated_by_lowest_key_question(pairs, lowest, expected, percentages):
    result = handle(probation({"2.1": counts(PROBATION_2018, "2.1", *pairs)}))
    entry = result["standards"]["2.1"]
    assert entry["lowest"] == lowest
    assert entry["rating"] == expected
    assert entry["percentages"] == dict(zip(["ENGAGEMENT", "DESISTANCE", "SAFETY"], percentages, strict=True))


def test_standard_with_no_applicable_key_question_is_an_error():
    request = {"framework": "YOUTH_2018", "standards": {"2.2": counts(YOUTH_2018, "2.2", (0, 0))}}
    with pytest.raises(ContractError) as error:
        handle(request)
    assert error.value.field == "standards.2.2.key_questions"
    assert error.value.message == rating.ERR_NOTHING_APPLICABLE


# --- overall bands, every edge, both frameworks --------------------------------------------------

OVERALL_EDGES = [
    (PROBATION_2018, 0, "INADEQUATE"), (PROBATION_2018, 5, "INADEQUATE"),
    (PROBATION_2018, 6, "REQUIRES_IMPROVEMENT"), (PROBATION_2018, 15, "REQUIRES_IMPROVEMENT"),
    (PROBATION_2018, 16, "GOOD"), (PROBATION_2018, 25, "GOOD"),
    (PROBATION_2018, 26, "OUTSTANDING"), (PROBATION_2018, 30, "OUTSTANDING"),
    (YOUTH_2018, 0, "INADEQUATE"), (YOUTH_2018, 6, "INADEQUATE"),
    (YOUTH_2018, 7, "REQUIRES_IMPROVEMENT"), (YOUTH_2018, 18, "REQUIRES_IMPROVEMENT"),
    (YOUTH_2018, 19, "GOOD"), (YOUTH_2018, 30, "GOOD"),
    (YOUTH_2018, 31, "OUTSTANDING"), (YOUTH_2018, 36, "OUTSTANDING"),
]


@pytest.mark.parametrize(
    ("framework", "score", "expected"),
    [pytest.param(fw, score, expected, id=f"{fw.key}-score-{score}-{expected.lower()}")
     for fw, score, expected in OVERALL_EDGES],
)
def test_overall_band_edges(framework, score, expected):
    result = handle({"framework": framework.key, "standards": ratings_scoring(framework, score)})
    assert result["score"] == score
    assert result["overall"] == expected
    assert result["missing"] == []
    # Only the overall bands were used (every standard entered as a rating).
    expected_unverified = ["overall_bands"] if framework is PROBATION_2018 else []
    assert result["unverified_rules"] == expected_unverified


@pytest.mark.parametrize(
    ("framework", "max_score", "count"),
    [
        pytest.param(PROBATION_2018, 30, 10, id="probation-30"),
        pytest.param(YOUTH_2018, 36, 12, id="youth-36"),
    ],
)
def test_max_score(framework, max_score, count):
    assert framework.max_score == max_score
    assert len(framework.standards) == count
    assert handle({"framework": framework.key, "standards": {}})["max_score"] == max_score


def test_full_probation_inspection_from_case_counts():
    standards: dict[str, Any] = {key: {"rating": "GOOD"} for key in ("1.1", "1.2", "1.3", "1.4")}
    standards["2.1"] = counts(PROBATION_2018, "2.1", (41, 52), (37, 52), (28, 50))  # 56% → RI, 1
    standards["2.2"] = counts(PROBATION_2018, "2.2", (80, 100))  # Outstanding, 3
    standards["2.3"] = counts(PROBATION_2018, "2.3", (65, 100), (90, 100), (70, 100))  # Good, 2
    standards["2.4"] = counts(PROBATION_2018, "2.4", (49, 100), (99, 100), (99, 100))  # Inadequate, 0
    standards["3.1"] = {"rating": "GOOD"}
    standards["3.2"] = counts(PROBATION_2018, "3.2", (13, 20))  # 65% Good, 2
    result = handle({"framework": "PROBATION_2018", "standards": standards})
    assert result["score"] == 4 * 2 + 1 + 3 + 2 + 0 + 2 + 2
    assert result["overall"] == "GOOD"  # 18 is in 16–25
    assert list(result["standards"]) == [s.key for s in PROBATION_2018.standards]
    assert result["unverified_rules"] == ["standard_bands", "overall_bands"]
    assert result["rules_version"] == "rating-2026.1"


# --- missing standards --------------------------------------------------------------------------


def test_nothing_given_everything_missing():
    result = handle({"framework": "YOUTH_2018", "standards": {}})
    assert result["missing"] == [s.key for s in YOUTH_2018.standards]
    assert result["overall"] is None
    assert result["score"] == 0
    assert result["standards"] == {}
    assert result["unverified_rules"] == []


def test_missing_listed_in_framework_order_and_no_overall():
    standards = ratings_scoring(PROBATION_2018, 30)
    del standards["3.2"], standards["1.3"]
    result = handle({"framework": "PROBATION_2018", "standards": standards})
    assert result["missing"] == ["1.3", "3.2"]
    assert result["overall"] is None
    assert result["score"] == 24  # the standards given so far
    assert "overall_bands" not in result["unverified_rules"]


# --- overrides ----------------------------------------------------------------------------------


def test_override_replaces_rating_and_counts_in_score():
    standards = ratings_scoring(YOUTH_2018, 30)  # Good
    standards["2.3"] = counts(YOUTH_2018, "2.3", (10, 10))  # Outstanding, 3 (was already 3: 2.3 is 7th)
    request = {
        "framework": "YOUTH_2018",
        "standards": standards,
        "overrides": {"2.3": {"rating": "INADEQUATE", "reason": "Serious failures found in the case file"}},
    }
    result = handle(request)
    entry = result["standards"]["2.3"]
    assert entry == {
        "rating": "INADEQUATE", "lowest": "DESISTANCE",
        "percentages": {"DESISTANCE": 100, "SAFETY_AND_WELLBEING": 100, "RISK_OF_HARM": 100},
        "overridden": True, "computed_rating": "OUTSTANDING",
        "override_reason": "Serious failures found in the case file", "score": 0,
    }
    assert result["score"] == 27
    assert result["overall"] == "GOOD"
    # The only key-question standard was overridden: the standard bands decided nothing reported.
    assert result["unverified_rules"] == []


def test_override_can_raise_an_organisational_rating():
    standards = ratings_scoring(PROBATION_2018, 15)  # Requires improvement at 15
    request = {"framework": "PROBATION_2018", "standards": standards,
               "overrides": {"3.2": {"rating": "GOOD", "reason": "Exceptional victim work"}}}
    result = handle(request)
    assert result["standards"]["3.2"]["overridden"] is True
    assert result["score"] == 17
    assert result["overall"] == "GOOD"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        pytest.param({"9.9": {"rating": "GOOD", "reason": "x"}}, "overrides.9.9",
                     rating.ERR_UNKNOWN_STANDARD.format(framework="PROBATION_2018"),
                     id="standard-not-in-framework"),
        pytest.param({"1.2": {"rating": "GOOD", "reason": "x"}}, "overrides.1.2",
                     rating.ERR_OVERRIDE_NOT_GIVEN,
                     id="standard-not-given"),
        pytest.param({"1.1": {"rating": "GOOD", "reason": ""}}, "overrides.1.1.reason", "must not be empty",
                     id="empty-reason"),
        pytest.param({"1.1": {"rating": "GOOD", "reason": "   "}}, "overrides.1.1.reason",
                     "must not be empty",
                     id="blank-reason"),
        pytest.param({"1.1": {"rating": "GOOD"}}, "overrides.1.1.reason", "is required", id="no-reason"),
        pytest.param({"1.1": {"reason": "x"}}, "overrides.1.1.rating", "is required", id="no-rating"),
        pytest.param({"1.1": {"rating": "EXCELLENT", "reason": "x"}}, "overrides.1.1.rating", None,
                     id="unknown-rating"),
        pytest.param({"1.1": {"rating": "GOOD", "reason": "x", "by": "me"}}, "overrides.1.1.by",
                     "is not a known field", id="unknown-field"),
    ],
)
def test_override_errors(overrides, field, message):
    request = probation({"1.1": {"rating": "GOOD"}}, overrides=overrides)
    with pytest.raises(ContractError) as error:
        handle(request)
    assert error.value.field == field
    if message:
        assert error.value.message == message


@pytest.mark.parametrize("overrides", [None, {}], ids=["null", "empty"])
def test_no_overrides(overrides):
    result = handle(probation({"1.1": {"rating": "GOOD"}}, overrides=overrides))
    assert result["standards"]["1.1"]["overridden"] is False


# --- request errors -----------------------------------------------------------------------------

KQ = counts(PROBATION_2018, "2.1", (1, 2))["key_questions"]


@pytest.mark.parametrize(
    ("request_", "field", "message"),
    [
        pytest.param({"standards": {}}, "framework", "is required", id="framework-missing"),
        pytest.param({"framework": "PROBATION_2021", "standards": {}}, "framework",
                     "must be one of PROBATION_2018, YOUTH_2018", id="framework-unknown"),
        pytest.param({"framework": "PROBATION_2018"}, "standards", "is required", id="standards-missing"),
        pytest.param({"framework": "PROBATION_2018", "standards": []}, "standards", "must be a JSON object",
                     id="standards-list"),
        pytest.param({"framework": "PROBATION_2018", "standards": {}, "extra": 1}, "extra",
                     "is not a known field", id="unknown-top-level-field"),
        pytest.param(probation({"3.3": {"rating": "GOOD"}}), "standards.3.3",
                     "is not a standard of PROBATION_2018", id="standard-not-in-probation"),
        pytest.param({"framework": "YOUTH_2018", "standards": {"4.1": {"rating": "GOOD"}}}, "standards.4.1",
                     "is not a standard of YOUTH_2018", id="standard-not-in-youth"),
        pytest.param(probation({"1.1": {"rating": "GOOD", "key_questions": KQ}}),
                     "standards.1.1", rating.ERR_BOTH, id="organisational-both-rating-and-key-questions"),
        pytest.param(probation({"2.1": {"rating": "GOOD", "key_questions": KQ}}),
                     "standards.2.1", rating.ERR_BOTH, id="case-both-rating-and-key-questions"),
        pytest.param({"framework": "PROBATION_2018", "standards": {"2.1": {}}}, "standards.2.1",
                     rating.ERR_NEITHER, id="neither-rating-nor-key-questions"),
        pytest.param({"framework": "PROBATION_2018", "standards": {"1.1": {"key_questions": KQ}}},
                     "standards.1.1.key_questions", rating.ERR_NO_KEY_QUESTIONS.format(key="1.1"),
                     id="organisational-given-key-questions"),
        pytest.param({"framework": "YOUTH_2018", "standards": {"3.4": {"key_questions": {}}}},
                     "standards.3.4.key_questions", rating.ERR_NO_KEY_QUESTIONS.format(key="3.4"),
                     id="youth-3.4-is-organisational"),
        pytest.param({"framework": "PROBATION_2018", "standards": {"1.1": {"rating": "good"}}},
                     "standards.1.1.rating", None, id="rating-lower-case"),
        pytest.param({"framework": "PROBATION_2018", "standards": {"1.1": {"rating": "GOOD", "note": ""}}},
                     "standards.1.1.note", "is not a known field", id="unknown-field-in-standard"),
        pytest.param({"framework": "PROBATION_2018", "standards": {"2.1": {"key_questions": {
            "ENGAGEMENT": {"sufficient": 1, "applicable": 2},
            "DESISTANCE": {"sufficient": 1, "applicable": 2}}}}},
            "standards.2.1.key_questions.SAFETY", "is required", id="key-question-missing"),
        pytest.param({"framework": "PROBATION_2018", "standards": {"2.1": {"key_questions": KQ | {
            "WELLBEING": {"sufficient": 1, "applicable": 2}}}}},
            "standards.2.1.key_questions.WELLBEING", "is not a key question of standard 2.1",
            id="key-question-unknown"),
        pytest.param({"framework": "YOUTH_2018", "standards": {"2.1": {"key_questions": KQ}}},
                     "standards.2.1.key_questions.ENGAGEMENT", "is not a key question of standard 2.1",
                     id="youth-uses-its-own-key-questions"),
        pytest.param({"framework": "PROBATION_2018", "standards": {"2.1": {"key_questions": KQ | {
            "SAFETY": {"sufficient": 3, "applicable": 2}}}}},
            "standards.2.1.key_questions.SAFETY.sufficient", rating.ERR_SUFFICIENT_OVER_APPLICABLE,
            id="sufficient-over-applicable"),
        pytest.param({"framework": "PROBATION_2018", "standards": {"2.1": {"key_questions": KQ | {
            "SAFETY": {"sufficient": -1, "applicable": 2}}}}},
            "standards.2.1.key_questions.SAFETY.sufficient", "must be at least 0", id="negative-sufficient"),
        pytest.param({"framework": "PROBATION_2018", "standards": {"2.1": {"key_questions": KQ | {
            "SAFETY": {"sufficient": 1, "applicable": -2}}}}},
            "standards.2.1.key_questions.SAFETY.applicable", "must be at least 0", id="negative-applicable"),
        pytest.param({"framework": "PROBATION_2018", "standards": {"2.1": {"key_questions": KQ | {
            "SAFETY": {"sufficient": 1.5, "applicable": 2}}}}},
            "standards.2.1.key_questions.SAFETY.sufficient", "must be a whole number", id="fractional-count"),
        pytest.param({"framework": "PROBATION_2018", "standards": {"2.1": {"key_questions": KQ | {
            "SAFETY": {"sufficient": True, "applicable": 2}}}}},
            "standards.2.1.key_questions.SAFETY.sufficient", "must be a number", id="boolean-count"),
        pytest.param({"framework": "PROBATION_2018", "standards": {"2.1": {"key_questions": KQ | {
            "SAFETY": {"sufficient": 1, "applicable": 2, "not_applicable": 0}}}}},
            "standards.2.1.key_questions.SAFETY.not_applicable", "is not a known field",
            id="unknown-field-in-counts"),
    ],
)
def test_request_errors(request_, field, message):
    with pytest.raises(ContractError) as error:
        handle(request_)
    assert error.value.field == field
    if message:
        assert error.value.message == message


def test_typed_api_checks_what_the_contract_checks():
    with pytest.raises(ContractError, match="not both"):
        rate(PROBATION_2018, {"2.1": StandardEvidence(rating=Rating.GOOD, key_questions={})})
    with pytest.raises(ContractError, match="more than applicable"):
        rate(PROBATION_2018, {"2.1": StandardEvidence(key_questions={
            "ENGAGEMENT": Counts(2, 1), "DESISTANCE": Counts(1, 1), "SAFETY": Counts(1, 1)})})
    with pytest.raises(ContractError, match="must not be empty"):
        rate(PROBATION_2018, {"1.1": StandardEvidence(rating=Rating.GOOD)},
             {"1.1": Override(Rating.GOOD, " ")})


def test_registry_routes_rating():
    assert registry.handler("rating") is handle


# --- frameworks as data -------------------------------------------------------------------------


def test_probation_2018_shape():
    fw = PROBATION_2018
    assert [s.key for s in fw.standards] == [
        "1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2"]
    assert [s.kind for s in fw.standards] == [StandardKind.ORGANISATIONAL] * 4 + [StandardKind.CASE] * 4 + [
        StandardKind.PROVIDER] * 2
    assert questions(fw, "2.1") == ["ENGAGEMENT", "DESISTANCE", "SAFETY"]
    texts = [q.text for q in fw.standard("2.1").key_questions]
    assert texts == [
        "Does assessment focus sufficiently on engaging the person on probation?",
        "Does assessment focus sufficiently on the factors linked to offending and desistance?",
        "Does assessment focus sufficiently on keeping other people safe?",
    ]
    assert fw.standard("2.3").key_questions[0].text == (
        "Is the sentence or post-custody period implemented effectively with a focus on engaging the person "
        "on probation?")
    assert fw.provenance == {"key_question_percentage": Provenance.PUBLISHED,
                             "standard_bands": Provenance.UNVERIFIED, "overall_bands": Provenance.UNVERIFIED}


def test_youth_2018_shape():
    fw = YOUTH_2018
    assert [s.key for s in fw.standards] == [
        "1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3", "3.4"]
    assert fw.standard("1.1").title == "Governance and leadership"
    assert case_keys(fw) == ["2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3"]
    assert questions(fw, "3.1") == ["DESISTANCE", "SAFETY_AND_WELLBEING", "RISK_OF_HARM"]
    assert fw.provenance["overall_bands"] is Provenance.PUBLISHED
    assert fw.provenance["standard_bands"] is Provenance.UNVERIFIED


@pytest.mark.parametrize("framework", list(FRAMEWORKS.values()), ids=list(FRAMEWORKS))
def test_framework_round_trips_through_json(framework):
    data = json.loads(json.dumps(framework.to_dict()))
    assert Framework.from_dict(data) == framework
    assert framework.validate() == framework


def _framework_json() -> dict[str, Any]:
    return copy.deepcopy(PROBATION_2018.to_dict())


def _edit(path: str, value: Any = None, *, delete: bool = False):
    def change(data: dict[str, Any]) -> dict[str, Any]:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split("/")]
        node = data
        for p in parents:
            node = node[p]
        if delete:
            del node[last]
        else:
            node[last] = value
        return data
    return change


@pytest.mark.parametrize(
    ("change", "field"),
    [
        pytest.param(_edit("standard_bands/1/min", 51), "standard_bands[1].min", id="band-gap"),
        pytest.param(_edit("standard_bands/1/min", 49), "standard_bands[1].min", id="band-overlap"),
        pytest.param(_edit("standard_bands/3/max", 99), "standard_bands", id="bands-stop-short-of-100"),
        pytest.param(_edit("standard_bands/0/min", 1), "standard_bands[0].min", id="bands-start-above-0"),
        pytest.param(_edit("standard_bands/0/rating", "GOOD"), "standard_bands[0]", id="bands-out-of-order"),
        pytest.param(_edit("standard_bands/0/max", -1), "standard_bands[0].max", id="band-negative"),
        pytest.param(_edit("standard_bands/3", delete=True), "standard_bands", id="band-missing"),
        pytest.param(_edit("overall_bands/3/max", 36), "overall_bands", id="overall-bands-not-ending-at-max"),
        pytest.param(_edit("scores/GOOD", 1), "scores.GOOD", id="scores-not-increasing"),
        pytest.param(_edit("scores/GOOD", delete=True), "scores.GOOD", id="score-missing"),
        pytest.param(_edit("provenance/standard_bands", "GUESSED"), "provenance.standard_bands",
                     id="provenance-unknown"),
        pytest.param(_edit("provenance/overall_bands", delete=True), "provenance.overall_bands",
                     id="provenance-missing"),
        pytest.param(_edit("standards/1/key", "1.1"), "standards[1].key", id="standard-key-repeated"),
        pytest.param(_edit("standards/0/key_questions", [{"key": "X", "text": "?"}]),
                     "standards[0].key_questions", id="organisational-with-key-questions"),
        pytest.param(_edit("standards/4/key_questions", []), "standards[4].key_questions",
                     id="case-standard-without-key-questions"),
        pytest.param(_edit("standards/4/key_questions/1/key", "ENGAGEMENT"),
                     "standards[4].key_questions[1].key",
                     id="key-question-repeated"),
        pytest.param(_edit("standards/4/kind", "OTHER"), "standards[4].kind", id="kind-unknown"),
        pytest.param(_edit("standards", []), "standards", id="no-standards"),
        pytest.param(_edit("key", " PROBATION"), "key", id="key-with-spaces"),
        pytest.param(_edit("name", ""), "name", id="name-empty"),
        pytest.param(_edit("colour", "blue"), "colour", id="unknown-field"),
    ],
)
def test_framework_validation(change, field):
    with pytest.raises(ContractError) as error:
        Framework.from_dict(change(_framework_json()))
    assert error.value.field == field


def test_administrator_edited_framework_changes_ratings():
    data = _framework_json()
    data["key"] = "LOCAL_2026"
    data["standard_bands"] = [
        {"rating": "INADEQUATE", "min": 0, "max": 44},
        {"rating": "REQUIRES_IMPROVEMENT", "min": 45, "max": 59},
        {"rating": "GOOD", "min": 60, "max": 74}, {"rating": "OUTSTANDING", "min": 75, "max": 100},
    ]
    data["provenance"]["standard_bands"] = "DEFAULT"
    local = Framework.from_dict(data)
    request = {"framework": "LOCAL_2026", "standards": {"2.1": counts(PROBATION_2018, "2.1", (3, 4))}}
    framework, standards, overrides = rating.parse(request, {"LOCAL_2026": local})
    result = rating.to_json(rate(framework, standards, overrides))
    assert result["standards"]["2.1"]["rating"] == "OUTSTANDING"  # 75%: Good nationally
    assert result["unverified_rules"] == []


# --- properties ---------------------------------------------------------------------------------

count_pairs = st.integers(0, 10_000).flatmap(lambda a: st.tuples(st.integers(0, a), st.just(a)))


@given(count_pairs)
def test_property_adding_sufficient_cases_never_lowers_the_percentage(pair):
    sufficient, applicable = pair
    before = key_question_percentage(sufficient, applicable)
    after = key_question_percentage(sufficient + 1, applicable + 1)
    assert before is None or after >= before
    if sufficient < applicable:
        assert key_question_percentage(sufficient + 1, applicable) >= before


@given(count_pairs)
def test_property_percentage_is_exact_half_up(pair):
    sufficient, applicable = pair
    pct = key_question_percentage(sufficient, applicable)
    if applicable == 0:
        assert pct is None
        return
    exact = Fraction(100 * sufficient, applicable)
    assert pct - Fraction(1, 2) <= exact < pct + Fraction(1, 2)
    assert 0 <= pct <= 100


@given(st.lists(count_pairs, min_size=3, max_size=3), st.sampled_from(case_keys(PROBATION_2018)))
def test_property_rating_follows_the_lowest_percentage(pairs, standard):
    if all(a == 0 for _, a in pairs):
        return
    result = handle(probation({standard: counts(PROBATION_2018, standard, *pairs)}))
    entry = result["standards"][standard]
    rated = [p for p in entry["percentages"].values() if p is not None]
    assert entry["percentages"][entry["lowest"]] == min(rated)
    assert entry["rating"] == rating.band(PROBATION_2018.standard_bands, min(rated)).value


@given(st.sampled_from(list(FRAMEWORKS.values())), st.data())
def test_property_better_standard_never_lowers_overall(framework, data):
    scores = data.draw(st.lists(st.integers(0, 3), min_size=len(framework.standards),
                                max_size=len(framework.standards)))
    index = data.draw(st.integers(0, len(scores) - 1))
    standards = {s.key: {"rating": SCORE_RATING[v]} for s, v in zip(framework.standards, scores, strict=True)}
    before = handle({"framework": framework.key, "standards": standards})
    standards[framework.standards[index].key] = {"rating": SCORE_RATING[min(scores[index] + 1, 3)]}
    after = handle({"framework": framework.key, "standards": standards})
    order = [r.value for r in rating.RATINGS_ASCENDING]
    assert order.index(after["overall"]) >= order.index(before["overall"])


_FULL = ratings_scoring(PROBATION_2018, 17)
_FULL["2.1"] = counts(PROBATION_2018, "2.1", (41, 52), (37, 52), (28, 50))
VALID_REQUESTS = [
    {"framework": "PROBATION_2018", "standards": _FULL,
     "overrides": {"2.1": {"rating": "GOOD", "reason": "Exceptional"}}},
    {"framework": "YOUTH_2018", "standards": {"3.3": counts(YOUTH_2018, "3.3", (5, 9))}, "overrides": None},
]


@given(st.one_of(json_values, *[mutated(r) for r in VALID_REQUESTS]))
def test_property_handle_raises_only_contract_errors(request_):
    try:
        result = handle(request_)
    except ContractError:
        return
    json.dumps(result)
    assert result["max_score"] in (30, 36)
