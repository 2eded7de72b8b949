"""Enumerations of stored safeguard tasks. Codes are the engine's (``casework.rules.safeguards``); the
labels are what people read."""

from __future__ import annotations

from django.db import models


class SafeguardCode(models.TextChoices):
    """The six safeguards of rules.md §4 (the engine's ``Safeguard``, same codes, same order)."""

    DOMESTIC_ABUSE_ENQUIRY = "DOMESTIC_ABUSE_ENQUIRY", "Domestic abuse enquiry with the police"
    SAFEGUARDING_ENQUIRY = "SAFEGUARDING_ENQUIRY", "Safeguarding enquiry with children's services"
    INITIAL_ROSH_ASSESSMENT = "INITIAL_ROSH_ASSESSMENT", "Initial risk of serious harm assessment"
    HOME_VISIT = "HOME_VISIT", "Home visit"
    RISK_REVIEW = "RISK_REVIEW", "Risk review"
    MANAGEMENT_OVERSIGHT = "MANAGEMENT_OVERSIGHT", "Management oversight"


class TriggerCode(models.TextChoices):
    """What created a task (the engine's ``Trigger``, same codes)."""

    START = "START", "Start of the order or licence"
    REGISTRATION = "REGISTRATION", "Registration"
    PERIODIC = "PERIODIC", "Periodic review cycle"
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


class TaskStatus(models.TextChoices):
    """Stored status. Overdue is not stored: an open task is overdue when today is after its due date."""

    OPEN = "OPEN", "Open"
    DONE = "DONE", "Done"
    NOT_REQUIRED = "NOT_REQUIRED", "Not required"
