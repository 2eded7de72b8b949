"""Workload (rules.md §2): case points, reductions, available points and capacity.

Pure functions with exact arithmetic (``Decimal``/``Fraction``, never float rounding): capacity is
rounded half-up to one decimal place, so 15 ÷ 102 → 14.7 and an exact x.x5 always rounds up.
``handle`` implements the ``workload`` JSON contract (docs/contracts.md).

Interpretations of rules.md text that admits more than one reading (also in README.md):

- The points table is data (``PointsTable``) that administrators edit; ``DEFAULT_POINTS_TABLE`` is
  rules.md §2.1. A tier with an ``S`` suffix and an untiered case (tier None) score 0.
- The 18–24 row replaces the case-type row for every case type when the person is 18–24.
- Reduction hours given as a percentage are ``min(round(contracted × percent / 100, 2), contracted)``
  (half-up); hours given directly are taken as entered. The total of all reductions is capped at the
  contracted hours, so available points never go below 0 (``available_points`` also clamps at 0).
- 2,176 points for 37 hours applies to every grade: rules.md names PO, PQiP and PSO and gives no
  other figure for an SPO's own caseload.
- A reduction is active from its start date to its end date inclusive: scheduled before the start,
  archived from the day after the end; no end date means open-ended (still active).
- "Within the reason's maximum": hours must not exceed the reason's maximum percentage of the
  practitioner's contracted hours (the listed percentage for fixed-percentage reasons, 50% for
  trade-union facility time, 100% for entered reasons), rounded half-up to 2 places.
- "Notes under 4,000 characters" means at most 3,999.
- Capacity "no capacity" (zero available points) is None; None is never over a threshold and breaks
  a run of excessive weeks, because the thresholds are defined on a percentage. "Sustained" means
  the latest four weekly readings are all over 110%.
- A fixed-length reason's suggested end date is the day before its monthly anniversary (1 January
  + 6 months → 30 June); when the anniversary month is too short (31 August + 6 months) the period
  runs to that month's last day.
- Contract extensions: a reduction may name its ``reason`` (then it must be within the reason's
  maximum); court report counts are capped at 1,000 per request as a sanity bound.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType
from typing import Annotated, Any

from pydantic import Field, create_model, model_validator

from casework.rules.calendar import add_months
from casework.rules.contract import ContractError
from casework.rules.schema import Choice, ContractModel, contract_handler, matching, parse, problem

RULES_VERSION = "workload-2026.1"

FULL_TIME_HOURS = Decimal(37)
FULL_TIME_POINTS = 2176
STANDARD_COURT_REPORT_POINTS = 138
FAST_COURT_REPORT_POINTS = 65
OVER_CAPACITY_PERCENT = Decimal(100)
EXCESSIVE_PERCENT = Decimal(110)
SUSTAINED_WEEKS = 4
MAX_REDUCTION_HOURS = Decimal(37)
MAX_NOTES_LENGTH = 3999
#: Sanity bound on court reports in one request, so absurd counts are rejected, not priced.
MAX_COURT_REPORTS = 1000

#: Every two-axis tier, in the order of the rules.md table.
TWO_AXIS_TIERS: tuple[str, ...] = tuple(f"{p}{c}" for p in "ABCD" for c in "3210")
TIER_PATTERN = re.compile(r"^[A-D][0-3]S?$")


class Grade(StrEnum):
    PO = "PO"
    PQIP = "PQIP"
    PSO = "PSO"
    SPO = "SPO"


class CaseType(StrEnum):
    COMMUNITY = "COMMUNITY"
    LICENCE = "LICENCE"
    CUSTODY = "CUSTODY"


# --- Points table -----------------------------------------------------------------------------------

_ROW_NAMES = ("community", "licence", "custody", "age_18_to_24")
_REPORT_NAMES = ("standard_court_report", "fast_court_report")

_Points = Annotated[int, Field(ge=0)]

#: Points for each of the 16 two-axis tiers (A3 … D0), every one required.
TierPoints = create_model(
    "TierPoints", __base__=ContractModel, __doc__="Points for each two-axis tier, A3 to D0.",
    **dict.fromkeys(TWO_AXIS_TIERS, (_Points, ...)),
)


class PointsTableData(ContractModel):
    """A points table as stored and edited (rules.md §2.1)."""

    community: TierPoints  # type: ignore[valid-type]
    licence: TierPoints  # type: ignore[valid-type]
    custody: TierPoints  # type: ignore[valid-type]
    age_18_to_24: TierPoints  # type: ignore[valid-type]
    standard_court_report: _Points
    fast_court_report: _Points


def _row(values: Sequence[int]) -> Mapping[str, int]:
    return MappingProxyType(dict(zip(TWO_AXIS_TIERS, values, strict=True)))


@dataclass(frozen=True)
class PointsTable:
    """Points per case type and two-axis tier plus court report points (rules.md §2.1)."""

    community: Mapping[str, int]
    licence: Mapping[str, int]
    custody: Mapping[str, int]
    age_18_to_24: Mapping[str, int]
    standard_court_report: int
    fast_court_report: int

    def __post_init__(self) -> None:
        for name in _ROW_NAMES:
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))
        # Validates Python-built tables too, so an incomplete row can never reach case_points.
        PointsTable._check(self.to_dict())

    def row(self, case_type: CaseType, age_18_to_24: bool) -> Mapping[str, int]:
        """The row that prices a case: 18–24 for every type when the person is 18–24."""
        if age_18_to_24:
            return self.age_18_to_24
        return {CaseType.COMMUNITY: self.community, CaseType.LICENCE: self.licence,
                CaseType.CUSTODY: self.custody}[CaseType(case_type)]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able copy for storage and editing."""
        data: dict[str, Any] = {name: dict(getattr(self, name)) for name in _ROW_NAMES}
        data.update({name: getattr(self, name) for name in _REPORT_NAMES})
        return data

    @staticmethod
    def _check(data: Any) -> PointsTableData:
        return parse(PointsTableData, data)

    @classmethod
    def from_dict(cls, data: Any) -> PointsTable:
        """Validate an edited table (all 16 tiers per row, non-negative whole numbers); ContractError."""
        checked = cls._check(data).model_dump()
        return cls(**{name: checked[name] for name in (*_ROW_NAMES, *_REPORT_NAMES)})


DEFAULT_POINTS_TABLE = PointsTable(
    community=_row((206, 158, 146, 110, 146, 115, 102, 72, 79, 63, 50, 35, 51, 41, 29, 29)),
    licence=_row((219, 175, 163, 0, 161, 132, 119, 0, 77, 65, 52, 0, 51, 43, 31, 0)),
    custody=_row((75, 60, 59, 0, 59, 48, 47, 0, 30, 24, 23, 0, 17, 14, 13, 0)),
    age_18_to_24=_row((75, 60, 59, 0, 59, 48, 47, 0, 30, 24, 23, 0, 17, 14, 13, 0)),
    standard_court_report=STANDARD_COURT_REPORT_POINTS,
    fast_court_report=FAST_COURT_REPORT_POINTS,
)


def case_points(tier: str | None, case_type: CaseType, age_18_to_24: bool,
                table: PointsTable = DEFAULT_POINTS_TABLE) -> int:
    """Points for one case; untiered (None) and unsupervised (``S``) tiers score 0."""
    if tier is None:
        return 0
    if not TIER_PATTERN.match(tier):
        raise ValueError(f"{tier!r} is not a two-axis tier")
    if tier.endswith("S"):
        return 0
    return table.row(case_type, age_18_to_24)[tier]


def court_report_points(standard: int, fast: int, table: PointsTable = DEFAULT_POINTS_TABLE) -> int:
    """Points for pre-sentence reports in hand."""
    return standard * table.standard_court_report + fast * table.fast_court_report


@dataclass(frozen=True)
class CaseLoad:
    tier: str | None
    case_type: CaseType
    age_18_to_24: bool = False


def workload_points(cases: Iterable[CaseLoad], *, standard_reports: int = 0, fast_reports: int = 0,
                    table: PointsTable = DEFAULT_POINTS_TABLE) -> int:
    """Total points for a caseload and its court reports."""
    total = sum(case_points(c.tier, c.case_type, c.age_18_to_24, table) for c in cases)
    return total + court_report_points(standard_reports, fast_reports, table)


# --- Reductions and capacity ----------------------------------------------------------------------


def _dec(value: Decimal | int | float) -> Decimal:
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def _round2(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Reduction:
    """A reduction of contracted hours, given as ``hours`` or as ``percent`` — exactly one."""

    hours: Decimal | None = None
    percent: Decimal | None = None

    def __post_init__(self) -> None:
        if (self.hours is None) == (self.percent is None):
            raise ValueError("a reduction gives hours or percent, not both and not neither")
        if self.hours is not None:
            object.__setattr__(self, "hours", _dec(self.hours))
        if self.percent is not None:
            object.__setattr__(self, "percent", _dec(self.percent))

    def hours_for(self, contracted_hours: Decimal | int | float) -> Decimal:
        """Hours this reduction takes off (rules.md §2.3)."""
        contracted = _dec(contracted_hours)
        if self.hours is not None:
            return self.hours
        assert self.percent is not None
        return min(_round2(contracted * self.percent / 100), contracted)


def reduction_hours(contracted_hours: Decimal | int | float, reductions: Iterable[Reduction]) -> Decimal:
    """Total reduction hours, capped at the contracted hours."""
    contracted = _dec(contracted_hours)
    total = sum((r.hours_for(contracted) for r in reductions), Decimal(0))
    return min(total, contracted)


def available_points(contracted_hours: Decimal | int | float,
                     reduction_hours: Decimal | int | float = 0) -> int:
    """floor(2176 × (contracted − reductions) / 37), never below 0."""
    hours = Fraction(_dec(contracted_hours)) - Fraction(_dec(reduction_hours))
    return max(0, math.floor(FULL_TIME_POINTS * hours / Fraction(FULL_TIME_HOURS)))


def capacity_percent(points: int, available: int) -> Decimal | None:
    """points ÷ available × 100, half-up to 1 decimal place; None ("no capacity") when available is 0."""
    if available <= 0:
        return None
    exact = Fraction(points * 100, available)
    tenths = math.floor(exact * 10 + Fraction(1, 2))  # half-up (points are never negative)
    return Decimal(tenths) / 10


def projected_capacity(points: int, available: int, new_case_points: int, *,
                       already_holds: bool = False) -> Decimal | None:
    """Capacity after taking a case; unchanged if the practitioner already holds it."""
    return capacity_percent(points + (0 if already_holds else new_case_points), available)


def is_over_capacity(percent: Decimal | None) -> bool:
    """Over 100% (shown red on allocation)."""
    return percent is not None and percent > OVER_CAPACITY_PERCENT


def is_excessive(percent: Decimal | None) -> bool:
    """Over 110%: the Inspectorate's excessive workload marker."""
    return percent is not None and percent > EXCESSIVE_PERCENT


def excessive_streak(weekly: Sequence[Decimal | None]) -> int:
    """How many of the latest weekly readings (oldest first) in a row are over 110%."""
    count = 0
    for reading in reversed(weekly):
        if not is_excessive(reading):
            break
        count += 1
    return count


def is_sustained_excessive(weekly: Sequence[Decimal | None]) -> bool:
    """Over 110% in each of the latest four consecutive weekly readings (oldest first)."""
    return excessive_streak(weekly) >= SUSTAINED_WEEKS


# --- Reduction reasons (rules.md §2.3) -----------------------------------------------------------


class ReductionReason(StrEnum):
    LONG_TERM_SICKNESS = "LONG_TERM_SICKNESS"
    SPECIAL_LEAVE = "SPECIAL_LEAVE"
    OTHER_PAID_LEAVE = "OTHER_PAID_LEAVE"
    OTHER_UNPAID_LEAVE = "OTHER_UNPAID_LEAVE"
    MATERNITY_LEAVE = "MATERNITY_LEAVE"
    ADOPTION_LEAVE = "ADOPTION_LEAVE"
    PQIP_FIRST_6_MONTHS = "PQIP_FIRST_6_MONTHS"
    PQIP_6_TO_12_MONTHS = "PQIP_6_TO_12_MONTHS"
    PQIP_12_TO_18_MONTHS = "PQIP_12_TO_18_MONTHS"
    NEWLY_QUALIFIED_OFFICER = "NEWLY_QUALIFIED_OFFICER"
    PSO_LEARNING_AND_DEVELOPMENT = "PSO_LEARNING_AND_DEVELOPMENT"
    TRADE_UNION_FACILITY_TIME = "TRADE_UNION_FACILITY_TIME"
    DISABILITY = "DISABILITY"
    PHASED_RETURN = "PHASED_RETURN"
    CO_WORKING = "CO_WORKING"
    COURT_DUTY = "COURT_DUTY"
    OTHER = "OTHER"


@dataclass(frozen=True)
class ReasonRule:
    """One row of the reductions table.

    ``default_percent`` None means hours are entered; ``months`` None with ``open_ended`` means no
    end date is needed, and ``months`` None without it means the end date is entered.
    """

    label: str
    default_percent: Decimal | None
    max_percent: Decimal
    months: int | None
    open_ended: bool


def _rule(label: str, default: int | None, maximum: int, months: int | None, open_ended: bool) -> ReasonRule:
    default_percent = None if default is None else Decimal(default)
    return ReasonRule(label, default_percent, Decimal(maximum), months, open_ended)


R = ReductionReason
REDUCTION_REASONS: Mapping[ReductionReason, ReasonRule] = MappingProxyType({
    R.LONG_TERM_SICKNESS: _rule("Long-term sickness", 100, 100, None, True),
    R.SPECIAL_LEAVE: _rule("Special leave", 100, 100, None, True),
    R.OTHER_PAID_LEAVE: _rule("Other paid leave", 100, 100, None, True),
    R.OTHER_UNPAID_LEAVE: _rule("Other unpaid leave", 100, 100, None, True),
    R.MATERNITY_LEAVE: _rule("Maternity leave", 100, 100, 6, False),
    R.ADOPTION_LEAVE: _rule("Adoption leave", 100, 100, 6, False),
    R.PQIP_FIRST_6_MONTHS: _rule("PQiP first 6 months", 80, 80, 6, False),
    R.PQIP_6_TO_12_MONTHS: _rule("PQiP 6 to 12 months", 60, 60, 6, False),
    R.PQIP_12_TO_18_MONTHS: _rule("PQiP 12 to 18 months", 40, 40, 6, False),
    R.NEWLY_QUALIFIED_OFFICER: _rule("Newly qualified officer", 20, 20, 9, False),
    R.PSO_LEARNING_AND_DEVELOPMENT: _rule("PSO learning and development", 20, 20, 6, False),
    R.TRADE_UNION_FACILITY_TIME: _rule("Trade union facility time", None, 50, None, True),
    R.DISABILITY: _rule("Disability", None, 100, None, False),
    R.PHASED_RETURN: _rule("Phased return", None, 100, None, False),
    R.CO_WORKING: _rule("Co-working", None, 100, None, False),
    R.COURT_DUTY: _rule("Court duty", None, 100, None, False),
    R.OTHER: _rule("Other", None, 100, None, False),
})
del R


class ReductionStatus(StrEnum):
    SCHEDULED = "SCHEDULED"
    ACTIVE = "ACTIVE"
    ARCHIVED = "ARCHIVED"


def reason_max_hours(reason: ReductionReason, contracted_hours: Decimal | int | float) -> Decimal:
    """The most hours a reason allows for a practitioner's contracted hours."""
    contracted = _dec(contracted_hours)
    return min(_round2(contracted * REDUCTION_REASONS[reason].max_percent / 100), MAX_REDUCTION_HOURS)


def reason_default_hours(reason: ReductionReason, contracted_hours: Decimal | int | float) -> Decimal | None:
    """Hours a fixed-percentage reason gives by default; None when hours are entered."""
    rule = REDUCTION_REASONS[reason]
    if rule.default_percent is None:
        return None
    return Reduction(percent=rule.default_percent).hours_for(contracted_hours)


def default_end_date(reason: ReductionReason, start: dt.date) -> dt.date | None:
    """Suggested last day of a fixed-length reason: the day before the period's monthly anniversary."""
    months = REDUCTION_REASONS[reason].months
    if months is None:
        return None
    anniversary = add_months(start, months)
    if anniversary.day != start.day:
        # No anniversary that month (31 August + 6 months): the period runs to the month's end.
        return anniversary
    return anniversary - dt.timedelta(days=1)


# Messages are constants so forms and tests share them (GOV.UK style).
HOURS_OUT_OF_RANGE = "Hours must be between 0 and 37"
HOURS_OVER_REASON = ("Hours for {reason} must be {maximum} or fewer "
                     "({percent}% of {contracted} contracted hours)")
END_REQUIRED = "Enter an end date"
END_NOT_AFTER_START = "End date must be after the start date"
NOTES_TOO_LONG = "Notes must be 3,999 characters or fewer"


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


def validate_reduction(*, reason: ReductionReason, hours: Decimal | int | float,
                       contracted_hours: Decimal | int | float, start: dt.date, end: dt.date | None,
                       notes: str = "") -> tuple[Problem, ...]:
    """Every problem with a reduction as entered (empty when valid)."""
    problems = []
    value = _dec(hours)
    rule = REDUCTION_REASONS[reason]
    if not Decimal(0) <= value <= MAX_REDUCTION_HOURS:
        problems.append(Problem("hours", HOURS_OUT_OF_RANGE))
    else:
        maximum = reason_max_hours(reason, contracted_hours)
        if value > maximum:
            problems.append(Problem("hours", HOURS_OVER_REASON.format(
                reason=rule.label.lower(), maximum=maximum, percent=rule.max_percent,
                contracted=_dec(contracted_hours),
            )))
    if end is None:
        if not rule.open_ended:
            problems.append(Problem("end", END_REQUIRED))
    elif end <= start:
        problems.append(Problem("end", END_NOT_AFTER_START))
    if len(notes) > MAX_NOTES_LENGTH:
        problems.append(Problem("notes", NOTES_TOO_LONG))
    return tuple(problems)


def reduction_status(start: dt.date, end: dt.date | None, *, as_of: dt.date) -> ReductionStatus:
    """Scheduled before its start, active from start to end inclusive, archived after its end."""
    if as_of < start:
        return ReductionStatus.SCHEDULED
    if end is not None and as_of > end:
        return ReductionStatus.ARCHIVED
    return ReductionStatus.ACTIVE


# --- JSON contract ---------------------------------------------------------------------------------

#: A two-axis tier as the workload contract takes it: B2, or B2S when unsupervised.
Tier = matching(r"[A-D][0-3]S?", "must be a two-axis tier such as B2 or B2S, or null when untiered",
                example="B2")


class WorkloadReduction(ContractModel):
    """A reduction of contracted hours: ``hours`` or ``percent`` of contracted hours, not both."""

    hours: Annotated[float, Field(ge=0, le=float(MAX_REDUCTION_HOURS))] | None = None
    """Hours taken off each week, 0 to 37."""
    percent: Annotated[float, Field(ge=0, le=100)] | None = None
    """Percentage of contracted hours taken off, 0 to 100."""
    reason: Choice[ReductionReason] | None = None
    """Why (optional); when given, the hours must be within the reason's maximum."""

    @model_validator(mode="after")
    def _hours_or_percent(self) -> WorkloadReduction:
        if self.hours is not None and self.percent is not None:
            raise problem("give either hours or percent, not both")
        if self.hours is None and self.percent is None:
            raise problem("give either hours or percent")
        return self


class WorkloadCase(ContractModel):
    """One case held."""

    tier: Tier | None  # type: ignore[valid-type]
    """Two-axis tier (B2, or B2S when unsupervised); null when the case has no tier yet."""
    case_type: Choice[CaseType]
    """COMMUNITY, LICENCE or CUSTODY."""
    age_18_to_24: bool = False
    """Whether the person is aged 18 to 24 (then the 18–24 row prices the case)."""


class WorkloadCourtReports(ContractModel):
    """Pre-sentence reports in hand."""

    standard: Annotated[int, Field(ge=0, le=MAX_COURT_REPORTS)] = 0
    """Standard court reports."""
    fast: Annotated[int, Field(ge=0, le=MAX_COURT_REPORTS)] = 0
    """Fast (oral or short-format) court reports."""


class WorkloadRequest(ContractModel):
    """One practitioner's caseload and hours."""

    grade: Choice[Grade]
    """PO, PQIP, PSO or SPO."""
    contracted_hours: Annotated[float, Field(ge=0, le=float(FULL_TIME_HOURS))]
    """Contracted hours a week, 0 to 37."""
    reductions: list[WorkloadReduction] = []
    """Reductions in force."""
    cases: list[WorkloadCase]
    """Every case held."""
    court_reports: WorkloadCourtReports | None = None
    """Court reports in hand (none when left out)."""

    @model_validator(mode="after")
    def _within_reason_maximum(self) -> WorkloadRequest:
        contracted = _dec(self.contracted_hours)
        for index, item in enumerate(self.reductions):
            if item.reason is None:
                continue
            maximum = reason_max_hours(item.reason, contracted)
            if _reduction(item).hours_for(contracted) > maximum:
                rule = REDUCTION_REASONS[item.reason]
                name = "hours" if item.hours is not None else "percent"
                raise ContractError(f"reductions[{index}].{name}",
                                    f"is more than {rule.label.lower()} allows ({rule.max_percent}% of "
                                    f"contracted hours, {maximum} hours)")
        return self


class WorkloadResponse(ContractModel):
    """Points, capacity and reductions for the caseload."""

    points: int
    """Case points plus court report points."""
    available_points: int
    """floor(2176 × (contracted − reduction hours) ÷ 37), never below 0."""
    capacity_percent: float | None
    """points ÷ available points × 100, half up to one decimal place; null when available points are 0."""
    reduction_hours: float
    """Total reduction hours, capped at the contracted hours."""
    rules_version: str
    """The version of the workload rules that produced this answer."""


def _reduction(item: WorkloadReduction) -> Reduction:
    return Reduction(hours=None if item.hours is None else _dec(item.hours),
                     percent=None if item.percent is None else _dec(item.percent))


def workload(request: WorkloadRequest, *, table: PointsTable = DEFAULT_POINTS_TABLE) -> WorkloadResponse:
    """The ``workload`` contract. The grade is validated; every grade has the same full-time points."""
    contracted = _dec(request.contracted_hours)
    cases = [CaseLoad(c.tier, c.case_type, c.age_18_to_24) for c in request.cases]
    reports = request.court_reports or WorkloadCourtReports()
    points = workload_points(cases, standard_reports=reports.standard, fast_reports=reports.fast, table=table)
    hours = reduction_hours(contracted, [_reduction(r) for r in request.reductions])
    available = available_points(contracted, hours)
    capacity = capacity_percent(points, available)
    return WorkloadResponse(
        points=points,
        available_points=available,
        capacity_percent=None if capacity is None else float(capacity),
        reduction_hours=float(hours),
        rules_version=RULES_VERSION,
    )


#: ``handle(request, table=...)``: one request in, one response out (ContractError if invalid).
handle = contract_handler(WorkloadRequest, WorkloadResponse, workload)
