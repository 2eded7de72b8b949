"""Every allocation write. One transaction each, with its audit row inside it.

``case_allocate`` gives an unallocated case a case manager, ``case_reallocate`` moves an allocated one
with a rules.md §3.1 reason. Both lock the case and write only if its ``version`` is still the one the
allocator saw (``filter(version=…).update``), so of two SPOs allocating the same case at once exactly
one wins and the other is told who allocated it (``AlreadyAllocatedError``), on SQLite and PostgreSQL
alike. The practitioner must be one the allocator may offer the case to (an active member of a team
they allocate into, in the case's PDU, not excluded): ``casework.allocation.selectors.candidates``
decides that and the workload it causes. Outside the grade matrix, over 110% or with no capacity
needs an SPO override with a written reason, recorded on the ``AllocationDecision``.

Batch proposals: ``proposal_create`` asks the ``allocate`` engine for the queue of one team or PDU
and stores each line with its reasons; ``proposal_change_line`` lets the SPO change a line;
``proposal_accept`` re-validates every line against the record as it is now (a case allocated or
changed since is skipped and said so) and allocates the rest through ``case_allocate``.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from casework.access.viewer import Viewer, viewer_for
from casework.access.visibility import allocation_team_filter, can_see
from casework.allocation import selectors
from casework.allocation.models import AllocationDecision, Proposal, ProposalLine
from casework.audit.services import audit_record
from casework.core.errors import ConcurrentEditError, DomainValidationError, NotPermittedError
from casework.organisation.models import Pdu, Team
from casework.record.choices import AllocationReason
from casework.record.models import Assignment, Case
from casework.rules import registry
from casework.ruleset.selectors import grade_matrix

MAX_NOTE = 4000
STAFF_REQUIRED = "Select the practitioner to allocate the case to"
STAFF_NOT_CANDIDATE = ("{name} cannot be offered this case: they are not an active practitioner in a team "
                       "you allocate into in this PDU, or they are excluded from the case")
OVERRIDE_REQUIRED = "Give the reason for the override: {why}"
NOTE_TOO_LONG = "The reason must be 4,000 characters or fewer"
REASON_REQUIRED = "Select the reason for the reallocation"
REASON_NOT_REALLOCATION = "Initial allocation is not a reason to move a case that is already allocated"
NOT_ALLOCATED = "This case has no case manager yet: allocate it from the queue"
SAME_PRACTITIONER = "{name} already manages this case"
NOT_PERMITTED = "You may not allocate this case"
PROPOSAL_CLOSED = "This proposal has already been {status}"
EMPTY_QUEUE = "There are no unallocated cases in this queue to propose"
NO_POOL = "There are no practitioners in this queue's teams to allocate to"


class AlreadyAllocatedError(Exception):
    """Someone else allocated the case first; ``message`` says who and when."""

    def __init__(self, case: Case) -> None:
        decision = (AllocationDecision.objects.filter(case=case).select_related("staff", "decided_by")
                    .order_by("-decided_at").first())
        manager = case.manager.name if case.manager_id else "someone"
        if decision is not None and decision.decided_by is not None:
            when = timezone.localtime(decision.decided_at)
            self.message = (f"{case.crn} has already been allocated to {manager} by {decision.decided_by.name} "
                            f"at {when:%H:%M} on {when.day} {when:%B %Y}. Nothing has been changed.")
        else:
            self.message = f"{case.crn} has already been allocated to {manager}. Nothing has been changed."
        super().__init__(self.message)


def _viewer(by) -> Viewer:
    viewer = viewer_for(by)
    if viewer.read_only or not viewer.staff_id:
        raise NotPermittedError(NOT_PERMITTED)
    return viewer


def _check_note(note: str, field: str = "override_note") -> str:
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise DomainValidationError({field: NOTE_TOO_LONG})
    return note


def _write(*, viewer: Viewer, by, current: Case, candidate: selectors.Candidate, reason: str, notes: str,
           override_note: str, expected_version: int, proposal: Proposal | None, action: str) -> AllocationDecision:
    now = timezone.now()
    if candidate.needs_override and not override_note:
        raise DomainValidationError({"override_note": OVERRIDE_REQUIRED.format(
            why="; ".join(candidate.override_reasons))})
    rows = Case.objects.filter(pk=current.pk, version=expected_version).update(
        manager_id=candidate.staff.pk, team_id=candidate.team.pk, version=F("version") + 1, updated_at=now)
    if rows != 1:
        raise ConcurrentEditError()
    previous_staff_id = current.manager_id
    Assignment.objects.filter(case_id=current.pk, end__isnull=True).update(end=now)
    Assignment.objects.create(case_id=current.pk, staff=candidate.staff, team=candidate.team, start=now,
                              reason=reason, notes=notes, allocated_by_id=viewer.staff_id)
    codes = [str(code) for code in candidate.eligibility.codes]
    if candidate.projected is None:
        codes.append("NO_CAPACITY")
    elif candidate.projected > selectors.LIMIT:
        codes.append("OVER_LIMIT")
    decision = AllocationDecision.objects.create(
        case_id=current.pk, staff=candidate.staff, team=candidate.team, previous_staff_id=previous_staff_id,
        decided_by_id=viewer.staff_id, decided_at=now, reason=reason, notes=notes,
        capacity_before=candidate.current, capacity_after=candidate.projected,
        override=candidate.needs_override, override_reasons=codes if candidate.needs_override else [],
        override_note=override_note if candidate.needs_override else "", proposal=proposal)
    audit_record(actor=by, action=action, obj=current, crn=current.crn,
                 before={"manager": previous_staff_id, "team": current.team_id},
                 after={"manager": candidate.staff.pk, "team": candidate.team.pk, "reason": reason,
                        "capacity_before": candidate.current, "capacity_after": candidate.projected,
                        "override": candidate.needs_override, "override_reasons": decision.override_reasons,
                        "override_note": decision.override_note, "proposal": proposal.pk if proposal else None})
    return decision


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


@transaction.atomic
def case_allocate(*, case: Case, staff_id: int | None, by, expected_version: int, notes: str = "",
                  override_note: str = "", proposal: Proposal | None = None,
                  today: dt.date | None = None) -> AllocationDecision:
    """Allocate an unallocated case to ``staff_id`` (in the team the candidate list gives them)."""
    viewer = _viewer(by)
    today = today or timezone.localdate()
    override_note = _check_note(override_note)
    notes = _check_note(notes, "notes")
    if not staff_id:
        raise DomainValidationError({"staff": STAFF_REQUIRED})
    current = _locked(case)
    if current.manager_id is not None:
        raise AlreadyAllocatedError(current)
    if current.version != expected_version:
        raise ConcurrentEditError()
    if not can_see(viewer, current):
        raise NotPermittedError(NOT_PERMITTED)
    facts = selectors.case_facts([current], as_of=today)[current.pk]
    candidate = selectors.candidate_for(viewer, facts, staff_id, as_of=today)
    if candidate is None:
        staff = selectors.staff_names([staff_id]).get(staff_id)
        raise DomainValidationError({"staff": STAFF_NOT_CANDIDATE.format(name=staff.name if staff else "They")})
    return _write(viewer=viewer, by=by, current=current, candidate=candidate,
                  reason=AllocationReason.INITIAL_ALLOCATION, notes=notes, override_note=override_note,
                  expected_version=expected_version, proposal=proposal, action="case.allocate")


@transaction.atomic
def case_reallocate(*, case: Case, staff_id: int | None, by, expected_version: int, reason: str,
                    notes: str = "", override_note: str = "", today: dt.date | None = None) -> AllocationDecision:
    """Move an allocated case to another practitioner, with a rules.md §3.1 reason."""
    viewer = _viewer(by)
    today = today or timezone.localdate()
    override_note = _check_note(override_note)
    notes = _check_note(notes, "notes")
    errors = {}
    if not reason or reason not in AllocationReason.values:
        errors["reason"] = REASON_REQUIRED
    elif reason == AllocationReason.INITIAL_ALLOCATION:
        errors["reason"] = REASON_NOT_REALLOCATION
    if not staff_id:
        errors["staff"] = STAFF_REQUIRED
    if errors:
        raise DomainValidationError(errors)
    current = _locked(case)
    if current.version != expected_version:
        raise ConcurrentEditError()
    if current.manager_id is None:
        raise DomainValidationError({"": NOT_ALLOCATED})
    if not can_see(viewer, current):
        raise NotPermittedError(NOT_PERMITTED)
    if current.manager_id == staff_id:
        raise DomainValidationError({"staff": SAME_PRACTITIONER.format(name=current.manager.name)})
    facts = selectors.case_facts([current], as_of=today)[current.pk]
    candidate = selectors.candidate_for(viewer, facts, staff_id, as_of=today, reallocation=True)
    if candidate is None:
        staff = selectors.staff_names([staff_id]).get(staff_id)
        raise DomainValidationError({"staff": STAFF_NOT_CANDIDATE.format(name=staff.name if staff else "They")})
    return _write(viewer=viewer, by=by, current=current, candidate=candidate, reason=reason, notes=notes,
                  override_note=override_note, expected_version=expected_version, proposal=None,
                  action="case.reallocate")


# --- Batch proposals ----------------------------------------------------------------------------------

def _engine_request(facts: dict[int, selectors.CaseFacts], pool: list[selectors.PoolMember],
                    matrix_policy: dict) -> dict:
    cases = []
    for f in facts.values():
        cases.append({
            # A case with no current sentence scores 0 live; the contract needs a type: community.
            "crn": f.case.crn, "tier": f.profile.tier, "case_type": str(f.case_type or "COMMUNITY"),
            "age_18_to_24": f.age_18_to_24,
            "rosh": str(f.profile.rosh) if f.profile.rosh else None, "mappa_level": f.profile.mappa_level,
            "registrations": sorted(f.profile.registrations), "lifer_or_ipp": f.profile.lifer_or_ipp,
            "previous_practitioner": f.previous_staff.code if f.previous_staff else None,
        })
    practitioners = []
    for m in pool:
        practitioners.append({
            "id": m.staff.code, "grade": m.staff.grade, "core_training_complete": m.profile.core_training_complete,
            "months_in_post": m.profile.months_in_post, "points": m.workload.points,
            "available_points": m.workload.available_points, "excluded_cases": sorted(m.excluded_crns),
        })
    return {"practitioners": practitioners, "cases": cases, "policy": matrix_policy,
            "max_capacity_percent": int(selectors.LIMIT)}


@transaction.atomic
def proposal_create(*, by, team: Team | None = None, pdu: Pdu | None = None,
                    today: dt.date | None = None) -> Proposal:
    """Ask the allocation engine for the queue of ``team`` (or of ``pdu``, every team the allocator
    allocates into there, and the cases waiting for a team) and store its answer line by line."""
    viewer = _viewer(by)
    today = today or timezone.localdate()
    teams = Team.objects.filter(allocation_team_filter(viewer))
    if team is not None:
        if not teams.filter(pk=team.pk).exists():
            raise NotPermittedError(NOT_PERMITTED)
        pdu = team.pdu
        teams = teams.filter(pk=team.pk)
    else:
        if pdu is None or not teams.filter(pdu=pdu).exists():
            raise NotPermittedError(NOT_PERMITTED)
        teams = teams.filter(pdu=pdu)
    queue = list(selectors.queue(viewer).filter(pdu=pdu).filter(
        **({"team": team} if team is not None else {})))
    if not queue:
        raise DomainValidationError({"": EMPTY_QUEUE})
    pool = selectors.pool(teams=list(teams), cases=queue, as_of=today)
    if not pool:
        raise DomainValidationError({"": NO_POOL})
    facts = selectors.case_facts(queue, as_of=today)
    matrix, _ = grade_matrix()
    answer = registry.handler("allocate")(_engine_request(facts, pool, matrix.to_dict()))
    proposal = Proposal.objects.create(team=team, pdu=pdu, created_by_id=viewer.staff_id, created_at=timezone.now(),
                                       peak_capacity_percent=answer.get("peak_capacity_percent"),
                                       rules_version=answer.get("rules_version", ""))
    by_crn = {f.case.crn: f for f in facts.values()}
    by_code = {m.staff.code: m for m in pool}
    lines = []
    for a in answer["assignments"]:
        member = by_code[a["practitioner"]]
        f = by_crn[a["crn"]]
        lines.append(ProposalLine(proposal=proposal, case=f.case, case_version=f.case.version, staff=member.staff,
                                  team=member.team_for(f.case), capacity_after=a.get("capacity_after"),
                                  reasons=list(a.get("reasons", []))))
    for u in answer["unallocated"]:
        f = by_crn[u["crn"]]
        lines.append(ProposalLine(proposal=proposal, case=f.case, case_version=f.case.version,
                                  unallocated_reason=u.get("reason", "")))
    ProposalLine.objects.bulk_create(lines)
    audit_record(actor=by, action="allocation.proposal_create", obj=proposal,
                 after={"team": team.pk if team else None, "pdu": pdu.pk, "cases": len(lines),
                        "assigned": len(answer["assignments"]), "peak": answer.get("peak_capacity_percent")})
    return proposal


def _open(proposal: Proposal, expected_version: int) -> Proposal:
    current = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if current.status != Proposal.Status.OPEN:
        raise DomainValidationError({"": PROPOSAL_CLOSED.format(status=current.get_status_display().lower())})
    if current.version != expected_version:
        raise ConcurrentEditError()
    return current


@transaction.atomic
def proposal_change_line(*, line: ProposalLine, staff_id: int | None, by, expected_version: int,
                         override_note: str = "", today: dt.date | None = None) -> ProposalLine:
    """Change who a line proposes (``staff_id`` None: leave the case unallocated)."""
    viewer = _viewer(by)
    today = today or timezone.localdate()
    override_note = _check_note(override_note)
    proposal = _open(line.proposal, expected_version)
    if proposal.created_by_id != viewer.staff_id and not Team.objects.filter(
            allocation_team_filter(viewer), pdu_id=proposal.pdu_id).exists():
        raise NotPermittedError(NOT_PERMITTED)
    case = Case.objects.get(pk=line.case_id)
    before = {"staff": line.staff_id, "team": line.team_id}
    if staff_id is None:
        line.staff, line.team, line.capacity_after, line.reasons = None, None, None, []
        line.unallocated_reason = "LEFT_UNALLOCATED_BY_SPO"
        line.override_note = ""
    else:
        facts = selectors.case_facts([case], as_of=today)[case.pk]
        candidate = selectors.candidate_for(viewer, facts, staff_id, as_of=today)
        if candidate is None:
            staff = selectors.staff_names([staff_id]).get(staff_id)
            raise DomainValidationError({"staff": STAFF_NOT_CANDIDATE.format(name=staff.name if staff else "They")})
        if candidate.needs_override and not override_note:
            raise DomainValidationError({"override_note": OVERRIDE_REQUIRED.format(
                why="; ".join(candidate.override_reasons))})
        line.staff, line.team, line.capacity_after = candidate.staff, candidate.team, candidate.projected
        line.reasons = ["Chosen by the SPO", candidate.why]
        line.unallocated_reason = ""
        line.override_note = override_note if candidate.needs_override else ""
    line.changed = True
    line.save()
    Proposal.objects.filter(pk=proposal.pk).update(version=F("version") + 1)
    audit_record(actor=by, action="allocation.proposal_change", obj=line, crn=case.crn, before=before,
                 after={"staff": line.staff_id, "team": line.team_id, "override_note": line.override_note})
    return line


@transaction.atomic
def proposal_accept(*, proposal: Proposal, by, expected_version: int, today: dt.date | None = None) -> Proposal:
    """Allocate every line that still holds; skip, and say why, any line the record has overtaken."""
    _viewer(by)
    today = today or timezone.localdate()
    current = _open(proposal, expected_version)
    lines = list(current.lines.select_related("case", "staff").order_by("pk"))
    allocated = skipped = 0
    for line in lines:
        if line.staff_id is None:
            line.outcome = "Left unallocated"
            continue
        try:
            with transaction.atomic():
                case = Case.objects.get(pk=line.case_id)
                if case.manager_id is not None:
                    raise AlreadyAllocatedError(case)
                if case.version != line.case_version:
                    raise ConcurrentEditError()
                case_allocate(case=case, staff_id=line.staff_id, by=by, expected_version=line.case_version,
                              override_note=line.override_note, proposal=current, today=today)
            line.outcome = "Allocated"
            allocated += 1
        except AlreadyAllocatedError as exc:
            line.outcome = f"Not allocated: {exc.message}"
            skipped += 1
        except ConcurrentEditError:
            line.outcome = "Not allocated: the case changed after the proposal was made; allocate it from the queue"
            skipped += 1
        except DomainValidationError as exc:
            line.outcome = "Not allocated: " + "; ".join(exc.errors.values())
            skipped += 1
        except NotPermittedError:
            line.outcome = "Not allocated: you may no longer allocate this case"
            skipped += 1
    ProposalLine.objects.bulk_update(lines, ["outcome"])
    Proposal.objects.filter(pk=current.pk).update(status=Proposal.Status.ACCEPTED, closed_at=timezone.now(),
                                                  version=F("version") + 1)
    audit_record(actor=by, action="allocation.proposal_accept", obj=current,
                 after={"allocated": allocated, "skipped": skipped})
    current.refresh_from_db()
    return current


@transaction.atomic
def proposal_discard(*, proposal: Proposal, by, expected_version: int) -> Proposal:
    _viewer(by)
    current = _open(proposal, expected_version)
    Proposal.objects.filter(pk=current.pk).update(status=Proposal.Status.DISCARDED, closed_at=timezone.now(),
                                                  version=F("version") + 1)
    audit_record(actor=by, action="allocation.proposal_discard", obj=current)
    current.refresh_from_db()
    return current

