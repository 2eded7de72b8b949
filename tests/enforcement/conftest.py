"""Fixtures of the enforcement tests: an order and a licence with appointments on given days."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from casework.record.models import Contact
from tests import factories

TODAY = dt.date(2026, 11, 27)
START = dt.date(2026, 3, 2)


@pytest.fixture
def spo(team):
    return factories.SpoFactory(team=team, user__username="spo")


@pytest.fixture
def order_case(po):
    case = factories.AllocatedCaseFactory(manager=po)
    factories.CommunityOrderFactory(case=case, sentence_date=START, start_date=START,
                                    expected_end_date=dt.date(2027, 3, 1))
    return case


@pytest.fixture
def licence_case(po):
    case = factories.AllocatedCaseFactory(manager=po)
    factories.LicenceFactory(case=case, sentence_date=dt.date(2025, 1, 6), start_date=dt.date(2025, 1, 6),
                             release_date=START, licence_expiry_date=dt.date(2027, 9, 1))
    return case


def appointment(case, day: dt.date, outcome: str, *, absence_reason: str = "") -> Contact:
    """An office appointment at 10:00 on ``day`` with ``outcome``, linked to the case's current sentence."""
    starts = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
    sentence = case.sentences.exclude(status="ENDED").order_by("-sentence_date").first()
    return factories.AppointmentFactory(case=case, sentence=sentence, starts_at=starts, outcome=outcome,
                                        absence_reason=absence_reason)
