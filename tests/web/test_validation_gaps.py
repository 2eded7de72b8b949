"""What a new user could save although it was wrong: refused now, with GOV.UK messages."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.record.models import Case, Contact
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(po):
    return factories.AllocatedCaseFactory(manager=po, date_of_birth=dt.date(1990, 3, 31))


def contact(day: dt.date, **overrides):
    data = {"kind": "OFFICE_APPOINTMENT", "date_0": str(day.day), "date_1": str(day.month), "date_2": str(day.year),
            "time": "10:30", "location": "Sheffield office", "outcome": "", "absence_reason": "",
            "notes": "Reviewed plan"}
    data.update(overrides)
    return data


def post_contact(client, case, data) -> str:
    response = client.post(reverse("contact-new", args=[case.crn]), data)
    assert response.status_code == 200, "saved although wrong"
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert not Contact.objects.exists()
    return html


def test_contact_before_birth_is_refused(signed_in, po, case):
    html = post_contact(signed_in(po), case, contact(dt.date(1985, 6, 1)))
    assert "The date must be on or after their date of birth, 31 March 1990" in html


def test_case_note_in_the_future_is_refused_with_its_own_message(signed_in, po, case):
    html = post_contact(signed_in(po), case, contact(dt.date(2030, 1, 10), kind="CASE_NOTE"))
    assert "The date of a case note must be today or in the past" in html
    assert "Appointments can be booked" not in html


def test_case_note_later_today_is_refused_on_the_time(signed_in, po, case):
    # The clock is pinned mid-morning: "later today" must exist whenever the suite runs (CI once ran at 23:xx).
    morning = dt.datetime(2026, 12, 2, 10, 15, tzinfo=zoneinfo.ZoneInfo("Europe/London"))
    with time_machine.travel(morning, tick=False):
        html = post_contact(signed_in(po), case, contact(morning.date(), kind="CASE_NOTE", time="11:14"))
    assert "The time of a case note must be now or in the past" in html


@pytest.mark.parametrize("notes", ["   ", "\n\t \n", ""])
def test_case_note_without_words_is_refused(signed_in, po, case, notes):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    html = post_contact(signed_in(po), case, contact(yesterday, kind="CASE_NOTE", notes=notes))
    assert "Enter the notes for this case note" in html


def test_appointment_in_the_future_still_books(signed_in, po, case):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = signed_in(po).post(reverse("contact-new", args=[case.crn]), contact(tomorrow, notes=""))
    assert response.status_code == 302
    assert Contact.objects.count() == 1


def details(case, **overrides):
    data = {
        "version": case.version, "first_name": case.first_name, "middle_names": "", "last_name": case.last_name,
        "preferred_name": "", "date_of_birth_0": "31", "date_of_birth_1": "3", "date_of_birth_2": "1990",
        "gender": "MALE", "pnc": "", "phone": "", "mobile": "", "email": "", "children_contact": "UNKNOWN",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "overrides, message",
    [
        pytest.param({"mobile": "abc"}, "Enter a mobile number, like 07700 900 982", id="mobile-letters"),
        pytest.param({"phone": "12"}, "Enter a phone number, like 01632 960 001", id="phone-too-short"),
        pytest.param({"first_name": "x" * 101}, "Enter the first name in 100 characters or fewer",
                     id="first-name-too-long"),
        pytest.param({"middle_names": "x" * 201}, "Enter the middle names in 200 characters or fewer",
                     id="middle-names-too-long"),
        pytest.param({"pnc": "x" * 21}, "Enter the PNC number in 20 characters or fewer", id="pnc-too-long"),
    ],
)
def test_personal_details_refused(signed_in, po, case, overrides, message):
    response = signed_in(po).post(reverse("personal-details-edit", args=[case.crn]), details(case, **overrides))
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html and message in html
    assert "Ensure this value has at most" not in html
    assert Case.objects.get(pk=case.pk).version == case.version
    assert not AuditEvent.objects.exists()


def test_short_pnc_is_saved_in_full(signed_in, po, case):
    response = signed_in(po).post(reverse("personal-details-edit", args=[case.crn]),
                                  details(case, pnc="14/198449T", mobile="07700  900982"))
    assert response.status_code == 302
    saved = Case.objects.get(pk=case.pk)
    assert (saved.pnc, saved.mobile) == ("2014/0198449T", "07700 900982")


def test_location_too_long_uses_govuk_wording(signed_in, po, case):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    html = post_contact(signed_in(po), case, contact(yesterday, location="x" * 201))
    assert "Enter the location (optional) in" not in html
    assert "Enter the location in 200 characters or fewer" in html


def test_one_message_per_field(signed_in, po, case):
    """An email both too long and malformed: one message by the field and one in the summary (GOV.UK)."""
    response = signed_in(po).post(reverse("personal-details-edit", args=[case.crn]),
                                  details(case, email="x" * 330))
    html = response.content.decode()
    assert html.count('id="id_email-error"') == 1
    assert html.count('href="#id_email"') == 1


def test_a_date_refused_by_the_service_marks_its_boxes_in_error(signed_in, po, case):
    html = post_contact(signed_in(po), case, contact(dt.date(1985, 6, 1)))
    assert html.count("govuk-date-input__input govuk-input--width-2 govuk-input--error") == 2
    assert "govuk-input--width-4 govuk-input--error" in html
