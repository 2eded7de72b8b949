"""Writes of workload reductions (rules.md §2.3). One transaction each, with its audit row inside it.

The rules themselves — what an entry means (hours or a percentage, the standard end date) and every
check on it — are pure functions: ``casework.rules.reductions.resolve_reduction`` over the table in
``casework.rules.workload``. Reductions are changed or ended, never deleted: they are the history
behind a practitioner's available points.
"""

from __future__ import annotations

import datetime as dt
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
from casework.workforce.models import Reduction, Staff, TeamMembership

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
