"""Reads about access itself: who may approve which scope grants, and the grants waiting for them.

A grant that opens case data needs a second person with authority over its scope:

- a team or a PDU: the head of that PDU (an approved, current head-of-PDU grant over it), or someone
  with national authority;
- a region or England and Wales: someone with national authority, meaning an approved, current grant
  over England and Wales as head of PDU or quality assurance (inspectors have none: they only read).

Nobody approves a grant for themselves or one they asked for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from casework.access.models import GrantStatus, Role, ScopeGrant
from casework.access.viewer import Viewer

# The roles whose grants carry authority to approve other grants (and over which scope).
AUTHORITY_ROLES = (Role.HEAD_OF_PDU, Role.QUALITY_ASSURANCE)


@dataclass(frozen=True)
class ApprovalAuthority:
    """The grants a person may approve: every scope (``national``), or those inside ``pdu_ids``."""

    national: bool = False
    pdu_ids: frozenset[int] = frozenset()

    @property
    def any(self) -> bool:
        return self.national or bool(self.pdu_ids)

    def covers(self, grant: ScopeGrant) -> bool:
        """Whether ``grant``'s scope lies inside this authority."""
        if self.national:
            return True
        if grant.pdu_id:
            return grant.pdu_id in self.pdu_ids
        if grant.team_id:
            return grant.team.pdu_id in self.pdu_ids
        return False  # a region or England and Wales needs national authority

    def grants_filter(self) -> Q:
        """The grants inside this authority, as a filter on ``ScopeGrant``."""
        if self.national:
            return Q()
        if not self.pdu_ids:
            return Q(pk__in=[])
        return Q(pdu_id__in=self.pdu_ids) | Q(team__pdu_id__in=self.pdu_ids)


def approval_authority(*, staff_id: int | None, today: dt.date) -> ApprovalAuthority:
    """The authority to approve grants that ``staff_id``'s own approved, current grants give (one query)."""
    if staff_id is None:
        return ApprovalAuthority()
    rows = ScopeGrant.objects.filter(
        staff_id=staff_id, status=GrantStatus.APPROVED, starts_on__lte=today, ends_on__gte=today,
        role__in=AUTHORITY_ROLES, staff__started_in_post__lte=today,
    ).filter(Q(staff__ended__isnull=True) | Q(staff__ended__gte=today)).values_list("role", "national", "pdu_id")
    national, pdu_ids = False, set()
    for role, is_national, pdu_id in rows:
        if is_national:
            national = True
        elif role == Role.HEAD_OF_PDU and pdu_id:
            pdu_ids.add(pdu_id)
    return ApprovalAuthority(national=national, pdu_ids=frozenset(pdu_ids))


def grants_awaiting_decision(*, viewer: Viewer, today: dt.date) -> QuerySet[ScopeGrant]:
    """Pending grants that ``viewer`` may approve or reject: inside their authority, not their own, not
    asked for by them, and not already past their end date. Oldest request first."""
    authority = approval_authority(staff_id=viewer.staff_id, today=today)
    if not authority.any:
        return ScopeGrant.objects.none()
    return (
        ScopeGrant.objects.filter(authority.grants_filter(), status=GrantStatus.PENDING, ends_on__gte=today)
        .exclude(staff_id=viewer.staff_id)
        .exclude(created_by_id=viewer.user_id)
        .select_related("staff", "team", "pdu", "region", "exercise", "created_by")
        .order_by("created_at", "pk")
    )


def grant_awaiting_decision(*, viewer: Viewer, grant_id: int, today: dt.date) -> ScopeGrant | None:
    """One pending grant ``viewer`` may decide on, or None (missing and not theirs to decide look the same)."""
    return grants_awaiting_decision(viewer=viewer, today=today).filter(pk=grant_id).first()
