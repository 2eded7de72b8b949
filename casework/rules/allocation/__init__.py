"""Batch allocation (rules.md §3, issue 13): the ``allocate`` contract and the Python API behind it.

Pure Python plus numpy and HiGHS (``highspy``); no Django. The model, the algorithm and every reading
of the contract are in README.md beside this file.

- ``contract``: ``AllocateRequest`` / ``AllocateResponse`` (pydantic), ``allocate`` (the proposal),
  ``greedy`` (largest-first, the baseline), ``lower_bound`` (the LP bound on the peak), ``check`` (what
  is wrong with an edited allocation) and ``handle`` (the JSON contract).
- ``problem``: the request as arrays, the exact capacity arithmetic and the objective (``score``).
- ``greedy``, ``search``, ``solver``, ``engine``: the largest-first greedy, the local search, HiGHS
  (LP bound and exact MILP), and the proposal that runs them.
"""

from casework.rules.allocation.contract import (
    DEFAULT_TIME_LIMIT,
    RULES_VERSION,
    AllocateAssignment,
    AllocateCase,
    AllocatePractitioner,
    AllocatePractitionerResult,
    AllocateRequest,
    AllocateResponse,
    AllocateUnallocated,
    UnallocatedReason,
    allocate,
    check,
    greedy,
    handle,
    lower_bound,
    respond,
    to_problem,
)

__all__ = [
    "DEFAULT_TIME_LIMIT",
    "RULES_VERSION",
    "AllocateAssignment",
    "AllocateCase",
    "AllocatePractitioner",
    "AllocatePractitionerResult",
    "AllocateRequest",
    "AllocateResponse",
    "AllocateUnallocated",
    "UnallocatedReason",
    "allocate",
    "check",
    "greedy",
    "handle",
    "lower_bound",
    "respond",
    "to_problem",
]
