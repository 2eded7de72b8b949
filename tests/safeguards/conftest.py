"""Fixtures of the safeguard task tests: a community order started a few weeks before ``TODAY``."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories

TODAY = dt.date(2026, 11, 27)
START = dt.date(2026, 11, 2)


@pytest.fixture
def spo(team):
    return factories.SpoFactory(team=team, user__username="spo")


@pytest.fixture
def case(po):
    case = factories.AllocatedCaseFactory(manager=po)
    factories.CommunityOrderFactory(case=case, sentence_date=START, start_date=START,
                                    expected_end_date=dt.date(2027, 11, 1))
    return case
