"""What the safeguards engine reads about a case, from the record (rules.md §4.1 "What is read").

``engine_request_for(case)`` is the one seam between the record and the engine: everything the
schedule depends on is read here, so a new source of events (enforcement's breach and recall
decisions, say) is added in this module and nowhere else. ``engine_requests_for`` does the same for
many cases in a fixed number of queries (the services' bulk recompute and the demo stage use it).

Read from the record:

- the supervision: the latest current sentence; a community or suspended sentence order starts on
  its start date; custody on licence on its release date; post-sentence supervision the day after
  the licence expires. A sentence still in custody (or none) has no schedule yet.
- ``rosh`` and ``children_contact`` from the case; registrations (not historic) with their start dates.
- events: the case's risk events (``casework.supervision``), and every appointment outcome that is a
  failure to comply (``casework.rules.contacts``) as a ``FAILURE_TO_COMPLY`` on the appointment's day.
  Events the engine refuses for the kind of supervision (a release on an order) are not sent.
- work done: each stored task closed as done (its safeguard, its date); each risk assessment as an
  initial RoSH assessment and a risk review on its date; each attended home visit; each management
  oversight contact.
- not required: each stored task a person recorded as not required, on the day they decided, unless
  the engine would refuse it now (the safeguarding enquiry once children contact is no longer NO).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from casework.record.choices import ContactKind, ContactOutcome, SentenceKind, SentenceStatus
from casework.record.models import Case, Contact, Registration, RiskAssessment, Sentence
from casework.rules import contacts
from casework.rules.safeguards import (
    EVENT_KINDS,
    NEVER_WAIVED,
    ChildrenContact,
    Entry,
    Event,
    NotRequiredEntry,
    RegistrationStart,
    Safeguard,
    SafeguardCase,
)
from casework.rules.supervision import RiskEventType, SupervisionKind
from casework.rules.tiering import Registration as RegistrationCode
from casework.rules.tiering import Rosh
from casework.safeguards.choices import TaskStatus
from casework.safeguards.models import SafeguardTask
from casework.supervision.models import CaseEvent

# What a recompute reads of a case and of its sentences (``supervision_of``, ``build_request``, the audit).
CASE_FIELDS = ("id", "crn", "rosh", "children_contact", "pdu_id")
SENTENCE_FIELDS = ("id", "case_id", "kind", "status", "sentence_date", "start_date", "release_date",
                   "licence_expiry_date")
ATTENDED = frozenset({ContactOutcome.ATTENDED_COMPLIED, ContactOutcome.ATTENDED_FAILED_TO_COMPLY})
REGISTRATION_CODES = frozenset(code.value for code in RegistrationCode)


@dataclass(frozen=True)
class Source:
    """Where a done or not-required entry came from: a stored task, or a record of work, in words."""

    safeguard: Safeguard
    date: dt.date
    words: str
    task: SafeguardTask | None = None


@dataclass
class EngineRequest:
    """One case's engine input, with the stored tasks it was built from and where each entry came from."""

    case: Case
    request: SafeguardCase | None
    tasks: list[SafeguardTask]
    sources: list[Source] = field(default_factory=list)
    events: dict[tuple[str, dt.date], list[CaseEvent]] = field(default_factory=dict)


def reads_contact(kind: str, outcome: str) -> bool:
    """Whether the schedule reads a contact of this kind and outcome (a failure to comply, an attended
    home visit, a management oversight record)."""
    return (contacts.is_failure_to_comply(outcome) or (kind == ContactKind.HOME_VISIT and outcome in ATTENDED)
            or kind == ContactKind.MANAGEMENT_OVERSIGHT)


def supervision_of(sentence: Sentence | None) -> tuple[SupervisionKind, dt.date] | None:
    """The kind of supervision and its start (rules.md §4.1 "Start"), or None when there is none yet."""
    if sentence is None or sentence.status == SentenceStatus.ENDED:
        return None
    if sentence.kind in (SentenceKind.COMMUNITY_ORDER, SentenceKind.SUSPENDED_SENTENCE_ORDER):
        return SupervisionKind(sentence.kind), sentence.start_date
    if SentenceStatus.POST_SENTENCE_SUPERVISION in (sentence.status, sentence.kind):
        if sentence.licence_expiry_date is not None:
            return SupervisionKind.POST_SENTENCE_SUPERVISION, sentence.licence_expiry_date + dt.timedelta(days=1)
        return SupervisionKind.POST_SENTENCE_SUPERVISION, sentence.start_date
    if sentence.status == SentenceStatus.LICENCE:
        return SupervisionKind.LICENCE, sentence.release_date or sentence.start_date
    return None  # in custody: the schedule starts on release


def current_sentence(sentences: Iterable[Sentence]) -> Sentence | None:
    """The latest sentence not ended (as contacts take it)."""
    current = [s for s in sentences if s.status != SentenceStatus.ENDED]
    return max(current, key=lambda s: (s.sentence_date, s.pk or 0), default=None)


def _words_day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def build_request(*, case: Case, sentence: Sentence | None, registrations: Iterable[Registration],
                  events: Iterable[CaseEvent], failures: Iterable[dt.date], assessments: Iterable[dt.date],
                  home_visits: Iterable[dt.date], oversight_contacts: Iterable[dt.date],
                  tasks: list[SafeguardTask]) -> EngineRequest:
    """The engine request for one case from its records (in memory: the generator calls this too)."""
    supervision = supervision_of(sentence)
    result = EngineRequest(case=case, request=None, tasks=tasks)
    if supervision is None:
        return result
    kind, start = supervision
    sent_events: list[Event] = []
    for event in sorted(events, key=lambda e: (e.occurred_on, e.pk or 0)):
        allowed = EVENT_KINDS.get(RiskEventType(event.type))
        if allowed is not None and kind not in allowed:
            continue
        sent_events.append(Event(RiskEventType(event.type), event.occurred_on))
        result.events.setdefault((event.type, event.occurred_on), []).append(event)
    sent_events += [Event(RiskEventType.FAILURE_TO_COMPLY, day) for day in sorted(failures)]
    sources: list[Source] = []
    for task in tasks:
        if task.status == TaskStatus.DONE and task.done_on is not None:
            words = f"{task.get_safeguard_display().lower()} done on {_words_day(task.done_on)}"
            sources.append(Source(Safeguard(task.safeguard), task.done_on, words, task))
    for day in assessments:
        words = f"risk assessment recorded for {_words_day(day)}"
        sources.append(Source(Safeguard.INITIAL_ROSH_ASSESSMENT, day, words))
        sources.append(Source(Safeguard.RISK_REVIEW, day, words))
    sources += [Source(Safeguard.HOME_VISIT, day, f"home visit on {_words_day(day)}") for day in home_visits]
    sources += [Source(Safeguard.MANAGEMENT_OVERSIGHT, day, f"management oversight recorded on {_words_day(day)}")
                for day in oversight_contacts]
    children = ChildrenContact(case.children_contact or ChildrenContact.UNKNOWN)
    not_required = []
    for task in tasks:
        if task.status != TaskStatus.NOT_REQUIRED or task.met_by_id is not None or task.decided_at is None:
            continue
        safeguard = Safeguard(task.safeguard)
        if safeguard in NEVER_WAIVED or (safeguard is Safeguard.SAFEGUARDING_ENQUIRY
                                         and children is not ChildrenContact.NO):
            continue
        day = max(timezone.localtime(task.decided_at).date(), task.created_on)
        not_required.append(NotRequiredEntry(safeguard, day, task.not_required_reason, str(task.decided_by_id or "")))
    result.sources = sources
    result.request = SafeguardCase(
        kind=kind, start_date=start, rosh=Rosh(case.rosh) if case.rosh else None, children_contact=children,
        registrations=tuple(RegistrationStart(RegistrationCode(r.type.code), r.start_date) for r in registrations
                            if not r.historic and r.type.code in REGISTRATION_CODES),
        events=tuple(sent_events),
        done=tuple(Entry(s.safeguard, s.date) for s in sources),
        not_required=tuple(not_required),
    )
    return result


def engine_requests_for(case_ids: list[int], *, lock: bool = False) -> dict[int, EngineRequest]:
    """The engine request of each case in ``case_ids`` in seven queries; ``lock`` locks the case and task
    rows (the services recompute under it, so two recomputes of one case cannot both create a task)."""
    # Only the columns the schedule reads: a national recompute loads every case, sentence and registration.
    cases = Case.objects.filter(pk__in=case_ids).only(*CASE_FIELDS).order_by("pk")
    tasks_qs = SafeguardTask.objects.filter(case_id__in=case_ids).order_by("pk")
    if lock:
        cases, tasks_qs = cases.select_for_update(), tasks_qs.select_for_update()
    cases = list(cases)
    sentences: dict[int, list[Sentence]] = defaultdict(list)
    for sentence in Sentence.objects.filter(case_id__in=case_ids).only(*SENTENCE_FIELDS):
        sentences[sentence.case_id].append(sentence)
    registrations: dict[int, list[Registration]] = defaultdict(list)
    for registration in (Registration.objects.filter(case_id__in=case_ids).select_related("type")
                         .only("case_id", "start_date", "historic", "type__code")):
        registrations[registration.case_id].append(registration)
    events: dict[int, list[CaseEvent]] = defaultdict(list)
    for event in CaseEvent.objects.filter(case_id__in=case_ids):
        events[event.case_id].append(event)
    failures: dict[int, list[dt.date]] = defaultdict(list)
    visits: dict[int, list[dt.date]] = defaultdict(list)
    oversight: dict[int, list[dt.date]] = defaultdict(list)
    contact_rows = Contact.objects.filter(case_id__in=case_ids).filter(
        Q(outcome__in=contacts.FAILURES_TO_COMPLY) | Q(kind=ContactKind.HOME_VISIT, outcome__in=ATTENDED)
        | Q(kind=ContactKind.MANAGEMENT_OVERSIGHT)).values_list("case_id", "kind", "outcome", "starts_at")
    for case_id, kind, outcome, starts_at in contact_rows:
        day = timezone.localtime(starts_at).date()
        if contacts.is_failure_to_comply(outcome):
            failures[case_id].append(day)
        if kind == ContactKind.HOME_VISIT and outcome in ATTENDED:
            visits[case_id].append(day)
        elif kind == ContactKind.MANAGEMENT_OVERSIGHT:
            oversight[case_id].append(day)
    assessments: dict[int, list[dt.date]] = defaultdict(list)
    for case_id, day in RiskAssessment.objects.filter(case_id__in=case_ids).values_list("case_id", "assessed_on"):
        assessments[case_id].append(day)
    by_id = {case.pk: case for case in cases}
    stored: dict[int, list[SafeguardTask]] = defaultdict(list)
    for task in tasks_qs:
        task.case = by_id[task.case_id]  # what a write reads of it (the CRN for the audit): no query per task
        stored[task.case_id].append(task)
    return {
        case.pk: build_request(
            case=case, sentence=current_sentence(sentences[case.pk]), registrations=registrations[case.pk],
            events=events[case.pk], failures=failures[case.pk], assessments=assessments[case.pk],
            home_visits=visits[case.pk], oversight_contacts=oversight[case.pk], tasks=stored[case.pk])
        for case in cases
    }


def engine_request_for(case: Case) -> SafeguardCase | None:
    """What the safeguards engine is sent for ``case`` (None: no supervision to schedule yet)."""
    return engine_requests_for([case.pk])[case.pk].request
