"""Writes of workload reductions (rules.md §2.3). One transaction each, with its audit row inside it.

The rules themselves — hours from a percentage, each reason's maximum and standard length, the
limits on hours, dates and notes — are the pure engine's (``casework.rules.workload``); the checks
on a stored reduction are ``Reduction.problems``. Reductions are changed or ended, never deleted:
they are the history behind a practitioner's available points.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from casework.access.models import Role
from casework.access.viewer import viewer_for
from casework.audit.services import audit_record, changes
from casework.core.errors import ConcurrentEditError, DomainValidationError, NotPermittedError
from casework.rules import workload
from casework.workforce.models import PERCENT_OUT_OF_RANGE, Reduction, ReductionReason, Staff, TeamMembership

NOT_PERMITTED = ("Only an administrator, the member of staff's SPO or their head of PDU "
                 "may change their workload reductions")
REASON_REQUIRED = "Select the reason for the reduction"
HOURS_REQUIRED = "Enter the hours or the percentage of contracted hours taken off"
HOURS_OR_PERCENT = "Enter the hours or the percentage of contracted hours, not both"
START_REQUIRED = "Enter the start date"

REDUCTION_FIELDS = ["reason", "hours", "percent", "start", "end", "notes"]


def _check_can_manage(by, staff: Staff, today: dt.date) -> None:
    """Administrators, the SPO of a team the member of staff is in, or the head of that team's PDU."""
    viewer = viewer_for(by, today=today)
    if viewer.read_only:
        raise NotPermittedError(NOT_PERMITTED)
    if viewer.is_admin:
        return
    current = Q(start_date__lte=today) & (Q(end_date__isnull=True) | Q(end_date__gte=today))
    teams = list(TeamMembership.objects.filter(current, staff=staff).values_list("team_id", "team__pdu_id"))
    if viewer.has_role(Role.SPO) and {team for team, _ in teams} & viewer.managed_team_ids:
        return
    if viewer.has_role(Role.HEAD_OF_PDU) and {pdu for _, pdu in teams} & viewer.pdu_ids:
        return
    raise NotPermittedError(NOT_PERMITTED)


def _normalise(values: dict[str, Any], contracted: Decimal, *, hours_given: bool, percent_given: bool,
               reason_changed: bool) -> None:
    """Fill in hours from a percentage (or the reason's standard one) and the reason's standard end date."""
    reason = workload.ReductionReason(values["reason"])
    rule = workload.REDUCTION_REASONS[reason]
    if hours_given and percent_given and values["hours"] is not None and values["percent"] is not None:
        # Both is fine only when they agree (a form showing both, with neither changed).
        percent = Decimal(values["percent"])
        if (not Decimal(0) <= percent <= Decimal(100)
                or Decimal(values["hours"]) != workload.Reduction(percent=percent).hours_for(contracted)):
            raise DomainValidationError({"hours": HOURS_OR_PERCENT})
    elif hours_given and values["hours"] is not None:
        values["percent"] = None  # hours entered directly replace a percentage
    elif reason_changed and not percent_given and rule.default_percent is not None:
        values["percent"] = rule.default_percent  # a new fixed-percentage reason brings its percentage
    elif values["hours"] is None and values["percent"] is None and rule.default_percent is not None:
        values["percent"] = rule.default_percent
    if values["percent"] is not None:
        percent = values["percent"] = Decimal(values["percent"])
        if not Decimal(0) <= percent <= Decimal(100):
            raise DomainValidationError({"percent": PERCENT_OUT_OF_RANGE.format(maximum=100)})
        values["hours"] = workload.Reduction(percent=percent).hours_for(contracted)
    if values["hours"] is None:
        raise DomainValidationError({"hours": HOURS_REQUIRED})
    values["hours"] = Decimal(values["hours"])
    if values["end"] is None:
        values["end"] = workload.default_end_date(reason, values["start"])
    values["notes"] = values["notes"] or ""


def _check(reduction: Reduction) -> None:
    errors = reduction.problems()
    if errors:
        raise DomainValidationError(errors)


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
    if reason not in ReductionReason.values:
        raise DomainValidationError({"reason": REASON_REQUIRED})
    if start is None:
        raise DomainValidationError({"start": START_REQUIRED})
    values = {"reason": reason, "hours": hours, "percent": percent, "start": start, "end": end, "notes": notes}
    _normalise(values, staff.contracted_hours, hours_given=hours is not None, percent_given=percent is not None,
               reason_changed=False)
    reduction = Reduction(staff=staff, created_by=by, **values)
    _check(reduction)
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
    if "reason" in new and new["reason"] not in ReductionReason.values:
        raise DomainValidationError({"reason": REASON_REQUIRED})
    if "start" in new and new["start"] is None:
        raise DomainValidationError({"start": START_REQUIRED})
    values = {name: new.get(name, getattr(current, name)) for name in REDUCTION_FIELDS}
    _normalise(values, current.staff.contracted_hours, hours_given="hours" in new, percent_given="percent" in new,
               reason_changed=values["reason"] != current.reason)
    candidate = Reduction(pk=current.pk, staff=current.staff, **values)
    _check(candidate)
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
