"""The allocation pages run a fixed number of queries however long the queue, however big the team and
however many cases its practitioners hold (exact budgets: a change shows here first)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

# Per-request overhead on a signed-in page: the session and the user with their staff record (ADR 0004).
EXPECTED = {"queue": 13, "case": 16, "overrides": 3}


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


def waiting(team, n):
    cases = []
    for _ in range(n):
        case = factories.TeamCaseFactory(team=team)
        factories.CommunityOrderFactory(case=case)
        factories.RegistrationFactory(case=case)
        cases.append(case)
    return cases


def held(manager, n):
    for _ in range(n):
        case = factories.AllocatedCaseFactory(manager=manager)
        factories.CommunityOrderFactory(case=case)


def test_allocation_pages_do_not_grow(signed_in, po, team):
    spo = factories.SpoFactory(team=team)
    client = signed_in(spo)
    first = waiting(team, 2)
    held(po, 2)
    urls = {"queue": reverse("allocation-queue"), "case": reverse("allocation-case", args=[first[0].crn]),
            "overrides": reverse("allocation-overrides")}
    small = {name: queries_for(client, url) for name, url in urls.items()}
    waiting(team, 12)
    for _ in range(6):
        held(factories.PsoFactory(team=team), 3)
    held(po, 10)
    large = {name: queries_for(client, url) for name, url in urls.items()}
    assert small == large
    assert large == EXPECTED
