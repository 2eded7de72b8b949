"""Compliance and enforcement (rules.md §5.1, §5.2, §5.4, §5.5): the required action and the signals.

One sentence's contacts, enforcement actions, risk events and risk reviews, as of a date, give:

- ``failures_last_12_months``: failures to comply (``contacts.FAILURES_TO_COMPLY``) in the 12 months
  before ``as_of`` (``calendar.in_year_before``);
- ``required_action`` for the latest unanswered failure: on an order ``BREACH`` when a warning was
  given in the 12 months before it (the law allows one warning per 12 months), else ``WARNING``; on a
  licence a ``DECISION``;
- the missed-enforcement ``signals`` of §5.4 (an SPO should look), each with the date it started,
  the date a decision was due and whether that has passed.

Everything is computed exactly as §5.5 defines; README.md ("Enforcement") lists the readings made.
The deadlines of §5.4 are a [default] rule, so they are data (:class:`EnforcementPolicy`, stored
and versioned in the ``ruleset`` app); the 12 months and the one-warning rule are law and are not.
Pure: no Django, no clock (``as_of`` is given).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, model_validator

from casework.rules.calendar import in_year_before, working_days_after
from casework.rules.contacts import ContactOutcome, is_failure_to_comply
from casework.rules.contract import ContractError
from casework.rules.schema import Choice, ContractModel, Date, contract_handler, matching, parse
from casework.rules.supervision import ORDERS, RiskEventType, SupervisionKind

RULES_VERSION = "enforcement-2026.1"


class EnforcementAction(StrEnum):
    """What was done about a failure to comply (rules.md §5.1–5.3)."""

    WARNING = "WARNING"
    BREACH = "BREACH"
    RECALL_CONSIDERED = "RECALL_CONSIDERED"
    RECALL = "RECALL"
    DECISION_NOT_TO_RECALL = "DECISION_NOT_TO_RECALL"
    NO_FURTHER_ACTION = "NO_FURTHER_ACTION"
    INCREASED_REPORTING = "INCREASED_REPORTING"
    EXTRA_CONDITIONS = "EXTRA_CONDITIONS"


class RequiredAction(StrEnum):
    """What the latest unanswered failure needs: a warning or a breach (orders), a decision (licences)."""

    BREACH = "BREACH"
    WARNING = "WARNING"
    DECISION = "DECISION"


class Signal(StrEnum):
    """Missed-enforcement signals for SPO review (rules.md §5.4), in the order they are listed."""

    SECOND_FAILURE_NO_BREACH_DECISION = "SECOND_FAILURE_NO_BREACH_DECISION"
    LICENCE_FAILURE_NO_DECISION = "LICENCE_FAILURE_NO_DECISION"
    RISK_EVENT_NO_REVIEW = "RISK_EVENT_NO_REVIEW"
    REPEATED_ABSENCE_NO_RECALL_CONSIDERATION = "REPEATED_ABSENCE_NO_RECALL_CONSIDERATION"


#: Actions about recall: only a ``LICENCE`` can be recalled (post-sentence supervision cannot).
RECALL_ACTIONS: frozenset[EnforcementAction] = frozenset({
    EnforcementAction.RECALL_CONSIDERED, EnforcementAction.RECALL, EnforcementAction.DECISION_NOT_TO_RECALL,
})
#: Actions that add to what the person must do: only the court can add to an order.
ADDED_REQUIREMENT_ACTIONS: frozenset[EnforcementAction] = frozenset({
    EnforcementAction.INCREASED_REPORTING, EnforcementAction.EXTRA_CONDITIONS,
})
#: The decisions that answer a warned failure on an order (a second warning does not).
BREACH_DECISIONS: frozenset[EnforcementAction] = frozenset({
    EnforcementAction.BREACH, EnforcementAction.NO_FURTHER_ACTION,
})
#: Risk events that need a risk review (rules.md §5.4); other types are accepted and ignored.
REVIEW_EVENTS: frozenset[RiskEventType] = frozenset({
    RiskEventType.ARREST, RiskEventType.CHARGE, RiskEventType.DOMESTIC_ABUSE_CALLOUT,
})
#: A risk event's type: any code (rules.md §5.5 accepts and ignores the types it does not read), such as
#: the safeguards contract's event types.
RiskEventCode = matching(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*", "must be a code in capitals, such as ARREST",
                         example="ARREST")

NOT_ON_LICENCE_ONLY = "is only possible on a LICENCE: orders and post-sentence supervision cannot be recalled"
NOT_ON_LICENCE = "is not possible on a LICENCE: a failure on licence leads to a decision about recall, not breach"
NOT_ON_ORDER = "is not possible on an order: only the court can add to an order"
TOO_LATE = "is too late: a decision would be due after 9999-12-31"


def action_problem(kind: SupervisionKind, action: EnforcementAction) -> str | None:
    """Why ``action`` is impossible for a sentence of ``kind`` (rules.md §5.5 "Refused"), or None."""
    if action in RECALL_ACTIONS and kind != SupervisionKind.LICENCE:
        return NOT_ON_LICENCE_ONLY
    if action == EnforcementAction.BREACH and kind == SupervisionKind.LICENCE:
        return NOT_ON_LICENCE
    if action in ADDED_REQUIREMENT_ACTIONS and kind in ORDERS:
        return NOT_ON_ORDER
    return None


# --- the configurable deadlines (rules.md §5.4 [default]) ---------------------------------------------

_WorkingDays = Annotated[int, Field(ge=1, le=260)]


class EnforcementPolicyData(ContractModel):
    """The §5.4 deadlines as stored and edited (rules.md defaults: 10, 5, 10 and 5 working days; 3 in 28 days)."""

    breach_decision_working_days: _WorkingDays
    """Working days from a warned failure on an order to the breach decision."""
    licence_decision_working_days: _WorkingDays
    """Working days from a failure on licence or post-sentence supervision to the enforcement decision."""
    risk_review_working_days: _WorkingDays
    """Working days from an arrest, charge or domestic abuse call-out to the risk review."""
    recall_consideration_working_days: _WorkingDays
    """Working days from repeated unacceptable absences on licence to considering recall."""
    repeated_absences: Annotated[int, Field(ge=2, le=20)]
    """How many unacceptable absences on licence are "repeated"."""
    repeated_absence_days: Annotated[int, Field(ge=2, le=366)]
    """Within how many days (the first and the last absence are less than this many days apart)."""


@dataclass(frozen=True)
class EnforcementPolicy:
    """The deadlines behind the signals: the rules.md §5.4 defaults unless a local policy replaces them."""

    breach_decision_working_days: int = 10
    licence_decision_working_days: int = 5
    risk_review_working_days: int = 10
    recall_consideration_working_days: int = 5
    repeated_absences: int = 3
    repeated_absence_days: int = 28

    def __post_init__(self) -> None:
        parse(EnforcementPolicyData, self.to_dict())  # a Python-built policy is checked too

    def to_dict(self) -> dict[str, int]:
        """A JSON-able copy for storage and editing."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> EnforcementPolicy:
        """Validate an edited policy (every field, whole numbers in range); ContractError if not."""
        return cls(**parse(EnforcementPolicyData, data).model_dump())


DEFAULT_POLICY = EnforcementPolicy()


# --- the JSON contract ----------------------------------------------------------------------------------


class EnforcementContact(ContractModel):
    """An appointment and its outcome."""

    date: Date
    """The day of the appointment."""
    outcome: Choice[ContactOutcome]
    """ATTENDED_COMPLIED, ATTENDED_FAILED_TO_COMPLY, SENT_HOME, UNACCEPTABLE_ABSENCE, ACCEPTABLE_ABSENCE or
    RESCHEDULED."""


class EnforcementActionTaken(ContractModel):
    """An enforcement action or decision, and the day it was taken."""

    date: Date
    """The day the action was taken."""
    action: Choice[EnforcementAction]
    """WARNING, BREACH, RECALL_CONSIDERED, RECALL, DECISION_NOT_TO_RECALL, NO_FURTHER_ACTION,
    INCREASED_REPORTING or EXTRA_CONDITIONS."""


class EnforcementRiskEvent(ContractModel):
    """Something that happened which may change the risk the person poses."""

    type: RiskEventCode  # type: ignore[valid-type]
    """ARREST, CHARGE and DOMESTIC_ABUSE_CALLOUT need a risk review; any other code (such as CHANGE_OF_ADDRESS) is
    accepted and ignored."""
    date: Date
    """The day it happened."""


class EnforcementRiskReview(ContractModel):
    """A risk review that was done."""

    date: Date
    """The day it was done."""


class EnforcementRequest(ContractModel):
    """One sentence's record as of a date (rules.md §5.5)."""

    as_of: Date
    """The day the position is worked out for; anything dated after it is not read."""
    kind: Choice[SupervisionKind]
    """COMMUNITY_ORDER, SUSPENDED_SENTENCE_ORDER, LICENCE or POST_SENTENCE_SUPERVISION."""
    contacts: list[EnforcementContact] = []
    """Appointments with their outcomes, in any order."""
    actions: list[EnforcementActionTaken] = []
    """Enforcement actions and decisions, in any order."""
    risk_events: list[EnforcementRiskEvent] = []
    """Risk events, in any order."""
    risk_reviews: list[EnforcementRiskReview] = []
    """Risk reviews done, in any order."""

    @model_validator(mode="after")
    def _possible_actions(self) -> EnforcementRequest:
        # Refused whatever its date, even after as_of (rules.md §5.5).
        for index, taken in enumerate(self.actions):
            message = action_problem(self.kind, taken.action)
            if message is not None:
                raise ContractError(f"actions[{index}].action", message)
        return self


class EnforcementSignal(ContractModel):
    """A missed-enforcement signal for SPO review."""

    signal: Signal
    """SECOND_FAILURE_NO_BREACH_DECISION, LICENCE_FAILURE_NO_DECISION, RISK_EVENT_NO_REVIEW or
    REPEATED_ABSENCE_NO_RECALL_CONSIDERATION."""
    since: dt.date
    """The date of the earliest item that raises it."""
    due: dt.date
    """The day a decision or review was due: working days counted from ``since``."""
    overdue: bool
    """Whether ``as_of`` is after ``due`` (due today is not overdue)."""


class EnforcementResponse(ContractModel):
    """The compliance position and what enforcement it needs."""

    failures_last_12_months: int
    """Failures to comply in the 12 months before ``as_of``."""
    required_action: RequiredAction | None
    """BREACH or WARNING (orders) or DECISION (licences) for the latest unanswered failure; null when none."""
    signals: list[EnforcementSignal]
    """At most one of each signal, in the order of the list of signals."""
    rules_version: str
    """The version of the enforcement rules that produced this answer."""


# --- the engine -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Raised:
    signal: Signal
    since: dt.date
    working_days: int
    field: str  # where the earliest qualifying item is, if its due date cannot be counted


def _latest(dates: Iterable[dt.date]) -> dt.date | None:
    return max(dates, default=None)


def _on_or_after(latest: dt.date | None, day: dt.date) -> bool:
    return latest is not None and latest >= day


def _warned(day: dt.date, warnings: Sequence[dt.date]) -> bool:
    """A warning dated before ``day`` lies in the 12 months before it (``warnings`` sorted)."""
    before = bisect_left(warnings, day)
    return before > 0 and in_year_before(warnings[before - 1], day)


def _repeated(day: dt.date, absences: Sequence[dt.date], policy: EnforcementPolicy) -> bool:
    """At least ``repeated_absences - 1`` other absences dated 1 to ``repeated_absence_days - 1`` days before."""
    span = policy.repeated_absence_days - 1
    first = dt.date.min if day.toordinal() <= span else day - dt.timedelta(days=span)
    return bisect_left(absences, day) - bisect_left(absences, first) >= policy.repeated_absences - 1


def _earliest(signal: Signal, items: Iterable[tuple[dt.date, str]], working_days: int) -> list[_Raised]:
    first = min(items, default=None)
    return [] if first is None else [_Raised(signal, first[0], working_days, first[1])]


def enforcement(request: EnforcementRequest, *, policy: EnforcementPolicy = DEFAULT_POLICY) -> EnforcementResponse:
    """``casework rules enforcement``: rules.md §5.5 applied to one validated request under ``policy``."""
    as_of, kind = request.as_of, request.kind
    contacts = [(c.date, c.outcome, f"contacts[{i}].date") for i, c in enumerate(request.contacts) if c.date <= as_of]
    actions = [(a.date, a.action) for a in request.actions if a.date <= as_of]
    failures = [(day, field) for day, outcome, field in contacts if is_failure_to_comply(outcome)]

    raised: list[_Raised] = []
    if kind in ORDERS:
        warnings = sorted(day for day, action in actions if action == EnforcementAction.WARNING)
        latest_warning = _latest(warnings)
        latest_decision = _latest(day for day, action in actions if action in BREACH_DECISIONS)
        warned = {day: _warned(day, warnings) for day, _ in failures}

        def answered(day: dt.date) -> bool:
            return _on_or_after(latest_decision, day) or (not warned[day] and _on_or_after(latest_warning, day))

        unanswered = [(day, field) for day, field in failures if not answered(day)]
        latest = _latest(day for day, _ in unanswered)
        required = None if latest is None else RequiredAction.BREACH if warned[latest] else RequiredAction.WARNING
        raised += _earliest(Signal.SECOND_FAILURE_NO_BREACH_DECISION,
                            ((day, field) for day, field in failures
                             if warned[day] and not _on_or_after(latest_decision, day)),
                            policy.breach_decision_working_days)
    else:
        latest_action = _latest(day for day, _ in actions)
        unanswered = [(day, field) for day, field in failures if not _on_or_after(latest_action, day)]
        required = RequiredAction.DECISION if unanswered else None
        raised += _earliest(Signal.LICENCE_FAILURE_NO_DECISION, unanswered, policy.licence_decision_working_days)

    latest_review = _latest(r.date for r in request.risk_reviews if r.date <= as_of)
    raised += _earliest(Signal.RISK_EVENT_NO_REVIEW,
                        ((e.date, f"risk_events[{i}].date") for i, e in enumerate(request.risk_events)
                         if e.date <= as_of and e.type in REVIEW_EVENTS and not _on_or_after(latest_review, e.date)),
                        policy.risk_review_working_days)

    if kind == SupervisionKind.LICENCE:
        absences = sorted(day for day, outcome, _ in contacts if outcome == ContactOutcome.UNACCEPTABLE_ABSENCE)
        latest_recall = _latest(day for day, action in actions if action in RECALL_ACTIONS)
        raised += _earliest(Signal.REPEATED_ABSENCE_NO_RECALL_CONSIDERATION,
                            ((day, field) for day, outcome, field in contacts
                             if outcome == ContactOutcome.UNACCEPTABLE_ABSENCE and _repeated(day, absences, policy)
                             and not _on_or_after(latest_recall, day)),
                            policy.recall_consideration_working_days)

    return EnforcementResponse(
        failures_last_12_months=sum(1 for day, _ in failures if in_year_before(day, as_of)),
        required_action=required,
        signals=[_signal(item, as_of) for item in raised],
        rules_version=RULES_VERSION,
    )


def _signal(raised: _Raised, as_of: dt.date) -> EnforcementSignal:
    try:
        due = working_days_after(raised.since, raised.working_days)
    except OverflowError:
        raise ContractError(raised.field, TOO_LATE) from None
    return EnforcementSignal(signal=raised.signal, since=raised.since, due=due, overdue=as_of > due)


#: ``handle(request, policy=...) -> dict``: the ``enforcement`` contract (ContractError if invalid).
handle = contract_handler(EnforcementRequest, EnforcementResponse, enforcement)

__all__ = [
    "DEFAULT_POLICY",
    "RULES_VERSION",
    "EnforcementAction",
    "EnforcementPolicy",
    "EnforcementRequest",
    "EnforcementResponse",
    "RequiredAction",
    "Signal",
    "action_problem",
    "enforcement",
    "handle",
]
