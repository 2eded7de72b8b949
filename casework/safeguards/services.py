"""Every write of safeguard tasks. One transaction each, with its audit inside it.

``tasks_recompute_many`` keeps the stored tasks in step with the engine (rules.md §4.1): it reads
each case through ``casework.safeguards.inputs``, asks the engine for the schedule with the PDU's
policy, and writes only what changed — new tasks, open tasks whose due date moved, open tasks the
schedule now closes because other work covered them. It never deletes a task and never reopens one
a person closed; an open task the schedule no longer lists stays open (``in_schedule`` false) until
someone closes it. The record's services call ``recompute_on_commit`` after every write the schedule
reads.

People close tasks: ``task_close_done`` (date and outcome) and ``task_mark_not_required`` (reason,
by someone entitled to decide). Both lock the case and the task, refuse a stale ``version`` and a
task already closed (so of two people closing one task at once exactly one wins), then recompute the
case in the same transaction (one review closes every earlier open review).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from casework.access.viewer import viewer_for
from casework.access.visibility import can_change, can_see, not_required_deciders
from casework.audit.services import AuditEntry, audit_record, audit_record_many
from casework.core.errors import ConcurrentEditError, DomainValidationError, NotPermittedError
from casework.record.models import Case
from casework.rules import calendar
from casework.rules.safeguard_deciders import Refusal, not_required_refusal
from casework.rules.safeguards import (
    EARLIER_WORK_MONTHS,
    RULES_VERSION,
    START_SAFEGUARDS,
    ChildrenContact,
    SafeguardSchedule,
    Status,
    Trigger,
    schedule,
)
from casework.rules.safeguards import Safeguard as SafeguardCode
from casework.ruleset.models import RuleConfig
from casework.ruleset.selectors import safeguard_deciders_in_force, safeguard_schedule
from casework.safeguards.choices import TaskStatus
from casework.safeguards.inputs import EngineRequest, Source, engine_requests_for, reads_contact
from casework.safeguards.models import SafeguardTask

# Messages (GOV.UK style); tests import them.
OUTCOME_REQUIRED = "Enter the outcome: what was done or found, and for an enquiry what came back"
DATE_REQUIRED = "Enter the date it was done"
DATE_IN_FUTURE = "The date it was done must be today or in the past"
DATE_BEFORE_TASK = "The date it was done must be on or after {date}, when the task was created"
DATE_BEFORE_EARLIER_WORK = ("The date it was done must be on or after {date}: work done up to 3 months "
                            "before the start counts")
REASON_REQUIRED = "Enter why it is not required"
ALREADY_CLOSED = "This task has already been closed"
NEVER_WAIVED = "{safeguard} can never be recorded as not required: it must be done"
CHILDREN_CONTACT = ("A safeguarding enquiry can be recorded as not required only when the person has no contact "
                    "with children. Change their details first if that is the case")
NOT_ENTITLED = "You are not entitled to decide that {safeguard} is not required. Ask their senior probation officer"
NOT_YET_CREATED = "This task starts on {date}: it cannot be decided before then"

RECOMPUTE_BATCH = 1000
OUTCOME_MAX = 4000

_REFUSAL_MESSAGES = {Refusal.NEVER_WAIVED: NEVER_WAIVED, Refusal.CHILDREN_CONTACT: CHILDREN_CONTACT,
                     Refusal.NOT_ENTITLED: NOT_ENTITLED}


def _long(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


@dataclass
class RecomputeResult:
    """What a recompute wrote: tasks created, open tasks updated (due moved, out of schedule), tasks closed."""

    created: int = 0
    updated: int = 0
    closed: int = 0

    def __iadd__(self, other: RecomputeResult) -> RecomputeResult:
        self.created += other.created
        self.updated += other.updated
        self.closed += other.closed
        return self

    @property
    def written(self) -> int:
        return self.created + self.updated + self.closed


PolicyLookup = Callable[[int], tuple[SafeguardSchedule, RuleConfig | None]]


def policy_lookup() -> PolicyLookup:
    """The safeguard schedule in force per PDU id, read once per PDU."""
    cache: dict[int, tuple[SafeguardSchedule, RuleConfig | None]] = {}

    def lookup(pdu_id: int) -> tuple[SafeguardSchedule, RuleConfig | None]:
        if pdu_id not in cache:
            from casework.organisation.models import Pdu

            cache[pdu_id] = safeguard_schedule(Pdu(pk=pdu_id))
        return cache[pdu_id]

    return lookup


@dataclass
class Plan:
    """What reconciling one case's stored tasks with its schedule would write."""

    create: list[SafeguardTask]
    update: list[SafeguardTask]
    close: list[SafeguardTask]
    # The stored task (or the new one) each closed or created-closed task was met by, resolved after create.
    met_by: dict[int, SafeguardTask]
    before: dict[int, dict]


def _key(safeguard: str, trigger: str, created: dt.date, occurrence: int) -> tuple[str, str, dt.date, int]:
    return safeguard, trigger, created, occurrence


def _source_for(sources: list[Source], safeguard: SafeguardCode, day: dt.date | None) -> Source | None:
    """The entry that closed a task: a person's closure of another task first, else a record of work."""
    matching = [s for s in sources if s.safeguard is safeguard and s.date == day]
    people = [s for s in matching if s.task is not None and s.task.met_by_id is None]
    return (people or matching or [None])[0]


def _not_required_source(tasks: list[SafeguardTask], safeguard: SafeguardCode) -> SafeguardTask | None:
    decided = [t for t in tasks if t.safeguard == safeguard and t.status == TaskStatus.NOT_REQUIRED
               and t.met_by_id is None and t.decided_at is not None]
    return max(decided, key=lambda t: t.decided_at, default=None)


def plan_for(item: EngineRequest, *, today: dt.date, policy: SafeguardSchedule,
             config: RuleConfig | None) -> Plan:
    """The writes that bring ``item``'s stored tasks in step with its schedule as of ``today`` (pure of the DB)."""
    plan = Plan(create=[], update=[], close=[], met_by={}, before={})
    stored = {_key(t.safeguard, t.trigger, t.created_on, t.occurrence): t for t in item.tasks}
    engine_tasks = schedule(item.request, today, policy) if item.request is not None else []
    seen: Counter = Counter()
    listed: set[tuple] = set()
    event_seen: Counter = Counter()
    for task in sorted(engine_tasks, key=lambda t: t.created):  # creation order within one key is kept
        base = (task.safeguard.value, task.trigger.value, task.created)
        seen[base] += 1
        key = _key(*base, seen[base])
        listed.add(key)
        existing = stored.get(key)
        if existing is None:
            new = SafeguardTask(case=item.case, safeguard=task.safeguard.value, trigger=task.trigger.value,
                                created_on=task.created, occurrence=seen[base], due=task.due,
                                rules_version=RULES_VERSION, policy=config)
            events = item.events.get((task.trigger.value, task.created), [])
            event_seen[base] += 1
            if events:
                new.event = events[min(event_seen[base], len(events)) - 1]
            _close_by_schedule(new, task, item, plan)
            plan.create.append(new)
            continue
        if existing.status != TaskStatus.OPEN:
            if not existing.in_schedule:
                plan.before[existing.pk] = {"in_schedule": False}
                existing.in_schedule = True
                plan.update.append(existing)
            continue
        if task.status in (Status.DONE, Status.NOT_REQUIRED):
            plan.before[existing.pk] = {"status": existing.status, "due": existing.due}
            _close_by_schedule(existing, task, item, plan)
            plan.close.append(existing)
        elif existing.due != task.due or not existing.in_schedule:
            plan.before[existing.pk] = {"due": existing.due, "in_schedule": existing.in_schedule}
            existing.due, existing.in_schedule = task.due, True
            existing.policy, existing.rules_version = config, RULES_VERSION
            plan.update.append(existing)
    reviews = sorted((s for s in item.sources if s.safeguard is SafeguardCode.RISK_REVIEW), key=lambda s: s.date)
    for key, existing in stored.items():
        if key in listed or existing.status != TaskStatus.OPEN:
            continue
        covering = [s for s in reviews if existing.trigger == Trigger.PERIODIC
                    and existing.created_on <= s.date <= today]
        if covering:
            # The next periodic review moved on: the review done since met this one (rules.md §4.1).
            plan.before[existing.pk] = {"status": existing.status}
            _close_with(existing, TaskStatus.DONE, covering[0], plan)
            plan.close.append(existing)
        elif existing.in_schedule:
            plan.before[existing.pk] = {"in_schedule": True}
            existing.in_schedule = False
            plan.update.append(existing)
    return plan


def _close_with(task: SafeguardTask, status: str, source: Source | None, plan: Plan,
                reason_from: SafeguardTask | None = None) -> None:
    task.status = status
    if status == TaskStatus.DONE:
        task.done_on = source.date if source else None
        task.outcome = f"Met by the {source.words}." if source else ""
        if source is not None and source.task is not None:
            plan.met_by[id(task)] = source.task
    else:
        task.not_required_reason = (f"Covered by the decision that {reason_from.get_safeguard_display().lower()} "
                                    f"is not required: {reason_from.not_required_reason}") if reason_from else ""
        if reason_from is not None:
            plan.met_by[id(task)] = reason_from
    task.decided_by, task.decided_at = None, None


def _close_by_schedule(task: SafeguardTask, engine_task, item: EngineRequest, plan: Plan) -> None:
    if engine_task.status is Status.DONE:
        _close_with(task, TaskStatus.DONE, _source_for(item.sources, engine_task.safeguard, engine_task.done_date),
                    plan)
    elif engine_task.status is Status.NOT_REQUIRED:
        _close_with(task, TaskStatus.NOT_REQUIRED, None, plan,
                    reason_from=_not_required_source(item.tasks, engine_task.safeguard))


def _state(task: SafeguardTask) -> dict:
    return {"safeguard": task.safeguard, "trigger": task.trigger, "created_on": task.created_on, "due": task.due,
            "status": task.status, "done_on": task.done_on, "in_schedule": task.in_schedule,
            "policy": task.policy_id, "rules_version": task.rules_version}


UPDATE_FIELDS = ["due", "in_schedule", "status", "done_on", "outcome", "not_required_reason", "decided_by",
                 "decided_at", "met_by", "policy", "rules_version", "version", "updated_at"]


def write_plans(plans: list[Plan], *, trigger: str, by) -> RecomputeResult:
    """Write ``plans`` in bulk (create, then update and close) with one audit row per task written."""
    now = timezone.now()
    creates = [task for plan in plans for task in plan.create]
    for task in creates:
        task.created_at = task.updated_at = now
    SafeguardTask.objects.bulk_create(creates, batch_size=RECOMPUTE_BATCH)
    changed = []
    for plan in plans:
        for task in plan.create + plan.update + plan.close:
            met = plan.met_by.get(id(task))
            if met is not None:
                task.met_by = met
        for task in plan.update + plan.close:
            task.version += 1
            task.updated_at = now
            changed.append(task)
    # Tasks created closed point at another new task only after both have ids.
    linked = [task for task in creates if task.met_by is not None]
    for task in linked:
        task.met_by_id = task.met_by.pk
    SafeguardTask.objects.bulk_update(changed + linked, UPDATE_FIELDS, batch_size=RECOMPUTE_BATCH)
    entries_created, entries_updated, entries_closed = [], [], []
    for plan in plans:
        for task in plan.create:
            entries_created.append(AuditEntry(obj=task, crn=task.case.crn, before=None, after=_state(task),
                                              detail=trigger))
        for task in plan.update:
            entries_updated.append(AuditEntry(obj=task, crn=task.case.crn, before=plan.before.get(task.pk),
                                              after=_state(task), detail=trigger))
        for task in plan.close:
            entries_closed.append(AuditEntry(obj=task, crn=task.case.crn, before=plan.before.get(task.pk),
                                             after={**_state(task), "outcome": task.outcome,
                                                    "met_by": task.met_by_id}, detail=trigger))
    audit_record_many(actor=by, action="safeguard_task.create", entries=entries_created)
    audit_record_many(actor=by, action="safeguard_task.reschedule", entries=entries_updated)
    audit_record_many(actor=by, action="safeguard_task.close_by_schedule", entries=entries_closed)
    return RecomputeResult(created=len(creates), updated=len(entries_updated), closed=len(entries_closed))


@transaction.atomic
def tasks_recompute_many(*, case_ids: list[int], trigger: str, by=None, today: dt.date | None = None,
                         policies: PolicyLookup | None = None) -> RecomputeResult:
    """Bring the safeguard tasks of ``case_ids`` in step with the engine as of ``today``; audited; returns
    what was written. The cases and their tasks are locked for the transaction."""
    today = today or timezone.localdate()
    policies = policies or policy_lookup()
    plans = []
    for item in engine_requests_for(case_ids, lock=True).values():
        policy, config = policies(item.case.pdu_id)
        plan = plan_for(item, today=today, policy=policy, config=config)
        if plan.create or plan.update or plan.close:
            plans.append(plan)
    return write_plans(plans, trigger=trigger, by=by)


def tasks_recompute(*, case: Case, trigger: str, by=None, today: dt.date | None = None) -> RecomputeResult:
    """Bring one case's safeguard tasks in step with the engine (call after any write the schedule reads)."""
    return tasks_recompute_many(case_ids=[case.pk], trigger=trigger, by=by, today=today)


def tasks_recompute_all(*, trigger: str, by=None, today: dt.date | None = None, batch: int = RECOMPUTE_BATCH,
                        pdu_id: int | None = None) -> RecomputeResult:
    """Recompute every case's tasks (after a policy change; ``pdu_id``: that PDU's cases only), one
    transaction per ``batch`` cases, writing only the tasks that changed."""
    ids = Case.objects.order_by("pk")
    if pdu_id is not None:
        ids = ids.filter(pdu_id=pdu_id)
    ids = list(ids.values_list("pk", flat=True))
    policies = policy_lookup()
    total = RecomputeResult()
    for start in range(0, len(ids), batch):
        total += tasks_recompute_many(case_ids=ids[start:start + batch], trigger=trigger, by=by, today=today,
                                      policies=policies)
    return total


def recompute_on_commit(case: Case, trigger: str, by=None) -> None:
    """After the current transaction commits, recompute ``case``'s safeguard tasks (the record's hook)."""
    transaction.on_commit(lambda: tasks_recompute(case=case, trigger=trigger, by=by))


# People closing tasks.


def _locked(task: SafeguardTask, expected_version: int) -> SafeguardTask:
    """The task, with its case locked first (the recompute's order), if still open at ``expected_version``."""
    Case.objects.select_for_update().filter(pk=task.case_id).first()
    current = SafeguardTask.objects.select_for_update().select_related("case").get(pk=task.pk)
    if current.status != TaskStatus.OPEN:
        raise DomainValidationError({"": ALREADY_CLOSED})
    if current.version != expected_version:
        raise ConcurrentEditError()
    return current


def _claim(current: SafeguardTask, expected_version: int, **values) -> None:
    """Write the closure only if nobody closed or changed the task since (one of two at once wins)."""
    rows = SafeguardTask.objects.filter(pk=current.pk, version=expected_version, status=TaskStatus.OPEN).update(
        version=F("version") + 1, updated_at=timezone.now(), **values)
    if rows != 1:
        raise ConcurrentEditError()


def earliest_done_date(task: SafeguardTask) -> dt.date:
    """The earliest date work can have been done for ``task`` (rules.md §4.1 "Closing")."""
    if task.trigger == Trigger.START and task.safeguard in START_SAFEGUARDS:
        return calendar.add_months(task.created_on, -EARLIER_WORK_MONTHS)
    return task.created_on


@transaction.atomic
def task_close_done(*, task: SafeguardTask, by, expected_version: int, done_on: dt.date | None, outcome: str,
                    today: dt.date | None = None) -> SafeguardTask:
    """Record a task as done on ``done_on`` with its ``outcome``; refuses a stale or closed task; audited."""
    today = today or timezone.localdate()
    if not can_change(viewer_for(by), task.case):
        raise NotPermittedError(f"{by.get_username()} may not change case {task.case.crn}")
    errors: dict[str, str] = {}
    if done_on is None:
        errors["done_on"] = DATE_REQUIRED
    elif done_on > today:
        errors["done_on"] = DATE_IN_FUTURE
    elif done_on < earliest_done_date(task):
        message = DATE_BEFORE_EARLIER_WORK if earliest_done_date(task) != task.created_on else DATE_BEFORE_TASK
        errors["done_on"] = message.format(date=_long(earliest_done_date(task)))
    outcome = outcome.strip()
    if not outcome:
        errors["outcome"] = OUTCOME_REQUIRED
    elif len(outcome) > OUTCOME_MAX:
        errors["outcome"] = f"The outcome must be {OUTCOME_MAX} characters or fewer"
    if errors:
        raise DomainValidationError(errors)
    current = _locked(task, expected_version)
    staff = getattr(by, "staff", None)
    _claim(current, expected_version, status=TaskStatus.DONE, done_on=done_on, outcome=outcome,
           decided_by=staff, decided_at=timezone.now())
    audit_record(actor=by, action="safeguard_task.close_done", obj=current, crn=current.case.crn,
                 before={"status": current.status}, after={"status": TaskStatus.DONE, "done_on": done_on,
                                                           "outcome": outcome, "safeguard": current.safeguard})
    tasks_recompute_many(case_ids=[current.case_id], trigger=f"{current.get_safeguard_display()} done", by=by,
                         today=today)
    return SafeguardTask.objects.select_related("case", "decided_by").get(pk=current.pk)


@transaction.atomic
def task_mark_not_required(*, task: SafeguardTask, by, expected_version: int, reason: str,
                           today: dt.date | None = None) -> SafeguardTask:
    """Record that a task is not required, with the reason, by someone entitled to decide; audited."""
    today = today or timezone.localdate()
    viewer = viewer_for(by)
    case = task.case
    if not can_see(viewer, case):
        raise NotPermittedError(f"{by.get_username()} may not see case {case.crn}")
    policy, _config = safeguard_deciders_in_force(case.pdu)
    safeguard = SafeguardCode(task.safeguard)
    refusal = not_required_refusal(safeguard=safeguard, children_contact=ChildrenContact(case.children_contact),
                                   roles=not_required_deciders(viewer, case), policy=policy)
    if refusal is not None:
        label = task.get_safeguard_display()
        message = _REFUSAL_MESSAGES[refusal].format(safeguard=label if refusal is Refusal.NEVER_WAIVED
                                                    else label.lower())
        if refusal is Refusal.NOT_ENTITLED:
            raise NotPermittedError(message)
        raise DomainValidationError({"": message})
    errors: dict[str, str] = {}
    reason = reason.strip()
    if not reason:
        errors["reason"] = REASON_REQUIRED
    elif len(reason) > OUTCOME_MAX:
        errors["reason"] = f"The reason must be {OUTCOME_MAX} characters or fewer"
    if task.created_on > today:
        errors[""] = NOT_YET_CREATED.format(date=_long(task.created_on))
    if errors:
        raise DomainValidationError(errors)
    current = _locked(task, expected_version)
    _claim(current, expected_version, status=TaskStatus.NOT_REQUIRED, not_required_reason=reason,
           decided_by=getattr(by, "staff", None), decided_at=timezone.now())
    audit_record(actor=by, action="safeguard_task.mark_not_required", obj=current, crn=case.crn,
                 before={"status": current.status}, after={"status": TaskStatus.NOT_REQUIRED, "reason": reason,
                                                           "safeguard": current.safeguard}, detail=reason)
    tasks_recompute_many(case_ids=[current.case_id], trigger=f"{current.get_safeguard_display()} not required",
                         by=by, today=today)
    return SafeguardTask.objects.select_related("case", "decided_by").get(pk=current.pk)


def recompute_after_contact(case: Case, kind: str, outcome: str, by=None) -> None:
    """The record's hook for contacts: recompute after commit when the contact is something the schedule
    reads (a failure to comply, an attended home visit, a management oversight record)."""
    if reads_contact(kind, outcome):
        recompute_on_commit(case, "contact recorded", by)
