"""Reading the audit log: administrators only, filtered by actor, action, CRN and dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.db.models import QuerySet
from django.utils import timezone

from casework.access.policy import Perm, has_perm
from casework.access.viewer import Viewer
from casework.access.visibility import visible_cases
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


# Shown instead of a value the reader may not see; the field's name stays.
HIDDEN = "Not shown"
# Actions whose values are administrators' own access settings (staff ids, kinds, reasons), not case data.
ACCESS_SETTINGS_PREFIX = "access."


def _hide_values(values):
    if isinstance(values, dict):
        return dict.fromkeys(values, HIDDEN)
    return HIDDEN


def readable_crns(*, viewer: Viewer, crns) -> set[str]:
    """Which of ``crns`` ``viewer`` may read (no query for someone who reads no cases, like an administrator)."""
    crns = {crn for crn in crns if crn}
    if not crns or not viewer.has_case_scope:
        return set()
    return set(visible_cases(viewer).filter(crn__in=crns).values_list("crn", flat=True))


def audit_values_for_viewer(*, viewer: Viewer, events) -> list[AuditEvent]:
    """``events`` with the before and after values of a case the viewer may not read replaced by
    ``HIDDEN`` (field names stay): a person's name, date of birth, phone or email reach only those who
    may read the case. The events are not saved (the log is append-only); one query at most.
    """
    events = list(events)
    case_events = [e for e in events if e.crn and not e.action.startswith(ACCESS_SETTINGS_PREFIX)]
    readable = readable_crns(viewer=viewer, crns={e.crn for e in case_events})
    for event in case_events:
        if event.crn not in readable:
            if event.before is not None:
                event.before = _hide_values(event.before)
            if event.after is not None:
                event.after = _hide_values(event.after)
    return events
