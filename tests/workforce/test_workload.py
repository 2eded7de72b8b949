"""The live workload selector (casework.workforce.workload) against the pure engine (rules.md §2)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casework.record.choices import AllocationReason, SentenceKind, SentenceStatus
from casework.record.models import Assignment, Case
from casework.rules import workload as engine
from casework.rules.calendar import years_before
from casework.rules.workload import DEFAULT_POINTS_TABLE, CaseLoad, CaseType
from casework.ruleset.selectors import active_config
from casework.ruleset.services import rule_config_change
from casework.workforce.models import CourtReport
from casework.workforce.workload import (
    PractitionerWorkload,
    case_points_for,
    case_type_of,
    cases_points,
    cases_pricing,
    is_age_18_to_24,
    practitioner_workloads,
    week_start,
)
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 25)  # a Wednesday
ADULT = dt.date(1990, 3, 31)
YOUNG = dt.date(2006, 5, 1)  # 20 on TODAY

COMMUNITY = {"kind": SentenceKind.COMMUNITY_ORDER, "status": SentenceStatus.COMMUNITY}
SUSPENDED = {"kind": SentenceKind.SUSPENDED_SENTENCE_ORDER, "status": SentenceStatus.COMMUNITY}
LICENCE = {"kind": SentenceKind.CUSTODY, "status": SentenceStatus.LICENCE}
CUSTODY = {"kind": SentenceKind.CUSTODY, "status": SentenceStatus.PRE_RELEASE}
PSS = {"kind": SentenceKind.POST_SENTENCE_SUPERVISION, "status": SentenceStatus.POST_SENTENCE_SUPERVISION}
ENDED = {"kind": SentenceKind.COMMUNITY_ORDER, "status": SentenceStatus.ENDED}


def held(manager, tier: str, *sentences: dict, dob: dt.date = ADULT, on: dt.date = dt.date(2026, 6, 1), **extra):
    """A case held by ``manager`` with ``sentences`` (oldest first, a month apart ending ``on``)."""
    case = factories.AllocatedCaseFactory(manager=manager, tier=tier, date_of_birth=dob, **extra)
    for i, sentence in enumerate(sentences):
        day = on - dt.timedelta(days=30 * (len(sentences) - 1 - i))
        factories.CommunityOrderFactory(case=case, sentence_date=day, start_date=day, **sentence)
    return case


def test_figures_match_the_engine_for_every_kind_of_case(team):
    po = factories.StaffFactory(team=team)
    held(po, "C2", COMMUNITY)
    held(po, "B2", LICENCE, dob=YOUNG)
    held(po, "A1", CUSTODY)
    held(po, "D1", PSS)
    held(po, "C1", SUSPENDED)
    held(po, "", COMMUNITY)  # untiered
    held(po, "B2S", COMMUNITY)  # unsupervised
    held(po, "C1", ENDED)  # no current sentence: held, no case type, no points
    held(po, "A3", LICENCE, COMMUNITY)  # the latest current sentence decides: community
    held(po, "A3", COMMUNITY, status=Case.Status.PREVIOUSLY_KNOWN)  # not supervised now: not counted
    held(factories.StaffFactory(team=team), "A3", COMMUNITY)  # someone else's

    expected_points = engine.workload_points([
        CaseLoad("C2", CaseType.COMMUNITY), CaseLoad("B2", CaseType.LICENCE, True), CaseLoad("A1", CaseType.CUSTODY),
        CaseLoad("D1", CaseType.LICENCE), CaseLoad("C1", CaseType.COMMUNITY), CaseLoad(None, CaseType.COMMUNITY),
        CaseLoad("B2S", CaseType.COMMUNITY), CaseLoad("A3", CaseType.COMMUNITY),
    ])
    figures = practitioner_workloads([po.pk], as_of=TODAY)[po.pk]
    assert expected_points == 63 + 48 + 59 + 31 + 50 + 0 + 0 + 206
    assert figures == PractitionerWorkload(
        staff_id=po.pk, points=expected_points, available_points=2176,
        capacity_percent=engine.capacity_percent(expected_points, 2176), case_count=9, community_count=5,
        custody_count=1, licence_count=2, allocated_last_7_days=0, standard_reports=0, fast_reports=0)


def test_case_points_for_uses_the_same_derivation(team):
    po = factories.StaffFactory(team=team)
    cases = {
        "young licence": (held(po, "B2", LICENCE, dob=YOUNG), engine.case_points("B2", CaseType.LICENCE, True)),
        "custody": (held(po, "A1", CUSTODY), engine.case_points("A1", CaseType.CUSTODY, False)),
        "latest wins": (held(po, "A3", COMMUNITY, LICENCE), engine.case_points("A3", CaseType.LICENCE, False)),
        "no sentence": (held(po, "A3"), 0),
        "untiered": (held(po, "", COMMUNITY), 0),
    }
    for name, (case, points) in cases.items():
        assert case_points_for(case, as_of=TODAY) == points, name
    with CaptureQueriesContext(connection) as ctx:
        answer = cases_points([c.pk for c, _ in cases.values()], as_of=TODAY, table=DEFAULT_POINTS_TABLE)
    assert len(ctx.captured_queries) == 1
    assert answer == {case.pk: points for case, points in cases.values()}
    pricing = cases_pricing([cases["no sentence"][0].pk, cases["custody"][0].pk], as_of=TODAY)
    assert pricing[cases["no sentence"][0].pk].case_type is None
    assert pricing[cases["custody"][0].pk].case_type is CaseType.CUSTODY
    # The sum over a practitioner's cases is their case points.
    assert practitioner_workloads([po.pk], as_of=TODAY)[po.pk].points == sum(p for _, p in cases.values())


def test_case_types_follow_where_the_sentence_is():
    assert case_type_of("COMMUNITY") is CaseType.COMMUNITY
    assert case_type_of("PRE_RELEASE") is CaseType.CUSTODY
    assert case_type_of("LICENCE") is CaseType.LICENCE
    assert case_type_of("POST_SENTENCE_SUPERVISION") is CaseType.LICENCE
    assert case_type_of("ENDED") is None
    assert case_type_of(None) is None


@pytest.mark.parametrize("dob, young", [
    (years_before(TODAY, 18), True),  # 18 today
    (years_before(TODAY, 18) + dt.timedelta(days=1), False),  # 18 tomorrow
    (years_before(TODAY, 25), False),  # 25 today
    (years_before(TODAY, 25) + dt.timedelta(days=1), True),  # 25 tomorrow
])
def test_the_18_to_24_band_in_python_and_in_the_database_agree(team, dob, young):
    assert is_age_18_to_24(dob, TODAY) is young
    case = held(factories.StaffFactory(team=team), "B1", COMMUNITY, dob=dob)
    assert cases_pricing([case.pk], as_of=TODAY)[case.pk].age_18_to_24 is young
    assert case_points_for(case, as_of=TODAY) == engine.case_points("B1", CaseType.COMMUNITY, young)


def test_a_29_february_birthday_falls_on_1_march():
    born = dt.date(2008, 2, 29)
    assert not is_age_18_to_24(born, dt.date(2026, 2, 28))
    assert is_age_18_to_24(born, dt.date(2026, 3, 1))
    assert is_age_18_to_24(dt.date(2001, 2, 28), dt.date(2026, 2, 27))
    assert not is_age_18_to_24(dt.date(2001, 2, 28), dt.date(2026, 2, 28))


def test_reductions_count_only_across_their_dates(team):
    po = factories.StaffFactory(team=team)
    held(po, "B1", COMMUNITY)
    factories.ReductionFactory(staff=po, reason="PHASED_RETURN", percent=Decimal(50), start=dt.date(2026, 11, 1),
                               end=dt.date(2026, 11, 30))
    factories.ReductionFactory(staff=po, reason="COURT_DUTY", percent=None, hours=Decimal(10),
                               start=dt.date(2026, 11, 20), end=None)
    expected = {
        dt.date(2026, 10, 31): Decimal(0),  # before both
        dt.date(2026, 11, 1): Decimal("18.5"),  # first day of the first
        dt.date(2026, 11, 19): Decimal("18.5"),
        dt.date(2026, 11, 20): Decimal("28.5"),  # both
        dt.date(2026, 11, 30): Decimal("28.5"),  # last day of the first
        dt.date(2026, 12, 1): Decimal(10),  # the open-ended one only
    }
    points = engine.case_points("B1", CaseType.COMMUNITY, False)
    for day, hours in expected.items():
        figures = practitioner_workloads([po.pk], as_of=day)[po.pk]
        available = engine.available_points(37, hours)
        assert (figures.available_points, figures.capacity_percent) == (
            available, engine.capacity_percent(points, available)), day
    assert practitioner_workloads([po.pk], as_of=dt.date(2026, 11, 25))[po.pk].available_points == 499


def test_part_time_hours_and_no_capacity(team):
    part_time = factories.StaffFactory(team=team, contracted_hours=Decimal("22.5"))
    off = factories.StaffFactory(team=team)
    held(part_time, "C2", COMMUNITY)
    held(off, "C2", COMMUNITY)
    factories.ReductionFactory(staff=off, reason="LONG_TERM_SICKNESS", percent=Decimal(100), start=dt.date(2026, 1, 1))
    answer = practitioner_workloads([part_time.pk, off.pk], as_of=TODAY)
    assert answer[part_time.pk].available_points == engine.available_points(Decimal("22.5")) == 1323
    assert answer[part_time.pk].capacity_percent == engine.capacity_percent(63, 1323) == Decimal("4.8")
    assert (answer[off.pk].available_points, answer[off.pk].capacity_percent, answer[off.pk].points) == (0, None, 63)


def report(staff, kind, requested, completed=None):
    """A court report written directly (test set-up; the audited service is tested in test_workload_writes)."""
    return CourtReport.objects.create(staff=staff, kind=kind, requested_on=requested,
                                      due_on=requested + dt.timedelta(days=15), completed_on=completed)


def test_court_reports_count_from_request_until_completed(team):
    po = factories.StaffFactory(team=team)
    report(po, "STANDARD", dt.date(2026, 11, 20))
    report(po, "STANDARD", dt.date(2026, 11, 25))  # requested today: counts
    report(po, "FAST", dt.date(2026, 11, 24))
    report(po, "STANDARD", dt.date(2026, 11, 10), completed=TODAY)  # completed today: no longer counts
    report(po, "FAST", dt.date(2026, 11, 10), completed=TODAY + dt.timedelta(days=1))  # still open today
    report(po, "STANDARD", TODAY + dt.timedelta(days=1))  # not yet requested
    report(factories.StaffFactory(team=team), "STANDARD", dt.date(2026, 11, 20))  # someone else's
    figures = practitioner_workloads([po.pk], as_of=TODAY)[po.pk]
    assert (figures.standard_reports, figures.fast_reports) == (2, 2)
    assert figures.points == engine.court_report_points(2, 2) == 2 * 138 + 2 * 65
    assert figures.case_count == 0
    earlier = practitioner_workloads([po.pk], as_of=dt.date(2026, 11, 15))[po.pk]
    assert (earlier.standard_reports, earlier.fast_reports) == (1, 1)


def test_allocated_in_the_last_7_days_counts_distinct_cases_by_start(team):
    po, other = factories.StaffFactory(team=team), factories.StaffFactory(team=team)

    def at(day: dt.date, hour: int) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))

    def assign(staff, start, case=None, end=None):
        case = case or factories.TeamCaseFactory(team=team)
        Assignment.objects.create(case=case, staff=staff, team=team, start=start, end=end,
                                  reason=AllocationReason.INITIAL_ALLOCATION)
        return case

    assign(po, at(TODAY - dt.timedelta(days=6), 0))  # first day of the window
    assign(po, at(TODAY, 23))  # today
    twice = assign(po, at(TODAY - dt.timedelta(days=3), 9), end=at(TODAY - dt.timedelta(days=2), 9))
    assign(other, at(TODAY - dt.timedelta(days=2), 9), case=twice, end=at(TODAY - dt.timedelta(days=1), 9))
    assign(po, at(TODAY - dt.timedelta(days=1), 9), case=twice)  # the same case again: one case
    assign(po, at(TODAY - dt.timedelta(days=7), 23))  # the day before the window
    assign(po, at(TODAY + dt.timedelta(days=1), 0))  # tomorrow
    answer = practitioner_workloads([po.pk, other.pk], as_of=TODAY)
    assert answer[po.pk].allocated_last_7_days == 3
    assert answer[other.pk].allocated_last_7_days == 1


def test_the_stored_points_table_prices_the_cases(team):
    po = factories.StaffFactory(team=team)
    held(po, "C2", COMMUNITY)
    data = active_config("POINTS_TABLE", "default").data
    data["community"]["C2"] = 99
    data["standard_court_report"] = 100
    rule_config_change(kind="POINTS_TABLE", key="default", data=data, by=factories.AdminStaffFactory().user,
                       reason="Local policy")
    report(po, "STANDARD", dt.date(2026, 11, 20))
    assert practitioner_workloads([po.pk], as_of=TODAY)[po.pk].points == 199
    assert practitioner_workloads([po.pk], as_of=TODAY, table=DEFAULT_POINTS_TABLE)[po.pk].points == 63 + 138


def test_unknown_staff_are_left_out_and_nothing_asked_costs_nothing(team):
    po = factories.StaffFactory(team=team)
    assert set(practitioner_workloads([po.pk, 999_999], as_of=TODAY)) == {po.pk}
    with CaptureQueriesContext(connection) as ctx:
        assert practitioner_workloads([], as_of=TODAY) == {}
    assert len(ctx.captured_queries) == 0


def count_queries(ids, **kwargs) -> int:
    with CaptureQueriesContext(connection) as ctx:
        practitioner_workloads(ids, as_of=TODAY, **kwargs)
    return len(ctx.captured_queries)


def test_a_fixed_number_of_queries_however_many_staff_and_cases(team):
    first = factories.StaffFactory(team=team)
    held(first, "C2", COMMUNITY)
    assert count_queries([first.pk]) == 6
    assert count_queries([first.pk], table=DEFAULT_POINTS_TABLE) == 5
    staff = [first, *(factories.StaffFactory(team=team) for _ in range(5))]
    for member in staff:
        for tier, sentence in (("A1", CUSTODY), ("B2", LICENCE), ("C2", COMMUNITY), ("D0", PSS)):
            held(member, tier, sentence)
        report(member, "FAST", dt.date(2026, 11, 20))
        factories.ReductionFactory(staff=member, reason="COURT_DUTY", percent=None, hours=Decimal(5),
                                   start=dt.date(2026, 1, 1), end=None)
    assert count_queries([s.pk for s in staff]) == 6


def test_week_start_is_the_monday():
    assert week_start(TODAY) == dt.date(2026, 11, 23)
    assert week_start(dt.date(2026, 11, 23)) == dt.date(2026, 11, 23)
    assert week_start(dt.date(2026, 11, 29)) == dt.date(2026, 11, 23)
