"""The supervision-cycle forms work with JavaScript switched off, and axe-core finds no failures on them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from casework.supervision.models import CaseEvent
from tests.browser.support import assert_no_violations, axe_violations, sign_in

pytestmark = pytest.mark.browser


def test_a_registration_and_an_event_without_javascript(new_page, case, snap):
    page = new_page(java_script_enabled=False)
    sign_in(page, case.manager.user.username)
    expect(page.locator("body")).not_to_have_class(re.compile(r"\bjs-enabled\b"))
    page.goto(f"/cases/{case.crn}/")
    page.get_by_role("link", name="Add a registration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a registration")
    page.get_by_label("Type of registration").select_option(label="Child concerns")
    page.get_by_role("button", name="Add registration").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the registration date")
    snap(page, "1-registration-errors")
    date = page.get_by_role("group", name="Registration date")
    date.get_by_label("Day").fill("2")
    date.get_by_label("Month").fill("11")
    date.get_by_label("Year").fill("2026")
    page.get_by_label("Reason for registering").fill("Referral from children's services")
    page.get_by_role("button", name="Add registration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Overview")
    expect(page.get_by_text("Child concerns", exact=True)).to_be_visible()
    expect(page.get_by_text("registration added: Child concerns")).to_be_attached()  # the tier, after commit

    page.get_by_role("link", name="Record an event").click()
    page.get_by_label("Domestic abuse call-out").check()
    date = page.get_by_role("group", name="Date of the event")
    date.get_by_label("Day").fill("3")
    date.get_by_label("Month").fill("11")
    date.get_by_label("Year").fill("2026")
    page.get_by_label("Details").fill("Police called to the flat; no arrest")
    page.get_by_role("button", name="Save event").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Overview")
    assert sorted(CaseEvent.objects.values_list("type", flat=True)) == ["DOMESTIC_ABUSE_CALLOUT",
                                                                         "REGISTRATION_ADDED"]
    page.get_by_role("link", name="Record an event").click()
    expect(page.get_by_role("table")).to_contain_text("Domestic abuse call-out")
    expect(page.get_by_role("table")).to_contain_text("New registration")
    snap(page, "2-events")


def test_the_supervision_forms_are_accessible(page, case, snap):
    sign_in(page, case.manager.user.username)
    registration = case.registrations.get()
    found = {}
    for step, path in [("event", "events/new/"), ("appointment", "appointments/new/"),
                       ("registration", "registrations/new/"), ("review", f"registrations/{registration.pk}/review/"),
                       ("end", f"registrations/{registration.pk}/end/"), ("assessment", "risk-assessments/new/"),
                       ("plan", "risk-management-plan/")]:
        page.goto(f"/cases/{case.crn}/{path}")
        found[step] = axe_violations(page)
    page.get_by_role("button", name="Save plan").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter who is at risk, from what, and when")
    found["plan-errors"] = axe_violations(page)
    snap(page, "plan-errors")
    assert_no_violations(found)
