"""Bad input in every form: a GOV.UK error summary, the typed values kept, nothing written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casework.audit.models import AuditEvent
from casework.record import identifiers
from casework.record.models import Case, Contact
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(po):
    return factories.AllocatedCaseFactory(manager=po)


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
        pytest.param({"pnc": "2001/0012345A"}, identifiers.PNC_CHECK_ERROR, id="pnc-check-letter"),
        pytest.param({"pnc": "ABC"}, identifiers.PNC_FORMAT_ERROR, id="pnc-format"),
        pytest.param({"date_of_birth_0": "31", "date_of_birth_1": "2"}, "The date of birth must be a real date",
                     id="dob-31-february"),
        pytest.param({"date_of_birth_1": ""}, "The date of birth must include a month", id="dob-missing-month"),
        pytest.param({"date_of_birth_0": "", "date_of_birth_1": "", "date_of_birth_2": ""}, "Enter the date of birth",
                     id="dob-missing"),
        pytest.param({"date_of_birth_2": "90"}, "Year must include 4 numbers", id="dob-two-digit-year"),
        pytest.param({"date_of_birth_0": "x"}, "The date of birth must be a real date", id="dob-letters"),
        pytest.param({"date_of_birth_2": "2099"}, "Date of birth must be in the past", id="dob-future"),
        pytest.param({"first_name": ""}, "Enter the first name", id="no-first-name"),
        pytest.param({"email": "not-an-email"}, "Enter an email address in the correct format", id="bad-email"),
    ],
)
def test_personal_details_errors(signed_in, po, case, overrides, message):
    client = signed_in(po)
    data = details(case, **overrides)
    response = client.post(reverse("personal-details-edit", args=[case.crn]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html and message in html
    for key, value in overrides.items():
        if value:
            assert f'value="{value}"' in html, f"{key} not kept"
    assert Case.objects.get(pk=case.pk).version == case.version
    assert not AuditEvent.objects.exists()


def test_personal_details_saved_and_stale_form_refused(signed_in, po, case):
    client = signed_in(po)
    url = reverse("personal-details-edit", args=[case.crn])
    response = client.post(url, details(case, pnc="2001/12345H"))
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).pnc == "2001/0012345H"
    stale = client.post(url, details(case, phone="0114 496 0000"))  # still version 1
    assert stale.status_code == 200
    assert "Someone else changed this record" in stale.content.decode()
    assert Case.objects.get(pk=case.pk).phone == ""


def contact(**overrides):
    data = {"kind": "OFFICE_APPOINTMENT", "date_0": "2", "date_1": "3", "date_2": "2026", "time": "14:30",
            "location": "Sheffield office", "outcome": "", "absence_reason": "", "notes": "Reviewed plan"}
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "overrides, message",
    [
        pytest.param({"date_0": "30", "date_1": "2"}, "The date must be a real date", id="30-february"),
        pytest.param({"time": "25:00"}, "Enter a real time", id="bad-time"),
        pytest.param({"kind": ""}, "Select the type of contact", id="no-kind"),
        pytest.param({"kind": "CASE_NOTE", "outcome": "ATTENDED_COMPLIED"}, "Only appointments have an outcome",
                     id="outcome-on-note"),
        pytest.param({"date_2": "2030", "outcome": "ATTENDED_COMPLIED"},
                     "You cannot record an outcome for an appointment that has not happened yet", id="future-outcome"),
        pytest.param({"outcome": "ACCEPTABLE_ABSENCE"}, "Select the reason the absence was acceptable",
                     id="absence-without-reason"),
        pytest.param({"notes": "x" * 4001}, "Notes must be 4,000 characters or fewer", id="notes-too-long"),
    ],
)
def test_contact_form_errors(signed_in, po, case, overrides, message):
    client = signed_in(po)
    response = client.post(reverse("contact-new", args=[case.crn]), contact(**overrides))
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html and message in html
    assert 'value="Sheffield office"' in html
    assert not Contact.objects.exists()


def test_contact_form_saves_and_redirects_to_the_log(signed_in, po, case):
    client = signed_in(po)
    response = client.post(reverse("contact-new", args=[case.crn]), contact(outcome="ATTENDED_COMPLIED"))
    assert response.status_code == 302
    saved = Contact.objects.get()
    assert (saved.kind, saved.outcome) == ("OFFICE_APPOINTMENT", "ATTENDED_COMPLIED")
    assert saved.location == "Sheffield office"
    log = client.get(response.url)
    assert "Contact recorded" in log.content.decode()


@pytest.mark.parametrize(
    "query, message",
    [
        pytest.param("X12345", identifiers.CRN_ERROR, id="crn-too-short"),
        pytest.param("2001/0012345A", identifiers.PNC_CHECK_ERROR, id="pnc-check-letter"),
        pytest.param("x", "Enter at least 2 characters", id="too-short"),
        pytest.param(" ", "Enter a name, CRN or PNC number", id="blank"),
    ],
)
def test_search_errors(signed_in, po, query, message):
    response = signed_in(po).get(reverse("search"), {"q": query})
    html = response.content.decode()
    assert "govuk-error-summary" in html and message in html


def test_contact_filters_reject_bad_dates(signed_in, po, case):
    response = signed_in(po).get(reverse("case-contacts", args=[case.crn]),
                                 {"date_from_0": "1", "date_from_1": "13", "date_from_2": "2026"})
    html = response.content.decode()
    assert "govuk-error-summary" in html and "The from date must be a real date" in html


def test_contact_filters_reject_reversed_range(signed_in, po, case):
    response = signed_in(po).get(reverse("case-contacts", args=[case.crn]), {
        "date_from_0": "2", "date_from_1": "3", "date_from_2": "2026",
        "date_to_0": "1", "date_to_1": "3", "date_to_2": "2026"})
    assert "The to date must be the same as or after the from date" in response.content.decode()


def test_sign_in_errors(client, po):
    response = client.post(reverse("login"), {"username": "po", "password": "wrong"})
    html = response.content.decode()
    assert "govuk-error-summary" in html and "Enter a correct username and password" in html
    empty = client.post(reverse("login"), {"username": "", "password": ""})
    assert "Enter your username" in empty.content.decode()
