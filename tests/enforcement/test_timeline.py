"""A reconstructed two-year timeline of a high-risk licence case: every missed opportunity is signalled on the
right date.

Released on licence on 2 December 2024 and supervised to 27 November 2026: missed appointments, a domestic
abuse call-out, an arrest, a charge, warnings, increased reporting, a late recall consideration and late risk
reviews. The signals are recomputed every day as the service would (each write and each night), with each
decision recorded and each risk review done on its own day. Every signal must first appear on the day of the
item that raised it, with the due date rules.md §5.4 gives, and those decided late, or never, are the missed
opportunities.
"""

from __future__ import annotations

import datetime as dt

import pytest

from casework.enforcement import services
from casework.enforcement.models import EnforcementSignal
from casework.supervision.models import CaseEvent
from tests import factories
from tests.enforcement.conftest import appointment

pytestmark = pytest.mark.django_db

RELEASE = dt.date(2024, 12, 2)
END = dt.date(2026, 11, 27)
D = dt.date

CONTACTS = [
    (D(2025, 1, 6), "ATTENDED_COMPLIED"),
    (D(2025, 1, 13), "UNACCEPTABLE_ABSENCE"),
    (D(2025, 2, 3), "ACCEPTABLE_ABSENCE"),
    (D(2025, 5, 6), "UNACCEPTABLE_ABSENCE"),
    (D(2025, 5, 13), "UNACCEPTABLE_ABSENCE"),
    (D(2025, 5, 20), "UNACCEPTABLE_ABSENCE"),
    (D(2025, 11, 3), "ATTENDED_FAILED_TO_COMPLY"),
    (D(2026, 6, 1), "UNACCEPTABLE_ABSENCE"),
    (D(2026, 6, 8), "UNACCEPTABLE_ABSENCE"),
    (D(2026, 6, 15), "SENT_HOME"),
    (D(2026, 6, 22), "UNACCEPTABLE_ABSENCE"),
]
EVENTS = [(D(2025, 3, 10), "DOMESTIC_ABUSE_CALLOUT"), (D(2025, 9, 15), "ARREST"), (D(2026, 2, 2), "CHARGE"),
          (D(2026, 10, 5), "DOMESTIC_ABUSE_CALLOUT")]
REVIEWS = [D(2025, 4, 2), D(2025, 10, 20), D(2026, 2, 5)]
# (day, decision, the signal it answers): decisions are taken from the signal, as the SPO's list offers them.
DECISIONS = [
    (D(2025, 1, 24), "WARNING", "LICENCE_FAILURE_NO_DECISION"),
    (D(2025, 5, 30), "INCREASED_REPORTING", "LICENCE_FAILURE_NO_DECISION"),
    (D(2025, 7, 1), "CONSIDER_RECALL", "REPEATED_ABSENCE_NO_RECALL_CONSIDERATION"),
    (D(2025, 11, 4), "WARNING", "LICENCE_FAILURE_NO_DECISION"),
]
# Every signal: (kind, since, due, closed on or None while still open on 27 November 2026).
EXPECTED = [
    ("LICENCE_FAILURE_NO_DECISION", D(2025, 1, 13), D(2025, 1, 20), D(2025, 1, 24)),
    ("RISK_EVENT_NO_REVIEW", D(2025, 3, 10), D(2025, 3, 24), D(2025, 4, 2)),
    ("LICENCE_FAILURE_NO_DECISION", D(2025, 5, 6), D(2025, 5, 13), D(2025, 5, 30)),
    ("REPEATED_ABSENCE_NO_RECALL_CONSIDERATION", D(2025, 5, 20), D(2025, 5, 28), D(2025, 7, 1)),
    ("RISK_EVENT_NO_REVIEW", D(2025, 9, 15), D(2025, 9, 29), D(2025, 10, 20)),
    ("LICENCE_FAILURE_NO_DECISION", D(2025, 11, 3), D(2025, 11, 10), D(2025, 11, 4)),
    ("RISK_EVENT_NO_REVIEW", D(2026, 2, 2), D(2026, 2, 16), D(2026, 2, 5)),
    ("LICENCE_FAILURE_NO_DECISION", D(2026, 6, 1), D(2026, 6, 8), None),
    ("REPEATED_ABSENCE_NO_RECALL_CONSIDERATION", D(2026, 6, 22), D(2026, 6, 29), None),
    ("RISK_EVENT_NO_REVIEW", D(2026, 10, 5), D(2026, 10, 19), None),
]


def test_every_missed_opportunity_is_signalled_on_the_right_date(po, team):
    spo = factories.SpoFactory(team=team)
    case = factories.AllocatedCaseFactory(manager=po, rosh="HIGH")
    factories.LicenceFactory(case=case, sentence_date=D(2023, 6, 5), start_date=D(2023, 6, 5), release_date=RELEASE,
                             licence_expiry_date=D(2027, 6, 4), length_months=48)
    for day, outcome in CONTACTS:
        appointment(case, day, outcome, absence_reason="MEDICAL" if outcome == "ACCEPTABLE_ABSENCE" else "")
    first_seen: dict[tuple[str, dt.date], dt.date] = {}
    closed_on: dict[tuple[str, dt.date], dt.date] = {}
    day = RELEASE
    while day <= END:
        for event_day, kind in EVENTS:
            if event_day == day:
                CaseEvent.objects.create(case=case, type=kind, occurred_on=day, notes="Police notification")
        if day in REVIEWS:
            factories.RiskAssessmentFactory(case=case, assessed_on=day)
        services.signals_recompute(case=case, trigger="nightly", today=day)
        for decision_day, kind, answers in DECISIONS:
            if decision_day == day:
                signal = EnforcementSignal.objects.get(case=case, kind=answers, status="OPEN")
                by = po if kind != "CONSIDER_RECALL" else spo
                services.decision_record(case=case, sentence=case.sentences.get(), by=by.user, kind=kind,
                                         decided_on=day, rationale="Reasons", signal=signal,
                                         expected_version=signal.version, today=day)
        for signal in EnforcementSignal.objects.filter(case=case):
            key = (signal.kind, signal.since)
            first_seen.setdefault(key, day)
            if signal.status == "DECIDED":
                closed_on.setdefault(key, day)
        day += dt.timedelta(days=1)

    stored = {(s.kind, s.since): s for s in EnforcementSignal.objects.filter(case=case)}
    assert sorted(stored) == sorted((kind, since) for kind, since, _due, _closed in EXPECTED)
    for kind, since, due, closed in EXPECTED:
        signal = stored[(kind, since)]
        assert first_seen[(kind, since)] == since, f"{kind} of {since} signalled late"
        assert signal.due == due, f"{kind} of {since}: due {signal.due}, expected {due}"
        assert closed_on.get((kind, since)) == closed, f"{kind} of {since} closed on the wrong day"
        assert signal.status == ("OPEN" if closed is None else "DECIDED")
    # The missed opportunities: decided after they were due, or still not decided.
    missed = [(kind, since) for kind, since, due, closed in EXPECTED if closed is None or closed > due]
    assert len(missed) == 8
    assert all(stored[key].is_overdue(END) for key in missed if stored[key].status == "OPEN")
