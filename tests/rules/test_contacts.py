"""Appointments, outcomes due and failures to comply (rules.md §5.1, §5.5)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.rules.contacts import (
    APPOINTMENT_KINDS,
    ContactKind,
    ContactOutcome,
    OutcomeProblem,
    is_appointment,
    is_failure_to_comply,
    outcome_due,
    outcome_problems,
)

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


@pytest.mark.parametrize(("kind", "appointment"), [
    ("OFFICE_APPOINTMENT", True), ("HOME_VISIT", True), ("PHONE", True), ("VIDEO", True),
    ("PROGRAMME_SESSION", True), ("UNPAID_WORK_SESSION", True), ("THIRD_PARTY", False), ("EMAIL_OR_TEXT", False),
    ("CASE_NOTE", False), ("MANAGEMENT_OVERSIGHT", False),
])
def test_which_contacts_are_appointments(kind: str, appointment: bool) -> None:
    assert is_appointment(kind) is appointment


@pytest.mark.parametrize(("outcome", "failure"), [
    ("ATTENDED_COMPLIED", False), ("ATTENDED_FAILED_TO_COMPLY", True), ("SENT_HOME", True),
    ("UNACCEPTABLE_ABSENCE", True), ("ACCEPTABLE_ABSENCE", False), ("RESCHEDULED", False),
])
def test_which_outcomes_are_failures_to_comply(outcome: str, failure: bool) -> None:
    assert is_failure_to_comply(outcome) is failure


@pytest.mark.parametrize(("kind", "outcome", "starts_at", "due"), [
    pytest.param("OFFICE_APPOINTMENT", "", NOW - HOUR, True, id="past-appointment-without-outcome"),
    pytest.param("OFFICE_APPOINTMENT", None, NOW - HOUR, True, id="outcome-none"),
    pytest.param("OFFICE_APPOINTMENT", "", NOW, False, id="starting-now-is-not-due-yet"),
    pytest.param("OFFICE_APPOINTMENT", "", NOW + HOUR, False, id="future"),
    pytest.param("OFFICE_APPOINTMENT", "ATTENDED_COMPLIED", NOW - HOUR, False, id="outcome-recorded"),
    pytest.param("CASE_NOTE", "", NOW - HOUR, False, id="not-an-appointment"),
])
def test_outcome_due(kind: str, outcome: str | None, starts_at: dt.datetime, due: bool) -> None:
    assert outcome_due(kind=kind, outcome=outcome, starts_at=starts_at, now=NOW) is due


@pytest.mark.parametrize(("kind", "starts_at", "outcome", "reason", "problems"), [
    pytest.param("HOME_VISIT", NOW - HOUR, "ATTENDED_COMPLIED", "", {}, id="fine"),
    pytest.param("HOME_VISIT", NOW, "ATTENDED_COMPLIED", "", {}, id="starting-now-may-have-one"),
    pytest.param("HOME_VISIT", NOW + HOUR, "ATTENDED_COMPLIED", "", {"outcome": OutcomeProblem.NOT_HAPPENED_YET},
                 id="future"),
    pytest.param("CASE_NOTE", NOW - HOUR, "ATTENDED_COMPLIED", "", {"outcome": OutcomeProblem.NOT_AN_APPOINTMENT},
                 id="case-note"),
    pytest.param("PHONE", NOW - HOUR, "ACCEPTABLE_ABSENCE", "", {"absence_reason":
                 OutcomeProblem.ABSENCE_REASON_REQUIRED}, id="acceptable-absence-needs-reason"),
    pytest.param("PHONE", NOW - HOUR, "ACCEPTABLE_ABSENCE", "MEDICAL", {}, id="acceptable-absence-with-reason"),
    pytest.param("PHONE", NOW - HOUR, "SENT_HOME", "MEDICAL", {"absence_reason":
                 OutcomeProblem.ABSENCE_REASON_NOT_ALLOWED}, id="reason-only-for-acceptable-absence"),
    pytest.param("PHONE", NOW + HOUR, "", "", {}, id="no-outcome-is-fine"),
])
def test_outcome_problems(kind, starts_at, outcome, reason, problems) -> None:
    assert outcome_problems(kind=kind, starts_at=starts_at, outcome=outcome, absence_reason=reason,
                            now=NOW) == problems


offsets = st.integers(min_value=-10_000, max_value=10_000).map(lambda m: dt.timedelta(minutes=m))


@given(st.sampled_from(list(ContactKind)), st.sampled_from(["", *ContactOutcome]), offsets)
def test_an_outcome_is_due_exactly_when_one_could_be_recorded_and_none_has(kind, outcome, offset) -> None:
    starts_at = NOW + offset
    could_record = not outcome_problems(kind=kind, starts_at=starts_at, outcome="ATTENDED_COMPLIED",
                                        absence_reason="", now=NOW)
    due = outcome_due(kind=kind, outcome=outcome, starts_at=starts_at, now=NOW)
    assert due == (could_record and not outcome and starts_at != NOW)
    assert not due or kind in APPOINTMENT_KINDS
