"""Every page can be used with only a keyboard, and with JavaScript switched off."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import sign_in, tab_to
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

# GOV.UK Frontend's focus state: black text on the yellow focus colour.
FOCUS_YELLOW = "rgb(255, 221, 0)"


def test_keyboard_only_from_sign_in_to_a_contact_log(page, po, case, snap):
    page.goto("/sign-in/")
    # Django's sign-in form puts the cursor in the username box when the page loads (autofocus);
    # tab_to() also copes if it does not.
    tab_to(page, page.get_by_label("Username"))
    page.keyboard.type(po.user.username)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile(r"^Home – "))

    # The first Tab on a page reaches the skip link, which appears when focused...
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    assert skip_link.bounding_box()["height"] > 20, "the focused skip link should be shown, not clipped"
    snap(page, "1-skip-link")
    # ...and jumps past the service navigation: the next Tab is the first link in the main content.
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()
    page.keyboard.press("Tab")
    caseload_link = page.get_by_role("main").get_by_role("link", name="My caseload")
    expect(caseload_link).to_be_focused()
    expect(caseload_link).to_have_css("background-color", FOCUS_YELLOW)
    snap(page, "2-home-focus")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")

    case_link = page.get_by_role("link", name="Whitfield, Jordan")
    tab_to(page, case_link)
    expect(case_link).to_have_css("background-color", FOCUS_YELLOW)
    snap(page, "3-caseload-focus")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Overview")

    contacts_link = page.get_by_role("navigation", name="Case sections").get_by_role("link", name="Contacts")
    tab_to(page, contacts_link)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Contacts")
    expect(page.get_by_text("Discussed accommodation.")).to_be_visible()

    # The filter works from the keyboard too: choose a type with the arrow keys and apply it.
    type_filter = page.get_by_label("Type", exact=True)
    tab_to(page, type_filter)
    page.keyboard.press("ArrowDown")  # "Any type", then the first type: office appointment
    expect(type_filter).to_have_value("OFFICE_APPOINTMENT")
    tab_to(page, page.get_by_role("button", name="Apply filters"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]kind=OFFICE_APPOINTMENT(&|$)"))
    expect(page.get_by_text("2 contacts.")).to_be_visible()
    snap(page, "4-contacts-filtered")


def test_every_step_works_without_javascript(new_page, case, snap):
    page = new_page(java_script_enabled=False)
    sign_in(page, case.manager.user.username)
    # GOV.UK Frontend marks the body once its JavaScript runs; it must not have.
    expect(page.locator("body")).not_to_have_class(re.compile(r"\bjs-enabled\b"))

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="My caseload").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    snap(page, "1-caseload")
    page.get_by_role("link", name="Whitfield, Jordan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Overview")
    page.get_by_role("navigation", name="Case sections").get_by_role("link", name="Contacts").click()
    expect(page.get_by_text("5 contacts.")).to_be_visible()

    page.get_by_label("Type", exact=True).select_option(label="Case note")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"[?&]kind=CASE_NOTE(&|$)"))
    expect(page.get_by_text("1 contact.")).to_be_visible()
    expect(page.get_by_text("Referral to the housing support service sent.")).to_be_visible()
    snap(page, "2-contacts-filtered")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Casework")
