"""One-case allocation and reallocation: who may be offered a case, overrides, exclusions, the race."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from casework.access.viewer import viewer_for
from casework.allocation import selectors, services
from casework.allocation.models import AllocationDecision
from casework.audit.models import AuditEvent
from casework.core.errors import ConcurrentEditError, DomainValidationError
from casework.record.models import Assignment, Case
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def spo(team):
    return factories.SpoFactory(team=team, user__username="spo")


@pytest.fixture
def pso(team):
    return factories.PsoFactory(team=team, user__username="pso")


@pytest.fixture
def waiting(team):
    case = factories.TeamCaseFactory(team=team, tier="C2", rosh="MEDIUM")
    factories.CommunityOrderFactory(case=case)
    return case


def candidates(spo, case):
    viewer = viewer_for(spo.user)
    today = timezone.localdate()
    facts = selectors.case_facts([case], as_of=today)[case.pk]
    return facts, selectors.candidates(viewer, facts, as_of=today)


def test_allocating_gives_the_case_a_manager_an_assignment_a_decision_and_an_audit_row(spo, po, waiting):
    decision = services.case_allocate(case=waiting, staff_id=po.pk, by=spo.user, expected_version=waiting.version)
    waiting.refresh_from_db()
    assert waiting.manager_id == po.pk and waiting.team_id == po.memberships.first().team_id
    assert Assignment.objects.get(case=waiting, end__isnull=True).allocated_by_id == spo.pk
    assert decision.capacity_before == 0 and decision.capacity_after > 0 and not decision.override
    row = AuditEvent.objects.get(action="case.allocate")
    assert row.crn == waiting.crn and row.after["manager"] == po.pk and row.before["manager"] is None


def test_the_confirm_step_says_the_workload_before_and_after(spo, po, waiting):
    _facts, ranked = candidates(spo, waiting)
    mine = next(c for c in ranked if c.staff == po)
    words = selectors.capacity_words(mine.current, mine.projected)
    assert words == f"This will increase their workload from {mine.current:.1f}% to {mine.projected:.1f}%"
    assert mine.projected > mine.current


def test_a_high_rosh_case_shows_pso_not_eligible_with_the_reason_and_needs_an_override(spo, po, pso, team):
    case = factories.TeamCaseFactory(team=team, tier="B2", rosh="HIGH")
    factories.CommunityOrderFactory(case=case)
    _facts, ranked = candidates(spo, case)
    by_staff = {c.staff: c for c in ranked}
    assert by_staff[po].eligibility.eligible and not by_staff[po].needs_override
    assert not by_staff[pso].eligibility.eligible
    assert "RoSH" in by_staff[pso].eligibility.reasons[0]
    assert ranked[0].staff == po, "the eligible practitioner ranks first"
    with pytest.raises(DomainValidationError) as refused:
        services.case_allocate(case=case, staff_id=pso.pk, by=spo.user, expected_version=case.version)
    assert "override" in refused.value.errors["override_note"]
    assert Case.objects.get(pk=case.pk).manager_id is None, "nothing written"
    decision = services.case_allocate(case=case, staff_id=pso.pk, by=spo.user, expected_version=case.version,
                                      override_note="Only PSO who knows the family; PO co-works")
    assert decision.override and decision.override_reasons == ["ROSH_ABOVE_LIMIT"]
    assert "RoSH above" in decision.override_words


def test_an_excluded_practitioner_is_never_offered_the_case_nor_allocated_it(spo, po, waiting, team):
    other = factories.StaffFactory(team=team)
    factories.restrict(waiting, excluded=[other])
    _facts, ranked = candidates(spo, waiting)
    assert other not in {c.staff for c in ranked} and po in {c.staff for c in ranked}
    with pytest.raises(DomainValidationError):
        services.case_allocate(case=waiting, staff_id=other.pk, by=spo.user, expected_version=waiting.version)


def test_a_restricted_case_is_offered_only_to_permitted_practitioners(spo, po, team):
    case = factories.TeamCaseFactory(team=team)
    allowed = factories.StaffFactory(team=team)
    factories.restrict(case, permitted=[spo, allowed])
    _facts, ranked = candidates(spo, case)
    assert [c.staff for c in ranked] == [allowed]


def test_someone_outside_the_allocators_teams_is_refused(spo, waiting):
    elsewhere = factories.StaffFactory(team=factories.TeamFactory(pdu=waiting.pdu))
    with pytest.raises(DomainValidationError) as refused:
        services.case_allocate(case=waiting, staff_id=elsewhere.pk, by=spo.user, expected_version=waiting.version)
    assert "cannot be offered this case" in refused.value.errors["staff"]


def test_no_practitioner_chosen_is_refused(spo, waiting):
    with pytest.raises(DomainValidationError) as refused:
        services.case_allocate(case=waiting, staff_id=None, by=spo.user, expected_version=waiting.version)
    assert refused.value.errors == {"staff": services.STAFF_REQUIRED}


def test_of_two_allocators_the_second_is_told_who_allocated_it(spo, po, waiting, team):
    other_spo = factories.SpoFactory(team=team)
    other_po = factories.StaffFactory(team=team)
    seen = waiting.version
    services.case_allocate(case=waiting, staff_id=po.pk, by=spo.user, expected_version=seen)
    with pytest.raises(services.AlreadyAllocatedError) as lost:
        services.case_allocate(case=waiting, staff_id=other_po.pk, by=other_spo.user, expected_version=seen)
    assert f"already been allocated to {po.name} by {spo.name}" in lost.value.message
    assert AllocationDecision.objects.count() == 1


def test_a_stale_version_is_refused(spo, po, waiting):
    with pytest.raises(ConcurrentEditError):
        services.case_allocate(case=waiting, staff_id=po.pk, by=spo.user, expected_version=waiting.version + 5)


def test_reallocation_needs_a_reason_and_records_it(spo, po, waiting, team):
    services.case_allocate(case=waiting, staff_id=po.pk, by=spo.user, expected_version=waiting.version)
    waiting.refresh_from_db()
    other = factories.StaffFactory(team=team)
    with pytest.raises(DomainValidationError) as refused:
        services.case_reallocate(case=waiting, staff_id=other.pk, by=spo.user, expected_version=waiting.version,
                                 reason="")
    assert refused.value.errors["reason"] == services.REASON_REQUIRED
    with pytest.raises(DomainValidationError) as refused:
        services.case_reallocate(case=waiting, staff_id=other.pk, by=spo.user, expected_version=waiting.version,
                                 reason="INITIAL_ALLOCATION")
    assert refused.value.errors["reason"] == services.REASON_NOT_REALLOCATION
    decision = services.case_reallocate(case=waiting, staff_id=other.pk, by=spo.user,
                                        expected_version=waiting.version, reason="CASELOAD_ADJUSTMENT")
    assert decision.previous_staff_id == po.pk and decision.reason == "CASELOAD_ADJUSTMENT"
    assert Assignment.objects.filter(case=waiting, end__isnull=True).get().staff_id == other.pk
    assert Assignment.objects.filter(case=waiting).count() == 2
    assert AuditEvent.objects.filter(action="case.reallocate").count() == 1


def test_a_practitioner_cannot_allocate(po, waiting):
    from casework.core.errors import NotPermittedError

    with pytest.raises((NotPermittedError, DomainValidationError)):
        services.case_allocate(case=waiting, staff_id=po.pk, by=po.user, expected_version=waiting.version)
    assert Case.objects.get(pk=waiting.pk).manager_id is None


def test_the_queue_holds_team_and_pdu_waiting_cases_but_not_allocated_ones(spo, po, waiting, team):
    pdu_waiting = factories.UnallocatedCaseFactory(pdu=team.pdu)
    held = factories.AllocatedCaseFactory(manager=po)
    elsewhere = factories.UnallocatedCaseFactory()
    crns = set(selectors.queue(viewer_for(spo.user)).values_list("crn", flat=True))
    assert {waiting.crn, pdu_waiting.crn} <= crns
    assert held.crn not in crns and elsewhere.crn not in crns


def test_first_appointment_due_five_working_days_after_a_community_order_starts():
    from casework.rules.sentences import first_appointment_due

    # Friday 18 December 2026: Mon 21 to Thu 24 are four; Christmas Day (Fri 25) and Boxing Day (a Saturday,
    # observed on Monday 28) are not working days, so the fifth is Tuesday 29 December.
    assert first_appointment_due("COMMUNITY", dt.date(2026, 12, 18), None) == dt.date(2026, 12, 29)
    assert first_appointment_due("LICENCE", dt.date(2026, 1, 1), dt.date(2026, 12, 4)) == dt.date(2026, 12, 7)
    assert first_appointment_due("PRE_RELEASE", dt.date(2026, 1, 1), None) is None
