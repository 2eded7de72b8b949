"""Every surface that gives someone a limited-access case writes a ``case.view_restricted`` row.

The finding: ``GET /api/cases/?crn=…`` and ``POST /api/cases/lookup`` returned a restricted case
with no audit row, while its page and ``/api/cases/{crn}`` did write one. One test per surface; an
ordinary case on the same surface writes nothing.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from casework.audit.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    team = factories.TeamFactory()
    po = factories.StaffFactory(team=team, user__username="officer")
    spo = factories.SpoFactory(team=team, user__username="lead")
    restricted = factories.restrict(factories.AllocatedCaseFactory(manager=po, last_name="Hidden"),
                                    permitted=[po, spo])
    excluding = factories.restrict(factories.AllocatedCaseFactory(manager=po, last_name="Hidden"),
                                   excluded=[factories.StaffFactory(team=team)])
    ordinary = factories.AllocatedCaseFactory(manager=po, last_name="Hidden")
    return {"team": team, "po": po, "spo": spo, "restricted": restricted, "excluding": excluding,
            "ordinary": ordinary}


def viewed(w) -> dict[str, list[str]]:
    """CRN → the pages recorded as giving it to someone."""
    rows = AuditEvent.objects.filter(action="case.view_restricted").order_by("pk")
    found: dict[str, list[str]] = {}
    for event in rows:
        found.setdefault(event.crn, []).append(event.detail)
    return found


def signed_in(client, staff):
    factories.sign_in_fully(client, staff.user)
    return client


def assert_limited_cases_recorded(w, page: str, actor):
    recorded = viewed(w)
    assert set(recorded) == {w["restricted"].crn, w["excluding"].crn}, recorded
    assert all(pages == [page] for pages in recorded.values()), recorded
    assert set(AuditEvent.objects.filter(action="case.view_restricted").values_list("actor", flat=True)) == \
        {actor.user.pk}


def test_api_list_filtered_by_crn(client, w):
    signed_in(client, w["po"])
    response = client.get(reverse("api-case-list"), {"crn": w["restricted"].crn})
    assert [c["crn"] for c in response.json()["results"]] == [w["restricted"].crn]
    assert viewed(w) == {w["restricted"].crn: ["listed in api case list"]}


def test_api_list(client, w):
    signed_in(client, w["po"])
    assert client.get(reverse("api-case-list")).json()["count"] == 3
    assert_limited_cases_recorded(w, "listed in api case list", w["po"])


def test_api_lookup(client, w):
    signed_in(client, w["po"])
    crns = [w["restricted"].crn, w["excluding"].crn, w["ordinary"].crn]
    response = client.post(reverse("api-case-lookup"), data=json.dumps({"crns": crns}),
                           content_type="application/json")
    assert len(response.json()["results"]) == 3
    assert_limited_cases_recorded(w, "listed in api case lookup", w["po"])


def test_api_detail(client, w):
    signed_in(client, w["po"])
    assert client.get(reverse("api-case-detail", args=[w["restricted"].crn])).status_code == 200
    assert client.get(reverse("api-case-detail", args=[w["ordinary"].crn])).status_code == 200
    assert viewed(w) == {w["restricted"].crn: ["api"]}


def test_case_page(client, w):
    signed_in(client, w["po"])
    assert client.get(reverse("case-overview", args=[w["restricted"].crn])).status_code == 200
    assert client.get(reverse("case-overview", args=[w["ordinary"].crn])).status_code == 200
    assert list(viewed(w)) == [w["restricted"].crn]


def test_own_caseload(client, w):
    signed_in(client, w["po"])
    assert w["restricted"].crn.encode() in client.get(reverse("caseload")).content
    assert_limited_cases_recorded(w, "listed in my caseload", w["po"])


def test_team_caseload(client, w):
    signed_in(client, w["spo"])
    assert w["restricted"].crn.encode() in client.get(reverse("team-caseload", args=[w["team"].code])).content
    assert_limited_cases_recorded(w, f"listed in team caseload {w['team'].code}", w["spo"])


def test_team_caseload_export(client, w):
    signed_in(client, w["spo"])
    response = client.get(reverse("team-caseload-export", args=[w["team"].code]))
    assert w["restricted"].crn.encode() in b"".join(response.streaming_content)
    assert_limited_cases_recorded(w, f"listed in team caseload export {w['team'].code}", w["spo"])


def test_search_results(client, w):
    signed_in(client, w["po"])
    assert len(client.get(reverse("search"), {"q": "Hidden"}).context["results"]) == 3
    assert_limited_cases_recorded(w, "listed in search results", w["po"])


def test_a_list_without_limited_access_cases_writes_nothing(client, w):
    signed_in(client, w["po"])
    client.get(reverse("api-case-list"), {"crn": w["ordinary"].crn})
    client.get(reverse("search"), {"q": w["ordinary"].crn})
    assert not AuditEvent.objects.filter(action="case.view_restricted").exists()
