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
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connections


@dataclass
class RecomputeResult:
    """What a recompute wrote: rows created, open rows updated (a due date moved, no longer scheduled),
    rows closed by other work that answered them."""

    created: int = 0
    updated: int = 0
    closed: int = 0

    def __iadd__(self, other: RecomputeResult) -> RecomputeResult:
        self.created += other.created
        self.updated += other.updated
        self.closed += other.closed
        return self

    @property
    def written(self) -> int:
        return self.created + self.updated + self.closed


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


def recompute_batches(batches: list[list[int]], *, recompute: str, lookup: str, total: RecomputeResult,
                      trigger: str, by, today: dt.date, workers: int = 1) -> RecomputeResult:
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


class RecomputeCommand(BaseCommand):
    """``casework manage recompute_…  [--pdu CODE] [--workers N]``: a subclass names what it recomputes
    (``recompute_all``, the app's service) and how it words the result (``words``)."""

    what = ""  # "safeguard", "enforcement": the policy whose change the audit trigger names

    def add_arguments(self, parser):
        parser.add_argument("--pdu", help="only the cases of this PDU (its code)")
        parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                            help="processes sharing the work (default: one per core; 1 for none)")

    def recompute_all(self, *, trigger: str, pdu_id: int | None, workers: int) -> RecomputeResult:
        raise NotImplementedError

    def words(self, result: RecomputeResult) -> str:
        raise NotImplementedError

    def handle(self, *args, pdu: str | None = None, workers: int = 1, **options):
        from casework.organisation.models import Pdu

        pdu_id = None
        if pdu:
            found = Pdu.objects.filter(code=pdu).first()
            if found is None:
                raise CommandError(f"There is no PDU with the code {pdu}")
            pdu_id = found.pk
        started = time.monotonic()
        trigger = f"{pdu} policy changed" if pdu else f"{self.what} policy changed"
        result = self.recompute_all(trigger=trigger, pdu_id=pdu_id, workers=max(1, workers))
        self.stdout.write(f"{self.words(result)} ({time.monotonic() - started:.1f}s)")

