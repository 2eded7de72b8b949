"""The same form sent twice (a double click, or back and send again) records one contact, not two."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.record import services
from casework.record.models import Contact, SubmissionKey
from tests import factories

pytestmark = pytest.mark.django_db

KEY = re.compile(r'<input type="hidden" name="submission_key" value="([0-9a-f-]{36})"')


@pytest.fixture
def po():
    return factories.StaffFactory()


@pytest.fixture
def case(po):
    return factories.AllocatedCaseFactory(manager=po)


@pytest.fixture
def client(po):
    client = Client()
    client.force_login(po.user)
    return client


def rendered_key(response) -> str:
    [key] = KEY.findall(response.content.decode())
    return key


def contact_data(key: str, **overrides) -> dict:
    return {"kind": "CASE_NOTE", "date_0": "2", "date_1": "3", "date_2": "2026", "time": "14:30",
            "notes": "Phoned about the appointment", "submission_key": key, **overrides}


def test_each_showing_of_the_form_has_its_own_key(client, case):
    url = reverse("contact-new", args=[case.crn])
    assert rendered_key(client.get(url)) != rendered_key(client.get(url))


def test_two_identical_posts_record_one_contact(client, case):
    url = reverse("contact-new", args=[case.crn])
    data = contact_data(rendered_key(client.get(url)))
    first, second = client.post(url, data), client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == reverse("case-contacts", args=[case.crn])
    contact = Contact.objects.get()
    assert contact.notes == "Phoned about the appointment"
    assert AuditEvent.objects.filter(action="contact.record").count() == 1
    assert SubmissionKey.objects.get().contact == contact
    log = client.get(second.url).content.decode()
    assert "Contact recorded" in log and "Phoned about the appointment" in log


def test_the_form_shown_twice_records_two_contacts(client, case):
    url = reverse("contact-new", args=[case.crn])
    for _ in range(2):
        assert client.post(url, contact_data(rendered_key(client.get(url)))).status_code == 302
    assert Contact.objects.count() == 2


def test_a_form_with_errors_keeps_its_key_and_is_then_recorded_once(client, case):
    url = reverse("contact-new", args=[case.crn])
    key = rendered_key(client.get(url))
    refused = client.post(url, contact_data(key, notes=""))
    assert refused.status_code == 200 and rendered_key(refused) == key
    assert not Contact.objects.exists() and not SubmissionKey.objects.exists()
    for _ in range(2):
        assert client.post(url, contact_data(key)).status_code == 302
    assert Contact.objects.count() == 1


@pytest.mark.parametrize("key", ["", "not-a-key", "1" * 500])
def test_a_form_without_a_usable_key_is_still_recorded(client, case, key):
    url = reverse("contact-new", args=[case.crn])
    assert client.post(url, contact_data(key)).status_code == 302
    assert Contact.objects.count() == 1
    refused = client.post(url, contact_data(key, notes=""))
    assert rendered_key(refused) != key  # shown again with a new, usable key


def test_two_identical_outcome_posts_record_the_outcome_once(client, case):
    appointment = factories.AppointmentFactory(case=case)
    url = reverse("contact-outcome", args=[case.crn, appointment.pk])
    key = rendered_key(client.get(url))
    data = {"version": appointment.version, "outcome": "ATTENDED_COMPLIED", "notes": "Went well",
            "submission_key": key}
    first, second = client.post(url, data), client.post(url, data)
    assert first.status_code == second.status_code == 302  # not "someone else changed this record"
    appointment.refresh_from_db()
    assert (appointment.outcome, appointment.version) == ("ATTENDED_COMPLIED", 2)
    assert appointment.notes.count("Went well") == 1
    assert AuditEvent.objects.filter(action="contact.record_outcome").count() == 1


def test_the_service_refuses_a_key_it_has_seen(po, case):
    key = uuid.uuid4()
    kwargs = {"case": case, "by": po.user, "kind": "CASE_NOTE", "starts_at": timezone.now(), "notes": "Note",
              "submission_key": key}
    first = services.contact_record(**kwargs)
    with pytest.raises(services.DuplicateSubmissionError) as raised:
        services.contact_record(**kwargs)
    assert raised.value.contact == first
    assert Contact.objects.count() == 1 and AuditEvent.objects.filter(action="contact.record").count() == 1
