"""Workload rules (rules.md §2): every points cell, capacity rounding, reductions and the contract."""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casework.rules import workload
from casework.rules.contract import ContractError
from casework.rules.workload import (
    DEFAULT_POINTS_TABLE,
    END_NOT_AFTER_START,
    END_REQUIRED,
    HOURS_OUT_OF_RANGE,
    NOTES_TOO_LONG,
    REDUCTION_REASONS,
    CaseLoad,
    CaseType,
    PointsTable,
    Reduction,
    ReductionReason,
    ReductionStatus,
    available_points,
    capacity_percent,
    case_points,
    court_report_points,
    default_end_date,
    excessive_streak,
    is_excessive,
    is_over_capacity,
    is_sustained_excessive,
    projected_capacity,
    reason_default_hours,
    reason_max_hours,
    reduction_hours,
    reduction_status,
    validate_reduction,
    workload_points,
)

# rules.md §2.1, typed out again here so the test does not trust the module's own copy.
TIERS = ["A3", "A2", "A1", "A0", "B3", "B2", "B1", "B0", "C3", "C2", "C1", "C0", "D3", "D2", "D1", "D0"]
RULES_MD_TABLE = {
    "community": [206, 158, 146, 110, 146, 115, 102, 72, 79, 63, 50, 35, 51, 41, 29, 29],
    "licence": [219, 175, 163, 0, 161, 132, 119, 0, 77, 65, 52, 0, 51, 43, 31, 0],
    "custody": [75, 60, 59, 0, 59, 48, 47, 0, 30, 24, 23, 0, 17, 14, 13, 0],
    "age_18_to_24": [75, 60, 59, 0, 59, 48, 47, 0, 30, 24, 23, 0, 17, 14, 13, 0],
}
ROW_CASE_TYPE = {"community": CaseType.COMMUNITY, "licence": CaseType.LICENCE, "custody": CaseType.CUSTODY}


# --- §2.1 points ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case_type", "tier", "points"),
    [
        pytest.param(ROW_CASE_TYPE[row], tier, RULES_MD_TABLE[row][i], id=f"{row}-{tier}-{RULES_MD_TABLE[row][i]}")
        for row in ("community", "licence", "custody")
        for i, tier in enumerate(TIERS)
    ],
)
def test_every_case_type_cell(case_type: CaseType, tier: str, points: int) -> None:
    assert case_points(tier, case_type, False) == points


@pytest.mark.parametrize(
    ("case_type", "tier", "points"),
    [
        pytest.param(
            case_type,
            tier,
            RULES_MD_TABLE["age_18_to_24"][i],
            id=f"18-24-{case_type.value.lower()}-{tier}-{RULES_MD_TABLE['age_18_to_24'][i]}",
        )
        for case_type in CaseType
        for i, tier in enumerate(TIERS)
    ],
)
def test_every_18_to_24_cell_applies_to_every_case_type(case_type: CaseType, tier: str, points: int) -> None:
    assert case_points(tier, case_type, True) == points


def test_default_table_is_exactly_rules_md() -> None:
    data = DEFAULT_POINTS_TABLE.to_dict()
    assert {row: [data[row][t] for t in TIERS] for row in RULES_MD_TABLE} == RULES_MD_TABLE
    assert (data["standard_court_report"], data["fast_court_report"]) == (138, 65)


@pytest.mark.parametrize("tier", [pytest.param(f"{t}S", id=f"{t}S") for t in TIERS])
@pytest.mark.parametrize("case_type", [pytest.param(c, id=c.value.lower()) for c in CaseType])
def test_unsupervised_tiers_score_0(tier: str, case_type: CaseType) -> None:
    assert case_points(tier, case_type, False) == 0
    assert case_points(tier, case_type, True) == 0


def test_untiered_case_scores_0() -> None:
    assert case_points(None, CaseType.COMMUNITY, False) == 0


@pytest.mark.parametrize("tier", ["E1", "A4", "a3", "A3X", "", "B"])
def test_a_malformed_tier_is_an_error(tier: str) -> None:
    with pytest.raises(ValueError, match="is not a two-axis tier"):
        case_points(tier, CaseType.COMMUNITY, False)


@pytest.mark.parametrize(
    ("standard", "fast", "points"),
    [
        pytest.param(0, 0, 0, id="none"),
        pytest.param(1, 0, 138, id="one-standard-138"),
        pytest.param(0, 1, 65, id="one-fast-65"),
        pytest.param(2, 3, 2 * 138 + 3 * 65, id="mixed"),
    ],
)
def test_court_report_points(standard: int, fast: int, points: int) -> None:
    assert court_report_points(standard, fast) == points


def test_workload_points_adds_cases_and_reports() -> None:
    cases = [
        CaseLoad("B2", CaseType.COMMUNITY),
        CaseLoad("A3", CaseType.LICENCE, True),
        CaseLoad("C1S", CaseType.CUSTODY),
        CaseLoad(None, CaseType.COMMUNITY),
    ]
    assert workload_points(cases, standard_reports=1, fast_reports=1) == 115 + 75 + 0 + 0 + 138 + 65


# --- The points table as data ------------------------------------------------------------------------


def test_points_table_round_trips_through_json() -> None:
    data = json.loads(json.dumps(DEFAULT_POINTS_TABLE.to_dict()))
    assert PointsTable.from_dict(data) == DEFAULT_POINTS_TABLE


def test_an_edited_table_prices_cases() -> None:
    data = DEFAULT_POINTS_TABLE.to_dict()
    data["community"]["B2"] = 120
    data["standard_court_report"] = 150
    table = PointsTable.from_dict(data)
    assert case_points("B2", CaseType.COMMUNITY, False, table) == 120
    assert court_report_points(1, 0, table) == 150
    assert case_points("B2", CaseType.COMMUNITY, False) == 115  # the default is untouched


def test_the_default_table_cannot_be_mutated() -> None:
    with pytest.raises(TypeError):
        DEFAULT_POINTS_TABLE.community["A3"] = 1
    data = DEFAULT_POINTS_TABLE.to_dict()
    data["community"]["A3"] = 1
    assert DEFAULT_POINTS_TABLE.community["A3"] == 206


def _edited(path: str, value: Any) -> dict[str, Any]:
    data = DEFAULT_POINTS_TABLE.to_dict()
    *parents, last = path.split(".")
    target = data
    for part in parents:
        target = target[part]
    if value is _DELETE:
        del target[last]
    else:
        target[last] = value
    return data


_DELETE = object()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        pytest.param(_edited("community.A3", _DELETE), "community.A3", "is required", id="missing-tier"),
        pytest.param(_edited("custody.D0", -1), "custody.D0", "must be at least 0", id="negative"),
        pytest.param(_edited("licence.B1", 1.5), "licence.B1", "must be a whole number", id="fraction"),
        pytest.param(_edited("licence.B1", True), "licence.B1", "must be a number", id="boolean"),
        pytest.param(_edited("licence.B1", "119"), "licence.B1", "must be a number", id="string"),
        pytest.param(_edited("community.E1", 5), "community.E1", "is not a known field", id="extra-tier"),
        pytest.param(_edited("community.A3S", 5), "community.A3S", "is not a known field", id="s-tier-not-priced"),
        pytest.param(_edited("age_18_to_24", _DELETE), "age_18_to_24", "is required", id="missing-row"),
        pytest.param(_edited("youth", {}), "youth", "is not a known field", id="extra-row"),
        pytest.param(_edited("fast_court_report", _DELETE), "fast_court_report", "is required", id="missing-report"),
        pytest.param(
            _edited("standard_court_report", -5),
            "standard_court_report",
            "must be at least 0",
            id="negative-report",
        ),
    ],
)
def test_from_dict_rejects(data: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(ContractError) as caught:
        PointsTable.from_dict(data)
    assert (caught.value.field, message in caught.value.message) == (field, True)


def test_from_dict_rejects_a_non_object() -> None:
    with pytest.raises(ContractError, match="must be a JSON object"):
        PointsTable.from_dict([])


def test_a_python_built_table_is_validated_too() -> None:
    rows = {name: dict(getattr(DEFAULT_POINTS_TABLE, name)) for name in RULES_MD_TABLE}
    del rows["community"]["A3"]
    with pytest.raises(ContractError):
        PointsTable(**rows, standard_court_report=138, fast_court_report=65)


# --- §2.2 capacity -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("contracted", "reductions", "available"),
    [
        pytest.param(37, 0, 2176, id="full-time"),
        pytest.param(37, 37, 0, id="fully-reduced"),
        pytest.param(18.5, 0, 1088, id="half-time"),
        pytest.param(20, 0, 1176, id="20-hours-floor-1176.2"),
        pytest.param(37, Decimal("16.6"), 1199, id="contract-example-reductions-floor-1199.7"),
        pytest.param(37, Decimal("1.8"), 2070, id="1.8-hours-floor-2070.1"),
        pytest.param(Decimal("0.017"), 0, 0, id="tiny-floor-0.99"),
        pytest.param(Decimal("0.018"), 0, 1, id="tiny-floor-1.06"),
        pytest.param(0, 0, 0, id="no-hours"),
        pytest.param(10, 20, 0, id="reductions-over-contract-clamp-0"),
    ],
)
def test_available_points(contracted: Any, reductions: Any, available: int) -> None:
    assert available_points(contracted, reductions) == available


@pytest.mark.parametrize(
    ("points", "available", "percent"),
    [
        pytest.param(15, 102, "14.7", id="rules-md-15-of-102"),
        pytest.param(293, 2000, "14.7", id="14.65-rounds-up-float-would-not"),
        pytest.param(2929, 20000, "14.6", id="14.645-rounds-down"),
        pytest.param(1, 400, "0.3", id="0.25-half-up"),
        pytest.param(3, 400, "0.8", id="0.75-half-up"),
        pytest.param(1, 2000, "0.1", id="0.05-half-up"),
        pytest.param(99, 200000, "0.0", id="0.0495-down"),
        pytest.param(0, 2176, "0.0", id="no-points"),
        pytest.param(2176, 2176, "100.0", id="exactly-100"),
        pytest.param(2200, 2176, "101.1", id="over-100"),
        pytest.param(253, 2070, "12.2", id="contract-example-figures"),
    ],
)
def test_capacity_percent_rounds_half_up(points: int, available: int, percent: str) -> None:
    assert capacity_percent(points, available) == Decimal(percent)


def test_capacity_with_no_available_points_is_none() -> None:
    assert capacity_percent(100, 0) is None
    assert capacity_percent(0, 0) is None


@pytest.mark.parametrize(
    ("already_holds", "percent"),
    [
        pytest.param(False, "12.7", id="new-case-adds-points-276-of-2176"),
        pytest.param(True, "7.4", id="held-case-unchanged"),
    ],
)
def test_projected_capacity(already_holds: bool, percent: str) -> None:
    assert projected_capacity(161, 2176, 115, already_holds=already_holds) == Decimal(percent)


def test_projected_capacity_with_no_available_points_is_none() -> None:
    assert projected_capacity(0, 0, 115) is None


@pytest.mark.parametrize(
    ("percent", "over", "excessive"),
    [
        pytest.param("100.0", False, False, id="100.0"),
        pytest.param("100.1", True, False, id="100.1"),
        pytest.param("110.0", True, False, id="110.0"),
        pytest.param("110.1", True, True, id="110.1"),
        pytest.param(None, False, False, id="no-capacity"),
    ],
)
def test_thresholds(percent: str | None, over: bool, excessive: bool) -> None:
    value = None if percent is None else Decimal(percent)
    assert (is_over_capacity(value), is_excessive(value)) == (over, excessive)


def _weeks(*values: str | None) -> list[Decimal | None]:
    return [None if v is None else Decimal(v) for v in values]


@pytest.mark.parametrize(
    ("weekly", "streak", "sustained"),
    [
        pytest.param(_weeks("111", "111", "111", "111"), 4, True, id="four-weeks"),
        pytest.param(_weeks("90", "120", "111", "115", "110.1"), 4, True, id="four-latest-weeks"),
        pytest.param(_weeks("111", "111", "111"), 3, False, id="three-weeks"),
        pytest.param(_weeks("111", "111", "110.0", "111", "111"), 2, False, id="110-breaks-run"),
        pytest.param(_weeks("111", "111", "111", "111", "90"), 0, False, id="latest-week-not-excessive"),
        pytest.param(_weeks("111", "111", None, "111", "111"), 2, False, id="no-capacity-breaks-run"),
        pytest.param([], 0, False, id="no-readings"),
    ],
)
def test_sustained_excessive(weekly: list[Decimal | None], streak: int, sustained: bool) -> None:
    assert excessive_streak(weekly) == streak
    assert is_sustained_excessive(weekly) is sustained


# --- §2.3 reductions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("contracted", "reductions", "hours"),
    [
        pytest.param(37, [Reduction(hours=Decimal("1.8"))], "1.8", id="hours"),
        pytest.param(37, [Reduction(percent=Decimal(40))], "14.8", id="percent"),
        pytest.param(37, [Reduction(hours=Decimal("1.8")), Reduction(percent=40)], "16.6", id="contract-example"),
        pytest.param(Decimal("22.5"), [Reduction(percent=33)], "7.43", id="percent-rounds-half-up-7.425"),
        pytest.param(Decimal("22.5"), [Reduction(percent=Decimal("33.3"))], "7.49", id="percent-7.4925-down"),
        pytest.param(30, [Reduction(percent=100)], "30", id="100-percent-is-contracted"),
        pytest.param(30, [Reduction(percent=150)], "30", id="percent-capped-at-contracted"),
        pytest.param(37, [Reduction(hours=30), Reduction(hours=30)], "37", id="total-capped-at-contracted"),
        pytest.param(37, [], "0", id="none"),
    ],
)
def test_reduction_hours(contracted: Any, reductions: list[Reduction], hours: str) -> None:
    assert reduction_hours(contracted, reductions) == Decimal(hours)


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"hours": 1, "percent": 10}, id="both"),
        pytest.param({}, id="neither"),
    ],
)
def test_a_reduction_gives_hours_or_percent(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="hours or percent"):
        Reduction(**kwargs)


@pytest.mark.parametrize(
    ("reason", "default", "maximum", "months", "open_ended"),
    [
        pytest.param(ReductionReason.LONG_TERM_SICKNESS, 100, 100, None, True, id="long-term-sickness"),
        pytest.param(ReductionReason.SPECIAL_LEAVE, 100, 100, None, True, id="special-leave"),
        pytest.param(ReductionReason.OTHER_PAID_LEAVE, 100, 100, None, True, id="other-paid-leave"),
        pytest.param(ReductionReason.OTHER_UNPAID_LEAVE, 100, 100, None, True, id="other-unpaid-leave"),
        pytest.param(ReductionReason.MATERNITY_LEAVE, 100, 100, 6, False, id="maternity"),
        pytest.param(ReductionReason.ADOPTION_LEAVE, 100, 100, 6, False, id="adoption"),
        pytest.param(ReductionReason.PQIP_FIRST_6_MONTHS, 80, 80, 6, False, id="pqip-0-6"),
        pytest.param(ReductionReason.PQIP_6_TO_12_MONTHS, 60, 60, 6, False, id="pqip-6-12"),
        pytest.param(ReductionReason.PQIP_12_TO_18_MONTHS, 40, 40, 6, False, id="pqip-12-18"),
        pytest.param(ReductionReason.NEWLY_QUALIFIED_OFFICER, 20, 20, 9, False, id="nqo"),
        pytest.param(ReductionReason.PSO_LEARNING_AND_DEVELOPMENT, 20, 20, 6, False, id="pso-l-and-d"),
        pytest.param(ReductionReason.TRADE_UNION_FACILITY_TIME, None, 50, None, True, id="trade-union"),
        pytest.param(ReductionReason.DISABILITY, None, 100, None, False, id="disability"),
        pytest.param(ReductionReason.PHASED_RETURN, None, 100, None, False, id="phased-return"),
        pytest.param(ReductionReason.CO_WORKING, None, 100, None, False, id="co-working"),
        pytest.param(ReductionReason.COURT_DUTY, None, 100, None, False, id="court-duty"),
        pytest.param(ReductionReason.OTHER, None, 100, None, False, id="other"),
    ],
)
def test_reduction_reasons_table(
    reason: ReductionReason, default: int | None, maximum: int, months: int | None, open_ended: bool
) -> None:
    rule = REDUCTION_REASONS[reason]
    assert rule.default_percent == (None if default is None else Decimal(default))
    assert (rule.max_percent, rule.months, rule.open_ended) == (Decimal(maximum), months, open_ended)


def test_every_reason_has_a_rule() -> None:
    assert set(REDUCTION_REASONS) == set(ReductionReason)


@pytest.mark.parametrize(
    ("reason", "contracted", "hours"),
    [
        pytest.param(ReductionReason.PQIP_FIRST_6_MONTHS, 37, "29.6", id="pqip-80"),
        pytest.param(ReductionReason.PQIP_6_TO_12_MONTHS, 37, "22.2", id="pqip-60"),
        pytest.param(ReductionReason.PQIP_12_TO_18_MONTHS, 37, "14.8", id="pqip-40"),
        pytest.param(ReductionReason.NEWLY_QUALIFIED_OFFICER, 37, "7.4", id="nqo-20"),
        pytest.param(ReductionReason.LONG_TERM_SICKNESS, Decimal("22.5"), "22.5", id="sickness-part-time"),
        pytest.param(ReductionReason.PSO_LEARNING_AND_DEVELOPMENT, Decimal("22.5"), "4.5", id="pso-part-time"),
        pytest.param(ReductionReason.TRADE_UNION_FACILITY_TIME, 37, None, id="trade-union-entered"),
        pytest.param(ReductionReason.OTHER, 37, None, id="other-entered"),
    ],
)
def test_reason_default_hours(reason: ReductionReason, contracted: Any, hours: str | None) -> None:
    assert reason_default_hours(reason, contracted) == (None if hours is None else Decimal(hours))


START = dt.date(2026, 1, 1)


def _problems(**kwargs: Any) -> list[tuple[str, str]]:
    base: dict[str, Any] = {
        "reason": ReductionReason.OTHER,
        "hours": 5,
        "contracted_hours": 37,
        "start": START,
        "end": dt.date(2026, 3, 1),
        "notes": "",
    }
    base.update(kwargs)
    return [(p.field, p.message) for p in validate_reduction(**base)]


@pytest.mark.parametrize(
    ("kwargs", "problems"),
    [
        pytest.param({}, [], id="valid"),
        pytest.param({"hours": 0}, [], id="0-hours"),
        pytest.param({"hours": -1}, [("hours", HOURS_OUT_OF_RANGE)], id="negative-hours"),
        pytest.param({"hours": 37}, [], id="37-hours"),
        pytest.param({"hours": Decimal("37.01")}, [("hours", HOURS_OUT_OF_RANGE)], id="over-37-hours"),
        pytest.param({"reason": ReductionReason.PQIP_FIRST_6_MONTHS, "hours": Decimal("29.6")}, [], id="pqip-at-80"),
        pytest.param(
            {"reason": ReductionReason.PQIP_FIRST_6_MONTHS, "hours": Decimal("29.61")},
            [("hours", "Hours for pqip first 6 months must be 29.60 or fewer (80% of 37 contracted hours)")],
            id="pqip-over-80",
        ),
        pytest.param(
            {"reason": ReductionReason.TRADE_UNION_FACILITY_TIME, "hours": Decimal("18.5"), "end": None},
            [],
            id="trade-union-at-50",
        ),
        pytest.param(
            {"reason": ReductionReason.TRADE_UNION_FACILITY_TIME, "hours": Decimal("18.51"), "end": None},
            [
                (
                    "hours",
                    "Hours for trade union facility time must be 18.50 or fewer (50% of 37 contracted hours)",
                )
            ],
            id="trade-union-over-50",
        ),
        pytest.param(
            {"reason": ReductionReason.NEWLY_QUALIFIED_OFFICER, "hours": 5, "contracted_hours": 20},
            [
                (
                    "hours",
                    "Hours for newly qualified officer must be 4.00 or fewer (20% of 20 contracted hours)",
                )
            ],
            id="nqo-part-time-over-20",
        ),
        pytest.param({"end": START}, [("end", END_NOT_AFTER_START)], id="end-on-start"),
        pytest.param({"end": START - dt.timedelta(days=1)}, [("end", END_NOT_AFTER_START)], id="end-before-start"),
        pytest.param({"end": START + dt.timedelta(days=1)}, [], id="end-day-after-start"),
        pytest.param({"end": None}, [("end", END_REQUIRED)], id="entered-reason-needs-end"),
        pytest.param(
            {"reason": ReductionReason.MATERNITY_LEAVE, "end": None},
            [("end", END_REQUIRED)],
            id="fixed-length-reason-needs-end",
        ),
        pytest.param({"reason": ReductionReason.LONG_TERM_SICKNESS, "end": None}, [], id="open-ended-reason"),
        pytest.param({"notes": "x" * 3999}, [], id="notes-3999"),
        pytest.param({"notes": "x" * 4000}, [("notes", NOTES_TOO_LONG)], id="notes-4000"),
        pytest.param(
            {"hours": 40, "end": START, "notes": "x" * 4000},
            [("hours", HOURS_OUT_OF_RANGE), ("end", END_NOT_AFTER_START), ("notes", NOTES_TOO_LONG)],
            id="every-problem-reported",
        ),
    ],
)
def test_validate_reduction(kwargs: dict[str, Any], problems: list[tuple[str, str]]) -> None:
    assert _problems(**kwargs) == problems


def test_reason_max_hours_never_exceeds_37() -> None:
    assert reason_max_hours(ReductionReason.LONG_TERM_SICKNESS, 37) == Decimal(37)
    assert reason_max_hours(ReductionReason.TRADE_UNION_FACILITY_TIME, Decimal("22.5")) == Decimal("11.25")


@pytest.mark.parametrize(
    ("as_of", "end", "status"),
    [
        pytest.param(dt.date(2025, 12, 31), dt.date(2026, 3, 31), ReductionStatus.SCHEDULED, id="day-before-start"),
        pytest.param(START, dt.date(2026, 3, 31), ReductionStatus.ACTIVE, id="start-day"),
        pytest.param(dt.date(2026, 3, 31), dt.date(2026, 3, 31), ReductionStatus.ACTIVE, id="end-day"),
        pytest.param(dt.date(2026, 4, 1), dt.date(2026, 3, 31), ReductionStatus.ARCHIVED, id="day-after-end"),
        pytest.param(dt.date(2030, 1, 1), None, ReductionStatus.ACTIVE, id="open-ended"),
        pytest.param(dt.date(2025, 1, 1), None, ReductionStatus.SCHEDULED, id="open-ended-scheduled"),
    ],
)
def test_reduction_status(as_of: dt.date, end: dt.date | None, status: ReductionStatus) -> None:
    assert reduction_status(START, end, as_of=as_of) is status


@pytest.mark.parametrize(
    ("reason", "start", "end"),
    [
        pytest.param(ReductionReason.MATERNITY_LEAVE, dt.date(2026, 1, 1), dt.date(2026, 6, 30), id="6-months"),
        pytest.param(
            ReductionReason.NEWLY_QUALIFIED_OFFICER,
            dt.date(2026, 1, 15),
            dt.date(2026, 10, 14),
            id="9-months",
        ),
        pytest.param(
            ReductionReason.PQIP_FIRST_6_MONTHS,
            dt.date(2026, 8, 31),
            dt.date(2027, 2, 28),
            id="31-aug-runs-to-end-of-feb",
        ),
        pytest.param(
            ReductionReason.PQIP_FIRST_6_MONTHS,
            dt.date(2027, 8, 29),
            dt.date(2028, 2, 28),
            id="leap-year-day-before-29-feb",
        ),
        pytest.param(
            ReductionReason.PSO_LEARNING_AND_DEVELOPMENT,
            dt.date(2026, 7, 1),
            dt.date(2026, 12, 31),
            id="across-year-end",
        ),
        pytest.param(ReductionReason.LONG_TERM_SICKNESS, dt.date(2026, 1, 1), None, id="open-ended-none"),
        pytest.param(ReductionReason.OTHER, dt.date(2026, 1, 1), None, id="entered-none"),
    ],
)
def test_default_end_date(reason: ReductionReason, start: dt.date, end: dt.date | None) -> None:
    assert default_end_date(reason, start) == end


# --- The contract ------------------------------------------------------------------------------------

EXAMPLE: dict[str, Any] = {
    "grade": "PO",
    "contracted_hours": 37,
    "reductions": [{"hours": 1.8}, {"percent": 40}],
    "cases": [{"tier": "B2", "case_type": "COMMUNITY", "age_18_to_24": False}],
    "court_reports": {"standard": 1, "fast": 0},
}


def request(**overrides: Any) -> dict[str, Any]:
    data = copy.deepcopy(EXAMPLE)
    data.update(overrides)
    return data


def test_contract_example() -> None:
    # contracts.md shows available 2070 and capacity 12.2 next to reduction_hours 16.6; 2070 is what
    # 1.8 hours alone leaves (floor(2176 × 35.2 / 37)). With both reductions (16.6 hours) the rules
    # give floor(2176 × 20.4 / 37) = 1199 and 253 / 1199 = 21.1%. points and reduction_hours match.
    assert workload.handle(request()) == {
        "points": 253,
        "available_points": 1199,
        "capacity_percent": 21.1,
        "reduction_hours": 16.6,
        "rules_version": "workload-2026.1",
    }


def test_contract_example_figures_come_from_the_first_reduction_alone() -> None:
    response = workload.handle(request(reductions=[{"hours": 1.8}]))
    assert (response["available_points"], response["capacity_percent"]) == (2070, 12.2)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        pytest.param(
            {"reductions": [{"percent": 100}]},
            {"available_points": 0, "capacity_percent": None, "reduction_hours": 37.0},
            id="no-capacity-null",
        ),
        pytest.param(
            {"contracted_hours": 0, "reductions": []},
            {"available_points": 0, "capacity_percent": None},
            id="zero-hours-null",
        ),
        pytest.param(
            {"reductions": [{"hours": 30}, {"hours": 30}]},
            {"reduction_hours": 37.0, "available_points": 0},
            id="reductions-capped",
        ),
        pytest.param({"cases": [], "court_reports": {"fast": 2}}, {"points": 130}, id="fast-reports-only"),
        pytest.param(
            {"cases": [{"tier": "B2S", "case_type": "LICENCE"}], "court_reports": None},
            {"points": 0},
            id="unsupervised-0-and-defaults",
        ),
        pytest.param({"cases": [{"tier": None, "case_type": "LICENCE"}]}, {"points": 138}, id="untiered-0"),
        pytest.param(
            {"cases": [{"tier": "A3", "case_type": "LICENCE", "age_18_to_24": True}]},
            {"points": 75 + 138},
            id="18-24-row",
        ),
        pytest.param(
            {"reductions": [{"hours": 7.4, "reason": "NEWLY_QUALIFIED_OFFICER"}]},
            {"reduction_hours": 7.4},
            id="reason-within-max",
        ),
        pytest.param({"grade": "SPO"}, {"available_points": 1199}, id="spo-same-full-time-points"),
    ],
)
def test_contract_variants(overrides: dict[str, Any], expected: dict[str, Any]) -> None:
    data = request(**overrides)
    if data.get("court_reports") is None:
        del data["court_reports"]
    response = workload.handle(data)
    assert {k: response[k] for k in expected} == expected


def test_contract_optional_fields_may_be_left_out() -> None:
    response = workload.handle({"grade": "PSO", "contracted_hours": 37, "cases": []})
    assert response == {
        "points": 0,
        "available_points": 2176,
        "capacity_percent": 0.0,
        "reduction_hours": 0.0,
        "rules_version": "workload-2026.1",
    }


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        pytest.param({"grade": "ACO"}, "grade", "must be one of PO, PQIP, PSO, SPO", id="wrong-grade"),
        pytest.param({"contracted_hours": 38}, "contracted_hours", "must be at most 37", id="hours-over-37"),
        pytest.param({"contracted_hours": -1}, "contracted_hours", "must be at least 0", id="negative-hours"),
        pytest.param(
            {"reductions": [{"hours": 1, "percent": 10}]},
            "reductions[0]",
            "give either hours or percent, not both",
            id="reduction-both",
        ),
        pytest.param({"reductions": [{}]}, "reductions[0]", "give either hours or percent", id="reduction-neither"),
        pytest.param(
            {"reductions": [{"hours": 38}]},
            "reductions[0].hours",
            "must be at most 37",
            id="reduction-hours-over-37",
        ),
        pytest.param(
            {"reductions": [{"percent": 101}]},
            "reductions[0].percent",
            "must be at most 100",
            id="reduction-percent-over-100",
        ),
        pytest.param(
            {"reductions": [{"percent": -1}]},
            "reductions[0].percent",
            "must be at least 0",
            id="reduction-percent-negative",
        ),
        pytest.param(
            {"reductions": [{"hours": 1, "days": 2}]},
            "reductions[0].days",
            "is not a known field",
            id="reduction-unknown-field",
        ),
        pytest.param(
            {"reductions": [{"hours": 8, "reason": "NEWLY_QUALIFIED_OFFICER"}]},
            "reductions[0].hours",
            "is more than newly qualified officer allows (20% of contracted hours, 7.40 hours)",
            id="reduction-over-reason-max",
        ),
        pytest.param(
            {"reductions": [{"percent": 60, "reason": "TRADE_UNION_FACILITY_TIME"}]},
            "reductions[0].percent",
            "is more than trade union facility time allows",
            id="percent-over-reason",
        ),
        pytest.param(
            {"reductions": [{"hours": 1, "reason": "HOLIDAY"}]},
            "reductions[0].reason",
            "must be one of",
            id="unknown-reason",
        ),
        pytest.param({"reductions": {"hours": 1}}, "reductions", "must be a list", id="reductions-not-list"),
        pytest.param(
            {"cases": [{"tier": "E1", "case_type": "COMMUNITY"}]},
            "cases[0].tier",
            "must be a two-axis tier",
            id="tier-E1",
        ),
        pytest.param(
            {"cases": [{"tier": "A4", "case_type": "COMMUNITY"}]},
            "cases[0].tier",
            "must be a two-axis tier",
            id="tier-A4",
        ),
        pytest.param(
            {"cases": [{"tier": "B2", "case_type": "PRISON"}]},
            "cases[0].case_type",
            "must be one of COMMUNITY, LICENCE, CUSTODY",
            id="wrong-case-type",
        ),
        pytest.param(
            {"cases": [{"tier": "B2", "case_type": "COMMUNITY", "crn": "X1"}]},
            "cases[0].crn",
            "is not a known field",
            id="case-unknown-field",
        ),
        pytest.param({"cases": [{"case_type": "COMMUNITY"}]}, "cases[0].tier", "is required", id="case-tier-missing"),
        pytest.param(
            {"court_reports": {"standard": -1}},
            "court_reports.standard",
            "must be at least 0",
            id="negative-reports",
        ),
        pytest.param(
            {"court_reports": {"standard": 1.5}},
            "court_reports.standard",
            "must be a whole number",
            id="fractional-reports",
        ),
        pytest.param(
            {"court_reports": {"standard": 10**6}},
            "court_reports.standard",
            "must be at most 1000",
            id="absurd-reports",
        ),
        pytest.param(
            {"court_reports": {"oral": 1}},
            "court_reports.oral",
            "is not a known field",
            id="reports-unknown-field",
        ),
        pytest.param({"team": "T1"}, "team", "is not a known field", id="unknown-top-level"),
    ],
)
def test_contract_rejects(overrides: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(ContractError) as caught:
        workload.handle(request(**overrides))
    assert caught.value.field == field
    assert message in caught.value.message


def test_contract_rejects_missing_cases() -> None:
    data = request()
    del data["cases"]
    with pytest.raises(ContractError, match="cases: is required"):
        workload.handle(data)


# --- Properties -------------------------------------------------------------------------------------

hours_st = st.decimals(min_value=0, max_value=37, places=2)


@given(st.integers(0, 20000), st.integers(0, 20000), st.integers(1, 5000))
def test_capacity_never_falls_as_points_rise(a: int, b: int, available: int) -> None:
    low, high = sorted((a, b))
    before, after = capacity_percent(low, available), capacity_percent(high, available)
    assert before is not None and after is not None
    assert before <= after


@given(st.integers(0, 20000), hours_st, hours_st, hours_st)
def test_capacity_never_rises_with_more_contracted_hours(
    points: int, a: Decimal, b: Decimal, reductions: Decimal
) -> None:
    low, high = sorted((a, b))
    before = capacity_percent(points, available_points(low, min(reductions, low)))
    after = capacity_percent(points, available_points(high, min(reductions, low)))
    if before is not None and after is not None:
        assert after <= before
    if before is not None:
        assert after is not None  # more hours never take capacity away


@given(
    hours_st,
    st.lists(
        st.builds(Reduction, hours=hours_st)
        | st.builds(Reduction, percent=st.decimals(min_value=0, max_value=100, places=2)),
        max_size=5,
    ),
)
def test_available_points_are_never_negative(contracted: Decimal, reductions: list[Reduction]) -> None:
    hours = reduction_hours(contracted, reductions)
    assert Decimal(0) <= hours <= contracted
    assert 0 <= available_points(contracted, hours) <= 2176


@given(st.integers(0, 10**6), st.integers(1, 10**6))
def test_capacity_matches_a_high_precision_half_up_reference(points: int, available: int) -> None:
    with localcontext() as ctx:
        ctx.prec = 60
        reference = (Decimal(points) * 100 / Decimal(available)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assert capacity_percent(points, available) == reference


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
FIELD_NAMES = [*EXAMPLE, "hours", "percent", "reason", "tier", "case_type", "standard", "fast"]


@settings(max_examples=300)
@given(st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=8), json_values, max_size=8))
def test_handle_raises_only_contract_errors_on_arbitrary_json(data: dict[str, Any]) -> None:
    try:
        response = workload.handle(data)
    except ContractError:
        return
    json.dumps(response, allow_nan=False)


@settings(max_examples=300)
@given(
    st.sampled_from(["grade", "contracted_hours", "reductions", "cases", "court_reports"]),
    json_values
    | st.sampled_from(
        [
            0,
            37,
            1e300,
            [{"hours": 37}],
            [{"percent": 100}],
            [{"tier": "A3", "case_type": "LICENCE"}],
            {"standard": 1000},
        ]
    ),
)
def test_handle_raises_only_contract_errors_on_mutated_requests(name: str, value: Any) -> None:
    data = request(**{name: value})
    try:
        response = workload.handle(data)
    except ContractError:
        return
    json.dumps(response, allow_nan=False)
    assert response["available_points"] >= 0
