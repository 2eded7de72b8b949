"""Every write to the case record. One transaction each, with its audit row inside it."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from casework.access.viewer import viewer_for
from casework.access.visibility import can_change
from casework.audit.services import audit_record, changes
from casework.core.errors import ConcurrentEditError, DomainValidationError, NotPermittedError
from casework.record import identifiers
from casework.record.choices import ContactKind, ContactOutcome
from casework.record.models import Case, Contact
from casework.record.tiers import tier_recalculate

OUTCOME_IN_FUTURE = "You cannot record an outcome for an appointment that has not happened yet"
OUTCOME_NOT_APPOINTMENT = "Only appointments have an outcome; a {kind} does not"
ABSENCE_REASON_REQUIRED = "Select the reason the absence was acceptable"
ABSENCE_REASON_NOT_ALLOWED = "Give an absence reason only for an acceptable absence"
ENDS_BEFORE_START = "The end time must be after the start time"
TOO_FAR_AHEAD = "Appointments can be booked up to 2 years ahead"
DATE_OF_BIRTH_FUTURE = "Date of birth must be in the past"
DATE_OF_BIRTH_TOO_YOUNG = "Date of birth must be at least 10 years ago: the age of criminal responsibility"

PERSONAL_DETAIL_FIELDS = [
    "first_name", "middle_names", "last_name", "preferred_name", "date_of_birth", "gender",
    "pnc", "phone", "mobile", "email", "children_contact",
]


def _check_can_change(by, case: Case) -> None:
    if not can_change(viewer_for(by), case):
        raise NotPermittedError(f"{by.get_username()} may not change case {case.crn}")


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def name_key(first_name: str, last_name: str) -> str:
    """The lower-case ``last first`` key used for prefix search by name."""
    return f"{last_name.strip().lower()} {first_name.strip().lower()}"


@transaction.atomic
def case_update_personal_details(*, case: Case, by, expected_version: int, **new) -> Case:
    """Change a person's details if nobody else has since ``expected_version``; audited."""
    unknown = set(new) - set(PERSONAL_DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"not personal details: {sorted(unknown)}")
    _check_can_change(by, case)
    errors: dict[str, str] = {}
    if new.get("pnc"):
        try:
            new["pnc"] = identifiers.normalise_pnc(new["pnc"])
        except ValueError as exc:
            errors["pnc"] = str(exc)
    dob = new.get("date_of_birth")
    if dob is not None:
        today = timezone.localdate()
        if dob >= today:
            errors["date_of_birth"] = DATE_OF_BIRTH_FUTURE
        elif dob > years_before(today, 10):
            errors["date_of_birth"] = DATE_OF_BIRTH_TOO_YOUNG
    if errors:
        raise DomainValidationError(errors)

    current = Case.objects.select_for_update().get(pk=case.pk)
    if current.version != expected_version:
        raise ConcurrentEditError()
    before, after = changes(current, PERSONAL_DETAIL_FIELDS, new)
    if not after:
        return current
    updates = dict(after)
    if {"first_name", "last_name"} & set(after):
        updates["name_key"] = name_key(new.get("first_name", current.first_name),
                                       new.get("last_name", current.last_name))
    rows = Case.objects.filter(pk=case.pk, version=expected_version).update(
        version=F("version") + 1, updated_at=timezone.now(), **updates
    )
    if rows != 1:
        raise ConcurrentEditError()
    audit_record(actor=by, action="case.update_personal_details", obj=current, crn=current.crn,
                 before=before, after=after)
    if "gender" in after:  # women's factors change the protect level (rules.md §1.1)
        transaction.on_commit(lambda: tier_recalculate(case=current, trigger="gender changed"))
    return Case.objects.get(pk=case.pk)


def _check_outcome(kind: str, starts_at: dt.datetime, outcome: str, absence_reason: str,
                   now: dt.datetime) -> dict[str, str]:
    errors: dict[str, str] = {}
    if outcome:
        if not ContactKind(kind).is_appointment:
            errors["outcome"] = OUTCOME_NOT_APPOINTMENT.format(kind=ContactKind(kind).label.lower())
        elif starts_at > now:
            errors["outcome"] = OUTCOME_IN_FUTURE
    if outcome == ContactOutcome.ACCEPTABLE_ABSENCE and not absence_reason:
        errors["absence_reason"] = ABSENCE_REASON_REQUIRED
    if absence_reason and outcome != ContactOutcome.ACCEPTABLE_ABSENCE:
        errors["absence_reason"] = ABSENCE_REASON_NOT_ALLOWED
    return errors


@transaction.atomic
def contact_record(
    *,
    case: Case,
    by,
    kind: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    location: str = "",
    outcome: str = "",
    absence_reason: str = "",
    notes: str = "",
    sensitive: bool = False,
    now: dt.datetime | None = None,
) -> Contact:
    """Record a contact (or book an appointment) on a case; audited."""
    _check_can_change(by, case)
    now = now or timezone.now()
    errors = _check_outcome(kind, starts_at, outcome, absence_reason, now)
    if ends_at is not None and ends_at <= starts_at:
        errors["ends_at"] = ENDS_BEFORE_START
    if starts_at > now + dt.timedelta(days=731):
        errors["starts_at"] = TOO_FAR_AHEAD
    if errors:
        raise DomainValidationError(errors)
    staff = getattr(by, "staff", None)
    sentence = case.sentences.exclude(status="ENDED").order_by("-sentence_date").first()
    contact = Contact.objects.create(
        case=case, sentence=sentence, kind=kind, starts_at=starts_at, ends_at=ends_at,
        staff=staff, location=location, outcome=outcome, absence_reason=absence_reason,
        notes=notes, sensitive=sensitive, created_by=by,
    )
    audit_record(actor=by, action="contact.record", obj=contact, crn=case.crn,
                 after={"kind": kind, "starts_at": starts_at, "outcome": outcome,
                        "absence_reason": absence_reason, "sensitive": sensitive})
    return contact


@transaction.atomic
def contact_record_outcome(
    *,
    contact: Contact,
    by,
    expected_version: int,
    outcome: str,
    absence_reason: str = "",
    notes: str = "",
    now: dt.datetime | None = None,
) -> Contact:
    """Record what happened at an appointment; refuses a stale edit; audited."""
    _check_can_change(by, contact.case)
    now = now or timezone.now()
    errors = _check_outcome(contact.kind, contact.starts_at, outcome, absence_reason, now)
    if not outcome:
        errors["outcome"] = "Select the outcome of the appointment"
    if errors:
        raise DomainValidationError(errors)
    new_notes = f"{contact.notes}\n\n{notes}".strip() if notes else contact.notes
    rows = Contact.objects.filter(pk=contact.pk, version=expected_version).update(
        outcome=outcome, absence_reason=absence_reason, notes=new_notes, version=F("version") + 1
    )
    if rows != 1:
        raise ConcurrentEditError()
    audit_record(actor=by, action="contact.record_outcome", obj=contact, crn=contact.case.crn,
                 before={"outcome": contact.outcome, "absence_reason": contact.absence_reason},
                 after={"outcome": outcome, "absence_reason": absence_reason})
    return Contact.objects.get(pk=contact.pk)
