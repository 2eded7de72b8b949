"""Reconciling one sentence's stored signals with the engine: what to write, worked out without writing.

``plan_for`` runs the engine (rules.md §5.5) on a sentence's input and compares the signals it raises
with the stored ones: new signals, open signals whose due date or policy moved, open signals the
engine no longer raises because a recorded decision (or for a risk event, a risk review) answered
them. It never deletes a signal and never reopens one; an open signal the engine no longer raises
with nothing recorded to answer it stays open (``in_engine`` false) until someone decides. The
services write plans; the demo generator runs them in memory so generated signals are exactly what a
recompute would leave.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from casework.enforcement.choices import ANSWERS, DecisionKind, SignalKind, SignalStatus
from casework.enforcement.inputs import SentenceInput
from casework.enforcement.models import EnforcementDecision, EnforcementSignal
from casework.rules.enforcement import RULES_VERSION, EnforcementPolicy, EnforcementResponse, enforcement
from casework.ruleset.models import RuleConfig
from casework.ruleset.selectors import enforcement_policy, per_pdu

PolicyLookup = Callable[[int], tuple[EnforcementPolicy, RuleConfig | None]]


def policy_lookup() -> PolicyLookup:
    """The enforcement policy in force per PDU id, read once per PDU."""
    return per_pdu(enforcement_policy)




@dataclass
class Plan:
    create: list[EnforcementSignal] = field(default_factory=list)
    update: list[EnforcementSignal] = field(default_factory=list)
    close: list[EnforcementSignal] = field(default_factory=list)
    before: dict[int, dict] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.create or self.update or self.close)


def _long(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def answering_decision(signal: EnforcementSignal, decisions: list[EnforcementDecision]) -> EnforcementDecision | None:
    """The latest recorded decision dated on or after the signal that is of a kind that answers it."""
    kinds = ANSWERS[signal.kind]
    found = [d for d in decisions if d.kind in kinds and d.decided_on >= signal.since]
    return max(found, key=lambda d: (d.recorded_at, d.pk or 0), default=None)


def close_as_answered(signal: EnforcementSignal, item: SentenceInput) -> bool:
    """Close ``signal`` with what answered it (a decision, or for a risk event a review); False if nothing did."""
    if signal.kind == SignalKind.RISK_EVENT_NO_REVIEW:
        review = next((day for day in item.reviews if day >= signal.since), None)
        if review is None:
            return False
        signal.status, signal.decision = SignalStatus.DECIDED, None
        signal.closed_note = f"Risk review recorded for {_long(review)}."
        signal.decided_by, signal.decided_at = None, None
        return True
    decision = answering_decision(signal, item.decisions)
    if decision is None:
        return False
    signal.status, signal.decision = SignalStatus.DECIDED, decision
    signal.closed_note = (f"{DecisionKind(decision.kind).label} decided on {_long(decision.decided_on)}.")
    signal.decided_by_id, signal.decided_at = decision.recorded_by_id, decision.recorded_at
    return True


def engine_answer(item: SentenceInput, today: dt.date, policy: EnforcementPolicy) -> EnforcementResponse | None:
    return None if item.kind is None else enforcement(item.request(today), policy=policy)


def plan_for(item: SentenceInput, *, today: dt.date, policy: EnforcementPolicy, config: RuleConfig | None) -> Plan:
    """The writes that bring ``item``'s stored signals in step with the engine as of ``today`` (no DB access)."""
    plan = Plan()
    stored = {(s.kind, s.since): s for s in item.signals}
    answer = engine_answer(item, today, policy) if (item.contacts or item.events) else None
    raised = {(s.signal.value, s.since): s.due for s in answer.signals} if answer is not None else {}
    for (kind, since), due in raised.items():
        existing = stored.get((kind, since))
        if existing is None:
            plan.create.append(EnforcementSignal(
                case=item.case, sentence=item.sentence, kind=kind, since=since, due=due,
                rules_version=RULES_VERSION, policy=config))
        elif existing.status == SignalStatus.OPEN and (existing.due != due or not existing.in_engine):
            plan.before[existing.pk] = {"due": existing.due, "in_engine": existing.in_engine,
                                        "policy": existing.policy_id}
            existing.due, existing.in_engine, existing.policy = due, True, config
            existing.rules_version = RULES_VERSION
            plan.update.append(existing)
    for key, existing in stored.items():
        if key in raised or existing.status != SignalStatus.OPEN:
            continue
        before = {"status": existing.status, "in_engine": existing.in_engine}
        if close_as_answered(existing, item):
            plan.before[existing.pk] = before
            plan.close.append(existing)
        elif existing.in_engine:
            plan.before[existing.pk] = before
            existing.in_engine = False
            plan.update.append(existing)
    return plan
