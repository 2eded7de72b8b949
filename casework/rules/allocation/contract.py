"""The ``allocate`` contract (``casework rules allocate``, ``POST /api/rules/allocate``) and the Python API.

``allocate(request)`` answers the contract; ``greedy(request)`` answers the same request with the
largest-first greedy alone (the baseline); ``lower_bound(request)`` is the LP lower bound on the peak;
``check(request, owners)`` lists what is wrong with an allocation someone has edited.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

import numpy as np
from pydantic import Field, model_validator

from casework.rules.allocation import engine, solver
from casework.rules.allocation.greedy import largest_first
from casework.rules.allocation.problem import (
    UNALLOCATED,
    Case,
    Practitioner,
    Problem,
    build_problem,
    capacity_tenths,
    percent,
    score,
    violations,
)
from casework.rules.contract import ContractError
from casework.rules.eligibility import (
    ALL_PROTECT_LEVELS,
    DEFAULT_GRADE_MATRIX,
    WHO,
    GradeMatrix,
    GradeMatrixPolicy,
    Tier,
)
from casework.rules.sampling import Crn
from casework.rules.schema import Choice, ContractModel, contract_handler
from casework.rules.tiering import Registration, Rosh
from casework.rules.workload import DEFAULT_POINTS_TABLE, CaseType, Grade, PointsTable

RULES_VERSION = "allocation-2026.1"
#: Sanity bounds on one request (a PDU has a few hundred practitioners; the national queue is ~15,000).
MAX_PRACTITIONERS = 1000
MAX_CASES = 10000
DEFAULT_TIME_LIMIT = engine.DEFAULT_TIME_LIMIT

_Id = Annotated[str, Field(min_length=1, max_length=64)]


class UnallocatedReason(StrEnum):
    NO_ELIGIBLE_PRACTITIONER_WITH_CAPACITY = "NO_ELIGIBLE_PRACTITIONER_WITH_CAPACITY"


# --- Request ----------------------------------------------------------------------------------------------


class AllocatePractitioner(ContractModel):
    """One practitioner in the pool."""

    id: _Id
    """Their identifier (any text, 1–64 characters), unique in the pool; answers name them by it."""
    grade: Choice[Grade]
    """PO, PQIP, PSO or SPO."""
    core_training_complete: bool = False
    """Whether a PSO has completed core training (left out: not complete)."""
    months_in_post: Annotated[int, Field(ge=0, le=1200)] = 0
    """Whole months in post (left out: 0)."""
    points: Annotated[int, Field(ge=0, le=10_000_000)]
    """Their workload points now (from the workload contract)."""
    available_points: Annotated[int, Field(ge=0, le=1_000_000)]
    """Their available points (0: no capacity, so they take nothing)."""
    excluded_cases: list[Crn] = []  # type: ignore[valid-type]
    """CRNs of restricted-access cases they are excluded from (never given to them)."""


class AllocateCase(ContractModel):
    """One unallocated case."""

    crn: Crn  # type: ignore[valid-type]
    """Case reference: one capital letter and six digits, unique in the request."""
    tier: Tier | None  # type: ignore[valid-type]
    """Two-axis tier (B1, or B1S when unsupervised); null when the case has no tier yet."""
    case_type: Choice[CaseType]
    """COMMUNITY, LICENCE or CUSTODY (with the tier and age, prices the case from the points table)."""
    age_18_to_24: bool = False
    """Whether the person is aged 18 to 24 (then the 18–24 row prices the case)."""
    rosh: Choice[Rosh] | None
    """Risk of serious harm: LOW, MEDIUM, HIGH or VERY_HIGH; null when not assessed."""
    mappa_level: Annotated[int, Field(ge=1, le=3)] | None = None
    """MAPPA level 1, 2 or 3; null or left out when not a MAPPA case."""
    registrations: list[Choice[Registration]] = []
    """Active registration codes (e.g. ADVP, RCPR, INLL)."""
    lifer_or_ipp: bool = False
    """A life or IPP sentence (an INLL registration counts too)."""
    previous_practitioner: _Id | None = None
    """The id of the practitioner who last held the case, if any; need not be in the pool."""


class AllocateRequest(ContractModel):
    """A pool of practitioners and the cases to share among them."""

    practitioners: Annotated[list[AllocatePractitioner], Field(max_length=MAX_PRACTITIONERS)]
    """The pool, at most 1,000."""
    cases: Annotated[list[AllocateCase], Field(max_length=MAX_CASES)]
    """The cases to allocate, at most 10,000."""
    policy: GradeMatrixPolicy | None = None
    """A grade matrix to use instead of the one in force; null or left out for the one in force."""
    max_capacity_percent: Annotated[float, Field(ge=0, le=1000)] = 110
    """Nobody is taken over this capacity (after rounding to one decimal place); default 110."""

    @model_validator(mode="after")
    def _unique(self) -> AllocateRequest:
        seen: set[str] = set()
        for index, p in enumerate(self.practitioners):
            if p.id in seen:
                raise ContractError(f"practitioners[{index}].id", f"repeats {p.id}")
            seen.add(p.id)
        crns: set[str] = set()
        for index, c in enumerate(self.cases):
            if c.crn in crns:
                raise ContractError(f"cases[{index}].crn", f"repeats {c.crn}")
            crns.add(c.crn)
        return self


# --- Response ---------------------------------------------------------------------------------------------


class AllocateAssignment(ContractModel):
    """One case given to one practitioner."""

    crn: str
    """The case."""
    practitioner: str
    """The id of the practitioner it goes to."""
    capacity_after: float
    """That practitioner's capacity % after the whole batch (one decimal place)."""
    reasons: list[str]
    """Why this practitioner, in words."""


class AllocateUnallocated(ContractModel):
    """A case nobody can take."""

    crn: str
    """The case."""
    reason: UnallocatedReason
    """NO_ELIGIBLE_PRACTITIONER_WITH_CAPACITY."""
    explanation: str
    """Why, in words (nobody may hold it, everyone who may is excluded, has no capacity, or would pass the cap)."""


class AllocatePractitionerResult(ContractModel):
    """One practitioner's workload before and after the batch."""

    id: str
    """The practitioner."""
    capacity_before: float | None
    """Their capacity % now; null when they have no available points."""
    capacity_after: float | None
    """Their capacity % after the batch; null when they have no available points."""
    cases: int
    """How many cases of this batch they are given."""


class AllocateResponse(ContractModel):
    """The proposal."""

    assignments: list[AllocateAssignment]
    """The cases given, in request order."""
    unallocated: list[AllocateUnallocated]
    """The cases nobody can take, in request order."""
    peak_capacity_percent: float | None
    """The highest capacity % after the batch across the pool (practitioners with available points)."""
    peak_lower_bound: float | None
    """The linear-programming lower bound on that peak for the cases allocated, rounded down to 2 places."""
    practitioners: list[AllocatePractitionerResult]
    """Every practitioner in the pool, in request order."""
    rules_version: str
    """The version of the allocation rules that produced this answer."""


# --- The Python API ----------------------------------------------------------------------------------------


def to_problem(request: AllocateRequest, *, matrix: GradeMatrix = DEFAULT_GRADE_MATRIX,
               table: PointsTable = DEFAULT_POINTS_TABLE) -> Problem:
    """The engine's arrays for a request (``policy`` in the request wins over ``matrix``)."""
    if request.policy is not None:
        matrix = request.policy.to_matrix()
    practitioners = [Practitioner(p.id, p.grade, p.core_training_complete, p.months_in_post, p.points,
                                  p.available_points, frozenset(p.excluded_cases)) for p in request.practitioners]
    cases = [Case(c.crn, c.tier, c.case_type, c.rosh, c.age_18_to_24, c.mappa_level, frozenset(c.registrations),
                  c.lifer_or_ipp, c.previous_practitioner) for c in request.cases]
    return build_problem(practitioners, cases, matrix=matrix, table=table,
                         max_capacity_percent=Decimal(str(request.max_capacity_percent)))


def allocate(request: AllocateRequest, *, matrix: GradeMatrix = DEFAULT_GRADE_MATRIX,
             table: PointsTable = DEFAULT_POINTS_TABLE, time_limit: float = DEFAULT_TIME_LIMIT) -> AllocateResponse:
    """``casework rules allocate``: the proposal (see README.md beside this file for the model)."""
    problem = to_problem(request, matrix=matrix, table=table)
    return respond(problem, engine.propose(problem, time_limit=time_limit))


def greedy(request: AllocateRequest, *, matrix: GradeMatrix = DEFAULT_GRADE_MATRIX,
           table: PointsTable = DEFAULT_POINTS_TABLE) -> AllocateResponse:
    """The largest-first greedy's answer to the same request (the baseline), in the same shape."""
    problem = to_problem(request, matrix=matrix, table=table)
    return respond(problem, largest_first(problem))


def lower_bound(request: AllocateRequest, *, matrix: GradeMatrix = DEFAULT_GRADE_MATRIX,
                table: PointsTable = DEFAULT_POINTS_TABLE, crns: Iterable[str] | None = None) -> float | None:
    """The LP lower bound on the peak (a percentage, not rounded) for allocating exactly ``crns``
    (default: every case someone could take on their own); None when there is no bound (nobody has
    available points, or those cases cannot all be placed even split into fractions)."""
    problem = to_problem(request, matrix=matrix, table=table)
    if crns is None:
        chosen = problem.usable.any(axis=1)
    else:
        wanted = set(crns)
        chosen = np.array([c.crn in wanted for c in problem.cases], dtype=bool)
    return solver.peak_lower_bound(problem, chosen)


def check(request: AllocateRequest, owners: Mapping[str, str | None], *,
          matrix: GradeMatrix = DEFAULT_GRADE_MATRIX, table: PointsTable = DEFAULT_POINTS_TABLE) -> list[str]:
    """What is wrong with an allocation (CRN → practitioner id, or None for unallocated; cases not named
    are unallocated): ineligible, excluded, no available points, over the cap, or a case left
    unallocated that someone could take. Empty when the allocation meets the contract's rules."""
    problem = to_problem(request, matrix=matrix, table=table)
    owner = np.full(len(problem.cases), UNALLOCATED, dtype=np.int64)
    for j, case in enumerate(problem.cases):
        who = owners.get(case.crn)
        if who is not None:
            if who not in problem.index:
                raise ContractError("", f"{case.crn}: {who} is not in the pool")
            owner[j] = problem.index[who]
    return violations(problem, owner)


# --- The answer, with its reasons ------------------------------------------------------------------------------


def _pc(tenths: int | np.integer) -> str:
    """Tenths of a percent as people read them: 75.0%, 103.4%."""
    return f"{int(tenths) // 10}.{int(tenths) % 10}%"


def _cap(problem: Problem) -> str:
    value = Decimal(problem.cap_tenths) / 10
    return f"{value.normalize():f}%" if value == value.to_integral_value() else f"{value}%"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _case_facts(case: Case) -> str:
    rosh = f"RoSH {Rosh(case.rosh).label}" if case.rosh else "RoSH not assessed"
    tier = f"tier {case.tier}" if case.tier else "no tier yet"
    return f"{rosh}, {tier}"


def _eligible(problem: Problem, i: int, j: int) -> str:
    category = problem.categories[i]
    rules = problem.matrix.categories[category]
    who = _lower_first(WHO[category].format(months=problem.matrix.pso_min_months_in_post))
    unrestricted = (rules.max_rosh is Rosh.VERY_HIGH and rules.allow_mappa_2_3 and rules.allow_lifer_ipp
                    and rules.allowed_protect_levels == ALL_PROTECT_LEVELS
                    and rules.allow_domestic_abuse_or_child_protection)
    if unrestricted:
        return f"Eligible: {who} may hold any case"
    return f"Eligible: {who} may hold this case under the grade matrix ({_case_facts(problem.cases[j])})"


def _assignment_reasons(problem: Problem, j: int, i: int, totals: np.ndarray, peak: int) -> list[str]:
    practitioners, case = problem.practitioners, problem.cases[j]
    w = int(problem.weights[j])
    reasons = [_eligible(problem, i, j)]
    previous = int(problem.previous[j])
    if previous == i:
        reasons.append("Previous practitioner: keeps continuity of supervision")
    elif previous >= 0:
        reasons.append(_not_previous(problem, j, previous, totals, peak))
    elif case.previous_practitioner:
        reasons.append(f"Their previous practitioner ({case.previous_practitioner}) is not in this pool")
    before = capacity_tenths(int(problem.points[i]), int(problem.available[i]))
    after = capacity_tenths(int(totals[i]), int(problem.available[i]))
    reasons.append(f"This case adds {w} points; with this batch their workload goes from {_pc(before)} "
                   f"to {_pc(after)} (cap {_cap(problem)})")
    others = problem.usable[j] & (totals + w <= problem.limit)
    others[i] = False
    who = np.flatnonzero(others)
    if who.size == 0:
        reasons.append(f"The only practitioner who may hold it with room under the {_cap(problem)} cap")
        return reasons
    would_be = capacity_tenths(totals[who] + w, problem.available[who])
    lowest = int(would_be.min())
    if after <= lowest:
        reasons.append(f"Lowest capacity after allocation among the {who.size + 1} eligible practitioners with "
                       f"room: {_pc(after)}")
    else:
        rival = practitioners[int(who[int(np.argmin(would_be))])].id
        why = ("kept with their previous practitioner" if previous == i
               else "the proposal balances the whole batch")
        reasons.append(f"Not the lowest single choice ({rival} would be at {_pc(lowest)} with it): {why}, "
                       f"keeping the peak at {_pc(peak)}")
    return reasons


def _not_previous(problem: Problem, j: int, previous: int, totals: np.ndarray, peak: int) -> str:
    name = problem.practitioners[previous].id
    start = f"Not given to their previous practitioner ({name})"
    if not problem.matrix_ok[j, previous]:
        return f"{start}: the grade matrix does not let them hold it"
    if problem.excluded[j, previous]:
        return f"{start}: they are excluded from this case"
    if problem.available[previous] <= 0:
        return f"{start}: they have no capacity (0 available points)"
    would_be = capacity_tenths(int(totals[previous] + problem.weights[j]), int(problem.available[previous]))
    if totals[previous] + problem.weights[j] > problem.limit[previous]:
        return f"{start}: it would take them to {_pc(would_be)}, over the {_cap(problem)} cap"
    if would_be > peak:
        return f"{start}: with it they would be at {_pc(would_be)}, above this batch's peak of {_pc(peak)}"
    return f"{start}: with it they would be at {_pc(would_be)}"


def _unallocated_explanation(problem: Problem, j: int, totals: np.ndarray) -> str:
    may = problem.matrix_ok[j]
    free = may & ~problem.excluded[j]
    with_points = free & problem.active
    w = int(problem.weights[j])
    if not may.any():
        return (f"Nobody in the pool may hold this case under the grade matrix "
                f"({_case_facts(problem.cases[j])})")
    if not free.any():
        return "Everyone in the pool who may hold this case under the grade matrix is excluded from it"
    if not with_points.any():
        return "Everyone who may hold this case has no capacity (0 available points)"
    who = np.flatnonzero(with_points)
    would_be = capacity_tenths(totals[who] + w, problem.available[who])
    excluded = int(np.count_nonzero(may & problem.excluded[j]))
    extra = f"; {excluded} more may hold it but are excluded from it" if excluded else ""
    if who.size <= 3:
        named = ", ".join(f"{problem.practitioners[i].id} would be at {_pc(t)}"
                          for i, t in sorted(zip(who, would_be, strict=True), key=lambda pair: pair[1]))
        return (f"This case ({w} points) would take everyone who may hold it over the {_cap(problem)} cap: "
                f"{named}{extra}")
    return (f"This case ({w} points) would take each of the {who.size} practitioners who may hold it over the "
            f"{_cap(problem)} cap (the lowest would be at {_pc(int(would_be.min()))}){extra}")


def respond(problem: Problem, owner: np.ndarray, *, bound: bool = True) -> AllocateResponse:
    """The contract's response for ``owner`` (reasons included). ``bound`` True computes the LP bound."""
    totals = problem.totals(owner)
    peak = score(problem, owner).peak_tenths
    assignments, unallocated = [], []
    for j, case in enumerate(problem.cases):
        i = int(owner[j])
        if i == UNALLOCATED:
            unallocated.append(AllocateUnallocated(
                crn=case.crn, reason=UnallocatedReason.NO_ELIGIBLE_PRACTITIONER_WITH_CAPACITY,
                explanation=_unallocated_explanation(problem, j, totals)))
            continue
        after = capacity_tenths(int(totals[i]), int(problem.available[i]))
        assignments.append(AllocateAssignment(crn=case.crn, practitioner=problem.practitioners[i].id,
                                              capacity_after=percent(after),
                                              reasons=_assignment_reasons(problem, j, i, totals, peak)))
    counts = np.bincount(owner[owner >= 0], minlength=len(problem.practitioners))
    results = []
    for i, p in enumerate(problem.practitioners):
        has = p.available_points > 0
        results.append(AllocatePractitionerResult(
            id=p.id,
            capacity_before=percent(capacity_tenths(p.points, p.available_points)) if has else None,
            capacity_after=percent(capacity_tenths(int(totals[i]), p.available_points)) if has else None,
            cases=int(counts[i])))
    if bound:
        exact = solver.peak_lower_bound(problem, owner >= 0)
        # 1e-6 below the solver's optimum first: its tolerances must never lift the bound above the truth.
        lower = None if exact is None else float(Decimal(repr(exact - 1e-6)).quantize(Decimal("0.01"), "ROUND_FLOOR"))
    else:
        lower = None
    return AllocateResponse(assignments=assignments, unallocated=unallocated,
                            peak_capacity_percent=percent(peak) if peak >= 0 else None,
                            peak_lower_bound=lower, practitioners=results, rules_version=RULES_VERSION)


#: ``handle(request, matrix=..., table=...) -> dict``: the ``allocate`` contract (ContractError if invalid).
handle = contract_handler(AllocateRequest, AllocateResponse, allocate)
