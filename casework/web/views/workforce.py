"""Workforce pages: staff, their workload reductions and team memberships, and team establishments.

Which staff and teams a viewer sees is ``casework.access.visibility`` (``visible_staff``,
``workforce_teams``): administrators every one, SPOs their teams', heads of PDU their PDU's. Every
change is a GOV.UK form posting to an audited service, which decides again who may make it:
reductions the member of staff's SPO, head of PDU or an administrator (``casework.workforce.services``);
staff records and team memberships administrators only; funded posts administrators and the head of
the team's PDU (``casework.organisation.services``).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms.utils import ErrorDict
from django.shortcuts import redirect, render
from django.utils import timezone

from casework.access.policy import Perm, has_perm, requires
from casework.access.visibility import can_change_establishment, can_manage_staff
from casework.core.errors import ConcurrentEditError, DomainValidationError, NotPermittedError
from casework.organisation import services as organisation_services
from casework.organisation.models import PostGrade
from casework.organisation.selectors import (
    establishment_members,
    establishments,
    funded_posts,
    workforce_team_choices,
    workforce_team_get,
    workforce_teams_page,
)
from casework.rules import workload
from casework.web.views.common import page_number
from casework.web.workforce_forms import (
    EndReductionForm,
    EstablishmentForm,
    MembershipAddForm,
    MembershipForm,
    ReductionForm,
    StaffFilterForm,
    StaffRecordForm,
)
from casework.workforce import services
from casework.workforce.selectors import (
    membership_fingerprint,
    membership_get,
    reduction_get,
    staff_fingerprint,
    staff_get,
    staff_memberships,
    staff_page,
    staff_reductions,
)

# Words and tag colours for a reduction's status (rules.md §2.3: scheduled, active, archived).
STATUS = {
    workload.ReductionStatus.ACTIVE: ("Active", "govuk-tag--green"),
    workload.ReductionStatus.SCHEDULED: ("Future", "govuk-tag--blue"),
    workload.ReductionStatus.ARCHIVED: ("Ended", "govuk-tag--grey"),
}
CONCURRENT = ("Someone else changed this while you were editing it. Your changes have not been saved: "
              "check the details below, which now show their changes, and make yours again.")


def _save(form, write, *, field_map: dict[str, str] | None = None) -> bool:
    """Call the service ``write``; put its refusals on the form (``form.stale`` when someone else changed the
    record first). True when it wrote."""
    try:
        write()
    except DomainValidationError as exc:
        for field, message in exc.errors.items():
            name = (field_map or {}).get(field, field)
            form.add_error(name if name in form.fields else None, message)
    except ConcurrentEditError:
        form.add_error(None, CONCURRENT)
        form.stale = True
    except NotPermittedError as exc:
        raise PermissionDenied(str(exc)) from None
    else:
        return True
    return False


# --- Staff ---------------------------------------------------------------------------------------


@requires(Perm.STAFF_VIEW)
def staff_list(request):
    viewer, today = request.viewer, timezone.localdate()
    teams = workforce_team_choices(viewer=viewer)
    form = StaffFilterForm(request.GET or None, teams=teams)
    team_id, grade = None, ""
    if form.is_bound and form.is_valid():
        team_id, grade = form.cleaned_data["team"], form.cleaned_data["grade"]
    page = staff_page(viewer=viewer, today=today, team_id=team_id, grade=grade, page=page_number(request))
    return render(request, "web/workforce/staff_list.html", {
        "form": form, "page": page, "today": today, "team": next((t for t in teams if t.pk == team_id), None),
        "filtered": bool(team_id or grade),
    })


@requires(Perm.STAFF_VIEW)
def staff_detail(request, staff_code: str):
    viewer, today = request.viewer, timezone.localdate()
    staff = staff_get(viewer=viewer, code=staff_code, today=today)
    reductions = staff_reductions(staff)
    rows = [(reduction, *STATUS[reduction.status(today)]) for reduction in reductions]
    active = [workload.Reduction(hours=r.hours) for r in reductions
              if r.status(today) == workload.ReductionStatus.ACTIVE]
    taken_off = workload.reduction_hours(staff.contracted_hours, active)
    return render(request, "web/workforce/staff_detail.html", {
        "staff": staff, "today": today, "memberships": staff_memberships(staff), "reductions": rows,
        "months_in_post": staff.months_in_post(today) if staff.started_in_post <= today else 0,
        "taken_off": taken_off, "available_hours": staff.contracted_hours - taken_off,
        "can_manage": has_perm(viewer, Perm.REDUCTION_CHANGE) and can_manage_staff(viewer, staff, today=today),
        "is_admin": has_perm(viewer, Perm.ADMIN),
    })


def _manageable_staff(request, staff_code: str):
    """The staff record named in the URL, if the viewer may see it (else 404) and change its reductions (else 403)."""
    today = timezone.localdate()
    staff = staff_get(viewer=request.viewer, code=staff_code, today=today)
    if not can_manage_staff(request.viewer, staff, today=today):
        raise PermissionDenied(services.NOT_PERMITTED)
    return staff


def _reduction_page(request, template: str, staff, form, **context):
    return render(request, f"web/workforce/{template}", {"staff": staff, "form": form, **context})


@requires(Perm.REDUCTION_CHANGE)
def reduction_new(request, staff_code: str):
    staff = _manageable_staff(request, staff_code)
    form = ReductionForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _save(
            form, lambda: services.add_reduction(staff=staff, by=request.user, **form.added_values())):
        messages.success(request, "Workload reduction added")
        return redirect("staff-detail", staff_code=staff.code)
    return _reduction_page(request, "reduction_form.html", staff, form, adding=True)


def _reduction_initial(reduction) -> dict:
    return {"reason": reduction.reason, "hours": reduction.hours, "percent": reduction.percent,
            "start": reduction.start, "end": reduction.end, "notes": reduction.notes, "version": reduction.version}


@requires(Perm.REDUCTION_CHANGE)
def reduction_change(request, staff_code: str, reduction_id: int):
    staff = _manageable_staff(request, staff_code)
    reduction = reduction_get(staff=staff, reduction_id=reduction_id)
    form = ReductionForm(request.POST or None, initial=_reduction_initial(reduction), changing=True)
    if request.method == "POST" and form.is_valid():
        values = form.changed_values()
        if _save(form, lambda: services.change_reduction(reduction=reduction, by=request.user,
                                                         expected_version=form.cleaned_data["version"], **values)):
            messages.success(request, "Workload reduction changed" if values else "Nothing was changed")
            return redirect("staff-detail", staff_code=staff.code)
        if getattr(form, "stale", False):
            reduction = reduction_get(staff=staff, reduction_id=reduction_id)
            form = _stale(ReductionForm, _reduction_initial(reduction), changing=True)
    return _reduction_page(request, "reduction_form.html", staff, form, reduction=reduction, adding=False,
                           status=STATUS[reduction.status(timezone.localdate())])


@requires(Perm.REDUCTION_CHANGE)
def reduction_end(request, staff_code: str, reduction_id: int):
    staff = _manageable_staff(request, staff_code)
    reduction = reduction_get(staff=staff, reduction_id=reduction_id)
    today = timezone.localdate()
    form = EndReductionForm(request.POST or None, initial={"version": reduction.version, "end": reduction.end or today})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _save(form, lambda: services.end_reduction(reduction=reduction, by=request.user, end=data["end"],
                                                      expected_version=data["version"])):
            messages.success(request, "Workload reduction ended")
            return redirect("staff-detail", staff_code=staff.code)
        if getattr(form, "stale", False):
            current = reduction_get(staff=staff, reduction_id=reduction_id)
            form = _stale(EndReductionForm, {"version": current.version, "end": current.end or today})
            reduction = current
    return _reduction_page(request, "reduction_end.html", staff, form, reduction=reduction,
                           status=STATUS[reduction.status(today)])


def _stale(form_class, initial: dict, **kwargs):
    """The form again after a refused stale write: the stored values (and version) now, with the message."""
    fresh = form_class(initial=initial, **kwargs)
    fresh._errors, fresh.cleaned_data = ErrorDict(), {}
    fresh.add_error(None, CONCURRENT)
    return fresh


# --- Staff records and team memberships: administrators only --------------------------------------


def _record_initial(staff) -> dict:
    return {name: getattr(staff, name) for name in StaffRecordForm.FIELDS} | {"fingerprint": staff_fingerprint(staff)}


@requires(Perm.ADMIN)
def staff_record_change(request, staff_code: str):
    staff = staff_get(viewer=request.viewer, code=staff_code, today=timezone.localdate())
    form = StaffRecordForm(request.POST or None, initial=_record_initial(staff))
    if request.method == "POST" and form.is_valid():
        values = form.changed_values()
        if _save(form, lambda: services.staff_change_if_unchanged(
                staff=staff, by=request.user, fingerprint=form.cleaned_data["fingerprint"], **values)):
            messages.success(request, "Staff record changed" if values else "Nothing was changed")
            return redirect("staff-detail", staff_code=staff.code)
        if getattr(form, "stale", False):
            staff.refresh_from_db()
            form = _stale(StaffRecordForm, _record_initial(staff))
    return render(request, "web/workforce/staff_record_form.html", {"staff": staff, "form": form})


@requires(Perm.ADMIN)
def membership_new(request, staff_code: str):
    viewer = request.viewer
    staff = staff_get(viewer=viewer, code=staff_code, today=timezone.localdate())
    teams = workforce_team_choices(viewer=viewer)
    form = MembershipAddForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        team = next(t for t in teams if t.pk == data["team"])
        if _save(form, lambda: services.membership_add(staff=staff, team=team, by=request.user, role=data["role"],
                                                       start_date=data["start_date"], end_date=data["end_date"])):
            messages.success(request, f"Added to {team.name}")
            return redirect("staff-detail", staff_code=staff.code)
    return render(request, "web/workforce/membership_form.html", {"staff": staff, "form": form, "adding": True})


def _membership_initial(membership) -> dict:
    return {name: getattr(membership, name) for name in MembershipForm.FIELDS} | {
        "fingerprint": membership_fingerprint(membership)}


@requires(Perm.ADMIN)
def membership_change(request, staff_code: str, membership_id: int):
    staff = staff_get(viewer=request.viewer, code=staff_code, today=timezone.localdate())
    membership = membership_get(staff=staff, membership_id=membership_id)
    form = MembershipForm(request.POST or None, initial=_membership_initial(membership))
    if request.method == "POST" and form.is_valid():
        values = form.changed_values()
        if _save(form, lambda: services.membership_change_if_unchanged(
                membership=membership, by=request.user, fingerprint=form.cleaned_data["fingerprint"], **values)):
            messages.success(request, f"Membership of {membership.team.name} changed" if values
                             else "Nothing was changed")
            return redirect("staff-detail", staff_code=staff.code)
        if getattr(form, "stale", False):
            membership = membership_get(staff=staff, membership_id=membership_id)
            form = _stale(MembershipForm, _membership_initial(membership))
    return render(request, "web/workforce/membership_form.html",
                  {"staff": staff, "form": form, "membership": membership, "adding": False})


# --- Establishment: funded posts against posts filled ---------------------------------------------


@requires(Perm.STAFF_VIEW)
def establishment_list(request):
    today = timezone.localdate()
    page = workforce_teams_page(viewer=request.viewer, page=page_number(request))
    found = establishments([team.pk for team in page.object_list], today=today)
    return render(request, "web/workforce/establishment_list.html", {
        "page": page, "rows": [(team, found[team.pk]) for team in page.object_list], "today": today,
    })


@requires(Perm.STAFF_VIEW)
def team_establishment(request, code: str):
    viewer, today = request.viewer, timezone.localdate()
    team = workforce_team_get(viewer=viewer, code=code)
    members = establishment_members(team=team, today=today)
    labels = dict(PostGrade.choices)
    return render(request, "web/workforce/team_establishment.html", {
        "team": team, "today": today, "establishment": establishments([team.pk], today=today)[team.pk],
        "members": [(m, labels[m.staff.grade], m.staff.contracted_hours / workload.FULL_TIME_HOURS) for m in members],
        "can_change": has_perm(viewer, Perm.ESTABLISHMENT_CHANGE) and can_change_establishment(viewer, team),
    })


def _establishment_initial(team) -> dict:
    posts = funded_posts([team.pk])[team.pk]
    initial = {}
    for grade in PostGrade.values:
        post = posts.get(grade)
        initial[f"fte_{grade}"] = post.fte.normalize() if post else "0"
        initial[f"version_{grade}"] = post.version if post else 0
    return initial


@requires(Perm.ESTABLISHMENT_CHANGE)
def establishment_change(request, code: str):
    viewer = request.viewer
    team = workforce_team_get(viewer=viewer, code=code)
    if not can_change_establishment(viewer, team):
        raise PermissionDenied(organisation_services.NOT_PERMITTED)
    form = EstablishmentForm(request.POST or None, initial=_establishment_initial(team))
    if request.method == "POST" and form.is_valid():
        changed: list[str] = []

        def write():
            changed.extend(organisation_services.establishment_set(
                team=team, by=request.user, posts=form.posts(), expected_versions=form.versions()))

        if _save(form, write, field_map={grade: f"fte_{grade}" for grade in PostGrade.values}):
            messages.success(request, "Funded posts changed" if changed else "Nothing was changed")
            return redirect("team-establishment", code=team.code)
        if getattr(form, "stale", False):
            form = _stale(EstablishmentForm, _establishment_initial(team))
    return render(request, "web/workforce/establishment_form.html", {"team": team, "form": form})
