"""Court reports and weekly workload snapshots: the audited services, the command and "sustained"."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.cli import _parser
from casework.core.errors import ConcurrentEditError, DomainValidationError, NotPermittedError
from casework.workforce import services
from casework.workforce.models import CourtReport, WorkloadSnapshot
from casework.workforce.workload import (
    RUN_WEEKS,
    ExcessiveRun,
    excessive_runs,
    practitioner_workloads,
    run_in_history,
    snapshot_history,
    week_start,
)
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 25)  # a Wednesday
MONDAY = dt.date(2026, 11, 23)


@pytest.fixture
def spo(team):
    return factories.SpoFactory(team=team)


# --- Court reports ----------------------------------------------------------------------------------


def test_the_teams_spo_gives_a_court_report_audited_with_its_crn(team, po, spo):
    case = factories.AllocatedCaseFactory(manager=po)
    report = services.add_court_report(staff=po, kind="STANDARD", court=" Sheffield Magistrates' Court ",
                                       requested_on=dt.date(2026, 11, 20), due_on=dt.date(2026, 12, 11), case=case,
                                       by=spo.user, today=TODAY)
    assert (report.court, report.completed_on, report.created_by, report.version) == (
        "Sheffield Magistrates' Court", None, spo.user, 1)
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.crn, event.object_id) == (
        "workforce.court_report_add", spo.user, case.crn, str(report.pk))
    assert event.after["kind"] == "STANDARD" and event.after["requested_on"] == "2026-11-20"
    assert practitioner_workloads([po.pk], as_of=TODAY)[po.pk].standard_reports == 1


def test_the_head_of_pdu_may_and_another_teams_spo_may_not(team, po):
    head = factories.HeadOfPduFactory()
    factories.grant(head, "HEAD_OF_PDU", pdu=team.pdu)
    services.add_court_report(staff=po, kind="FAST", requested_on=TODAY, due_on=TODAY, by=head.user, today=TODAY)
    elsewhere = factories.SpoFactory(team=factories.TeamFactory())
    with pytest.raises(NotPermittedError):
        services.add_court_report(staff=po, kind="FAST", requested_on=TODAY, due_on=TODAY, by=elsewhere.user,
                                  today=TODAY)
    with pytest.raises(NotPermittedError):
        services.add_court_report(staff=po, kind="FAST", requested_on=TODAY, due_on=TODAY,
                                  by=factories.StaffFactory(team=team).user, today=TODAY)
    assert CourtReport.objects.count() == 1


@pytest.mark.parametrize("values, errors", [
    ({"kind": ""}, {"kind": services.KIND_REQUIRED}),
    ({"requested_on": None, "due_on": None},
     {"requested_on": services.REQUESTED_REQUIRED, "due_on": services.DUE_REQUIRED}),
    ({"requested_on": TODAY + dt.timedelta(days=1), "due_on": TODAY + dt.timedelta(days=2)},
     {"requested_on": services.REQUESTED_IN_FUTURE}),
    ({"due_on": dt.date(2026, 11, 19)}, {"due_on": services.DUE_BEFORE_REQUESTED}),
    ({"court": "x" * 201}, {"court": services.COURT_TOO_LONG}),
])
def test_a_court_report_as_entered_is_checked_and_nothing_is_written(team, po, spo, values, errors):
    entered = {"kind": "STANDARD", "requested_on": dt.date(2026, 11, 20), "due_on": dt.date(2026, 12, 11), **values}
    with pytest.raises(DomainValidationError) as raised:
        services.add_court_report(staff=po, by=spo.user, today=TODAY, **entered)
    assert raised.value.errors == errors
    assert not CourtReport.objects.exists() and not AuditEvent.objects.exists()


def test_only_practitioners_write_court_reports(team, spo):
    with pytest.raises(DomainValidationError) as raised:
        services.add_court_report(staff=factories.SpoFactory(team=team), kind="FAST", requested_on=TODAY,
                                  due_on=TODAY, by=spo.user, today=TODAY)
    assert raised.value.errors == {"staff": services.NOT_A_PRACTITIONER}


def report_for(po, requested=dt.date(2026, 11, 10)):
    return CourtReport.objects.create(staff=po, kind="STANDARD", requested_on=requested,
                                      due_on=requested + dt.timedelta(days=21))


def test_completing_a_report_takes_it_off_the_workload_from_that_day(team, po, spo):
    report = report_for(po)
    done = services.complete_court_report(report=report, by=spo.user, completed_on=TODAY, expected_version=1,
                                          today=TODAY)
    assert (done.completed_on, done.version) == (TODAY, 2)
    event = AuditEvent.objects.get()
    assert (event.action, event.before, event.after) == (
        "workforce.court_report_complete", {"completed_on": None}, {"completed_on": "2026-11-25"})
    assert practitioner_workloads([po.pk], as_of=TODAY)[po.pk].standard_reports == 0
    assert practitioner_workloads([po.pk], as_of=TODAY - dt.timedelta(days=1))[po.pk].standard_reports == 1


@pytest.mark.parametrize("completed_on, message", [
    (TODAY + dt.timedelta(days=1), services.COMPLETED_IN_FUTURE),
    (dt.date(2026, 11, 9), services.COMPLETED_BEFORE_REQUESTED),
])
def test_a_completion_date_is_checked(team, po, spo, completed_on, message):
    report = report_for(po)
    with pytest.raises(DomainValidationError) as raised:
        services.complete_court_report(report=report, by=spo.user, completed_on=completed_on, today=TODAY)
    assert raised.value.errors == {"completed_on": message}
    assert CourtReport.objects.get().completed_on is None


def test_a_report_is_completed_once_and_a_stale_version_is_refused(team, po, spo):
    report = report_for(po)
    with pytest.raises(ConcurrentEditError):
        services.complete_court_report(report=report, by=spo.user, expected_version=7, today=TODAY)
    services.complete_court_report(report=report, by=spo.user, today=TODAY)
    with pytest.raises(DomainValidationError) as raised:
        services.complete_court_report(report=report, by=spo.user, today=TODAY)
    assert raised.value.errors == {"completed_on": "This report was already completed on 25 November 2026"}
    assert AuditEvent.objects.count() == 1


# --- Snapshots --------------------------------------------------------------------------------------


@pytest.fixture
def practitioners(team):
    """Two POs, a PSO and a PQiP in post; an SPO, a leaver and a starter next month who get no snapshot."""
    members = [factories.StaffFactory(team=team), factories.StaffFactory(team=team),
               factories.PsoFactory(team=team), factories.PqipFactory(team=team)]
    factories.SpoFactory(team=team)
    factories.StaffFactory(team=team, ended=dt.date(2026, 10, 31))
    factories.StaffFactory(team=team, started_in_post=dt.date(2026, 12, 14))
    for member in members[:2]:
        factories.CommunityOrderFactory(case=factories.AllocatedCaseFactory(manager=member, tier="B1"))
    return members


def figures_of(snapshot: WorkloadSnapshot) -> tuple:
    return snapshot.points, snapshot.available_points, snapshot.capacity_percent


def test_a_snapshot_for_every_practitioner_in_post_with_the_live_figures(practitioners):
    now = timezone.make_aware(dt.datetime(2026, 11, 25, 6, 30))
    run = services.workload_snapshot_take(today=TODAY, now=now)
    assert run == services.SnapshotRun(week_start=MONDAY, created=4, updated=0, unchanged=0)
    live = practitioner_workloads([p.pk for p in practitioners], as_of=TODAY)
    stored = {s.staff_id: s for s in WorkloadSnapshot.objects.all()}
    assert set(stored) == {p.pk for p in practitioners}
    for staff_id, snapshot in stored.items():
        figures = live[staff_id]
        assert figures_of(snapshot) == (figures.points, figures.available_points, figures.capacity_percent)
        assert (snapshot.week_start, snapshot.taken_at) == (MONDAY, now)
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.actor_label) == ("workforce.workload_snapshot", None, "system")
    assert event.after == {"week_start": "2026-11-23", "created": 4, "updated": 0, "unchanged": 0,
                           "taken_at": now.isoformat()}
    assert event.detail == "Week beginning 23 November 2026: 4 new, 0 updated, 0 unchanged"


def test_a_rerun_in_the_same_week_updates_in_place_only_what_changed(practitioners):
    first = timezone.make_aware(dt.datetime(2026, 11, 23, 6, 30))
    services.workload_snapshot_take(today=MONDAY, now=first)
    again = services.workload_snapshot_take(today=TODAY, now=first + dt.timedelta(days=2))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert set(WorkloadSnapshot.objects.values_list("taken_at", flat=True)) == {first}

    busy = practitioners[2]
    factories.CommunityOrderFactory(case=factories.AllocatedCaseFactory(manager=busy, tier="A3"))
    later = first + dt.timedelta(days=3)
    third = services.workload_snapshot_take(today=TODAY, now=later)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 3)
    assert WorkloadSnapshot.objects.count() == 4
    changed = WorkloadSnapshot.objects.get(staff=busy)
    assert changed.taken_at == later
    assert changed.points == practitioner_workloads([busy.pk], as_of=TODAY)[busy.pk].points
    assert WorkloadSnapshot.objects.exclude(staff=busy).filter(taken_at=first).count() == 3
    assert AuditEvent.objects.filter(action="workforce.workload_snapshot").count() == 3


def test_next_week_adds_a_week_and_never_changes_the_last(practitioners):
    services.workload_snapshot_take(today=TODAY)
    before = {s.pk: figures_of(s) for s in WorkloadSnapshot.objects.all()}
    factories.CommunityOrderFactory(case=factories.AllocatedCaseFactory(manager=practitioners[0], tier="A3"))
    run = services.workload_snapshot_take(today=TODAY + dt.timedelta(days=7))
    assert (run.week_start, run.created, run.updated) == (dt.date(2026, 11, 30), 4, 0)
    assert {s.pk: figures_of(s) for s in WorkloadSnapshot.objects.filter(pk__in=before)} == before


def test_a_snapshot_run_costs_the_same_queries_for_more_practitioners(team, practitioners):
    def count(day):
        with CaptureQueriesContext(connection) as ctx:
            services.workload_snapshot_take(today=day)
        return len(ctx.captured_queries)

    small = count(TODAY)
    for _ in range(12):
        factories.AllocatedCaseFactory(manager=factories.StaffFactory(team=team), tier="C2")
    assert count(TODAY + dt.timedelta(days=7)) == small


def test_the_command_writes_this_weeks_snapshots_and_is_in_the_casework_command(practitioners):
    out = StringIO()
    call_command("snapshot_workload", stdout=out)
    monday = week_start(timezone.localdate())
    assert f"week beginning {monday.day} {monday:%B %Y}: 4 new, 0 updated, 0 unchanged" in out.getvalue()
    out = StringIO()
    call_command("snapshot_workload", stdout=out)
    assert "0 new, 0 updated, 4 unchanged" in out.getvalue()
    assert WorkloadSnapshot.objects.filter(week_start=monday).count() == 4
    assert _parser().parse_args(["snapshot-workload"]).command == "snapshot-workload"


# --- Sustained: four consecutive weekly snapshots over 110% ------------------------------------------


def weeks_of(staff, capacities: list[Decimal | str | None], *, last: dt.date = MONDAY) -> None:
    """Snapshots for the weeks ending ``last``, oldest first; "skip" leaves a week without one."""
    for back, capacity in enumerate(reversed(capacities)):
        if capacity == "skip":
            continue
        available = 0 if capacity is None else 2000
        points = 0 if capacity is None else int(capacity * 20)
        WorkloadSnapshot.objects.create(staff=staff, week_start=last - dt.timedelta(weeks=back), points=points,
                                        available_points=available, capacity_percent=capacity,
                                        taken_at=timezone.now())


D = Decimal


@pytest.mark.parametrize("capacities, last, expected", [
    ([D(111)] * 4, MONDAY, ExcessiveRun(4, True, False)),
    ([D(100), D(111), D(112), D(113)], MONDAY, ExcessiveRun(3, False, False)),
    ([D("110.1")] * 4, MONDAY, ExcessiveRun(4, True, False)),
    ([D("110.0"), D(120), D(120), D(120)], MONDAY, ExcessiveRun(3, False, False)),  # 110% is not over 110%
    ([D(120), "skip", D(120), D(120), D(120)], MONDAY, ExcessiveRun(3, False, False)),  # a missing week breaks it
    ([D(120), None, D(120), D(120), D(120)], MONDAY, ExcessiveRun(3, False, False)),  # no capacity breaks it
    # This week's snapshot not taken yet: the run ends last week.
    ([D(120)] * 4, MONDAY - dt.timedelta(weeks=1), ExcessiveRun(4, True, False)),
    # Nothing since the week before last: no run.
    ([D(120)] * 4, MONDAY - dt.timedelta(weeks=2), ExcessiveRun(0, False, False)),
    ([D(150)] * (RUN_WEEKS + 3), MONDAY, ExcessiveRun(RUN_WEEKS, True, True)),
    ([], MONDAY, ExcessiveRun(0, False, False)),
])
def test_sustained_means_the_latest_four_consecutive_weeks_over_110(team, capacities, last, expected):
    po = factories.StaffFactory(team=team)
    weeks_of(po, capacities, last=last)
    assert excessive_runs([po.pk], as_of=TODAY) == {po.pk: expected}
    history = snapshot_history(po.pk, as_of=TODAY, weeks=RUN_WEEKS + 1)
    assert run_in_history(history, as_of=TODAY) == expected


def test_runs_for_many_practitioners_in_one_query(team):
    staff = [factories.StaffFactory(team=team) for _ in range(5)]
    for i, member in enumerate(staff):
        weeks_of(member, [D(115)] * i)
    with CaptureQueriesContext(connection) as ctx:
        runs = excessive_runs([s.pk for s in staff], as_of=TODAY)
    assert len(ctx.captured_queries) == 1
    assert [runs[s.pk].sustained for s in staff] == [False, False, False, False, True]


def test_history_has_a_reading_for_every_week_oldest_first(team):
    po = factories.StaffFactory(team=team)
    weeks_of(po, [D(90), "skip", None])
    history = snapshot_history(po.pk, as_of=TODAY, weeks=4)
    assert [r.week_start for r in history] == [MONDAY - dt.timedelta(weeks=n) for n in (3, 2, 1, 0)]
    assert [(r.taken, r.capacity_percent) for r in history] == [(False, None), (True, D(90)), (False, None),
                                                                (True, None)]
    with pytest.raises(ValueError):
        run_in_history(history, as_of=TODAY)
