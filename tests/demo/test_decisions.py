"""The worlds' allocation decisions are made through the allocation service, overrides included."""

from __future__ import annotations

import pytest
from django.utils import timezone

from casework.allocation.models import AllocationDecision
from casework.audit.models import AuditEvent
from casework.demo.decisions import OVERRIDE_REASONS, allocate_in_teams
from casework.record.models import Case
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_spo_allocates_two_queue_cases_one_with_an_override(team):
    spo = factories.SpoFactory(team=team)
    po = factories.StaffFactory(team=team)
    pso = factories.PsoFactory(team=team)
    for tier, rosh in [("C2", "MEDIUM"), ("B2", "HIGH"), ("C1", "LOW")]:
        factories.CommunityOrderFactory(case=factories.TeamCaseFactory(team=team, tier=tier, rosh=rosh))
    made = allocate_in_teams(today=timezone.localdate(), teams=5, seed=1)
    assert made == 2
    decisions = list(AllocationDecision.objects.order_by("decided_at", "pk"))
    assert [d.decided_by for d in decisions] == [spo, spo]
    normal, override = decisions
    assert not normal.override and normal.staff in (po, pso)
    assert override.override and override.override_note in OVERRIDE_REASONS
    assert Case.objects.filter(manager__isnull=True).count() == 1, "the rest stay in the queue"
    assert AuditEvent.objects.filter(action="case.allocate").count() == 2


def test_teams_without_an_spo_or_a_queue_are_left_alone(team):
    factories.StaffFactory(team=team)
    factories.TeamCaseFactory(team=team)
    assert allocate_in_teams(today=timezone.localdate(), teams=5, seed=1) == 0
