"""The demo world: deterministic, internally consistent, and only ever built in demo mode."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Q
from django.test import RequestFactory
from django.utils import timezone

from casework.access.models import Role
from casework.access.viewer import viewer_for
from casework.access.visibility import visible_cases
from casework.account.models import User
from casework.audit.models import AuditEvent
from casework.demo import catalogue
from casework.demo.builder import build_world
from casework.demo.logins import DEMO_LOGINS, DEMO_PASSWORD
from casework.demo.scale import SMALL
from casework.demo.world import delete_world
from casework.record import identifiers
from casework.record.choices import AccessKind, ContactKind, RiskLevel, SentenceStatus, YesNoUnknown
from casework.record.models import Assignment, Case, CaseAccess, Contact, Offence, Registration, Sentence
from casework.workforce.models import Grade, Staff, TeamMembership

NOW = dt.datetime(2026, 11, 27, 11, 30, tzinfo=dt.UTC)
TODAY = timezone.localdate(NOW)


@pytest.fixture
def world(db):
    build_world(scale=SMALL, now=NOW)


def snapshot() -> dict:
    """What must come out the same from the same seed."""
    return {
        "cases": list(Case.objects.order_by("crn").values_list(
            "crn", "pnc", "first_name", "last_name", "date_of_birth", "gender", "team__code", "manager__code")),
        "staff": list(Staff.objects.order_by("code").values_list("code", "first_name", "last_name", "grade")),
        "contacts": Counter(Contact.objects.values_list("case__crn", flat=True)),
        "outcomes": Counter(Contact.objects.values_list("outcome", flat=True)),
        "sentences": Sentence.objects.count(),
        "registrations": Registration.objects.count(),
        "tiers": list(Case.objects.order_by("crn").values_list("tier", "tier_single", "rosh")),
    }


def staff(username: str) -> Staff:
    return Staff.objects.select_related("user").get(user__username=username)


def test_the_same_seed_builds_the_same_world(world):
    first = snapshot()
    delete_world()
    build_world(scale=SMALL, now=NOW)

    assert snapshot() == first
    assert len(first["cases"]) == SMALL.people
    assert sum(first["contacts"].values()) > SMALL.people


def test_every_allocated_case_is_held_by_an_active_member_of_its_team(world):
    current = Q(start_date__lte=TODAY) & (Q(end_date__isnull=True) | Q(end_date__gte=TODAY))
    allocated = Case.objects.exclude(manager=None).select_related("team", "manager")

    assert allocated.exists()
    for case in allocated:
        assert case.team is not None, case.crn
        assert case.team.pdu_id == case.pdu_id, case.crn
        assert case.manager.is_active_on(TODAY), case.crn
        assert TeamMembership.objects.filter(current, staff=case.manager, team=case.team).exists(), case.crn


def test_unallocated_cases_wait_in_a_team_or_their_pdu_queue(world):
    for case in Case.objects.filter(manager=None).select_related("team"):
        assert case.team is None or case.team.pdu_id == case.pdu_id


def test_each_case_has_one_open_assignment_matching_its_manager(world):
    open_assignments = Assignment.objects.filter(end=None)
    for case in Case.objects.all():
        mine = [(a.staff_id, a.team_id) for a in open_assignments if a.case_id == case.pk]
        assert mine == ([(case.manager_id, case.team_id)] if case.manager_id else []), case.crn
    for case in Case.objects.prefetch_related("assignments"):
        history = sorted(case.assignments.all(), key=lambda a: a.start)
        for earlier, later in itertools.pairwise(history):
            assert earlier.start < earlier.end <= later.start, case.crn


def test_crns_and_pncs_are_valid_and_crns_unique(world):
    crns = list(Case.objects.values_list("crn", flat=True))
    pncs = [pnc for pnc in Case.objects.values_list("pnc", flat=True) if pnc]

    assert len(set(crns)) == len(crns)
    assert all(identifiers.is_valid_crn(crn) for crn in crns)
    assert pncs
    assert all(identifiers.normalise_pnc(pnc) == pnc for pnc in pncs)


def test_practitioners_hold_only_cases_their_grade_allows(world):
    """rules.md §3.2 defaults: untrained or new PSOs low RoSH only; PSOs low/medium; PQiPs no very high."""
    for member in Staff.objects.filter(grade__in=[Grade.PSO, Grade.PQIP]):
        cases = list(Case.objects.filter(manager=member))
        untrained = member.core_training_completed is None or member.months_in_post(TODAY) < 6
        if member.grade == Grade.PSO and untrained:
            allowed = {RiskLevel.LOW}
        elif member.grade == Grade.PSO:
            allowed = {RiskLevel.LOW, RiskLevel.MEDIUM}
        else:
            allowed = {RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH}
        assert {case.rosh for case in cases} <= allowed, member.user.username
        mappa_23 = Registration.objects.filter(case__in=cases, type__code="MAPP", level__gte=2, end_date=None)
        assert not mappa_23.exists(), member.user.username
        if member.grade == Grade.PSO and untrained:
            flagged = Registration.objects.filter(case__in=cases, end_date=None, historic=False,
                                                  type__code__in=["ADVP", "REG30", "RCPR"])
            assert not flagged.exists(), member.user.username
            assert all(case.tier[:1] in ("C", "D") for case in cases), member.user.username


def test_demo_logins_exist_sign_in_and_have_their_roles(world):
    # ``casework demo`` then makes the quality assurance exercises, with the second officer ("assessor").
    from casework.demo.quality import build_exercises
    from casework.quality.models import Exercise

    build_exercises(today=TODAY, seed=SMALL.seed)
    assert set(Exercise.objects.values_list("status", flat=True)) == {"COMPLETED", "SAMPLED"}
    for login in DEMO_LOGINS:
        request = RequestFactory().post("/sign-in/")
        assert authenticate(request, username=login.username, password=DEMO_PASSWORD) is not None, login.username

    po, pso_new, spo = staff("po"), staff("pso.new"), staff("spo")
    team = po.memberships.get().team
    assert po.grade == Grade.PO and Case.objects.filter(manager=po).count() == SMALL.po_caseload
    assert staff("pso").grade == Grade.PSO and staff("pso").core_training_completed is not None
    assert pso_new.core_training_completed is None and pso_new.months_in_post(TODAY) < 6
    assert Case.objects.filter(manager=pso_new).count() == SMALL.new_pso_caseload
    assert staff("pqip").grade == Grade.PQIP

    spo_viewer = viewer_for(spo.user, today=TODAY)
    assert spo_viewer.has_role(Role.SPO) and team.pk in spo_viewer.managed_team_ids
    head = viewer_for(staff("head").user, today=TODAY)
    assert head.has_role(Role.HEAD_OF_PDU) and head.pdu_ids == {team.pdu_id}
    qa = viewer_for(staff("qa").user, today=TODAY)
    assert qa.has_role(Role.QUALITY_ASSURANCE) and qa.region_ids == {team.pdu.region_id}
    admin = staff("admin").user
    assert admin.is_superuser and admin.is_staff and viewer_for(admin, today=TODAY).is_admin
    assert all(s.user_id for s in Staff.objects.all())


def test_po_is_excluded_from_a_teammates_case(world):
    po = staff("po")
    excluded = CaseAccess.objects.get(staff=po, kind=AccessKind.EXCLUDED).case

    assert excluded.has_exclusions and excluded.manager_id not in (None, po.pk)
    assert excluded.team == po.memberships.get().team
    assert not Assignment.objects.filter(case=excluded, staff=po).exists()
    assert not visible_cases(viewer_for(po.user, today=TODAY)).filter(pk=excluded.pk).exists()
    assert visible_cases(viewer_for(staff("spo").user, today=TODAY)).filter(pk=excluded.pk).exists()


def test_restricted_cases_are_permitted_to_their_manager_and_spo(world):
    restricted = list(Case.objects.filter(restricted=True).select_related("team"))

    assert len(restricted) == SMALL.restricted_cases
    for case in restricted:
        permitted = set(CaseAccess.objects.filter(case=case, kind=AccessKind.PERMITTED).values_list("staff", flat=True))
        spo = TeamMembership.objects.get(team=case.team, role=TeamMembership.Role.MANAGER).staff_id
        assert permitted == {case.manager_id, spo}


def test_records_fit_together(world):
    assert not Sentence.objects.annotate(mains=Count("offences", filter=Q(offences__main=True))).exclude(mains=1)
    assert Offence.objects.exists()
    for case in Case.objects.prefetch_related("sentences", "risk_assessments", "registrations__type"):
        current = [s for s in case.sentences.all() if s.status != SentenceStatus.ENDED]
        assert len(current) == 1, case.crn
        latest = max(case.risk_assessments.all(), key=lambda a: a.assessed_on, default=None)
        active_rosh = [r.type.code for r in case.registrations.all()
                       if r.type.group == "ROSH" and r.end_date is None]
        if latest:
            expected = {"LOW": "RLRH", "MEDIUM": "RMRH", "HIGH": "RHRH", "VERY_HIGH": "RVHR"}[latest.rosh_overall]
            assert active_rosh == [expected], case.crn
            assert case.rosh == latest.rosh_overall, case.crn
        child = {r.type.code for r in case.registrations.all()} & {"RCPR", "RCCO", "RCHD"}
        if child:
            assert case.children_contact == YesNoUnknown.YES, case.crn


def test_contacts_include_bookings_ahead_and_outcomes_to_record(world):
    appointments = Contact.objects.filter(kind__in=[k for k in ContactKind if ContactKind(k).is_appointment])

    assert appointments.filter(starts_at__gt=NOW, outcome="").exists()
    assert appointments.filter(starts_at__lt=NOW, outcome="", staff=staff("po")).exists()
    assert not appointments.filter(starts_at__gt=NOW).exclude(outcome="").exists()
    assert not Contact.objects.exclude(absence_reason="").exclude(outcome="ACCEPTABLE_ABSENCE").exists()


def test_contacts_are_recorded_when_they_happen_or_now_if_booked_ahead(world):
    recorded = list(Contact.objects.values_list("starts_at", "created_at"))

    assert any(starts_at > NOW for starts_at, _ in recorded)
    assert all(created_at == min(starts_at, NOW) for starts_at, created_at in recorded)


def test_notes_fit_the_sentence_the_person_is_under(world):
    on_orders = Contact.objects.filter(case__sentences__status=SentenceStatus.COMMUNITY).exclude(notes="")

    assert on_orders.exists()
    assert not on_orders.filter(Q(notes__icontains="licence") | Q(notes__icontains="prison offender manager")).exists()
    # The notes drawn for each status are parallel lists (the same draw, the same note but for the words that fit).
    assert len({len(notes) for notes in catalogue.APPOINTMENT_NOTES.values()}) == 1
    assert not any("licence" in note.lower() for note in catalogue.APPOINTMENT_NOTES[SentenceStatus.COMMUNITY])
    assert any("licence" in note for note in catalogue.APPOINTMENT_NOTES[SentenceStatus.LICENCE])
    assert not any("prison" in note.lower() for note in catalogue.THIRD_PARTY_NOTES)


def test_command_refuses_outside_demo_mode(db, settings):
    settings.DEMO_MODE = False

    with pytest.raises(CommandError, match="never loaded in production"):
        call_command("demo", scale="small")
    assert not Case.objects.exists()


def test_command_builds_once_then_reports_it_is_loaded(db):
    out = io.StringIO()
    call_command("demo", scale="small", stdout=out)
    built = Case.objects.count()
    assert "Summary" in out.getvalue() and "pso.new" in out.getvalue()

    again = io.StringIO()
    call_command("demo", scale="small", stdout=again)

    assert "Demo data already loaded" in again.getvalue()
    assert "casework-demo" in again.getvalue()
    assert Case.objects.count() == built == SMALL.people


def test_command_reset_rebuilds_the_world(db):
    call_command("demo", scale="small", stdout=io.StringIO())
    first = set(Case.objects.values_list("crn", flat=True))

    call_command("demo", scale="small", reset=True, stdout=io.StringIO())

    assert set(Case.objects.values_list("crn", flat=True)) == first
    assert Staff.objects.filter(user__username="po").count() == 1


def test_reset_keeps_accounts_the_audit_log_refers_to_and_reuses_them(world):
    po_user = staff("po").user
    AuditEvent.objects.create(actor=po_user, actor_label="po", action="case.view")

    delete_world()
    assert User.objects.filter(pk=po_user.pk).exists()
    build_world(scale=SMALL, now=NOW)

    assert staff("po").user_id == po_user.pk
    request = RequestFactory().post("/sign-in/")
    assert authenticate(request, username="po", password=DEMO_PASSWORD) == po_user


def test_logins_only_prints_the_table(db):
    out = io.StringIO()
    call_command("demo", logins_only=True, stdout=out)

    for login in DEMO_LOGINS:
        assert login.username in out.getvalue()
    assert not Case.objects.exists()
