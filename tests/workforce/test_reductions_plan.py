"""The generated worlds' reductions (casework.demo.reductions): valid, deterministic, a national mix, fast."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import Counter
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework.demo import reductions as plan
from casework.demo.reductions import plan_reductions
from casework.rules import workload
from casework.workforce.models import Grade, Reduction, Staff
from casework.workforce.selectors import active_reduction_hours

TODAY = dt.date(2026, 11, 28)
GRADE_REASONS = {"PQIP_FIRST_6_MONTHS", "PQIP_6_TO_12_MONTHS", "PQIP_12_TO_18_MONTHS", "NEWLY_QUALIFIED_OFFICER",
                 "PSO_LEARNING_AND_DEVELOPMENT"}


def member(n: int, grade: str, started: dt.date, *, trained: dt.date | None = None, hours: Decimal = Decimal(37),
           ended: dt.date | None = None) -> Staff:
    return Staff(code=f"T{n:06d}", first_name="Test", last_name=f"Staff{n}", grade=grade, contracted_hours=hours,
                 started_in_post=started, core_training_completed=trained, ended=ended)


def national_mix(count: int, rng: random.Random) -> list[Staff]:
    """Staff shaped like the national world: per team 6 POs, 4 PSOs (30% untrained), a PQiP and an SPO."""
    staff = []
    for n in range(count):
        slot = n % 12
        hours = Decimal(37) if rng.random() < 0.85 else rng.choice((Decimal("18.50"), Decimal("22.50"), Decimal(30)))
        if slot < 6:
            started = TODAY - dt.timedelta(days=rng.randint(365, 25 * 365))
            staff.append(member(n, Grade.PO, started, trained=started + dt.timedelta(days=180), hours=hours))
        elif slot < 10:
            if rng.random() < 0.7:
                started = TODAY - dt.timedelta(days=rng.randint(550, 12 * 365))
                staff.append(member(n, Grade.PSO, started, trained=started + dt.timedelta(days=250), hours=hours))
            else:
                staff.append(member(n, Grade.PSO, TODAY - dt.timedelta(days=rng.randint(30, 330)), hours=hours))
        elif slot == 10:
            staff.append(member(n, Grade.PQIP, TODAY - dt.timedelta(days=rng.randint(60, 540))))
        else:
            staff.append(member(n, Grade.SPO, TODAY - dt.timedelta(days=rng.randint(6 * 365, 22 * 365)), hours=hours))
    return staff


def test_the_positional_field_order_matches_the_model():
    assert tuple(f.attname for f in Reduction._meta.concrete_fields) == plan._FIELD_ORDER


def test_unsaved_rows_for_the_staff_given_deterministic_and_only_from_the_rng():
    staff = national_mix(600, random.Random(1))
    state = random.getstate()
    first = plan_reductions(staff, random.Random(7), TODAY)
    assert random.getstate() == state
    again = plan_reductions(staff, random.Random(7), TODAY)

    def key(r: Reduction):
        return (r.staff.code, r.reason, r.hours, r.percent, r.start, r.end, r.notes, r.created_at)

    assert [key(r) for r in first] == [key(r) for r in again]
    assert all(r.pk is None and r.staff_id is None and r.created_by_id is None for r in first)
    codes = {s.code for s in staff}
    assert all(r.staff.code in codes and r.version == 1 for r in first)
    assert plan_reductions(staff, random.Random(8), TODAY) != first


def test_a_national_mix_of_reductions():
    # No timing assertion: on a shared CI machine it would fail for reasons of its own (make bench times it).
    staff = national_mix(11_000, random.Random(2))
    planned = plan_reductions(staff, random.Random(3), TODAY)

    statuses = Counter(r.status(TODAY) for r in planned)
    assert statuses["SCHEDULED"] > 0 and statuses["ARCHIVED"] > statuses["SCHEDULED"]
    other_active = {r.staff.code for r in planned if r.status(TODAY) == "ACTIVE" and r.reason not in GRADE_REASONS}
    assert 0.08 <= len(other_active) / len(staff) <= 0.12
    reasons = Counter(r.reason for r in planned if r.status(TODAY) == "ACTIVE")
    shares = {reason: reasons[reason] / len(staff) for reason in reasons}
    assert 0.02 <= shares["LONG_TERM_SICKNESS"] <= 0.04
    assert 0.008 <= shares["MATERNITY_LEAVE"] + shares.get("ADOPTION_LEAVE", 0) <= 0.022
    assert 0.012 <= shares["TRADE_UNION_FACILITY_TIME"] <= 0.028
    for r in planned:
        if r.reason == "TRADE_UNION_FACILITY_TIME":
            assert Decimal(10) <= r.percent <= Decimal(50) and r.end is None
        if r.reason == "LONG_TERM_SICKNESS" and r.status(TODAY) == "ACTIVE":
            assert r.end is None and r.hours == r.staff.contracted_hours


@pytest.mark.parametrize(("days_in_post", "band", "hours"), [
    (60, "PQIP_FIRST_6_MONTHS", Decimal("29.60")),
    (250, "PQIP_6_TO_12_MONTHS", Decimal("22.20")),
    (450, "PQIP_12_TO_18_MONTHS", Decimal("14.80")),
])
def test_a_pqip_has_the_band_for_their_months_in_post_and_the_earlier_ones_archived(days_in_post, band, hours):
    pqip = member(1, Grade.PQIP, TODAY - dt.timedelta(days=days_in_post))
    mine = [r for r in plan_reductions([pqip], random.Random(4), TODAY) if r.reason in GRADE_REASONS]
    active = [r for r in mine if r.status(TODAY) == "ACTIVE"]
    assert [(r.reason, r.hours) for r in active] == [(band, hours)]
    bands = [r.reason for r in mine if r.status(TODAY) == "ARCHIVED"]
    assert bands == [b.value for b in plan.PQIP_BANDS[:plan.PQIP_BANDS.index(workload.ReductionReason(band))]]
    # Back to back: each band starts the day after the one before ends.
    for earlier, later in itertools.pairwise(mine):
        assert later.start == earlier.end + dt.timedelta(days=1)


def test_newly_qualified_pos_and_untrained_psos_have_20_percent():
    nqo = member(1, Grade.PO, TODAY - dt.timedelta(days=400), trained=TODAY - dt.timedelta(days=100))
    long_qualified = member(2, Grade.PO, TODAY - dt.timedelta(days=4000), trained=TODAY - dt.timedelta(days=3800))
    new_pso = member(3, Grade.PSO, TODAY - dt.timedelta(days=61), hours=Decimal("22.50"))
    by_code = {}
    for r in plan_reductions([nqo, long_qualified, new_pso], random.Random(5), TODAY):
        if r.reason in GRADE_REASONS:
            by_code.setdefault(r.staff.code, []).append(r)
    [nqo_reduction] = by_code[nqo.code]
    assert (nqo_reduction.percent, nqo_reduction.hours) == (20, Decimal("7.40"))
    assert nqo_reduction.start == nqo.core_training_completed
    assert nqo_reduction.status(TODAY) == "ACTIVE"
    assert long_qualified.code not in by_code
    [learning] = by_code[new_pso.code]
    assert (learning.reason, learning.hours) == ("PSO_LEARNING_AND_DEVELOPMENT", Decimal("4.50"))
    assert learning.status(TODAY) == "ACTIVE"


def test_leavers_other_grades_and_future_starters_get_none():
    staff = [member(1, Grade.PO, dt.date(2020, 1, 1), ended=TODAY - dt.timedelta(days=30)),
             member(2, Grade.ACO, dt.date(2010, 1, 1)), member(3, Grade.QA, dt.date(2010, 1, 1)),
             member(4, Grade.ADMIN, dt.date(2010, 1, 1)), member(5, Grade.PQIP, TODAY + dt.timedelta(days=3))]
    assert plan_reductions(staff * 50, random.Random(6), TODAY) == []


@pytest.mark.django_db
def test_the_builders_can_bulk_create_them_after_the_staff():
    staff = national_mix(120, random.Random(9))
    Staff.objects.bulk_create(staff)
    planned = plan_reductions(staff, random.Random(10), TODAY)
    Reduction.objects.bulk_create(planned)
    assert Reduction.objects.count() == len(planned) > 0
    hours = active_reduction_hours([s.pk for s in staff], TODAY)
    expected = {s.pk: workload.reduction_hours(s.contracted_hours, [
        workload.Reduction(hours=r.hours) for r in planned if r.staff is s and r.status(TODAY) == "ACTIVE"])
        for s in staff}
    assert hours == expected


grades = st.sampled_from([Grade.PO, Grade.PQIP, Grade.PSO, Grade.SPO, Grade.ACO])
days = st.integers(min_value=-200, max_value=30 * 365)
contracted = st.sampled_from([Decimal(0), Decimal("7.50"), Decimal("18.50"), Decimal("22.50"), Decimal(30),
                              Decimal(37)])


@st.composite
def staff_lists(draw) -> list[Staff]:
    people = []
    for n in range(draw(st.integers(min_value=1, max_value=25))):
        started = TODAY - dt.timedelta(days=draw(days))
        trained = draw(st.none() | st.integers(min_value=0, max_value=2000))
        ended = draw(st.none() | st.integers(min_value=-100, max_value=100))
        people.append(member(n, draw(grades), started, hours=draw(contracted),
                             trained=None if trained is None else started + dt.timedelta(days=trained),
                             ended=None if ended is None else TODAY + dt.timedelta(days=ended)))
    return people


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(staff=staff_lists(), seed=st.integers(min_value=0, max_value=2**32), offset=st.integers(-3000, 3000))
def test_planned_reductions_always_pass_the_models_validation(staff, seed, offset):
    today = TODAY + dt.timedelta(days=offset)
    for reduction in plan_reductions(staff, random.Random(seed), today):
        assert reduction.problems() == {}, (reduction.reason, reduction.staff.grade)
        # Field validation and the check constraints (staff is unsaved here, so not checked).
        reduction.full_clean(exclude=["staff", "created_by"], validate_unique=False)
        assert reduction.start >= reduction.staff.started_in_post
        assert reduction.staff.ended is None or reduction.staff.ended > today
