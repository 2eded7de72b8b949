"""The one ordered list of stages that builds a world; ``casework demo`` and ``casework generate`` both run it.

``build(scale, writer)`` runs ``STAGES`` in order, in one transaction (statistics after it):

1. Reset: delete the loaded world (only when asked).
2. Organisation: provider, regions, PDUs, teams, staff, grants, reductions (``organisation``).
3. People: chunk by chunk, each person with sentences, risk, allocation, contacts, tier and
   safeguard tasks (``generator``, drawing through ``people``, ``sentences``, ``allocation``, ``risk``,
   ``contacts``, ``safeguards``).
4. Limited access: restrictions and exclusions, once everyone is allocated (``access``).
5. Workload: court reports, then weeks of workload snapshots drawn back from today's live workload
   (``workload``; written with ``bulk_create`` whichever the writer).
6. Sequences: each table's id sequence after the writer's own numbering.
7. Statistics: fresh planner statistics, after the commit.

Everything up to writing is decided by the ``Scale`` and the seed, so the world is the same
whichever writer writes it. Only the ``Writer`` differs: ``OrmWriter`` (``builder``, ``bulk_create``,
for the demo) or ``CopyWriter`` (``national``, ids from Python counters and ``COPY``/``executemany``,
for the national dataset), which may also generate in a second process while it writes.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import random
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from queue import Empty
from typing import Any, Protocol

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from casework.demo.generator import CHILD_MODELS, Chunk, LimitedAccess, PeopleGenerator, world_parts
from casework.demo.logins import DEMO_PASSWORD
from casework.demo.organisation import Organisation, plan_organisation
from casework.demo.scale import Scale
from casework.demo.world import delete_world, write_court_reports, write_organisation, write_snapshots
from casework.record.models import OffenceType, RegistrationType


class Writer(Protocol):
    """How a build reaches the database; everything it writes is decided before it gets it."""

    pipeline: bool  # generate the people in a second process while this one writes

    def before(self) -> None:
        """Before the build's transaction opens."""

    def begin(self) -> None:
        """First thing in the build's transaction."""

    def ready(self, now: dt.datetime) -> None:
        """After the organisation is written, before any person is generated."""

    def prepare_people(self, chunk: Chunk) -> Any:
        """A chunk of people made ready to write (where they are generated: perhaps another process)."""

    def write_people(self, prepared: Any) -> None: ...

    def prepare_access(self, access: LimitedAccess) -> Any: ...

    def write_access(self, prepared: Any) -> tuple[int, int]:
        """Writes the access rules; returns (cases restricted, cases with exclusions)."""

    def sequences(self) -> str:
        """Brings id sequences past the rows written; what it did, or "" for nothing to do."""

    def statistics(self) -> str:
        """After the commit: planner statistics; what it did, or "" for nothing."""


@dataclass
class BuildReport:
    """What was built and how long each stage took."""

    scale: Scale
    today: dt.date
    timings: list[tuple[str, float]] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    heavy_crn: str = ""


@dataclass
class Prepared:
    """One part of the world, generated and prepared by the writer, with what the log reports of it."""

    access: bool
    payload: Any
    counts: Counter
    seconds: float  # generating and preparing it
    heavy_crn: str = ""
    waited: float = 0.0  # seconds the writer waited for it


@dataclass
class Build:
    """One run of the stages: what they share."""

    scale: Scale
    writer: Writer
    now: dt.datetime
    reset: bool
    progress: bool
    report: BuildReport
    rng: random.Random
    org: Organisation | None = None
    access: Prepared | None = None


@dataclass(frozen=True)
class Stage:
    name: str
    run: Callable[[Build], str]  # returns what it did, for the log ("" when it had nothing to do)
    after_commit: bool = False


def _reset(build: Build) -> str:
    if not build.reset:
        return ""
    delete_world()
    return "deleted the previous world"


def _organisation(build: Build) -> str:
    password_hash = make_password(DEMO_PASSWORD)  # hashed once: Argon2 per account would take minutes
    org = build.org = plan_organisation(build.scale, build.rng, build.report.today, password_hash)
    write_organisation(org, build.scale.batch_size)
    return (f"{len(org.regions)} region(s), {len(org.pdus)} PDUs, {len(org.teams)} teams, "
            f"{len(org.staff):,} staff with accounts")


def _people(build: Build) -> str:
    scale, writer = build.scale, build.writer
    writer.ready(build.now)
    people = PeopleGenerator(scale, build.rng, build.org, build.now,
                             {o.code: o for o in OffenceType.objects.all()},
                             {r.code: r for r in RegistrationType.objects.all()})
    prepared = _prepared(writer, world_parts(people))
    parts = in_a_second_process(prepared) if writer.pipeline else prepared
    generating = waited = writing = 0.0
    with tqdm(total=scale.people, desc="People", unit="people", disable=not build.progress) as bar:
        for part in parts:
            generating += part.seconds
            waited += part.waited
            if part.access:
                build.access = part
                break
            started = time.monotonic()
            writer.write_people(part.payload)
            writing += time.monotonic() - started
            build.report.counts.update(part.counts)
            bar.update(part.counts["people"])
            bar.set_postfix(contacts=f"{build.report.counts['contacts']:,}")
    counts = build.report.counts
    where = (f"in a second process; the writer waited {waited:.0f}s for it" if writer.pipeline
             else "in this process")
    return (f"{counts['people']:,} people, {counts['contacts']:,} contacts, tiers for each "
            f"(generating {generating:.0f}s {where}; writing {writing:.0f}s)")


def _limited_access(build: Build) -> str:
    assert build.access is not None, "the people stage ends with limited access"
    build.report.heavy_crn = build.access.heavy_crn
    restricted, excluded = build.writer.write_access(build.access.payload)
    return f"{restricted} restricted, {excluded} with exclusions"


def _workload(build: Build) -> str:
    from casework.demo.workload import build_workload

    assert build.org is not None, "the organisation stage comes first"
    batch = build.scale.batch_size
    plan = build_workload(build.org, seed=build.scale.seed, today=build.report.today, now=build.now,
                          write_reports=lambda rows: write_court_reports(rows, batch),
                          write_snapshots=lambda rows: write_snapshots(rows, batch))
    return (f"{len(plan.reports):,} court reports, {len(plan.snapshots):,} weekly workload snapshots "
            f"({plan.sustained:,} practitioners sustained over 110%)")


def _recalls(build: Build) -> str:
    from casework.demo.recalls import build_recalls

    count = build_recalls(today=build.report.today, now=build.now, seed=build.scale.seed)
    return f"{count:,} recalls at every step" if count else ""


def _sequences(build: Build) -> str:
    return build.writer.sequences()


def _statistics(build: Build) -> str:
    return build.writer.statistics()


STAGES: tuple[Stage, ...] = (
    Stage("Reset", _reset),
    Stage("Organisation", _organisation),
    Stage("People", _people),
    Stage("Limited access", _limited_access),
    Stage("Workload", _workload),
    Stage("Sequences", _sequences),
    Stage("Recalls", _recalls),
    Stage("Statistics", _statistics, after_commit=True),
)


def build(scale: Scale, writer: Writer, *, now: dt.datetime | None = None, reset: bool = False,
          log: Callable[[str], None] = lambda line: None, progress: bool = False) -> BuildReport:
    """Run ``STAGES`` for ``scale`` with ``writer``: the same world from the same seed, whatever the writer."""
    now = now or timezone.now()
    report = BuildReport(scale=scale, today=timezone.localdate(now))
    run = Build(scale=scale, writer=writer, now=now, reset=reset, progress=progress, report=report,
                rng=random.Random(scale.seed))
    clock = time.monotonic()

    def stage(step: Stage) -> None:
        nonlocal clock
        detail = step.run(run)
        elapsed, clock = time.monotonic() - clock, time.monotonic()
        if detail:
            report.timings.append((step.name, elapsed))
            log(f"  {step.name:<16} {detail} ({elapsed:.1f}s)")

    writer.before()
    with transaction.atomic():
        writer.begin()
        for step in STAGES:
            if not step.after_commit:
                stage(step)
    for step in STAGES:
        if step.after_commit:
            stage(step)
    return report


# --- Generating ------------------------------------------------------------------------------------


def _prepared(writer: Writer, parts: Iterator[Chunk | LimitedAccess]) -> Iterator[Prepared]:
    """Each part as the writer wants it, with its counts; runs wherever the people are generated."""
    started = time.monotonic()
    for part in parts:
        if isinstance(part, LimitedAccess):
            payload = writer.prepare_access(part)
            heavy = part.heavy_case.crn if part.heavy_case else ""
            yield Prepared(True, payload, Counter(), time.monotonic() - started, heavy_crn=heavy)
        else:
            counts = Counter({"people": len(part.cases), "contacts": len(part.contacts),
                              **{name: len(getattr(part, name)) for _, name in CHILD_MODELS}})
            yield Prepared(False, writer.prepare_people(part), counts, time.monotonic() - started)
        started = time.monotonic()


QUEUE_DEPTH = 3  # parts in flight: enough to keep the writer busy, bounded memory


def in_a_second_process(parts: Iterator[Prepared]) -> Iterator[Prepared]:
    """``parts``, generated in a forked child while this process writes the previous one.

    The generator is one seeded random stream whose choices depend on what came before (caseloads
    fill up as people are allocated), so it cannot be split across processes without changing the
    world. What can run in parallel is generating and writing. The child inherits everything it
    needs at the fork (the organisation with its ids, the reference data, the writer's numbering)
    and never touches this process's database connection.
    """
    context = multiprocessing.get_context("fork")
    queue = context.Queue(maxsize=QUEUE_DEPTH)
    child = context.Process(target=_generate, args=(parts, queue), name="casework-generate", daemon=True)
    child.start()
    try:
        while True:
            started = time.monotonic()
            while True:
                try:
                    message = queue.get(timeout=5)
                    break
                except Empty:
                    if not child.is_alive():
                        raise RuntimeError(f"the generating process stopped (exit code {child.exitcode})") from None
            if isinstance(message, str):
                raise RuntimeError(f"generating the people failed in the generating process:\n{message}")
            message.waited = time.monotonic() - started
            yield message
            if message.access:
                break
        child.join(timeout=60)
    finally:
        if child.is_alive():
            child.terminate()
            child.join(timeout=10)


def _generate(parts: Iterator[Prepared], queue) -> None:  # pragma: no cover - runs in the forked child
    try:
        for part in parts:
            queue.put(part)
    except BaseException:
        queue.put(traceback.format_exc())
    queue.close()
    queue.join_thread()
