"""Requirement kinds and the mandate for change (rules.md §1.2)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.rules import tiering
from casework.rules.sentences import (
    RequirementKind,
    SentenceKind,
    is_rehabilitative,
    mandate_for_change,
    tier_requirement_class,
)

T = tiering.RequirementKind


@pytest.mark.parametrize(("kind", "tier_class"), [
    ("REHABILITATION_ACTIVITY", T.REHABILITATIVE),
    ("ACCREDITED_PROGRAMME", T.REHABILITATIVE),
    ("DRUG_TREATMENT", T.REHABILITATIVE),
    ("ALCOHOL_TREATMENT", T.REHABILITATIVE),
    ("MENTAL_HEALTH_TREATMENT", T.REHABILITATIVE),
    ("CURFEW", T.RESTRICTIVE),
    ("EXCLUSION", T.RESTRICTIVE),
    ("RESIDENCE", T.RESTRICTIVE),
    ("UNPAID_WORK", T.UNPAID_WORK),
    ("ORDER_EXTENDED", T.ORDER_EXTENDED),
])
def test_how_the_tier_rules_classify_each_requirement(kind: str, tier_class: tiering.RequirementKind) -> None:
    assert tier_requirement_class(kind) is tier_class
    assert is_rehabilitative(kind) is (tier_class is T.REHABILITATIVE)


def test_every_requirement_kind_is_classified() -> None:
    assert {tier_requirement_class(kind) for kind in RequirementKind} == set(T)


@pytest.mark.parametrize(("sentences", "requirements", "mandate"), [
    pytest.param(["CUSTODY"], [], True, id="custody"),
    pytest.param(["POST_SENTENCE_SUPERVISION"], [], True, id="post-sentence-supervision"),
    pytest.param(["COMMUNITY_ORDER"], ["REHABILITATION_ACTIVITY"], True, id="rar"),
    pytest.param(["COMMUNITY_ORDER"], ["UNPAID_WORK", "ORDER_EXTENDED"], False, id="unpaid-work-and-extension"),
    pytest.param(["SUSPENDED_SENTENCE_ORDER"], ["CURFEW"], False, id="curfew-only"),
    pytest.param(["SUSPENDED_SENTENCE_ORDER"], ["CURFEW", "DRUG_TREATMENT"], True, id="curfew-and-drug-treatment"),
    pytest.param([], [], False, id="nothing-current"),
])
def test_mandate_for_change(sentences: list[str], requirements: list[str], mandate: bool) -> None:
    assert mandate_for_change(current_sentence_kinds=sentences, active_requirement_kinds=requirements) is mandate


@given(st.lists(st.sampled_from(list(SentenceKind)), max_size=3),
       st.lists(st.sampled_from(list(RequirementKind)), max_size=5))
def test_mandate_is_a_custodial_sentence_or_a_rehabilitative_requirement(sentences, requirements) -> None:
    expected = (any(s in {"CUSTODY", "POST_SENTENCE_SUPERVISION"} for s in sentences)
                or any(is_rehabilitative(r) for r in requirements))
    assert mandate_for_change(current_sentence_kinds=sentences, active_requirement_kinds=requirements) is expected
