"""The main journey: a practitioner signs in, finds a case on their caseload and reads its contact log."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from casework.record.choices import ContactKind
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_practitioner_signs_in_and_reads_a_case_contact_log(page, po, case, snap):
    home_visit = case.contacts.get(kind=ContactKind.HOME_VISIT)
    phone_call = case.contacts.get(kind=ContactKind.PHONE)

    # Any page sends someone who is signed out to the sign-in form.
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Casework")
    snap(page, "1-sign-in")
    page.get_by_label("Username").fill(po.user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_title("Home – Casework – GOV.UK")
    expect(page.get_by_role("heading", level=1)).to_have_text(po.name)
    snap(page, "2-home")

    page.get_by_role("main").get_by_role("link", name="My caseload").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    caseload = page.get_by_role("table", name="People you supervise")
    row = caseload.get_by_role("row").filter(has_text=case.crn)
    expect(row).to_contain_text("Community order")
    expect(row).to_contain_text("1 outcome to record")
    snap(page, "3-caseload")

    row.get_by_role("link", name="Whitfield, Jordan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Overview")
    # Visible, not merely present: the identity bar's details once rendered at font-size 0.
    identity_bar = page.get_by_role("complementary", name="Person on probation")
    expect(identity_bar.get_by_text(f"CRN: {case.crn}")).to_be_visible()
    expect(identity_bar.get_by_text("Date of birth: 31 March 1990")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Theft from a shop")
    snap(page, "4-overview")

    page.get_by_role("navigation", name="Case sections").get_by_role("link", name="Contacts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contacts")
    expect(page.get_by_text("5 contacts.")).to_be_visible()
    entry = page.locator(".moj-timeline__item").filter(has_text=home_visit.notes)
    expect(entry.get_by_role("heading")).to_have_text("Home visit: attended – complied")
    expect(entry.get_by_text(home_visit.notes)).to_be_visible()
    snap(page, "5-contacts")

    page.get_by_label("Type", exact=True).select_option(label="Phone call")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"[?&]kind=PHONE(&|$)"))
    expect(page.get_by_text("1 contact.")).to_be_visible()
    expect(page.locator(".moj-timeline__item")).to_have_count(1)
    expect(page.get_by_text(phone_call.notes)).to_be_visible()
    expect(page.get_by_text(home_visit.notes)).to_have_count(0)
    expect(page.get_by_label("Type", exact=True)).to_have_value("PHONE")
    snap(page, "6-contacts-filtered")
