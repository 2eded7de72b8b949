"""Who sees which case: by URL, search and lists. Excluded staff get the same 404 as no case."""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import pathlib
import re

import pytest
from django.http import Http404
from django.urls import reverse

import casework
from casework.access.models import ScopeGrant
from casework.access.viewer import viewer_for
from casework.access.visibility import (
    VisibleCase,
    can_change,
    can_manage_staff,
    manages_team,
    visible_cases,
    visible_teams,
)
from casework.audit.models import AuditEvent
from casework.record import selectors
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
    factories.grant(head, "HEAD_OF_PDU", pdu=world["team_a"].pdu)
    assert visible(head) == {"Ownly", "Teamly", "Otherly", "Queuely"}


def test_quality_assurance_sees_its_region(world):
    qa = factories.StaffFactory(grade="QA")
    factories.grant(qa, "QUALITY_ASSURANCE", region=world["team_far"].pdu.region)
    assert visible(qa) == {"Farly", "Farqueue"}


def test_expired_grant_gives_nothing(world):
    qa = factories.StaffFactory(grade="QA")
    ScopeGrant.objects.create(staff=qa, role="QUALITY_ASSURANCE", region=world["team_far"].pdu.region,
                              starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2021, 1, 1), reason="Old",
                              status="APPROVED")
    assert visible(qa) == set()


@pytest.mark.parametrize("status", ["PENDING", "REJECTED"])
def test_only_an_approved_grant_opens_cases(world, status):
    qa = factories.StaffFactory(grade="QA")
    factories.grant(qa, "QUALITY_ASSURANCE", national=True, status=status)
    assert visible(qa) == set()
    assert ScopeGrant.objects.get(staff=qa).status_on(dt.date(2026, 1, 1)) == status
    ScopeGrant.objects.filter(staff=qa).update(status="APPROVED")
    assert "Farly" in visible(qa)


def test_an_approved_grant_past_its_end_date_shows_as_expired(world):
    qa = factories.StaffFactory(grade="QA")
    grant = factories.grant(qa, "QUALITY_ASSURANCE", national=True, ends_on=dt.date(2021, 1, 1))
    assert grant.status_on(dt.date(2021, 1, 1)) == "APPROVED" and grant.status_on(dt.date(2021, 1, 2)) == "EXPIRED"
    assert grant.opens_data_on(dt.date(2021, 1, 1)) and not grant.opens_data_on(dt.date(2021, 1, 2))


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


# Case-scoped reads accept only what case_get_for_user returns.

CASE_SCOPED_READS = {
    "case_overview": {},
    "contact_log": {"filters": selectors.ContactFilters(), "now": dt.datetime(2026, 11, 27, tzinfo=dt.UTC)},
    "contact_get": {"contact_id": 0},  # no contact has id 0
    "assignment_history": {},
    "case_change_history": {},
    "tier_history": {},
    "case_detail": {},
}


def test_case_get_for_user_gives_a_visible_case_with_what_the_viewer_may_do(world):
    viewer = viewer_for(world["po_a"].user)
    own = selectors.case_get_for_user(viewer=viewer, crn=world["own"].crn)
    teammate = selectors.case_get_for_user(viewer=viewer, crn=world["teammate"].crn)
    assert isinstance(own, VisibleCase) and own.case == world["own"] and own.viewer is viewer
    assert (own.can_change, teammate.can_change) == (True, False)


@pytest.mark.parametrize("name", sorted(CASE_SCOPED_READS))
def test_case_scoped_reads_refuse_a_bare_case(world, name):
    read = getattr(selectors, name)
    with pytest.raises(TypeError, match="VisibleCase"):
        read(case=world["far"], **CASE_SCOPED_READS[name])
    visible = selectors.case_get_for_user(viewer=viewer_for(world["po_a"].user), crn=world["own"].crn)
    if name == "contact_get":
        with pytest.raises(Http404):  # a contact of another case is not found through this one
            read(case=visible, **CASE_SCOPED_READS[name])
    else:
        read(case=visible, **CASE_SCOPED_READS[name])


def test_every_case_scoped_read_is_in_the_table_above():
    """A new selector taking ``case`` joins CASE_SCOPED_READS, so its refusal of a bare case is tested."""
    takes_case = {name for name, function in inspect.getmembers(selectors, inspect.isfunction)
                  if function.__module__ == selectors.__name__ and "case" in inspect.signature(function).parameters}
    assert takes_case == set(CASE_SCOPED_READS)


def test_a_visible_case_cannot_be_made_by_hand(world):
    viewer = viewer_for(world["po_a"].user)
    with pytest.raises(TypeError, match="never made by hand"):
        VisibleCase(case=world["far"], viewer=viewer, can_change=True)
    with pytest.raises(TypeError):
        VisibleCase(world["far"], viewer, True, object())


# Teams and staff: the same one home for scope.


def teams(staff) -> set:
    return set(visible_teams(viewer_for(staff.user)).values_list("pk", flat=True))


def test_team_scope_follows_membership_and_grants(world):
    a, b, far = world["team_a"].pk, world["team_b"].pk, world["team_far"].pk
    assert teams(world["po_a"]) == teams(world["spo_a"]) == {a}
    head = factories.HeadOfPduFactory()
    factories.grant(head, "HEAD_OF_PDU", pdu=world["team_a"].pdu)
    assert teams(head) == {a, b}
    qa = factories.StaffFactory(grade="QA")
    factories.grant(qa, "QUALITY_ASSURANCE", region=world["team_far"].pdu.region)
    assert teams(qa) == {far}
    assert teams(factories.AdminStaffFactory()) == set()


def test_a_team_outside_scope_is_the_same_404_as_no_team(world):
    viewer = viewer_for(world["po_a"].user)
    assert selectors.team_get_for_user(viewer=viewer, code=world["team_a"].code) == world["team_a"]
    for code in (world["team_b"].code, "NO-SUCH"):
        with pytest.raises(Http404, match="No such team"):
            selectors.team_get_for_user(viewer=viewer, code=code)


def test_only_the_spo_manages_the_team(world):
    assert manages_team(viewer_for(world["spo_a"].user), world["team_a"])
    assert not manages_team(viewer_for(world["po_a"].user), world["team_a"])
    assert not manages_team(viewer_for(world["spo_a"].user), world["team_b"])


def test_who_manages_a_member_of_staffs_arrangements(world):
    today = dt.date(2026, 11, 27)
    head = factories.HeadOfPduFactory()
    factories.grant(head, "HEAD_OF_PDU", pdu=world["team_a"].pdu)
    may = {key: can_manage_staff(viewer_for(staff.user), world["po_a2"], today=today)
           for key, staff in [("spo", world["spo_a"]), ("head", head), ("admin", factories.AdminStaffFactory()),
                              ("teammate", world["po_a"]), ("other spo", factories.SpoFactory(team=world["team_b"]))]}
    assert may == {"spo": True, "head": True, "admin": True, "teammate": False, "other spo": False}
    assert not can_manage_staff(viewer_for(world["spo_a"].user), world["po_b"], today=today)


SCOPE_FIELDS = {"team_ids", "managed_team_ids", "queue_pdu_ids", "pdu_ids", "region_ids", "national"}


def test_scope_is_read_only_in_casework_access():
    """Team and PDU scope has one home: no module outside casework/access/ reads a viewer's scope sets."""
    root = pathlib.Path(casework.__file__).parent
    outside = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if parts[0] == "access" or "migrations" in parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in SCOPE_FIELDS:
                outside.append(f"{path.relative_to(root)}:{node.lineno} .{node.attr}")
    assert outside == []
