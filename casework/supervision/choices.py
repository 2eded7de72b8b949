"""Enumerations of the supervision cycle. Codes are the rule engines' (``casework.rules.supervision``).

``CaseEventType`` holds exactly ``RiskEventType``'s codes in its order (``tests/record/test_enums.py``);
the labels are what people read.
"""

from __future__ import annotations

from django.db import models

from casework.rules.supervision import RiskEventType


class CaseEventType(models.TextChoices):
    """Events that change the risk picture (rules.md §4's risk-review triggers)."""

    ARREST = "ARREST", "Arrest"
    CHARGE = "CHARGE", "Charge"
    DOMESTIC_ABUSE_CALLOUT = "DOMESTIC_ABUSE_CALLOUT", "Domestic abuse call-out"
    CHANGE_OF_ADDRESS = "CHANGE_OF_ADDRESS", "Change of address"
    CHANGE_OF_HOUSEHOLD = "CHANGE_OF_HOUSEHOLD", "Change of household"
    FAILURE_TO_COMPLY = "FAILURE_TO_COMPLY", "Failure to comply"
    BREACH_DECISION = "BREACH_DECISION", "Breach decision"
    RECALL_DECISION = "RECALL_DECISION", "Recall decision"
    RELEASE = "RELEASE", "Release from custody"
    REGISTRATION_ADDED = "REGISTRATION_ADDED", "New registration"


#: Events a practitioner records by hand. A new registration is recorded by adding the registration;
#: failures to comply come from appointment outcomes, and breach and recall decisions from enforcement.
RECORDED_BY_HAND: tuple[RiskEventType, ...] = (
    RiskEventType.ARREST,
    RiskEventType.CHARGE,
    RiskEventType.DOMESTIC_ABUSE_CALLOUT,
    RiskEventType.CHANGE_OF_ADDRESS,
    RiskEventType.CHANGE_OF_HOUSEHOLD,
    RiskEventType.RELEASE,
)


class RegistrationChangeKind(models.TextChoices):
    ADDED = "ADDED", "Added"
    REVIEWED = "REVIEWED", "Reviewed"
    DEREGISTERED = "DEREGISTERED", "Deregistered"
