"""Largest-first greedy: the baseline the proposal must never lose to, and the solver's first solution.

Cases are taken in descending points (input order among equal points). Each goes to the practitioner
who may hold it (grade matrix, not excluded, available points) and whose capacity after taking it is
lowest, among those it keeps within the cap; on a tie the previous practitioner, then the one given
the fewest cases so far, then the first in the pool. A case that nobody can take within the cap at
its turn is left unallocated — and stays so: later cases only add points, so the greedy's answer is
always maximal.
"""

from __future__ import annotations

import numpy as np

from casework.rules.allocation.problem import UNALLOCATED, Problem


def choose(problem: Problem, j: int, candidates: np.ndarray, totals: np.ndarray, counts: np.ndarray) -> int:
    """Among ``candidates`` (who may take case ``j`` within the cap), the one whose capacity after is lowest;
    on a tie the previous practitioner, then the fewest cases given in this batch, then the first in the
    pool. (A case of 0 points changes nobody's capacity, so 0-point cases are spread by count.)"""
    w = problem.weights[j]
    after = (totals[candidates] + w) / problem.available[candidates]
    ties = candidates[after == after.min()]
    previous = problem.previous[j]
    if previous >= 0 and previous in ties:
        return int(previous)
    return int(ties[np.argmin(counts[ties])])


def largest_first(problem: Problem) -> np.ndarray:
    """The greedy's ``owner`` array."""
    n_c = len(problem.cases)
    owner = np.full(n_c, UNALLOCATED, dtype=np.int64)
    totals = problem.points.copy()
    counts = np.zeros(len(problem.practitioners), dtype=np.int64)
    weights, limit = problem.weights, problem.limit
    order = sorted(range(n_c), key=lambda j: (-int(weights[j]), j))
    for j in order:
        candidates = np.flatnonzero(problem.usable[j] & (totals + weights[j] <= limit))
        if candidates.size == 0:
            continue
        choice = choose(problem, j, candidates, totals, counts)
        owner[j] = choice
        totals[choice] += weights[j]
        counts[choice] += 1
    return owner
