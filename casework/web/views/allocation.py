"""Allocation pages (issue 13): the queue, one case's ranked practitioners and the confirm step,
reallocation, batch proposals (request, review and change lines, accept) and the override report."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from casework.access.policy import Perm, requires
from casework.access.visibility import allocation_team_filter, visible_cases
from casework.allocation import selectors, services
from casework.allocation.models import AllocationDecision, Proposal, ProposalLine
from casework.core.errors import ConcurrentEditError, DomainValidationError, NotPermittedError
from casework.organisation.models import Pdu, Team
from casework.web.allocation_forms import ChooseForm, ConfirmForm, LineForm, ReallocateConfirmForm, VersionForm
from casework.web.views.common import get_case, page_number, save_form

QUEUE_PAGE = 50


def _save(form, write) -> bool:
    """``save_form``, with "someone else allocated it first" said on the form."""
    return save_form(form, write, also=(services.AlreadyAllocatedError,))



def _number(text: str) -> int | None:
    """A database id typed in a query or form (ASCII digits only, in range), else None."""
    if text.isascii() and text.isdigit() and len(text) <= 12:
        return int(text)
    return None


@requires(Perm.ALLOCATE)
def queue_page(request):
    """The unallocated cases of the SPO's teams and PDU queue (head of PDU: the PDU's)."""
    viewer = request.viewer
    teams = list(selectors.allocation_teams(viewer))
    team_id = None
    chosen = request.GET.get("team", "")
    if chosen == "pdu":
        team_id = 0
    elif _number(chosen) is not None and any(t.pk == _number(chosen) for t in teams):
        team_id = int(chosen)
    paginator = Paginator(selectors.queue(viewer, team_id=team_id), QUEUE_PAGE)
    page = paginator.get_page(page_number(request))
    today = timezone.localdate()
    facts = selectors.case_facts(list(page.object_list), as_of=today)
    counts = dict(selectors.queue(viewer).order_by().values("team_id").annotate(n=Count("pk"))
                  .values_list("team_id", "n"))
    pdus = {t.pdu for t in teams}
    return render(request, "web/allocation/queue.html", {
        "page": page, "rows": [facts[c.pk] for c in page.object_list], "teams": teams, "chosen": chosen,
        "team_options": [(t, counts.get(t.pk, 0)) for t in teams], "waiting_for_team": counts.get(None, 0),
        "pdus": sorted(pdus, key=lambda p: p.name),
        "today": today, "open_proposals": Proposal.objects.filter(
            status=Proposal.Status.OPEN, created_by_id=viewer.staff_id).select_related("team", "pdu")[:5]})


def _allocation(request, crn: str, *, reallocation: bool):
    viewer = request.viewer
    visible = get_case(request, crn, page="allocation")
    case = visible.case
    if reallocation != (case.manager_id is not None):
        if reallocation:
            return redirect("allocation-case", crn=case.crn)
        if request.method == "POST":  # someone else allocated it while this allocator had the page open
            messages.error(request, services.AlreadyAllocatedError(case).message)
            return redirect("allocation-queue")
        messages.info(request, f"{case.crn} already has a case manager: reallocate it here")
        return redirect("allocation-reallocate", crn=case.crn)
    today = timezone.localdate()
    facts = selectors.case_facts([case], as_of=today)[case.pk]
    ranked = selectors.candidates(viewer, facts, as_of=today, reallocation=reallocation)
    if not ranked and not reallocation and not selectors.allocation_teams(viewer).filter(pdu_id=case.pdu_id).exists():
        raise PermissionDenied("You do not allocate cases in this case's PDU")
    by_id = {c.staff.pk: c for c in ranked}
    confirm_class = ReallocateConfirmForm if reallocation else ConfirmForm
    choose = ChooseForm(initial={"version": case.version})
    confirm = None
    chosen = None
    if request.method == "POST":
        if "confirm" in request.POST:
            confirm = confirm_class(request.POST)
            if confirm.is_valid():
                data = confirm.cleaned_data
                chosen = by_id.get(data["staff"])
                if chosen is None:
                    confirm.add_error(None, services.STAFF_NOT_CANDIDATE.format(name="That practitioner"))
                elif reallocation:
                    done = _save(confirm, lambda: services.case_reallocate(
                        case=case, staff_id=data["staff"], by=request.user, expected_version=data["version"],
                        reason=data["reason"], notes=data["notes"], override_note=data["override_note"], today=today))
                else:
                    done = _save(confirm, lambda: services.case_allocate(
                        case=case, staff_id=data["staff"], by=request.user, expected_version=data["version"],
                        notes=data["notes"], override_note=data["override_note"], today=today))
                if chosen is not None and done:
                    messages.success(request, f"{case.name} ({case.crn}) allocated to {chosen.staff.name}")
                    return redirect("allocation-queue" if not reallocation else "case-overview",
                                    *([] if not reallocation else [case.crn]))
            else:
                chosen = by_id.get(confirm.cleaned_data.get("staff")) if hasattr(confirm, "cleaned_data") else None
        else:
            choose = ChooseForm(request.POST)
            if choose.is_valid():
                chosen = by_id.get(choose.cleaned_data["staff"])
                if chosen is None:
                    choose.add_error("staff", services.STAFF_NOT_CANDIDATE.format(name="That practitioner"))
                else:
                    confirm = confirm_class(initial={"version": choose.cleaned_data["version"],
                                                     "staff": chosen.staff.pk, "confirm": "yes"})
    if chosen is None:
        confirm = None
    return render(request, "web/allocation/case.html", {
        "case": case, "facts": facts, "ranked": ranked, "choose": choose, "form": confirm or choose,
        "confirm": confirm, "chosen": chosen, "reallocation": reallocation, "today": today,
        "capacity_words": selectors.capacity_words(chosen.current, chosen.projected) if chosen else "",
        "section": "overview"})


@requires(Perm.ALLOCATE)
def case_page(request, crn: str):
    """One unallocated case: what the allocator sees, every practitioner in scope ranked, then confirm."""
    return _allocation(request, crn, reallocation=False)


@requires(Perm.ALLOCATE)
def reallocate_page(request, crn: str):
    """Move an allocated case to another practitioner, with a reason."""
    return _allocation(request, crn, reallocation=True)


# --- Batch proposals -----------------------------------------------------------------------------------

@requires(Perm.ALLOCATE)
def proposal_new(request):
    """POST ``scope`` = ``team-<id>`` or ``pdu-<id>``: ask the engine for a proposal for that queue."""
    if request.method != "POST":
        return redirect("allocation-queue")
    scope = request.POST.get("scope", "")
    kind, _, ident = scope.partition("-")
    team = pdu = None
    allowed = Team.objects.filter(allocation_team_filter(request.viewer))
    number = _number(ident)
    if kind == "team" and number is not None:
        team = allowed.filter(pk=number).select_related("pdu").first()
    elif kind == "pdu" and number is not None and allowed.filter(pdu_id=number).exists():
        pdu = Pdu.objects.filter(pk=number).first()
    if team is None and pdu is None:
        messages.error(request, "Choose a team or PDU queue you allocate for")
        return redirect("allocation-queue")
    try:
        proposal = services.proposal_create(by=request.user, team=team, pdu=pdu)
    except DomainValidationError as exc:
        messages.error(request, " ".join(exc.errors.values()))
        return redirect("allocation-queue")
    except NotPermittedError:
        raise PermissionDenied() from None
    return redirect("allocation-proposal", proposal_id=proposal.pk)


def _proposal(request, proposal_id: int) -> Proposal:
    proposal = get_object_or_404(Proposal.objects.select_related("team", "pdu", "created_by"), pk=proposal_id)
    if not Team.objects.filter(allocation_team_filter(request.viewer), pdu_id=proposal.pdu_id).exists():
        raise Http404("No such proposal")
    return proposal


def _lines(request, proposal: Proposal):
    lines = list(proposal.lines.select_related("case", "staff", "team").order_by("pk"))
    # A line whose case the viewer may no longer see (an exclusion added since) is not shown.
    visible = set(visible_cases(request.viewer).filter(pk__in=[line.case_id for line in lines])
                  .values_list("pk", flat=True))
    return [line for line in lines if line.case_id in visible]


@requires(Perm.ALLOCATE)
def proposal_page(request, proposal_id: int):
    """Review a proposal line by line; accept it (every line re-checked) or discard it."""
    proposal = _proposal(request, proposal_id)
    form = VersionForm(request.POST or None, initial={"version": proposal.version})
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action")
        try:
            if action == "accept":
                proposal = services.proposal_accept(proposal=proposal, by=request.user,
                                                    expected_version=form.cleaned_data["version"])
                allocated = proposal.lines.filter(outcome="Allocated").count()
                messages.success(request, f"{allocated} case{'s' if allocated != 1 else ''} allocated")
            elif action == "discard":
                services.proposal_discard(proposal=proposal, by=request.user,
                                          expected_version=form.cleaned_data["version"])
                messages.success(request, "Proposal discarded")
                return redirect("allocation-queue")
        except ConcurrentEditError as exc:
            messages.error(request, exc.message)
        except DomainValidationError as exc:
            messages.error(request, " ".join(exc.errors.values()))
        except NotPermittedError:
            raise PermissionDenied() from None
        return redirect("allocation-proposal", proposal_id=proposal.pk)
    lines = _lines(request, proposal)
    loads: dict[int, list] = {}
    for line in lines:
        if line.staff_id:
            loads.setdefault(line.staff_id, []).append(line)
    summary = sorted(({"staff": group[0].staff, "cases": len(group),
                       "after": max(line.capacity_after or 0 for line in group)} for group in loads.values()),
                     key=lambda row: -row["after"])
    return render(request, "web/allocation/proposal.html", {
        "proposal": proposal, "lines": lines, "form": VersionForm(initial={"version": proposal.version}),
        "assigned": sum(1 for line in lines if line.staff_id), "summary": summary,
        "open": proposal.status == Proposal.Status.OPEN})


@requires(Perm.ALLOCATE)
def proposal_line_page(request, proposal_id: int, line_id: int):
    """Change one line: another practitioner (ranked as on the one-case page), or leave it unallocated."""
    proposal = _proposal(request, proposal_id)
    line = get_object_or_404(ProposalLine.objects.select_related("case", "staff"), pk=line_id, proposal=proposal)
    visible = get_case(request, line.case.crn, page="allocation proposal")
    today = timezone.localdate()
    facts = selectors.case_facts([visible.case], as_of=today)[visible.case.pk]
    ranked = selectors.candidates(request.viewer, facts, as_of=today)
    choices = [(c.staff.pk, f"{c.staff.name} ({c.staff.get_grade_display()}), "
                f"{c.projected if c.projected is not None else '–'}% after"
                + (" – needs an override" if c.needs_override else "")) for c in ranked]
    form = LineForm(request.POST or None, choices=choices,
                    initial={"version": proposal.version, "staff": line.staff_id, "override_note": line.override_note})
    if request.method == "POST" and proposal.status == Proposal.Status.OPEN and form.is_valid():
        data = form.cleaned_data
        if _save(form, lambda: services.proposal_change_line(line=line, staff_id=data["staff"], by=request.user,
                                                             expected_version=data["version"],
                                                             override_note=data["override_note"], today=today)):
            messages.success(request, f"Line for {visible.case.crn} changed")
            return redirect(reverse("allocation-proposal", args=[proposal.pk]) + f"#line-{line.pk}")
    return render(request, "web/allocation/line.html", {
        "proposal": proposal, "line": line, "case": visible.case, "facts": facts, "ranked": ranked, "form": form,
        "open": proposal.status == Proposal.Status.OPEN})


@requires(Perm.ALLOCATE)
def overrides_page(request):
    """Allocations made outside the grade matrix or over 110%, with the SPO's written reasons."""
    teams = Team.objects.filter(allocation_team_filter(request.viewer))
    decisions = (AllocationDecision.objects.filter(override=True, team__in=teams)
                 .filter(Q(case__in=visible_cases(request.viewer)))
                 .select_related("case", "staff", "team", "decided_by").order_by("-decided_at"))
    page = Paginator(decisions, QUEUE_PAGE).get_page(page_number(request))
    return render(request, "web/allocation/overrides.html", {"page": page})
