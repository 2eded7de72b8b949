"""The recall workflow table (casework.rules.recall_workflow): every step from every state, by every role.

The expected answers are written out here by hand from rules.md §5.3's flow, not derived from the table."""

from __future__ import annotations

import pytest

from casework.rules.recall import RecallDecision, RecallType
from casework.rules.recall_workflow import (
    TRANSITIONS,
    Actor,
    Refusal,
    State,
    Step,
    TypeRefusal,
    available_steps,
    next_state,
    refusal,
    type_refusal,
)

P, S, A = Actor.PRACTITIONER, Actor.SPO, Actor.ACO
# (state, step) → (next state, who may) for every allowed step.
ALLOWED = {
    (None, Step.CONSIDER): (State.CONSIDERED, {P}),
    (State.CONSIDERED, Step.OVERSIGHT): (State.SPO_OVERSIGHT, {S}),
    (State.CONSIDERED, Step.NOT_RECALL_AT_OVERSIGHT): (State.NOT_RECALLED, {S}),
    (State.SPO_OVERSIGHT, Step.RECOMMEND): (State.RECOMMENDED, {P}),
    (State.SPO_OVERSIGHT, Step.NOT_RECALL_AT_RECOMMENDATION): (State.NOT_RECALLED, {P}),
    (State.RECOMMENDED, Step.SPO_COUNTERSIGN): (State.SPO_COUNTERSIGNED, {S}),
    (State.SPO_COUNTERSIGNED, Step.ACO_COUNTERSIGN): (State.ACO_COUNTERSIGNED, {A}),
    (State.ACO_COUNTERSIGNED, Step.ISSUE): (State.ISSUED, {P, S, A}),
}
# Steps already behind each state on the way to a recall (taking one again is "already done").
DONE_BY = {
    None: set(),
    State.CONSIDERED: {Step.CONSIDER},
    State.SPO_OVERSIGHT: {Step.CONSIDER, Step.OVERSIGHT},
    State.RECOMMENDED: {Step.CONSIDER, Step.OVERSIGHT, Step.RECOMMEND},
    State.SPO_COUNTERSIGNED: {Step.CONSIDER, Step.OVERSIGHT, Step.RECOMMEND, Step.SPO_COUNTERSIGN},
    State.ACO_COUNTERSIGNED: {Step.CONSIDER, Step.OVERSIGHT, Step.RECOMMEND, Step.SPO_COUNTERSIGN,
                              Step.ACO_COUNTERSIGN},
}
STATES = [None, *State]
ROLE_SETS = [frozenset(), frozenset({P}), frozenset({S}), frozenset({A}), frozenset({P, S}), frozenset({S, A}),
             frozenset({P, S, A})]


def expected(state, step, roles):
    if state is State.ISSUED:
        return Refusal.ALREADY_DONE if step is Step.ISSUE else Refusal.ENDED
    if state is State.NOT_RECALLED:
        return Refusal.ALREADY_DONE if step in (Step.NOT_RECALL_AT_OVERSIGHT,
                                                Step.NOT_RECALL_AT_RECOMMENDATION) else Refusal.ENDED
    if (state, step) in ALLOWED:
        return None if ALLOWED[(state, step)][1] & roles else Refusal.WRONG_ROLE
    if step in DONE_BY[state]:
        return Refusal.ALREADY_DONE
    return Refusal.OUT_OF_ORDER


@pytest.mark.parametrize("roles", ROLE_SETS, ids=lambda r: "+".join(sorted(r)) or "nobody")
@pytest.mark.parametrize("step", list(Step))
@pytest.mark.parametrize("state", STATES, ids=lambda s: s.value if s else "not-started")
def test_every_step_from_every_state_by_every_role(state, step, roles):
    assert refusal(state, step, roles) == expected(state, step, roles)


def test_the_table_holds_exactly_the_allowed_steps():
    assert {(t.source, step): (t.target, set(t.actors)) for step, t in TRANSITIONS.items()} == ALLOWED
    for (state, step), (target, _who) in ALLOWED.items():
        assert next_state(state, step) is target


def test_nobody_countersigns_their_own_recommendation_or_countersignature():
    taken = {Step.CONSIDER: 1, Step.OVERSIGHT: 2, Step.RECOMMEND: 3}
    # Someone both practitioner and SPO on the case recommended it: they may not countersign it as SPO.
    assert refusal(State.RECOMMENDED, Step.SPO_COUNTERSIGN, {P, S}, person=3, taken_by=taken) is Refusal.SAME_PERSON
    assert refusal(State.RECOMMENDED, Step.SPO_COUNTERSIGN, {S}, person=2, taken_by=taken) is None
    taken[Step.SPO_COUNTERSIGN] = 2
    assert refusal(State.SPO_COUNTERSIGNED, Step.ACO_COUNTERSIGN, {S, A}, person=2, taken_by=taken) is (
        Refusal.SAME_PERSON)
    assert refusal(State.SPO_COUNTERSIGNED, Step.ACO_COUNTERSIGN, {A}, person=3, taken_by=taken) is (
        Refusal.SAME_PERSON)
    assert refusal(State.SPO_COUNTERSIGNED, Step.ACO_COUNTERSIGN, {A}, person=9, taken_by=taken) is None


def test_available_steps():
    assert available_steps(State.CONSIDERED, {S}) == [Step.OVERSIGHT, Step.NOT_RECALL_AT_OVERSIGHT]
    assert available_steps(State.CONSIDERED, {P}) == []
    assert available_steps(State.SPO_OVERSIGHT, {P}) == [Step.RECOMMEND, Step.NOT_RECALL_AT_RECOMMENDATION]
    assert available_steps(State.ACO_COUNTERSIGNED, {P}) == [Step.ISSUE]
    assert available_steps(State.ISSUED, {P, S, A}) == []


STANDARD_ONLY = RecallDecision(mandatory=RecallType.STANDARD, allowed=(RecallType.STANDARD, RecallType.NO_RECALL),
                               emergency_offered=False, reasons=())
INDETERMINATE = RecallDecision(mandatory=RecallType.STANDARD, allowed=(RecallType.STANDARD, RecallType.NO_RECALL),
                               emergency_offered=True, reasons=())
ANY = RecallDecision(mandatory=None, allowed=tuple(RecallType), emergency_offered=False, reasons=())


@pytest.mark.parametrize("decision, chosen, emergency, answer", [
    (STANDARD_ONLY, RecallType.FIXED_TERM, False, TypeRefusal.NOT_ALLOWED),
    (STANDARD_ONLY, RecallType.STANDARD, False, None),
    (STANDARD_ONLY, RecallType.STANDARD, True, TypeRefusal.EMERGENCY_NOT_OFFERED),
    (STANDARD_ONLY, RecallType.NO_RECALL, False, TypeRefusal.NO_RECALL_IS_NOT_A_RECALL),
    (INDETERMINATE, RecallType.STANDARD, True, None),
    (INDETERMINATE, RecallType.FIXED_TERM, True, TypeRefusal.NOT_ALLOWED),
    (ANY, RecallType.FIXED_TERM, False, None),
    (ANY, RecallType.STANDARD, False, None),
])
def test_the_chosen_type_against_the_engine(decision, chosen, emergency, answer):
    assert type_refusal(decision, chosen, emergency=emergency) == answer
