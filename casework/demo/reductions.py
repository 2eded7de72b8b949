"""Workload reductions for the generated worlds (rules.md §2.3): a realistic national mix, unsaved.

``plan_reductions`` returns unsaved ``Reduction`` rows for the builders to bulk-create once the staff
are saved. It reads nothing from the database, uses only the ``rng`` it is given (same rng state,
same staff, same day → same reductions) and does a fixed amount of work per member of staff.

The mix, for practitioners in post (PO, PQiP, PSO and SPO; leavers and other grades get none):

- Reductions that follow from grade and time in post, for everyone they apply to: a PQiP has the
  band for their months in post (first 6 months 80%, 6–12 60%, 12–18 40%) with the earlier bands
  archived and, for about half, the next band already scheduled; a PO who qualified (core training
  completed, else started in post) in the last 9 months has newly qualified officer time (20%), and
  one who qualified in the last 3 years an archived one; a PSO has PSO learning and development
  (20%) for the 6 months from their start — active for a PSO without core training in their first 6
  months, archived for one trained or started in the last 3 years.
- Other reasons, active today for about 9.5% of practitioners (the national 8–12%): long-term
  sickness, open-ended, 100% (3%); maternity or adoption leave, 6 months, 100% (1.5%); trade union
  facility time, open-ended, 10–50% (2%); disability, phased return, co-working, court duty or another
  reason with its detail in the notes, 10–40% for a dated period (3%).
- About 1.5% have a reduction scheduled to start in the next few months, and about 20% a past one
  (sickness, phased return, leave, court duty …) now archived.

Every planned reduction passes ``Reduction.problems()`` (tested with Hypothesis in
``tests/workforce/test_reductions_plan.py``).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from casework.rules import workload
from casework.workforce.models import Grade, Reduction, Staff

R = workload.ReductionReason
PQIP_BANDS = (R.PQIP_FIRST_6_MONTHS, R.PQIP_6_TO_12_MONTHS, R.PQIP_12_TO_18_MONTHS)
HISTORY_DAYS = 3 * 365
_PRACTITIONERS = frozenset({Grade.PO, Grade.PQIP, Grade.PSO, Grade.SPO})
_TRADE_UNION_PERCENTS = (10, 20, 20, 25, 30, 40, 50)
_OTHER_PERCENTS = (10, 15, 20, 20, 25, 30, 40)

# Dated "other" reasons: (reason, shortest and longest length in days, notes to choose from).
_OTHER_REASONS: tuple[tuple[R, int, int, tuple[str, ...]], ...] = (
    (R.PHASED_RETURN, 28, 84, ("Phased return after sickness absence, agreed with occupational health.",
                               "Phased return following surgery.", "")),
    (R.DISABILITY, 180, 365, ("Reasonable adjustment recommended by occupational health.",
                              "Reasonable adjustment: access to work assessment.")),
    (R.CO_WORKING, 60, 180, ("Co-working complex cases with a PQiP.", "Co-working a high-risk case.", "")),
    (R.COURT_DUTY, 90, 365, ("Court duty officer at the magistrates' court two days a week.",
                             "Crown court duty rota.")),
    (R.OTHER, 60, 240, ("Mentoring newly qualified officers.", "Project work: accommodation pathway pilot.",
                        "Practice tutor assessor duties.")),
)
# Past reductions, now archived: (reason, percent or None for 10–40%, shortest and longest days).
_PAST_REASONS: tuple[tuple[R, int | None, int, int], ...] = (
    (R.LONG_TERM_SICKNESS, 100, 30, 200),
    (R.PHASED_RETURN, None, 28, 84),
    (R.SPECIAL_LEAVE, 100, 5, 30),
    (R.OTHER_PAID_LEAVE, 100, 5, 40),
    (R.OTHER_UNPAID_LEAVE, 100, 14, 90),
    (R.COURT_DUTY, None, 90, 365),
    (R.CO_WORKING, None, 60, 180),
    (R.MATERNITY_LEAVE, 100, 0, 0),
)
# Scheduled: (reason, percent, shortest and longest days; 0 = the reason's standard length).
_SCHEDULED_REASONS: tuple[tuple[R, int, int, int], ...] = (
    (R.MATERNITY_LEAVE, 100, 0, 0),
    (R.SPECIAL_LEAVE, 100, 5, 20),
    (R.OTHER_UNPAID_LEAVE, 100, 14, 60),
    (R.COURT_DUTY, 20, 90, 180),
)

# The order of Reduction's columns, for building rows positionally (checked here and in the tests).
_FIELD_ORDER = ("id", "staff_id", "reason", "hours", "percent", "start", "end", "notes", "created_at",
                "created_by_id", "version")
if tuple(field.attname for field in Reduction._meta.concrete_fields) != _FIELD_ORDER:  # pragma: no cover
    raise ImportError("Reduction's fields changed: update _FIELD_ORDER and _Planner.add")
_STAFF_FIELD = Reduction._meta.get_field("staff")


def _days(n: float) -> dt.timedelta:
    return dt.timedelta(days=int(n))


class _Planner:
    def __init__(self, rng: random.Random, today: dt.date) -> None:
        self.rng = rng
        self.today = today
        self.out: list[Reduction] = []

    def add(self, staff: Staff, reason: R, start: dt.date, end: dt.date | None, percent: int | Decimal,
            notes: str = "") -> None:
        percent = Decimal(percent)
        created = min(start, self.today) - _days(self.rng.random() * 14)
        hours = workload.Reduction(percent=percent).hours_for(staff.contracted_hours)
        # Positional arguments in _FIELD_ORDER: Django's fast path, twice as quick as keywords.
        reduction = Reduction(None, staff.pk, reason.value, hours, percent, start, end, notes,
                              dt.datetime(created.year, created.month, created.day, 9, tzinfo=dt.UTC), None, 1)
        _STAFF_FIELD.set_cached_value(reduction, staff)
        self.out.append(reduction)

    def chain(self, staff: Staff, reasons: tuple[R, ...], start: dt.date, *, schedule_next: bool) -> None:
        """Back-to-back fixed-length periods from ``start`` up to today (and the next one, if asked)."""
        for reason in reasons:
            if start > self.today:
                if schedule_next:
                    self.add(staff, reason, start, workload.default_end_date(reason, start),
                             workload.REDUCTION_REASONS[reason].max_percent)
                return
            end = workload.default_end_date(reason, start)
            assert end is not None
            self.add(staff, reason, start, end, workload.REDUCTION_REASONS[reason].max_percent)
            start = end + dt.timedelta(days=1)

    def for_grade(self, staff: Staff) -> None:
        """The reductions a practitioner's grade and time in post give them."""
        today, started = self.today, staff.started_in_post
        if staff.grade == Grade.PQIP:
            self.chain(staff, PQIP_BANDS, started, schedule_next=self.rng.random() < 0.5)
        elif staff.grade == Grade.PSO:
            if staff.core_training_completed is None:
                # One 6-month period from their start (rules.md §2.3): archived if they are past it.
                self.chain(staff, (R.PSO_LEARNING_AND_DEVELOPMENT,), started, schedule_next=False)
            elif (today - started).days < HISTORY_DAYS:
                end = workload.default_end_date(R.PSO_LEARNING_AND_DEVELOPMENT, started)
                if end is not None and end < today:
                    self.add(staff, R.PSO_LEARNING_AND_DEVELOPMENT, started, end, 20)
        elif staff.grade == Grade.PO:
            qualified = staff.core_training_completed or started
            if (today - qualified).days < HISTORY_DAYS:
                self.add(staff, R.NEWLY_QUALIFIED_OFFICER, qualified,
                         workload.default_end_date(R.NEWLY_QUALIFIED_OFFICER, qualified), 20)

    def active_other(self, staff: Staff) -> None:
        """About 9.5% of practitioners: one reduction for another reason, active today."""
        rng, today, started = self.rng, self.today, staff.started_in_post
        roll = rng.random()
        if roll < 0.03:
            start = max(started, today - _days(rng.uniform(14, 300)))
            self.add(staff, R.LONG_TERM_SICKNESS, start, None, 100)
        elif roll < 0.045:
            reason = R.ADOPTION_LEAVE if rng.random() < 0.1 else R.MATERNITY_LEAVE
            start = max(started, today - _days(rng.uniform(0, 175)))
            self.add(staff, reason, start, workload.default_end_date(reason, start), 100)
        elif roll < 0.065:
            start = max(started, today - _days(rng.uniform(30, 5 * 365)))
            self.add(staff, R.TRADE_UNION_FACILITY_TIME, start, None, rng.choice(_TRADE_UNION_PERCENTS),
                     "Trade union facility time agreed with the head of PDU.")
        elif roll < 0.095:
            reason, shortest, longest, notes = rng.choice(_OTHER_REASONS)
            length = rng.randint(shortest, longest)
            start = max(started, today - _days(rng.uniform(0, length - 1)))
            note = rng.choice(notes)
            self.add(staff, reason, start, start + _days(length - 1), rng.choice(_OTHER_PERCENTS), note)

    def scheduled(self, staff: Staff) -> None:
        rng, today = self.rng, self.today
        reason, percent, shortest, longest = rng.choice(_SCHEDULED_REASONS)
        start = today + _days(rng.uniform(7, 120))
        end = (workload.default_end_date(reason, start) if not longest
               else start + _days(rng.randint(shortest, longest) - 1))
        self.add(staff, reason, start, end, percent)

    def past(self, staff: Staff) -> None:
        rng, today, started = self.rng, self.today, staff.started_in_post
        reason, percent, shortest, longest = rng.choice(_PAST_REASONS)
        earliest = max(started, today - _days(HISTORY_DAYS))
        latest = today - _days(longest or 200) - dt.timedelta(days=2)
        if latest <= earliest:
            return
        start = earliest + _days(rng.uniform(0, (latest - earliest).days))
        end = (workload.default_end_date(reason, start) if not longest
               else start + _days(rng.randint(shortest, longest) - 1))
        assert end is not None and end < today
        self.add(staff, reason, start, end, percent if percent is not None else rng.choice(_OTHER_PERCENTS))


def plan_reductions(staff: list[Staff], rng: random.Random, today: dt.date) -> list[Reduction]:
    """Unsaved reductions for ``staff`` as of ``today`` (module docstring); primary keys not set.

    Each reduction's ``staff`` is set to the instance given (saved or not), so the builders can
    bulk-create them after the staff. ``created_by`` is left empty; ``created_at`` is set
    from the start date, so the same ``rng`` state gives the same rows.
    """
    planner = _Planner(rng, today)
    for member in staff:
        if member.grade not in _PRACTITIONERS or member.started_in_post > today:
            continue
        if member.ended is not None and member.ended <= today:
            continue
        planner.for_grade(member)
        planner.active_other(member)
        roll = rng.random()
        if roll < 0.015:
            planner.scheduled(member)
        elif roll < 0.215:
            planner.past(member)
    return planner.out

