"""Writes of workforce data — workload reductions (rules.md §2.3), staff records and team memberships,
court reports and weekly workload snapshots. One transaction each, with its audit row inside it.

The rules themselves — what an entry means (hours or a percentage, the standard end date) and every
check on it — are pure functions: ``casework.rules.reductions.resolve_reduction`` over the table in
``casework.rules.workload``. Reductions are changed or ended, never deleted: they are the history
behind a practitioner's available points.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from casework.access.policy import Perm, has_perm
from casework.access.viewer import viewer_for
from casework.access.visibility import can_manage_staff
from casework.audit.services import audit_record, changes
from casework.core.errors import ConcurrentEditError, DomainValidationError, NotPermittedError
from casework.rules import reductions
from casework.workforce.models import (
    CourtReport,
    CourtReportKind,
    Grade,
    Reduction,
    Staff,
    TeamMembership,
    WorkloadSnapshot,
)

NOT_PERMITTED = ("Only an administrator, the member of staff's SPO or their head of PDU "
                 "may change their workload reductions")

REDUCTION_FIELDS = ["reason", "hours", "percent", "start", "end", "notes"]


def _check_can_manage(by, staff: Staff, today: dt.date) -> None:
    """Administrators, the SPO of a team the member of staff is in, or the head of that team's PDU."""
    if not can_manage_staff(viewer_for(by, today=today), staff, today=today):
        raise NotPermittedError(NOT_PERMITTED)


def _resolve(values: dict[str, Any], contracted: Decimal, *, hours_given: bool, percent_given: bool,
             reason_changed: bool) -> dict[str, Any]:
    """The reduction to store for ``values`` (rules.md §2.3), or ``DomainValidationError``."""
    try:
        return reductions.resolve_reduction(
            **values, contracted_hours=contracted, hours_given=hours_given, percent_given=percent_given,
            reason_changed=reason_changed,
        ).as_dict()
    except reductions.ReductionInvalid as exc:
        raise DomainValidationError(exc.errors) from exc


def _snapshot(reduction: Reduction) -> dict[str, Any]:
    return {"staff": reduction.staff_id, **{name: getattr(reduction, name) for name in REDUCTION_FIELDS}}


@transaction.atomic
def add_reduction(
    *,
    staff: Staff,
    reason: str,
    start: dt.date,
    by,
    hours: Decimal | None = None,
    percent: Decimal | None = None,
    end: dt.date | None = None,
    notes: str = "",
    today: dt.date | None = None,
) -> Reduction:
    """Take hours off ``staff``'s contracted hours from ``start``; audited.

    Give ``hours`` or ``percent`` (of contracted hours), or neither for a reason with a standard
    percentage. Without ``end``, a reason with a standard length ends after it (maternity 6 months,
    newly qualified officer 9 …); other reasons are open-ended only if the rules allow it.
    """
    today = today or timezone.localdate()
    _check_can_manage(by, staff, today)
    values = _resolve({"reason": reason, "hours": hours, "percent": percent, "start": start, "end": end,
                       "notes": notes}, staff.contracted_hours, hours_given=hours is not None,
                      percent_given=percent is not None, reason_changed=False)
    reduction = Reduction(staff=staff, created_by=by, **values)
    reduction.save()
    audit_record(actor=by, action="workforce.reduction_add", obj=reduction, detail=f"Staff {staff.code}",
                 after=_snapshot(reduction))
    return reduction


def _update(reduction: Reduction, *, by, expected_version: int | None, new: dict[str, Any], action: str,
            today: dt.date) -> Reduction:
    _check_can_manage(by, reduction.staff, today)
    current = Reduction.objects.select_for_update().select_related("staff").get(pk=reduction.pk)
    version = current.version if expected_version is None else expected_version
    if current.version != version:
        raise ConcurrentEditError()
    unknown = set(new) - set(REDUCTION_FIELDS)
    if unknown:
        raise TypeError(f"not reduction fields: {sorted(unknown)}")
    values = {name: new.get(name, getattr(current, name)) for name in REDUCTION_FIELDS}
    values = _resolve(values, current.staff.contracted_hours, hours_given="hours" in new,
                      percent_given="percent" in new, reason_changed=values["reason"] != current.reason)
    before, after = changes(current, REDUCTION_FIELDS, values)
    if not after:
        return current
    rows = Reduction.objects.filter(pk=current.pk, version=version).update(version=F("version") + 1, **after)
    if rows != 1:
        raise ConcurrentEditError()
    audit_record(actor=by, action=action, obj=current, detail=f"Staff {current.staff.code}", before=before,
                 after=after)
    return Reduction.objects.select_related("staff").get(pk=current.pk)


@transaction.atomic
def change_reduction(*, reduction: Reduction, by, expected_version: int, today: dt.date | None = None,
                     **new: Any) -> Reduction:
    """Change a reduction if nobody else has since ``expected_version``; audited.

    ``new`` holds any of reason, hours, percent, start, end and notes. Entering ``hours`` replaces a
    percentage; entering ``percent`` works the hours out again from the contracted hours.
    """
    return _update(reduction, by=by, expected_version=expected_version, new=new,
                   action="workforce.reduction_change", today=today or timezone.localdate())


@transaction.atomic
def end_reduction(*, reduction: Reduction, by, end: dt.date | None = None, expected_version: int | None = None,
                  today: dt.date | None = None) -> Reduction:
    """End a reduction on ``end`` (its last day; today when not given); audited.

    With ``expected_version`` the end is refused if someone else changed the reduction since.
    """
    today = today or timezone.localdate()
    return _update(reduction, by=by, expected_version=expected_version, new={"end": end or today},
                   action="workforce.reduction_end", today=today)


# Staff records and team memberships (the Django admin's staff pages). Administrators only.

ONLY_ADMINISTRATORS = "Only administrators change staff records and team memberships"
STAFF_FIELDS = ["user", "code", "first_name", "last_name", "email", "grade", "contracted_hours", "started_in_post",
                "core_training_completed", "ended"]
MEMBERSHIP_FIELDS = ["team", "role", "start_date", "end_date"]
TEAM_REQUIRED = "Select the team"
MEMBERSHIP_START_REQUIRED = "Enter the date they joined the team"
MEMBERSHIP_ENDS_BEFORE_START = "The date they left the team must be the same as or after the date they joined"


def _require_admin(by) -> None:
    if not has_perm(viewer_for(by), Perm.ADMIN):
        raise NotPermittedError(ONLY_ADMINISTRATORS)


def _validated(obj) -> None:
    """The model's own checks (required fields, unique codes, choices), as messages by field."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise DomainValidationError({"" if field == NON_FIELD_ERRORS else field: " ".join(messages)
                                     for field, messages in exc.message_dict.items()}) from None


def _staff_snapshot(staff: Staff) -> dict[str, Any]:
    return {name: getattr(staff, name) for name in STAFF_FIELDS}


def membership_problems(*, team, start_date: dt.date | None, end_date: dt.date | None) -> dict[str, str]:
    """What is wrong with a team membership's team and dates, by field (empty when nothing is)."""
    errors: dict[str, str] = {}
    if team is None:
        errors["team"] = TEAM_REQUIRED
    if start_date is None:
        errors["start_date"] = MEMBERSHIP_START_REQUIRED
    elif end_date is not None and end_date < start_date:
        errors["end_date"] = MEMBERSHIP_ENDS_BEFORE_START
    return errors


def _membership_snapshot(membership: TeamMembership) -> dict[str, Any]:
    return {"staff": membership.staff_id, **{name: getattr(membership, name) for name in MEMBERSHIP_FIELDS}}


@transaction.atomic
def staff_add(*, by, **values: Any) -> Staff:
    """Add a member of staff (``values``: any of ``STAFF_FIELDS``); audited."""
    _require_admin(by)
    unknown = set(values) - set(STAFF_FIELDS)
    if unknown:
        raise TypeError(f"not staff fields: {sorted(unknown)}")
    staff = Staff(**values)
    _validated(staff)
    staff.save()
    audit_record(actor=by, action="workforce.staff_add", obj=staff, detail=f"Staff {staff.code}",
                 after=_staff_snapshot(staff))
    return staff


@transaction.atomic
def staff_change(*, staff: Staff, by, **new: Any) -> Staff:
    """Change a member of staff's record — grade, hours, dates, account; audited with before and after."""
    _require_admin(by)
    unknown = set(new) - set(STAFF_FIELDS)
    if unknown:
        raise TypeError(f"not staff fields: {sorted(unknown)}")
    current = Staff.objects.select_for_update().get(pk=staff.pk)
    before, after = changes(current, STAFF_FIELDS, new)
    if not after:
        return current
    for name, value in after.items():
        setattr(current, name, value)
    _validated(current)
    current.save(update_fields=list(after))
    audit_record(actor=by, action="workforce.staff_change", obj=current, detail=f"Staff {current.code}",
                 before=before, after=after)
    return current


@transaction.atomic
def membership_add(*, staff: Staff, team, by, start_date: dt.date, end_date: dt.date | None = None,
                   role: str = TeamMembership.Role.MEMBER) -> TeamMembership:
    """Put ``staff`` in ``team`` from ``start_date`` (to ``end_date``, if given); audited."""
    _require_admin(by)
    errors = membership_problems(team=team, start_date=start_date, end_date=end_date)
    if errors:
        raise DomainValidationError(errors)
    membership = TeamMembership(staff=staff, team=team, role=role, start_date=start_date, end_date=end_date)
    _validated(membership)
    membership.save()
    audit_record(actor=by, action="workforce.membership_add", obj=membership,
                 detail=f"Staff {staff.code} in team {team.code}", after=_membership_snapshot(membership))
    return membership


@transaction.atomic
def membership_change(*, membership: TeamMembership, by, **new: Any) -> TeamMembership:
    """Change a team membership's team, role or dates (ending it is setting ``end_date``); audited."""
    _require_admin(by)
    unknown = set(new) - set(MEMBERSHIP_FIELDS)
    if unknown:
        raise TypeError(f"not membership fields: {sorted(unknown)}")
    current = TeamMembership.objects.select_for_update().select_related("staff", "team").get(pk=membership.pk)
    before, after = changes(current, MEMBERSHIP_FIELDS, new)
    if not after:
        return current
    values = {name: new.get(name, getattr(current, name)) for name in MEMBERSHIP_FIELDS}
    errors = membership_problems(team=values["team"], start_date=values["start_date"], end_date=values["end_date"])
    if errors:
        raise DomainValidationError(errors)
    for name, value in after.items():
        setattr(current, name, value)
    _validated(current)
    current.save(update_fields=list(after))
    audit_record(actor=by, action="workforce.membership_change", obj=current,
                 detail=f"Staff {current.staff.code} in team {current.team.code}", before=before, after=after)
    return current


@transaction.atomic
def membership_remove(*, membership: TeamMembership, by) -> None:
    """Delete a team membership entered by mistake (one that happened is ended instead); audited."""
    _require_admin(by)
    current = TeamMembership.objects.select_for_update().select_related("staff", "team").get(pk=membership.pk)
    snapshot = _membership_snapshot(current)
    detail = f"Staff {current.staff.code} in team {current.team.code}"
    audit_record(actor=by, action="workforce.membership_remove", obj=current, detail=detail, before=snapshot)
    current.delete()


# The same changes from the workforce pages, refused if someone changed the record since it was read.


@transaction.atomic
def staff_change_if_unchanged(*, staff: Staff, by, fingerprint: str, **new: Any) -> Staff:
    """``staff_change``, unless the record no longer matches ``fingerprint``
    (``casework.workforce.selectors.staff_fingerprint`` of it as read): then ``ConcurrentEditError``."""
    from casework.workforce.selectors import staff_fingerprint

    _require_admin(by)
    current = Staff.objects.select_for_update().get(pk=staff.pk)
    if staff_fingerprint(current) != fingerprint:
        raise ConcurrentEditError()
    return staff_change(staff=current, by=by, **new)


@transaction.atomic
def membership_change_if_unchanged(*, membership: TeamMembership, by, fingerprint: str,
                                   **new: Any) -> TeamMembership:
    """``membership_change``, unless the membership no longer matches ``fingerprint``
    (``casework.workforce.selectors.membership_fingerprint`` of it as read): then ``ConcurrentEditError``."""
    from casework.workforce.selectors import membership_fingerprint

    _require_admin(by)
    current = TeamMembership.objects.select_for_update().get(pk=membership.pk)
    if membership_fingerprint(current) != fingerprint:
        raise ConcurrentEditError()
    return membership_change(membership=current, by=by, **new)


# Court reports (pre-sentence reports): part of a practitioner's workload until completed (rules.md §2.1).

COURT_REPORT_FIELDS = ["kind", "court", "case", "requested_on", "due_on", "completed_on"]
NOT_PERMITTED_REPORTS = ("Only an administrator, the member of staff's SPO or their head of PDU "
                         "may give them court reports")
KIND_REQUIRED = "Select the kind of report"
NOT_A_PRACTITIONER = "Court reports are written by probation officers, PQiPs and probation services officers"
REQUESTED_REQUIRED = "Enter the date the report was requested"
REQUESTED_IN_FUTURE = "The date the report was requested must be today or in the past"
DUE_REQUIRED = "Enter the date the report is due"
DUE_BEFORE_REQUESTED = "The due date must be the same as or after the date the report was requested"
COMPLETED_REQUIRED = "Enter the date the report was completed"
COMPLETED_IN_FUTURE = "The date the report was completed must be today or in the past"
COMPLETED_BEFORE_REQUESTED = "The date the report was completed must be the same as or after the date it was requested"
ALREADY_COMPLETED = "This report was already completed on {day}"
COURT_TOO_LONG = "The court's name must be 200 characters or fewer"


def _report_snapshot(report: CourtReport) -> dict[str, Any]:
    return {"staff": report.staff_id, **{name: getattr(report, name) for name in COURT_REPORT_FIELDS}}


def _check_can_give_reports(by, staff: Staff, today: dt.date) -> None:
    if not can_manage_staff(viewer_for(by, today=today), staff, today=today):
        raise NotPermittedError(NOT_PERMITTED_REPORTS)


@transaction.atomic
def add_court_report(*, staff: Staff, kind: str, requested_on: dt.date | None, due_on: dt.date | None, by,
                     court: str = "", case=None, today: dt.date | None = None) -> CourtReport:
    """Give ``staff`` a pre-sentence report to write (requested on ``requested_on``, due ``due_on``); audited.

    It counts toward their workload from ``requested_on`` until it is completed.
    """
    today = today or timezone.localdate()
    _check_can_give_reports(by, staff, today)
    errors: dict[str, str] = {}
    if kind not in CourtReportKind.values:
        errors["kind"] = KIND_REQUIRED
    if staff.grade not in (Grade.PO, Grade.PQIP, Grade.PSO):
        errors["staff"] = NOT_A_PRACTITIONER
    if requested_on is None:
        errors["requested_on"] = REQUESTED_REQUIRED
    elif requested_on > today:
        errors["requested_on"] = REQUESTED_IN_FUTURE
    if due_on is None:
        errors["due_on"] = DUE_REQUIRED
    elif requested_on is not None and due_on < requested_on:
        errors["due_on"] = DUE_BEFORE_REQUESTED
    if len(court) > 200:
        errors["court"] = COURT_TOO_LONG
    if errors:
        raise DomainValidationError(errors)
    report = CourtReport(staff=staff, kind=kind, court=court.strip(), case=case, requested_on=requested_on,
                         due_on=due_on, created_by=by)
    report.save()
    audit_record(actor=by, action="workforce.court_report_add", obj=report, detail=f"Staff {staff.code}",
                 crn=case.crn if case is not None else "", after=_report_snapshot(report))
    return report


@transaction.atomic
def complete_court_report(*, report: CourtReport, by, completed_on: dt.date | None = None,
                          expected_version: int | None = None, today: dt.date | None = None) -> CourtReport:
    """Record that a court report was completed on ``completed_on`` (today when not given); audited.

    From that day it no longer counts toward the workload. With ``expected_version`` the change is
    refused if someone else changed the report since.
    """
    today = today or timezone.localdate()
    _check_can_give_reports(by, report.staff, today)
    # Only the report's row is locked (its case is an outer join, which PostgreSQL cannot lock).
    current = CourtReport.objects.select_for_update(of=("self",)).select_related("staff", "case").get(pk=report.pk)
    version = current.version if expected_version is None else expected_version
    if current.version != version:
        raise ConcurrentEditError()
    completed_on = completed_on or today
    if current.completed_on is not None:
        raise DomainValidationError({"completed_on": ALREADY_COMPLETED.format(
            day=f"{current.completed_on.day} {current.completed_on:%B %Y}")})
    if completed_on > today:
        raise DomainValidationError({"completed_on": COMPLETED_IN_FUTURE})
    if completed_on < current.requested_on:
        raise DomainValidationError({"completed_on": COMPLETED_BEFORE_REQUESTED})
    rows = CourtReport.objects.filter(pk=current.pk, version=version).update(completed_on=completed_on,
                                                                             version=F("version") + 1)
    if rows != 1:
        raise ConcurrentEditError()
    audit_record(actor=by, action="workforce.court_report_complete", obj=current,
                 detail=f"Staff {current.staff.code}", crn=current.case.crn if current.case_id else "",
                 before={"completed_on": None}, after={"completed_on": completed_on})
    return CourtReport.objects.select_related("staff").get(pk=current.pk)


# Weekly workload snapshots (``casework snapshot-workload``, safe from cron).

SNAPSHOT_BATCH = 500  # practitioners per workload read: a bounded IN list on both databases
SNAPSHOT_FIELDS = ["points", "available_points", "capacity_percent"]


@dataclass(frozen=True)
class SnapshotRun:
    """What one run of ``workload_snapshot_take`` wrote for its week."""

    week_start: dt.date
    created: int
    updated: int
    unchanged: int


@transaction.atomic
def workload_snapshot_take(*, today: dt.date | None = None, by=None, now: dt.datetime | None = None,
                           batch: int = SNAPSHOT_BATCH) -> SnapshotRun:
    """Keep this week's workload of every practitioner in post (PO, PQiP, PSO); one audit row for the run.

    One snapshot per practitioner per week (the week's Monday). Run again in the same week, it
    updates in place the snapshots whose figures have changed (and their ``taken_at``) and leaves the
    rest untouched, so a rerun with nothing changed writes nothing but its audit row; past weeks are
    never changed. Two runs at once both succeed (the insert is an upsert on practitioner and week).
    """
    from casework.workforce import workload as live

    now = now or timezone.now()
    today = today or timezone.localdate(now)
    week = live.week_start(today)
    ids = live.active_practitioner_ids(today)
    table = live.points_table_in_force()
    existing = {s.staff_id: s for s in WorkloadSnapshot.objects.filter(week_start=week)}
    new, changed, unchanged = [], [], 0
    for start in range(0, len(ids), batch):
        for staff_id, figures in live.practitioner_workloads(ids[start:start + batch], as_of=today,
                                                             table=table).items():
            values = {"points": figures.points, "available_points": figures.available_points,
                      "capacity_percent": figures.capacity_percent}
            snapshot = existing.get(staff_id)
            if snapshot is None:
                new.append(WorkloadSnapshot(staff_id=staff_id, week_start=week, taken_at=now, **values))
            elif any(getattr(snapshot, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(snapshot, name, value)
                snapshot.taken_at = now
                changed.append(snapshot)
            else:
                unchanged += 1
    WorkloadSnapshot.objects.bulk_create(new, batch_size=1000, update_conflicts=True,
                                         unique_fields=["staff", "week_start"],
                                         update_fields=[*SNAPSHOT_FIELDS, "taken_at"])
    WorkloadSnapshot.objects.bulk_update(changed, [*SNAPSHOT_FIELDS, "taken_at"], batch_size=1000)
    run = SnapshotRun(week_start=week, created=len(new), updated=len(changed), unchanged=unchanged)
    audit_record(actor=by, action="workforce.workload_snapshot",
                 detail=(f"Week beginning {week.day} {week:%B %Y}: {run.created:,} new, {run.updated:,} updated, "
                         f"{run.unchanged:,} unchanged"),
                 after={"week_start": week, "created": run.created, "updated": run.updated,
                        "unchanged": run.unchanged, "taken_at": now})
    return run
