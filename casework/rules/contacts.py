"""Contacts and appointment outcomes (rules.md §5.1, §5.5): which contacts are appointments, when an
outcome may be recorded, when one is due, and which outcomes are failures to comply.

Pure functions, no clock: ``now`` is passed in. The record's ``ContactKind`` and ``ContactOutcome``
choices hold exactly these codes (``tests/record/test_enums.py``). The selectors that count or filter
outcomes due in the database use ``APPOINTMENT_KINDS`` and the same three conditions as
``outcome_due``.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum


class ContactKind(StrEnum):
    OFFICE_APPOINTMENT = "OFFICE_APPOINTMENT"
    HOME_VISIT = "HOME_VISIT"
    PHONE = "PHONE"
    VIDEO = "VIDEO"
    THIRD_PARTY = "THIRD_PARTY"
    EMAIL_OR_TEXT = "EMAIL_OR_TEXT"
    PROGRAMME_SESSION = "PROGRAMME_SESSION"
    UNPAID_WORK_SESSION = "UNPAID_WORK_SESSION"
    CASE_NOTE = "CASE_NOTE"
    MANAGEMENT_OVERSIGHT = "MANAGEMENT_OVERSIGHT"


class ContactOutcome(StrEnum):
    """Appointment outcomes (rules.md §5.1)."""

    ATTENDED_COMPLIED = "ATTENDED_COMPLIED"
    ATTENDED_FAILED_TO_COMPLY = "ATTENDED_FAILED_TO_COMPLY"
    SENT_HOME = "SENT_HOME"
    UNACCEPTABLE_ABSENCE = "UNACCEPTABLE_ABSENCE"
    ACCEPTABLE_ABSENCE = "ACCEPTABLE_ABSENCE"
    RESCHEDULED = "RESCHEDULED"


#: Contacts that are attended or not, and need an outcome once they have happened. Third-party
#: contacts, emails and texts, case notes and management oversight are records, not appointments.
APPOINTMENT_KINDS: frozenset[ContactKind] = frozenset({
    ContactKind.OFFICE_APPOINTMENT,
    ContactKind.HOME_VISIT,
    ContactKind.PHONE,
    ContactKind.VIDEO,
    ContactKind.PROGRAMME_SESSION,
    ContactKind.UNPAID_WORK_SESSION,
})

#: Failures to comply (rules.md §5.5); acceptable absences, rescheduled and complied are not.
FAILURES_TO_COMPLY: frozenset[ContactOutcome] = frozenset({
    ContactOutcome.ATTENDED_FAILED_TO_COMPLY,
    ContactOutcome.SENT_HOME,
    ContactOutcome.UNACCEPTABLE_ABSENCE,
})


def is_appointment(kind: str) -> bool:
    """Whether a contact of this kind is an appointment (and so has an outcome)."""
    return kind in APPOINTMENT_KINDS


def is_failure_to_comply(outcome: str) -> bool:
    return outcome in FAILURES_TO_COMPLY


def outcome_due(*, kind: str, outcome: str | None, starts_at: dt.datetime, now: dt.datetime) -> bool:
    """An appointment that has started (before ``now``) with no outcome yet: a task for the case manager."""
    return kind in APPOINTMENT_KINDS and not outcome and starts_at < now


class OutcomeProblem(StrEnum):
    """Why an outcome or absence reason cannot be recorded on a contact (the services word them)."""

    NOT_AN_APPOINTMENT = "NOT_AN_APPOINTMENT"
    NOT_HAPPENED_YET = "NOT_HAPPENED_YET"
    ABSENCE_REASON_REQUIRED = "ABSENCE_REASON_REQUIRED"
    ABSENCE_REASON_NOT_ALLOWED = "ABSENCE_REASON_NOT_ALLOWED"


def outcome_problems(*, kind: str, starts_at: dt.datetime, outcome: str, absence_reason: str,
                     now: dt.datetime) -> dict[str, OutcomeProblem]:
    """Problems with recording ``outcome`` (and ``absence_reason``) on a contact, by field; empty when none.

    Only appointments have outcomes, and only once they have started (at or before ``now``); an
    acceptable absence needs its reason (rules.md §5.1), and no other outcome has one.
    """
    problems: dict[str, OutcomeProblem] = {}
    if outcome:
        if kind not in APPOINTMENT_KINDS:
            problems["outcome"] = OutcomeProblem.NOT_AN_APPOINTMENT
        elif starts_at > now:
            problems["outcome"] = OutcomeProblem.NOT_HAPPENED_YET
    if outcome == ContactOutcome.ACCEPTABLE_ABSENCE and not absence_reason:
        problems["absence_reason"] = OutcomeProblem.ABSENCE_REASON_REQUIRED
    if absence_reason and outcome != ContactOutcome.ACCEPTABLE_ABSENCE:
        problems["absence_reason"] = OutcomeProblem.ABSENCE_REASON_NOT_ALLOWED
    return problems
