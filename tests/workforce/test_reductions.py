"""Workload reductions (rules.md §2.3): the model's constraints, the audited services and the selector."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from casework.audit.models import AuditEvent
from casework.core.errors import ConcurrentEditError, DomainValidationError, NotPermittedError
from casework.rules import reductions, workload
from casework.workforce import services
from casework.workforce.models import Reduction, ReductionReason
from casework.workforce.selectors import active_reduction_hours
from tests import factories

pytestmark = pytest.mark.django_db

D = Decimal
START = dt.date(2026, 6, 1)
TODAY = dt.date(2026, 7, 15)


@pytest.fixture
def admin():
    return factories.AdminStaffFactory().user


@pytest.fixture
def po(team):
    staff = factories.StaffFactory(team=team)
    staff.refresh_from_db()  # contracted hours as stored: Decimal("37.00")
    return staff


def add(staff, by, **kwargs):
    kwargs.setdefault("start", START)
    kwargs.setdefault("today", TODAY)
    return services.add_reduction(staff=staff, by=by, **kwargs)


def errors_of(call) -> dict[str, str]:
    with pytest.raises(DomainValidationError) as caught:
        call()
    return caught.value.errors


# --- The model ------------------------------------------------------------------------------------


def test_reasons_are_exactly_the_engines():
    assert ReductionReason.values == [reason.value for reason in workload.ReductionReason]
    assert ReductionReason.labels == [workload.REDUCTION_REASONS[r].label for r in workload.ReductionReason]


@pytest.mark.parametrize("hours", [D("-0.01"), D("37.01"), D(40)])
def test_the_database_refuses_hours_outside_0_to_37(po, hours):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.ReductionFactory(staff=po, percent=None, hours=hours)


def test_the_database_refuses_an_end_before_the_start(po):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.ReductionFactory(staff=po, start=START, end=START - dt.timedelta(days=1))


def test_staff_with_reductions_cannot_be_deleted(po):
    factories.ReductionFactory(staff=po)
    with pytest.raises(IntegrityError), transaction.atomic():
        po.delete()


@pytest.mark.parametrize(("as_of", "status"), [
    (dt.date(2026, 5, 31), "SCHEDULED"), (START, "ACTIVE"), (dt.date(2026, 8, 31), "ACTIVE"),
    (dt.date(2026, 9, 1), "ARCHIVED"),
])
def test_status_is_the_engines(po, as_of, status):
    reduction = factories.ReductionFactory(staff=po, start=START, end=dt.date(2026, 8, 31))
    assert reduction.status(as_of) == status


def test_an_open_ended_reduction_stays_active(po):
    assert factories.ReductionFactory(staff=po, end=None).status(dt.date(2040, 1, 1)) == "ACTIVE"


# --- Adding: rules.md §2.3, row by row -------------------------------------------------------------

# reason, contracted hours → hours, end (None = open-ended) for a reduction from 1 June 2026 with
# neither hours, percent nor end given.
STANDARD = [
    ("LONG_TERM_SICKNESS", D(37), D(37), None),
    ("SPECIAL_LEAVE", D("22.50"), D("22.50"), None),
    ("OTHER_PAID_LEAVE", D(37), D(37), None),
    ("OTHER_UNPAID_LEAVE", D(30), D(30), None),
    ("MATERNITY_LEAVE", D(37), D(37), dt.date(2026, 11, 30)),
    ("ADOPTION_LEAVE", D(37), D(37), dt.date(2026, 11, 30)),
    ("PQIP_FIRST_6_MONTHS", D(37), D("29.60"), dt.date(2026, 11, 30)),
    ("PQIP_6_TO_12_MONTHS", D(37), D("22.20"), dt.date(2026, 11, 30)),
    ("PQIP_12_TO_18_MONTHS", D(37), D("14.80"), dt.date(2026, 11, 30)),
    ("NEWLY_QUALIFIED_OFFICER", D(37), D("7.40"), dt.date(2027, 2, 28)),
    ("NEWLY_QUALIFIED_OFFICER", D("22.50"), D("4.50"), dt.date(2027, 2, 28)),
    ("PSO_LEARNING_AND_DEVELOPMENT", D("18.50"), D("3.70"), dt.date(2026, 11, 30)),
]


@pytest.mark.parametrize(("reason", "contracted", "hours", "end"), STANDARD)
def test_a_reason_with_a_standard_percentage_and_length_needs_only_its_start(admin, reason, contracted, hours, end):
    staff = factories.StaffFactory(contracted_hours=contracted)
    reduction = add(staff, admin, reason=reason)
    reduction.refresh_from_db()
    rule = workload.REDUCTION_REASONS[workload.ReductionReason(reason)]
    assert (reduction.hours, reduction.percent, reduction.end) == (hours, rule.default_percent, end)
    assert reduction.created_by == admin


@pytest.mark.parametrize(("contracted", "percent", "hours"), [
    (D(37), D(40), D("14.80")),
    (D("22.50"), D(33), D("7.43")),  # 7.425 rounds half-up
    (D("22.50"), D("33.3"), D("7.49")),  # 7.4925
    (D(30), D(100), D(30)),
])
def test_hours_from_a_percentage_are_the_engines(admin, contracted, percent, hours):
    staff = factories.StaffFactory(contracted_hours=contracted)
    reduction = add(staff, admin, reason="PHASED_RETURN", percent=percent, end=dt.date(2026, 7, 31))
    assert reduction.hours == hours == workload.Reduction(percent=percent).hours_for(contracted)


def test_a_given_end_replaces_the_standard_length(admin, po):
    reduction = add(po, admin, reason="MATERNITY_LEAVE", end=dt.date(2027, 5, 31))
    assert reduction.end == dt.date(2027, 5, 31)


def test_trade_union_time_is_open_ended_up_to_half_the_contracted_hours(admin, po):
    assert add(po, admin, reason="TRADE_UNION_FACILITY_TIME", hours=D("18.50")).end is None
    errors = errors_of(lambda: add(po, admin, reason="TRADE_UNION_FACILITY_TIME", hours=D("18.51")))
    assert errors == {"hours": "Hours for trade union facility time must be 18.50 or fewer "
                               "(50% of 37.00 contracted hours)"}
    assert errors_of(lambda: add(po, admin, reason="TRADE_UNION_FACILITY_TIME", percent=51)) == {
        "percent": reductions.PERCENT_OVER_REASON.format(reason="trade union facility time", maximum=D(50))}


@pytest.mark.parametrize(("kwargs", "errors"), [
    pytest.param({"reason": "COURT_DUTY", "hours": D(8)}, {"end": workload.END_REQUIRED}, id="entered-needs-end"),
    pytest.param({"reason": "COURT_DUTY", "percent": 20, "end": START}, {"end": workload.END_NOT_AFTER_START},
                 id="end-on-start"),
    pytest.param({"reason": "SPECIAL_LEAVE", "end": dt.date(2026, 5, 1)}, {"end": workload.END_NOT_AFTER_START},
                 id="end-before-start"),
    pytest.param({"reason": "COURT_DUTY", "hours": D(38), "end": dt.date(2026, 9, 1)},
                 {"hours": workload.HOURS_OUT_OF_RANGE}, id="hours-over-37"),
    pytest.param({"reason": "COURT_DUTY", "hours": D(-1), "end": dt.date(2026, 9, 1)},
                 {"hours": workload.HOURS_OUT_OF_RANGE}, id="hours-negative"),
    pytest.param({"reason": "PQIP_FIRST_6_MONTHS", "hours": D("29.61")},
                 {"hours": "Hours for pqip first 6 months must be 29.60 or fewer (80% of 37.00 contracted hours)"},
                 id="over-reason-maximum"),
    pytest.param({"reason": "NEWLY_QUALIFIED_OFFICER", "percent": 25},
                 {"percent": "Percentage for newly qualified officer must be 20% or less"}, id="percent-over-reason"),
    pytest.param({"reason": "COURT_DUTY", "percent": 101, "end": dt.date(2026, 9, 1)},
                 {"percent": "Percentage must be between 0 and 100"}, id="percent-over-100"),
    pytest.param({"reason": "COURT_DUTY", "end": dt.date(2026, 9, 1)}, {"hours": reductions.HOURS_REQUIRED},
                 id="entered-needs-hours"),
    pytest.param({"reason": "COURT_DUTY", "hours": D(5), "percent": 20, "end": dt.date(2026, 9, 1)},
                 {"hours": reductions.HOURS_OR_PERCENT}, id="hours-and-percent-disagree"),
    pytest.param({"reason": "LONG_TERM_SICKNESS", "notes": "x" * 4000}, {"notes": workload.NOTES_TOO_LONG},
                 id="notes-4000"),
    pytest.param({"reason": "OTHER", "hours": D(4), "end": dt.date(2026, 9, 1)}, {"notes": reductions.DETAIL_REQUIRED},
                 id="other-needs-detail"),
    pytest.param({"reason": "HOLIDAY"}, {"reason": reductions.REASON_REQUIRED}, id="unknown-reason"),
    pytest.param({"reason": "COURT_DUTY", "start": None}, {"start": reductions.START_REQUIRED}, id="no-start"),
])
def test_invalid_reductions_are_refused_with_a_message_for_the_field(admin, po, kwargs, errors):
    assert errors_of(lambda: add(po, admin, **kwargs)) == errors
    assert not Reduction.objects.exists()
    assert not AuditEvent.objects.exists()


def test_notes_of_3999_characters_and_other_with_its_detail_are_fine(admin, po):
    add(po, admin, reason="LONG_TERM_SICKNESS", notes="x" * 3999)
    add(po, admin, reason="OTHER", hours=D(4), end=dt.date(2026, 9, 1), notes="Mentoring new PQiPs")
    assert Reduction.objects.count() == 2


def test_hours_and_a_percentage_that_agree_are_accepted(admin, po):
    assert add(po, admin, reason="COURT_DUTY", hours=D("7.40"), percent=20, end=dt.date(2026, 9, 1)).percent == 20


def test_adding_writes_one_audit_row_with_the_values(admin, po):
    reduction = add(po, admin, reason="PQIP_FIRST_6_MONTHS")
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.object_type, event.object_id) == (
        "workforce.reduction_add", admin, "workforce.reduction", str(reduction.pk))
    assert event.after == {"staff": po.pk, "reason": "PQIP_FIRST_6_MONTHS", "hours": "29.60", "percent": "80",
                           "start": "2026-06-01", "end": "2026-11-30", "notes": ""}


# --- Who may change reductions ------------------------------------------------------------------


def test_the_team_spo_and_the_head_of_pdu_may_add_reductions(team, po):
    spo = factories.SpoFactory(team=team)
    head = factories.HeadOfPduFactory()
    factories.grant(head, "HEAD_OF_PDU", pdu=team.pdu)
    add(po, spo.user, reason="LONG_TERM_SICKNESS")
    add(po, head.user, reason="SPECIAL_LEAVE", end=dt.date(2026, 6, 30))
    assert Reduction.objects.count() == 2


def test_a_practitioner_or_another_teams_spo_may_not(team, po):
    other_spo = factories.SpoFactory(team=factories.TeamFactory())
    for by in (po.user, factories.StaffFactory(team=team).user, other_spo.user):
        with pytest.raises(NotPermittedError):
            add(po, by, reason="LONG_TERM_SICKNESS")
    assert not AuditEvent.objects.exists()


# --- Changing and ending --------------------------------------------------------------------------


def test_changing_bumps_the_version_and_audits_before_and_after(admin, po):
    reduction = add(po, admin, reason="COURT_DUTY", percent=20, end=dt.date(2026, 9, 30))
    changed = services.change_reduction(reduction=reduction, by=admin, expected_version=1, percent=40,
                                        today=TODAY)
    assert (changed.version, changed.hours, changed.percent) == (2, D("14.80"), D(40))
    event = AuditEvent.objects.get(action="workforce.reduction_change")
    assert (event.before, event.after) == ({"hours": "7.40", "percent": "20.00"},
                                           {"hours": "14.80", "percent": "40"})


def test_entering_hours_replaces_the_percentage(admin, po):
    reduction = add(po, admin, reason="COURT_DUTY", percent=20, end=dt.date(2026, 9, 30))
    changed = services.change_reduction(reduction=reduction, by=admin, expected_version=1, hours=D(6), today=TODAY)
    assert (changed.hours, changed.percent) == (D(6), None)


def test_a_new_fixed_percentage_reason_brings_its_percentage(admin, po):
    reduction = add(po, admin, reason="PQIP_FIRST_6_MONTHS")
    changed = services.change_reduction(reduction=reduction, by=admin, expected_version=1,
                                        reason="PQIP_6_TO_12_MONTHS", today=TODAY)
    assert (changed.hours, changed.percent) == (D("22.20"), D(60))


def test_a_stale_change_is_refused_and_writes_nothing(admin, po):
    reduction = add(po, admin, reason="COURT_DUTY", hours=D(5), end=dt.date(2026, 9, 30))
    services.change_reduction(reduction=reduction, by=admin, expected_version=1, notes="First", today=TODAY)
    with pytest.raises(ConcurrentEditError):
        services.change_reduction(reduction=reduction, by=admin, expected_version=1, hours=D(9), today=TODAY)
    reduction.refresh_from_db()
    assert (reduction.hours, reduction.notes, reduction.version) == (D(5), "First", 2)
    assert AuditEvent.objects.filter(action="workforce.reduction_change").count() == 1


def test_an_invalid_change_is_refused(admin, po):
    reduction = add(po, admin, reason="NEWLY_QUALIFIED_OFFICER")
    assert errors_of(lambda: services.change_reduction(reduction=reduction, by=admin, expected_version=1,
                                                       end=START, today=TODAY)) == {"end": workload.END_NOT_AFTER_START}
    assert reduction.version == Reduction.objects.get().version == 1


def test_a_change_that_changes_nothing_is_not_audited(admin, po):
    reduction = add(po, admin, reason="LONG_TERM_SICKNESS")
    services.change_reduction(reduction=reduction, by=admin, expected_version=1, notes="", today=TODAY)
    assert AuditEvent.objects.filter(action="workforce.reduction_change").count() == 0


def test_ending_a_reduction_today_archives_it_tomorrow(admin, po):
    reduction = add(po, admin, reason="LONG_TERM_SICKNESS")
    ended = services.end_reduction(reduction=reduction, by=admin, today=TODAY)
    assert (ended.end, ended.version) == (TODAY, 2)
    assert ended.status(TODAY) == "ACTIVE"
    assert ended.status(TODAY + dt.timedelta(days=1)) == "ARCHIVED"
    event = AuditEvent.objects.get(action="workforce.reduction_end")
    assert (event.before, event.after) == ({"end": None}, {"end": "2026-07-15"})


def test_ending_checks_the_version_when_given_and_the_dates(admin, po):
    reduction = add(po, admin, reason="LONG_TERM_SICKNESS")
    with pytest.raises(ConcurrentEditError):
        services.end_reduction(reduction=reduction, by=admin, expected_version=7, today=TODAY)
    assert errors_of(lambda: services.end_reduction(reduction=reduction, by=admin, end=dt.date(2026, 5, 1),
                                                    today=TODAY)) == {"end": workload.END_NOT_AFTER_START}


def test_a_practitioner_may_not_end_their_own_reduction(admin, po):
    reduction = add(po, admin, reason="LONG_TERM_SICKNESS")
    with pytest.raises(NotPermittedError):
        services.end_reduction(reduction=reduction, by=po.user, today=TODAY)


# --- Selector -------------------------------------------------------------------------------------


def test_active_reduction_hours_in_one_query(django_assert_num_queries):
    part_time = factories.StaffFactory(contracted_hours=D("22.50"))
    pqip = factories.PqipFactory()
    nobody = factories.StaffFactory()
    # Two active for the part-timer: 100% + 4 hours → capped at the 22.50 contracted.
    factories.ReductionFactory(staff=part_time, start=dt.date(2026, 1, 1))
    factories.ReductionFactory(staff=part_time, reason="COURT_DUTY", percent=None, hours=D(4),
                               start=dt.date(2026, 7, 1), end=dt.date(2026, 12, 31))
    # The PQiP: an archived band, the active band and a scheduled one.
    for reason, start, end, hours in [("PQIP_FIRST_6_MONTHS", dt.date(2025, 12, 1), dt.date(2026, 5, 31), D("29.60")),
                                      ("PQIP_6_TO_12_MONTHS", START, dt.date(2026, 11, 30), D("22.20")),
                                      ("PQIP_12_TO_18_MONTHS", dt.date(2026, 12, 1), dt.date(2027, 5, 31), D("14.80"))]:
        factories.ReductionFactory(staff=pqip, reason=reason, percent=None, hours=hours, start=start, end=end)
    ids = [part_time.pk, pqip.pk, nobody.pk, 999_999]
    with django_assert_num_queries(1):
        hours = active_reduction_hours(ids, TODAY)
    assert hours == {part_time.pk: D("22.50"), pqip.pk: D("22.20"), nobody.pk: D(0), 999_999: D(0)}
    assert workload.available_points(part_time.contracted_hours, hours[part_time.pk]) == 0
    assert active_reduction_hours([pqip.pk], dt.date(2026, 11, 30)) == {pqip.pk: D("22.20")}
    assert active_reduction_hours([pqip.pk], dt.date(2026, 12, 1)) == {pqip.pk: D("14.80")}


def test_active_reduction_hours_for_nobody_asks_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert active_reduction_hours([], TODAY) == {}
