"""Reads for allocation: the queue, what the allocator sees of a case (rules.md §3.1), and every
practitioner who could take it, ranked, with eligibility and workload.

Bounded queries whatever the queue or team size: the facts of any number of cases come in five
queries (``case_facts``), the candidates of a case in three plus the workload selector's.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from casework.access.viewer import Viewer, membership_current_on
from casework.access.visibility import allocation_queue, allocation_team_filter
from casework.organisation.models import Team
from casework.record.choices import AccessKind, CustodialType, RegistrationGroup, SentenceStatus
from casework.record.models import Assignment, Case, CaseAccess, Contact, Registration, Sentence
from casework.rules import eligibility, workload
from casework.rules.contacts import APPOINTMENT_KINDS
from casework.rules.eligibility import CaseProfile, Eligibility, GradeMatrix, PractitionerProfile
from casework.rules.sentences import first_appointment_due
from casework.ruleset.selectors import grade_matrix, points_table
from casework.workforce.models import Grade, Staff, TeamMembership
from casework.workforce.workload import PractitionerWorkload, cases_pricing, practitioner_workloads

#: Grades that hold cases (an SPO may by the matrix, but SPOs are not offered the queue).
CASE_HOLDING_GRADES = (Grade.PO, Grade.PQIP, Grade.PSO)
LIMIT = workload.EXCESSIVE_PERCENT


class ProbationStatus:
    NEW = "New to probation"
    PREVIOUSLY = "Previously managed"
    CURRENTLY = "Currently managed"


@dataclass
class CaseFacts:
    """What the allocator sees of one case (rules.md §3.1) and what the rules read of it."""

    case: Case
    profile: CaseProfile
    case_type: workload.CaseType | None  # None: no current sentence (it scores 0)
    age_18_to_24: bool
    points: int
    sentence: Sentence | None
    probation_status: str
    previous_staff: Staff | None
    first_appointment_due: dt.date | None
    next_appointment: dt.datetime | None
    registrations: list[Registration] = field(default_factory=list)
    table: workload.PointsTable | None = None  # the points table it was priced with (workloads use the same)


def case_facts(cases: Sequence[Case], *, as_of: dt.date, table: workload.PointsTable | None = None,
               ) -> dict[int, CaseFacts]:
    """The facts of ``cases`` (already read through the visibility rules), in six queries. How a case
    is priced is ``casework.workforce.workload``'s (the same derivation as everyone's workload)."""
    if table is None:
        table = points_table()[0]
    ids = [c.pk for c in cases]
    pricing = cases_pricing(ids, as_of=as_of, table=table)
    sentences: dict[int, list[Sentence]] = defaultdict(list)
    for s in Sentence.objects.filter(case_id__in=ids).exclude(status=SentenceStatus.ENDED).order_by(
            "case_id", "-sentence_date", "-number"):
        sentences[s.case_id].append(s)
    registrations: dict[int, list[Registration]] = defaultdict(list)
    for r in (Registration.objects.filter(case_id__in=ids, end_date__isnull=True, historic=False,
                                          start_date__lte=as_of)
              .select_related("type").order_by("case_id", "start_date", "pk")):
        registrations[r.case_id].append(r)
    previous: dict[int, tuple[Staff, bool]] = {}
    for a in (Assignment.objects.filter(case_id__in=ids).select_related("staff").order_by("case_id", "-start")):
        previous.setdefault(a.case_id, (a.staff, a.end is None))
    now = timezone.now()
    booked = dict(Contact.objects.filter(case_id__in=ids, kind__in=APPOINTMENT_KINDS, starts_at__gte=now)
                  .values("case_id").annotate(first=Min("starts_at")).values_list("case_id", "first"))
    facts = {}
    for case in cases:
        current = sentences.get(case.pk, [])
        regs = registrations.get(case.pk, [])
        latest = {r.type.code: r for r in regs}
        mappa = next((r.level for r in regs if r.type.group == RegistrationGroup.MAPPA and r.level), None)
        lifer = any(s.custodial_type in (CustodialType.LIFE, CustodialType.IPP) for s in current)
        tier = case.tier or None
        profile = CaseProfile(tier=tier, rosh=case.rosh or None, mappa_level=mappa,
                              registrations=frozenset(latest), lifer_or_ipp=lifer)
        priced = pricing[case.pk]
        held = previous.get(case.pk)
        if held is None:
            status, before = ProbationStatus.NEW, None
        elif held[1]:
            status, before = ProbationStatus.CURRENTLY, held[0]
        else:
            status, before = ProbationStatus.PREVIOUSLY, held[0]
        sentence = current[0] if current else None
        facts[case.pk] = CaseFacts(
            case=case, profile=profile, case_type=priced.case_type, age_18_to_24=priced.age_18_to_24,
            points=priced.points, sentence=sentence,
            probation_status=status, previous_staff=before,
            first_appointment_due=first_appointment_due(sentence.status, sentence.start_date,
                                                        sentence.release_date) if sentence else None,
            next_appointment=booked.get(case.pk), registrations=regs, table=table)
    return facts


# --- The queue --------------------------------------------------------------------------------------

def queue(viewer: Viewer, *, team_id: int | None = None) -> QuerySet[Case]:
    """Unallocated cases ``viewer`` may allocate, oldest sentence first (``team_id``: one team's, or
    with 0 those waiting for a team in the PDU queue)."""
    qs = allocation_queue(viewer).select_related("team", "pdu")
    if team_id == 0:
        qs = qs.filter(team__isnull=True)
    elif team_id is not None:
        qs = qs.filter(team_id=team_id)
    return qs.order_by("created_at", "crn")


def allocation_teams(viewer: Viewer) -> QuerySet[Team]:
    """The teams ``viewer`` may allocate into, by PDU and name."""
    return Team.objects.filter(allocation_team_filter(viewer)).select_related("pdu").order_by("pdu__name", "name")


# --- Candidates ---------------------------------------------------------------------------------------

@dataclass
class Candidate:
    """One practitioner who could take the case, with everything the allocator weighs (rules.md §3.1)."""

    staff: Staff
    team: Team
    workload: PractitionerWorkload
    eligibility: Eligibility
    projected: Decimal | None
    override_reasons: tuple[str, ...]
    previous: bool
    rank: int = 0
    why: str = ""

    @property
    def needs_override(self) -> bool:
        return bool(self.override_reasons)

    @property
    def current(self) -> Decimal | None:
        return self.workload.capacity_percent


def practitioner_profile(staff: Staff, as_of: dt.date) -> PractitionerProfile:
    return PractitionerProfile(grade=eligibility.Grade(staff.grade),
                               core_training_complete=staff.core_training_completed is not None
                               and staff.core_training_completed <= as_of,
                               months_in_post=max(0, staff.months_in_post(as_of)))


def _active_members(teams, as_of: dt.date) -> QuerySet[TeamMembership]:
    """Current members (not managers) of ``teams`` whose grade holds cases and who are in post."""
    return (TeamMembership.objects.filter(membership_current_on(as_of), team__in=teams,
                                          role=TeamMembership.Role.MEMBER, staff__grade__in=CASE_HOLDING_GRADES)
            .filter(Q(staff__ended__isnull=True) | Q(staff__ended__gte=as_of), staff__started_in_post__lte=as_of)
            .select_related("staff", "team").order_by("staff__last_name", "staff__first_name", "team__name"))


def candidate_memberships(viewer: Viewer, case: Case, as_of: dt.date, *,
                          reallocation: bool = False) -> list[TeamMembership]:
    """Active members who hold cases, of the teams ``viewer`` may allocate ``case`` into: its own team if
    it has one (any of the allocator's teams in its PDU when reallocating), otherwise the allocator's
    teams in its PDU. Staff excluded from the case, and anyone without permission to a restricted case,
    are never offered it (rules.md §3.1); nor is its current case manager."""
    teams = Team.objects.filter(allocation_team_filter(viewer), pdu_id=case.pdu_id)
    if case.team_id is not None and not reallocation:
        teams = teams.filter(pk=case.team_id)
    rules = CaseAccess.objects.filter(case_id=case.pk, staff_id=OuterRef("staff_id"))
    members = _active_members(teams, as_of).exclude(staff_id=case.manager_id or 0)
    if case.has_exclusions:
        members = members.exclude(Exists(rules.filter(kind=AccessKind.EXCLUDED)))
    if case.restricted:
        members = members.filter(Exists(rules.filter(kind=AccessKind.PERMITTED)))
    seen, out = set(), []
    for m in members:  # one row per practitioner: the first team of theirs in scope
        if m.staff_id not in seen:
            seen.add(m.staff_id)
            out.append(m)
    return out


def rank_key(c: Candidate) -> tuple:
    projected = c.projected if c.projected is not None else Decimal("1e9")
    return (c.needs_override, not c.previous, projected, c.workload.allocated_last_7_days, c.staff.last_name)


def why_words(c: Candidate, best: Candidate | None) -> str:
    if not c.eligibility.eligible:
        return "Not eligible under the grade matrix: allocating needs an SPO override with a reason"
    if c.projected is None:
        return "No capacity (0 available points): allocating needs an SPO override"
    if c.projected > LIMIT:
        return f"Would go over {LIMIT}%: allocating needs an SPO override with a reason"
    words = []
    if c.previous:
        words.append("Managed this case before (continuity)")
    if best is c:
        words.append("Lowest workload after allocation among eligible practitioners" if not c.previous
                     else "Eligible and within capacity")
    else:
        words.append(f"Eligible; {c.projected}% after allocation")
    if c.workload.allocated_last_7_days:
        words.append(f"{c.workload.allocated_last_7_days} allocated in the last 7 days")
    return "; ".join(words)


def candidates(viewer: Viewer, facts: CaseFacts, *, as_of: dt.date, matrix: GradeMatrix | None = None,
               reallocation: bool = False) -> list[Candidate]:
    """Every practitioner in scope for the case, ranked: eligible and within 110% first, then whoever
    managed it before, then lowest workload after allocation, then fewest recent allocations."""
    if matrix is None:
        matrix = grade_matrix()[0]
    memberships = candidate_memberships(viewer, facts.case, as_of, reallocation=reallocation)
    loads = practitioner_workloads([m.staff_id for m in memberships], as_of=as_of, table=facts.table)
    previous_id = facts.previous_staff.pk if facts.previous_staff else None
    out = []
    for m in memberships:
        load = loads[m.staff_id]
        check = eligibility.check_eligibility(practitioner_profile(m.staff, as_of), facts.profile, matrix)
        projected = workload.projected_capacity(load.points, load.available_points, facts.points)
        out.append(Candidate(staff=m.staff, team=m.team, workload=load, eligibility=check, projected=projected,
                             override_reasons=eligibility.override_reasons(check, projected, limit=LIMIT),
                             previous=m.staff_id == previous_id))
    out.sort(key=rank_key)
    best = out[0] if out and not out[0].needs_override else None
    for i, c in enumerate(out, start=1):
        c.rank, c.why = i, why_words(c, best)
    return out


def candidate_for(viewer: Viewer, facts: CaseFacts, staff_id: int, *, as_of: dt.date,
                  reallocation: bool = False) -> Candidate | None:
    """The candidate ``staff_id`` for this case, or None when they are not one (not in scope, excluded)."""
    return next((c for c in candidates(viewer, facts, as_of=as_of, reallocation=reallocation)
                 if c.staff.pk == staff_id), None)


# --- The pool of a batch proposal ---------------------------------------------------------------------

@dataclass
class PoolMember:
    """A practitioner of a batch proposal's pool: their teams in it, workload, and the cases they may not
    be given (excluded, restricted without permission, or waiting in a team they are not in)."""

    staff: Staff
    teams: list[Team]
    profile: PractitionerProfile
    workload: PractitionerWorkload
    excluded_crns: set[str]

    def team_for(self, case: Case) -> Team:
        return next((t for t in self.teams if t.pk == case.team_id), self.teams[0])


def pool(*, teams: Sequence[Team], cases: Sequence[Case], as_of: dt.date) -> list[PoolMember]:
    """Everyone in ``teams`` who could take cases, with each one's exclusions among ``cases``."""
    members: dict[int, PoolMember] = {}
    memberships = list(_active_members(teams, as_of))
    loads = practitioner_workloads({m.staff_id for m in memberships}, as_of=as_of)
    for m in memberships:
        member = members.get(m.staff_id)
        if member is None:
            members[m.staff_id] = PoolMember(staff=m.staff, teams=[m.team],
                                             profile=practitioner_profile(m.staff, as_of),
                                             workload=loads[m.staff_id], excluded_crns=set())
        else:
            member.teams.append(m.team)
    limited = [c for c in cases if c.restricted or c.has_exclusions]
    rules: dict[tuple[int, int], str] = {}
    if limited:
        found = CaseAccess.objects.filter(case_id__in=[c.pk for c in limited], staff_id__in=list(members))
        for case_id, staff_id, kind in found.values_list("case_id", "staff_id", "kind"):
            rules[(case_id, staff_id)] = kind
    for member in members.values():
        team_ids = {t.pk for t in member.teams}
        for case in cases:
            rule = rules.get((case.pk, member.staff.pk))
            if ((case.team_id is not None and case.team_id not in team_ids) or rule == AccessKind.EXCLUDED
                    or (case.restricted and rule != AccessKind.PERMITTED)):
                member.excluded_crns.add(case.crn)
    return list(members.values())


def staff_names(ids: Iterable[int]) -> dict[int, Staff]:
    return Staff.objects.in_bulk(list(ids))


def capacity_words(before: Decimal | None, after: Decimal | None) -> str:
    """The confirm step's sentence (rules.md §3.1)."""
    if before is None or after is None:
        return "They have no available points: this allocation needs an override"
    return f"This will increase their workload from {before:.1f}% to {after:.1f}%"
