"""A case: overview, contact log, history, and the forms that change it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone

from casework.access.policy import Perm, requires
from casework.access.visibility import VisibleCase
from casework.core.errors import ConcurrentEditError, DomainValidationError, NotPermittedError
from casework.record import services
from casework.record.selectors import (
    ContactFilters,
    assignment_history,
    case_change_history,
    case_overview,
    contact_get,
    contact_log,
    tier_history,
)
from casework.web.page_forms import ContactFilterForm, ContactForm, OutcomeForm, PersonalDetailsForm
from casework.web.rows import contact_entries, history_entries
from casework.web.views import enforcement, tasks
from casework.web.views.common import get_case, page_number


def _apply_domain_errors(form, exc: DomainValidationError, field_map: dict[str, str] | None = None) -> None:
    for field, message in exc.errors.items():
        name = (field_map or {}).get(field, field)
        form.add_error(name if name in form.fields else None, message)


@requires(Perm.CASE_VIEW)
def case_overview_page(request, crn: str):
    visible = get_case(request, crn, page="overview")
    return render(request, "web/case/overview.html", {"case": visible.case, "can_change": visible.can_change,
                                                      "overview": case_overview(case=visible),
                                                      "safeguards": tasks.case_safeguards(visible),
                                                      "compliance": enforcement.case_compliance_section(visible),
                                                      "section": "overview"})


@requires(Perm.CASE_VIEW)
def case_contacts_page(request, crn: str):
    visible = get_case(request, crn, page="contacts")
    case = visible.case
    form = ContactFilterForm(request.GET)
    filters = ContactFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = ContactFilters(kind=data["kind"], outcome=data["outcome"], date_from=data["date_from"],
                                 date_to=data["date_to"])
    now = timezone.now()
    page = contact_log(case=visible, filters=filters, page=page_number(request), now=now)
    entries = contact_entries(page.object_list, crn=case.crn, now=now, can_change=visible.can_change)
    return render(request, "web/case/contacts.html",
                  {"case": case, "can_change": visible.can_change, "form": form, "page": page, "entries": entries,
                   "section": "contacts"})


@requires(Perm.CASE_VIEW)
def case_history_page(request, crn: str):
    visible = get_case(request, crn, page="history")
    page = case_change_history(case=visible, page=page_number(request))
    return render(
        request,
        "web/case/history.html",
        {"case": visible.case, "page": page, "entries": history_entries(page.object_list),
         "assignments": assignment_history(case=visible), "tiers": tier_history(case=visible),
         "section": "history"},
    )


def _changeable_case(request, crn: str, page: str) -> VisibleCase:
    visible = get_case(request, crn, page=page)
    if not visible.can_change:
        raise PermissionDenied("Only the case manager or the team's SPO can change this case")
    return visible


@requires(Perm.CONTACT_RECORD)
def contact_new(request, crn: str):
    case = _changeable_case(request, crn, page="record contact").case
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.contact_record(
                case=case, by=request.user, kind=data["kind"], starts_at=form.starts_at(),
                location=data["location"], outcome=data["outcome"], absence_reason=data["absence_reason"],
                notes=data["notes"], sensitive=data["sensitive"], submission_key=data["submission_key"],
            )
        except DomainValidationError as exc:
            _apply_domain_errors(form, exc, {"starts_at": "date", "starts_at_time": "time"})
        except NotPermittedError:
            raise PermissionDenied() from None
        except services.DuplicateSubmissionError:  # sent twice: answered as the first was, nothing more recorded
            messages.success(request, "Contact recorded")
            return redirect("case-contacts", crn=case.crn)
        else:
            messages.success(request, "Contact recorded")
            return redirect("case-contacts", crn=case.crn)
    return render(request, "web/case/contact_form.html", {"case": case, "form": form, "section": "contacts"})


@requires(Perm.CONTACT_RECORD)
def contact_outcome(request, crn: str, contact_id: int):
    visible = _changeable_case(request, crn, page="record outcome")
    case = visible.case
    contact = contact_get(case=visible, contact_id=contact_id)
    initial = {"version": contact.version, "outcome": contact.outcome, "absence_reason": contact.absence_reason}
    form = OutcomeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.contact_record_outcome(
                contact=contact, by=request.user, expected_version=data["version"], outcome=data["outcome"],
                absence_reason=data["absence_reason"], notes=data["notes"], submission_key=data["submission_key"],
            )
        except DomainValidationError as exc:
            _apply_domain_errors(form, exc)
        except ConcurrentEditError as exc:
            form.add_error(None, exc.message)
        except NotPermittedError:
            raise PermissionDenied() from None
        except services.DuplicateSubmissionError:
            messages.success(request, "Outcome recorded")
            return redirect("case-contacts", crn=case.crn)
        else:
            messages.success(request, "Outcome recorded")
            return redirect("case-contacts", crn=case.crn)
    return render(request, "web/case/outcome_form.html",
                  {"case": case, "contact": contact, "form": form, "section": "contacts"})


@requires(Perm.CASE_EDIT)
def personal_details_edit(request, crn: str):
    case = _changeable_case(request, crn, page="change personal details").case
    fields = services.PERSONAL_DETAIL_FIELDS
    initial = {name: getattr(case, name) for name in fields} | {"version": case.version}
    form = PersonalDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.case_update_personal_details(
                case=case, by=request.user, expected_version=data["version"],
                **{name: data[name] for name in fields},
            )
        except DomainValidationError as exc:
            _apply_domain_errors(form, exc)
        except ConcurrentEditError as exc:
            form.add_error(None, exc.message)
        except NotPermittedError:
            raise PermissionDenied() from None
        else:
            messages.success(request, "Personal details updated")
            return redirect("case-overview", crn=case.crn)
    return render(request, "web/case/personal_details_form.html", {"case": case, "form": form, "section": "overview"})
