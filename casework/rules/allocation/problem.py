"""The batch allocation problem as arrays, and the exact arithmetic every part of the engine shares.

A :class:`Problem` is built once per request from :class:`Practitioner` and :class:`Case` values: case
points come from the workload points table, who may hold what from the grade matrix, and the cap is
turned into a whole number of points per practitioner (:func:`points_limit`), so that every later
check — "within the cap", "at or under a peak of 96.4%", "over 100%" — is an integer comparison that
agrees exactly with ``workload.capacity_percent`` (half-up to one decimal place).

A solution is an ``owner`` array: for each case the index of the practitioner it goes to, or -1 when
it is left unallocated.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import numpy as np

from casework.rules.eligibility import (
    DEFAULT_GRADE_MATRIX,
    CaseProfile,
    GradeMatrix,
    PractitionerCategory,
    PractitionerProfile,
    check_eligibility,
    practitioner_category,
)
from casework.rules.workload import DEFAULT_POINTS_TABLE, CaseType, Grade, PointsTable, case_points

#: No owner: the case is left unallocated.
UNALLOCATED = -1
#: 100.0% in tenths of a percent (the "over capacity" line, rules.md §2.2).
OVER_CAPACITY_TENTHS = 1000


@dataclass(frozen=True)
class Practitioner:
    """One practitioner in the pool: who they are for the grade matrix, and their workload now."""

    id: str
    grade: Grade
    core_training_complete: bool = False
    months_in_post: int = 0
    points: int = 0
    available_points: int = 0
    excluded_cases: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Case:
    """One unallocated case: what the grade matrix reads, what the points table prices, and who held it."""

    crn: str
    tier: str | None
    case_type: CaseType
    rosh: str | None
    age_18_to_24: bool = False
    mappa_level: int | None = None
    registrations: frozenset[str] = frozenset()
    lifer_or_ipp: bool = False
    previous_practitioner: str | None = None

    @property
    def profile(self) -> CaseProfile:
        return CaseProfile(self.tier, self.rosh, self.mappa_level, self.registrations, self.lifer_or_ipp)  # type: ignore[arg-type]


# --- Exact capacity arithmetic ------------------------------------------------------------------------


def tenths_of(limit_percent: Decimal | float | int | Fraction) -> int:
    """The highest one-decimal capacity (in tenths of a percent) at or under ``limit_percent``.

    Capacities are reported to one decimal place, so "at most 109.95%" means "at most 109.9%".
    """
    exact = Fraction(Decimal(str(limit_percent))) if isinstance(limit_percent, float) else Fraction(limit_percent)
    return math.floor(exact * 10)


def points_limit(available: int | np.ndarray, tenths: int | np.ndarray) -> int | np.ndarray:
    """The most points a practitioner can hold with a capacity (half-up to one decimal) of at most
    ``tenths``/10 percent: the largest T with ``capacity_percent(T, available) <= tenths / 10``.

    capacity_percent rounds T × 100 / A half up to tenths, so it is at most u/10 exactly when
    T × 1000 / A + 1/2 < u + 1, that is 2000·T < (2u + 1)·A. -1 when available points are 0 (such a
    practitioner can hold nothing in a batch: their capacity is "no capacity", not a number).
    """
    if isinstance(available, np.ndarray):
        tenths = np.asarray(tenths, dtype=np.int64)
        limit = ((2 * tenths + 1) * available - 1) // 2000
        return np.where(available > 0, np.maximum(limit, -1), -1)
    if available <= 0:
        return -1
    return max(((2 * int(tenths) + 1) * available - 1) // 2000, -1)


def capacity_tenths(total: int | np.ndarray, available: int | np.ndarray) -> int | np.ndarray:
    """``workload.capacity_percent`` × 10 as a whole number (half up); callers skip available 0."""
    if isinstance(total, np.ndarray) or isinstance(available, np.ndarray):
        available = np.asarray(available, dtype=np.int64)
        safe = np.where(available > 0, available, 1)
        return (2000 * np.asarray(total, dtype=np.int64) + safe) // (2 * safe)
    return (2000 * total + available) // (2 * available)


def percent(tenths: int) -> float:
    """Tenths of a percent as the one-decimal number the contracts write (71.3)."""
    return float(Decimal(int(tenths)) / 10)


# --- The problem ---------------------------------------------------------------------------------------


@dataclass(eq=False)
class Problem:
    """One request as arrays (``P`` practitioners, ``C`` cases), built by :func:`build_problem`."""

    practitioners: tuple[Practitioner, ...]
    cases: tuple[Case, ...]
    matrix: GradeMatrix
    cap_tenths: int
    categories: tuple[PractitionerCategory, ...]
    #: [P] workload points now, available points, and the most points each may hold within the cap
    points: np.ndarray
    available: np.ndarray
    limit: np.ndarray
    #: [C] points each case adds, and the index of its previous practitioner in the pool (-1: none)
    weights: np.ndarray
    previous: np.ndarray
    #: [C, P] the grade matrix lets them hold it; they are excluded from it
    matrix_ok: np.ndarray
    excluded: np.ndarray
    #: [C, P] may be given it in a batch: matrix, not excluded, available points, and it fits under the cap
    usable: np.ndarray
    index: dict[str, int] = field(default_factory=dict)

    @property
    def active(self) -> np.ndarray:
        """[P] practitioners with available points: the ones with a capacity, so the ones the peak reads."""
        return self.available > 0

    def totals(self, owner: np.ndarray) -> np.ndarray:
        """[P] workload points after the batch."""
        loads = np.bincount(owner[owner >= 0], weights=self.weights[owner >= 0], minlength=len(self.practitioners))
        return self.points + loads.astype(np.int64)

    def limits_at(self, tenths: int) -> np.ndarray:
        """[P] the most points each may hold at a capacity of at most ``tenths``/10 % (and within the cap)."""
        return np.minimum(self.limit, points_limit(self.available, min(tenths, self.cap_tenths)))


def build_problem(practitioners: Sequence[Practitioner], cases: Sequence[Case], *,
                  matrix: GradeMatrix = DEFAULT_GRADE_MATRIX, table: PointsTable = DEFAULT_POINTS_TABLE,
                  max_capacity_percent: Decimal | float | int = 110) -> Problem:
    """Arrays for one request. Ids and CRNs are assumed unique (the contract checks them)."""
    n_p, n_c = len(practitioners), len(cases)
    index = {p.id: i for i, p in enumerate(practitioners)}
    categories = tuple(practitioner_category(p.grade, p.core_training_complete, p.months_in_post,
                                             min_months=matrix.pso_min_months_in_post) for p in practitioners)
    points = np.array([p.points for p in practitioners], dtype=np.int64)
    available = np.array([p.available_points for p in practitioners], dtype=np.int64)
    cap_tenths = tenths_of(max_capacity_percent)
    limit = np.asarray(points_limit(available, cap_tenths), dtype=np.int64)

    weights = np.array([case_points(c.tier, c.case_type, c.age_18_to_24, table) for c in cases], dtype=np.int64)
    previous = np.array([index.get(c.previous_practitioner, -1) if c.previous_practitioner else -1 for c in cases],
                        dtype=np.int64)

    # The matrix reads only the practitioner's category: one check per case and category.
    category_list = list(PractitionerCategory)
    column = np.array([category_list.index(c) for c in categories], dtype=np.int64)
    sample = _category_profiles(matrix)
    by_profile: dict[CaseProfile, np.ndarray] = {}
    allowed = np.zeros((n_c, len(category_list)), dtype=bool)
    for j, case in enumerate(cases):
        profile = case.profile
        row = by_profile.get(profile)
        if row is None:
            row = np.array([check_eligibility(sample[c], profile, matrix).eligible for c in category_list])
            by_profile[profile] = row
        allowed[j] = row
    matrix_ok = allowed[:, column] if n_p else np.zeros((n_c, 0), dtype=bool)

    excluded = np.zeros((n_c, n_p), dtype=bool)
    crn_index = {c.crn: j for j, c in enumerate(cases)}
    for i, p in enumerate(practitioners):
        for crn in p.excluded_cases:
            j = crn_index.get(crn)
            if j is not None:
                excluded[j, i] = True

    fits = (points[None, :] + weights[:, None]) <= limit[None, :]
    usable = matrix_ok & ~excluded & (available > 0)[None, :] & fits
    return Problem(tuple(practitioners), tuple(cases), matrix, cap_tenths, categories, points, available, limit,
                   weights, previous, matrix_ok, excluded, usable, index)


def _category_profiles(matrix: GradeMatrix) -> dict[PractitionerCategory, PractitionerProfile]:
    return {
        PractitionerCategory.PO: PractitionerProfile(Grade.PO),
        PractitionerCategory.SPO: PractitionerProfile(Grade.SPO),
        PractitionerCategory.PQIP: PractitionerProfile(Grade.PQIP),
        PractitionerCategory.PSO_TRAINED: PractitionerProfile(Grade.PSO, True, matrix.pso_min_months_in_post),
        PractitionerCategory.PSO_UNTRAINED: PractitionerProfile(Grade.PSO, False, 0),
    }


# --- Judging a solution ----------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Score:
    """The contract's objective, in order: more cases allocated, a lower peak, more cases kept with their
    previous practitioner, fewer practitioners over 100%. ``key`` sorts best first."""

    allocated: int
    peak_tenths: int  # -1 when no practitioner has available points
    continuity: int
    over_capacity: int

    @property
    def key(self) -> tuple[int, int, int, int]:
        return (-self.allocated, self.peak_tenths, -self.continuity, self.over_capacity)

    def better_than(self, other: Score) -> bool:
        return self.key < other.key


def score(problem: Problem, owner: np.ndarray) -> Score:
    """The objective values of ``owner`` (exact: whole points and tenths of a percent)."""
    totals = problem.totals(owner)
    active = problem.active
    tenths = capacity_tenths(totals[active], problem.available[active])
    peak = int(tenths.max()) if tenths.size else -1
    allocated = owner >= 0
    continuity = int(np.count_nonzero(allocated & (owner == problem.previous)))
    over = int(np.count_nonzero(tenths > OVER_CAPACITY_TENTHS))
    return Score(int(np.count_nonzero(allocated)), peak, continuity, over)


def violations(problem: Problem, owner: np.ndarray) -> list[str]:
    """Every broken rule of a solution, in words (empty when it is feasible and maximal)."""
    problems: list[str] = []
    totals = problem.totals(owner)
    for j in np.flatnonzero(owner >= 0):
        i = owner[j]
        crn, who = problem.cases[j].crn, problem.practitioners[i].id
        if not problem.matrix_ok[j, i]:
            problems.append(f"{crn} to {who}: not eligible")
        if problem.excluded[j, i]:
            problems.append(f"{crn} to {who}: excluded")
        if problem.available[i] <= 0:
            problems.append(f"{crn} to {who}: no available points")
    holds = np.bincount(owner[owner >= 0], minlength=len(problem.practitioners)) > 0
    over = np.flatnonzero(holds & (totals > problem.limit))
    problems += [f"{problem.practitioners[i].id}: over the cap" for i in over]
    for j in np.flatnonzero(owner < 0):
        fits = problem.usable[j] & (totals + problem.weights[j] <= problem.limit)
        if fits.any():
            problems.append(f"{problem.cases[j].crn}: left unallocated but "
                            f"{problem.practitioners[int(np.flatnonzero(fits)[0])].id} could take it")
    return problems
