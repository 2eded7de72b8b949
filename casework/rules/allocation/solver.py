"""HiGHS (through ``highspy``): the linear-programming lower bound on the peak, and the exact MILP.

**Lower bound.** :func:`peak_lower_bound` solves the fractional relaxation of "allocate exactly these
cases, minimising the peak": each case may be split among the practitioners who may hold it (grade
matrix, not excluded, available points, and its points fit under the cap on their own), every
practitioner's points after the batch stay within the cap, and T ≥ 100 × points ÷ available for
every practitioner with available points (so the practitioners who take nothing count too). The
optimum T* is a lower bound on the exact peak of any whole allocation of the same cases. Cases whose
practitioner sets are identical are interchangeable when they may be split, so they are merged into
one class carrying their total points: the LP has one variable per (class, practitioner) instead of
per (case, practitioner) — about 50 classes rather than 2,000 cases at benchmark size, with the
same optimum.

**MILP.** :func:`exact` solves the whole problem with one binary per usable (case, practitioner)
pair, lexicographically, as the contract orders the objectives: (1) most cases allocated, (2) the
lowest exact peak, (3) among solutions whose peak rounds to the same one-decimal figure, the most
cases with their previous practitioner, then the fewest practitioners over 100%. Each stage starts
from the best solution known (the heuristic's) and has a time limit; the caller keeps whichever
answer scores better, so the solver can only improve on the heuristic.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import highspy
import numpy as np

from casework.rules.allocation.problem import (
    OVER_CAPACITY_TENTHS,
    UNALLOCATED,
    Problem,
    capacity_tenths,
    points_limit,
    score,
)

INF = highspy.kHighsInf


@dataclass
class _Columns:
    """A linear programme built column by column (compressed sparse columns)."""

    rows_lower: list[float] | np.ndarray
    rows_upper: list[float] | np.ndarray
    cost: list[float] = field(default_factory=list)
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    integer: list[bool] = field(default_factory=list)
    starts: list[int] = field(default_factory=lambda: [0])
    index: list[np.ndarray] = field(default_factory=list)
    value: list[np.ndarray] = field(default_factory=list)

    def add(self, rows: np.ndarray, values: np.ndarray, *, cost: float = 0.0, lower: float = 0.0,
            upper: float = INF, integer: bool = False) -> int:
        self.cost.append(cost)
        self.lower.append(lower)
        self.upper.append(upper)
        self.integer.append(integer)
        self.index.append(np.asarray(rows, dtype=np.int32))
        self.value.append(np.asarray(values, dtype=np.float64))
        self.starts.append(self.starts[-1] + len(rows))
        return len(self.cost) - 1

    def add_block(self, count: int, parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]], *,
                  integer: bool = False, upper: float = INF) -> range:
        """``count`` columns at once; ``parts`` are (column, row, value) entries in any order."""
        column = np.concatenate([p[0] for p in parts]).astype(np.int64)
        row = np.concatenate([p[1] for p in parts]).astype(np.int64)
        value = np.concatenate([p[2] for p in parts]).astype(np.float64)
        order = np.lexsort((row, column))
        first = len(self.cost)
        self.cost.extend([0.0] * count)
        self.lower.extend([0.0] * count)
        self.upper.extend([upper] * count)
        self.integer.extend([integer] * count)
        self.index.append(row[order].astype(np.int32))
        self.value.append(value[order])
        ends = np.cumsum(np.bincount(column, minlength=count)) + self.starts[-1]
        self.starts.extend(ends.tolist())
        return range(first, first + count)

    def highs(self, *, time_limit: float, maximise: bool = False) -> highspy.Highs:
        lp = highspy.HighsLp()
        lp.num_col_ = len(self.cost)
        lp.num_row_ = len(self.rows_lower)
        lp.col_cost_ = np.asarray(self.cost, dtype=np.float64)
        lp.col_lower_ = np.asarray(self.lower, dtype=np.float64)
        lp.col_upper_ = np.asarray(self.upper, dtype=np.float64)
        lp.row_lower_ = np.asarray(self.rows_lower, dtype=np.float64)
        lp.row_upper_ = np.asarray(self.rows_upper, dtype=np.float64)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.asarray(self.starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.concatenate(self.index) if self.index else np.zeros(0, dtype=np.int32)
        lp.a_matrix_.value_ = np.concatenate(self.value) if self.value else np.zeros(0)
        if any(self.integer):
            lp.integrality_ = [highspy.HighsVarType.kInteger if flag else highspy.HighsVarType.kContinuous
                               for flag in self.integer]
        lp.sense_ = highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize
        solver = highspy.Highs()
        solver.setOptionValue("output_flag", False)
        solver.setOptionValue("threads", 1)
        solver.setOptionValue("random_seed", 7)
        solver.setOptionValue("time_limit", max(float(time_limit), 0.01))
        solver.passModel(lp)
        return solver


# --- The LP lower bound ------------------------------------------------------------------------------


def peak_lower_bound(problem: Problem, allocate: np.ndarray, *, time_limit: float = 30.0) -> float | None:
    """T*, the LP bound (a percentage, not rounded) on the peak of any allocation of exactly the cases
    in ``allocate`` ([C] bool); None when no practitioner has available points or the cases cannot be
    allocated even fractionally."""
    active = problem.active
    if not active.any():
        return None
    n_p = len(problem.practitioners)
    chosen = np.flatnonzero(allocate & (problem.weights > 0))
    floor = float((100 * problem.points[active] / problem.available[active]).max())
    if chosen.size == 0:
        return floor
    usable = problem.usable[chosen]
    if not usable.any(axis=1).all():
        return None
    keys, inverse = np.unique(np.packbits(usable, axis=1), axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    demand = np.bincount(inverse, weights=problem.weights[chosen], minlength=len(keys))
    n_k = len(keys)
    # Rows: one per class (its points all placed), one per practitioner for the peak, one for the cap.
    peak_row = n_k + np.arange(n_p)
    cap_row = n_k + n_p + np.arange(n_p)
    rows_lower = np.concatenate([demand, np.full(2 * n_p, -INF)])
    peak_upper = np.where(active, -100.0 * problem.points, INF)
    cap_upper = np.where(active, (problem.limit - problem.points).astype(np.float64), 0.0)
    rows_upper = np.concatenate([demand, peak_upper, cap_upper])
    model = _Columns(rows_lower, rows_upper)
    members = usable[np.unique(inverse, return_index=True)[1]]
    klass, who = np.nonzero(members)
    columns = np.arange(klass.size)
    model.add_block(klass.size, [(columns, klass, np.ones(klass.size)),
                                 (columns, peak_row[who], np.full(klass.size, 100.0)),
                                 (columns, cap_row[who], np.ones(klass.size))])
    who = np.flatnonzero(active)
    model.add(peak_row[who], -problem.available[who].astype(np.float64), cost=1.0, lower=floor)
    solver = model.highs(time_limit=time_limit)
    solver.run()
    if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return float(solver.getInfo().objective_function_value)


# --- The exact MILP ---------------------------------------------------------------------------------------


def exact(problem: Problem, start: np.ndarray, *, time_limit: float) -> np.ndarray | None:
    """The lexicographic optimum found within ``time_limit`` seconds, starting from ``start``; None if
    no stage improved on it. The answer is checked by the caller (``score``), never trusted blindly."""
    deadline = time.monotonic() + time_limit
    n_c, n_p = len(problem.cases), len(problem.practitioners)
    pairs_case, pairs_who = np.nonzero(problem.usable)
    if pairs_case.size == 0:
        return None
    weights = problem.weights[pairs_case].astype(np.float64)
    active = problem.active
    best = start.copy()
    best_score = score(problem, best)
    stage_time = max(time_limit / 3, 0.05)

    def values_of(owner: np.ndarray) -> np.ndarray:
        return (owner[pairs_case] == pairs_who).astype(np.float64)

    def owner_of(values: np.ndarray) -> np.ndarray:
        owner = np.full(n_c, UNALLOCATED, dtype=np.int64)
        chosen = values > 0.5
        owner[pairs_case[chosen]] = pairs_who[chosen]
        return owner

    n_pairs = pairs_case.size
    columns = np.arange(n_pairs)
    # Rows: each case at most once; each practitioner's budget; the count; each practitioner's peak.
    count_row = n_c + n_p
    peak_rows = n_c + n_p + 1

    def build(budget: np.ndarray, min_count: float, *, with_peak: bool, objective: np.ndarray,
              line: np.ndarray | None = None, flags: np.ndarray | None = None) -> _Columns:
        rows_lower = [np.full(n_c, -INF), np.full(n_p, -INF), [min_count]]
        rows_upper = [np.ones(n_c), budget.astype(np.float64), [INF]]
        parts = [(columns, pairs_case, np.ones(n_pairs)), (columns, n_c + pairs_who, weights),
                 (columns, np.full(n_pairs, count_row), np.ones(n_pairs))]
        next_row = peak_rows
        if with_peak:
            rows_lower.append(np.full(n_p, -INF))
            rows_upper.append(np.where(active, -100.0 * problem.points, INF))
            parts.append((columns, peak_rows + pairs_who, 100.0 * weights))
            next_row += n_p
        if flags is not None and flags.size:
            # z_i = 1 when practitioner i ends over 100%: Σ w·x − M_i·z_i ≤ line_i.
            assert line is not None
            line_row = np.full(n_p, -1)
            line_row[flags] = next_row + np.arange(flags.size)
            rows_lower.append(np.full(flags.size, -INF))
            rows_upper.append(line[flags].astype(np.float64))
            flagged = line_row[pairs_who] >= 0
            parts.append((columns[flagged], line_row[pairs_who[flagged]], weights[flagged]))
        model = _Columns(np.concatenate(rows_lower), np.concatenate(rows_upper))
        model.add_block(n_pairs, parts, integer=True, upper=1.0)
        model.cost[:n_pairs] = objective.tolist()
        if with_peak:
            who = np.flatnonzero(active)
            floor = float((100 * problem.points[active] / problem.available[active]).max())
            model.add(peak_rows + who, -problem.available[who].astype(np.float64), cost=1.0, lower=floor)
        if flags is not None and flags.size:
            assert line is not None
            for k, i in enumerate(flags):
                model.add(np.array([next_row + k]), np.array([-float(budget[i] - line[i])]), cost=-1.0,
                          upper=1.0, integer=True)
        return model

    def run(model: _Columns, start_values: np.ndarray, *, maximise: bool) -> np.ndarray | None:
        remaining = deadline - time.monotonic()
        if remaining <= 0.02:
            return None
        solver = model.highs(time_limit=min(stage_time, remaining), maximise=maximise)
        solver.setOptionValue("mip_rel_gap", 0.0)
        solver.setOptionValue("mip_abs_gap", 1e-6)
        solution = highspy.HighsSolution()
        solution.col_value = start_values
        solver.setSolution(solution)
        solver.run()
        if solver.getInfo().primal_solution_status != 2:  # kSolutionStatusFeasible
            return None
        return np.asarray(solver.getSolution().col_value)

    def consider(values: np.ndarray | None) -> None:
        nonlocal best, best_score
        if values is None:
            return
        candidate = owner_of(values[:n_pairs])
        candidate_score = score(problem, candidate)
        if candidate_score.better_than(best_score) and _feasible(problem, candidate):
            best, best_score = candidate, candidate_score

    # A practitioner already over the cap has no usable pairs: a budget of 0 keeps their empty row feasible.
    budget = np.maximum(problem.limit - problem.points, 0).astype(np.float64)
    # Stage 1: the most cases.
    possible = int(np.count_nonzero(problem.usable.any(axis=1)))
    if best_score.allocated < possible:
        model = build(budget, 0.0, with_peak=False, objective=np.ones(n_pairs))
        consider(run(model, values_of(best), maximise=True))
    # Stage 2: the lowest peak with that many cases.
    model = build(budget, float(best_score.allocated), with_peak=True, objective=np.zeros(n_pairs))
    consider(run(model, np.append(values_of(best), 100.0 * _exact_peak(problem, best)), maximise=False))
    # Stage 3: at that one-decimal peak, the most cases with their previous practitioner, then the fewest
    # practitioners over 100% (one continuity outweighs every practitioner's flag).
    at_peak = np.maximum(problem.limits_at(best_score.peak_tenths) - problem.points, 0).astype(np.float64)
    line = np.asarray(points_limit(problem.available, OVER_CAPACITY_TENTHS), dtype=np.int64) - problem.points
    flags = np.flatnonzero(active & (line >= 0) & (at_peak > line))
    keep = (problem.previous[pairs_case] == pairs_who).astype(np.float64) * (n_p + 1)
    model = build(at_peak, float(best_score.allocated), with_peak=False, objective=keep, line=line, flags=flags)
    over_now = capacity_tenths(problem.totals(best), problem.available) > OVER_CAPACITY_TENTHS
    consider(run(model, np.concatenate([values_of(best), over_now[flags].astype(np.float64)]), maximise=True))
    return None if best_score.key == score(problem, start).key else best


def _exact_peak(problem: Problem, owner: np.ndarray) -> float:
    totals = problem.totals(owner)
    active = problem.active
    return float((totals[active] / problem.available[active]).max()) if active.any() else 0.0


def _feasible(problem: Problem, owner: np.ndarray) -> bool:
    allocated = owner >= 0
    if not problem.usable[np.flatnonzero(allocated), owner[allocated]].all():
        return False
    totals = problem.totals(owner)
    holds = np.bincount(owner[allocated], minlength=len(problem.practitioners)) > 0
    return bool(np.all(totals[holds] <= problem.limit[holds]))
