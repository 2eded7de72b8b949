"""Writes to the case record: validation, optimistic locking, one audit row per write, no partial writes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.core.errors import ConcurrentEditError, DomainValidationError, NotPermittedError
from casework.record import services
from casework.record.models import Case, Contact
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(po):
    return factories.AllocatedCaseFactory(manager=po)


def test_contact_record_writes_contact_and_one_audit_row(po, case):
    contact = services.contact_record(case=case, by=po.user, kind="PHONE",
                                      starts_at=timezone.now() - dt.timedelta(hours=1),
                                      outcome="ATTENDED_COMPLIED", notes="Called about housing")
    assert contact.staff == po
    events = list(AuditEvent.objects.all())
    assert len(events) == 1
    assert (events[0].actor, events[0].action, events[0].crn) == (po.user, "contact.record", case.crn)


@pytest.mark.parametrize(
    "kwargs, field, message",
    [
        pytest.param({"kind": "CASE_NOTE", "outcome": "ATTENDED_COMPLIED"}, "outcome",
                     services.OUTCOME_NOT_APPOINTMENT.format(kind="case note"), id="outcome-on-a-note"),
        pytest.param({"kind": "OFFICE_APPOINTMENT", "outcome": "ATTENDED_COMPLIED", "future": True}, "outcome",
                     services.OUTCOME_IN_FUTURE, id="outcome-in-future"),
        pytest.param({"kind": "OFFICE_APPOINTMENT", "outcome": "ACCEPTABLE_ABSENCE"}, "absence_reason",
                     services.ABSENCE_REASON_REQUIRED, id="acceptable-absence-without-reason"),
        pytest.param({"kind": "OFFICE_APPOINTMENT", "outcome": "UNACCEPTABLE_ABSENCE", "absence_reason": "MEDICAL"},
                     "absence_reason", services.ABSENCE_REASON_NOT_ALLOWED, id="reason-without-acceptable-absence"),
        pytest.param({"kind": "OFFICE_APPOINTMENT", "far_future": True}, "starts_at", services.TOO_FAR_AHEAD,
                     id="more-than-two-years-ahead"),
    ],
)
def test_contact_record_rejects_bad_input_and_writes_nothing(po, case, kwargs, field, message):
    now = timezone.now()
    starts = now + dt.timedelta(days=800 if kwargs.pop("far_future", False) else 1 if kwargs.pop("future", False)
                                else -1)
    with pytest.raises(DomainValidationError) as exc:
        services.contact_record(case=case, by=po.user, starts_at=starts, now=now, **kwargs)
    assert exc.value.errors[field] == message
    assert not Contact.objects.exists()
    assert not AuditEvent.objects.exists()


def test_only_case_manager_or_spo_may_record(team, case):
    teammate = factories.StaffFactory(team=team)
    with pytest.raises(NotPermittedError):
        services.contact_record(case=case, by=teammate.user, kind="CASE_NOTE", starts_at=timezone.now(),
                                notes="Discussed housing")
    spo = factories.SpoFactory(team=team)
    services.contact_record(case=case, by=spo.user, kind="CASE_NOTE", starts_at=timezone.now(),
                                notes="Discussed housing")


def test_outcome_refuses_a_stale_edit(po, case):
    appointment = factories.AppointmentFactory(case=case)
    services.contact_record_outcome(contact=appointment, by=po.user, expected_version=1,
                                    outcome="ATTENDED_COMPLIED")
    with pytest.raises(ConcurrentEditError):
        services.contact_record_outcome(contact=appointment, by=po.user, expected_version=1,
                                        outcome="UNACCEPTABLE_ABSENCE")
    appointment.refresh_from_db()
    assert (appointment.outcome, appointment.version) == ("ATTENDED_COMPLIED", 2)
    assert AuditEvent.objects.filter(action="contact.record_outcome").count() == 1


def test_personal_details_change_is_audited_with_before_and_after(po, case):
    updated = services.case_update_personal_details(case=case, by=po.user, expected_version=case.version,
                                                    last_name="Jones", pnc="2001/12345H")
    assert (updated.last_name, updated.pnc, updated.version) == ("Jones", "2001/0012345H", 2)
    assert updated.name_key.startswith("jones ")
    event = AuditEvent.objects.get()
    assert event.before == {"last_name": "Smith", "pnc": ""}
    assert event.after == {"last_name": "Jones", "pnc": "2001/0012345H"}


def test_two_people_editing_the_same_details_one_wins(po, team, case):
    spo = factories.SpoFactory(team=team)
    services.case_update_personal_details(case=case, by=po.user, expected_version=1, phone="0114 000 0001")
    with pytest.raises(ConcurrentEditError):
        services.case_update_personal_details(case=case, by=spo.user, expected_version=1, phone="0114 000 0002")
    assert Case.objects.get(pk=case.pk).phone == "0114 000 0001"


@pytest.mark.parametrize(
    "changes, field",
    [
        pytest.param({"pnc": "2001/0012345A"}, "pnc", id="bad-pnc-check-letter"),
        pytest.param({"date_of_birth": dt.date.today() + dt.timedelta(days=1)}, "date_of_birth", id="dob-in-future"),
        pytest.param({"date_of_birth": dt.date.today() - dt.timedelta(days=365 * 5)}, "date_of_birth",
                     id="dob-under-ten"),
    ],
)
def test_personal_details_bad_input_writes_nothing(po, case, changes, field):
    with pytest.raises(DomainValidationError) as exc:
        services.case_update_personal_details(case=case, by=po.user, expected_version=1, **changes)
    assert field in exc.value.errors
    assert Case.objects.get(pk=case.pk).version == 1
    assert not AuditEvent.objects.exists()


def test_no_change_writes_no_audit_row(po, case):
    services.case_update_personal_details(case=case, by=po.user, expected_version=1, last_name=case.last_name)
    assert not AuditEvent.objects.exists()


def test_audit_log_is_append_only(po, case):
    services.contact_record(case=case, by=po.user, kind="CASE_NOTE", starts_at=timezone.now(),
                                notes="Discussed housing")
    event = AuditEvent.objects.get()
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().update(action="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
