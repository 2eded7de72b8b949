"""The proposal: the greedy's answer, improved by local search and, where the problem is small enough
for it to finish, by the exact MILP; whichever scores best under the contract's objective wins.

Maximality is guaranteed whatever the time limit: the last step is always an insertion pass, after
which no unallocated case fits anyone who may hold it.
"""

from __future__ import annotations

import math
import time

import numpy as np

from casework.rules.allocation import search, solver
from casework.rules.allocation.greedy import largest_first
from casework.rules.allocation.problem import UNALLOCATED, Problem, score

#: Seconds the optimiser may spend by default (the 2,000 × 500 benchmark needs far less).
DEFAULT_TIME_LIMIT = 5.0
#: Up to this many usable (case, practitioner) pairs the exact MILP is run after the local search.
MILP_MAX_PAIRS = 4000
#: ... for at most this many seconds (on small problems it proves the optimum in milliseconds; on larger
#: ones it rarely improves on the local search, so the wait is bounded).
MILP_SECONDS = 2.0


def bound_tenths(problem: Problem, owner: np.ndarray) -> int:
    """The LP bound on the peak for the cases ``owner`` allocates, as the lowest one-decimal peak it allows
    (-1 when there is none): capacities round half up, so an exact peak of at least T* reports at least
    T* rounded half up. A millionth is taken off first so the solver's tolerance can only lower it."""
    bound = solver.peak_lower_bound(problem, owner >= 0)
    if bound is None:
        return -1
    return math.floor((bound - 1e-6) * 10 + 0.5)


def smallest_first(problem: Problem) -> np.ndarray:
    """A start for scarce capacity: the smallest cases first fit the most cases."""
    state = search.State(problem, np.full(len(problem.cases), UNALLOCATED, dtype=np.int64))
    search.insert_unallocated(state)
    return state.owner


def improve(problem: Problem, owner: np.ndarray, deadline: float) -> np.ndarray:
    """Local search from ``owner`` (see ``search``); the answer is never worse and always maximal."""
    state = search.State(problem, owner)
    # Half the time for the count and the peak, then most of what is left for continuity, the rest for
    # over 100%. More cases first (the contract's first objective), then the peak; again while more fit.
    now = time.monotonic()
    peak_until = now + (deadline - now) / 2
    search.insert_unallocated(state)
    search.insert_making_room(state, peak_until)
    while True:
        search.lower_peak(state, peak_until, bound_tenths(problem, state.owner))
        if not (search.insert_unallocated(state) or search.insert_making_room(state, peak_until)):
            break
    now = time.monotonic()
    search.keep_continuity(state, now + (deadline - now) * 0.7)
    search.fewer_over_capacity(state, deadline)
    search.insert_unallocated(state)
    return state.owner


def propose(problem: Problem, *, time_limit: float = DEFAULT_TIME_LIMIT,
            greedy: np.ndarray | None = None) -> np.ndarray:
    """The proposal's ``owner`` array."""
    started = time.monotonic()
    deadline = started + time_limit
    start = largest_first(problem) if greedy is None else greedy
    if (start == UNALLOCATED).any():
        # When capacity is short the largest-first order can leave cases a different packing would fit:
        # both starts fit what they can (a quarter of the time each at most), and the better goes on.
        fitted = []
        for owner in (start, smallest_first(problem)):
            state = search.State(problem, owner)
            search.insert_unallocated(state)
            search.insert_making_room(state, min(time.monotonic() + time_limit / 4, deadline))
            fitted.append(state.owner)
        start = min(fitted, key=lambda owner: score(problem, owner).key)
    best = improve(problem, start, deadline)
    if int(np.count_nonzero(problem.usable)) <= MILP_MAX_PAIRS:
        remaining = min(deadline - time.monotonic(), MILP_SECONDS)
        if remaining > 0.05:
            exact = solver.exact(problem, best, time_limit=remaining)
            if exact is not None:
                best = exact
    state = search.State(problem, best)
    search.insert_unallocated(state)
    return state.owner
