"""Recording a contact through the form, and what the form does with a date that does not exist."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from casework.record.choices import ContactKind, ContactOutcome
from casework.record.models import Contact
from tests.browser.support import sign_in

pytestmark = pytest.mark.browser


def open_form(page: Page, case) -> None:
    sign_in(page, case.manager.user.username)
    page.goto(f"/cases/{case.crn}/contacts/")
    page.get_by_role("link", name="Record a contact").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a contact")


def fill_date(page: Page, day: str, month: str, year: str) -> None:
    date = page.get_by_role("group", name="Date", exact=True)
    date.get_by_label("Day").fill(day)
    date.get_by_label("Month").fill(month)
    date.get_by_label("Year").fill(year)


def test_record_a_contact(page, case, snap):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    notes = "Talked through the job offer.\nAgreed to bring the contract next time."
    open_form(page, case)
    snap(page, "1-form")

    page.get_by_label("Phone call").check()
    fill_date(page, str(yesterday.day), str(yesterday.month), str(yesterday.year))
    page.get_by_label("Time", exact=True).fill("14:30")
    page.get_by_label("Outcome (if it has happened)").select_option(label="Attended – complied")
    page.get_by_label("Notes", exact=True).fill(notes)
    snap(page, "2-filled-in")
    page.get_by_role("button", name="Save contact").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Contacts")
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("Contact recorded")
    expect(banner).to_have_attribute("role", "alert")
    entry = page.locator(".moj-timeline__item").filter(has_text="Talked through the job offer.")
    expect(entry.get_by_role("heading")).to_have_text("Phone call: attended – complied")
    expect(entry).to_contain_text(f"{yesterday.day} {yesterday:%B %Y}, 2:30pm")
    expect(entry).to_contain_text("Agreed to bring the contract next time.")
    snap(page, "3-recorded")

    # Browsers send a textarea's line breaks as CRLF, so match on the first line only.
    saved = case.contacts.get(notes__startswith="Talked through the job offer.")
    assert saved.kind == ContactKind.PHONE
    assert saved.outcome == ContactOutcome.ATTENDED_COMPLIED
    assert timezone.localtime(saved.starts_at).replace(tzinfo=None) == dt.datetime.combine(
        yesterday, dt.time(14, 30)
    )


def test_a_date_that_does_not_exist_is_refused_and_nothing_is_saved(page, case, snap):
    contacts_before = Contact.objects.count()
    open_form(page, case)
    page.get_by_label("Home visit").check()
    fill_date(page, "31", "2", "2026")
    page.get_by_label("Time", exact=True).fill("10:00")
    page.get_by_label("Notes", exact=True).fill("This must not be saved.")
    page.get_by_role("button", name="Save contact").click()

    expect(page).to_have_title(re.compile(r"^Error: Record a contact"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    # GOV.UK Frontend moves the focus to the summary so screen readers announce it first.
    expect(summary).to_be_focused()
    snap(page, "1-errors")

    # The summary links to the first box of the date, and following it puts the cursor there.
    summary_link = summary.get_by_role("link", name="The date must be a real date")
    expect(summary_link).to_have_attribute("href", "#id_date_0")
    summary_link.click()
    day = page.get_by_role("group", name="Date", exact=True).get_by_label("Day")
    expect(day).to_be_focused()
    expect(page.locator("#id_date-error")).to_have_text("Error: The date must be a real date")

    # What was typed is kept, so nothing has to be typed again.
    expect(page.get_by_label("Home visit")).to_be_checked()
    expect(day).to_have_value("31")
    expect(page.get_by_role("group", name="Date", exact=True).get_by_label("Month")).to_have_value("2")
    expect(page.get_by_role("group", name="Date", exact=True).get_by_label("Year")).to_have_value("2026")
    expect(page.get_by_label("Time", exact=True)).to_have_value("10:00")
    expect(page.get_by_label("Notes", exact=True)).to_have_value("This must not be saved.")

    assert Contact.objects.count() == contacts_before
