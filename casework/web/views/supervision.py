"""The supervision cycle on a case: risk events, appointments and home visits, registrations, risk
assessments and the risk management plan. Each page is a GOV.UK form posting to an audited service."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone

from casework.access.policy import Perm, requires
from casework.access.visibility import VisibleCase
from casework.core.errors import ConcurrentEditError, DomainValidationError, NotPermittedError
from casework.record.choices import ContactKind
from casework.rules import contacts
from casework.supervision import services
from casework.supervision.selectors import (
    appointment_get,
    case_events,
    registration_get,
    registration_types,
    risk_management_plan_current,
)
from casework.web.supervision_forms import (
    AppointmentForm,
    CaseEventForm,
    DeregisterForm,
    RegistrationAddForm,
    RegistrationReviewForm,
    RescheduleForm,
    RiskAssessmentForm,
    RiskManagementPlanForm,
)
from casework.web.views.common import get_case


def _changeable_case(request, crn: str, page: str) -> VisibleCase:
    visible = get_case(request, crn, page=page)
    if not visible.can_change:
        raise PermissionDenied("Only the case manager or the team's SPO can change this case")
    return visible


def _save(request, form, write, *, field_map: dict[str, str] | None = None) -> bool:
    """Call the service ``write``; put its refusals on the form. True when it wrote."""
    try:
        write()
    except DomainValidationError as exc:
        for field, message in exc.errors.items():
            name = (field_map or {}).get(field, field)
            form.add_error(name if name in form.fields else None, message)
    except ConcurrentEditError as exc:
        form.add_error(None, exc.message)
    except NotPermittedError:
        raise PermissionDenied() from None
    else:
        return True
    return False


def _page(request, template: str, case, form, **context):
    return render(request, f"web/supervision/{template}", {"case": case, "form": form, "section": "overview",
                                                           **context})


@requires(Perm.SUPERVISION_RECORD)
def event_new(request, crn: str):
    visible = _changeable_case(request, crn, page="record an event")
    case = visible.case
    form = CaseEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _save(request, form, lambda: services.case_event_record(
                case=case, by=request.user, type=data["type"], occurred_on=data["occurred_on"], notes=data["notes"])):
            messages.success(request, "Event recorded")
            return redirect("case-overview", crn=case.crn)
    return _page(request, "event_form.html", case, form, events=case_events(case=visible))


@requires(Perm.SUPERVISION_RECORD)
def appointment_new(request, crn: str):
    case = _changeable_case(request, crn, page="arrange an appointment").case
    initial = {"kind": request.GET.get("kind")} if request.GET.get("kind") in ContactKind.values else {}
    form = AppointmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _save(request, form, lambda: services.appointment_arrange(
                case=case, by=request.user, kind=data["kind"], starts_at=form.starts_at(), location=data["location"],
                notes=data["notes"]), field_map={"starts_at": "date"}):
            messages.success(request, f"{ContactKind(data['kind']).label} arranged")
            return redirect("case-overview", crn=case.crn)
    return _page(request, "appointment_form.html", case, form)


@requires(Perm.SUPERVISION_RECORD)
def appointment_reschedule(request, crn: str, contact_id: int):
    visible = _changeable_case(request, crn, page="reschedule an appointment")
    case = visible.case
    contact = appointment_get(case=visible, contact_id=contact_id)
    movable = contacts.is_appointment(contact.kind) and not contact.outcome and contact.starts_at > timezone.now()
    local = timezone.localtime(contact.starts_at)
    form = RescheduleForm(request.POST or None, initial={"version": contact.version, "date": local.date(),
                                                         "time": local.strftime("%H:%M"),
                                                         "location": contact.location})
    if movable and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _save(request, form, lambda: services.appointment_reschedule(
                contact=contact, by=request.user, expected_version=data["version"], starts_at=form.starts_at(),
                location=data["location"], reason=data["reason"]), field_map={"starts_at": "date"}):
            messages.success(request, "Appointment rescheduled")
            return redirect("case-overview", crn=case.crn)
    return _page(request, "reschedule_form.html", case, form, contact=contact, movable=movable)


@requires(Perm.SUPERVISION_RECORD)
def registration_new(request, crn: str):
    case = _changeable_case(request, crn, page="add a registration").case
    form = RegistrationAddForm(request.POST or None, types=registration_types())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _save(request, form, lambda: services.registration_add(
                case=case, by=request.user, type_code=data["type_code"], start_date=data["start_date"],
                level=data["level"], category=data["category"], next_review_date=data["next_review_date"],
                reason=data["reason"])):
            messages.success(request, "Registration added")
            return redirect("case-overview", crn=case.crn)
    return _page(request, "registration_form.html", case, form)


@requires(Perm.SUPERVISION_RECORD)
def registration_review(request, crn: str, registration_id: int):
    visible = _changeable_case(request, crn, page="review a registration")
    case = visible.case
    found = registration_get(case=visible, registration_id=registration_id)
    registration = found.registration
    mappa = registration.type.code == services.MAPPA
    initial = {"version": found.version, "level": registration.level, "category": registration.category}
    form = RegistrationReviewForm(request.POST or None, initial=initial, mappa=mappa)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _save(request, form, lambda: services.registration_review(
                registration=registration, by=request.user, expected_version=data["version"],
                reviewed_on=data["reviewed_on"], next_review_date=data["next_review_date"], notes=data["notes"],
                level=data.get("level"), category=data.get("category"))):
            messages.success(request, f"{registration.type.name} registration reviewed")
            return redirect("case-overview", crn=case.crn)
    return _page(request, "registration_review_form.html", case, form, registration=registration)


@requires(Perm.SUPERVISION_RECORD)
def registration_deregister(request, crn: str, registration_id: int):
    visible = _changeable_case(request, crn, page="end a registration")
    case = visible.case
    found = registration_get(case=visible, registration_id=registration_id)
    registration = found.registration
    form = DeregisterForm(request.POST or None, initial={"version": found.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _save(request, form, lambda: services.registration_deregister(
                registration=registration, by=request.user, expected_version=data["version"],
                ended_on=data["ended_on"], reason=data["reason"])):
            messages.success(request, f"{registration.type.name} registration ended")
            return redirect("case-overview", crn=case.crn)
    return _page(request, "deregister_form.html", case, form, registration=registration)


@requires(Perm.SUPERVISION_RECORD)
def risk_assessment_new(request, crn: str):
    case = _changeable_case(request, crn, page="record a risk assessment").case
    form = RiskAssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = form.service_values()
        if _save(request, form, lambda: services.risk_assessment_record(case=case, by=request.user, **values),
                 field_map={"needs": "need_ACCOMMODATION"}):
            messages.success(request, "Risk assessment recorded")
            return redirect("case-overview", crn=case.crn)
    return _page(request, "risk_assessment_form.html", case, form)


PLAN_TEXT = ("risks", "supervision", "interventions", "victim_safety", "contingency")


@requires(Perm.SUPERVISION_RECORD)
def risk_management_plan(request, crn: str):
    visible = _changeable_case(request, crn, page="risk management plan")
    case = visible.case
    current = risk_management_plan_current(case=visible)
    initial = {"version": current.version if current else 0}
    if current:
        initial |= {name: getattr(current, name) for name in PLAN_TEXT}
    form = RiskManagementPlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _save(request, form, lambda: services.risk_management_plan_record(
                case=case, by=request.user, expected_version=data["version"], agreed_on=data["agreed_on"],
                next_review_on=data["next_review_on"], **{name: data[name] for name in PLAN_TEXT})):
            messages.success(request, "Risk management plan saved")
            return redirect("case-overview", crn=case.crn)
    return _page(request, "risk_management_plan_form.html", case, form, plan=current)
