"""Local search over whole allocations: the moves that take the greedy's answer towards the optimum.

Every step keeps the solution feasible (matrix, exclusions, cap) and never leaves a case it had
allocated; each phase can only improve the contract's objective, in its order:

1. :func:`lower_peak`: one tenth of a percent at a time, bring every practitioner at the peak (one
   decimal) under it: move one of their cases to someone with room under the lower peak, or swap it
   for a smaller case of someone who then stays under it; failing that, re-split their and one other
   practitioner's cases in the best way (a pair step); failing that, an ejection chain; failing that,
   spread load down to practitioners with room and try again. Never below the LP bound.
2. :func:`insert_unallocated`: give each unallocated case (smallest first) to the eligible
   practitioner it leaves lowest, if anyone can take it within the cap (more cases beat a lower peak);
   :func:`insert_making_room`: the same where room has to be made first by moving other cases.
3. :func:`keep_continuity`: at the peak reached, move a case to its previous practitioner, directly
   or by a swap, when both stay at or under the peak.
4. :func:`fewer_over_capacity`: at that peak, without moving a case away from its previous
   practitioner, empty someone's batch cases until they are back at or under 100%, into practitioners
   already over 100% (up to the peak) or staying at or under 100%.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from casework.rules.allocation.greedy import choose
from casework.rules.allocation.problem import (
    OVER_CAPACITY_TENTHS,
    UNALLOCATED,
    Problem,
    capacity_tenths,
    points_limit,
)


@dataclass(frozen=True)
class Stage:
    """One round of relieving the practitioners above a peak: chain depth, pair steps, and the most
    practitioners left for which the round is worth trying (None: any number)."""

    depth: int
    pairs: bool
    most: int | None


STAGES = (Stage(0, False, None), Stage(0, True, None), Stage(2, True, 40), Stage(3, True, 8))


class State:
    """A solution being improved: who holds each case and everyone's points after the batch."""

    def __init__(self, problem: Problem, owner: np.ndarray) -> None:
        self.problem = problem
        self.owner = owner.copy()
        self.totals = problem.totals(owner)
        self.counts = np.bincount(owner[owner >= 0], minlength=len(problem.practitioners))
        self.usable_by = np.ascontiguousarray(problem.usable.T)  # [P, C]: cases each may be given
        self.log: list[tuple[int, int]] = []
        #: [C] cases the relieving steps must leave where they are (kept with their previous practitioner)
        self.pinned = np.zeros(len(problem.cases), dtype=bool)

    def move(self, case: int, to: int) -> None:
        w = self.problem.weights[case]
        frm = int(self.owner[case])
        if frm >= 0:
            self.totals[frm] -= w
        if to >= 0:
            self.totals[to] += w
        self.owner[case] = to
        if frm >= 0:
            self.counts[frm] -= 1
        if to >= 0:
            self.counts[to] += 1
        self.log.append((case, frm))

    def checkpoint(self) -> int:
        return len(self.log)

    def rollback(self, mark: int) -> None:
        """Undo every move since ``checkpoint()`` returned ``mark``."""
        while len(self.log) > mark:
            case, frm = self.log.pop()
            self.move(case, frm)
            self.log.pop()

    def peak_tenths(self) -> int:
        active = self.problem.active
        if not active.any():
            return -1
        return int(capacity_tenths(self.totals[active], self.problem.available[active]).max())


def _continuity_gain(problem: Problem, case: int | np.ndarray, frm: int | np.ndarray,
                     to: int | np.ndarray) -> int | np.ndarray:
    previous = problem.previous[case]
    return (previous == to).astype(np.int64) - (previous == frm).astype(np.int64)


# --- 1. The peak ------------------------------------------------------------------------------------------


def lower_peak(state: State, deadline: float, floor_tenths: int = -1) -> None:
    """Lower the one-decimal peak a tenth at a time while every practitioner at it can be relieved, and
    not below ``floor_tenths`` (the LP bound, rounded: no allocation of these cases goes lower)."""
    problem = state.problem
    active = problem.active
    while time.monotonic() < deadline:
        peak = state.peak_tenths()
        if peak <= floor_tenths or peak < 0:
            return
        limits = problem.limits_at(peak - 1)
        violators = np.flatnonzero(active & (state.totals > limits))
        if (problem.points[violators] > limits[violators]).any():
            return  # someone is at the peak before the batch: it cannot go lower
        # Cheap steps first for everyone, then pair steps, then ejection chains for who is left: a
        # practitioner who cannot be relieved yet may be after the others' moves. Longer chains only when a
        # few are left (they are too slow to try on many, and many left means this peak is out of reach).
        # If that fails, cases are first spread down to practitioners with room (those the grade matrix
        # limits are often left with it), and the rounds are tried once more.
        if not _relieve_all(state, violators, limits, deadline):
            _spread(state, limits, deadline)
            violators = np.flatnonzero(active & (state.totals > limits))
            if not _relieve_all(state, violators, limits, deadline):
                return


def _relieve_all(state: State, violators: np.ndarray, limits: np.ndarray, deadline: float) -> bool:
    order = violators[np.argsort(-(state.totals[violators] - limits[violators]), kind="stable")]
    stuck = [int(v) for v in order]
    for stage in STAGES:
        if stage.most is not None and len(stuck) > stage.most:
            break
        while stuck:
            still = [v for v in stuck if not _relieve(state, v, limits, deadline, stage.depth, pairs=stage.pairs)]
            if len(still) == len(stuck):
                break
            stuck = still
        if not stuck:
            return True
    return not stuck


def _spread(state: State, limits: np.ndarray, deadline: float) -> None:
    """Load balancing towards practitioners with room under ``limits``, lowest capacity first: each pulls
    cases it may hold from whoever is highest, while the move leaves it lower than the giver was."""
    problem, owner, weights, available = state.problem, state.owner, state.problem.weights, state.problem.available
    room = limits - state.totals
    takers = np.flatnonzero(problem.active & (room > 0))
    for u in takers[np.argsort(state.totals[takers] / available[takers], kind="stable")]:
        while time.monotonic() < deadline:
            room_u = limits[u] - state.totals[u]
            cases = np.flatnonzero(state.usable_by[u] & (owner >= 0) & (owner != u) & (weights > 0)
                                   & (weights <= room_u) & ~state.pinned)
            if cases.size == 0:
                break
            givers = owner[cases]
            before = state.totals[givers] / available[givers]
            after_u = (state.totals[u] + weights[cases]) / available[u]
            ok = after_u < before
            if not ok.any():
                break
            cases, before = cases[ok], before[ok]
            pick = np.lexsort((cases, -weights[cases], -before))[0]
            state.move(int(cases[pick]), int(u))


def _relieve(state: State, v: int, limits: np.ndarray, deadline: float, depth: int = 2,
             blocked: np.ndarray | None = None, *, pairs: bool = True, partners: int = 60) -> bool:
    """Bring practitioner ``v`` to ``limits[v]`` points or under; False (with every step kept that helped)
    when no way is found.

    A direct step moves one of ``v``'s cases to someone with room for it, or swaps it for a smaller case
    of someone with room for the difference. When there is none, an ejection chain: a step that clears
    ``v`` but puts its receiver over their limit, then the receiver relieved the same way (``depth``
    levels, never handing a case back up the chain); undone if the receiver cannot be relieved. Between
    the two (``pairs``), a pair step: all of ``v``'s and one other practitioner's batch cases shared
    between the two afresh, the best split found by trying every one.
    """
    problem = state.problem
    blocked = np.zeros(len(problem.practitioners), dtype=bool) if blocked is None else blocked
    while state.totals[v] > limits[v]:
        if time.monotonic() > deadline:
            return False
        excess = int(state.totals[v] - limits[v])
        room = limits - state.totals
        room[v] = -1
        room[blocked | ~problem.active] = -1
        step = _direct_step(state, v, excess, room)
        if step is not None:
            _apply(state, v, *step)
            continue
        if pairs and _pair_step(state, v, limits, room, partners):
            continue
        if depth == 0:
            return False
        below = blocked.copy()
        below[v] = True
        for j, k, other in _chain_steps(state, v, excess, limits, below, {3: 12, 2: 6}.get(depth, 3)):
            mark = state.checkpoint()
            _apply(state, v, j, k, other)
            if _relieve(state, k, limits, deadline, depth - 1, below, pairs=False):
                break
            state.rollback(mark)
        else:
            return False
    return True


def _apply(state: State, v: int, j: int, k: int, other: int) -> None:
    state.move(j, k)
    if other >= 0:
        state.move(other, v)


def _direct_step(state: State, v: int, excess: int, room: np.ndarray) -> tuple[int, int, int] | None:
    """The best move or swap off ``v`` whose receiver stays within ``room``: ``(case, to, case back or -1)``."""
    problem, owner, weights = state.problem, state.owner, state.problem.weights
    best: tuple | None = None
    held = np.flatnonzero((owner >= 0) & (owner != v) & state.usable_by[v] & ~state.pinned)  # v could take these
    held_owner = owner[held]
    for j in np.flatnonzero((owner == v) & ~state.pinned & (weights > 0)):
        w = int(weights[j])
        # Move j to someone with room for it.
        takers = np.flatnonzero(state.usable_by[:, j] & (room >= w))
        if takers.size:
            fit = room[takers] - w
            gain = _continuity_gain(problem, j, v, takers)
            pick = np.lexsort((takers, fit, -gain))[0]
            key = _key(w, excess, int(gain[pick]), int(fit[pick]))
            if best is None or key < best[0]:
                best = (key, int(j), int(takers[pick]), -1)
        # Swap j for a smaller case of someone who has room for the difference.
        smaller = weights[held] < w
        if not smaller.any():
            continue
        others, ks = held[smaller], held_owner[smaller]
        delta = w - weights[others]
        ok = problem.usable[j, ks] & (room[ks] >= delta)
        if not ok.any():
            continue
        others, ks, delta = others[ok], ks[ok], delta[ok]
        gain = _continuity_gain(problem, j, v, ks) + _continuity_gain(problem, others, ks, v)
        full = delta >= excess
        fit = room[ks] - delta
        pick = np.lexsort((others, fit, np.where(full, delta, -delta), -gain, ~full))[0]
        key = _key(int(delta[pick]), excess, int(gain[pick]), int(fit[pick]))
        if best is None or key < best[0]:
            best = (key, int(j), int(ks[pick]), int(others[pick]))
    return None if best is None else best[1:]


#: A pair step tries every split of at most this many cases (4,096 splits).
PAIR_MAX_CASES = 12
_SPLITS: dict[int, np.ndarray] = {}


def _splits(n: int) -> np.ndarray:
    """[2^n, n] every way to split n cases between two practitioners (1: the first one)."""
    if n not in _SPLITS:
        _SPLITS[n] = ((np.arange(2 ** n)[:, None] >> np.arange(n)) & 1).astype(bool)
    return _SPLITS[n]


def _pair_step(state: State, v: int, limits: np.ndarray, room: np.ndarray, count: int) -> bool:
    """Share ``v``'s and a partner's unpinned batch cases afresh so that both are within their limits;
    partners with the most room first. Among the splits that work, the one keeping the most cases with
    their previous practitioner, then moving the fewest. True if a step was taken."""
    problem, owner, weights = state.problem, state.owner, state.problem.weights
    excess = int(state.totals[v] - limits[v])
    mine = np.flatnonzero((owner == v) & ~state.pinned & (weights > 0))
    if mine.size == 0:
        return False
    # A partner must be able to take one of v's cases and have room for the excess.
    partners = np.flatnonzero((room >= excess) & state.usable_by[:, mine].any(axis=1))
    partners = partners[np.argsort(-room[partners], kind="stable")][:count]
    # With many cases, only the smallest take part (the others stay where they are).
    mine = mine[np.argsort(weights[mine], kind="stable")][: PAIR_MAX_CASES * 2 // 3]
    base_v = int(state.totals[v] - weights[mine].sum())
    for k in partners:
        theirs = np.flatnonzero((owner == k) & ~state.pinned & (weights > 0))
        theirs = theirs[np.argsort(weights[theirs], kind="stable")][: PAIR_MAX_CASES - mine.size]
        pool = np.concatenate([mine, theirs])
        split = _splits(pool.size)
        w = weights[pool]
        to_v = split @ w
        total = int(w.sum())
        base_k = int(state.totals[k] - weights[theirs].sum())
        fits = (base_v + to_v <= limits[v]) & (base_k + total - to_v <= limits[k])
        allowed = np.where(split, state.usable_by[v, pool] | (owner[pool] == v),
                           state.usable_by[k, pool] | (owner[pool] == k)).all(axis=1)
        ok = np.flatnonzero(fits & allowed)
        if ok.size == 0:
            continue
        chosen = split[ok]
        where = np.where(chosen, v, k)
        kept = (where == problem.previous[pool]).sum(axis=1)
        moved = (where != owner[pool]).sum(axis=1)
        best = chosen[np.lexsort((moved, -kept))[0]]
        for case, goes_to_v in zip(pool, best, strict=True):
            target = v if goes_to_v else int(k)
            if owner[case] != target:
                state.move(int(case), target)
        return True
    return False


def _chain_steps(state: State, v: int, excess: int, limits: np.ndarray, blocked: np.ndarray,
                 count: int) -> list[tuple[int, int, int]]:
    """Up to ``count`` steps that clear ``v`` but overload their receiver, least overload first."""
    problem, owner, weights = state.problem, state.owner, state.problem.weights
    room = limits - state.totals
    # A receiver must be able to get back within its limit by giving batch cases away.
    open_to = problem.active & ~blocked & (problem.points <= limits)
    found: list[tuple[int, int, int, int, int]] = []
    held = np.flatnonzero((owner >= 0) & ~blocked[np.maximum(owner, 0)] & state.usable_by[v] & ~state.pinned)
    held_owner = owner[held]
    for j in np.flatnonzero((owner == v) & ~state.pinned & (weights > 0)):
        w = int(weights[j])
        if w >= excess:
            takers = np.flatnonzero(state.usable_by[:, j] & open_to)
            over = w - room[takers]
            gain = _continuity_gain(problem, j, v, takers)
            found += [(int(o), -int(g), int(j), int(k), -1) for o, g, k in zip(over, gain, takers, strict=True)]
        others, ks = held, held_owner
        delta = w - weights[others]
        ok = (delta >= excess) & problem.usable[j, ks] & open_to[ks]
        others, ks, delta = others[ok], ks[ok], delta[ok]
        over = delta - room[ks]
        gain = _continuity_gain(problem, j, v, ks) + _continuity_gain(problem, others, ks, v)
        found += [(int(o), -int(g), int(j), int(k), int(x)) for o, g, k, x in zip(over, gain, ks, others, strict=True)]
    found.sort()
    return [(j, k, other) for _, _, j, k, other in found[:count]]


def _key(delta: int, excess: int, gain: int, fit: int) -> tuple[int, int, int, int]:
    """Best first: a step that clears the excess, then continuity kept, then the smallest sufficient (or the
    largest insufficient) change, then the tightest fit for the receiver."""
    full = delta >= excess
    return (0 if full else 1, -gain, delta if full else -delta, fit)


# --- 2. Cases left over -----------------------------------------------------------------------------------


def insert_unallocated(state: State) -> bool:
    """Give every unallocated case that fits to the eligible practitioner it leaves lowest (smallest
    cases first, so the most cases fit); True if any was given. Afterwards no unallocated case fits
    anyone: rooms only shrink during the pass, so a case that did not fit at its turn never will."""
    problem = state.problem
    weights, limit = problem.weights, problem.limit
    waiting = np.flatnonzero(state.owner == UNALLOCATED)
    changed = False
    for j in waiting[np.argsort(weights[waiting], kind="stable")]:
        w = weights[j]
        candidates = np.flatnonzero(problem.usable[j] & (state.totals + w <= limit))
        if candidates.size == 0:
            continue
        state.move(int(j), choose(problem, int(j), candidates, state.totals, state.counts))
        changed = True
    return changed


def insert_making_room(state: State, deadline: float, tries: int = 3) -> bool:
    """Fit more cases by making room: give an unallocated case (smallest first) to one of the ``tries``
    eligible practitioners it overloads least, then relieve them under the cap with the peak's steps
    (moves, swaps, pair steps, a short chain), never leaving a case unallocated; undone if that fails.
    True if any case was fitted."""
    problem = state.problem
    weights, limit = problem.weights, problem.limit
    waiting = np.flatnonzero(state.owner == UNALLOCATED)
    changed = False
    # A case that could not be fitted makes the same attempt for an equal or larger case with the same
    # practitioners pointless (in this pass): skip those.
    failed: dict[bytes, int] = {}
    for j in waiting[np.argsort(weights[waiting], kind="stable")]:
        if time.monotonic() > deadline:
            break
        key = problem.usable[j].tobytes()
        if key in failed and weights[j] >= failed[key]:
            continue
        candidates = np.flatnonzero(problem.usable[j])
        over = state.totals[candidates] + weights[j] - limit[candidates]
        for k in candidates[np.lexsort((candidates, over))][:tries]:
            mark = state.checkpoint()
            state.move(int(j), int(k))
            if state.totals[k] <= limit[k] or _relieve(state, int(k), limit, deadline, depth=1, partners=20):
                changed = True
                break
            state.rollback(mark)
        else:
            failed[key] = int(weights[j])
    return changed


# --- 3. Continuity ------------------------------------------------------------------------------------------


def keep_continuity(state: State, deadline: float) -> None:
    """Move cases to their previous practitioner where everyone stays at or under the current peak: directly,
    or making room there by moving or swapping away one of their other cases (never one that is with its
    own previous practitioner)."""
    problem = state.problem
    limits = problem.limits_at(state.peak_tenths())
    previous = problem.previous
    state.pinned = (state.owner >= 0) & (state.owner == previous)
    wanting = np.flatnonzero((state.owner >= 0) & (previous >= 0) & (state.owner != previous))
    for j in wanting[problem.usable[wanting, previous[wanting]]]:
        if time.monotonic() > deadline:
            break
        p = int(previous[j])
        mark = state.checkpoint()
        state.move(int(j), p)
        state.pinned[j] = True
        if state.totals[p] <= limits[p] or _relieve(state, p, limits, deadline, depth=1, partners=20):
            continue
        state.rollback(mark)
        state.pinned[j] = False
    state.pinned[:] = False


# --- 4. Over 100% -------------------------------------------------------------------------------------------


def fewer_over_capacity(state: State, deadline: float) -> None:
    """Bring practitioners the batch took over 100% back to it, where their cases can go elsewhere."""
    problem = state.problem
    limits = problem.limits_at(state.peak_tenths())
    line = np.asarray(points_limit(problem.available, OVER_CAPACITY_TENTHS), dtype=np.int64)
    weights, previous = problem.weights, problem.previous
    active = problem.active
    over = active & (state.totals > line)
    candidates = np.flatnonzero(over & (problem.points <= line))
    for v in candidates[np.argsort(state.totals[candidates] - line[candidates], kind="stable")]:
        if time.monotonic() > deadline:
            return
        v = int(v)
        need = int(state.totals[v] - line[v])
        movable = np.flatnonzero((state.owner == v) & (previous != v))
        movable = movable[np.argsort(-weights[movable], kind="stable")]
        done: list[tuple[int, int]] = []
        for j in movable:
            if need <= 0:
                break
            w = int(weights[j])
            is_over = active & (state.totals > line)
            room = np.where(is_over, limits, line) - state.totals
            room[v] = -1
            takers = np.flatnonzero(state.usable_by[:, j] & (room >= w) & active)
            if takers.size == 0:
                continue
            pick = np.lexsort((takers, room[takers] - w, ~is_over[takers], previous[j] != takers))[0]
            state.move(int(j), int(takers[pick]))
            done.append((int(j), v))
            need -= w
        if need > 0:
            for j, back in reversed(done):
                state.move(j, back)
