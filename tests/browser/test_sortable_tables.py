"""With JavaScript on, case tables sort by name (not by the CRN inside the name's link)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.support import sign_in

pytestmark = pytest.mark.browser


def names(page) -> list[str]:
    table = page.get_by_role("table", name="People you supervise")
    return table.locator("tbody tr td:first-child a").all_inner_texts()


def test_caseload_sorts_by_name(page, po):
    # CRN order (Young, Morris, Adams) is the reverse of name order.
    for crn, last in (("A000001", "Young"), ("A000002", "Morris"), ("A000003", "Adams")):
        factories.AllocatedCaseFactory(manager=po, crn=crn, first_name="Sam", last_name=last)
    sign_in(page, po.user.username)
    page.goto("/caseload/")
    by_name = ["Adams, Sam", "Morris, Sam", "Young, Sam"]
    header = page.get_by_role("columnheader", name="Name")
    expect(header).to_have_attribute("aria-sort", "ascending")
    assert names(page) == by_name  # after the sortable table has sorted the column marked ascending

    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    assert names(page) == list(reversed(by_name))
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    assert names(page) == by_name
