"""Who sees which case: by URL, search and lists. Excluded staff get the same 404 as no case."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from casework.access.models import ScopeGrant
from casework.access.viewer import viewer_for
from casework.access.visibility import can_change, visible_cases
from casework.audit.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Two teams in one PDU, a third team in another region; a case in each."""
    team_a = factories.TeamFactory()
    team_b = factories.TeamFactory(pdu=team_a.pdu)
    team_far = factories.TeamFactory()
    po_a = factories.StaffFactory(team=team_a)
    po_a2 = factories.StaffFactory(team=team_a)
    po_b = factories.StaffFactory(team=team_b)
    po_far = factories.StaffFactory(team=team_far)
    spo_a = factories.SpoFactory(team=team_a)
    return {
        "team_a": team_a, "team_b": team_b, "team_far": team_far,
        "po_a": po_a, "po_a2": po_a2, "po_b": po_b, "po_far": po_far, "spo_a": spo_a,
        "own": factories.AllocatedCaseFactory(manager=po_a, last_name="Ownly"),
        "teammate": factories.AllocatedCaseFactory(manager=po_a2, last_name="Teamly"),
        "other_team": factories.AllocatedCaseFactory(manager=po_b, last_name="Otherly"),
        "far": factories.AllocatedCaseFactory(manager=po_far, last_name="Farly"),
        "queue": factories.UnallocatedCaseFactory(pdu=team_a.pdu, last_name="Queuely"),
        "far_queue": factories.UnallocatedCaseFactory(pdu=team_far.pdu, last_name="Farqueue"),
    }


def visible(staff) -> set[str]:
    return set(visible_cases(viewer_for(staff.user)).values_list("last_name", flat=True))


def test_practitioner_sees_own_and_team_cases_only(world):
    assert visible(world["po_a"]) == {"Ownly", "Teamly"}


def test_spo_sees_team_and_pdu_queue(world):
    assert visible(world["spo_a"]) == {"Ownly", "Teamly", "Queuely"}


def test_head_of_pdu_sees_the_whole_pdu(world):
    head = factories.HeadOfPduFactory()
    ScopeGrant.objects.create(staff=head, role="HEAD_OF_PDU", pdu=world["team_a"].pdu,
                              starts_on=dt.date(2020, 1, 1), reason="Head of PDU")
    assert visible(head) == {"Ownly", "Teamly", "Otherly", "Queuely"}


def test_quality_assurance_sees_its_region(world):
    qa = factories.StaffFactory(grade="QA")
    ScopeGrant.objects.create(staff=qa, role="QUALITY_ASSURANCE", region=world["team_far"].pdu.region,
                              starts_on=dt.date(2020, 1, 1), reason="QA lead")
    assert visible(qa) == {"Farly", "Farqueue"}


def test_expired_grant_gives_nothing(world):
    qa = factories.StaffFactory(grade="QA")
    ScopeGrant.objects.create(staff=qa, role="QUALITY_ASSURANCE", region=world["team_far"].pdu.region,
                              starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2021, 1, 1), reason="Old")
    assert visible(qa) == set()


def test_administrator_sees_no_cases(world):
    admin = factories.AdminStaffFactory()
    assert visible(admin) == set()


def test_staff_who_left_see_nothing(world):
    leaver = factories.StaffFactory(team=world["team_a"], ended=dt.date(2021, 1, 1))
    assert visible(leaver) == set()


def test_excluded_staff_never_see_the_case(world):
    factories.restrict(world["teammate"], excluded=[world["po_a"]])
    assert visible(world["po_a"]) == {"Ownly"}
    assert "Teamly" in visible(world["spo_a"])


def test_restricted_case_seen_only_by_permitted_staff(world):
    factories.restrict(world["teammate"], permitted=[world["po_a2"]])
    assert "Teamly" not in visible(world["po_a"])
    assert "Teamly" not in visible(world["spo_a"])
    assert "Teamly" in visible(world["po_a2"])


def test_practitioner_changes_own_case_not_teammates(world):
    viewer = viewer_for(world["po_a"].user)
    assert can_change(viewer, world["own"])
    assert not can_change(viewer, world["teammate"])
    assert can_change(viewer_for(world["spo_a"].user), world["teammate"])


# The same rules through the pages: URL, search and lists.

OUT_OF_SCOPE = ["other_team", "far", "far_queue"]


@pytest.mark.parametrize("key", OUT_OF_SCOPE)
@pytest.mark.parametrize("page", ["case-overview", "case-contacts", "case-history", "contact-new",
                                  "personal-details-edit"])
def test_out_of_scope_case_is_not_found_by_url(signed_in, world, key, page):
    client = signed_in(world["po_a"])
    response = client.get(reverse(page, args=[world[key].crn]))
    assert response.status_code == 404


def test_excluded_case_looks_exactly_like_a_missing_one(signed_in, world):
    factories.restrict(world["teammate"], excluded=[world["po_a"]])
    client = signed_in(world["po_a"])
    excluded = client.get(reverse("case-overview", args=[world["teammate"].crn]))
    missing = client.get(reverse("case-overview", args=["Z999999"]))
    assert excluded.status_code == missing.status_code == 404
    # Only the per-response secrets differ: the CSRF token and the CSP nonce.
    token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"|nonce="[^"]+"')
    assert token.sub(b"", excluded.content) == token.sub(b"", missing.content)


@pytest.mark.parametrize("key", OUT_OF_SCOPE)
def test_search_never_returns_out_of_scope_cases(signed_in, world, key):
    client = signed_in(world["po_a"])
    case = world[key]
    for query in (case.crn, case.last_name, f"{case.first_name} {case.last_name}"):
        response = client.get(reverse("search"), {"q": query})
        assert response.status_code == 200
        assert response.context["results"] == []
        assert b"No results" in response.content


def test_search_finds_in_scope_cases_by_crn_name_and_pnc(signed_in, world):
    case = world["teammate"]
    case.pnc = "2001/0012345H"
    case.save()
    client = signed_in(world["po_a"])
    for query in (case.crn, case.crn.lower(), "teamly", f"{case.first_name} Teamly", f"Teamly {case.first_name}",
                  "2001/12345H"):
        response = client.get(reverse("search"), {"q": query})
        assert case.crn.encode() in response.content, query


def test_team_caseload_of_another_team_is_not_found(signed_in, world):
    client = signed_in(world["po_a"])
    assert client.get(reverse("team-caseload", args=[world["team_b"].code])).status_code == 404
    response = client.get(reverse("team-caseload", args=[world["team_a"].code]))
    assert response.status_code == 200
    assert world["teammate"].crn.encode() in response.content


def test_team_caseload_hides_excluded_case_and_its_count(signed_in, world):
    factories.restrict(world["teammate"], excluded=[world["po_a"]])
    client = signed_in(world["po_a"])
    response = client.get(reverse("team-caseload", args=[world["team_a"].code]))
    assert world["teammate"].crn.encode() not in response.content
    member_row = next(m for m in response.context["members"] if m.staff == world["po_a2"])
    assert member_row.cases == 0


def test_viewing_a_restricted_case_is_audited(signed_in, world):
    factories.restrict(world["own"], permitted=[world["po_a"]])
    client = signed_in(world["po_a"])
    client.get(reverse("case-overview", args=[world["own"].crn]))
    event = AuditEvent.objects.get(action="case.view_restricted")
    assert (event.actor, event.crn, event.detail) == (world["po_a"].user, world["own"].crn, "overview")


def test_viewing_an_ordinary_case_is_not_audited(signed_in, world):
    client = signed_in(world["po_a"])
    client.get(reverse("case-overview", args=[world["own"].crn]))
    assert not AuditEvent.objects.filter(action="case.view_restricted").exists()
