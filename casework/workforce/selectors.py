"""Reads of workforce data for workload pages: fixed query counts, whatever the number of staff."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Q

from casework.rules import workload
from casework.workforce.models import Reduction


def active_reduction_hours(staff_ids: Iterable[int], as_of: dt.date) -> dict[int, Decimal]:
    """Hours taken off each member of staff's contracted hours on ``as_of``, in one query.

    Every id asked for is in the answer (0 when nothing is active). Several active reductions add
    up, capped at the contracted hours (rules.md §2.2–2.3, the engine's ``reduction_hours``), so
    ``workload.available_points(contracted, hours)`` never goes below 0.
    """
    ids = list(dict.fromkeys(staff_ids))
    if not ids:
        return {}
    active = Q(start__lte=as_of) & (Q(end__isnull=True) | Q(end__gte=as_of))
    rows = (Reduction.objects.filter(active, staff_id__in=ids).order_by()
            .values_list("staff_id", "hours", "staff__contracted_hours"))
    found: dict[int, list[workload.Reduction]] = defaultdict(list)
    contracted: dict[int, Decimal] = {}
    for staff_id, hours, contracted_hours in rows:
        found[staff_id].append(workload.Reduction(hours=hours))
        contracted[staff_id] = contracted_hours
    return {staff_id: workload.reduction_hours(contracted[staff_id], found[staff_id]) if staff_id in found
            else Decimal(0) for staff_id in ids}
