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
import logging
from itertools import groupby

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from casework.access.viewer import viewer_for
from casework.access.visibility import can_change, can_see, not_required_deciders
from casework.audit.services import AuditEntry, audit_record, audit_record_many
from casework.core.errors import ConcurrentEditError, DomainValidationError, NotPermittedError
from casework.core.recompute import RecomputeResult, case_id_batches, recompute_batches
from casework.record.models import Case
from casework.rules.calendar import working_days_after
from casework.rules.safeguard_deciders import Refusal, not_required_refusal
from casework.rules.safeguards import ChildrenContact
from casework.rules.safeguards import Safeguard as SafeguardCode
from casework.ruleset.selectors import safeguard_deciders_in_force
from casework.safeguards.choices import TaskStatus, TriggerCode
from casework.safeguards.inputs import engine_requests_for, reads_contact
from casework.safeguards.models import ReminderSent, SafeguardTask
from casework.safeguards.reminders import REMINDER_WORKING_DAYS, ReminderRun, reminder_message
from casework.safeguards.schedule import (
    Plan,
    PolicyLookup,
    earliest_done_date,
    plan_for,
    policy_lookup,
)

logger = logging.getLogger(__name__)

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
PERIODIC_NOT_WAIVED = ("The periodic risk review cannot be recorded as not required: it moves on when a review is "
                       "done. Record the review when it is done")

RECOMPUTE_BATCH = 1000
OUTCOME_MAX = 4000

_REFUSAL_MESSAGES = {Refusal.NEVER_WAIVED: NEVER_WAIVED, Refusal.CHILDREN_CONTACT: CHILDREN_CONTACT,
                     Refusal.NOT_ENTITLED: NOT_ENTITLED}


def _long(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _state(task: SafeguardTask) -> dict:
    return {"safeguard": task.safeguard, "trigger": task.trigger, "created_on": task.created_on, "due": task.due,
            "status": task.status, "done_on": task.done_on, "in_schedule": task.in_schedule,
            "policy": task.policy_id, "rules_version": task.rules_version}


UPDATE_FIELDS = ["due", "in_schedule", "status", "done_on", "outcome", "not_required_reason", "decided_by",
                 "decided_at", "met_by", "policy", "rules_version", "version", "updated_at"]


def _update_rows(tasks: list[SafeguardTask]) -> None:
    """Write ``UPDATE_FIELDS`` of ``tasks``: one parameterised statement run for every row (``executemany``).

    ``bulk_update`` builds a CASE expression per field over the whole batch, which costs more than the
    writing itself when a policy change moves tens of thousands of due dates.
    """
    if not tasks:
        return
    fields = [SafeguardTask._meta.get_field(name) for name in UPDATE_FIELDS]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    # Table and column names come from the model, every value goes as a parameter.
    sql = f"UPDATE {quote(SafeguardTask._meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"  # noqa: S608
    rows = [[field.get_db_prep_save(getattr(task, field.attname), connection) for field in fields] + [task.pk]
            for task in tasks]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _write_plans(plans: list[Plan], *, trigger: str, by) -> RecomputeResult:
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
    _update_rows(changed + linked)
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


def _changed(case_ids: list[int], *, lock: bool, today: dt.date, policies: PolicyLookup) -> dict[int, Plan]:
    """The plan of each case in ``case_ids`` that has something to write."""
    plans = {}
    for case_id, item in engine_requests_for(case_ids, lock=lock).items():
        policy, config = policies(item.case.pdu_id)
        plan = plan_for(item, today=today, policy=policy, config=config)
        if plan.create or plan.update or plan.close:
            plans[case_id] = plan
    return plans


def tasks_recompute_many(*, case_ids: list[int], trigger: str, by=None, today: dt.date | None = None,
                         policies: PolicyLookup | None = None) -> RecomputeResult:
    """Bring the safeguard tasks of ``case_ids`` in step with the engine as of ``today``; audited; returns
    what was written.

    Every case is read and planned without a lock first; only the cases with something to write are
    read again, locked (cases and tasks), planned again and written, in one transaction. A recompute that
    changes nothing writes nothing and holds no lock, so a national recompute after a policy change
    (245,000 cases read, few written) never stands in the way of people recording their work.
    """
    today = today or timezone.localdate()
    policies = policies or policy_lookup()
    changed = list(_changed(case_ids, lock=False, today=today, policies=policies))
    if not changed:
        return RecomputeResult()
    with transaction.atomic():
        plans = _changed(changed, lock=True, today=today, policies=policies)
        return _write_plans(list(plans.values()), trigger=trigger, by=by)


def tasks_recompute(*, case: Case, trigger: str, by=None, today: dt.date | None = None) -> RecomputeResult:
    """Bring one case's safeguard tasks in step with the engine (call after any write the schedule reads)."""
    return tasks_recompute_many(case_ids=[case.pk], trigger=trigger, by=by, today=today)


def tasks_recompute_all(*, trigger: str, by=None, today: dt.date | None = None, batch: int = RECOMPUTE_BATCH,
                        pdu_id: int | None = None, workers: int = 1) -> RecomputeResult:
    """Recompute every case's tasks (after a policy change; ``pdu_id``: that PDU's cases only), one
    transaction per ``batch`` cases, writing only the tasks that changed.

    ``workers`` above 1 shares the batches among that many processes (each with its own database
    connection): reading and scheduling 245,000 cases is Python work, and a second core halves it.
    Only from a command, never inside a request or a test's transaction: a process started here cannot
    see what the caller has not committed.
    """
    return recompute_batches(
        case_id_batches(batch=batch, pdu_id=pdu_id), recompute="casework.safeguards.services.tasks_recompute_many",
        lookup="casework.safeguards.schedule.policy_lookup", total=RecomputeResult(), trigger=trigger, by=by,
        today=today or timezone.localdate(), workers=workers)


def recompute_on_commit(case: Case, trigger: str, by=None) -> None:
    """After the current transaction commits, recompute ``case``'s safeguard tasks (the record's hook).

    The write that asked for it has committed by then: a recompute that fails is logged as an error
    (for whoever runs the service, and ``casework manage recompute_safeguards`` to catch up), and does
    not turn that person's saved change into an error page.
    """

    def recompute() -> None:
        try:
            tasks_recompute(case=case, trigger=trigger, by=by)
        except Exception:
            logger.exception("Safeguard tasks of case %s were not recomputed after: %s", case.crn, trigger)

    transaction.on_commit(recompute)


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
    if current.safeguard == SafeguardCode.RISK_REVIEW:  # a review answers enforcement's risk-event signal
        from casework.enforcement.services import recompute_on_commit as enforcement_recompute_on_commit

        enforcement_recompute_on_commit(current.case, "risk review done", by)
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
    if task.trigger == TriggerCode.PERIODIC:  # rules.md §4.1: only ever DUE or OVERDUE
        raise DomainValidationError({"": PERIODIC_NOT_WAIVED})
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


# Reminders (``casework remind``).


def reminders_send(*, today: dt.date | None = None, dry_run: bool = False) -> ReminderRun:
    """Email each case manager their overdue tasks and those due in the next five working days, at most
    once a day per person; returns who was emailed, skipped (already today, no address) or failed.

    Per person, one transaction: claim today's row in the sent-log (unique per person and day), audit
    it, send. A second run the same day finds the row; two runs at once cannot both claim it; an email
    that fails rolls its claim back, so the next run tries again.
    """
    from django.core.mail import get_connection

    from casework.safeguards.selectors import reminders_due

    today = today or timezone.localdate()
    horizon = working_days_after(today, REMINDER_WORKING_DAYS)
    run = ReminderRun()
    connection = None if dry_run else get_connection()
    for _manager_id, group in groupby(reminders_due(today=today, horizon=horizon), key=lambda t: t.case.manager_id):
        tasks = list(group)
        staff = tasks[0].case.manager
        if staff.ended is not None and staff.ended <= today:
            continue
        if not staff.email:
            run.no_email.append(staff.code)
            continue
        if ReminderSent.objects.filter(staff=staff, sent_on=today).exists():
            run.already_sent.append(staff.code)
            continue
        if dry_run:
            run.sent.append(staff.code)
            continue
        overdue = sum(1 for t in tasks if t.due < today)
        try:
            with transaction.atomic():
                log = ReminderSent.objects.create(staff=staff, sent_on=today, overdue=overdue,
                                                  due_soon=len(tasks) - overdue)
                audit_record(actor=None, action="safeguard_reminder.send", obj=log,
                             detail=f"{staff.code}: {overdue} overdue, {len(tasks) - overdue} due soon",
                             after={"staff": staff.code, "sent_on": today, "overdue": overdue,
                                    "due_soon": len(tasks) - overdue, "tasks": [t.pk for t in tasks]})
                if connection.send_messages([reminder_message(staff, tasks, today)]) != 1:
                    raise OSError("the email backend did not send the reminder")
        except IntegrityError:
            run.already_sent.append(staff.code)  # another run claimed this person today
        except OSError:
            run.failed.append(staff.code)  # nothing kept: the next run tries again
        else:
            run.sent.append(staff.code)
    return run
