"""Safeguard task services: recompute in step with the engine, closing done and not required, audit, locking."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest

from casework.audit.models import AuditEvent
from casework.core.errors import ConcurrentEditError, DomainValidationError, NotPermittedError
from casework.record.models import Case
from casework.safeguards import services
from casework.safeguards.choices import TaskStatus
from casework.safeguards.inputs import engine_request_for
from casework.safeguards.models import SafeguardTask
from casework.supervision.models import CaseEvent
from tests import factories
from tests.safeguards.conftest import START, TODAY

pytestmark = pytest.mark.django_db


def tasks(case):
    return {(t.safeguard, t.trigger): t for t in SafeguardTask.objects.filter(case=case)}


def recompute(case, today=TODAY):
    return services.tasks_recompute(case=case, trigger="test", today=today)


def task(case, safeguard, trigger="START"):
    return SafeguardTask.objects.get(case=case, safeguard=safeguard, trigger=trigger)


def close(t, by, **kwargs):
    values = {"done_on": TODAY, "outcome": "Police: 3 call-outs in 2 years, latest 2026-01-04", "today": TODAY,
              "expected_version": t.version}
    values.update(kwargs)
    return services.task_close_done(task=t, by=by.user, **values)


# Recompute.


def test_a_new_order_gets_its_start_tasks_and_the_periodic_review(case):
    result = recompute(case)
    assert result.created == 4
    stored = tasks(case)
    assert set(stored) == {("DOMESTIC_ABUSE_ENQUIRY", "START"), ("SAFEGUARDING_ENQUIRY", "START"),
                           ("INITIAL_ROSH_ASSESSMENT", "START"), ("RISK_REVIEW", "PERIODIC")}
    enquiry = stored[("DOMESTIC_ABUSE_ENQUIRY", "START")]
    assert (enquiry.created_on, enquiry.due, enquiry.status) == (START, dt.date(2026, 11, 23), TaskStatus.OPEN)
    assert enquiry.is_overdue(TODAY) and not enquiry.is_overdue(enquiry.due)
    assert enquiry.policy is not None and enquiry.rules_version.startswith("safeguards-")
    assert AuditEvent.objects.filter(action="safeguard_task.create", crn=case.crn).count() == 4


def test_recompute_is_idempotent(case):
    recompute(case)
    before = {t.pk: (t.version, t.updated_at) for t in SafeguardTask.objects.all()}
    assert recompute(case).written == 0
    assert {t.pk: (t.version, t.updated_at) for t in SafeguardTask.objects.all()} == before


def test_a_case_in_custody_has_no_schedule_yet(po):
    case = factories.AllocatedCaseFactory(manager=po)
    factories.LicenceFactory(case=case, status="PRE_RELEASE", release_date=None)
    assert engine_request_for(case) is None
    assert recompute(case).written == 0


def test_a_licence_starts_on_release_and_a_registration_needs_a_home_visit(po):
    case = factories.AllocatedCaseFactory(manager=po)
    factories.LicenceFactory(case=case, release_date=dt.date(2026, 11, 9))
    factories.RegistrationFactory(case=case, start_date=dt.date(2026, 10, 1))
    request = engine_request_for(case)
    assert (request.kind, request.start_date) == ("LICENCE", dt.date(2026, 11, 9))
    recompute(case)
    visit = task(case, "HOME_VISIT", "REGISTRATION")
    assert (visit.created_on, visit.due) == (dt.date(2026, 11, 9), dt.date(2026, 12, 7))


def test_an_arrest_creates_a_risk_review_linked_to_the_event(case, po):
    recompute(case)
    event = CaseEvent.objects.create(case=case, type="ARREST", occurred_on=dt.date(2026, 11, 20), notes="x")
    assert recompute(case).created == 1
    review = task(case, "RISK_REVIEW", "ARREST")
    assert (review.event, review.due) == (event, dt.date(2026, 12, 4))


def test_a_failure_to_comply_is_read_from_the_appointment_outcome(case):
    factories.AppointmentFactory(case=case, outcome="UNACCEPTABLE_ABSENCE",
                                 starts_at=dt.datetime(2026, 11, 16, 10, tzinfo=dt.UTC))
    recompute(case)
    assert task(case, "RISK_REVIEW", "FAILURE_TO_COMPLY").created_on == dt.date(2026, 11, 16)


def test_a_risk_assessment_closes_the_initial_assessment(case):
    recompute(case)
    factories.RiskAssessmentFactory(case=case, assessed_on=dt.date(2026, 11, 10))
    result = recompute(case)
    initial = task(case, "INITIAL_ROSH_ASSESSMENT")
    assert (initial.status, initial.done_on, initial.decided_by) == (TaskStatus.DONE, dt.date(2026, 11, 10), None)
    assert "risk assessment recorded for 10 November 2026" in initial.outcome
    # The periodic review moved on: the old one is met by the assessment, a new one is created.
    periodic = SafeguardTask.objects.filter(case=case, trigger="PERIODIC").order_by("created_on")
    assert [(p.created_on, p.status) for p in periodic] == [(START, "DONE"), (dt.date(2026, 11, 10), "OPEN")]
    assert result.closed == 2 and result.created == 1
    assert AuditEvent.objects.filter(action="safeguard_task.close_by_schedule").count() == 2


def test_an_open_task_the_schedule_no_longer_lists_stays_open(case):
    recompute(case)
    event = CaseEvent.objects.create(case=case, type="ARREST", occurred_on=dt.date(2026, 11, 20), notes="x")
    recompute(case)
    event.delete()
    result = recompute(case)
    review = task(case, "RISK_REVIEW", "ARREST")
    assert (review.status, review.in_schedule, result.updated) == (TaskStatus.OPEN, False, 1)
    assert recompute(case).written == 0


def test_a_policy_change_moves_due_dates_of_open_tasks_only(case, po):
    from casework.rules.safeguards import DEFAULT_SCHEDULE
    from casework.ruleset.services import rule_config_change

    recompute(case)
    close(task(case, "DOMESTIC_ABUSE_ENQUIRY"), po)
    admin = factories.AdminStaffFactory()
    data = {**DEFAULT_SCHEDULE.to_dict(), "initial_working_days": 20}
    rule_config_change(kind="SAFEGUARD_POLICY", key="default", data=data, by=admin.user, reason="Local pilot",
                       pdu=case.pdu)
    result = services.tasks_recompute_all(trigger="policy changed", today=TODAY, batch=1)
    assert (result.updated, result.created, result.closed) == (2, 0, 0)
    assert task(case, "SAFEGUARDING_ENQUIRY").due == dt.date(2026, 11, 30)
    assert task(case, "DOMESTIC_ABUSE_ENQUIRY").due == dt.date(2026, 11, 23)
    assert task(case, "SAFEGUARDING_ENQUIRY").policy.pdu == case.pdu
    assert services.tasks_recompute_all(trigger="again", today=TODAY).written == 0


# Closing as done.


def test_closing_as_done_records_date_outcome_who_and_audits(case, po):
    recompute(case)
    done = close(task(case, "DOMESTIC_ABUSE_ENQUIRY"), po, done_on=dt.date(2026, 11, 20))
    assert (done.status, done.done_on, done.decided_by, done.version) == ("DONE", dt.date(2026, 11, 20), po, 2)
    [row] = AuditEvent.objects.filter(action="safeguard_task.close_done")
    assert row.crn == case.crn and row.after["outcome"].startswith("Police: 3 call-outs")
    assert recompute(case).written == 0


@pytest.mark.parametrize("kwargs, field, message", [
    pytest.param({"outcome": "  "}, "outcome", services.OUTCOME_REQUIRED, id="no-outcome"),
    pytest.param({"done_on": None}, "done_on", services.DATE_REQUIRED, id="no-date"),
    pytest.param({"done_on": TODAY + dt.timedelta(days=1)}, "done_on", services.DATE_IN_FUTURE, id="future"),
    pytest.param({"done_on": dt.date(2026, 8, 1)}, "done_on",
                 "The date it was done must be on or after 2 August 2026: work done up to 3 months before the "
                 "start counts", id="before-earlier-work"),
])
def test_closing_as_done_refuses_bad_input_and_writes_nothing(case, po, kwargs, field, message):
    recompute(case)
    enquiry = task(case, "DOMESTIC_ABUSE_ENQUIRY")
    with pytest.raises(DomainValidationError) as exc:
        close(enquiry, po, **kwargs)
    assert exc.value.errors == {field: message}
    assert task(case, "DOMESTIC_ABUSE_ENQUIRY").status == TaskStatus.OPEN
    assert not AuditEvent.objects.filter(action="safeguard_task.close_done").exists()


def test_a_triggered_review_cannot_be_done_before_its_trigger(case, po):
    CaseEvent.objects.create(case=case, type="ARREST", occurred_on=dt.date(2026, 11, 20), notes="x")
    recompute(case)
    with pytest.raises(DomainValidationError) as exc:
        close(task(case, "RISK_REVIEW", "ARREST"), po, done_on=dt.date(2026, 11, 19))
    assert exc.value.errors == {"done_on": services.DATE_BEFORE_TASK.format(date="20 November 2026")}


def test_one_review_closes_every_earlier_review_and_moves_the_periodic_one(case, po):
    CaseEvent.objects.create(case=case, type="ARREST", occurred_on=dt.date(2026, 11, 18), notes="x")
    CaseEvent.objects.create(case=case, type="CHANGE_OF_ADDRESS", occurred_on=dt.date(2026, 11, 19), notes="x")
    recompute(case)
    arrest = close(task(case, "RISK_REVIEW", "ARREST"), po, done_on=dt.date(2026, 11, 20), outcome="Reviewed")
    moved = task(case, "RISK_REVIEW", "CHANGE_OF_ADDRESS")
    assert (moved.status, moved.done_on, moved.met_by, moved.decided_by) == ("DONE", dt.date(2026, 11, 20),
                                                                             arrest, None)
    periodic = SafeguardTask.objects.filter(case=case, trigger="PERIODIC").order_by("created_on")
    assert [(p.created_on, p.status, p.met_by) for p in periodic] == [
        (START, "DONE", arrest), (dt.date(2026, 11, 20), "OPEN", None)]


def test_a_closed_task_cannot_be_closed_again(case, po):
    recompute(case)
    enquiry = task(case, "DOMESTIC_ABUSE_ENQUIRY")
    close(enquiry, po)
    with pytest.raises(DomainValidationError) as exc:
        close(enquiry, po, expected_version=2)
    assert exc.value.errors == {"": services.ALREADY_CLOSED}


def test_a_stale_version_is_refused(case, po):
    recompute(case)
    enquiry = task(case, "DOMESTIC_ABUSE_ENQUIRY")
    SafeguardTask.objects.filter(pk=enquiry.pk).update(version=5)
    with pytest.raises(ConcurrentEditError):
        close(enquiry, po)


def test_two_people_closing_at_once_exactly_one_wins(case, po, spo):
    """Both read the task open at version 1 before either writes: the conditional write admits one."""
    recompute(case)
    enquiry = task(case, "DOMESTIC_ABUSE_ENQUIRY")
    read_before_either_wrote = SafeguardTask.objects.select_related("case").get(pk=enquiry.pk)
    outcomes = []
    with mock.patch.object(services, "_locked", lambda t, v: read_before_either_wrote):
        for person in (po, spo):
            try:
                close(enquiry, person, outcome=f"Police answered ({person.code})")
                outcomes.append("closed")
            except ConcurrentEditError:
                outcomes.append("refused")
    assert outcomes == ["closed", "refused"]
    assert AuditEvent.objects.filter(action="safeguard_task.close_done").count() == 1
    assert task(case, "DOMESTIC_ABUSE_ENQUIRY").decided_by == po


def test_someone_who_may_not_change_the_case_cannot_close_its_tasks(case):
    recompute(case)
    other = factories.StaffFactory()
    with pytest.raises(NotPermittedError):
        close(task(case, "DOMESTIC_ABUSE_ENQUIRY"), other)


# Not required.


def mark(t, by, reason="Lives alone; no children in the family", **kwargs):
    return services.task_mark_not_required(task=t, by=by.user, expected_version=t.version, reason=reason,
                                           today=TODAY, **kwargs)


def test_the_spo_may_decide_a_home_visit_is_not_required(po, spo):
    case = factories.AllocatedCaseFactory(manager=po)
    factories.CommunityOrderFactory(case=case, start_date=START)
    factories.RegistrationFactory(case=case, start_date=START)
    recompute(case)
    visit = mark(task(case, "HOME_VISIT", "REGISTRATION"), spo, reason="Lives in approved premises")
    assert (visit.status, visit.not_required_reason, visit.decided_by) == ("NOT_REQUIRED",
                                                                           "Lives in approved premises", spo)
    [row] = AuditEvent.objects.filter(action="safeguard_task.mark_not_required")
    assert row.detail == "Lives in approved premises"
    assert recompute(case).written == 0


def test_the_practitioner_may_not_decide_a_home_visit_is_not_required(po):
    case = factories.AllocatedCaseFactory(manager=po)
    factories.CommunityOrderFactory(case=case, start_date=START)
    factories.RegistrationFactory(case=case, start_date=START)
    recompute(case)
    with pytest.raises(NotPermittedError, match="not entitled"):
        mark(task(case, "HOME_VISIT", "REGISTRATION"), po)
    assert task(case, "HOME_VISIT", "REGISTRATION").status == TaskStatus.OPEN


def test_the_practitioner_may_decide_the_safeguarding_enquiry_without_children_contact(case, po):
    Case.objects.filter(pk=case.pk).update(children_contact="NO")
    case.refresh_from_db()
    recompute(case)
    enquiry = mark(task(case, "SAFEGUARDING_ENQUIRY"), po)
    assert enquiry.status == TaskStatus.NOT_REQUIRED


def test_the_safeguarding_enquiry_is_needed_while_children_contact_is_not_no(case, spo):
    recompute(case)
    with pytest.raises(DomainValidationError) as exc:
        mark(task(case, "SAFEGUARDING_ENQUIRY"), spo)
    assert exc.value.errors == {"": services.CHILDREN_CONTACT}


@pytest.mark.parametrize("safeguard", ["DOMESTIC_ABUSE_ENQUIRY", "INITIAL_ROSH_ASSESSMENT"])
def test_some_safeguards_are_never_waived_even_by_the_spo(case, spo, safeguard):
    recompute(case)
    with pytest.raises(DomainValidationError, match="can never be recorded as not required"):
        mark(task(case, safeguard), spo)


def arrest(case):
    CaseEvent.objects.create(case=case, type="ARREST", occurred_on=dt.date(2026, 11, 20), notes="x")
    recompute(case)
    return task(case, "RISK_REVIEW", "ARREST")


def test_a_reason_is_required(case, spo):
    with pytest.raises(DomainValidationError) as exc:
        mark(arrest(case), spo, reason=" ")
    assert exc.value.errors == {"reason": services.REASON_REQUIRED}


def test_the_periodic_review_is_never_not_required(case, spo):
    recompute(case)
    with pytest.raises(DomainValidationError) as exc:
        mark(task(case, "RISK_REVIEW", "PERIODIC"), spo)
    assert exc.value.errors == {"": services.PERIODIC_NOT_WAIVED}


def test_a_triggered_review_not_required_closes_and_stays_closed(case, spo):
    review = mark(arrest(case), spo, reason="Reviewed at the MAPPA meeting the same day")
    assert review.status == TaskStatus.NOT_REQUIRED
    assert task(case, "RISK_REVIEW", "PERIODIC").status == TaskStatus.OPEN
    assert recompute(case).written == 0


def test_who_decides_is_configurable(case, po):
    from casework.ruleset.services import rule_config_change

    admin = factories.AdminStaffFactory()
    rule_config_change(kind="SAFEGUARD_DECIDERS", key="default", by=admin.user, reason="Practitioners decide",
                       data={"home_visit": ["SPO"], "risk_review": ["PRACTITIONER", "SPO"],
                             "safeguarding_enquiry": ["SPO"],
                             "practitioner_safeguarding_when_no_children_contact": False})
    assert mark(arrest(case), po).status == TaskStatus.NOT_REQUIRED


# The record's writes recompute after they commit.


def test_recording_an_arrest_creates_its_review_after_commit(case, po, django_capture_on_commit_callbacks):
    from casework.supervision import services as supervision

    with django_capture_on_commit_callbacks(execute=True):
        supervision.case_event_record(case=case, by=po.user, type="ARREST", occurred_on=dt.date(2026, 11, 20),
                                      notes="Arrested", today=TODAY)
    review = task(case, "RISK_REVIEW", "ARREST")
    assert review.event.type == "ARREST" and review.status == TaskStatus.OPEN


def test_an_unacceptable_absence_creates_a_review_after_commit(case, po, django_capture_on_commit_callbacks):
    from casework.record import services as record

    contact = factories.AppointmentFactory(case=case)
    with django_capture_on_commit_callbacks(execute=True):
        record.contact_record_outcome(contact=contact, by=po.user, expected_version=contact.version,
                                      outcome="UNACCEPTABLE_ABSENCE")
    assert SafeguardTask.objects.filter(case=case, trigger="FAILURE_TO_COMPLY").count() == 1


def test_a_complied_appointment_does_not_recompute(case, po, django_capture_on_commit_callbacks):
    from casework.record import services as record

    contact = factories.AppointmentFactory(case=case)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        record.contact_record_outcome(contact=contact, by=po.user, expected_version=contact.version,
                                      outcome="ATTENDED_COMPLIED")
    assert callbacks == [] and not SafeguardTask.objects.exists()


def test_changing_children_contact_recomputes(case, po, django_capture_on_commit_callbacks):
    from casework.record import services as record

    with django_capture_on_commit_callbacks(execute=True):
        record.case_update_personal_details(case=case, by=po.user, expected_version=case.version,
                                            children_contact="NO")
    assert SafeguardTask.objects.filter(case=case, safeguard="SAFEGUARDING_ENQUIRY").exists()


def test_a_failed_recompute_after_commit_is_logged_not_raised(case, po, django_capture_on_commit_callbacks, caplog):
    with mock.patch.object(services, "tasks_recompute", side_effect=RuntimeError("engine down")), \
            django_capture_on_commit_callbacks(execute=True):
        services.recompute_on_commit(case, "arrest recorded", po.user)
    assert "were not recomputed after: arrest recorded" in caplog.text
