"""Safeguard oversight in the browser: the charts and tables pass axe-core, fit the window, work with
scripts off, and a figure leads to the cases behind it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from casework.safeguards.choices import SafeguardCode as S
from casework.safeguards.choices import TriggerCode
from tests import factories
from tests.browser.support import assert_no_violations, axe_violations, horizontal_overflow, sign_in
from tests.safeguards.test_oversight import done, task

pytestmark = pytest.mark.browser


def test_an_spo_reads_the_figures_and_opens_the_cases_behind_one(new_page, team, po, snap):
    today = timezone.localdate()
    start, past = today - dt.timedelta(days=30), today - dt.timedelta(days=5)
    spo = factories.SpoFactory(team=team)
    kept = factories.AllocatedCaseFactory(manager=po, first_name="Jordan", last_name="Whitfield")
    missed = factories.AllocatedCaseFactory(manager=po, first_name="Sam", last_name="Okafor")
    done(kept, S.DOMESTIC_ABUSE_ENQUIRY, due=past, on=past - dt.timedelta(days=1), created_on=start)
    task(missed, S.DOMESTIC_ABUSE_ENQUIRY, due=past, created_on=start)
    task(missed, S.RISK_REVIEW, due=past, trigger=TriggerCode.ARREST, created_on=start)

    # With scripts off: the charts are drawn by the server.
    page = new_page(java_script_enabled=False)
    sign_in(page, spo.user.username)
    page.get_by_role("link", name="Safeguard oversight").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Safeguard oversight")
    expect(page.get_by_role("img", name="Domestic abuse enquiries done by their due date by team")).to_be_visible()
    table = page.get_by_role("table", name="Figures by team")
    expect(table).to_contain_text("50% (1 of 2)")
    snap(page, "oversight")
    too_wide = {"oversight": horizontal_overflow(page)}
    table.get_by_role("link", name="50% (1 of 2)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Domestic abuse enquiries done by their due date")
    rows = page.get_by_role("table", name="The tasks behind the figure")
    expect(rows).to_contain_text("Whitfield")
    expect(rows).to_contain_text("Okafor")
    expect(rows).to_contain_text(re.compile("Overdue"))
    snap(page, "oversight-cases")
    too_wide["oversight-cases"] = horizontal_overflow(page)
    assert not any(too_wide.values()), f"pages wider than the window (pixels): {too_wide}"

    # With scripts on, as most people use it: axe-core on the figures, a list and the filter's errors.
    page = new_page()
    sign_in(page, spo.user.username)
    page.goto("/oversight/")
    found = {"oversight": axe_violations(page)}
    page.goto("/oversight/cases/?measure=risk-reviews-overdue")
    expect(page.get_by_role("table", name="The tasks behind the figure")).to_contain_text("Okafor")
    found["oversight-cases"] = axe_violations(page)
    page.goto("/oversight/?date_from_0=31&date_from_1=2&date_from_2=2026")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    found["oversight-errors"] = axe_violations(page)
    snap(page, "oversight-errors")
    assert_no_violations(found)
