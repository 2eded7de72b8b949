"""Enumerations of compliance and enforcement. Signal codes are the engine's (``casework.rules.enforcement``)."""

from __future__ import annotations

from django.db import models

from casework.rules.enforcement import EnforcementAction, Signal


class SignalKind(models.TextChoices):
    """Missed-enforcement signals for SPO review (rules.md §5.4), in the engine's order."""

    SECOND_FAILURE_NO_BREACH_DECISION = Signal.SECOND_FAILURE_NO_BREACH_DECISION.value, \
        "Failure after a warning: no breach decision"
    LICENCE_FAILURE_NO_DECISION = Signal.LICENCE_FAILURE_NO_DECISION.value, "Failure on licence: no decision"
    RISK_EVENT_NO_REVIEW = Signal.RISK_EVENT_NO_REVIEW.value, "Arrest, charge or call-out: no risk review"
    REPEATED_ABSENCE_NO_RECALL_CONSIDERATION = Signal.REPEATED_ABSENCE_NO_RECALL_CONSIDERATION.value, \
        "Repeated absences on licence: recall not considered"


class SignalStatus(models.TextChoices):
    OPEN = "OPEN", "Open"
    DECIDED = "DECIDED", "Decided"


class DecisionKind(models.TextChoices):
    """What was decided about a failure to comply (rules.md §5.1, §5.2)."""

    WARNING = "WARNING", "Warning letter"
    BREACH = "BREACH", "Breach: return to court"
    INCREASED_REPORTING = "INCREASED_REPORTING", "Increased reporting"
    EXTRA_CONDITIONS = "EXTRA_CONDITIONS", "Extra licence conditions"
    REFERRAL = "REFERRAL", "Referral to other services"
    CONSIDER_RECALL = "CONSIDER_RECALL", "Consider recall"
    NO_FURTHER_ACTION = "NO_FURTHER_ACTION", "No further action"


class OversightStatus(models.TextChoices):
    NOT_NEEDED = "NOT_NEEDED", "Not needed"
    AWAITING = "AWAITING", "Awaiting SPO oversight"
    AGREED = "AGREED", "SPO agreed"
    NOT_AGREED = "NOT_AGREED", "SPO did not agree"


#: What the engine reads for each decision (rules.md §5.5 "actions"). A referral to other services is a
#: licence decision with no enforcement code of its own: on a licence any action answers a failure, so it
#: is sent as NO_FURTHER_ACTION (docs/rules.md, "Enforcement").
ENGINE_ACTION: dict[str, EnforcementAction] = {
    DecisionKind.WARNING: EnforcementAction.WARNING,
    DecisionKind.BREACH: EnforcementAction.BREACH,
    DecisionKind.INCREASED_REPORTING: EnforcementAction.INCREASED_REPORTING,
    DecisionKind.EXTRA_CONDITIONS: EnforcementAction.EXTRA_CONDITIONS,
    DecisionKind.REFERRAL: EnforcementAction.NO_FURTHER_ACTION,
    DecisionKind.CONSIDER_RECALL: EnforcementAction.RECALL_CONSIDERED,
    DecisionKind.NO_FURTHER_ACTION: EnforcementAction.NO_FURTHER_ACTION,
}

#: The decisions a signal can be closed by (the engine then no longer raises it). A risk event is answered
#: by a risk review, which is recorded as a risk assessment, not here.
ANSWERS: dict[str, frozenset[str]] = {
    SignalKind.SECOND_FAILURE_NO_BREACH_DECISION: frozenset({DecisionKind.BREACH, DecisionKind.NO_FURTHER_ACTION}),
    # Any decision the kind of supervision allows (a breach on post-sentence supervision, never on a licence).
    SignalKind.LICENCE_FAILURE_NO_DECISION: frozenset(DecisionKind.values),
    SignalKind.RISK_EVENT_NO_REVIEW: frozenset(),
    SignalKind.REPEATED_ABSENCE_NO_RECALL_CONSIDERATION: frozenset({DecisionKind.CONSIDER_RECALL}),
}
