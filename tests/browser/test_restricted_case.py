"""A case someone is excluded from is, for them, indistinguishable from a case that does not exist."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.support import sign_in

pytestmark = pytest.mark.browser


def test_excluded_case_is_hidden_everywhere(page, team, po, snap):
    colleague = factories.StaffFactory(team=team)
    # Two people with the same surname, both managed in po's own team, so both would normally show.
    visible = factories.AllocatedCaseFactory(manager=colleague, first_name="Sam", last_name="Whitfield")
    hidden = factories.restrict(
        factories.AllocatedCaseFactory(manager=colleague, first_name="Alex", last_name="Whitfield"),
        excluded=[po],
    )
    sign_in(page, po.user.username)

    missing = page.goto("/cases/X999999/")
    assert missing.status == 404
    not_found_heading = page.get_by_role("heading", level=1).inner_text()
    not_found_text = page.get_by_role("main").inner_text()
    assert not_found_heading == "Page not found"
    snap(page, "1-no-such-case")

    for url in (f"/cases/{hidden.crn}/", f"/cases/{hidden.crn}/contacts/", f"/cases/{hidden.crn}/history/"):
        response = page.goto(url)
        assert response.status == 404, url
        assert page.get_by_role("heading", level=1).inner_text() == not_found_heading, url
        # Nothing on the page gives away that the case exists.
        assert page.get_by_role("main").inner_text() == not_found_text, url
        assert "Alex" not in page.content(), url
    snap(page, "2-excluded-case")

    page.goto(f"/teams/{team.code}/")
    cases = page.get_by_role("table", name=re.compile(r"^Cases\b"))
    expect(cases.get_by_role("link", name="Whitfield, Sam")).to_be_visible()
    expect(page.get_by_text(hidden.crn)).to_have_count(0)
    expect(page.get_by_text("Whitfield, Alex")).to_have_count(0)
    snap(page, "3-team-caseload")

    page.goto("/search/?q=Whitfield")
    results = page.get_by_role("table", name=re.compile(r"^Results\b"))
    expect(results.get_by_role("link", name="Whitfield, Sam")).to_be_visible()
    expect(results.get_by_text(visible.crn)).to_be_visible()
    expect(page.get_by_text(hidden.crn)).to_have_count(0)
    expect(page.get_by_text("Whitfield, Alex")).to_have_count(0)
    snap(page, "4-search")

    page.goto(f"/search/?q={hidden.crn}")
    expect(page.get_by_role("heading", name="No results")).to_be_visible()
