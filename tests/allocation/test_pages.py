"""The allocation pages: queue, ranked practitioners, the confirm step, overrides, reallocation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casework.allocation.models import AllocationDecision
from casework.record.models import Case
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def spo(team):
    return factories.SpoFactory(team=team, user__username="spo")


@pytest.fixture
def pso(team):
    return factories.PsoFactory(team=team, user__username="pso", first_name="Pat", last_name="Junior")


@pytest.fixture
def high(team):
    case = factories.TeamCaseFactory(team=team, tier="B2", rosh="HIGH", first_name="Harriet", last_name="High")
    factories.CommunityOrderFactory(case=case)
    return case


def test_the_queue_lists_the_case_with_what_the_allocator_needs(signed_in, spo, high):
    html = signed_in(spo).get(reverse("allocation-queue")).content.decode()
    assert high.crn in html and "New to probation" in html and "Community order" in html
    assert "Request a proposal" in html


def test_the_case_page_ranks_the_po_first_and_shows_the_pso_not_eligible_with_the_reason(signed_in, spo, po, pso,
                                                                                          high):
    html = signed_in(spo).get(reverse("allocation-case", args=[high.crn])).content.decode()
    assert html.index(f"candidate-{po.code}") < html.index(f"candidate-{pso.code}")
    assert "Not eligible" in html and "may hold RoSH low or medium cases only; this case is RoSH high" in html


def test_choose_then_confirm_allocates_and_says_the_workload_change(signed_in, spo, po, high):
    client = signed_in(spo)
    url = reverse("allocation-case", args=[high.crn])
    html = client.post(url, {"version": high.version, "staff": po.pk}).content.decode()
    assert "This will increase their workload from 0.0% to" in html
    response = client.post(url, {"version": high.version, "staff": po.pk, "confirm": "yes", "notes": "",
                                 "override_note": ""})
    assert response.status_code == 302
    assert Case.objects.get(pk=high.pk).manager_id == po.pk


def test_nobody_chosen_shows_the_error_summary(signed_in, spo, po, high):
    html = signed_in(spo).post(reverse("allocation-case", args=[high.crn]), {"version": high.version}).content.decode()
    assert "govuk-error-summary" in html and "Select the practitioner to allocate the case to" in html


def test_an_override_without_a_reason_is_refused_on_the_page_and_nothing_is_written(signed_in, spo, pso, high):
    client = signed_in(spo)
    url = reverse("allocation-case", args=[high.crn])
    html = client.post(url, {"version": high.version, "staff": pso.pk, "confirm": "yes", "notes": "",
                             "override_note": "  "}).content.decode()
    assert "govuk-error-summary" in html and "Give the reason for the override" in html
    assert Case.objects.get(pk=high.pk).manager_id is None
    response = client.post(url, {"version": high.version, "staff": pso.pk, "confirm": "yes", "notes": "",
                                 "override_note": "Known to the family; PO will co-work"})
    assert response.status_code == 302
    html = client.get(reverse("allocation-overrides")).content.decode()
    assert high.crn in html and "Known to the family; PO will co-work" in html


def test_the_loser_of_a_race_is_told_who_allocated_the_case(client, spo, po, high, team):
    from tests.pagecheck import CheckedClient

    other_spo = factories.SpoFactory(team=team, first_name="Other", last_name="Manager")
    other = factories.StaffFactory(team=team)
    url = reverse("allocation-case", args=[high.crn])
    first, second = client, CheckedClient()
    first.force_login(spo.user)
    second.force_login(other_spo.user)
    data = {"version": high.version, "staff": po.pk, "confirm": "yes", "notes": "", "override_note": ""}
    assert first.post(url, data).status_code == 302
    # The second allocator had the same page open: their confirm finds the case allocated, and says by whom.
    response = second.post(url, {**data, "staff": other.pk}, follow=True)
    html = response.content.decode()
    assert f"has already been allocated to {po.name} by {spo.name}" in html
    assert Case.objects.get(pk=high.pk).manager_id == po.pk
    assert AllocationDecision.objects.count() == 1


def test_reallocation_page_needs_a_reason(signed_in, spo, po, team):
    case = factories.AllocatedCaseFactory(manager=po)
    other = factories.StaffFactory(team=team)
    client = signed_in(spo)
    url = reverse("allocation-reallocate", args=[case.crn])
    data = {"version": case.version, "staff": other.pk, "confirm": "yes", "notes": "", "override_note": "",
            "reason": ""}
    html = client.post(url, data).content.decode()
    assert "Select the reason for the reallocation" in html
    assert client.post(url, {**data, "reason": "CHANGE_OF_ADDRESS"}).status_code == 302
    assert Case.objects.get(pk=case.pk).manager_id == other.pk


def test_a_practitioner_cannot_open_the_queue(signed_in, po):
    assert signed_in(po).get(reverse("allocation-queue")).status_code == 403
