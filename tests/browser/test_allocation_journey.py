"""Issue 13's journey in the browser: the SPO opens the queue, allocates a high-RoSH case (PSOs shown
not eligible, with the reason), then requests, edits and accepts a batch proposal for the team."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from casework.allocation.models import AllocationDecision, Proposal
from casework.record.models import Case
from tests import factories
from tests.browser.support import assert_no_violations, axe_violations, sign_in

pytestmark = pytest.mark.browser


def test_an_spo_allocates_one_case_then_a_batch(new_page, team, snap):
    spo = factories.SpoFactory(team=team, user__username="spo", first_name="Sam", last_name="Senior")
    po = factories.StaffFactory(team=team, user__username="po", first_name="Priya", last_name="Officer")
    pso = factories.PsoFactory(team=team, user__username="pso", first_name="Pat", last_name="Support")
    high = factories.TeamCaseFactory(team=team, tier="B2", rosh="HIGH", first_name="Harriet", last_name="Hale")
    factories.CommunityOrderFactory(case=high)
    others = []
    for first, last in [("Aled", "Jones"), ("Bea", "Khan"), ("Cal", "Lowe")]:
        case = factories.TeamCaseFactory(team=team, tier="C2", rosh="MEDIUM", first_name=first, last_name=last)
        factories.CommunityOrderFactory(case=case)
        others.append(case)
    page = new_page()
    sign_in(page, "spo")
    page.get_by_role("link", name="Allocations").click()
    expect(page.get_by_role("heading", name="Allocation queue")).to_be_visible()
    queue = page.locator("#queue")
    for case in [high, *others]:
        expect(queue).to_contain_text(case.crn)
    found = {"queue": axe_violations(page)}

    # One case: the PO ranks first; the PSO is shown not eligible with the reason.
    page.get_by_role("link", name="Hale, Harriet").click()
    expect(page.get_by_role("heading", name="Allocate this case")).to_be_visible()
    pso_row = page.locator(f"#candidate-{pso.code}")
    expect(pso_row).to_contain_text("Not eligible")
    expect(pso_row).to_contain_text("may hold RoSH low or medium cases only; this case is RoSH high")
    po_row = page.locator(f"#candidate-{po.code}")
    expect(po_row).to_contain_text("Eligible")
    expect(page.locator("#candidates tbody tr").first).to_have_id(f"candidate-{po.code}")
    found["case"] = axe_violations(page)
    snap(page, "candidates")
    po_row.get_by_role("radio").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#capacity-change")).to_have_text(re.compile(r"This will increase their workload from "
                                                                     r"0\.0% to \d+\.\d%\."))
    page.get_by_role("button", name="Allocate to Priya Officer").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"allocated to {po.name}")
    expect(page.locator("#queue")).not_to_contain_text(high.crn)
    assert Case.objects.get(pk=high.pk).manager_id == po.pk

    # A batch: request a proposal for the team, move one line to the PSO, accept.
    page.get_by_label("Queue to propose for").select_option(label=team.name)
    page.get_by_role("button", name="Request a proposal").click()
    expect(page.get_by_role("heading", name=re.compile("Allocation proposal"))).to_be_visible()
    lines = page.locator("#proposal-lines tbody tr")
    expect(lines).to_have_count(3)
    found["proposal"] = axe_violations(page)
    snap(page, "proposal")
    first = others[0]
    page.get_by_role("link", name=f"Change the line for {first.crn}").click()
    page.get_by_label("Allocate to").select_option(value=str(pso.pk))
    page.get_by_role("button", name="Save this line").click()
    changed = page.locator("#proposal-lines tbody tr", has_text=first.crn)
    expect(changed).to_contain_text("Pat Support")
    expect(changed).to_contain_text("Changed")
    page.get_by_role("button", name="Accept and allocate").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("3 cases allocated")
    for row in page.locator("#proposal-lines tbody tr").all():
        expect(row).to_contain_text("Allocated")
    assert Case.objects.get(pk=first.pk).manager_id == pso.pk
    assert all(Case.objects.get(pk=c.pk).manager_id for c in others)
    assert Proposal.objects.get().status == Proposal.Status.ACCEPTED
    assert AllocationDecision.objects.filter(decided_by=spo).count() == 4
    assert_no_violations(found)
