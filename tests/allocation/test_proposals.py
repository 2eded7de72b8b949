"""Batch proposals: asked of the allocate engine, reviewed and changed line by line, accepted with each
line re-checked against the record as it is then."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casework.allocation import services
from casework.allocation.models import AllocationDecision, Proposal
from casework.audit.models import AuditEvent
from casework.core.errors import ConcurrentEditError, DomainValidationError, NotPermittedError
from casework.record.models import Case
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def spo(team):
    return factories.SpoFactory(team=team, user__username="spo")


@pytest.fixture
def pso(team):
    return factories.PsoFactory(team=team)


def queue(team, *specs):
    cases = []
    for tier, rosh in specs:
        case = factories.TeamCaseFactory(team=team, tier=tier, rosh=rosh)
        factories.CommunityOrderFactory(case=case)
        cases.append(case)
    return cases


def test_a_proposal_gives_each_case_an_eligible_practitioner_and_stores_why(spo, po, pso, team):
    high, *medium = queue(team, ("B2", "HIGH"), ("C2", "MEDIUM"), ("C1", "MEDIUM"))
    proposal = services.proposal_create(by=spo.user, team=team)
    lines = {line.case_id: line for line in proposal.lines.all()}
    assert set(lines) == {high.pk, *(c.pk for c in medium)}
    assert lines[high.pk].staff == po, "a PSO may not hold a high RoSH case"
    assert all(line.staff in (po, pso) and line.reasons and line.capacity_after is not None
               for line in lines.values())
    assert proposal.peak_capacity_percent is not None
    assert AuditEvent.objects.filter(action="allocation.proposal_create").count() == 1


def test_an_excluded_practitioner_is_never_proposed(spo, po, pso, team):
    cases = queue(team, ("C2", "MEDIUM"), ("C2", "LOW"))
    for case in cases:
        factories.restrict(case, excluded=[po])
    proposal = services.proposal_create(by=spo.user, team=team)
    assert {line.staff for line in proposal.lines.all()} == {pso}


def test_changing_a_line_rechecks_it_and_an_override_needs_a_reason(spo, po, pso, team):
    (high,) = queue(team, ("B2", "HIGH"))
    proposal = services.proposal_create(by=spo.user, team=team)
    line = proposal.lines.get()
    with pytest.raises(DomainValidationError) as refused:
        services.proposal_change_line(line=line, staff_id=pso.pk, by=spo.user, expected_version=proposal.version)
    assert "override" in refused.value.errors["override_note"]
    line = services.proposal_change_line(line=line, staff_id=pso.pk, by=spo.user, expected_version=proposal.version,
                                         override_note="Co-worked with the PO")
    assert line.staff == pso and line.changed
    with pytest.raises(ConcurrentEditError):  # the version moved on with the change
        services.proposal_change_line(line=line, staff_id=po.pk, by=spo.user, expected_version=proposal.version)
    proposal.refresh_from_db()
    accepted = services.proposal_accept(proposal=proposal, by=spo.user, expected_version=proposal.version)
    assert accepted.status == Proposal.Status.ACCEPTED
    decision = AllocationDecision.objects.get(case=high)
    assert decision.staff == pso and decision.override and decision.override_note == "Co-worked with the PO"


def test_accepting_after_the_queue_changed_skips_what_was_allocated_meanwhile(spo, po, pso, team):
    first, second = queue(team, ("C2", "MEDIUM"), ("C1", "LOW"))
    proposal = services.proposal_create(by=spo.user, team=team)
    other_spo = factories.SpoFactory(team=team)
    services.case_allocate(case=first, staff_id=pso.pk, by=other_spo.user, expected_version=first.version)
    accepted = services.proposal_accept(proposal=proposal, by=spo.user, expected_version=proposal.version)
    outcomes = {line.case_id: line.outcome for line in accepted.lines.all()}
    assert outcomes[first.pk].startswith("Not allocated:") and "already been allocated" in outcomes[first.pk]
    assert outcomes[second.pk] == "Allocated"
    assert Case.objects.get(pk=first.pk).manager == pso, "never overwritten"


def test_a_closed_proposal_cannot_be_accepted_again(spo, po, team):
    queue(team, ("C2", "MEDIUM"))
    proposal = services.proposal_create(by=spo.user, team=team)
    services.proposal_accept(proposal=proposal, by=spo.user, expected_version=proposal.version)
    proposal.refresh_from_db()
    with pytest.raises(DomainValidationError):
        services.proposal_accept(proposal=proposal, by=spo.user, expected_version=proposal.version)
    assert AllocationDecision.objects.count() == 1


def test_an_empty_queue_or_another_team_is_refused(spo, po, team):
    with pytest.raises(DomainValidationError):
        services.proposal_create(by=spo.user, team=team)
    with pytest.raises(NotPermittedError):
        services.proposal_create(by=spo.user, team=factories.TeamFactory())


def test_the_proposal_pages_request_review_change_and_accept(signed_in, spo, po, pso, team):
    cases = queue(team, ("C2", "MEDIUM"), ("C1", "LOW"))
    client = signed_in(spo)
    response = client.post(reverse("allocation-proposal-new"), {"scope": f"team-{team.pk}"})
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    html = client.get(response["Location"]).content.decode()
    assert all(case.crn in html for case in cases) and "Accept and allocate" in html
    line = proposal.lines.get(case=cases[0])
    url = reverse("allocation-proposal-line", args=[proposal.pk, line.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"version": proposal.version, "staff": "", "override_note": ""})
    assert response.status_code == 302
    proposal.refresh_from_db()
    client.post(reverse("allocation-proposal", args=[proposal.pk]), {"version": proposal.version, "action": "accept"})
    assert Case.objects.get(pk=cases[0].pk).manager_id is None, "left unallocated by the SPO"
    assert Case.objects.get(pk=cases[1].pk).manager_id in (po.pk, pso.pk)
