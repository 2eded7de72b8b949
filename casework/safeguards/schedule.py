"""Reconciling one case's stored safeguard tasks with its schedule: what to write, worked out without writing.

``plan_for`` compares the engine's schedule (rules.md §4.1) for a case with the tasks stored for it and
says what a recompute writes: new tasks, open tasks whose due date moved or that left the schedule,
open tasks the schedule now closes because other work covered them (``met_by`` the task whose
closure did it, or a record of work in words). It never deletes a task and never reopens one a person
closed. The services write plans (``casework.safeguards.services``); the demo generator runs them in
memory (``casework.demo.safeguards``) so generated tasks are exactly what a recompute would leave.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from casework.rules import calendar
from casework.rules.safeguards import (
    EARLIER_WORK_MONTHS,
    RULES_VERSION,
    START_SAFEGUARDS,
    SafeguardSchedule,
    Status,
    Trigger,
    schedule,
)
from casework.rules.safeguards import Safeguard as SafeguardCode
from casework.ruleset.models import RuleConfig
from casework.ruleset.selectors import per_pdu, safeguard_schedule
from casework.safeguards.choices import TaskStatus
from casework.safeguards.inputs import EngineRequest, Source
from casework.safeguards.models import SafeguardTask

PolicyLookup = Callable[[int], tuple[SafeguardSchedule, RuleConfig | None]]


def policy_lookup() -> PolicyLookup:
    """The safeguard schedule in force per PDU id, read once per PDU."""
    return per_pdu(safeguard_schedule)


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
    people = [s for s in matching if s.task is not None and s.task.decided_at is not None]
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


def earliest_done_date(task: SafeguardTask) -> dt.date:
    """The earliest date work can have been done for ``task`` (rules.md §4.1 "Closing")."""
    if task.trigger == Trigger.START and task.safeguard in START_SAFEGUARDS:
        return calendar.add_months(task.created_on, -EARLIER_WORK_MONTHS)
    return task.created_on
