"""Risk-of-harm safeguards (rules.md §4): the schedule of one case as of a date, computed as §4.1 says.

Pure Python: no Django, no clock (``as_of`` is passed in). Working days, calendar months and the
"next working day" come from ``casework.rules.calendar`` (England and Wales bank holidays from the
pinned ``holidays`` package, one-off and substitute days included).

The numbers and code lists of the §4 table are a [default — configurable]: ``DEFAULT_SCHEDULE``
holds them and a local policy replaces it through ``SafeguardSchedule.from_dict`` (the shape
``to_dict`` writes, which is also the contract's ``policy``). What §4.1 defines as Casework's
method — what is read, which date creates each task, the two closing passes, status and order — is
code, not configuration; so are the refusals (which safeguards may never be waived).

``schedule`` is the function other code calls; ``handle`` is the ``safeguards`` JSON contract
(docs/contracts.md). Readings of rules.md text that admits more than one reading (also in
README.md and docs/rules.md):

- ``trigger`` (the contract names it, §4.1 does not define it) says what created the task: the
  event's type for a task created by an event, ``START`` for a task created on the start,
  ``REGISTRATION`` for a home visit, ``PERIODIC`` for the periodic risk review.
- ``done_date`` is the date of the done entry that closed the task; it is null for every other
  status, ``NOT_REQUIRED`` included (a not-required entry is not work done).
- Tasks equal in due date, safeguard and creating date (two events of one day) keep the order they
  were created in: start before events, events in the order sent.
- Refusals are checks of the request: an impossible event or a forbidden not-required entry is
  refused whatever its date (even one after ``as_of`` or before the start, which would otherwise
  be ignored).
- ``as_of`` before the start is not refused: the start's tasks are listed (``DUE``), as §4.1 lists
  every task whatever its creating date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, Field, model_validator

from casework.rules.calendar import add_months, working_day_on_or_after, working_days_after
from casework.rules.contract import ContractError
from casework.rules.schema import Choice, ContractModel, Date, contract_handler, parse, problem
from casework.rules.supervision import RiskEventType, SupervisionKind
from casework.rules.tiering import Registration, Rosh

__all__ = [
    "DEFAULT_SCHEDULE",
    "RULES_VERSION",
    "ChildrenContact",
    "Entry",
    "Event",
    "NotRequiredEntry",
    "RegistrationStart",
    "Safeguard",
    "SafeguardCase",
    "SafeguardSchedule",
    "Status",
    "Task",
    "Trigger",
    "handle",
    "schedule",
]

RULES_VERSION = "safeguards-2026.1"


class Safeguard(StrEnum):
    """The six safeguards of rules.md §4, in the contract's order."""

    DOMESTIC_ABUSE_ENQUIRY = "DOMESTIC_ABUSE_ENQUIRY"
    SAFEGUARDING_ENQUIRY = "SAFEGUARDING_ENQUIRY"
    INITIAL_ROSH_ASSESSMENT = "INITIAL_ROSH_ASSESSMENT"
    HOME_VISIT = "HOME_VISIT"
    RISK_REVIEW = "RISK_REVIEW"
    MANAGEMENT_OVERSIGHT = "MANAGEMENT_OVERSIGHT"

    @property
    def label(self) -> str:
        return SAFEGUARD_LABELS[self]


SAFEGUARD_LABELS: dict[Safeguard, str] = {
    Safeguard.DOMESTIC_ABUSE_ENQUIRY: "Domestic abuse enquiry with the police",
    Safeguard.SAFEGUARDING_ENQUIRY: "Safeguarding enquiry with children's services",
    Safeguard.INITIAL_ROSH_ASSESSMENT: "Initial risk of serious harm assessment",
    Safeguard.HOME_VISIT: "Home visit",
    Safeguard.RISK_REVIEW: "Risk review",
    Safeguard.MANAGEMENT_OVERSIGHT: "Management oversight",
}


class ChildrenContact(StrEnum):
    YES = "YES"
    NO = "NO"
    UNKNOWN = "UNKNOWN"


class Trigger(StrEnum):
    """What created a task: the start, a registration, the periodic cycle, or an event (its type)."""

    START = "START"
    REGISTRATION = "REGISTRATION"
    PERIODIC = "PERIODIC"
    ARREST = "ARREST"
    CHARGE = "CHARGE"
    DOMESTIC_ABUSE_CALLOUT = "DOMESTIC_ABUSE_CALLOUT"
    CHANGE_OF_ADDRESS = "CHANGE_OF_ADDRESS"
    CHANGE_OF_HOUSEHOLD = "CHANGE_OF_HOUSEHOLD"
    FAILURE_TO_COMPLY = "FAILURE_TO_COMPLY"
    BREACH_DECISION = "BREACH_DECISION"
    RECALL_DECISION = "RECALL_DECISION"
    RELEASE = "RELEASE"
    REGISTRATION_ADDED = "REGISTRATION_ADDED"


class Status(StrEnum):
    DUE = "DUE"
    OVERDUE = "OVERDUE"
    DONE = "DONE"
    NOT_REQUIRED = "NOT_REQUIRED"


#: Safeguards whose start task is created on the start (§4.1), in the order they are created.
START_SAFEGUARDS = (Safeguard.DOMESTIC_ABUSE_ENQUIRY, Safeguard.SAFEGUARDING_ENQUIRY,
                    Safeguard.INITIAL_ROSH_ASSESSMENT)
#: Safeguards that may never be recorded as not required (§4.1 "Refused").
NEVER_WAIVED = frozenset({Safeguard.DOMESTIC_ABUSE_ENQUIRY, Safeguard.INITIAL_ROSH_ASSESSMENT,
                          Safeguard.MANAGEMENT_OVERSIGHT})
#: RoSH levels that are "high or very high" (management oversight on the start, 16-week reviews).
HIGH_ROSH = frozenset({Rosh.HIGH, Rosh.VERY_HIGH})
#: Work done in this many calendar months before the start closes the start tasks (§4.1 "Closing").
EARLIER_WORK_MONTHS = 3

#: Events impossible for a kind of case (§4.1 "Refused"): event → the kinds it may happen on.
EVENT_KINDS: dict[RiskEventType, frozenset[SupervisionKind]] = {
    RiskEventType.RECALL_DECISION: frozenset({SupervisionKind.LICENCE}),
    RiskEventType.BREACH_DECISION: frozenset(SupervisionKind) - {SupervisionKind.LICENCE},
    RiskEventType.RELEASE: frozenset({SupervisionKind.LICENCE, SupervisionKind.POST_SENTENCE_SUPERVISION}),
}

KIND_WORDS: dict[SupervisionKind, str] = {
    SupervisionKind.COMMUNITY_ORDER: "a community order",
    SupervisionKind.SUSPENDED_SENTENCE_ORDER: "a suspended sentence order",
    SupervisionKind.LICENCE: "a licence",
    SupervisionKind.POST_SENTENCE_SUPERVISION: "post-sentence supervision",
}

REFUSED_EVENT = "{event} is not possible on {kind}"
REFUSED_WAIVER = "{safeguard} may not be recorded as not required"
OUT_OF_RANGE = "is too near the limits of the calendar for its tasks to have dates"
REFUSED_CHILDREN = "SAFEGUARDING_ENQUIRY may be recorded as not required only when children_contact is NO"


# --- the configurable schedule (rules.md §4 table) ------------------------------------------------------


@dataclass(frozen=True)
class SafeguardSchedule:
    """The numbers and code lists of the rules.md §4 table."""

    initial_working_days: int = 15
    """Domestic abuse and safeguarding enquiries and the initial RoSH assessment: working days from the start."""
    home_visit_working_days: int = 20
    home_visit_registrations: frozenset[Registration] = frozenset(
        {Registration.ADVP, Registration.RCCO, Registration.RCPR, Registration.RCHD})
    review_weeks_high: int = 16
    review_weeks_other: int = 26
    triggered_review_working_days: int = 10
    review_triggers: frozenset[RiskEventType] = frozenset(RiskEventType)
    oversight_working_days: int = 10
    oversight_events: frozenset[RiskEventType] = frozenset(
        {RiskEventType.BREACH_DECISION, RiskEventType.RECALL_DECISION})

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able copy for storage, editing and the contract's ``policy``."""
        return {
            "initial_working_days": self.initial_working_days,
            "home_visit_working_days": self.home_visit_working_days,
            "home_visit_registrations": sorted(code.value for code in self.home_visit_registrations),
            "review_weeks_high": self.review_weeks_high,
            "review_weeks_other": self.review_weeks_other,
            "triggered_review_working_days": self.triggered_review_working_days,
            "review_triggers": [e.value for e in RiskEventType if e in self.review_triggers],
            "oversight_working_days": self.oversight_working_days,
            "oversight_events": [e.value for e in RiskEventType if e in self.oversight_events],
        }

    @classmethod
    def from_dict(cls, data: Any) -> SafeguardSchedule:
        """Validate a stored or edited schedule; ContractError names the bad field."""
        return parse(SafeguardSchedulePolicy, data).to_schedule()


#: rules.md §4 defaults.
DEFAULT_SCHEDULE = SafeguardSchedule()


# --- the engine -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegistrationStart:
    code: Registration
    start_date: dt.date


@dataclass(frozen=True)
class Event:
    type: RiskEventType
    date: dt.date


@dataclass(frozen=True)
class Entry:
    """A safeguard recorded as done on a date."""

    safeguard: Safeguard
    date: dt.date


@dataclass(frozen=True)
class NotRequiredEntry:
    """A safeguard recorded as not required: attributable (``by``) and with a reason."""

    safeguard: Safeguard
    date: dt.date
    reason: str
    by: str


@dataclass(frozen=True)
class SafeguardCase:
    """What the schedule reads about one case (the contract's ``case``)."""

    kind: SupervisionKind
    start_date: dt.date
    rosh: Rosh | None = None
    children_contact: ChildrenContact = ChildrenContact.UNKNOWN
    registrations: tuple[RegistrationStart, ...] = ()
    events: tuple[Event, ...] = ()
    done: tuple[Entry, ...] = ()
    not_required: tuple[NotRequiredEntry, ...] = ()


@dataclass
class Task:
    """One required occurrence of a safeguard."""

    safeguard: Safeguard
    trigger: Trigger
    created: dt.date
    due: dt.date
    status: Status = Status.DUE
    done_date: dt.date | None = None
    periodic: bool = field(default=False, repr=False)

    @property
    def is_open(self) -> bool:
        return self.status in (Status.DUE, Status.OVERDUE)


def refusals(case: SafeguardCase) -> list[ContractError]:
    """What §4.1 refuses in ``case`` (paths relative to the case), in the order of the case's fields."""
    problems = []
    for index, event in enumerate(case.events):
        allowed = EVENT_KINDS.get(event.type)
        if allowed is not None and case.kind not in allowed:
            problems.append(ContractError(f"events[{index}].type", REFUSED_EVENT.format(
                event=event.type.value, kind=KIND_WORDS[case.kind])))
    for index, entry in enumerate(case.not_required):
        if entry.safeguard in NEVER_WAIVED:
            problems.append(ContractError(f"not_required[{index}].safeguard",
                                          REFUSED_WAIVER.format(safeguard=entry.safeguard.value)))
        elif entry.safeguard is Safeguard.SAFEGUARDING_ENQUIRY and case.children_contact is not ChildrenContact.NO:
            problems.append(ContractError(f"not_required[{index}].safeguard", REFUSED_CHILDREN))
    return problems


def _created_tasks(case: SafeguardCase, as_of: dt.date, policy: SafeguardSchedule) -> list[Task]:
    """Every task but the periodic review, in the order they are created (§4.1 "Tasks")."""
    start = case.start_date
    tasks = [Task(s, Trigger.START, start, working_days_after(start, policy.initial_working_days))
             for s in START_SAFEGUARDS]
    visit_dates = sorted({max(start, r.start_date) for r in case.registrations
                          if r.start_date <= as_of and r.code in policy.home_visit_registrations})
    tasks += [Task(Safeguard.HOME_VISIT, Trigger.REGISTRATION, day,
                   working_days_after(day, policy.home_visit_working_days)) for day in visit_dates]
    if case.rosh in HIGH_ROSH:
        tasks.append(Task(Safeguard.MANAGEMENT_OVERSIGHT, Trigger.START, start,
                          working_days_after(start, policy.oversight_working_days)))
    for event in case.events:
        if not start <= event.date <= as_of:
            continue  # before the start: an earlier sentence's; after as_of: not yet happened
        trigger = Trigger(event.type.value)
        if event.type in policy.oversight_events:
            tasks.append(Task(Safeguard.MANAGEMENT_OVERSIGHT, trigger, event.date,
                              working_days_after(event.date, policy.oversight_working_days)))
        if event.type in policy.review_triggers:
            tasks.append(Task(Safeguard.RISK_REVIEW, trigger, event.date,
                              working_days_after(event.date, policy.triggered_review_working_days)))
    return tasks


def _months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier (a missing day: the month's last); before year 1,
    the first day there is."""
    if (day.year - dt.MINYEAR) * 12 + day.month - 1 < months:
        return dt.date.min
    return add_months(day, -months)


def _close(tasks: Sequence[Task], entries: Iterable[Entry | NotRequiredEntry], status: Status,
           start: dt.date) -> None:
    """One closing pass (§4.1 "Closing"): each entry, in date order, closes its safeguard's open tasks."""
    earliest = _months_before(start, EARLIER_WORK_MONTHS)
    for entry in sorted(entries, key=lambda e: e.date):
        earlier_work = status is Status.DONE and entry.safeguard in START_SAFEGUARDS and earliest <= entry.date < start
        for task in tasks:
            if task.safeguard is not entry.safeguard or not task.is_open:
                continue
            if task.created <= entry.date or (earlier_work and task.trigger is Trigger.START):
                task.status = status
                task.done_date = entry.date if status is Status.DONE else None


def _periodic_review(case: SafeguardCase, as_of: dt.date, policy: SafeguardSchedule) -> Task:
    """The next periodic risk review (§4.1): from the latest done review since the start, else the start."""
    start = case.start_date
    reviews = [e.date for e in case.done if e.safeguard is Safeguard.RISK_REVIEW and start <= e.date <= as_of]
    created = max(reviews, default=start)
    weeks = policy.review_weeks_high if case.rosh in HIGH_ROSH else policy.review_weeks_other
    due = working_day_on_or_after(created + dt.timedelta(weeks=weeks))
    return Task(Safeguard.RISK_REVIEW, Trigger.PERIODIC, created, due, periodic=True)


def schedule(case: SafeguardCase, as_of: dt.date, policy: SafeguardSchedule = DEFAULT_SCHEDULE) -> list[Task]:
    """Every safeguard task of ``case`` as of ``as_of`` (rules.md §4.1), in the listed order.

    ``ContractError`` (the first of ``refusals``) for a case §4.1 refuses.
    """
    problems = refusals(case)
    if problems:
        raise problems[0]
    tasks = _created_tasks(case, as_of, policy)
    _close(tasks, (e for e in case.done if e.date <= as_of), Status.DONE, case.start_date)
    _close(tasks, (e for e in case.not_required if e.date <= as_of), Status.NOT_REQUIRED, case.start_date)
    tasks.append(_periodic_review(case, as_of, policy))
    for task in tasks:
        if task.is_open:
            task.status = Status.OVERDUE if as_of > task.due else Status.DUE
    # sorted() is stable: equal keys keep the order of creation.
    return sorted(tasks, key=lambda t: (t.due, t.safeguard.value, t.created))


# --- the JSON contract ------------------------------------------------------------------------------------


def _distinct(values: list[Any]) -> list[Any]:
    seen: set[Any] = set()
    for index, value in enumerate(values):
        if value in seen:
            raise ContractError(f"[{index}]", f"repeats {value.value}")
        seen.add(value)
    return values


WorkingDays = Annotated[int, Field(ge=1, le=250)]
Weeks = Annotated[int, Field(ge=1, le=104)]


class SafeguardSchedulePolicy(ContractModel):
    """A safeguard schedule (rules.md §4 table): the shape stored as local policy and sent as ``policy``."""

    initial_working_days: WorkingDays
    """Working days from the start to the domestic abuse and safeguarding enquiries and the initial RoSH
    assessment (default 15)."""
    home_visit_working_days: WorkingDays
    """Working days from a registration (or the start) to the home visit (default 20)."""
    home_visit_registrations: Annotated[list[Choice[Registration]], AfterValidator(_distinct),
                                        Field(json_schema_extra={"uniqueItems": True})]
    """Registration codes that need a home visit (default ADVP, RCCO, RCHD, RCPR)."""
    review_weeks_high: Weeks
    """Weeks between periodic risk reviews when RoSH is high or very high (default 16)."""
    review_weeks_other: Weeks
    """Weeks between periodic risk reviews otherwise (default 26)."""
    triggered_review_working_days: WorkingDays
    """Working days from a trigger event to its risk review (default 10)."""
    review_triggers: Annotated[list[Choice[RiskEventType]], AfterValidator(_distinct),
                               Field(json_schema_extra={"uniqueItems": True})]
    """Events that trigger a risk review (default: every event type)."""
    oversight_working_days: WorkingDays
    """Working days to management oversight (default 10)."""
    oversight_events: Annotated[list[Choice[RiskEventType]], AfterValidator(_distinct),
                                Field(json_schema_extra={"uniqueItems": True})]
    """Events that need management oversight (default BREACH_DECISION, RECALL_DECISION)."""

    def to_schedule(self) -> SafeguardSchedule:
        """The engine's schedule."""
        return SafeguardSchedule(
            initial_working_days=self.initial_working_days,
            home_visit_working_days=self.home_visit_working_days,
            home_visit_registrations=frozenset(self.home_visit_registrations),
            review_weeks_high=self.review_weeks_high,
            review_weeks_other=self.review_weeks_other,
            triggered_review_working_days=self.triggered_review_working_days,
            review_triggers=frozenset(self.review_triggers),
            oversight_working_days=self.oversight_working_days,
            oversight_events=frozenset(self.oversight_events),
        )


def _not_blank(value: str) -> str:
    if not value.strip():
        raise problem("must not be empty")
    return value


NonBlank = Annotated[str, Field(min_length=1, max_length=4000), AfterValidator(_not_blank)]


class SafeguardRegistration(ContractModel):
    """A registration and the day it started."""

    code: Choice[Registration]
    """The registration code (as for ``tier``)."""
    start_date: Date
    """The day the registration started."""


class SafeguardEvent(ContractModel):
    """Something that happened on the case."""

    type: Choice[RiskEventType]
    """ARREST, CHARGE, DOMESTIC_ABUSE_CALLOUT, CHANGE_OF_ADDRESS, CHANGE_OF_HOUSEHOLD, FAILURE_TO_COMPLY,
    BREACH_DECISION, RECALL_DECISION, RELEASE or REGISTRATION_ADDED."""
    date: Date
    """The day it happened."""


class SafeguardDone(ContractModel):
    """A safeguard done on a date."""

    safeguard: Choice[Safeguard]
    """The safeguard done."""
    date: Date
    """The day it was done."""
    outcome: Annotated[str, Field(max_length=4000)] | None = None
    """What it found or led to, in words; optional, and not read by the schedule."""


class SafeguardNotRequired(ContractModel):
    """A safeguard recorded as not required, with the reason and who decided."""

    safeguard: Choice[Safeguard]
    """HOME_VISIT, RISK_REVIEW, or SAFEGUARDING_ENQUIRY when children_contact is NO."""
    reason: NonBlank
    """Why it is not required."""
    by: NonBlank
    """Who decided (a staff code or name)."""
    date: Date
    """The day it was recorded."""


class SafeguardCaseModel(ContractModel):
    """The case: its kind, start, RoSH, children contact, registrations, events and recorded work."""

    kind: Choice[SupervisionKind]
    """COMMUNITY_ORDER, SUSPENDED_SENTENCE_ORDER, LICENCE or POST_SENTENCE_SUPERVISION."""
    start_date: Date
    """The order's start, the release date (licence), or the day post-sentence supervision begins."""
    rosh: Choice[Rosh] | None = None
    """The case's current RoSH: LOW, MEDIUM, HIGH or VERY_HIGH; null when not assessed."""
    children_contact: Choice[ChildrenContact] = ChildrenContact.UNKNOWN
    """Whether the person lives with or has or may have contact with children: YES, NO or UNKNOWN."""
    registrations: list[SafeguardRegistration] = []
    """Registrations with their start dates."""
    events: list[SafeguardEvent] = []
    """Events on the case."""
    done: list[SafeguardDone] = []
    """Safeguards done."""
    not_required: list[SafeguardNotRequired] = []
    """Safeguards recorded as not required."""

    @model_validator(mode="after")
    def _refused(self) -> SafeguardCaseModel:
        problems = refusals(self.to_case())
        if problems:
            raise problems[0]
        return self

    def to_case(self) -> SafeguardCase:
        """The engine's case."""
        return SafeguardCase(
            kind=self.kind,
            start_date=self.start_date,
            rosh=self.rosh,
            children_contact=self.children_contact,
            registrations=tuple(RegistrationStart(r.code, r.start_date) for r in self.registrations),
            events=tuple(Event(e.type, e.date) for e in self.events),
            done=tuple(Entry(d.safeguard, d.date) for d in self.done),
            not_required=tuple(NotRequiredEntry(n.safeguard, n.date, n.reason, n.by) for n in self.not_required),
        )


class SafeguardsRequest(ContractModel):
    """One case as of a date, and optionally a schedule to use."""

    as_of: Date
    """The day the schedule is worked out for."""
    case: SafeguardCaseModel
    policy: SafeguardSchedulePolicy | None = None
    """A schedule to use instead of the one in force; null or left out for the one in force."""


class SafeguardTask(ContractModel):
    """One required occurrence of a safeguard."""

    safeguard: Safeguard
    """Which safeguard."""
    trigger: Trigger
    """What created it: START, REGISTRATION (a home visit), PERIODIC (the periodic risk review) or the
    event's type."""
    due: dt.date
    """The day it is due."""
    status: Status
    """DUE, OVERDUE (as_of is after the due date), DONE or NOT_REQUIRED."""
    done_date: dt.date | None
    """The date of the done entry that closed it; null unless DONE."""


class SafeguardsResponse(ContractModel):
    """The case's safeguard tasks, ordered by due date, then safeguard code, then creating date."""

    tasks: list[SafeguardTask]
    """Every task, open or closed."""
    rules_version: str
    """The version of the safeguard rules that produced this answer."""


def safeguards(request: SafeguardsRequest, *, policy: SafeguardSchedule = DEFAULT_SCHEDULE) -> SafeguardsResponse:
    """``casework rules safeguards``: ``policy`` is used unless the request gives its own."""
    if request.policy is not None:
        policy = request.policy.to_schedule()
    try:
        tasks = schedule(request.case.to_case(), request.as_of, policy)
    except OverflowError:  # a due date past 31 December 9999, or work three months before year 1
        raise ContractError("case.start_date", OUT_OF_RANGE) from None
    return SafeguardsResponse(
        tasks=[SafeguardTask(safeguard=t.safeguard, trigger=t.trigger, due=t.due, status=t.status,
                             done_date=t.done_date) for t in tasks],
        rules_version=RULES_VERSION,
    )


#: ``handle(request, policy=...) -> dict``: the ``safeguards`` contract (ContractError if invalid).
handle = contract_handler(SafeguardsRequest, SafeguardsResponse, safeguards)
