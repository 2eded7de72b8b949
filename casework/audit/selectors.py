"""Reading the audit log: administrators only, filtered by actor, action, CRN and dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.db.models import QuerySet
from django.utils import timezone

from casework.access.policy import Perm, has_perm
from casework.access.viewer import Viewer
from casework.audit.models import AuditEvent
from casework.core.errors import NotPermittedError


@dataclass(frozen=True)
class AuditFilters:
    actor: str = ""
    action: str = ""
    crn: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def as_dict(self) -> dict[str, str]:
        """The filters in use, as strings (for the export's own audit row)."""
        return {k: str(v) for k, v in asdict(self).items() if v}


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_events(*, viewer: Viewer, filters: AuditFilters) -> QuerySet[AuditEvent]:
    """Audit events matching ``filters``, newest first. Refuses anyone but an administrator."""
    if not has_perm(viewer, Perm.AUDIT_VIEW):
        raise NotPermittedError("Only administrators read the audit log")
    qs = AuditEvent.objects.order_by("-at", "-id")
    if filters.actor:
        qs = qs.filter(actor_label__iexact=filters.actor.strip())
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.crn:
        qs = qs.filter(crn=filters.crn.strip().upper())
    if filters.date_from:
        qs = qs.filter(at__gte=_start_of(filters.date_from))
    if filters.date_to:
        qs = qs.filter(at__lt=_start_of(filters.date_to + dt.timedelta(days=1)))
    return qs


def audit_actions(*, viewer: Viewer) -> list[str]:
    """Every action name in the log, for the filter's list."""
    if not has_perm(viewer, Perm.AUDIT_VIEW):
        raise NotPermittedError("Only administrators read the audit log")
    return list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct())
