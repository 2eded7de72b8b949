"""Reads of workforce data for workload pages: fixed query counts, whatever the number of staff."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404

from casework.access.viewer import Viewer, membership_current_on
from casework.access.visibility import visible_staff
from casework.rules import workload
from casework.workforce.models import Reduction, Staff, TeamMembership


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


# --- Staff pages (/staff/): lists and records, read through the viewer's workforce scope ----------------

STAFF_PAGE_SIZE = 50


def staff_fingerprint(staff) -> str:
    """A short digest of a staff record's editable fields as stored: a form carries it, and the change is
    refused if the record no longer matches (``services.staff_change_if_unchanged``)."""
    from casework.workforce.services import STAFF_FIELDS

    return _digest([getattr(staff, "user_id" if name == "user" else name) for name in STAFF_FIELDS])


def membership_fingerprint(membership) -> str:
    """A short digest of a team membership's fields as stored (``services.membership_change_if_unchanged``)."""
    from casework.workforce.services import MEMBERSHIP_FIELDS

    return _digest([getattr(membership, "team_id" if name == "team" else name) for name in MEMBERSHIP_FIELDS])


def _digest(values: list) -> str:
    text = "\x1f".join("" if value is None else str(value) for value in values)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


@dataclass(frozen=True)
class StaffRow:
    """A member of staff on the staff list: their record, current teams and hours taken off today."""

    staff: Staff
    teams: tuple[TeamMembership, ...]
    reduction_hours: Decimal


def staff_page(*, viewer: Viewer, today: dt.date, team_id: int | None = None, grade: str = "", page: int = 1) -> Page:
    """A page of the staff records ``viewer`` may read (``casework.access.visibility.visible_staff``), by name,
    optionally only the current members of one team (which must be in the viewer's scope: the caller's
    filter offers only those) and of one grade. Four queries: the count, the page, their current teams and
    their active reductions."""
    qs = visible_staff(viewer, today=today)
    if team_id is not None:
        qs = qs.filter(Exists(TeamMembership.objects.filter(membership_current_on(today), team_id=team_id,
                                                            staff_id=OuterRef("pk"))))
    if grade:
        qs = qs.filter(grade=grade)
    current = TeamMembership.objects.filter(membership_current_on(today)).select_related("team").order_by(
        "team__name", "pk")
    qs = qs.order_by("last_name", "first_name", "pk").prefetch_related(
        Prefetch("memberships", queryset=current, to_attr="current_memberships"))
    result = Paginator(qs, STAFF_PAGE_SIZE).get_page(page)
    staff = list(result.object_list)
    hours = active_reduction_hours([s.pk for s in staff], today)
    result.object_list = [StaffRow(s, tuple(s.current_memberships), hours.get(s.pk, Decimal(0))) for s in staff]
    return result


def staff_get(*, viewer: Viewer, code: str, today: dt.date) -> Staff:
    """The staff record with ``code`` if ``viewer`` may read it, else 404 (the same whether it exists or not)."""
    staff = visible_staff(viewer, today=today, queryset=Staff.objects.filter(code=code)).first()
    if staff is None:
        raise Http404("No such member of staff")
    return staff


def staff_memberships(staff: Staff) -> list[TeamMembership]:
    """Every team membership of ``staff``, latest first, with its team and PDU (one query)."""
    return list(staff.memberships.select_related("team__pdu").order_by("-start_date", "-pk"))


def staff_reductions(staff: Staff) -> list[Reduction]:
    """Every workload reduction of ``staff``, latest start first (one query)."""
    return list(Reduction.objects.filter(staff=staff).order_by("-start", "-pk"))


def reduction_get(*, staff: Staff, reduction_id: int) -> Reduction:
    """``staff``'s reduction ``reduction_id``, or 404 (someone else's reduction is not found here)."""
    reduction = Reduction.objects.filter(staff=staff, pk=reduction_id).first()
    if reduction is None:
        raise Http404("No such reduction")
    reduction.staff = staff
    return reduction


def membership_get(*, staff: Staff, membership_id: int) -> TeamMembership:
    """``staff``'s team membership ``membership_id`` with its team, or 404."""
    membership = TeamMembership.objects.select_related("team__pdu").filter(staff=staff, pk=membership_id).first()
    if membership is None:
        raise Http404("No such team membership")
    membership.staff = staff
    return membership
