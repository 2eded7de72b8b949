"""Recomputing a stored, derived record for many cases at once: safeguard tasks (``casework.safeguards``)
and enforcement signals (``casework.enforcement``) both keep rows in step with a pure engine, and both
are recomputed for every case in the country after a policy change.

This is the one home of how that work is cut up and shared: the case ids in batches (one transaction
each), run in this process or shared among worker processes. Each app names its own batch function
(``recompute(case_ids=, trigger=, by=, today=, policies=)``, an audited service) and its policy lookup;
nothing here writes. Worker processes are forked, so they run only from a command: a process started
here cannot see what the caller has not committed.
"""

from __future__ import annotations

import datetime as dt
import importlib
import multiprocessing
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from django.contrib.auth import get_user_model
from django.db import connections


class Summable(Protocol):
    def __add__(self, other: Any) -> Any: ...


R = TypeVar("R", bound=Summable)


def case_id_batches(*, batch: int, pdu_id: int | None = None) -> list[list[int]]:
    """Every case id (of one PDU when ``pdu_id``), in order, cut into batches of ``batch``."""
    from casework.record.models import Case

    ids = Case.objects.order_by("pk")
    if pdu_id is not None:
        ids = ids.filter(pdu_id=pdu_id)
    found = list(ids.values_list("pk", flat=True))
    return [found[start:start + batch] for start in range(0, len(found), batch)]


def _function(path: str) -> Callable[..., Any]:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


_worker_lookups: dict[str, Any] = {}


def _run_batch(job: tuple[str, str, list[int], str, int | None, dt.date]) -> Any:
    """One batch in a worker process: the policies are looked up once per process."""
    recompute, lookup, case_ids, trigger, by_id, today = job
    if lookup not in _worker_lookups:
        _worker_lookups[lookup] = _function(lookup)()
    by = get_user_model().objects.get(pk=by_id) if by_id is not None else None
    return _function(recompute)(case_ids=case_ids, trigger=trigger, by=by, today=today,
                                policies=_worker_lookups[lookup])


def recompute_batches(batches: list[list[int]], *, recompute: str, lookup: str, total: R, trigger: str, by,
                      today: dt.date, workers: int = 1) -> R:
    """Run ``recompute`` (dotted path of the app's batch service) over ``batches`` with the policies from
    ``lookup`` (dotted path), adding each batch's result to ``total``; ``workers`` above 1 shares the
    batches among that many forked processes."""
    if workers > 1 and len(batches) > 1:
        connections.close_all()  # the children open connections of their own: none may inherit this one's
        jobs = [(recompute, lookup, ids, trigger, getattr(by, "pk", None), today) for ids in batches]
        with multiprocessing.get_context("fork").Pool(workers, initializer=connections.close_all) as pool:
            for result in pool.imap_unordered(_run_batch, jobs):
                total += result
        return total
    policies = _function(lookup)()
    run = _function(recompute)
    for ids in batches:
        total += run(case_ids=ids, trigger=trigger, by=by, today=today, policies=policies)
    return total
