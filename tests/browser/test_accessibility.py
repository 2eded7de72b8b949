"""axe-core finds no WCAG 2.2 A or AA failures on the main pages, as they look to the people who use them,
and no page is wider than the window (a too-wide table once pushed the team caseload off the screen)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.support import assert_no_violations, axe_violations, horizontal_overflow, sign_in

pytestmark = pytest.mark.browser


def test_practitioner_pages(page, case, snap):
    found = {}
    too_wide = {}

    def check(step: str) -> None:
        found[step] = axe_violations(page)
        too_wide[step] = horizontal_overflow(page)
        snap(page, step)

    page.goto("/sign-in/")
    check("sign-in")
    sign_in(page, case.manager.user.username)
    check("home")
    page.goto("/caseload/")
    check("caseload")
    page.goto(f"/cases/{case.crn}/")
    check("case-overview")
    page.goto(f"/cases/{case.crn}/contacts/")
    check("contacts")
    page.goto(f"/cases/{case.crn}/contacts/new/")
    check("record-contact")
    page.get_by_role("group", name="Date", exact=True).get_by_label("Day").fill("31")
    page.get_by_role("button", name="Save contact").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check("record-contact-errors")
    page.goto("/search/?q=Whitfield")
    expect(page.get_by_role("table", name=re.compile(r"^Results\b"))).to_be_visible()
    check("search-results")
    response = page.goto("/cases/X999999/")
    assert response.status == 404
    check("not-found")

    assert_no_violations(found)
    assert not any(too_wide.values()), f"pages wider than the window (pixels): {too_wide}"


def test_team_caseload_for_its_spo(page, team, case, snap):
    spo = factories.SpoFactory(team=team)
    sign_in(page, spo.user.username)
    page.goto(f"/teams/{team.code}/")
    # MoJ's sortable table adds a note about sorting to the caption, hence the pattern.
    expect(page.get_by_role("table", name=re.compile(r"^Cases\b"))).to_contain_text("Whitfield, Jordan")
    snap(page, "team-caseload")
    assert_no_violations({"team-caseload": axe_violations(page)})
    assert horizontal_overflow(page) == 0


def test_management_pages_for_an_spo(page, team, case, snap):
    """The SPO's allocation, workload, staff, establishment, enforcement and recall pages."""
    spo = factories.SpoFactory(team=team)
    waiting = factories.TeamCaseFactory(team=team, first_name="Wren", last_name="Waiting")
    factories.CommunityOrderFactory(case=waiting)
    manager = case.manager
    sign_in(page, spo.user.username)
    found, too_wide = {}, {}
    for step, url in [("allocation-queue", "/allocations/"), ("allocation-case", f"/allocations/cases/{waiting.crn}/"),
                      ("allocation-overrides", "/allocations/overrides/"), ("workload", "/workload/"),
                      ("workload-practitioner", f"/workload/{manager.code}/"), ("staff", "/staff/"),
                      ("staff-record", f"/staff/{manager.code}/"),
                      ("reduction-new", f"/staff/{manager.code}/reductions/new/"),
                      ("establishment", "/establishment/"),
                      ("team-establishment", f"/teams/{team.code}/establishment/"),
                      ("enforcement", "/enforcement/"), ("recalls", "/recalls/")]:
        response = page.goto(url)
        assert response.status == 200, (url, response.status)
        found[step] = axe_violations(page)
        too_wide[step] = horizontal_overflow(page)
        snap(page, step)
    assert_no_violations(found)
    assert not any(too_wide.values()), f"pages wider than the window (pixels): {too_wide}"
