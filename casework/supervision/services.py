"""Every write of the supervision cycle. One transaction each, with its one audit row inside it.

Appointments and home visits, registrations, risk assessments, risk management plans and the risk
events of rules.md §4. Changes to something the tier reads (registrations, risk assessments)
recalculate the tier after commit, as ``case_update_personal_details`` does for gender.
Edits of an existing row refuse a stale version (``ConcurrentEditError``): contacts by their
``version`` column, registrations and risk plans by the unique version of their change rows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from casework.access.viewer import viewer_for
from casework.access.visibility import can_change
from casework.audit.services import audit_record
from casework.core.errors import ConcurrentEditError, DomainValidationError, NotPermittedError
from casework.enforcement import services as enforcement_services
from casework.record.choices import (
    ContactKind,
    DcSrpBand,
    Need,
    NeedSeverity,
    RiskLevel,
    RiskSource,
    SentenceKind,
    SentenceStatus,
)
from casework.record.models import Case, Contact, Registration, RegistrationType, RiskAssessment
from casework.record.services import tier_recalculate
from casework.rules import contacts
from casework.rules.supervision import RiskEventType
from casework.safeguards import services as safeguard_services
from casework.supervision.choices import RECORDED_BY_HAND, CaseEventType, RegistrationChangeKind
from casework.supervision.models import CaseEvent, RegistrationChange, RiskManagementPlan
from casework.supervision.selectors import registration_version

# Messages (GOV.UK style); tests import them.
DATE_IN_FUTURE = "The {what} must be today or in the past"
DATE_BEFORE_BIRTH = "The {what} must be on or after their date of birth, {date}"
EVENT_TYPE_UNKNOWN = "Select the type of event"
EVENT_NOT_BY_HAND = "A {label} is not recorded here"
EVENT_NOTES_REQUIRED = "Enter what happened"
RELEASE_NOT_CUSTODIAL = "A release can only be recorded for someone serving a custodial sentence"
APPOINTMENT_KIND_UNKNOWN = "Select the type of appointment"
APPOINTMENT_IN_PAST = "The appointment must be in the future. To record one that has happened, record a contact"
APPOINTMENT_TOO_FAR_AHEAD = "Appointments can be arranged up to 2 years ahead"
APPOINTMENT_ENDS_BEFORE_START = "The end time must be after the start time"
APPOINTMENT_ALREADY_HAPPENED = ("This appointment has already started, so it cannot be rescheduled. "
                                "Record its outcome, then arrange a new appointment")
APPOINTMENT_HAS_OUTCOME = "This appointment already has an outcome, so it cannot be rescheduled"
APPOINTMENT_NOT_AN_APPOINTMENT = "Only appointments can be rescheduled"
APPOINTMENT_SAME_TIME = "Enter a different date or time from the one already arranged"
RESCHEDULE_REASON_REQUIRED = "Enter why the appointment is being rescheduled"
REGISTRATION_TYPE_UNKNOWN = "Select the type of registration"
REGISTRATION_ALREADY_ACTIVE = "They already have an active {name} registration. Review it instead of adding another"
MAPPA_LEVEL_REQUIRED = "Select the MAPPA level"
MAPPA_CATEGORY_REQUIRED = "Select the MAPPA category"
MAPPA_ONLY = "Only a MAPPA registration has a level and a category"
MAPPA_LEVEL_RANGE = "The MAPPA level must be 1, 2 or 3"
MAPPA_CATEGORY_RANGE = "The MAPPA category must be 1, 2, 3 or 4"
REVIEW_DATE_NOT_AFTER = "The next review date must be after the {what}"
REGISTRATION_ENDED = "This registration has already ended"
REGISTRATION_BEFORE_START = "The {what} must be on or after the registration date, {date}"
DEREGISTER_REASON_REQUIRED = "Enter the reason for ending the registration"
REVIEW_NOTES_REQUIRED = "Enter what the review found"
ASSESSMENT_SOURCE_UNKNOWN = "Select the type of assessment"
ROSH_UNKNOWN = "Select a risk level"
ROSH_OVERALL_REQUIRED = "Select the overall risk of serious harm"
ROSH_OVERALL_TOO_LOW = "The overall risk of serious harm must be at least the highest level for any group ({level})"
SCORE_RANGE = "The {name} must be a number from 0 to {top}"
DC_SRP_SCORE_REQUIRED = "Enter the DC-SRP score for the band given"
NEED_UNKNOWN = "Select the severity of each need from the list"
PLAN_TEXT_REQUIRED = "Enter {what}"

# The score limits people can enter: percentages, and the RSR's 999.99 "not calculated" sentinel is
# never typed in (leave the score empty instead).
SCORE_TOPS = {"ogrs": 100, "rsr": Decimal("99.99"), "arp": 100, "csrp": 100, "dc_srp_score": Decimal("99.99")}
SCORE_NAMES = {"ogrs": "OGRS", "rsr": "RSR", "arp": "ARP", "csrp": "CSRP", "dc_srp_score": "DC-SRP score"}
ROSH_GROUP_FIELDS = ("rosh_public", "rosh_known_adult", "rosh_children", "rosh_staff", "rosh_prisoners")
PLAN_FIELDS = ("agreed_on", "next_review_on", "risks", "supervision", "interventions", "victim_safety", "contingency")
PLAN_REQUIRED = {"risks": "who is at risk, from what, and when", "supervision": "how they will be supervised",
                 "contingency": "what will be done if the risk rises"}
MAPPA = "MAPP"


def _check_can_change(by, case: Case) -> None:
    if not can_change(viewer_for(by), case):
        raise NotPermittedError(f"{by.get_username()} may not change case {case.crn}")


def _long(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _check_done_date(errors: dict[str, str], field: str, value: dt.date, *, what: str, case: Case,
                     today: dt.date) -> None:
    """A date of something already done: not in the future, not before the person was born."""
    if value > today:
        errors[field] = DATE_IN_FUTURE.format(what=what)
    elif value < case.date_of_birth:
        errors[field] = DATE_BEFORE_BIRTH.format(what=what, date=_long(case.date_of_birth))


def _staff(by):
    return getattr(by, "staff", None)


def _recalculate_tier_on_commit(case: Case, trigger: str, by) -> None:
    transaction.on_commit(lambda: tier_recalculate(case=case, trigger=trigger, by=by))


# Risk events (rules.md §4's triggers for a risk review).


def _has_custodial_sentence(case: Case) -> bool:
    """A current custodial sentence (custody then licence, or post-sentence supervision after one)."""
    return case.sentences.exclude(status=SentenceStatus.ENDED).filter(
        kind__in=[SentenceKind.CUSTODY, SentenceKind.POST_SENTENCE_SUPERVISION]).exists()


@transaction.atomic
def case_event_record(*, case: Case, by, type: str, occurred_on: dt.date, notes: str,
                      today: dt.date | None = None) -> CaseEvent:
    """Record an arrest, a charge, a domestic abuse call-out, a change of address or household, or a release."""
    _check_can_change(by, case)
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if type not in CaseEventType.values:
        errors["type"] = EVENT_TYPE_UNKNOWN
    elif type not in RECORDED_BY_HAND:
        errors["type"] = EVENT_NOT_BY_HAND.format(label=CaseEventType(type).label.lower())
    elif type == RiskEventType.RELEASE and not _has_custodial_sentence(case):
        # The safeguards rules refuse a release on an order (rules.md §4.1).
        errors["type"] = RELEASE_NOT_CUSTODIAL
    _check_done_date(errors, "occurred_on", occurred_on, what="date of the event", case=case, today=today)
    if not notes.strip():
        errors["notes"] = EVENT_NOTES_REQUIRED
    if errors:
        raise DomainValidationError(errors)
    event = CaseEvent.objects.create(case=case, type=type, occurred_on=occurred_on, notes=notes.strip(),
                                     recorded_by=by)
    audit_record(actor=by, action="case_event.record", obj=event, crn=case.crn,
                 after={"type": type, "occurred_on": occurred_on})
    safeguard_services.recompute_on_commit(case, f"{event.get_type_display().lower()} recorded", by)
    enforcement_services.recompute_on_commit(case, f"{event.get_type_display().lower()} recorded", by)
    return event


# Appointments and home visits.


def _check_appointment_time(errors: dict[str, str], starts_at: dt.datetime, ends_at: dt.datetime | None,
                            now: dt.datetime) -> None:
    if starts_at <= now:
        errors["starts_at"] = APPOINTMENT_IN_PAST
    elif starts_at > now + dt.timedelta(days=731):
        errors["starts_at"] = APPOINTMENT_TOO_FAR_AHEAD
    if ends_at is not None and ends_at <= starts_at:
        errors["ends_at"] = APPOINTMENT_ENDS_BEFORE_START


@transaction.atomic
def appointment_arrange(*, case: Case, by, kind: str, starts_at: dt.datetime, ends_at: dt.datetime | None = None,
                        location: str = "", notes: str = "", now: dt.datetime | None = None) -> Contact:
    """Arrange an appointment or a home visit in the future; audited."""
    _check_can_change(by, case)
    now = now or timezone.now()
    errors: dict[str, str] = {}
    if kind not in ContactKind.values or not contacts.is_appointment(kind):
        errors["kind"] = APPOINTMENT_KIND_UNKNOWN
    _check_appointment_time(errors, starts_at, ends_at, now)
    if errors:
        raise DomainValidationError(errors)
    if not location and kind == ContactKind.HOME_VISIT:
        address = case.addresses.filter(end_date__isnull=True, no_fixed_abode=False).first()
        location = ", ".join(address.lines) if address else ""
    sentence = case.sentences.exclude(status=SentenceStatus.ENDED).order_by("-sentence_date").first()
    contact = Contact.objects.create(case=case, sentence=sentence, kind=kind, starts_at=starts_at, ends_at=ends_at,
                                     staff=_staff(by), location=location[:200], notes=notes.strip(),
                                     created_by=by)
    audit_record(actor=by, action="appointment.arrange", obj=contact, crn=case.crn,
                 after={"kind": kind, "starts_at": starts_at, "ends_at": ends_at, "location": contact.location})
    return contact


@transaction.atomic
def appointment_reschedule(*, contact: Contact, by, expected_version: int, starts_at: dt.datetime,
                           ends_at: dt.datetime | None = None, location: str | None = None, reason: str,
                           now: dt.datetime | None = None) -> Contact:
    """Move an appointment that has not happened yet to a new time; refuses a stale edit; audited.

    An appointment that has started is never moved: that would hide an absence. It gets an outcome
    (``Rescheduled`` among them) and a new appointment is arranged.
    """
    case = contact.case
    _check_can_change(by, case)
    now = now or timezone.now()
    if not contacts.is_appointment(contact.kind):
        raise DomainValidationError({"": APPOINTMENT_NOT_AN_APPOINTMENT})
    if contact.outcome:
        raise DomainValidationError({"": APPOINTMENT_HAS_OUTCOME})
    if contact.starts_at <= now:
        raise DomainValidationError({"": APPOINTMENT_ALREADY_HAPPENED})
    errors: dict[str, str] = {}
    _check_appointment_time(errors, starts_at, ends_at, now)
    location = contact.location if location is None else location.strip()[:200]
    if not errors and (starts_at, ends_at) == (contact.starts_at, contact.ends_at):
        errors["starts_at"] = APPOINTMENT_SAME_TIME
    if not reason.strip():
        errors["reason"] = RESCHEDULE_REASON_REQUIRED
    if errors:
        raise DomainValidationError(errors)
    note = f"Rescheduled from {timezone.localtime(contact.starts_at):%d %B %Y %H:%M}: {reason.strip()}"
    rows = Contact.objects.filter(pk=contact.pk, version=expected_version, outcome="").update(
        starts_at=starts_at, ends_at=ends_at, location=location,
        notes=f"{contact.notes}\n\n{note}".strip(), version=F("version") + 1,
    )
    if rows != 1:
        raise ConcurrentEditError()
    audit_record(actor=by, action="appointment.reschedule", obj=contact, crn=case.crn,
                 before={"starts_at": contact.starts_at, "ends_at": contact.ends_at, "location": contact.location},
                 after={"starts_at": starts_at, "ends_at": ends_at, "location": location}, detail=reason.strip())
    return Contact.objects.get(pk=contact.pk)


# Registrations.


def _claim_version(registration: Registration, expected_version: int, **change) -> RegistrationChange:
    """Write change ``expected_version + 1``; a change made since (or at the same moment) refuses this one."""
    if registration_version(registration) != expected_version:
        raise ConcurrentEditError()
    try:
        with transaction.atomic():
            return RegistrationChange.objects.create(registration=registration, version=expected_version + 1,
                                                     **change)
    except IntegrityError:
        raise ConcurrentEditError() from None


def _check_mappa(errors: dict[str, str], code: str, level: int | None, category: int | None) -> None:
    if code == MAPPA:
        if level is None:
            errors["level"] = MAPPA_LEVEL_REQUIRED
        elif not 1 <= level <= 3:
            errors["level"] = MAPPA_LEVEL_RANGE
        if category is None:
            errors["category"] = MAPPA_CATEGORY_REQUIRED
        elif not 1 <= category <= 4:
            errors["category"] = MAPPA_CATEGORY_RANGE
    elif level is not None or category is not None:
        errors["level" if level is not None else "category"] = MAPPA_ONLY


def _default_review(start: dt.date, registration_type: RegistrationType) -> dt.date | None:
    weeks = registration_type.review_period_weeks
    return start + dt.timedelta(weeks=weeks) if weeks else None


def _registration_state(registration: Registration) -> dict[str, Any]:
    return {"type": registration.type.code, "level": registration.level, "category": registration.category,
            "start_date": registration.start_date, "next_review_date": registration.next_review_date,
            "end_date": registration.end_date}


@transaction.atomic
def registration_add(*, case: Case, by, type_code: str, start_date: dt.date, reason: str,
                     next_review_date: dt.date | None = None, level: int | None = None,
                     category: int | None = None, today: dt.date | None = None) -> Registration:
    """Register a risk flag on the case, with a ``REGISTRATION_ADDED`` event; recalculates the tier after commit."""
    _check_can_change(by, case)
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    registration_type = RegistrationType.objects.filter(code=type_code).first()
    if registration_type is None:
        errors["type_code"] = REGISTRATION_TYPE_UNKNOWN
    else:
        _check_mappa(errors, type_code, level, category)
        if case.registrations.filter(type=registration_type, end_date__isnull=True, historic=False).exists():
            errors["type_code"] = REGISTRATION_ALREADY_ACTIVE.format(name=registration_type.name)
        next_review_date = next_review_date or _default_review(start_date, registration_type)
    _check_done_date(errors, "start_date", start_date, what="registration date", case=case, today=today)
    if next_review_date is not None and next_review_date <= start_date:
        errors["next_review_date"] = REVIEW_DATE_NOT_AFTER.format(what="registration date")
    if errors:
        raise DomainValidationError(errors)
    staff = _staff(by)
    registration = Registration.objects.create(
        case=case, type=registration_type, level=level, category=category, start_date=start_date,
        next_review_date=next_review_date, notes=reason.strip(), registered_by=staff,
    )
    _claim_version(registration, 0, kind=RegistrationChangeKind.ADDED, on=start_date,
                   next_review_date=next_review_date, reason=reason.strip(), by=staff)
    # rules.md §4.1: a new registration triggers a risk review; the safeguards engine reads this event.
    event = CaseEvent.objects.create(case=case, type=RiskEventType.REGISTRATION_ADDED, occurred_on=start_date,
                                     registration=registration, notes=registration_type.name, recorded_by=by)
    audit_record(actor=by, action="registration.add", obj=registration, crn=case.crn,
                 after={**_registration_state(registration), "event": event.pk}, detail=reason.strip())
    _recalculate_tier_on_commit(case, f"registration added: {registration_type.name}", by)
    safeguard_services.recompute_on_commit(case, f"registration added: {registration_type.name}", by)
    return registration


def _locked_registration(registration: Registration) -> Registration:
    return Registration.objects.select_for_update().select_related("type", "case").get(pk=registration.pk)


@transaction.atomic
def registration_review(*, registration: Registration, by, expected_version: int, reviewed_on: dt.date,
                        next_review_date: dt.date, notes: str, level: int | None = None,
                        category: int | None = None, today: dt.date | None = None) -> Registration:
    """Record a review of an active registration and when it is next due; refuses a stale edit; audited."""
    current = _locked_registration(registration)
    case = current.case
    _check_can_change(by, case)
    today = today or timezone.localdate()
    if current.end_date is not None:
        raise DomainValidationError({"": REGISTRATION_ENDED})
    errors: dict[str, str] = {}
    if current.type.code == MAPPA:
        level = current.level if level is None else level
        category = current.category if category is None else category
    _check_mappa(errors, current.type.code, level, category)
    _check_done_date(errors, "reviewed_on", reviewed_on, what="review date", case=case, today=today)
    if "reviewed_on" not in errors and reviewed_on < current.start_date:
        errors["reviewed_on"] = REGISTRATION_BEFORE_START.format(what="review date", date=_long(current.start_date))
    if next_review_date <= reviewed_on:
        errors["next_review_date"] = REVIEW_DATE_NOT_AFTER.format(what="review date")
    if not notes.strip():
        errors["notes"] = REVIEW_NOTES_REQUIRED
    if errors:
        raise DomainValidationError(errors)
    _claim_version(current, expected_version, kind=RegistrationChangeKind.REVIEWED, on=reviewed_on,
                   next_review_date=next_review_date, reason=notes.strip(), by=_staff(by))
    before = _registration_state(current)
    Registration.objects.filter(pk=current.pk).update(next_review_date=next_review_date, level=level,
                                                     category=category)
    current.refresh_from_db()
    audit_record(actor=by, action="registration.review", obj=current, crn=case.crn, before=before,
                 after=_registration_state(current), detail=notes.strip())
    if (level, category) != (before["level"], before["category"]):  # the MAPPA level is a tier input
        _recalculate_tier_on_commit(case, f"registration reviewed: {current.type.name}", by)
    return current


@transaction.atomic
def registration_deregister(*, registration: Registration, by, expected_version: int, ended_on: dt.date,
                            reason: str, today: dt.date | None = None) -> Registration:
    """End an active registration with a reason; refuses a stale edit; recalculates the tier after commit."""
    current = _locked_registration(registration)
    case = current.case
    _check_can_change(by, case)
    today = today or timezone.localdate()
    if current.end_date is not None:
        raise DomainValidationError({"": REGISTRATION_ENDED})
    errors: dict[str, str] = {}
    _check_done_date(errors, "ended_on", ended_on, what="date the registration ended", case=case, today=today)
    if "ended_on" not in errors and ended_on < current.start_date:
        errors["ended_on"] = REGISTRATION_BEFORE_START.format(what="date the registration ended",
                                                              date=_long(current.start_date))
    if not reason.strip():
        errors["reason"] = DEREGISTER_REASON_REQUIRED
    if errors:
        raise DomainValidationError(errors)
    _claim_version(current, expected_version, kind=RegistrationChangeKind.DEREGISTERED, on=ended_on,
                   reason=reason.strip(), by=_staff(by))
    before = _registration_state(current)
    Registration.objects.filter(pk=current.pk).update(end_date=ended_on, next_review_date=None)
    current.refresh_from_db()
    audit_record(actor=by, action="registration.deregister", obj=current, crn=case.crn, before=before,
                 after=_registration_state(current), detail=reason.strip())
    _recalculate_tier_on_commit(case, f"registration ended: {current.type.name}", by)
    return current


# Risk assessments.


def _check_assessment(values: dict[str, Any], case: Case, today: dt.date) -> dict[str, str]:
    errors: dict[str, str] = {}
    _check_done_date(errors, "assessed_on", values["assessed_on"], what="date of the assessment", case=case,
                     today=today)
    if values["source"] not in RiskSource.values:
        errors["source"] = ASSESSMENT_SOURCE_UNKNOWN
    levels = ("rosh_overall", *ROSH_GROUP_FIELDS)
    for field in levels:
        if values[field] and values[field] not in RiskLevel.values:
            errors[field] = ROSH_UNKNOWN
    if not values["rosh_overall"]:
        errors.setdefault("rosh_overall", ROSH_OVERALL_REQUIRED)
    if not any(field in errors for field in levels):
        highest = max(ROSH_GROUP_FIELDS, key=lambda f: RiskLevel.rank(values[f]))
        if RiskLevel.rank(values[highest]) > RiskLevel.rank(values["rosh_overall"]):
            errors["rosh_overall"] = ROSH_OVERALL_TOO_LOW.format(level=RiskLevel(values[highest]).label.lower())
    for field, top in SCORE_TOPS.items():
        if values[field] is not None and not 0 <= values[field] <= top:
            errors[field] = SCORE_RANGE.format(name=SCORE_NAMES[field], top=top)
    if values["dc_srp_band"] and values["dc_srp_band"] not in DcSrpBand.values:
        errors["dc_srp_band"] = ROSH_UNKNOWN
    elif values["dc_srp_band"] and values["dc_srp_band"] != DcSrpBand.NOT_APPLICABLE \
            and values["dc_srp_score"] is None:
        errors.setdefault("dc_srp_score", DC_SRP_SCORE_REQUIRED)
    needs = values["needs"]
    if any(need not in Need.values or severity not in NeedSeverity.values for need, severity in needs.items()):
        errors["needs"] = NEED_UNKNOWN
    return errors


@transaction.atomic
def risk_assessment_record(*, case: Case, by, assessed_on: dt.date, source: str, rosh_overall: str,
                           rosh_public: str = "", rosh_known_adult: str = "", rosh_children: str = "",
                           rosh_staff: str = "", rosh_prisoners: str = "", ogrs: int | None = None,
                           rsr: Decimal | None = None, arp: Decimal | None = None, arp_static: bool = False,
                           csrp: Decimal | None = None, csrp_static: bool = False, dc_srp_band: str = "",
                           dc_srp_score: Decimal | None = None, parenting_responsibilities: bool | None = None,
                           impulsivity_or_temper: bool | None = None, needs: dict[str, str] | None = None,
                           today: dt.date | None = None) -> RiskAssessment:
    """Record a risk assessment (RoSH by group, scores, needs); recalculates the tier after commit."""
    _check_can_change(by, case)
    values = {
        "assessed_on": assessed_on, "source": source, "rosh_overall": rosh_overall, "rosh_public": rosh_public,
        "rosh_known_adult": rosh_known_adult, "rosh_children": rosh_children, "rosh_staff": rosh_staff,
        "rosh_prisoners": rosh_prisoners, "ogrs": ogrs, "rsr": rsr, "arp": arp, "arp_static": arp_static,
        "csrp": csrp, "csrp_static": csrp_static, "dc_srp_band": dc_srp_band, "dc_srp_score": dc_srp_score,
        "parenting_responsibilities": parenting_responsibilities, "impulsivity_or_temper": impulsivity_or_temper,
        "needs": dict(needs or {}),
    }
    errors = _check_assessment(values, case, today or timezone.localdate())
    if errors:
        raise DomainValidationError(errors)
    assessment = RiskAssessment.objects.create(case=case, assessor=_staff(by), **values)
    audit_record(actor=by, action="risk_assessment.record", obj=assessment, crn=case.crn, after=values)
    _recalculate_tier_on_commit(case, "risk assessment recorded", by)
    safeguard_services.recompute_on_commit(case, "risk assessment recorded", by)  # after the tier: RoSH
    enforcement_services.recompute_on_commit(case, "risk assessment recorded", by)
    return assessment


# Risk management plans.


@transaction.atomic
def risk_management_plan_record(*, case: Case, by, expected_version: int, agreed_on: dt.date,
                                next_review_on: dt.date, risks: str, supervision: str, contingency: str,
                                interventions: str = "", victim_safety: str = "",
                                today: dt.date | None = None) -> RiskManagementPlan:
    """Record a new version of the case's risk management plan; refuses a stale edit; audited."""
    _check_can_change(by, case)
    Case.objects.select_for_update().filter(pk=case.pk).first()
    new = {"agreed_on": agreed_on, "next_review_on": next_review_on, "risks": risks.strip(),
           "supervision": supervision.strip(), "interventions": interventions.strip(),
           "victim_safety": victim_safety.strip(), "contingency": contingency.strip()}
    errors: dict[str, str] = {}
    _check_done_date(errors, "agreed_on", agreed_on, what="date the plan was agreed", case=case,
                     today=today or timezone.localdate())
    if next_review_on <= agreed_on:
        errors["next_review_on"] = "The review date must be after the date the plan was agreed"
    for field, what in PLAN_REQUIRED.items():
        if not new[field]:
            errors[field] = PLAN_TEXT_REQUIRED.format(what=what)
    if errors:
        raise DomainValidationError(errors)
    previous = case.risk_management_plans.order_by("-version").first()
    if (previous.version if previous else 0) != expected_version:
        raise ConcurrentEditError()
    try:
        with transaction.atomic():
            plan = RiskManagementPlan.objects.create(case=case, version=expected_version + 1, author=_staff(by),
                                                     **new)
    except IntegrityError:
        raise ConcurrentEditError() from None
    before = {field: getattr(previous, field) for field in PLAN_FIELDS} if previous else None
    audit_record(actor=by, action="risk_management_plan.record", obj=plan, crn=case.crn, before=before, after=new)
    return plan
