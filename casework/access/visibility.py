"""Which cases a viewer may read or change. The single place these rules live."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from casework.access.viewer import Viewer
from casework.record.choices import AccessKind
from casework.record.models import Case, CaseAccess


def scope_filter(viewer: Viewer) -> Q:
    """Cases inside the viewer's organisational scope (before limited-access rules)."""
    if not viewer.has_case_scope:
        return Q(pk__in=[])
    if viewer.national:
        return Q()
    q = Q(pk__in=[])
    if viewer.staff_id and viewer.is_practitioner:
        q |= Q(manager_id=viewer.staff_id)
    if viewer.team_ids:
        q |= Q(team_id__in=viewer.team_ids)
    if viewer.queue_pdu_ids:
        # The PDU's allocation queue: cases waiting for a team, in the PDUs of the teams they lead.
        q |= Q(team__isnull=True, pdu_id__in=viewer.queue_pdu_ids)
    if viewer.pdu_ids:
        q |= Q(pdu_id__in=viewer.pdu_ids)
    if viewer.region_ids:
        q |= Q(pdu__region_id__in=viewer.region_ids)
    return q


def visible_cases(viewer: Viewer, queryset: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """``queryset`` (default: all cases) narrowed to what ``viewer`` may see.

    Limited access: a viewer with an EXCLUDED rule never sees the case; a restricted case is seen
    only with a PERMITTED rule. Both apply in every role, including national ones. Another system
    (an API client) never receives a limited-access case at all: it cannot apply rules about people.
    """
    qs = Case.objects.all() if queryset is None else queryset
    if not viewer.has_case_scope:
        return qs.none()
    scoped = qs.filter(scope_filter(viewer))
    if viewer.is_api_client:
        return scoped.filter(restricted=False, has_exclusions=False)
    rules = CaseAccess.objects.filter(case_id=OuterRef("pk"), staff_id=viewer.staff_id)
    return scoped.exclude(
        Q(has_exclusions=True) & Exists(rules.filter(kind=AccessKind.EXCLUDED))
    ).filter(Q(restricted=False) | Exists(rules.filter(kind=AccessKind.PERMITTED)))


def can_see(viewer: Viewer, case: Case) -> bool:
    """Whether ``viewer`` may read ``case``."""
    return visible_cases(viewer, Case.objects.filter(pk=case.pk)).exists()


def _may_write(viewer: Viewer, case: Case) -> bool:
    """The role half of ``can_change``: the case manager, or the SPO of the case's team (never an inspector)."""
    if not viewer.staff_id or viewer.read_only:
        return False
    holds = viewer.is_practitioner and case.manager_id == viewer.staff_id
    manages = case.team_id is not None and case.team_id in viewer.managed_team_ids
    return holds or manages


def can_change(viewer: Viewer, case: Case) -> bool:
    """Whether ``viewer`` may write to ``case``: its case manager, or the SPO of its team (never an inspector)."""
    return _may_write(viewer, case) and can_see(viewer, case)


def can_change_visible(viewer: Viewer, case: Case) -> bool:
    """``can_change`` for a case just read through ``visible_cases(viewer)`` in this request.

    The read already applied every visibility rule, so asking the database again (``can_see``) would
    be a second query with the same answer. Services still call ``can_change`` before every write.
    """
    return _may_write(viewer, case)
