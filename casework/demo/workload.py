"""Court reports and weeks of workload history for the generated worlds (rules.md §2), once the caseloads exist.

The stage after the people (``casework.demo.stages``): it plans court reports for every practitioner
in post, writes them, reads every practitioner's live workload with the same selector the pages use
(``casework.workforce.workload.practitioner_workloads``, in batches) and plans weekly snapshots:
this week's is the live figure, exactly what ``casework snapshot-workload`` would write; the
``HISTORY_WEEKS`` weeks before it are drawn back from it. Rows are written in bulk by
``casework.demo.world.write_workload``. It uses its own seeded stream, so the rest of the world is
the same with or without it.

The mix:

- Court reports being written: a PO has 0–3 (mostly standard reports), a PQiP 0–1, a PSO 0–2 (mostly
  fast reports), requested in the last 3 weeks and due 15 working days (standard) or 5 (fast) after
  the request; and 0–4 completed in the last 16 weeks.
- History: each week's capacity is a random walk back from today's (a few points a week). Of those
  over 110% today, about two in three have been over 110% for 4 to 15 weeks (sustained) and the rest
  went over in the last 1 to 3 weeks. Available points each week follow the reductions active on that
  week's Monday, so a practitioner back from leave shows "no capacity" for the weeks they were away.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from casework.demo.organisation import Organisation, StaffPlan
from casework.rules import calendar
from casework.rules import workload as engine
from casework.workforce.models import CourtReport, CourtReportKind, Reduction, WorkloadSnapshot
from casework.workforce.workload import (
    PRACTITIONER_GRADES,
    PractitionerWorkload,
    points_table_in_force,
    practitioner_workloads,
    week_start,
)

#: Weeks of snapshots before this week's.
HISTORY_WEEKS = 15
STANDARD_WORKING_DAYS, FAST_WORKING_DAYS = 15, 5
#: Practitioners read at once for today's figures (a bounded IN list on both databases).
READ_BATCH = 500
SEED_OFFSET = 1302  # issue 13, item 2: a stream of its own

# How many reports being written, by grade: (count, weight); and the share of them that are standard.
_OPEN = {"PO": ((0, 35), (1, 35), (2, 20), (3, 10)), "PQIP": ((0, 60), (1, 40)), "PSO": ((0, 50), (1, 35), (2, 15))}
_STANDARD_SHARE = {"PO": 0.75, "PQIP": 0.5, "PSO": 0.15}


@dataclass
class WorkloadPlan:
    reports: list[CourtReport]
    snapshots: list[WorkloadSnapshot]
    sustained: int


def _pick(rng: random.Random, weighted: tuple[tuple[int, int], ...]) -> int:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def _in_post(plan: StaffPlan, today: dt.date) -> bool:
    staff = plan.staff
    return (staff.grade in PRACTITIONER_GRADES and staff.started_in_post <= today
            and (staff.ended is None or staff.ended >= today))


def _courts(org: Organisation, plan: StaffPlan) -> tuple[str, str]:
    place = org.pdu_places.get(plan.team.pdu.code) if plan.team is not None else None
    town = place.towns[0].name if place is not None else "Sheffield"
    crown = (place.crown_court if place is not None else "") or f"{town} Crown Court"
    return f"{town} Magistrates' Court", crown


def _report(plan: StaffPlan, kind: str, court: str, requested: dt.date, completed: dt.date | None,
            now: dt.datetime) -> CourtReport:
    days = STANDARD_WORKING_DAYS if kind == CourtReportKind.STANDARD else FAST_WORKING_DAYS
    return CourtReport(staff=plan.staff, kind=kind, court=court, requested_on=requested,
                       due_on=calendar.add_working_days(requested, days), completed_on=completed,
                       created_at=min(now, timezone.make_aware(dt.datetime.combine(requested, dt.time(10)))))


def _kind(rng: random.Random, standard_share: float) -> str:
    return CourtReportKind.STANDARD if rng.random() < standard_share else CourtReportKind.FAST


def plan_court_reports(org: Organisation, rng: random.Random, today: dt.date, now: dt.datetime) -> list[CourtReport]:
    """Unsaved court reports for every practitioner in post (module docstring)."""
    out = []
    for plan in org.staff:
        if not _in_post(plan, today):
            continue
        grade = plan.staff.grade
        magistrates, crown = _courts(org, plan)
        started = plan.staff.started_in_post

        share = _STANDARD_SHARE[grade]
        for _ in range(_pick(rng, _OPEN[grade])):
            chosen = _kind(rng, share)
            requested = max(started, today - dt.timedelta(days=rng.randint(0, 20)))
            court = crown if chosen == CourtReportKind.STANDARD and rng.random() < 0.3 else magistrates
            out.append(_report(plan, chosen, court, requested, None, now))
        for _ in range(rng.randint(0, 4)):
            chosen = _kind(rng, share)
            requested = today - dt.timedelta(days=rng.randint(8, 16 * 7))
            if requested < started:
                continue
            took = rng.randint(1, STANDARD_WORKING_DAYS if chosen == CourtReportKind.STANDARD else FAST_WORKING_DAYS)
            completed = min(calendar.add_working_days(requested, took), today - dt.timedelta(days=1))
            out.append(_report(plan, chosen, magistrates, requested, max(completed, requested), now))
    return out


def _hours_on(reductions: list[Reduction], contracted: Decimal, day: dt.date) -> Decimal:
    active = [engine.Reduction(hours=r.hours) for r in reductions
              if r.start <= day and (r.end is None or r.end >= day)]
    return engine.reduction_hours(contracted, active)


def _history(rng: random.Random, current: Decimal, weeks: int) -> tuple[list[Decimal], bool]:
    """Capacity for each of the ``weeks`` weeks before this one, latest first, and whether the run over
    110% it makes with today's is sustained by design."""
    excessive = engine.is_excessive(current)
    sustained = excessive and rng.random() < 2 / 3
    over = rng.randint(3, weeks) if sustained else rng.randint(0, 2) if excessive else 0
    drift = Decimal(rng.uniform(-2.5, 2.5))
    values, value = [], current
    for week in range(1, weeks + 1):
        value = value - drift + Decimal(rng.gauss(0, 3))
        if week <= over:
            value = max(value, Decimal(111) + Decimal(rng.uniform(0, 6)))
        elif week == over + 1 and excessive:
            value = min(value, Decimal(110) - Decimal(rng.uniform(0, 8)))
        value = max(value, Decimal(5))
        values.append(value)
    return values, sustained


def plan_snapshots(org: Organisation, live: dict[int, PractitionerWorkload], rng: random.Random, today: dt.date,
                   now: dt.datetime, weeks: int = HISTORY_WEEKS) -> tuple[list[WorkloadSnapshot], int]:
    """This week's snapshot (``live``) and ``weeks`` weeks of history before it for every practitioner in
    ``live``; and how many are sustained over 110%."""
    reductions: dict[int, list[Reduction]] = defaultdict(list)
    for reduction in org.reductions:
        reductions[reduction.staff.pk].append(reduction)
    this_week = week_start(today)
    out, sustained = [], 0
    for plan in org.staff:
        staff = plan.staff
        figures = live.get(staff.pk)
        if figures is None:
            continue
        out.append(WorkloadSnapshot(staff=staff, week_start=this_week, points=figures.points,
                                    available_points=figures.available_points,
                                    capacity_percent=figures.capacity_percent, taken_at=now))
        current = figures.capacity_percent
        if current is None:  # on leave today: their workload before it, at a full-time reading of their points
            current = engine.capacity_percent(figures.points, engine.available_points(staff.contracted_hours)) \
                or Decimal(0)
        values, by_design = _history(rng, current, weeks)
        sustained += by_design
        for back, value in enumerate(values, start=1):
            monday = this_week - dt.timedelta(weeks=back)
            if monday + dt.timedelta(days=6) < staff.started_in_post:
                break
            available = engine.available_points(staff.contracted_hours,
                                                _hours_on(reductions[staff.pk], staff.contracted_hours, monday))
            full = engine.available_points(staff.contracted_hours)
            points = max(0, round(value * (available or full) / 100))
            taken = timezone.make_aware(dt.datetime.combine(monday, dt.time(7)))
            out.append(WorkloadSnapshot(staff=staff, week_start=monday, points=points, available_points=available,
                                        capacity_percent=engine.capacity_percent(points, available), taken_at=taken))
    return out, sustained


def live_workloads(staff_ids: Iterable[int], today: dt.date) -> dict[int, PractitionerWorkload]:
    """Today's workload of each practitioner, read in batches with the pages' selector."""
    ids = list(staff_ids)
    table = points_table_in_force()
    answer: dict[int, PractitionerWorkload] = {}
    for start in range(0, len(ids), READ_BATCH):
        answer.update(practitioner_workloads(ids[start:start + READ_BATCH], as_of=today, table=table))
    return answer


def build_workload(org: Organisation, *, seed: int, today: dt.date, now: dt.datetime,
                   write_reports: Callable[[list[CourtReport]], None],
                   write_snapshots: Callable[[list[WorkloadSnapshot]], None]) -> WorkloadPlan:
    """Plan and write the court reports, then read today's workloads and plan and write the snapshots."""
    rng = random.Random(seed + SEED_OFFSET)
    reports = plan_court_reports(org, rng, today, now)
    write_reports(reports)
    live = live_workloads([plan.staff.pk for plan in org.staff if _in_post(plan, today)], today)
    snapshots, sustained = plan_snapshots(org, live, rng, today, now)
    write_snapshots(snapshots)
    return WorkloadPlan(reports=reports, snapshots=snapshots, sustained=sustained)
