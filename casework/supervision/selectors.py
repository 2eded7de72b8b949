"""Every read of the supervision cycle. Reads of one case take the ``VisibleCase`` from ``case_get_for_user``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Max
from django.http import Http404

from casework.access.visibility import VisibleCase, require_visible
from casework.record.models import Contact, Registration, RegistrationType
from casework.supervision.models import CaseEvent, RiskManagementPlan


def registration_version(registration: Registration) -> int:
    """The registration's version: how many changes it has had through the services (0 for none)."""
    return registration.changes.aggregate(v=Max("version"))["v"] or 0


def registration_types() -> list[RegistrationType]:
    """Every kind of registration, by group and name (reference data, the same for everyone)."""
    return list(RegistrationType.objects.order_by("group", "name"))


@dataclass(frozen=True)
class RegistrationForChange:
    registration: Registration
    version: int


def registration_get(*, case: VisibleCase, registration_id: int) -> RegistrationForChange:
    """An active registration of a case fetched with ``case_get_for_user``, with its version; or 404."""
    registration = (require_visible(case).registrations.select_related("type")
                    .filter(pk=registration_id, end_date__isnull=True)
                    .annotate(current_version=Max("changes__version")).first())
    if registration is None:
        raise Http404("No such registration")
    return RegistrationForChange(registration=registration, version=registration.current_version or 0)


def appointment_get(*, case: VisibleCase, contact_id: int) -> Contact:
    """One appointment (or any contact) of a case fetched with ``case_get_for_user``, or 404."""
    contact = require_visible(case).contacts.filter(pk=contact_id).first()
    if contact is None:
        raise Http404("No such appointment")
    return contact


def case_events(*, case: VisibleCase, limit: int = 10) -> list[CaseEvent]:
    """The case's latest risk events, newest first."""
    return list(require_visible(case).events.order_by("-occurred_on", "-id")[:limit])


def risk_management_plan_current(*, case: VisibleCase) -> RiskManagementPlan | None:
    """The case's current risk management plan (its highest version), or None."""
    return require_visible(case).risk_management_plans.select_related("author").order_by("-version").first()
