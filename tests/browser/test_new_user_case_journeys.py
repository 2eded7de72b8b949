"""What a new probation officer ran into on a case (issue 10), walked in the browser: the contact and
personal details forms refuse what is wrong, each problem in the GOV.UK error summary linked to its field;
the overview keeps upcoming bookings apart from recent contacts; the case history is an MoJ timeline of
every change made.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from casework.record.models import Contact
from casework.web.templatetags.govuk import govuk_datetime
from tests.browser.support import assert_no_violations, axe_violations, sign_in

pytestmark = pytest.mark.browser


def fill_date(page: Page, group: str, day: dt.date) -> None:
    date = page.get_by_role("group", name=group, exact=True)
    date.get_by_label("Day").fill(str(day.day))
    date.get_by_label("Month").fill(str(day.month))
    date.get_by_label("Year").fill(str(day.year))


def fill_beyond_limit(field: Locator, text: str) -> None:
    """Type more than the field's limit: the browser's own ``maxlength`` cut is lifted first, as when a
    browser or assistive tool ignores it, so that the page's own message is what is tested."""
    field.evaluate("element => element.removeAttribute('maxlength')")
    field.fill(text)


def error_summary(page: Page, title: str) -> Locator:
    """The page after a refused save: titled "Error: …", focus on the summary."""
    expect(page).to_have_title(re.compile(rf"^Error: {title}"))
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary).to_be_focused()
    return summary


def assert_links_to(page: Page, summary: Locator, message: str, anchor: str, field: Locator) -> None:
    """The summary lists a message starting ``message`` as a link to ``anchor``; following it puts the
    cursor in ``field``, which carries the same message."""
    link = summary.get_by_role("link", name=re.compile(rf"^{re.escape(message)}"))
    expect(link).to_have_attribute("href", anchor)
    link.click()
    expect(field).to_be_focused()
    expect(page.locator(f"{anchor.removesuffix('_0')}-error")).to_have_text(f"Error: {link.inner_text()}")


def test_the_contact_form_refuses_what_cannot_be_and_the_history_shows_what_was_saved(page, case, snap):
    today = timezone.localdate()
    sign_in(page, case.manager.user.username)
    page.goto(f"/cases/{case.crn}/contacts/")
    page.get_by_role("link", name="Record a contact").click()
    day = page.get_by_role("group", name="Date", exact=True).get_by_label("Day")
    notes = page.get_by_label("Notes", exact=True)
    contacts_before = Contact.objects.count()

    # A case note dated before the person was born, with only spaces for notes: both refused at once.
    page.get_by_label("Case note").check()
    fill_date(page, "Date", dt.date(1985, 6, 1))
    page.get_by_label("Time", exact=True).fill("10:00")
    notes.fill("   \n  ")
    page.get_by_role("button", name="Save contact").click()
    summary = error_summary(page, "Record a contact")
    expect(summary.get_by_role("link")).to_have_count(2)
    snap(page, "1-before-birth-and-no-notes")
    found = {"contact-form-errors": axe_violations(page)}
    assert_links_to(page, summary, "The date must be on or after their date of birth, 31 March 1990",
                    "#id_date_0", day)
    assert_links_to(page, summary, "Enter the notes for this case note", "#id_notes", notes)

    # A case note dated next month: a record of what has happened, so its own message, not the
    # appointment's two-year booking limit.
    fill_date(page, "Date", today + dt.timedelta(days=30))
    notes.fill("Phoned the hostel about the curfew.")
    page.get_by_role("button", name="Save contact").click()
    summary = error_summary(page, "Record a contact")
    assert_links_to(page, summary, "The date of a case note must be today or in the past", "#id_date_0", day)
    expect(page.get_by_text("Appointments can be booked")).to_have_count(0)
    snap(page, "2-case-note-in-the-future")

    # Too long a location: the GOV.UK wording, naming the limit.
    yesterday = today - dt.timedelta(days=1)
    fill_date(page, "Date", yesterday)
    location = page.get_by_label("Location (optional)")
    fill_beyond_limit(location, "x" * 201)
    page.get_by_role("button", name="Save contact").click()
    summary = error_summary(page, "Record a contact")
    assert_links_to(page, summary, "Enter the location in 200 characters or fewer", "#id_location", location)
    snap(page, "3-location-too-long")
    assert Contact.objects.count() == contacts_before

    location.fill("Hostel office")
    page.get_by_role("button", name="Save contact").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Contact recorded")

    page.get_by_role("navigation", name="Case sections").get_by_role("link", name="Case history").click()
    timeline = page.locator(".moj-timeline")
    expect(timeline.locator(".moj-timeline__item")).to_have_count(1)
    entry = timeline.locator(".moj-timeline__item").first
    expect(entry.get_by_role("heading")).to_have_text("Contact recorded")
    expect(entry.locator(".moj-timeline__byline")).to_have_text(f"by {case.manager.name}")
    expect(entry).to_contain_text("Case note")
    expect(entry).to_contain_text(f"{yesterday.day} {yesterday:%B %Y}, 10am")
    snap(page, "4-history")
    found["history"] = axe_violations(page)
    assert_no_violations(found)


def test_personal_details_refuse_bad_values_then_the_change_is_on_the_timeline(page, case, snap):
    sign_in(page, case.manager.user.username)
    page.goto(f"/cases/{case.crn}/")

    # Upcoming bookings apart from what has happened.
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name="Upcoming", exact=True)).to_be_visible()
    expect(main.get_by_role("heading", name="Recent contacts", exact=True)).to_be_visible()
    booked = case.contacts.get(starts_at__gt=timezone.now())
    when = govuk_datetime(booked.starts_at)
    expect(page.locator("#upcoming-contacts li")).to_have_count(1)
    expect(page.locator("#upcoming-contacts")).to_contain_text(when)
    expect(page.locator("#recent-contacts li")).to_have_count(4)
    expect(page.locator("#recent-contacts")).not_to_contain_text(when)
    snap(page, "1-overview")

    page.get_by_role("link", name="Change personal details").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change personal details")
    first_name = page.get_by_label("First name", exact=True)
    mobile = page.get_by_label("Mobile (optional)")
    fill_beyond_limit(first_name, "J" * 101)
    mobile.fill("abc")
    page.get_by_role("button", name="Save changes").click()
    summary = error_summary(page, "Change personal details")
    expect(summary.get_by_role("link")).to_have_count(2)
    snap(page, "2-errors")
    assert_no_violations({"personal-details-errors": axe_violations(page)})
    assert_links_to(page, summary, "Enter the first name in 100 characters or fewer", "#id_first_name", first_name)
    assert_links_to(page, summary, "Enter a mobile number, like 07700 900 982", "#id_mobile", mobile)
    case.refresh_from_db()
    assert (case.first_name, case.mobile) == ("Jordan", "")

    first_name.fill("Jordan")
    mobile.fill("07700  900982")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Personal details updated")
    expect(page.get_by_role("main")).to_contain_text("Mobile: 07700 900982")

    page.get_by_role("navigation", name="Case sections").get_by_role("link", name="Case history").click()
    entry = page.locator(".moj-timeline__item").first
    expect(entry.get_by_role("heading")).to_have_text("Personal details changed")
    expect(entry.locator(".moj-timeline__byline")).to_have_text(f"by {case.manager.name}")
    change = entry.get_by_role("table", name="What changed")
    expect(change.get_by_role("columnheader")).to_have_text(["Field", "Before", "After"])
    expect(change.get_by_role("row", name=re.compile(r"^Mobile\b"))).to_contain_text("07700 900982")
    snap(page, "3-history")
