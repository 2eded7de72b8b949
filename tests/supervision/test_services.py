"""The supervision cycle's writes: validation, audit rows with before and after, stale versions, the tier."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.core.errors import ConcurrentEditError, DomainValidationError, NotPermittedError
from casework.record.models import Contact, Registration, RiskAssessment, TierCalculation
from casework.supervision import services
from casework.supervision.models import CaseEvent, RegistrationChange, RiskManagementPlan
from casework.supervision.selectors import registration_version
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def case(po):
    case = factories.AllocatedCaseFactory(manager=po)
    factories.CommunityOrderFactory(case=case)
    return case


def audits(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def refused(fn, **kwargs) -> dict[str, str]:
    with pytest.raises(DomainValidationError) as exc:
        fn(**kwargs)
    return exc.value.errors


# Risk events.


def test_an_arrest_is_recorded_and_audited(case, po):
    event = services.case_event_record(case=case, by=po.user, type="ARREST", occurred_on=TODAY,
                                       notes="Arrested after a fight", today=TODAY)
    assert (event.type, event.occurred_on, event.recorded_by) == ("ARREST", TODAY, po.user)
    [row] = audits("case_event.record")
    assert row.after == {"type": "ARREST", "occurred_on": "2026-11-27"} and row.crn == case.crn


@pytest.mark.parametrize("kwargs, field, message", [
    pytest.param({"type": "PARTY"}, "type", services.EVENT_TYPE_UNKNOWN, id="unknown-code"),
    pytest.param({"type": "REGISTRATION_ADDED"}, "type", "A new registration is not recorded here",
                 id="registration-event-by-hand"),
    pytest.param({"type": "RELEASE"}, "type", services.RELEASE_NOT_CUSTODIAL, id="release-on-an-order"),
    pytest.param({"occurred_on": TODAY + dt.timedelta(days=1)}, "occurred_on",
                 "The date of the event must be today or in the past", id="in-the-future"),
    pytest.param({"occurred_on": dt.date(1980, 1, 1)}, "occurred_on",
                 "The date of the event must be on or after their date of birth, 31 March 1990", id="before-birth"),
    pytest.param({"notes": "  "}, "notes", services.EVENT_NOTES_REQUIRED, id="no-notes"),
])
def test_bad_events_are_refused_and_nothing_is_written(case, po, kwargs, field, message):
    call = {"case": case, "by": po.user, "type": "CHARGE", "occurred_on": TODAY, "notes": "Charged", "today": TODAY}
    assert refused(services.case_event_record, **(call | kwargs))[field] == message
    assert not CaseEvent.objects.exists() and not AuditEvent.objects.exists()


def test_a_release_is_recorded_on_a_licence(po):
    case = factories.AllocatedCaseFactory(manager=po)
    factories.LicenceFactory(case=case)
    event = services.case_event_record(case=case, by=po.user, type="RELEASE", occurred_on=TODAY, notes="Released",
                                       today=TODAY)
    assert event.get_type_display() == "Release from custody"


def test_someone_who_may_not_change_the_case_cannot_record_on_it(case, team):
    other = factories.StaffFactory(team=team)
    with pytest.raises(NotPermittedError):
        services.case_event_record(case=case, by=other.user, type="ARREST", occurred_on=TODAY, notes="x",
                                   today=TODAY)
    with pytest.raises(NotPermittedError):
        services.registration_add(case=case, by=other.user, type_code="ADVP", start_date=TODAY, reason="x",
                                  today=TODAY)


# Appointments and home visits.


def test_a_home_visit_is_arranged_at_the_current_address(case, po):
    factories.AddressFactory(case=case)
    when = timezone.now() + dt.timedelta(days=2)
    visit = services.appointment_arrange(case=case, by=po.user, kind="HOME_VISIT", starts_at=when)
    assert (visit.kind, visit.location, visit.staff) == ("HOME_VISIT", "1 High Street, Sheffield, S1 2AB", po)
    assert audits("appointment.arrange")[0].after["location"] == "1 High Street, Sheffield, S1 2AB"


@pytest.mark.parametrize("kwargs, field, message", [
    pytest.param({"kind": "CASE_NOTE"}, "kind", services.APPOINTMENT_KIND_UNKNOWN, id="not-an-appointment"),
    pytest.param({"kind": "TEA"}, "kind", services.APPOINTMENT_KIND_UNKNOWN, id="unknown-code"),
    pytest.param({"starts_at": -1}, "starts_at", services.APPOINTMENT_IN_PAST, id="in-the-past"),
    pytest.param({"starts_at": 800}, "starts_at", services.APPOINTMENT_TOO_FAR_AHEAD, id="too-far-ahead"),
    pytest.param({"ends_at": -1}, "ends_at", services.APPOINTMENT_ENDS_BEFORE_START, id="ends-before-start"),
])
def test_bad_appointments_are_refused(case, po, kwargs, field, message):
    now = timezone.now()
    call = {"kind": "OFFICE_APPOINTMENT", "starts_at": now + dt.timedelta(days=1), "ends_at": None}
    call |= kwargs
    if isinstance(call["starts_at"], int):
        call["starts_at"] = now + dt.timedelta(days=call["starts_at"])
    if isinstance(call["ends_at"], int):
        call["ends_at"] = call["starts_at"] + dt.timedelta(hours=call["ends_at"])
    before = Contact.objects.count()
    assert refused(services.appointment_arrange, case=case, by=po.user, now=now, **call)[field] == message
    assert Contact.objects.count() == before and not AuditEvent.objects.exists()


def test_rescheduling_moves_the_appointment_keeps_the_reason_and_audits_before_and_after(case, po):
    contact = factories.FutureAppointmentFactory(case=case, location="Office")
    new = contact.starts_at + dt.timedelta(days=2)
    moved = services.appointment_reschedule(contact=contact, by=po.user, expected_version=contact.version,
                                            starts_at=new, reason="Job interview")
    assert (moved.starts_at, moved.version) == (new, contact.version + 1)
    assert "Job interview" in moved.notes
    [row] = audits("appointment.reschedule")
    assert row.before["starts_at"] == contact.starts_at.isoformat()
    assert row.after["starts_at"] == new.isoformat()


def test_a_stale_reschedule_is_refused(case, po):
    contact = factories.FutureAppointmentFactory(case=case)
    kwargs = {"contact": contact, "by": po.user, "expected_version": contact.version, "reason": "Ill"}
    services.appointment_reschedule(starts_at=contact.starts_at + dt.timedelta(days=1), **kwargs)
    with pytest.raises(ConcurrentEditError):
        services.appointment_reschedule(starts_at=contact.starts_at + dt.timedelta(days=3), **kwargs)
    assert len(audits("appointment.reschedule")) == 1


def test_an_appointment_that_has_started_is_not_rescheduled(case, po):
    contact = factories.AppointmentFactory(case=case)
    errors = refused(services.appointment_reschedule, contact=contact, by=po.user, expected_version=contact.version,
                     starts_at=timezone.now() + dt.timedelta(days=1), reason="Missed")
    assert errors == {"": services.APPOINTMENT_ALREADY_HAPPENED}


def test_a_reschedule_needs_a_reason_and_a_new_time(case, po):
    contact = factories.FutureAppointmentFactory(case=case)
    errors = refused(services.appointment_reschedule, contact=contact, by=po.user, expected_version=contact.version,
                     starts_at=contact.starts_at, reason=" ")
    assert errors == {"starts_at": services.APPOINTMENT_SAME_TIME, "reason": services.RESCHEDULE_REASON_REQUIRED}


# Registrations.


def test_adding_a_registration_records_its_event_version_and_audit(case, po):
    registration = services.registration_add(case=case, by=po.user, type_code="ADVP", start_date=TODAY,
                                             reason="Police call-out history", today=TODAY)
    assert registration.next_review_date == TODAY + dt.timedelta(weeks=26)
    assert registration_version(registration) == 1
    event = CaseEvent.objects.get(case=case)
    assert (event.type, event.occurred_on, event.registration) == ("REGISTRATION_ADDED", TODAY, registration)
    [row] = audits("registration.add")
    assert row.after["type"] == "ADVP" and row.after["event"] == event.pk and row.before is None


@pytest.mark.parametrize("kwargs, field, message", [
    pytest.param({"type_code": "NOPE"}, "type_code", services.REGISTRATION_TYPE_UNKNOWN, id="unknown-code"),
    pytest.param({"type_code": "MAPP"}, "level", services.MAPPA_LEVEL_REQUIRED, id="mappa-without-level"),
    pytest.param({"type_code": "MAPP", "level": 4, "category": 1}, "level", services.MAPPA_LEVEL_RANGE,
                 id="mappa-level-4"),
    pytest.param({"level": 2}, "level", services.MAPPA_ONLY, id="level-on-another-type"),
    pytest.param({"start_date": TODAY + dt.timedelta(days=1)}, "start_date",
                 "The registration date must be today or in the past", id="in-the-future"),
    pytest.param({"next_review_date": TODAY}, "next_review_date",
                 "The next review date must be after the registration date", id="review-not-after"),
])
def test_bad_registrations_are_refused_and_nothing_is_written(case, po, kwargs, field, message):
    call = {"case": case, "by": po.user, "type_code": "RCCO", "start_date": TODAY, "reason": "x", "today": TODAY}
    assert refused(services.registration_add, **(call | kwargs))[field] == message
    assert not Registration.objects.exists() and not CaseEvent.objects.exists() and not AuditEvent.objects.exists()


def test_a_second_active_registration_of_the_same_type_is_refused(case, po):
    factories.RegistrationFactory(case=case)
    errors = refused(services.registration_add, case=case, by=po.user, type_code="ADVP", start_date=TODAY,
                     reason="x", today=TODAY)
    assert errors["type_code"].startswith("They already have an active Domestic abuse perpetrator registration")


def test_a_review_moves_the_next_review_and_is_audited_with_before_and_after(case, po):
    registration = factories.RegistrationFactory(case=case, next_review_date=dt.date(2026, 7, 12))
    reviewed = services.registration_review(registration=registration, by=po.user, expected_version=0,
                                            reviewed_on=TODAY, next_review_date=dt.date(2027, 5, 27),
                                            notes="Still relevant", today=TODAY)
    assert reviewed.next_review_date == dt.date(2027, 5, 27)
    [row] = audits("registration.review")
    assert (row.before["next_review_date"], row.after["next_review_date"]) == ("2026-07-12", "2027-05-27")
    assert RegistrationChange.objects.get(registration=registration).kind == "REVIEWED"


def test_a_stale_review_or_deregistration_is_refused(case, po):
    registration = factories.RegistrationFactory(case=case)
    services.registration_review(registration=registration, by=po.user, expected_version=0, reviewed_on=TODAY,
                                 next_review_date=TODAY + dt.timedelta(days=90), notes="Reviewed", today=TODAY)
    with pytest.raises(ConcurrentEditError):
        services.registration_deregister(registration=registration, by=po.user, expected_version=0,
                                         ended_on=TODAY, reason="No longer needed", today=TODAY)
    assert Registration.objects.get(pk=registration.pk).end_date is None
    assert registration_version(registration) == 1


def test_two_changes_claiming_the_same_version_cannot_both_be_written(case, po):
    registration = factories.RegistrationFactory(case=case)
    RegistrationChange.objects.create(registration=registration, version=1, kind="REVIEWED", on=TODAY)
    with pytest.raises(ConcurrentEditError):
        services._claim_version(registration, 0, kind="REVIEWED", on=TODAY)


@pytest.mark.parametrize("kwargs, field, message", [
    pytest.param({"reason": "  "}, "reason", services.DEREGISTER_REASON_REQUIRED, id="no-reason"),
    pytest.param({"ended_on": TODAY + dt.timedelta(days=1)}, "ended_on",
                 "The date the registration ended must be today or in the past", id="in-the-future"),
    pytest.param({"ended_on": dt.date(2026, 1, 1)}, "ended_on",
                 "The date the registration ended must be on or after the registration date, 12 January 2026",
                 id="before-it-started"),
])
def test_a_deregistration_needs_a_reason_and_a_real_date(case, po, kwargs, field, message):
    registration = factories.RegistrationFactory(case=case)
    call = {"registration": registration, "by": po.user, "expected_version": 0, "ended_on": TODAY,
            "reason": "Risk reduced", "today": TODAY}
    assert refused(services.registration_deregister, **(call | kwargs))[field] == message
    assert Registration.objects.get(pk=registration.pk).end_date is None
    assert not RegistrationChange.objects.exists() and not AuditEvent.objects.exists()


def test_an_ended_registration_is_not_changed_again(case, po):
    registration = factories.RegistrationFactory(case=case)
    services.registration_deregister(registration=registration, by=po.user, expected_version=0, ended_on=TODAY,
                                     reason="Risk reduced", today=TODAY)
    errors = refused(services.registration_deregister, registration=registration, by=po.user, expected_version=1,
                     ended_on=TODAY, reason="Again", today=TODAY)
    assert errors == {"": services.REGISTRATION_ENDED}


# Risk assessments and plans.


def test_a_risk_assessment_is_recorded_with_groups_scores_and_needs(case, po):
    assessment = services.risk_assessment_record(
        case=case, by=po.user, assessed_on=TODAY, source="OASYS_LAYER_3", rosh_overall="HIGH", rosh_public="MEDIUM",
        rosh_children="HIGH", ogrs=55, rsr=Decimal("4.20"), needs={"ACCOMMODATION": "SEVERE"}, today=TODAY)
    stored = RiskAssessment.objects.get(pk=assessment.pk)
    assert (stored.rosh_children, stored.ogrs, stored.needs) == ("HIGH", 55, {"ACCOMMODATION": "SEVERE"})
    [row] = audits("risk_assessment.record")
    assert row.after["rosh_overall"] == "HIGH" and row.after["rsr"] == "4.20"


@pytest.mark.parametrize("kwargs, field, message", [
    pytest.param({"rosh_overall": ""}, "rosh_overall", services.ROSH_OVERALL_REQUIRED, id="no-overall"),
    pytest.param({"rosh_children": "VERY_HIGH"}, "rosh_overall",
                 "The overall risk of serious harm must be at least the highest level for any group (very high)",
                 id="overall-below-a-group"),
    pytest.param({"rosh_staff": "SEVERE"}, "rosh_staff", services.ROSH_UNKNOWN, id="unknown-level"),
    pytest.param({"source": "GUESS"}, "source", services.ASSESSMENT_SOURCE_UNKNOWN, id="unknown-source"),
    pytest.param({"ogrs": 101}, "ogrs", "The OGRS must be a number from 0 to 100", id="ogrs-over-100"),
    pytest.param({"needs": {"COOKING": "SEVERE"}}, "needs", services.NEED_UNKNOWN, id="unknown-need"),
    pytest.param({"dc_srp_band": "HIGH"}, "dc_srp_score", services.DC_SRP_SCORE_REQUIRED, id="band-no-score"),
    pytest.param({"assessed_on": TODAY + dt.timedelta(days=1)}, "assessed_on",
                 "The date of the assessment must be today or in the past", id="in-the-future"),
])
def test_bad_risk_assessments_are_refused_and_nothing_is_written(case, po, kwargs, field, message):
    call = {"case": case, "by": po.user, "assessed_on": TODAY, "source": "OASYS_LAYER_3", "rosh_overall": "HIGH",
            "today": TODAY}
    assert refused(services.risk_assessment_record, **(call | kwargs))[field] == message
    assert not RiskAssessment.objects.exists() and not AuditEvent.objects.exists()


def test_risk_management_plans_are_versioned_and_a_stale_one_is_refused(case, po):
    text = {"risks": "Ex-partner", "supervision": "Weekly", "contingency": "Police", "today": TODAY}
    first = services.risk_management_plan_record(case=case, by=po.user, expected_version=0, agreed_on=TODAY,
                                                 next_review_on=TODAY + dt.timedelta(weeks=16), **text)
    second = services.risk_management_plan_record(case=case, by=po.user, expected_version=1, agreed_on=TODAY,
                                                  next_review_on=TODAY + dt.timedelta(weeks=8),
                                                  **(text | {"supervision": "Twice a week"}))
    assert (first.version, second.version) == (1, 2)
    rows = audits("risk_management_plan.record")
    assert rows[0].before is None
    assert (rows[1].before["supervision"], rows[1].after["supervision"]) == ("Weekly", "Twice a week")
    with pytest.raises(ConcurrentEditError):
        services.risk_management_plan_record(case=case, by=po.user, expected_version=1, agreed_on=TODAY,
                                             next_review_on=TODAY + dt.timedelta(weeks=8), **text)
    assert RiskManagementPlan.objects.count() == 2


def test_a_plan_needs_its_parts(case, po):
    errors = refused(services.risk_management_plan_record, case=case, by=po.user, expected_version=0,
                     agreed_on=TODAY, next_review_on=TODAY, risks="", supervision=" ", contingency="", today=TODAY)
    assert set(errors) == {"next_review_on", "risks", "supervision", "contingency"}


# The tier is recalculated on commit when what it reads changes.


def _calculations(case) -> list[str]:
    return list(TierCalculation.objects.filter(case=case).order_by("id").values_list("trigger", flat=True))


def test_a_risk_assessment_recalculates_the_tier_on_commit(case, po, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.risk_assessment_record(case=case, by=po.user, assessed_on=TODAY, source="OASYS_LAYER_3",
                                        rosh_overall="VERY_HIGH", today=TODAY)
    assert _calculations(case) == ["risk assessment recorded"]
    case.refresh_from_db()
    assert (case.rosh, case.tier[0]) == ("VERY_HIGH", "A")


def test_registrations_recalculate_the_tier_on_commit(case, po, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        registration = services.registration_add(case=case, by=po.user, type_code="MAPP", level=2, category=1,
                                                 start_date=TODAY, reason="MAPPA meeting", today=TODAY)
    case.refresh_from_db()
    assert case.tier.startswith("A")  # MAPPA level 2: 150 points
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_deregister(registration=registration, by=po.user, expected_version=1,
                                         ended_on=TODAY, reason="MAPPA ended", today=TODAY)
    case.refresh_from_db()
    assert not case.tier.startswith("A")
    assert _calculations(case) == ["registration added: MAPPA", "registration ended: MAPPA"]


def test_nothing_is_recalculated_when_the_write_is_refused(case, po, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(DomainValidationError):
        services.risk_assessment_record(case=case, by=po.user, assessed_on=TODAY, source="OASYS_LAYER_3",
                                        rosh_overall="", today=TODAY)
    assert callbacks == [] and _calculations(case) == []


def test_a_review_that_changes_the_mappa_level_recalculates_the_tier(case, po, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        registration = services.registration_add(case=case, by=po.user, type_code="MAPP", level=1, category=2,
                                                 start_date=TODAY, reason="MAPPA meeting", today=TODAY)
    with django_capture_on_commit_callbacks(execute=True) as unchanged:
        services.registration_review(registration=registration, by=po.user, expected_version=1, reviewed_on=TODAY,
                                     next_review_date=TODAY + dt.timedelta(weeks=12), notes="Same", today=TODAY)
    assert unchanged == []  # level and category as they were: nothing the tier reads changed
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_review(registration=registration, by=po.user, expected_version=2, reviewed_on=TODAY,
                                     next_review_date=TODAY + dt.timedelta(weeks=12), notes="Raised", level=3,
                                     today=TODAY)
    case.refresh_from_db()
    assert case.tier.startswith("A")
    assert Registration.objects.get(pk=registration.pk).level == 3
    assert _calculations(case) == ["registration added: MAPPA", "registration reviewed: MAPPA"]
