"""Pages run a fixed number of queries however big the caseload (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def build_case(manager):
    case = factories.AllocatedCaseFactory(manager=manager)
    factories.CommunityOrderFactory(case=case)
    factories.AppointmentFactory(case=case)
    factories.FutureAppointmentFactory(case=case)
    factories.RegistrationFactory(case=case)
    factories.RiskAssessmentFactory(case=case)
    factories.AddressFactory(case=case)
    return case


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def grow(manager, n):
    return [build_case(manager) for _ in range(n)]


@pytest.mark.parametrize("page", ["caseload", "team", "search"])
def test_list_pages_do_not_grow_with_caseload(signed_in, po, team, page):
    spo = factories.SpoFactory(team=team)
    client = signed_in(spo if page == "team" else po)
    url = {"caseload": reverse("caseload"), "team": reverse("team-caseload", args=[team.code]),
           "search": reverse("search") + "?q=smith"}[page]
    grow(po, 2)
    small = queries_for(client, url)
    grow(po, 15)
    large = queries_for(client, url)
    assert small == large, f"{page}: {small} queries with 2 cases, {large} with 17"


@pytest.mark.parametrize("page", ["case-overview", "case-contacts", "case-history"])
def test_case_pages_do_not_grow_with_contacts(signed_in, po, page):
    case = build_case(po)
    client = signed_in(po)
    url = reverse(page, args=[case.crn])
    small = queries_for(client, url)
    for _ in range(30):
        factories.AppointmentFactory(case=case)
    factories.CommunityOrderFactory(case=case)
    factories.RegistrationFactory(case=case)
    large = queries_for(client, url)
    assert small == large, f"{page}: {small} queries before, {large} after adding records"


# Regression guard: the exact counts (deterministic) so a new query on a page is a visible change.
EXPECTED = {"caseload": 6, "case-overview": 16, "case-contacts": 9}


def test_exact_query_counts(signed_in, po):
    case = build_case(po)
    client = signed_in(po)
    counts = {
        "caseload": queries_for(client, reverse("caseload")),
        "case-overview": queries_for(client, reverse("case-overview", args=[case.crn])),
        "case-contacts": queries_for(client, reverse("case-contacts", args=[case.crn])),
    }
    assert counts == EXPECTED
