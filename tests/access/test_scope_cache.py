"""The access scope kept in the session: reused while it holds, recomputed the moment anything deciding it changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework.access.models import GrantStatus, Role, ScopeGrant
from casework.access.scope_cache import SESSION_KEY, bump_access_version, from_session, kept_viewer, to_session
from casework.access.viewer import viewer_for
from casework.workforce.models import Grade, Staff, TeamMembership
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(team):
    other = factories.TeamFactory()
    far = factories.TeamFactory()
    po = factories.StaffFactory(team=team)
    colleague = factories.StaffFactory(team=other)
    stranger = factories.StaffFactory(team=far)
    return {
        "po": po, "other": other, "far": far,
        "own": factories.AllocatedCaseFactory(manager=po),
        "other_case": factories.AllocatedCaseFactory(manager=colleague),
        "far_case": factories.AllocatedCaseFactory(manager=stranger),
    }


def status(client, case) -> int:
    return client.get(reverse("case-overview", args=[case.crn])).status_code


def test_scope_is_kept_at_sign_in_and_reused(signed_in, world):
    client = signed_in(world["po"])
    kept = client.session[SESSION_KEY]
    assert kept["staff_id"] == world["po"].pk
    assert status(client, world["own"]) == 200
    # Reused: the page loads no membership or grant rows.
    with CaptureQueriesContext(connection) as ctx:
        assert status(client, world["own"]) == 200
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "access_scopegrant" not in sql
    assert 'FROM "workforce_teammembership"' not in sql


def test_a_new_membership_opens_the_team_on_the_next_request(signed_in, world):
    client = signed_in(world["po"])
    assert status(client, world["other_case"]) == 404
    TeamMembership.objects.create(staff=world["po"], team=world["other"], start_date=dt.date(2020, 1, 1))
    assert status(client, world["other_case"]) == 200


def test_an_ended_or_removed_membership_closes_the_team_on_the_next_request(signed_in, world, team):
    colleague_case = factories.AllocatedCaseFactory(manager=factories.StaffFactory(team=team))
    client = signed_in(world["po"])
    assert status(client, colleague_case) == 200
    membership = TeamMembership.objects.get(staff=world["po"], team=team)
    membership.end_date = timezone.localdate() - dt.timedelta(days=1)
    membership.save()
    assert status(client, colleague_case) == 404


def test_grants_open_only_once_approved_and_close_when_deleted(signed_in, world):
    client = signed_in(world["po"])
    grant = factories.grant(world["po"], Role.QUALITY_ASSURANCE, team=world["far"], status=GrantStatus.PENDING)
    assert status(client, world["far_case"]) == 404
    grant.status = GrantStatus.APPROVED
    grant.save()
    assert status(client, world["far_case"]) == 200
    ScopeGrant.objects.filter(pk=grant.pk).delete()  # queryset delete still sends post_delete per row
    assert status(client, world["far_case"]) == 404


def test_a_staff_record_change_is_seen_on_the_next_request(signed_in, world):
    client = signed_in(world["po"])
    client.get(reverse("home"))
    assert Role.PRACTITIONER in set(client.session[SESSION_KEY]["roles"])
    staff = Staff.objects.get(pk=world["po"].pk)
    staff.grade = Grade.SPO
    staff.save()
    client.get(reverse("home"))
    assert Role.SPO in set(client.session[SESSION_KEY]["roles"])


def test_a_stale_copy_saved_later_cannot_bring_back_an_old_version(world):
    stale = Staff.objects.get(pk=world["po"].pk)
    before = stale.access_version
    bump_access_version([stale.pk])
    stale.save()  # writes the old version, then its own save draws a new one
    after = Staff.objects.get(pk=stale.pk).access_version
    assert after not in (before, 0)


def test_a_new_day_recomputes():
    staff = factories.StaffFactory(team=factories.TeamFactory())
    user = staff.user
    viewer = viewer_for(user)
    today = timezone.localdate()
    kept = to_session(viewer, version=staff.access_version, day=today - dt.timedelta(days=1), is_superuser=False)
    assert from_session(kept, user=user, version=staff.access_version, day=today) is None
    kept = to_session(viewer, version=staff.access_version, day=today, is_superuser=False)
    assert from_session(kept, user=user, version=staff.access_version, day=today) == viewer


@pytest.mark.parametrize("change", ["version", "user", "superuser", "format", "garbage"])
def test_anything_that_does_not_match_is_recomputed(change):
    staff = factories.StaffFactory(team=factories.TeamFactory())
    other = factories.StaffFactory()
    user = staff.user
    today = timezone.localdate()
    kept = to_session(viewer_for(user), version=staff.access_version, day=today, is_superuser=False)
    version = staff.access_version
    if change == "version":
        version += 1
    elif change == "user":
        user = other.user
    elif change == "superuser":
        user.is_superuser = True
    elif change == "format":
        kept["format"] = 0
    else:
        kept = ["not", "a", "scope"]
    assert from_session(kept, user=user, version=version, day=today) is None


def test_round_trip_keeps_every_field():
    team = factories.TeamFactory()
    spo = factories.SpoFactory(team=team)
    factories.grant(spo, Role.QUALITY_ASSURANCE, pdu=factories.PduFactory())
    user = Staff.objects.get(pk=spo.pk).user
    viewer = viewer_for(user)
    assert viewer.pdu_ids and viewer.managed_team_ids
    today = timezone.localdate()
    kept = to_session(viewer, version=7, day=today, is_superuser=False)
    assert from_session(kept, user=user, version=7, day=today) == viewer


def test_someone_without_a_staff_record_is_not_kept():
    user = factories.UserFactory(is_superuser=True)
    session: dict = {}
    viewer = kept_viewer(session, user, viewer_for)
    assert viewer.is_admin
    assert SESSION_KEY not in session


def test_ending_an_inspection_exercise_makes_its_inspectors_recompute(world):
    exercise = factories.running_exercise(national=True)
    inspector = factories.inspector_on(exercise)
    before = Staff.objects.get(pk=inspector.pk).access_version
    from casework.access.services import inspection_exercise_end

    admin = factories.AdminStaffFactory().user
    inspection_exercise_end(exercise=exercise, ends_on=exercise.starts_on, by=admin)
    assert Staff.objects.get(pk=inspector.pk).access_version != before


def test_a_region_grant_sees_a_pdu_added_to_its_region_on_the_next_request(signed_in):
    from casework.organisation.models import Pdu

    qa = factories.StaffFactory()
    region = factories.RegionFactory()
    factories.grant(qa, Role.QUALITY_ASSURANCE, region=region)
    client = signed_in(qa)
    assert client.session[SESSION_KEY]["region_pdu_ids"] == []
    new_pdu = Pdu.objects.create(region=region, code="PNEW", name="New PDU")
    case = factories.AllocatedCaseFactory(manager=factories.StaffFactory(team=factories.TeamFactory(pdu=new_pdu)))
    assert status(client, case) == 200
    assert client.session[SESSION_KEY]["region_pdu_ids"] == [new_pdu.pk]
