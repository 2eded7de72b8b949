"""Every write to the case record. One transaction each, with its audit row inside it."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from casework.access.viewer import viewer_for
from casework.access.visibility import can_change
from casework.audit.services import AuditEntry, audit_record, audit_record_many, changes
from casework.core.errors import ConcurrentEditError, DomainValidationError, NotPermittedError
from casework.enforcement import services as enforcement_services
from casework.enforcement.selectors import breach_or_recall_case_ids
from casework.record import identifiers
from casework.record.choices import ContactKind
from casework.record.models import Case, Contact, SubmissionKey, TierCalculation
from casework.record.tiers import tier_inputs, tier_outcome, tier_request
from casework.rules import calendar, contacts
from casework.safeguards import services as safeguard_services

OUTCOME_IN_FUTURE = "You cannot record an outcome for an appointment that has not happened yet"
OUTCOME_NOT_APPOINTMENT = "Only appointments have an outcome; a {kind} does not"
ABSENCE_REASON_REQUIRED = "Select the reason the absence was acceptable"
ABSENCE_REASON_NOT_ALLOWED = "Give an absence reason only for an acceptable absence"
ENDS_BEFORE_START = "The end time must be after the start time"
TOO_FAR_AHEAD = "Appointments can be booked up to 2 years ahead"
CONTACT_BEFORE_BIRTH = "The date must be on or after their date of birth, {date}"
RECORD_DATE_IN_FUTURE = "The date of a {kind} must be today or in the past"
RECORD_TIME_IN_FUTURE = "The time of a {kind} must be now or in the past"
RECORD_NOTES_REQUIRED = "Enter the notes for this {kind}"
DATE_OF_BIRTH_FUTURE = "Date of birth must be in the past"
DATE_OF_BIRTH_TOO_YOUNG = "Date of birth must be at least 10 years ago: the age of criminal responsibility"

PERSONAL_DETAIL_FIELDS = [
    "first_name", "middle_names", "last_name", "preferred_name", "date_of_birth", "gender",
    "pnc", "phone", "mobile", "email", "children_contact",
]


class DuplicateSubmissionError(Exception):
    """The same form was sent again (a double click): ``contact`` is what the first one recorded.

    Nothing was written by the second; the page answers it as it answered the first.
    """

    def __init__(self, contact: Contact | None) -> None:
        super().__init__("This form has already been sent")
        self.contact = contact


def _claim_submission(key: uuid.UUID | None, *, action: str, contact: Contact, by) -> None:
    """Store a form's one-time key with the write it made, or raise ``DuplicateSubmissionError``.

    Called inside the write's transaction. The key's primary key decides: of two requests with one
    key, even at the same moment, the second waits for the first to commit and then meets the
    constraint (caught in a savepoint, so the first's row can be read), and its transaction, with
    everything it wrote, is rolled back.
    """
    if key is None:
        return
    try:
        with transaction.atomic():
            SubmissionKey.objects.create(key=key, action=action, contact=contact, created_by=by)
    except IntegrityError:
        first = SubmissionKey.objects.select_related("contact").filter(key=key).first()
        raise DuplicateSubmissionError(first.contact if first else None) from None


def _check_can_change(by, case: Case) -> None:
    if not can_change(viewer_for(by), case):
        raise NotPermittedError(f"{by.get_username()} may not change case {case.crn}")


def name_key(first_name: str, last_name: str) -> str:
    """The ``last first`` key used for prefix search by name (no accents, no case)."""
    return identifiers.surname_key(first_name, last_name)


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
    for field in ("phone", "mobile"):
        if new.get(field):
            try:
                new[field] = identifiers.normalise_phone(new[field], noun=field)
            except ValueError as exc:
                errors[field] = str(exc)
    dob = new.get("date_of_birth")
    if dob is not None:
        today = timezone.localdate()
        if dob >= today:
            errors["date_of_birth"] = DATE_OF_BIRTH_FUTURE
        elif dob > calendar.years_before(today, 10):
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
        first, last = new.get("first_name", current.first_name), new.get("last_name", current.last_name)
        updates["name_key"] = name_key(first, last)
        updates["first_name_key"] = identifiers.first_name_key(first, last)
    rows = Case.objects.filter(pk=case.pk, version=expected_version).update(
        version=F("version") + 1, updated_at=timezone.now(), **updates
    )
    if rows != 1:
        raise ConcurrentEditError()
    audit_record(actor=by, action="case.update_personal_details", obj=current, crn=current.crn,
                 before=before, after=after)
    if "gender" in after:  # women's factors change the protect level (rules.md §1.1)
        transaction.on_commit(lambda: tier_recalculate(case=current, trigger="gender changed", by=by))
    if "children_contact" in after:  # the safeguarding enquiry depends on it (rules.md §4.1)
        safeguard_services.recompute_on_commit(current, "children contact changed", by)
    return Case.objects.get(pk=case.pk)


_OUTCOME_MESSAGES = {
    contacts.OutcomeProblem.NOT_HAPPENED_YET: OUTCOME_IN_FUTURE,
    contacts.OutcomeProblem.ABSENCE_REASON_REQUIRED: ABSENCE_REASON_REQUIRED,
    contacts.OutcomeProblem.ABSENCE_REASON_NOT_ALLOWED: ABSENCE_REASON_NOT_ALLOWED,
}


def _check_outcome(kind: str, starts_at: dt.datetime, outcome: str, absence_reason: str,
                   now: dt.datetime) -> dict[str, str]:
    """The rule is ``casework.rules.contacts.outcome_problems``; this words its answers."""
    problems = contacts.outcome_problems(kind=kind, starts_at=starts_at, outcome=outcome,
                                         absence_reason=absence_reason, now=now)
    return {
        field: OUTCOME_NOT_APPOINTMENT.format(kind=ContactKind(kind).label.lower())
        if problem is contacts.OutcomeProblem.NOT_AN_APPOINTMENT else _OUTCOME_MESSAGES[problem]
        for field, problem in problems.items()
    }


def _check_contact(case: Case, kind: str, starts_at: dt.datetime, notes: str, now: dt.datetime) -> dict[str, str]:
    """When a contact can be, and what a record that is not an appointment must say."""
    label = ContactKind(kind).label.lower()
    local = timezone.localtime(starts_at)
    errors: dict[str, str] = {}
    if local.date() < case.date_of_birth:
        errors["starts_at"] = CONTACT_BEFORE_BIRTH.format(date=f"{case.date_of_birth.day} "
                                                                f"{case.date_of_birth:%B %Y}")
    elif contacts.is_appointment(kind):
        if starts_at > now + dt.timedelta(days=731):
            errors["starts_at"] = TOO_FAR_AHEAD
    elif starts_at > now:  # a case note, an email or a third-party contact records what has happened
        if local.date() > timezone.localtime(now).date():
            errors["starts_at"] = RECORD_DATE_IN_FUTURE.format(kind=label)
        else:
            errors["starts_at_time"] = RECORD_TIME_IN_FUTURE.format(kind=label)
    if not contacts.is_appointment(kind) and not notes.strip():
        errors["notes"] = RECORD_NOTES_REQUIRED.format(kind=label)
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
    submission_key: uuid.UUID | None = None,
) -> Contact:
    """Record a contact (or book an appointment) on a case; audited.

    With ``submission_key`` (the form's one-time key) a second request with the same key records
    nothing and raises ``DuplicateSubmissionError`` with the contact the first recorded.
    """
    _check_can_change(by, case)
    now = now or timezone.now()
    errors = _check_outcome(kind, starts_at, outcome, absence_reason, now)
    if ends_at is not None and ends_at <= starts_at:
        errors["ends_at"] = ENDS_BEFORE_START
    errors.update(_check_contact(case, kind, starts_at, notes, now))
    if errors:
        raise DomainValidationError(errors)
    staff = getattr(by, "staff", None)
    sentence = case.sentences.exclude(status="ENDED").order_by("-sentence_date").first()
    contact = Contact.objects.create(
        case=case, sentence=sentence, kind=kind, starts_at=starts_at, ends_at=ends_at,
        staff=staff, location=location, outcome=outcome, absence_reason=absence_reason,
        notes=notes, sensitive=sensitive, created_by=by,
    )
    _claim_submission(submission_key, action="contact.record", contact=contact, by=by)
    audit_record(actor=by, action="contact.record", obj=contact, crn=case.crn,
                 after={"kind": kind, "starts_at": starts_at, "outcome": outcome,
                        "absence_reason": absence_reason, "sensitive": sensitive})
    safeguard_services.recompute_after_contact(case, kind, outcome, by)
    enforcement_services.recompute_after_contact(case, outcome, by)
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
    submission_key: uuid.UUID | None = None,
) -> Contact:
    """Record what happened at an appointment; refuses a stale edit; audited.

    ``submission_key`` as for ``contact_record``: the same form sent twice records the outcome once
    (the second is not told that someone else changed the contact: it was the same person).
    """
    _check_can_change(by, contact.case)
    now = now or timezone.now()
    errors = _check_outcome(contact.kind, contact.starts_at, outcome, absence_reason, now)
    if not outcome:
        errors["outcome"] = "Select the outcome of the appointment"
    if errors:
        raise DomainValidationError(errors)
    new_notes = f"{contact.notes}\n\n{notes}".strip() if notes else contact.notes
    _claim_submission(submission_key, action="contact.record_outcome", contact=contact, by=by)
    rows = Contact.objects.filter(pk=contact.pk, version=expected_version).update(
        outcome=outcome, absence_reason=absence_reason, notes=new_notes, version=F("version") + 1
    )
    if rows != 1:
        raise ConcurrentEditError()
    audit_record(actor=by, action="contact.record_outcome", obj=contact, crn=contact.case.crn,
                 before={"outcome": contact.outcome, "absence_reason": contact.absence_reason},
                 after={"outcome": outcome, "absence_reason": absence_reason})
    safeguard_services.recompute_after_contact(contact.case, contact.kind, outcome, by)
    enforcement_services.recompute_after_contact(contact.case, outcome, by, previous=contact.outcome)
    return Contact.objects.get(pk=contact.pk)


# Tiers (rules.md §1). The inputs and the engine's answer are ``casework.record.tiers``'; storing them is here.

TIER_FIELDS = ("tier", "tier_single", "rosh")
TIER_BATCH_SIZE = 2000


@transaction.atomic
def tier_recalculate_many(*, case_ids: list[int], as_of: dt.date, trigger: str, by=None,
                          now: dt.datetime | None = None) -> int:
    """Recalculate and store the tier of each case in ``case_ids``; returns how many changed.

    Every calculation is kept (``TierCalculation``); each case whose tier, single tier or RoSH
    changes gets one audit row with its values before and after. All three writes are bulk
    statements in one transaction. ``by`` is who caused the recalculation (None: the system).
    """
    now = now or timezone.now()
    calculations, changed, entries = [], [], []
    inputs = list(tier_inputs(case_ids))
    # The women's tier factor "breach or recall in the last year" (two queries, only when there are women).
    women = [case.pk for case, *_rest in inputs if case.gender == "FEMALE"]
    flagged = breach_or_recall_case_ids(women, as_of) if women else set()
    for case, sentences, registrations, assessment in inputs:
        request = tier_request(case=case, as_of=as_of, sentences=sentences, registrations=registrations,
                               assessment=assessment, breach_or_recall_last_year=case.pk in flagged)
        tier, single, rosh, result = tier_outcome(request)
        calculations.append(TierCalculation(
            case=case, calculated_at=now, as_of=as_of, trigger=trigger, rules_version=result["rules_version"],
            tier=tier, tier_single=single, inputs=request, result=result,
        ))
        before = {name: getattr(case, name) for name in TIER_FIELDS}
        after = {"tier": tier, "tier_single": single, "rosh": rosh}
        if before != after:
            case.tier, case.tier_single, case.rosh = tier, single, rosh
            changed.append(case)
            entries.append(AuditEntry(obj=case, crn=case.crn, before=before, after=after, detail=trigger))
    TierCalculation.objects.bulk_create(calculations, batch_size=TIER_BATCH_SIZE)
    Case.objects.bulk_update(changed, list(TIER_FIELDS), batch_size=TIER_BATCH_SIZE)
    audit_record_many(actor=by, action="case.tier_recalculated", entries=entries)
    return len(changed)


@transaction.atomic
def tier_recalculate(*, case: Case, trigger: str, as_of: dt.date | None = None, by=None) -> TierCalculation:
    """Recalculate one case's tier (call from any service that changes a tier input); audited if it changes."""
    tier_recalculate_many(case_ids=[case.pk], as_of=as_of or timezone.localdate(), trigger=trigger, by=by)
    return case.tier_calculations.order_by("-calculated_at", "-id").first()


def tier_recalculate_all(*, as_of: dt.date, trigger: str, by=None, batch: int = TIER_BATCH_SIZE) -> int:
    """Recalculate every case's tier, one transaction per ``batch`` cases; returns how many changed."""
    ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    return sum(tier_recalculate_many(case_ids=ids[start:start + batch], as_of=as_of, trigger=trigger, by=by)
               for start in range(0, len(ids), batch))
