"""The recall decision flow (rules.md §5.3): its states, its steps and who may take each, in one table.

practitioner records why recall is considered → SPO records oversight → practitioner recommends
(recall type, conditions breached, alternatives tried, custody status, emergency or not) → SPO
countersigns → ACO (head of PDU) countersigns → the recall document is issued. A decision not to
recall, at oversight (by the SPO) or at the recommendation (by the practitioner), ends the flow in
NOT_RECALLED and produces a letter to the person with the reasons.

``TRANSITIONS`` is the whole flow: a step is allowed only from the state it lists, only for the
actors it lists. ``refusal`` says why a step is refused (out of order, already done, wrong role,
the same person countersigning their own recommendation or countersignature, the flow ended).
Readings made are in docs/rules.md ("Recall workflow"). Pure: no Django.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from casework.rules.recall import RecallDecision, RecallType


class State(StrEnum):
    CONSIDERED = "CONSIDERED"
    SPO_OVERSIGHT = "SPO_OVERSIGHT"
    RECOMMENDED = "RECOMMENDED"
    SPO_COUNTERSIGNED = "SPO_COUNTERSIGNED"
    ACO_COUNTERSIGNED = "ACO_COUNTERSIGNED"
    ISSUED = "ISSUED"
    NOT_RECALLED = "NOT_RECALLED"


class Step(StrEnum):
    CONSIDER = "CONSIDER"
    OVERSIGHT = "OVERSIGHT"
    RECOMMEND = "RECOMMEND"
    SPO_COUNTERSIGN = "SPO_COUNTERSIGN"
    ACO_COUNTERSIGN = "ACO_COUNTERSIGN"
    ISSUE = "ISSUE"
    # A decision not to recall: by the SPO at oversight, or by the practitioner instead of recommending.
    NOT_RECALL_AT_OVERSIGHT = "NOT_RECALL_AT_OVERSIGHT"
    NOT_RECALL_AT_RECOMMENDATION = "NOT_RECALL_AT_RECOMMENDATION"


class Actor(StrEnum):
    """The role in which someone acts on one case's recall."""

    PRACTITIONER = "PRACTITIONER"  # the case manager
    SPO = "SPO"  # the senior probation officer of the case's team
    ACO = "ACO"  # the head of the case's PDU


@dataclass(frozen=True)
class Transition:
    source: State | None  # None: the step starts a recall
    target: State
    actors: frozenset[Actor]
    # Steps whose actor must not be the person who took any of these steps (separation of duties).
    not_by_whoever_took: frozenset[Step] = frozenset()


_P, _S, _A = Actor.PRACTITIONER, Actor.SPO, Actor.ACO

TRANSITIONS: dict[Step, Transition] = {
    Step.CONSIDER: Transition(None, State.CONSIDERED, frozenset({_P})),
    Step.OVERSIGHT: Transition(State.CONSIDERED, State.SPO_OVERSIGHT, frozenset({_S})),
    Step.NOT_RECALL_AT_OVERSIGHT: Transition(State.CONSIDERED, State.NOT_RECALLED, frozenset({_S})),
    Step.RECOMMEND: Transition(State.SPO_OVERSIGHT, State.RECOMMENDED, frozenset({_P})),
    Step.NOT_RECALL_AT_RECOMMENDATION: Transition(State.SPO_OVERSIGHT, State.NOT_RECALLED, frozenset({_P})),
    Step.SPO_COUNTERSIGN: Transition(State.RECOMMENDED, State.SPO_COUNTERSIGNED, frozenset({_S}),
                                     not_by_whoever_took=frozenset({Step.RECOMMEND})),
    Step.ACO_COUNTERSIGN: Transition(State.SPO_COUNTERSIGNED, State.ACO_COUNTERSIGNED, frozenset({_A}),
                                     not_by_whoever_took=frozenset({Step.RECOMMEND, Step.SPO_COUNTERSIGN})),
    Step.ISSUE: Transition(State.ACO_COUNTERSIGNED, State.ISSUED, frozenset({_P, _S, _A})),
}

# The order of the recall path (NOT_RECALLED is an end beside it).
ORDER: tuple[State, ...] = (State.CONSIDERED, State.SPO_OVERSIGHT, State.RECOMMENDED, State.SPO_COUNTERSIGNED,
                            State.ACO_COUNTERSIGNED, State.ISSUED)
FINAL: frozenset[State] = frozenset({State.ISSUED, State.NOT_RECALLED})
OPEN_STATES: tuple[State, ...] = tuple(s for s in ORDER if s not in FINAL)

STATE_WORDS: dict[State, str] = {
    State.CONSIDERED: "Recall considered: waiting for SPO oversight",
    State.SPO_OVERSIGHT: "SPO oversight recorded: waiting for the recommendation",
    State.RECOMMENDED: "Recall recommended: waiting for the SPO's countersignature",
    State.SPO_COUNTERSIGNED: "Countersigned by the SPO: waiting for the head of PDU's countersignature",
    State.ACO_COUNTERSIGNED: "Countersigned by the head of PDU: ready to issue",
    State.ISSUED: "Recall issued",
    State.NOT_RECALLED: "Decided not to recall",
}
STEP_WORDS: dict[Step, str] = {
    Step.CONSIDER: "Recall considered",
    Step.OVERSIGHT: "SPO oversight recorded",
    Step.NOT_RECALL_AT_OVERSIGHT: "SPO decided not to recall",
    Step.RECOMMEND: "Recall recommended",
    Step.NOT_RECALL_AT_RECOMMENDATION: "Decided not to recall",
    Step.SPO_COUNTERSIGN: "Countersigned by the SPO",
    Step.ACO_COUNTERSIGN: "Countersigned by the head of PDU",
    Step.ISSUE: "Recall document issued",
}
# "Only <who> can <verb>".
STEP_VERBS: dict[Step, str] = {
    Step.CONSIDER: "record that recall is being considered",
    Step.OVERSIGHT: "record oversight",
    Step.NOT_RECALL_AT_OVERSIGHT: "decide not to recall at oversight",
    Step.RECOMMEND: "make the recommendation",
    Step.NOT_RECALL_AT_RECOMMENDATION: "decide not to recall instead of recommending",
    Step.SPO_COUNTERSIGN: "countersign as SPO",
    Step.ACO_COUNTERSIGN: "countersign as head of PDU",
    Step.ISSUE: "issue the recall",
}
ACTOR_WORDS: dict[Actor, str] = {_P: "the case manager", _S: "the senior probation officer of the case's team",
                                 _A: "the head of the case's PDU"}


class Refusal(StrEnum):
    ENDED = "ENDED"
    ALREADY_DONE = "ALREADY_DONE"
    OUT_OF_ORDER = "OUT_OF_ORDER"
    WRONG_ROLE = "WRONG_ROLE"
    SAME_PERSON = "SAME_PERSON"


def _position(state: State | None) -> int:
    return -1 if state is None else ORDER.index(state)


def refusal(state: State | None, step: Step, roles: Iterable[Actor], *, person: object = None,
            taken_by: dict[Step, object] | None = None) -> Refusal | None:
    """Why ``step`` may not be taken now (None when it may): the recall is in ``state`` (None before it
    starts), the person acting holds ``roles`` on this case; ``taken_by`` maps each step already taken to
    who took it, for the rule that nobody countersigns their own recommendation or countersignature.

    Order of the checks: a finished recall, a step already done (its state reached or passed), a step
    not yet due, then the role, then the person.
    """
    transition = TRANSITIONS[step]
    if state in FINAL:
        return Refusal.ALREADY_DONE if state is transition.target else Refusal.ENDED
    if state != transition.source:
        if transition.target is not State.NOT_RECALLED and _position(state) >= _position(transition.target):
            return Refusal.ALREADY_DONE
        return Refusal.OUT_OF_ORDER
    if not transition.actors.intersection(roles):
        return Refusal.WRONG_ROLE
    taken = taken_by or {}
    if person is not None and any(taken.get(earlier) == person for earlier in transition.not_by_whoever_took):
        return Refusal.SAME_PERSON
    return None


def next_state(state: State | None, step: Step) -> State:
    """The state after ``step`` (call only when ``refusal`` returned None)."""
    return TRANSITIONS[step].target


def available_steps(state: State | None, roles: Iterable[Actor], *, person: object = None,
                    taken_by: dict[Step, object] | None = None) -> list[Step]:
    """The steps these roles may take now, in table order."""
    roles = frozenset(roles)
    return [step for step in TRANSITIONS
            if refusal(state, step, roles, person=person, taken_by=taken_by) is None]


def who_may(step: Step) -> str:
    """Who may take ``step``, in words."""
    return " or ".join(ACTOR_WORDS[a] for a in Actor if a in TRANSITIONS[step].actors)


# The recommendation: the recall type the practitioner chooses against the engine's answer.

class TypeRefusal(StrEnum):
    NO_RECALL_IS_NOT_A_RECALL = "NO_RECALL_IS_NOT_A_RECALL"
    NOT_ALLOWED = "NOT_ALLOWED"
    EMERGENCY_NOT_OFFERED = "EMERGENCY_NOT_OFFERED"


def type_refusal(decision: RecallDecision, chosen: RecallType, *, emergency: bool) -> TypeRefusal | None:
    """Why ``chosen`` (with ``emergency``) may not be recommended under the engine's ``decision``."""
    if chosen is RecallType.NO_RECALL:
        return TypeRefusal.NO_RECALL_IS_NOT_A_RECALL
    if chosen not in decision.allowed:
        return TypeRefusal.NOT_ALLOWED
    if emergency and not decision.emergency_offered:
        return TypeRefusal.EMERGENCY_NOT_OFFERED
    return None
