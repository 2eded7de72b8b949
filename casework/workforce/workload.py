"""Each practitioner's workload, live from their cases, court reports and reductions (rules.md §2).

The arithmetic is the pure engine's (``casework.rules.workload``); this module reads what it needs in
a fixed number of queries, whatever the number of practitioners or cases: the cases are counted in
the database grouped by case manager, tier, case type and 18–24 age band, so a PDU of 100
practitioners holding 4,000 cases costs the same six queries as one practitioner with one case.

How a case is priced — the one place this is decided (``case_type_of``, ``is_age_18_to_24`` and the
SQL expressions built from them, used by ``practitioner_workloads`` and ``cases_points`` alike):

- Only cases currently supervised (``Case.Status.CURRENT``) held as case manager count.
- The case type is that of the case's latest current sentence (not ended; latest sentence date,
  then the latest recorded): in custody (pre-release) → custody; in the community (community order,
  suspended sentence order) → community; on licence or post-sentence supervision → licence. A case
  with no current sentence has no case type: it is counted among the cases held and scores 0.
- 18–24 means aged 18 to 24 on the day the workload is read (18th birthday reached, 25th not yet; a
  29 February birthday falls on 1 March in other years): then the 18–24 row prices the case.
- An untiered case (empty tier) and an unsupervised (``S``) tier score 0; so does a tier the engine
  does not recognise (the tiering service never stores one).
- A court report counts from the day it was requested until the day it is completed (that day it no
  longer counts).
- Reductions active on the day take hours off contracted hours (``selectors.active_reduction_hours``).
- Cases allocated in the last 7 days: distinct cases whose assignment to the practitioner started in
  the 7 days ending on the day read (that day and the 6 before it), whatever the reason.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BooleanField, Case, Count, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from casework.record.choices import SentenceStatus
from casework.record.models import Assignment, Sentence
from casework.record.models import Case as CaseRecord
from casework.rules import workload
from casework.rules.calendar import years_before
from casework.rules.workload import CaseType, PointsTable
from casework.workforce.models import CourtReport, CourtReportKind, Grade, Staff, WorkloadSnapshot
from casework.workforce.selectors import active_reduction_hours

#: Grades that hold a caseload of their own and appear on workload pages (an SPO manages the team).
PRACTITIONER_GRADES: tuple[str, ...] = (Grade.PO, Grade.PQIP, Grade.PSO)

#: Where the latest current sentence is → the case type that prices the case (rules.md §2.1).
CASE_TYPE_BY_SENTENCE_STATUS: dict[str, CaseType] = {
    SentenceStatus.PRE_RELEASE: CaseType.CUSTODY,
    SentenceStatus.COMMUNITY: CaseType.COMMUNITY,
    SentenceStatus.LICENCE: CaseType.LICENCE,
    SentenceStatus.POST_SENTENCE_SUPERVISION: CaseType.LICENCE,
}

ALLOCATED_DAYS = 7


@dataclass(frozen=True)
class PractitionerWorkload:
    """One practitioner's workload on a day (rules.md §2)."""

    staff_id: int
    points: int
    available_points: int
    capacity_percent: Decimal | None  # None: no available points ("no capacity")
    case_count: int
    community_count: int
    custody_count: int
    licence_count: int
    allocated_last_7_days: int
    standard_reports: int
    fast_reports: int


# --- The derivation (one place) ----------------------------------------------------------------


def case_type_of(sentence_status: str | None) -> CaseType | None:
    """The case type of a case whose latest current sentence has ``sentence_status`` (None: no type)."""
    if sentence_status is None:
        return None
    return CASE_TYPE_BY_SENTENCE_STATUS.get(sentence_status)


def _age_band(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """Birth dates of people aged 18 to 24 on ``as_of``: after the first, up to and including the second."""
    return years_before(as_of, 25), years_before(as_of, 18)


def is_age_18_to_24(date_of_birth: dt.date, as_of: dt.date) -> bool:
    """Whether someone born on ``date_of_birth`` is aged 18 to 24 on ``as_of``."""
    after, up_to = _age_band(as_of)
    return after < date_of_birth <= up_to


def latest_current_sentence_status(case_field: str = "pk") -> Subquery:
    """SQL: the status of the case's latest current sentence (NULL when it has none)."""
    current = (Sentence.objects.filter(case_id=OuterRef(case_field)).exclude(status=SentenceStatus.ENDED)
               .order_by("-sentence_date", "-pk").values("status")[:1])
    return Subquery(current)


def aged_18_to_24(as_of: dt.date, field: str = "date_of_birth") -> Case:
    """SQL: whether the person is aged 18 to 24 on ``as_of`` (``is_age_18_to_24``)."""
    after, up_to = _age_band(as_of)
    return Case(When(Q(**{f"{field}__gt": after, f"{field}__lte": up_to}), then=Value(True)),
                default=Value(False), output_field=BooleanField())


def _tier(value: str | None) -> str | None:
    """The tier as the engine prices it: None when untiered or not a tier it knows."""
    if not value or not workload.TIER_PATTERN.match(value):
        return None
    return value


def price(tier: str | None, sentence_status: str | None, young: bool, table: PointsTable) -> int:
    """Points for one case from its stored tier, latest current sentence status and age band."""
    case_type = case_type_of(sentence_status)
    if case_type is None:
        return 0
    return workload.case_points(_tier(tier), case_type, young, table)


def points_table_in_force() -> PointsTable:
    """The points table administrators have set (the rules.md default until they change it); one query."""
    from casework.ruleset.selectors import points_table

    return points_table()[0]


# --- Reads --------------------------------------------------------------------------------------


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def practitioner_workloads(staff_ids: Iterable[int], *, as_of: dt.date,
                           table: PointsTable | None = None) -> dict[int, PractitionerWorkload]:
    """The workload of each member of staff in ``staff_ids`` on ``as_of``, by staff id.

    Six queries however many staff and cases (five with ``table`` given): staff, reductions, cases
    (grouped), assignments (grouped), court reports (grouped) and the points table in force. Ids with
    no staff record are left out. Cases are read as they are now: ``as_of`` dates the age bands,
    reductions, court reports and the 7-day window, not who held which case on that day.
    """
    ids = list(dict.fromkeys(staff_ids))
    if not ids:
        return {}
    table = table or points_table_in_force()
    contracted = dict(Staff.objects.filter(pk__in=ids).values_list("pk", "contracted_hours"))
    if not contracted:
        return {}
    ids = [i for i in ids if i in contracted]
    reduction = active_reduction_hours(ids, as_of)

    points: dict[int, int] = defaultdict(int)
    counts: dict[int, dict[CaseType | None, int]] = defaultdict(lambda: defaultdict(int))
    grouped = (CaseRecord.objects.filter(manager_id__in=ids, status=CaseRecord.Status.CURRENT)
               .annotate(sentence_status=latest_current_sentence_status(), young=aged_18_to_24(as_of))
               .values("manager_id", "tier", "sentence_status", "young").annotate(n=Count("pk")).order_by())
    for row in grouped:
        staff_id, n = row["manager_id"], row["n"]
        points[staff_id] += n * price(row["tier"], row["sentence_status"], bool(row["young"]), table)
        counts[staff_id][case_type_of(row["sentence_status"])] += n

    since, until = _day_start(as_of - dt.timedelta(days=ALLOCATED_DAYS - 1)), _day_start(as_of + dt.timedelta(days=1))
    allocated = dict(Assignment.objects.filter(staff_id__in=ids, start__gte=since, start__lt=until)
                     .values("staff_id").annotate(n=Count("case_id", distinct=True)).order_by()
                     .values_list("staff_id", "n"))

    reports: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    open_reports = (CourtReport.objects.filter(staff_id__in=ids, requested_on__lte=as_of)
                    .filter(Q(completed_on__isnull=True) | Q(completed_on__gt=as_of))
                    .values("staff_id", "kind").annotate(n=Count("pk")).order_by())
    for row in open_reports:
        reports[row["staff_id"]][row["kind"]] = row["n"]

    answer = {}
    for staff_id in ids:
        standard = reports[staff_id][CourtReportKind.STANDARD.value]
        fast = reports[staff_id][CourtReportKind.FAST.value]
        total = points[staff_id] + workload.court_report_points(standard, fast, table)
        available = workload.available_points(contracted[staff_id], reduction[staff_id])
        by_type = counts[staff_id]
        answer[staff_id] = PractitionerWorkload(
            staff_id=staff_id,
            points=total,
            available_points=available,
            capacity_percent=workload.capacity_percent(total, available),
            case_count=sum(by_type.values()),
            community_count=by_type[CaseType.COMMUNITY],
            custody_count=by_type[CaseType.CUSTODY],
            licence_count=by_type[CaseType.LICENCE],
            allocated_last_7_days=allocated.get(staff_id, 0),
            standard_reports=standard,
            fast_reports=fast,
        )
    return answer


@dataclass(frozen=True)
class CasePricing:
    """What prices one case: its case type (None: no current sentence), 18–24 or not, and its points."""

    case_type: CaseType | None
    age_18_to_24: bool
    points: int


def cases_pricing(case_ids: Iterable[int], *, as_of: dt.date | None = None,
                  table: PointsTable | None = None) -> dict[int, CasePricing]:
    """How each case in ``case_ids`` is priced on ``as_of`` (default today), in one query (two without
    ``table``). Uses the same derivation as ``practitioner_workloads``."""
    ids = list(dict.fromkeys(case_ids))
    if not ids:
        return {}
    as_of = as_of or timezone.localdate()
    table = table or points_table_in_force()
    rows = (CaseRecord.objects.filter(pk__in=ids)
            .annotate(sentence_status=latest_current_sentence_status(), young=aged_18_to_24(as_of))
            .values_list("pk", "tier", "sentence_status", "young"))
    return {pk: CasePricing(case_type_of(status), bool(young), price(tier, status, bool(young), table))
            for pk, tier, status, young in rows}


def cases_points(case_ids: Iterable[int], *, as_of: dt.date | None = None,
                 table: PointsTable | None = None) -> dict[int, int]:
    """The points each case in ``case_ids`` adds to whoever holds it (``cases_pricing``), by case id."""
    return {pk: p.points for pk, p in cases_pricing(case_ids, as_of=as_of, table=table).items()}


def case_points_for(case: CaseRecord, *, as_of: dt.date | None = None, table: PointsTable | None = None) -> int:
    """The points ``case`` adds to a practitioner's workload (for projected capacity on allocation)."""
    return cases_points([case.pk], as_of=as_of, table=table).get(case.pk, 0)


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week: the week a workload snapshot belongs to."""
    return day - dt.timedelta(days=day.weekday())


def active_practitioner_ids(as_of: dt.date) -> list[int]:
    """Every practitioner (PO, PQiP, PSO) in post on ``as_of``, by id."""
    return list(Staff.objects.filter(grade__in=PRACTITIONER_GRADES, started_in_post__lte=as_of)
                .filter(Q(ended__isnull=True) | Q(ended__gte=as_of)).order_by("pk").values_list("pk", flat=True))



# --- Weekly snapshots: history and "sustained" (rules.md §2.2) -------------------------------------

#: Weeks of snapshots read for a run of weeks over 110%: a run as long as this is shown as "at least".
RUN_WEEKS = 12


@dataclass(frozen=True)
class WeekReading:
    """One week's snapshot, or a week with none (``taken`` False: every figure None)."""

    week_start: dt.date
    points: int | None
    available_points: int | None
    capacity_percent: Decimal | None
    taken: bool

    @property
    def over_capacity(self) -> bool:
        return workload.is_over_capacity(self.capacity_percent)

    @property
    def excessive(self) -> bool:
        return workload.is_excessive(self.capacity_percent)


@dataclass(frozen=True)
class ExcessiveRun:
    """The latest weekly snapshots over 110% in a row: how many (at most ``RUN_WEEKS``), and whether that
    is the four weeks that make it "sustained"."""

    weeks: int
    sustained: bool
    at_least: bool  # the run goes back as far as was read


NO_RUN = ExcessiveRun(weeks=0, sustained=False, at_least=False)


def _weeks(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]


def _run(weekly: dict[dt.date, Decimal | None], this_week: dt.date) -> ExcessiveRun:
    """The run of weeks over 110% in ``weekly`` (capacity by week) that ends this week, or last week while
    this week's snapshot is not yet taken."""
    if not weekly:
        return NO_RUN
    last = this_week if this_week in weekly else this_week - dt.timedelta(weeks=1)
    sequence = [weekly.get(week) for week in _weeks(last - dt.timedelta(weeks=RUN_WEEKS - 1), last)]
    streak = workload.excessive_streak(sequence)
    return ExcessiveRun(weeks=streak, sustained=workload.is_sustained_excessive(sequence),
                        at_least=streak == RUN_WEEKS)


def excessive_runs(staff_ids: Iterable[int], *, as_of: dt.date) -> dict[int, ExcessiveRun]:
    """Each practitioner's latest run of weekly snapshots over 110%, in one query (every id answered).

    The run ends with this week's snapshot, or last week's while this week's is not yet taken; a
    week with no snapshot breaks it, as a week at or under 110% does (readings must be consecutive).
    """
    ids = list(dict.fromkeys(staff_ids))
    if not ids:
        return {}
    this_week = week_start(as_of)
    first = this_week - dt.timedelta(weeks=RUN_WEEKS)
    readings: dict[int, dict[dt.date, Decimal | None]] = defaultdict(dict)
    for staff_id, week, capacity in (WorkloadSnapshot.objects.filter(
            staff_id__in=ids, week_start__gte=first, week_start__lte=this_week)
            .values_list("staff_id", "week_start", "capacity_percent")):
        readings[staff_id][week] = capacity
    return {staff_id: _run(readings.get(staff_id, {}), this_week) for staff_id in ids}


def run_in_history(history: list[WeekReading], *, as_of: dt.date) -> ExcessiveRun:
    """``excessive_runs`` for one practitioner from their ``snapshot_history`` (which must reach back
    ``RUN_WEEKS`` + 1 weeks), without another query."""
    if len(history) < RUN_WEEKS + 1:
        raise ValueError(f"a history of at least {RUN_WEEKS + 1} weeks is needed")
    return _run({r.week_start: r.capacity_percent for r in history if r.taken}, week_start(as_of))


def snapshot_history(staff_id: int, *, as_of: dt.date, weeks: int) -> list[WeekReading]:
    """The last ``weeks`` weeks up to ``as_of``'s, oldest first, each with its snapshot or none (one query)."""
    last = week_start(as_of)
    first = last - dt.timedelta(weeks=weeks - 1)
    found = {row[0]: row for row in WorkloadSnapshot.objects.filter(
        staff_id=staff_id, week_start__gte=first, week_start__lte=last)
        .values_list("week_start", "points", "available_points", "capacity_percent")}
    history = []
    for week in _weeks(first, last):
        row = found.get(week)
        history.append(WeekReading(week, None, None, None, False) if row is None
                       else WeekReading(week, row[1], row[2], row[3], True))
    return history

