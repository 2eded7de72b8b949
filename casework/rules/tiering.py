"""Tiering (rules.md §1): the two-axis tier (protect A–D + change 0–3) and the single A–G scale.

Pure functions: no Django, no I/O, no clock; the only date used (for the lifer rule) is ``as_of``.
``calculate_tier`` is the API used by services and pages; ``handle`` implements the ``tier`` JSON
contract (contracts.md) and ``handle_json`` writes its response as compact JSON (for the CLI).

Each rule is written once for reading (``protect_level``, ``change_level``, ``single_scale_tier``,
``read_request``, ``result_json``: the reference, which test_tiering.py pins to rules.md) and once
for speed (the "Fast path" section, used by ``calculate_tier``, ``handle`` and ``handle_json``, which
must recalculate a national caseload in seconds); test_tiering_fast.py proves on arbitrary inputs
that the two give exactly the same results, explanations and errors. The tables as data feed both;
a change to how a rule works must be made in both.

Interpretations of rules.md text that admits more than one reading (also in README.md):

- RSR bands are the closed ranges rules.md gives (7.00–99.99 → 20, 3.00–6.99 → 10, else 0). RSR is a
  two-decimal percentage, so the contract rejects more than two decimal places; that keeps values
  such as 6.995 (which fall between the ranges) out of the engine's input.
- When RoSH and RSR score the same, one of them is dropped (the explanation names RSR).
- A missing OGRS scores 0; a need missing from the assessment was not assessed and scores 0.
- Missing RoSH with MAPPA counts as "low/none" in single-scale rule 3 (→ E); rule (c) of the
  provisional flag then marks the tier provisional unless the other rules give A.
- Lifer/IPP (rule 4) needs both an ``INLL`` registration and a release date; without a date the
  rule gives no result, and a date without ``INLL`` is ignored. "Released ≤ N years ago" is measured
  in calendar years back from ``as_of`` (not 365-day blocks): released on or after the same day and
  month N years before ``as_of`` counts as within N years, so a release exactly one year ago is still
  B. When that day does not exist (``as_of`` on 29 February) the anniversary is 28 February. A
  release date after ``as_of`` (release imminent) counts as within the first year → B.
- A predictor is *static* when its ``*_static`` flag is true and *dynamic* when it is false; null
  means not known, which is neither: it starts no static rule (a)/(b), and in (d) it keeps the
  reoffending table out of "the other rules", which counts only when both predictors are known to
  be dynamic.
- Provisional (a)/(b): "the other rules" are every single-scale rule except the reoffending table
  (including MAPPA/RoSH). In (b) "the best tier the static one could give" is the reoffending table
  read with the static predictor at its maximum and the dynamic one at its score.
- Provisional (c): "the non-RoSH rules" are every rule except MAPPA/RoSH (rule 3), the reoffending
  table included, because rules.md limits the dynamic-only condition to (d). (The HMPPS service
  applies it in (c) too; the final flag differs only when a static flag is unknown, since with a
  known static predictor (a)/(b) already decide.)
- ``MISSING`` (ARP or CSRP missing) and ``NOT_SUPERVISED`` are not tiers, so they are never
  provisional; the status itself says an input is missing.
- Two-axis tiers are computed whether or not there is an active sentence; only the single scale
  reports ``NOT_SUPERVISED``.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from decimal import Decimal
from enum import StrEnum
from json.encoder import encode_basestring_ascii
from operator import attrgetter, getitem, itemgetter, mul
from types import MappingProxyType
from typing import Any, NamedTuple

from casework.rules.contract import ContractError, Fields, check_enum

RULES_VERSION = "tier-2026.1"


# --- Enumerations -------------------------------------------------------------------------------


class Gender(StrEnum):
    MALE = "MALE"
    FEMALE = "FEMALE"
    OTHER = "OTHER"
    NOT_KNOWN = "NOT_KNOWN"


class Rosh(StrEnum):
    """Risk of serious harm level, lowest first (``rank`` orders them)."""

    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    VERY_HIGH = "VERY_HIGH"

    @property
    def rank(self) -> int:
        return list(Rosh).index(self)

    @property
    def label(self) -> str:
        return self.value.lower().replace("_", " ")


class Need(StrEnum):
    ACCOMMODATION = "ACCOMMODATION"
    EDUCATION_TRAINING_EMPLOYMENT = "EDUCATION_TRAINING_EMPLOYMENT"
    RELATIONSHIPS = "RELATIONSHIPS"
    LIFESTYLE_AND_ASSOCIATES = "LIFESTYLE_AND_ASSOCIATES"
    DRUG_MISUSE = "DRUG_MISUSE"
    ALCOHOL_MISUSE = "ALCOHOL_MISUSE"
    THINKING_AND_BEHAVIOUR = "THINKING_AND_BEHAVIOUR"
    ATTITUDES = "ATTITUDES"
    FINANCE = "FINANCE"
    EMOTIONAL_WELLBEING = "EMOTIONAL_WELLBEING"

    @property
    def label(self) -> str:
        return _NEED_LABELS[self]


_NEED_LABELS = {
    Need.ACCOMMODATION: "Accommodation",
    Need.EDUCATION_TRAINING_EMPLOYMENT: "Education, training and employment",
    Need.RELATIONSHIPS: "Relationships",
    Need.LIFESTYLE_AND_ASSOCIATES: "Lifestyle and associates",
    Need.DRUG_MISUSE: "Drug misuse",
    Need.ALCOHOL_MISUSE: "Alcohol misuse",
    Need.THINKING_AND_BEHAVIOUR: "Thinking and behaviour",
    Need.ATTITUDES: "Attitudes",
    Need.FINANCE: "Finance",
    Need.EMOTIONAL_WELLBEING: "Emotional wellbeing",
}

#: rules.md §1.2 need weights.
NEED_WEIGHTS: Mapping[Need, int] = MappingProxyType({
    Need.THINKING_AND_BEHAVIOUR: 2,
    Need.ATTITUDES: 2,
    Need.ACCOMMODATION: 1,
    Need.EDUCATION_TRAINING_EMPLOYMENT: 1,
    Need.RELATIONSHIPS: 1,
    Need.LIFESTYLE_AND_ASSOCIATES: 1,
    Need.DRUG_MISUSE: 1,
    Need.ALCOHOL_MISUSE: 1,
    Need.FINANCE: 0,
    Need.EMOTIONAL_WELLBEING: 0,
})


class NeedSeverity(StrEnum):
    NO_NEED = "NO_NEED"
    STANDARD = "STANDARD"
    SEVERE = "SEVERE"


SEVERITY_SCORES: Mapping[NeedSeverity, int] = MappingProxyType({
    NeedSeverity.NO_NEED: 0,
    NeedSeverity.STANDARD: 1,
    NeedSeverity.SEVERE: 2,
})


class DcSrpBand(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    VERY_HIGH = "VERY_HIGH"
    NOT_APPLICABLE = "NOT_APPLICABLE"


class ProtectLevel(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"


class SingleScaleTier(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    F = "F"
    G = "G"
    NOT_SUPERVISED = "NOT_SUPERVISED"
    MISSING = "MISSING"


class SingleRule(StrEnum):
    """The single-scale rules of rules.md §1.3, in the order they are listed."""

    REOFFENDING = "REOFFENDING"
    DC_SRP = "DC_SRP"
    MAPPA_ROSH = "MAPPA_ROSH"
    LIFER_IPP = "LIFER_IPP"
    DOMESTIC_ABUSE = "DOMESTIC_ABUSE"
    STALKING = "STALKING"
    CHILD_PROTECTION = "CHILD_PROTECTION"
    SEXUAL_OFFENCE = "SEXUAL_OFFENCE"


class Registration(StrEnum):
    """nDelius registration codes the tier rules read (rules.md §1.2)."""

    RVHR = "RVHR"
    RHRH = "RHRH"
    RMRH = "RMRH"
    RLRH = "RLRH"
    MAPP = "MAPP"
    ADVP = "ADVP"
    REG30 = "REG30"
    SPO = "SPO"
    RCPR = "RCPR"
    RCCO = "RCCO"
    RCHD = "RCHD"
    INLL = "INLL"
    IIOM = "IIOM"
    PRC = "PRC"
    RMDO = "RMDO"
    ALSH = "ALSH"
    RVLN = "RVLN"
    RPIR = "RPIR"
    RVAD = "RVAD"
    STRG = "STRG"
    RTAO = "RTAO"

    @property
    def label(self) -> str:
        return _REGISTRATION_LABELS[self]


_REGISTRATION_LABELS = {
    Registration.RVHR: "RoSH very high",
    Registration.RHRH: "RoSH high",
    Registration.RMRH: "RoSH medium",
    Registration.RLRH: "RoSH low",
    Registration.MAPP: "MAPPA",
    Registration.ADVP: "domestic abuse perpetrator",
    Registration.REG30: "domestic abuse history",
    Registration.SPO: "stalking",
    Registration.RCPR: "child protection",
    Registration.RCCO: "child concerns",
    Registration.RCHD: "risk to children",
    Registration.INLL: "lifer/IPP",
    Registration.IIOM: "integrated offender management",
    Registration.PRC: "unsupervised",
    Registration.RMDO: "mental health issues",
    Registration.ALSH: "self-harm/suicide risk",
    Registration.RVLN: "vulnerability",
    Registration.RPIR: "public interest",
    Registration.RVAD: "adult at risk",
    Registration.STRG: "street gangs",
    Registration.RTAO: "terrorism",
}

#: RoSH registration codes; ``rosh`` is the authoritative field, these must agree with it.
ROSH_CODES: Mapping[Registration, Rosh] = MappingProxyType({
    Registration.RVHR: Rosh.VERY_HIGH,
    Registration.RHRH: Rosh.HIGH,
    Registration.RMRH: Rosh.MEDIUM,
    Registration.RLRH: Rosh.LOW,
})

#: Complexity registrations: 2 protect points each (rules.md §1.1), listed in rules.md order.
COMPLEXITY_CODES: tuple[Registration, ...] = (
    Registration.RMDO, Registration.ALSH, Registration.RVLN, Registration.RCCO, Registration.RCPR,
    Registration.RCHD, Registration.RPIR, Registration.RVAD, Registration.STRG, Registration.RTAO,
)

#: Single-scale rule 5: domestic abuse perpetrator or history.
DOMESTIC_ABUSE_CODES: tuple[Registration, ...] = (Registration.ADVP, Registration.REG30)


# --- Tables as data -----------------------------------------------------------------------------

ROSH_POINTS: Mapping[Rosh, int] = MappingProxyType({
    Rosh.VERY_HIGH: 150, Rosh.HIGH: 20, Rosh.MEDIUM: 10, Rosh.LOW: 0,
})
MAPPA_POINTS: Mapping[int, int] = MappingProxyType({3: 150, 2: 150, 1: 5})
RSR_SENTINEL = Decimal("999.99")
#: (lowest, highest, points), closed ranges as rules.md writes them.
RSR_BANDS: tuple[tuple[Decimal, Decimal, int], ...] = (
    (Decimal("7.00"), Decimal("99.99"), 20),
    (Decimal("3.00"), Decimal("6.99"), 10),
)
COMPLEXITY_POINTS = 2
WOMEN_FACTOR_POINTS = 2
IOM_POINTS = 2
#: (lowest points, level), highest first.
PROTECT_BANDS: tuple[tuple[int, ProtectLevel], ...] = (
    (150, ProtectLevel.A), (20, ProtectLevel.B), (10, ProtectLevel.C), (0, ProtectLevel.D),
)
CHANGE_BANDS: tuple[tuple[int, int], ...] = ((20, 3), (10, 2), (0, 1))
NO_MANDATE_LEVEL = 0
NO_ASSESSMENT_LEVEL = 2

CSRP_THRESHOLDS: tuple[Decimal, ...] = tuple(Decimal(x) for x in ("6.9", "3.0", "1.0", "0.5", "0"))
ARP_THRESHOLDS: tuple[Decimal, ...] = tuple(Decimal(x) for x in (90, 75, 50, 25, 15, 0))
#: Rows follow CSRP_THRESHOLDS, columns ARP_THRESHOLDS (rules.md §1.3 table 1).
REOFFENDING_TABLE: tuple[str, ...] = ("AABBBB", "ABCCCC", "BCDEEE", "CDEEFF", "DDEFFG")

#: DC-SRP medium band: (score at least, tier, note) — the pairs are without/with risk reduction.
DC_SRP_MEDIUM: tuple[tuple[Decimal, str, str], ...] = (
    (Decimal("3.36"), "C", "without risk reduction"),
    (Decimal("2.11"), "D", "without risk reduction"),
    (Decimal("1.12"), "C", "with risk reduction"),
    (Decimal("0.60"), "D", "with risk reduction"),
)
DC_SRP_BAND_TIERS: Mapping[DcSrpBand, str] = MappingProxyType({
    DcSrpBand.VERY_HIGH: "A", DcSrpBand.HIGH: "B", DcSrpBand.LOW: "E",
})
MAPPA_ROSH_TIERS: Mapping[Rosh | None, str] = MappingProxyType({
    Rosh.VERY_HIGH: "A", Rosh.HIGH: "C", Rosh.MEDIUM: "D", Rosh.LOW: "E", None: "E",
})
NO_MAPPA_ROSH_TIERS: Mapping[Rosh, str] = MappingProxyType({Rosh.VERY_HIGH: "C", Rosh.HIGH: "D"})
#: Lifer/IPP: (released within this many years of as_of, tier); older releases give LIFER_OLDER.
LIFER_BANDS: tuple[tuple[int, str], ...] = ((1, "B"), (5, "D"))
LIFER_OLDER = "E"

_LETTERS = "ABCDEFG"
_INFINITY = Decimal("Infinity")


# --- Inputs ---------------------------------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {value!r}")
    # str() first: Decimal(0.1) would carry the float's binary error into threshold comparisons.
    return Decimal(str(value))


@dataclass(frozen=True)
class Mappa:
    level: int
    category: int


@dataclass(frozen=True)
class WomenFactors:
    parenting: bool = False
    impulsivity_or_temper: bool = False
    breach_or_recall_last_year: bool = False


@dataclass(frozen=True)
class DcSrp:
    band: DcSrpBand | None
    score: Decimal | None

    def __post_init__(self) -> None:
        object.__setattr__(self, "score", _decimal(self.score))
        if self.band is not None:
            object.__setattr__(self, "band", DcSrpBand(self.band))


@dataclass(frozen=True)
class Predictors:
    """ARP/CSRP (percent) with their static flags (None = not known) and the DC-SRP."""

    arp: Decimal | None = None
    arp_static: bool | None = None
    csrp: Decimal | None = None
    csrp_static: bool | None = None
    dc_srp: DcSrp | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "arp", _decimal(self.arp))
        object.__setattr__(self, "csrp", _decimal(self.csrp))


@dataclass(frozen=True)
class Assessment:
    """The latest valid assessment; a need missing from ``needs`` was not assessed."""

    needs: Mapping[Need, NeedSeverity] = field(default_factory=dict)

    def __post_init__(self) -> None:
        needs = {Need(k): NeedSeverity(v) for k, v in self.needs.items()}
        object.__setattr__(self, "needs", MappingProxyType(needs))


@dataclass(frozen=True)
class TierInputs:
    """Everything the tier rules read; registrations are already resolved (no historic ones)."""

    gender: Gender
    active_sentence: bool
    rosh: Rosh | None = None
    rsr: Decimal | None = None
    mappa: Mappa | None = None
    registrations: frozenset[Registration] = frozenset()
    ogrs: int | None = None
    assessment: Assessment | None = None
    mandate_for_change: bool = True
    women: WomenFactors | None = None
    predictors: Predictors | None = None
    lifer_release_date: dt.date | None = None
    sexual_offence_history: bool = False
    unsupervised: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "gender", Gender(self.gender))
        if self.rosh is not None:
            object.__setattr__(self, "rosh", Rosh(self.rosh))
        object.__setattr__(self, "rsr", _decimal(self.rsr))
        regs = frozenset(Registration(code) for code in self.registrations)
        object.__setattr__(self, "registrations", regs)
        problem = registration_conflict(self.rosh, self.mappa, regs)
        if problem:
            raise ValueError(problem)

    def has(self, code: Registration) -> bool:
        """Whether the case has this (current) registration."""
        return code in self.registrations

    @property
    def is_unsupervised(self) -> bool:
        """Unsupervised by the flag or by a ``PRC`` registration (the ``S`` suffix)."""
        return self.unsupervised or Registration.PRC in self.registrations


def registration_conflict(rosh: Rosh | None, mappa: Mappa | None,
                          registrations: Iterable[Registration]) -> str | None:
    """Why RoSH/MAPPA registration codes disagree with the ``rosh``/``mappa`` fields, or None."""
    regs = set(registrations)
    rosh_codes = sorted(code.value for code in regs if code in ROSH_CODES)
    if len(rosh_codes) > 1:
        return (f"has more than one RoSH registration ({', '.join(rosh_codes)}); send only the latest")
    if rosh_codes:
        code_level = ROSH_CODES[Registration(rosh_codes[0])]
        if code_level != rosh:
            given = rosh.value if rosh else "null"
            return (f"has {rosh_codes[0]} ({code_level.label}) but rosh is {given}; "
                    "rosh is the authoritative field and must agree")
    if Registration.MAPP in regs and mappa is None:
        return "has MAPP but mappa is null; give the MAPPA level and category in mappa"
    return None


# --- Results --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Contribution:
    """One line of a points explanation: a factor key, its points, and a readable label."""

    factor: str
    points: int
    label: str


@dataclass(frozen=True)
class ProtectResult:
    level: ProtectLevel
    points: int
    breakdown: tuple[Contribution, ...]


@dataclass(frozen=True)
class ChangeResult:
    level: int
    points: int
    breakdown: tuple[Contribution, ...]


@dataclass(frozen=True)
class TwoAxisTier:
    tier: str
    protect: ProtectResult
    change: ChangeResult
    unsupervised: bool


@dataclass(frozen=True)
class RuleResult:
    """What one single-scale rule gave (``tier`` None = no result) and why."""

    rule: SingleRule
    tier: str | None
    label: str


@dataclass(frozen=True)
class SingleTier:
    tier: SingleScaleTier
    provisional: bool
    rule: SingleRule | None
    results: tuple[RuleResult, ...]
    provisional_reasons: tuple[str, ...]
    summary: str


@dataclass(frozen=True)
class TierResult:
    two_axis: TwoAxisTier
    single: SingleTier
    rules_version: str = RULES_VERSION


# --- Two-axis: protect ----------------------------------------------------------------------------


def rsr_points(rsr: Decimal | None) -> int:
    """RSR protect points (rules.md §1.1); missing, the 999.99 sentinel and out-of-band score 0."""
    if rsr is None or rsr == RSR_SENTINEL:
        return 0
    for low, high, points in RSR_BANDS:
        if low <= rsr <= high:
            return points
    return 0


def protect_band(points: int) -> ProtectLevel:
    """Protect level for a points total."""
    return next((level for low, level in PROTECT_BANDS if points >= low), ProtectLevel.D)


def protect_level(inputs: TierInputs) -> ProtectResult:
    """Protect level and points (rules.md §1.1) with a line per factor."""
    lines: list[Contribution] = []
    rosh_pts = ROSH_POINTS[inputs.rosh] if inputs.rosh else 0
    if inputs.rosh is None:
        lines.append(Contribution("ROSH", 0, "RoSH not assessed: 0"))
    else:
        lines.append(Contribution("ROSH", rosh_pts, f"RoSH {inputs.rosh.label}: {rosh_pts}"))

    rsr_pts = rsr_points(inputs.rsr)
    if inputs.rsr is None:
        rsr_label = "RSR missing: 0"
    elif inputs.rsr == RSR_SENTINEL:
        rsr_label = "RSR 999.99 (not calculated): 0"
    else:
        rsr_label = f"RSR {inputs.rsr:.2f}: {rsr_pts}"
    lines.append(Contribution("RSR", rsr_pts, rsr_label))

    dropped = min(rosh_pts, rsr_pts)
    if dropped:
        # Ties drop RSR: either would do, and naming one keeps the explanation definite.
        name = "RSR" if rsr_pts <= rosh_pts else "RoSH"
        lines.append(Contribution(
            "ROSH_RSR_LARGER_ONLY", -dropped,
            f"Only the larger of RoSH and RSR counts: {name} {dropped} dropped",
        ))

    if inputs.mappa is None:
        lines.append(Contribution("MAPPA", 0, "No MAPPA: 0"))
    else:
        pts = MAPPA_POINTS.get(inputs.mappa.level, 0)
        lines.append(Contribution(
            "MAPPA", pts, f"MAPPA level {inputs.mappa.level} (category {inputs.mappa.category}): {pts}",
        ))

    for code in COMPLEXITY_CODES:
        if code in inputs.registrations:
            lines.append(Contribution(
                f"COMPLEXITY_{code.value}", COMPLEXITY_POINTS,
                f"Complexity registration {code.value} ({code.label}): {COMPLEXITY_POINTS}",
            ))

    women = inputs.women or WomenFactors()
    women_lines = (
        ("WOMEN_PARENTING", women.parenting, "parenting responsibilities"),
        ("WOMEN_IMPULSIVITY_OR_TEMPER", women.impulsivity_or_temper,
         "impulsivity or temper control a problem"),
        ("WOMEN_BREACH_OR_RECALL", women.breach_or_recall_last_year,
         "breach or recall in the last 365 days"),
    )
    if inputs.gender is Gender.FEMALE:
        for key, present, text in women_lines:
            if present:
                lines.append(Contribution(key, WOMEN_FACTOR_POINTS, f"Women: {text}: {WOMEN_FACTOR_POINTS}"))
    elif any(present for _, present, _ in women_lines):
        lines.append(Contribution(
            "WOMEN_IGNORED", 0, f"Women-only factors ignored (gender {inputs.gender.value}): 0",
        ))

    points = sum(line.points for line in lines)
    return ProtectResult(protect_band(points), points, tuple(lines))


# --- Two-axis: change -----------------------------------------------------------------------------


def change_band(points: int) -> int:
    """Change level (1–3) for a points total with a mandate and an assessment."""
    return next((level for low, level in CHANGE_BANDS if points >= low), 1)


def change_level(inputs: TierInputs) -> ChangeResult:
    """Change level and points (rules.md §1.2) with a line per factor."""
    if not inputs.mandate_for_change:
        # rules.md: no mandate wins over no assessment.
        return ChangeResult(NO_MANDATE_LEVEL, 0, (
            Contribution("NO_MANDATE", 0, "No mandate for change: level 0"),
        ))
    if inputs.assessment is None:
        return ChangeResult(NO_ASSESSMENT_LEVEL, 0, (
            Contribution("NO_ASSESSMENT", 0, "No valid assessment: level 2 with 0 points"),
        ))
    lines: list[Contribution] = []
    for need in Need:
        severity = inputs.assessment.needs.get(need)
        if severity is None:
            continue
        score, weight = SEVERITY_SCORES[severity], NEED_WEIGHTS[need]
        lines.append(Contribution(
            f"NEED_{need.value}", score * weight,
            f"{need.label}: {severity.value.lower().replace('_', ' ')} ({score}) × weight {weight} "
            f"= {score * weight}",
        ))
    if inputs.ogrs is None:
        lines.append(Contribution("OGRS", 0, "OGRS missing: 0"))
    else:
        ogrs_pts = int(inputs.ogrs) // 10
        lines.append(Contribution("OGRS", ogrs_pts, f"OGRS {inputs.ogrs} ÷ 10, whole part: {ogrs_pts}"))
    if Registration.IIOM in inputs.registrations:
        lines.append(Contribution("IOM", IOM_POINTS, f"Integrated offender management (IIOM): {IOM_POINTS}"))
    points = sum(line.points for line in lines)
    return ChangeResult(change_band(points), points, tuple(lines))


def two_axis_tier(inputs: TierInputs) -> TwoAxisTier:
    """The two-axis tier, e.g. ``B2`` or ``B2S`` when unsupervised."""
    protect = protect_level(inputs)
    change = change_level(inputs)
    suffix = "S" if inputs.is_unsupervised else ""
    tier = f"{protect.level.value}{change.level}{suffix}"
    return TwoAxisTier(tier, protect, change, inputs.is_unsupervised)


# --- Single scale -----------------------------------------------------------------------------------


def _rank(letter: str) -> int:
    return _LETTERS.index(letter)


def _best(results: Iterable[RuleResult]) -> str | None:
    letters = [r.tier for r in results if r.tier is not None]
    return min(letters, key=_rank) if letters else None


def _reaches(tier: str | None, target: str) -> bool:
    return tier is not None and _rank(tier) <= _rank(target)


def reoffending_tier(arp: Decimal, csrp: Decimal) -> str:
    """Table 1 of rules.md §1.3: row by the first CSRP threshold reached, column by ARP."""
    row = next((i for i, t in enumerate(CSRP_THRESHOLDS) if csrp >= t), len(CSRP_THRESHOLDS) - 1)
    col = next((i for i, t in enumerate(ARP_THRESHOLDS) if arp >= t), len(ARP_THRESHOLDS) - 1)
    return REOFFENDING_TABLE[row][col]


def _reoffending_rule(arp: Decimal, csrp: Decimal) -> RuleResult:
    tier = reoffending_tier(arp, csrp)
    row = next((t for t in CSRP_THRESHOLDS if csrp >= t), CSRP_THRESHOLDS[-1])
    col = next((t for t in ARP_THRESHOLDS if arp >= t), ARP_THRESHOLDS[-1])
    return RuleResult(SingleRule.REOFFENDING, tier,
                      f"Reoffending table: CSRP {csrp} (row {row}+), ARP {arp} (column {col}+) → {tier}")


def _dc_srp_rule(dc: DcSrp | None) -> RuleResult | None:
    if dc is None:
        return None
    if dc.band is None or dc.band is DcSrpBand.NOT_APPLICABLE:
        return RuleResult(SingleRule.DC_SRP, None, "DC-SRP ignored: no band or band not applicable")
    if dc.score is None or dc.score <= 0:
        return RuleResult(SingleRule.DC_SRP, None, "DC-SRP ignored: score not above 0")
    band = dc.band.value.lower().replace("_", " ")
    if dc.band is DcSrpBand.MEDIUM:
        for threshold, tier, note in DC_SRP_MEDIUM:
            if dc.score >= threshold:
                return RuleResult(SingleRule.DC_SRP, tier,
                                  f"DC-SRP medium, score {dc.score} ≥ {threshold} ({note}) → {tier}")
        # rules.md has no entry for a medium band below 0.60; the contract rejects it.
        return RuleResult(SingleRule.DC_SRP, None, f"DC-SRP medium, score {dc.score} below 0.60: no result")
    tier = DC_SRP_BAND_TIERS[dc.band]
    return RuleResult(SingleRule.DC_SRP, tier, f"DC-SRP {band} → {tier}")


def _mappa_rosh_rule(inputs: TierInputs) -> RuleResult:
    rosh_text = f"RoSH {inputs.rosh.label}" if inputs.rosh else "RoSH not assessed"
    if inputs.mappa is not None:
        tier = MAPPA_ROSH_TIERS[inputs.rosh]
        return RuleResult(SingleRule.MAPPA_ROSH, tier, f"MAPPA with {rosh_text} → {tier}")
    no_mappa_tier = NO_MAPPA_ROSH_TIERS.get(inputs.rosh) if inputs.rosh else None
    if no_mappa_tier is None:
        return RuleResult(SingleRule.MAPPA_ROSH, None, f"No MAPPA, {rosh_text}: no result")
    return RuleResult(SingleRule.MAPPA_ROSH, no_mappa_tier, f"No MAPPA, {rosh_text} → {no_mappa_tier}")


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day and month ``years`` earlier; 29 February becomes 28 February."""
    if day.year - years < dt.MINYEAR:
        return dt.date.min  # nothing can be earlier, and date() cannot go below year 1
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _lifer_rule(inputs: TierInputs, as_of: dt.date) -> RuleResult | None:
    if Registration.INLL not in inputs.registrations:
        return None
    released = inputs.lifer_release_date
    if released is None:
        return RuleResult(SingleRule.LIFER_IPP, None, "Lifer/IPP (INLL) without a release date: no result")
    for years, tier in LIFER_BANDS:
        if released >= years_before(as_of, years):
            when = "after as_of" if released > as_of else f"within {years} year{'s' if years > 1 else ''}"
            return RuleResult(SingleRule.LIFER_IPP, tier,
                              f"Lifer/IPP released {released.isoformat()} ({when}) → {tier}")
    return RuleResult(SingleRule.LIFER_IPP, LIFER_OLDER,
                      f"Lifer/IPP released {released.isoformat()} (over {LIFER_BANDS[-1][0]} years ago) "
                      f"→ {LIFER_OLDER}")


def _registration_rules(inputs: TierInputs) -> list[RuleResult]:
    results = []
    for code in DOMESTIC_ABUSE_CODES:
        if code in inputs.registrations:
            label = f"{code.label.capitalize()} ({code.value}) → E"
            results.append(RuleResult(SingleRule.DOMESTIC_ABUSE, "E", label))
    if Registration.SPO in inputs.registrations:
        results.append(RuleResult(SingleRule.STALKING, "F", "Stalking (SPO) → F"))
    if Registration.RCPR in inputs.registrations:
        results.append(RuleResult(SingleRule.CHILD_PROTECTION, "F", "Child protection (RCPR) → F"))
    if inputs.sexual_offence_history:
        results.append(RuleResult(SingleRule.SEXUAL_OFFENCE, "E", "Sexual offence in history → E"))
    return results


def _provisional_reasons(inputs: TierInputs, results: list[RuleResult]) -> list[str]:
    predictors = inputs.predictors
    assert predictors is not None and predictors.arp is not None and predictors.csrp is not None
    arp_static = predictors.arp_static is True
    csrp_static = predictors.csrp_static is True
    both_dynamic = predictors.arp_static is False and predictors.csrp_static is False
    others = _best(r for r in results if r.rule is not SingleRule.REOFFENDING)
    reasons = []
    if arp_static and csrp_static:
        if not _reaches(others, "A"):
            reasons.append("(a) ARP and CSRP are both static and no other rule gives A")
    elif arp_static or csrp_static:
        best_static = reoffending_tier(
            _INFINITY if arp_static else predictors.arp, _INFINITY if csrp_static else predictors.csrp,
        )
        if not _reaches(others, best_static):
            which = "ARP" if arp_static else "CSRP"
            reasons.append(f"(b) {which} is static and could give {best_static}; no other rule reaches it")
    if inputs.rosh is None:
        non_rosh = [r for r in results if r.rule is not SingleRule.MAPPA_ROSH]
        if inputs.mappa is not None:
            if not _reaches(_best(non_rosh), "A"):
                reasons.append("(c) RoSH missing with MAPPA and the rules other than MAPPA/RoSH "
                               "do not give A")
        else:
            counted = [r for r in non_rosh if r.rule is not SingleRule.REOFFENDING or both_dynamic]
            if not _reaches(_best(counted), "C"):
                reasons.append("(d) RoSH missing without MAPPA and the rules other than MAPPA/RoSH do not "
                               "give C or higher" + ("" if both_dynamic else
                                                     " (reoffending table not counted: predictors not "
                                                     "both dynamic)"))
    return reasons


def single_scale_tier(inputs: TierInputs, *, as_of: dt.date) -> SingleTier:
    """The single-scale tier A–G (rules.md §1.3) with the provisional flag and every rule's result."""
    if not inputs.active_sentence:
        return SingleTier(SingleScaleTier.NOT_SUPERVISED, False, None, (), (),
                          "No active sentence: not supervised")
    predictors = inputs.predictors or Predictors()
    others: list[RuleResult] = [
        r for r in (
            _dc_srp_rule(predictors.dc_srp), _mappa_rosh_rule(inputs), _lifer_rule(inputs, as_of),
        ) if r is not None
    ]
    others.extend(_registration_rules(inputs))
    missing = [name for name, value in (("ARP", predictors.arp), ("CSRP", predictors.csrp)) if value is None]
    if missing:
        note = RuleResult(SingleRule.REOFFENDING, None,
                          f"Reoffending table: {' and '.join(missing)} missing")
        return SingleTier(SingleScaleTier.MISSING, False, None, (note, *others), (),
                          f"{' and '.join(missing)} missing: tier cannot be calculated")
    assert predictors.arp is not None and predictors.csrp is not None
    results = [_reoffending_rule(predictors.arp, predictors.csrp), *others]
    best = _best(results)
    assert best is not None  # the reoffending table always gives a tier
    rule = next(r for r in results if r.tier == best)
    reasons = _provisional_reasons(inputs, results)
    summary = f"Tier {best}: {rule.label}"
    return SingleTier(SingleScaleTier(best), bool(reasons), rule.rule, tuple(results), tuple(reasons),
                      summary)


def calculate_tier_reference(inputs: TierInputs, *, as_of: dt.date) -> TierResult:
    """Both tiers by the reference steps above (one readable function per rule).

    ``calculate_tier`` gives exactly this result faster; tests/rules/test_tiering_fast.py checks that.
    """
    return TierResult(two_axis_tier(inputs), single_scale_tier(inputs, as_of=as_of))


# --- Fast path --------------------------------------------------------------------------------------
#
# calculate_tier and handle answer a whole caseload at a time (245,000 people), so they do not run
# the reference steps above. They apply the same rules from tables made once, at import, from the
# same data: every explanation line that does not depend on a free-form number is built here, keyed
# by plain strings (an enum member hashes and compares as its string value, so members and the
# strings of a JSON request find the same entries), and the per-case work avoids enum attribute and
# property look-ups, generators and repeated formatting. tests/rules/test_tiering_fast.py proves on
# arbitrary inputs that results, explanations and errors are exactly the reference's.

#: Bound on each memo below, so odd inputs given through the Python API cannot grow them without end.
_MEMO_LIMIT = 1 << 16

_new_object = object.__new__
#: The result classes the fast path makes without their __init__, with the fields it sets, in order.
_FAST_MADE = {
    RuleResult: ("rule", "tier", "label"),
    ProtectResult: ("level", "points", "breakdown"),
    ChangeResult: ("level", "points", "breakdown"),
    TwoAxisTier: ("tier", "protect", "change", "unsupervised"),
    SingleTier: ("tier", "provisional", "rule", "results", "provisional_reasons", "summary"),
    TierResult: ("two_axis", "single", "rules_version"),
}
for _cls, _names in _FAST_MADE.items():
    assert tuple(f.name for f in dataclass_fields(_cls)) == _names and not hasattr(_cls, "__post_init__"), _cls
del _cls, _names

_ROSH_LINES: dict[str | None, Contribution] = {None: Contribution("ROSH", 0, "RoSH not assessed: 0")}
_ROSH_LINES.update({
    rosh.value: Contribution("ROSH", ROSH_POINTS[rosh], f"RoSH {rosh.label}: {ROSH_POINTS[rosh]}") for rosh in Rosh
})
_RSR_MISSING_LINE = Contribution("RSR", 0, "RSR missing: 0")
_RSR_SENTINEL_LINE = Contribution("RSR", 0, "RSR 999.99 (not calculated): 0")
#: RSR line by ``str(rsr)``: the line is a function of the exact decimal, which its string keeps.
_RSR_LINES: dict[str, Contribution] = {}
_DROPPED_LINES: dict[tuple[int, int], Contribution] = {}
for _rosh_pts in {0, *ROSH_POINTS.values()}:
    for _rsr_pts in {0, *(points for _, _, points in RSR_BANDS)}:
        _dropped = min(_rosh_pts, _rsr_pts)
        if _dropped:
            _DROPPED_LINES[_rosh_pts, _rsr_pts] = Contribution(
                "ROSH_RSR_LARGER_ONLY", -_dropped,
                f"Only the larger of RoSH and RSR counts: {'RSR' if _rsr_pts <= _rosh_pts else 'RoSH'} "
                f"{_dropped} dropped",
            )
del _rosh_pts, _rsr_pts, _dropped
_NO_MAPPA_LINE = Contribution("MAPPA", 0, "No MAPPA: 0")
_MAPPA_LINES: dict[tuple[int, int], Contribution] = {}
_COMPLEXITY_LINES: tuple[tuple[str, Contribution], ...] = tuple(
    (code.value, Contribution(f"COMPLEXITY_{code.value}", COMPLEXITY_POINTS,
                              f"Complexity registration {code.value} ({code.label}): {COMPLEXITY_POINTS}"))
    for code in COMPLEXITY_CODES
)
_WOMEN_LINES: tuple[Contribution, ...] = tuple(
    Contribution(key, WOMEN_FACTOR_POINTS, f"Women: {text}: {WOMEN_FACTOR_POINTS}") for key, text in (
        ("WOMEN_PARENTING", "parenting responsibilities"),
        ("WOMEN_IMPULSIVITY_OR_TEMPER", "impulsivity or temper control a problem"),
        ("WOMEN_BREACH_OR_RECALL", "breach or recall in the last 365 days"),
    )
)
_WOMEN_IGNORED_LINES: dict[str, Contribution] = {
    gender.value: Contribution("WOMEN_IGNORED", 0, f"Women-only factors ignored (gender {gender.value}): 0")
    for gender in Gender
}
_FEMALE = Gender.FEMALE.value
_points_of = attrgetter("points")
_label_of = attrgetter("label")
#: (protect level, its letter) by points, up to past the highest band; more points use protect_band.
_PROTECT_BY_POINTS: tuple[tuple[ProtectLevel, str], ...] = tuple(
    (protect_band(points), protect_band(points).value) for points in range(PROTECT_BANDS[0][0] * 4)
)

_NO_MANDATE_CHANGE = (NO_MANDATE_LEVEL, 0, (Contribution("NO_MANDATE", 0, "No mandate for change: level 0"),))
_NO_ASSESSMENT_CHANGE = (NO_ASSESSMENT_LEVEL, 0, (
    Contribution("NO_ASSESSMENT", 0, "No valid assessment: level 2 with 0 points"),
))
#: Per need, in ``Need`` order: the line for each severity.
_NEED_LINES: tuple[tuple[str, dict[str, Contribution]], ...] = tuple(
    (need.value, {
        severity.value: Contribution(
            f"NEED_{need.value}", SEVERITY_SCORES[severity] * NEED_WEIGHTS[need],
            f"{need.label}: {severity.value.lower().replace('_', ' ')} ({SEVERITY_SCORES[severity]}) "
            f"× weight {NEED_WEIGHTS[need]} = {SEVERITY_SCORES[severity] * NEED_WEIGHTS[need]}",
        ) for severity in NeedSeverity
    }) for need in Need
)
#: Change level by points, up to past the highest band; more points use change_band.
_CHANGE_BY_POINTS: tuple[int, ...] = tuple(change_band(points) for points in range(CHANGE_BANDS[0][0] * 4))
_NEED_ORDER: tuple[str, ...] = tuple(need for need, _ in _NEED_LINES)
#: Per need, in Need order: line by severity, and None for a need not assessed.
_NEED_TABLES: tuple[dict[str | None, Contribution | None], ...] = tuple(
    {None: None, **by_severity} for _, by_severity in _NEED_LINES
)
_NEED_MEMBER_ORDER: tuple[Need, ...] = tuple(Need)
_NEED_MEMBER_TABLES: tuple[dict[NeedSeverity | None, Contribution | None], ...] = tuple(
    {None: None, **{NeedSeverity(severity): line for severity, line in by_severity.items()}}
    for _, by_severity in _NEED_LINES
)
#: Change points by need and severity.
_NEED_POINTS: dict[str, int] = dict(NEED_WEIGHTS)
_SEVERITY_POINTS: dict[str, int] = dict(SEVERITY_SCORES)
_OGRS_MISSING_LINE = Contribution("OGRS", 0, "OGRS missing: 0")
_OGRS_LINES: dict[int, Contribution] = {
    ogrs: Contribution("OGRS", ogrs // 10, f"OGRS {ogrs} ÷ 10, whole part: {ogrs // 10}") for ogrs in range(101)
}
_IOM_LINE = Contribution("IOM", IOM_POINTS, f"Integrated offender management (IIOM): {IOM_POINTS}")

_NOT_SUPERVISED = (SingleScaleTier.NOT_SUPERVISED.value, False, None, (), (), "No active sentence: not supervised")
_NOT_SUPERVISED_UNEXPLAINED = (SingleScaleTier.NOT_SUPERVISED.value, False, None, (), (), "")
_MISSING_UNEXPLAINED = (SingleScaleTier.MISSING.value, False, None, (), (), "")
_MISSING_PREDICTORS: dict[tuple[bool, bool], tuple[RuleResult, str]] = {}
for _arp_missing, _csrp_missing in ((True, False), (False, True), (True, True)):
    _names = " and ".join(name for name, absent in (("ARP", _arp_missing), ("CSRP", _csrp_missing)) if absent)
    _MISSING_PREDICTORS[_arp_missing, _csrp_missing] = (
        RuleResult(SingleRule.REOFFENDING, None, f"Reoffending table: {_names} missing"),
        f"{_names} missing: tier cannot be calculated",
    )
del _arp_missing, _csrp_missing, _names
# Table 1 by bisection: with k thresholds at or below a score, its row (or column) is the k-th from
# the end of the (descending) thresholds, or the last when k is 0.
assert list(CSRP_THRESHOLDS) == sorted(CSRP_THRESHOLDS, reverse=True)
assert list(ARP_THRESHOLDS) == sorted(ARP_THRESHOLDS, reverse=True)
_CSRP_ASCENDING: tuple[Decimal, ...] = CSRP_THRESHOLDS[::-1]
_ARP_ASCENDING: tuple[Decimal, ...] = ARP_THRESHOLDS[::-1]
_CSRP_ROW: tuple[int, ...] = (len(CSRP_THRESHOLDS) - 1, *range(len(CSRP_THRESHOLDS) - 1, -1, -1))
_ARP_COLUMN: tuple[int, ...] = (len(ARP_THRESHOLDS) - 1, *range(len(ARP_THRESHOLDS) - 1, -1, -1))
#: The reoffending line's text around ARP, by row and column: "Reoffending table: CSRP {csrp}" +
#: middle + "{arp}" + end.
_REOFFENDING_TEXT: tuple[tuple[tuple[str, str], ...], ...] = tuple(
    tuple((f" (row {row_from}+), ARP ", f" (column {column_from}+) → {REOFFENDING_TABLE[row][column]}")
          for column, column_from in enumerate(ARP_THRESHOLDS))
    for row, row_from in enumerate(CSRP_THRESHOLDS)
)
_DC_NO_BAND = RuleResult(SingleRule.DC_SRP, None, "DC-SRP ignored: no band or band not applicable")
_DC_NO_SCORE = RuleResult(SingleRule.DC_SRP, None, "DC-SRP ignored: score not above 0")
_DC_BAND_RESULTS: dict[str, RuleResult] = {
    band.value: RuleResult(SingleRule.DC_SRP, tier, f"DC-SRP {band.value.lower().replace('_', ' ')} → {tier}")
    for band, tier in DC_SRP_BAND_TIERS.items()
}
_NOT_APPLICABLE = DcSrpBand.NOT_APPLICABLE.value
_MEDIUM = DcSrpBand.MEDIUM.value
_MAPPA_ROSH_RESULTS: dict[str | None, RuleResult] = {}
_NO_MAPPA_ROSH_RESULTS: dict[str | None, RuleResult] = {}
for _rosh in (None, *Rosh):
    _text = f"RoSH {_rosh.label}" if _rosh else "RoSH not assessed"
    _key = _rosh.value if _rosh else None
    _MAPPA_ROSH_RESULTS[_key] = RuleResult(
        SingleRule.MAPPA_ROSH, MAPPA_ROSH_TIERS[_rosh], f"MAPPA with {_text} → {MAPPA_ROSH_TIERS[_rosh]}",
    )
    _tier = NO_MAPPA_ROSH_TIERS.get(_rosh) if _rosh else None
    _NO_MAPPA_ROSH_RESULTS[_key] = RuleResult(
        SingleRule.MAPPA_ROSH, _tier,
        f"No MAPPA, {_text}: no result" if _tier is None else f"No MAPPA, {_text} → {_tier}",
    )
del _rosh, _text, _key, _tier
_LIFER_NO_DATE = RuleResult(SingleRule.LIFER_IPP, None, "Lifer/IPP (INLL) without a release date: no result")
_DOMESTIC_ABUSE_RESULTS: tuple[tuple[str, RuleResult], ...] = tuple(
    (code.value, RuleResult(SingleRule.DOMESTIC_ABUSE, "E", f"{code.label.capitalize()} ({code.value}) → E"))
    for code in DOMESTIC_ABUSE_CODES
)
_STALKING = RuleResult(SingleRule.STALKING, "F", "Stalking (SPO) → F")
_CHILD_PROTECTION = RuleResult(SingleRule.CHILD_PROTECTION, "F", "Child protection (RCPR) → F")
_SEXUAL_OFFENCE = RuleResult(SingleRule.SEXUAL_OFFENCE, "E", "Sexual offence in history → E")
_REASON_A = "(a) ARP and CSRP are both static and no other rule gives A"
_REASONS_B: dict[tuple[str, str], str] = {
    (which, tier): f"(b) {which} is static and could give {tier}; no other rule reaches it"
    for which in ("ARP", "CSRP") for tier in _LETTERS
}
_REASON_C = "(c) RoSH missing with MAPPA and the rules other than MAPPA/RoSH do not give A"
_REASON_D = "(d) RoSH missing without MAPPA and the rules other than MAPPA/RoSH do not give C or higher"
_REASON_D_NOT_COUNTED = _REASON_D + " (reoffending table not counted: predictors not both dynamic)"
#: Worse than any tier: stands for "no result" where rule results are compared.
_NO_TIER = "H"

_REOFFENDING = SingleRule.REOFFENDING
_SINGLE_TIERS: dict[str, SingleScaleTier] = {tier.value: tier for tier in SingleScaleTier}


def _rsr_line(key: str, rsr: Decimal) -> Contribution:
    """The RSR line for ``rsr`` (``key`` is ``str(rsr)``), made once per distinct value."""
    line = _RSR_LINES.get(key)
    if line is None:
        if rsr == RSR_SENTINEL:
            line = _RSR_SENTINEL_LINE
        else:
            points = rsr_points(rsr)
            line = Contribution("RSR", points, f"RSR {rsr:.2f}: {points}")
        # Kept only when the label rounds nothing (at most two decimal places, no exponent), as the
        # rounding of the decimal context in force would otherwise change it.
        dot = key.find(".")
        if ((dot < 0 or len(key) - dot <= 3) and "E" not in key and "e" not in key
                and len(_RSR_LINES) < _MEMO_LIMIT):
            _RSR_LINES[key] = line
    return line


class _RegistrationProfile(NamedTuple):
    """What a set of registration codes does to the tier, worked out once per distinct set."""

    complexity: tuple[Contribution, ...]  # protect lines, in COMPLEXITY_CODES order
    complexity_points: int
    iom: bool
    unsupervised: bool  # PRC
    lifer: bool  # INLL
    rules: tuple[RuleResult, ...]  # domestic abuse, stalking and child protection, in rule order
    rules_best: str  # the best tier of ``rules``, or _NO_TIER


_REGISTRATION_PROFILES: dict[frozenset[str], _RegistrationProfile] = {}


def _registration_profile(registrations: frozenset[str]) -> _RegistrationProfile:
    profile = _REGISTRATION_PROFILES.get(registrations)
    if profile is None:
        rules = [result for code, result in _DOMESTIC_ABUSE_RESULTS if code in registrations]
        if "SPO" in registrations:
            rules.append(_STALKING)
        if "RCPR" in registrations:
            rules.append(_CHILD_PROTECTION)
        complexity = tuple(line for code, line in _COMPLEXITY_LINES if code in registrations)
        profile = _RegistrationProfile(
            complexity, sum(line.points for line in complexity),
            "IIOM" in registrations, "PRC" in registrations, "INLL" in registrations,
            tuple(rules), min((r.tier for r in rules if r.tier is not None), default=_NO_TIER),
        )
        if len(_REGISTRATION_PROFILES) < _MEMO_LIMIT:
            _REGISTRATION_PROFILES[registrations] = profile
    return profile


def _mappa_line(level: Any, category: Any) -> Contribution:
    if type(level) is int and type(category) is int:
        line = _MAPPA_LINES.get((level, category))
        if line is not None:
            return line
    points = MAPPA_POINTS.get(level, 0)
    line = Contribution("MAPPA", points, f"MAPPA level {level} (category {category}): {points}")
    if type(level) is int and type(category) is int and len(_MAPPA_LINES) < _MEMO_LIMIT:
        _MAPPA_LINES[level, category] = line
    return line


def _protect_fast(rosh: str | None, rsr_line: Contribution, mappa: tuple[Any, Any] | None,
                  complexity: tuple[Contribution, ...], gender: str,
                  women: tuple[Any, Any, Any] | None) -> tuple[ProtectLevel, str, int, list[Contribution]]:
    """protect_level: (level, its letter, points, lines)."""
    rosh_line = _ROSH_LINES[rosh]
    mappa_line = _NO_MAPPA_LINE if mappa is None else _mappa_line(*mappa)
    rosh_pts = rosh_line.points
    rsr_pts = rsr_line.points
    if rosh_pts and rsr_pts:
        lines = [rosh_line, rsr_line, _DROPPED_LINES[rosh_pts, rsr_pts], mappa_line, *complexity]
    else:
        lines = [rosh_line, rsr_line, mappa_line, *complexity]
    if women is not None:
        if gender == _FEMALE:
            for present, line in zip(women, _WOMEN_LINES, strict=True):
                if present:
                    lines.append(line)
        elif women[0] or women[1] or women[2]:
            lines.append(_WOMEN_IGNORED_LINES[gender])
    points = sum(map(_points_of, lines))
    if 0 <= points < len(_PROTECT_BY_POINTS):
        return (*_PROTECT_BY_POINTS[points], points, lines)
    level = protect_band(points)
    return level, level.value, points, lines


def _change_fast(mandate: Any, needs: Mapping[str, str] | None, ogrs: Any, iom: bool, order: tuple[str, ...],
                 tables: tuple[dict[Any, Contribution | None], ...]) -> tuple[int, int, Iterable[Contribution]]:
    """change_level: (level, points, lines); ``order`` and ``tables`` are _NEED_ORDER and _NEED_TABLES,
    or the same keyed by enum members (found faster in an Assessment's needs)."""
    if not mandate:
        return _NO_MANDATE_CHANGE
    if needs is None:
        return _NO_ASSESSMENT_CHANGE
    if not needs:
        lines = []
    elif len(needs) == len(order) and tuple(needs) == order:  # every need, in Need order
        lines = list(map(getitem, tables, needs.values()))
    else:  # each need's line in Need order; a need not assessed maps to None, which filter drops
        lines = list(filter(None, map(getitem, tables, map(needs.get, order))))
    if ogrs is None:
        lines.append(_OGRS_MISSING_LINE)
    else:
        line = _OGRS_LINES.get(ogrs) if type(ogrs) is int else None
        if line is None:
            ogrs_pts = int(ogrs) // 10
            line = Contribution("OGRS", ogrs_pts, f"OGRS {ogrs} ÷ 10, whole part: {ogrs_pts}")
        lines.append(line)
    if iom:
        lines.append(_IOM_LINE)
    points = sum(map(_points_of, lines))
    if 0 <= points < len(_CHANGE_BY_POINTS):
        return _CHANGE_BY_POINTS[points], points, lines
    return change_band(points), points, lines


def _dc_srp_fast(band: str | None, score: Decimal | None) -> RuleResult:
    if band is None or band == _NOT_APPLICABLE:
        return _DC_NO_BAND
    if score is None or score <= 0:
        return _DC_NO_SCORE
    if band == _MEDIUM:
        for threshold, tier, note in DC_SRP_MEDIUM:
            if score >= threshold:
                return RuleResult(SingleRule.DC_SRP, tier,
                                  f"DC-SRP medium, score {score} ≥ {threshold} ({note}) → {tier}")
        return RuleResult(SingleRule.DC_SRP, None, f"DC-SRP medium, score {score} below 0.60: no result")
    return _DC_BAND_RESULTS[band]


def _lifer_fast(released: dt.date | None, as_of: dt.date) -> RuleResult:
    if released is None:
        return _LIFER_NO_DATE
    for years, tier in LIFER_BANDS:
        if released >= years_before(as_of, years):
            when = "after as_of" if released > as_of else f"within {years} year{'s' if years > 1 else ''}"
            return RuleResult(SingleRule.LIFER_IPP, tier,
                              f"Lifer/IPP released {released.isoformat()} ({when}) → {tier}")
    return RuleResult(SingleRule.LIFER_IPP, LIFER_OLDER,
                      f"Lifer/IPP released {released.isoformat()} (over {LIFER_BANDS[-1][0]} years ago) "
                      f"→ {LIFER_OLDER}")


_SingleParts = tuple[str, bool, SingleRule | None, Sequence[RuleResult], Sequence[str], str]
#: What the fast path reads: as_of, gender, active_sentence, rosh, the RSR line, (MAPPA level,
#: category), registrations, ogrs, needs, mandate_for_change, (the three women factors), arp,
#: arp_static, csrp, csrp_static, (DC-SRP band, score), lifer_release_date, sexual_offence_history,
#: unsupervised; a missing object is None.
_Values = tuple[Any, ...]


def _single_fast(active_sentence: Any, rosh: str | None, has_mappa: bool, profile: _RegistrationProfile,
                 arp: Decimal | None, arp_static: Any, csrp: Decimal | None, csrp_static: Any,
                 dc_srp: tuple[str | None, Decimal | None] | None, lifer_release_date: dt.date | None,
                 sexual_offence_history: Any, as_of: dt.date, explain: bool) -> _SingleParts:
    """single_scale_tier: (tier value, provisional, rule, results, provisional reasons, summary).

    Without ``explain``, results and reasons are empty and summary is "".
    """
    if not active_sentence:
        return _NOT_SUPERVISED if explain else _NOT_SUPERVISED_UNEXPLAINED
    mappa_rosh = (_MAPPA_ROSH_RESULTS if has_mappa else _NO_MAPPA_ROSH_RESULTS)[rosh]
    rest = profile.rules_best  # the best tier of the rules other than the reoffending table and MAPPA/RoSH
    if dc_srp is None and not profile.lifer and not sexual_offence_history:
        others = [mappa_rosh, *profile.rules]
    else:
        others = []
        if dc_srp is not None:
            result = _dc_srp_fast(*dc_srp)
            others.append(result)
            if result.tier is not None and result.tier < rest:
                rest = result.tier
        others.append(mappa_rosh)
        if profile.lifer:
            result = _lifer_fast(lifer_release_date, as_of)
            others.append(result)
            if result.tier is not None and result.tier < rest:
                rest = result.tier
        others.extend(profile.rules)
        if sexual_offence_history:
            others.append(_SEXUAL_OFFENCE)
            if rest > "E":
                rest = "E"
    if arp is None or csrp is None:
        if not explain:
            return _MISSING_UNEXPLAINED
        note, summary = _MISSING_PREDICTORS[arp is None, csrp is None]
        return "MISSING", False, None, [note, *others], (), summary

    row = _CSRP_ROW[bisect_right(_CSRP_ASCENDING, csrp)]
    column = _ARP_COLUMN[bisect_right(_ARP_ASCENDING, arp)]
    table = REOFFENDING_TABLE[row][column]
    if explain:
        reoffending = _new_object(RuleResult)  # RuleResult(...) without the frozen __init__'s overhead
        fields = reoffending.__dict__
        fields["rule"] = _REOFFENDING
        fields["tier"] = table
        middle, end = _REOFFENDING_TEXT[row][column]
        fields["label"] = f"Reoffending table: CSRP {csrp!s}{middle}{arp!s}{end}"
    mappa_rosh_tier = mappa_rosh.tier or _NO_TIER
    others_best = mappa_rosh_tier if mappa_rosh_tier < rest else rest
    if table <= others_best:
        best = table
        rule = _REOFFENDING
        if explain:
            rule_result = reoffending
    else:
        best = others_best
        for rule_result in others:
            if rule_result.tier == best:
                break
        rule = rule_result.rule

    reasons = []
    arp_is_static = arp_static is True
    csrp_is_static = csrp_static is True
    if arp_is_static and csrp_is_static:
        if others_best > "A":
            reasons.append(_REASON_A)
    elif arp_is_static or csrp_is_static:
        best_static = REOFFENDING_TABLE[row][0] if arp_is_static else REOFFENDING_TABLE[0][column]
        if others_best > best_static:
            reasons.append(_REASONS_B["ARP" if arp_is_static else "CSRP", best_static])
    if rosh is None:
        if has_mappa:
            if (table if table < rest else rest) > "A":
                reasons.append(_REASON_C)
        else:
            both_dynamic = arp_static is False and csrp_static is False
            counted = (table if table < rest else rest) if both_dynamic else rest
            if counted > "C":
                reasons.append(_REASON_D if both_dynamic else _REASON_D_NOT_COUNTED)
    if not explain:
        return best, bool(reasons), rule, (), (), ""
    return best, bool(reasons), rule, [reoffending, *others], reasons, f"Tier {best}: {rule_result.label}"


def _input_values(inputs: TierInputs, as_of: dt.date) -> _Values:
    """The values the fast path reads, from inputs."""
    rsr, mappa, women = inputs.rsr, inputs.mappa, inputs.women
    assessment, predictors, dc_srp = inputs.assessment, inputs.predictors, None
    if predictors is None:
        arp = arp_static = csrp = csrp_static = None
    else:
        arp, arp_static = predictors.arp, predictors.arp_static
        csrp, csrp_static = predictors.csrp, predictors.csrp_static
        if predictors.dc_srp is not None:
            dc_srp = (predictors.dc_srp.band, predictors.dc_srp.score)
    return (
        as_of, inputs.gender, inputs.active_sentence, inputs.rosh,
        _RSR_MISSING_LINE if rsr is None else _rsr_line(str(rsr), rsr),
        None if mappa is None else (mappa.level, mappa.category),
        inputs.registrations, inputs.ogrs, None if assessment is None else assessment.needs,
        inputs.mandate_for_change,
        None if women is None else (women.parenting, women.impulsivity_or_temper, women.breach_or_recall_last_year),
        arp, arp_static, csrp, csrp_static, dc_srp, inputs.lifer_release_date, inputs.sexual_offence_history,
        inputs.unsupervised,
    )


_ROSH_POINTS: dict[str | None, int] = {rosh: line.points for rosh, line in _ROSH_LINES.items()}
_MAPPA_POINTS: dict[int, int] = dict(MAPPA_POINTS)


def _unexplained_tier(inputs: TierInputs, as_of: dt.date) -> TierResult:
    """calculate_tier(inputs, as_of=as_of, explain=False)."""
    registrations, rosh, rsr, mappa, women = (
        inputs.registrations, inputs.rosh, inputs.rsr, inputs.mappa, inputs.women,
    )
    profile = _REGISTRATION_PROFILES.get(registrations) or _registration_profile(registrations)
    rosh_pts = _ROSH_POINTS[rosh]
    if rsr is None:
        rsr_pts = 0
    else:
        key = str(rsr)
        rsr_pts = (_RSR_LINES.get(key) or _rsr_line(key, rsr)).points
    protect_points = rosh_pts + rsr_pts - (rosh_pts if rosh_pts < rsr_pts else rsr_pts) + profile.complexity_points
    if mappa is not None:
        protect_points += _MAPPA_POINTS.get(mappa.level, 0)
    if women is not None and inputs.gender == _FEMALE:
        protect_points += WOMEN_FACTOR_POINTS * (
            (1 if women.parenting else 0) + (1 if women.impulsivity_or_temper else 0)
            + (1 if women.breach_or_recall_last_year else 0)
        )
    if 0 <= protect_points < len(_PROTECT_BY_POINTS):
        level, letter = _PROTECT_BY_POINTS[protect_points]
    else:
        level = protect_band(protect_points)
        letter = level.value

    assessment = inputs.assessment
    if not inputs.mandate_for_change:
        change_lvl, change_points = NO_MANDATE_LEVEL, 0
    elif assessment is None:
        change_lvl, change_points = NO_ASSESSMENT_LEVEL, 0
    else:
        needs = assessment.needs
        change_points = sum(map(mul, map(_NEED_POINTS.__getitem__, needs.keys()),
                                map(_SEVERITY_POINTS.__getitem__, needs.values()))) if needs else 0
        ogrs = inputs.ogrs
        if ogrs is not None:
            change_points += int(ogrs) // 10
        if profile.iom:
            change_points += IOM_POINTS
        if 0 <= change_points < len(_CHANGE_BY_POINTS):
            change_lvl = _CHANGE_BY_POINTS[change_points]
        else:
            change_lvl = change_band(change_points)

    unsupervised = inputs.unsupervised or profile.unsupervised
    predictors = inputs.predictors
    dc_srp = None
    if predictors is None:
        arp = arp_static = csrp = csrp_static = None
    else:
        arp, arp_static = predictors.arp, predictors.arp_static
        csrp, csrp_static = predictors.csrp, predictors.csrp_static
        if predictors.dc_srp is not None:
            dc_srp = (predictors.dc_srp.band, predictors.dc_srp.score)
    tier, provisional, rule, _, _, _ = _single_fast(
        inputs.active_sentence, rosh, mappa is not None, profile, arp, arp_static, csrp, csrp_static,
        dc_srp, inputs.lifer_release_date, inputs.sexual_offence_history, as_of, False,
    )
    # Without an explanation there are few distinct results, and they are immutable: each is made once.
    if unsupervised is True or unsupervised is False:  # not another value that equals one of them
        key = (protect_points, change_lvl, change_points, unsupervised, tier, provisional, rule)
        result = _UNEXPLAINED_RESULTS.get(key)
        if result is None:
            result = _new_unexplained(level, letter, protect_points, change_lvl, change_points, unsupervised, tier,
                                      provisional, rule)
            if len(_UNEXPLAINED_RESULTS) < _MEMO_LIMIT:
                _UNEXPLAINED_RESULTS[key] = result
        return result
    return _new_unexplained(level, letter, protect_points, change_lvl, change_points, unsupervised, tier,
                            provisional, rule)


_UNEXPLAINED_RESULTS: dict[tuple[Any, ...], TierResult] = {}


def _new_unexplained(level: ProtectLevel, letter: str, protect_points: int, change_lvl: int, change_points: int,
                     unsupervised: Any, tier: str, provisional: bool, rule: SingleRule | None) -> TierResult:
    protect = _new_object(ProtectResult)  # see calculate_tier
    fields = protect.__dict__
    fields["level"] = level
    fields["points"] = protect_points
    fields["breakdown"] = ()
    change = _new_object(ChangeResult)
    fields = change.__dict__
    fields["level"] = change_lvl
    fields["points"] = change_points
    fields["breakdown"] = ()
    two_axis = _new_object(TwoAxisTier)
    fields = two_axis.__dict__
    fields["tier"] = f"{letter}{change_lvl}{'S' if unsupervised else ''}"
    fields["protect"] = protect
    fields["change"] = change
    fields["unsupervised"] = unsupervised
    single = _new_object(SingleTier)
    fields = single.__dict__
    fields["tier"] = _SINGLE_TIERS[tier]
    fields["provisional"] = provisional
    fields["rule"] = rule
    fields["results"] = ()
    fields["provisional_reasons"] = ()
    fields["summary"] = ""
    result = _new_object(TierResult)
    fields = result.__dict__
    fields["two_axis"] = two_axis
    fields["single"] = single
    fields["rules_version"] = RULES_VERSION
    return result


def calculate_tier(inputs: TierInputs, *, as_of: dt.date, explain: bool = True) -> TierResult:
    """Both tiers for one case as of a date (exactly ``calculate_tier_reference``, faster).

    ``explain=False`` gives the same tiers, levels, points, provisional flags and deciding rule without
    their explanation (every ``breakdown``, ``results`` and ``provisional_reasons`` empty, ``summary``
    ""), in about half the time: for recalculating many tiers when only the tiers are kept.
    """
    if not explain:
        return _unexplained_tier(inputs, as_of)
    registrations, rosh, rsr, mappa = inputs.registrations, inputs.rosh, inputs.rsr, inputs.mappa
    women, assessment, predictors = inputs.women, inputs.assessment, inputs.predictors
    profile = _REGISTRATION_PROFILES.get(registrations) or _registration_profile(registrations)
    if rsr is None:
        rsr_line = _RSR_MISSING_LINE
    else:
        key = str(rsr)
        rsr_line = _RSR_LINES.get(key) or _rsr_line(key, rsr)
    level, letter, protect_points, protect_lines = _protect_fast(
        rosh, rsr_line, None if mappa is None else (mappa.level, mappa.category), profile.complexity, inputs.gender,
        None if women is None else (women.parenting, women.impulsivity_or_temper, women.breach_or_recall_last_year),
    )
    change_lvl, change_points, change_lines = _change_fast(
        inputs.mandate_for_change, None if assessment is None else assessment.needs, inputs.ogrs, profile.iom,
        _NEED_MEMBER_ORDER, _NEED_MEMBER_TABLES,
    )
    unsupervised = inputs.unsupervised or profile.unsupervised
    dc_srp = None
    if predictors is None:
        arp = arp_static = csrp = csrp_static = None
    else:
        arp, arp_static = predictors.arp, predictors.arp_static
        csrp, csrp_static = predictors.csrp, predictors.csrp_static
        if predictors.dc_srp is not None:
            dc_srp = (predictors.dc_srp.band, predictors.dc_srp.score)
    tier, provisional, rule, results, reasons, summary = _single_fast(
        inputs.active_sentence, rosh, mappa is not None, profile, arp, arp_static, csrp, csrp_static,
        dc_srp, inputs.lifer_release_date, inputs.sexual_offence_history, as_of, True,
    )
    # The result objects are made as their generated __init__ would (same fields, same order), without
    # its object.__setattr__ per field, where much of the time went (_FAST_MADE checks the fields).
    protect = _new_object(ProtectResult)
    fields = protect.__dict__
    fields["level"] = level
    fields["points"] = protect_points
    fields["breakdown"] = tuple(protect_lines)
    change = _new_object(ChangeResult)
    fields = change.__dict__
    fields["level"] = change_lvl
    fields["points"] = change_points
    fields["breakdown"] = tuple(change_lines)
    two_axis = _new_object(TwoAxisTier)
    fields = two_axis.__dict__
    fields["tier"] = f"{letter}{change_lvl}{'S' if unsupervised else ''}"
    fields["protect"] = protect
    fields["change"] = change
    fields["unsupervised"] = unsupervised
    single = _new_object(SingleTier)
    fields = single.__dict__
    fields["tier"] = _SINGLE_TIERS[tier]
    fields["provisional"] = provisional
    fields["rule"] = rule
    fields["results"] = tuple(results)
    fields["provisional_reasons"] = tuple(reasons)
    fields["summary"] = summary
    result = _new_object(TierResult)
    fields = result.__dict__
    fields["two_axis"] = two_axis
    fields["single"] = single
    fields["rules_version"] = RULES_VERSION
    return result


# --- Mandate for change ---------------------------------------------------------------------------


class RequirementKind(StrEnum):
    REHABILITATIVE = "REHABILITATIVE"
    RESTRICTIVE = "RESTRICTIVE"
    UNPAID_WORK = "UNPAID_WORK"
    ORDER_EXTENDED = "ORDER_EXTENDED"


def has_mandate_for_change(*, any_custodial_sentence: bool, requirements: Iterable[RequirementKind]) -> bool:
    """rules.md §1.2: a custodial sentence or a rehabilitative requirement gives a mandate."""
    # Unpaid work and "order extended" are ignored; restrictive requirements never give a mandate.
    return any_custodial_sentence or any(RequirementKind(r) is RequirementKind.REHABILITATIVE
                                         for r in requirements)


# --- JSON contract ---------------------------------------------------------------------------------

RSR_MAXIMUM = Decimal("99.99")


def _max_two_places(value: Decimal) -> bool:
    exponent = value.as_tuple().exponent
    return isinstance(exponent, int) and exponent >= -2


def _read_rsr(f: Fields) -> Decimal | None:
    value = f.number("rsr", nullable=True, minimum=0, maximum=float(RSR_SENTINEL))
    if value is None:
        return None
    rsr = Decimal(str(value))
    if rsr > RSR_MAXIMUM and rsr != RSR_SENTINEL:
        raise f.error("rsr", "must be between 0 and 99.99, or 999.99 (not calculated)")
    if not _max_two_places(rsr.normalize()):
        raise f.error("rsr", "must have at most 2 decimal places")
    return rsr


def _read_mappa(m: Fields | None) -> Mappa | None:
    if m is None:
        return None
    level = m.number("level", minimum=1, maximum=3, integer=True)
    category = m.number("category", minimum=1, maximum=4, integer=True)
    m.done()
    assert level is not None and category is not None
    return Mappa(int(level), int(category))


def _read_registrations(f: Fields) -> list[Registration]:
    codes = []
    for path, item in f.items("registrations"):
        if not isinstance(item, str):
            raise ContractError(path, "must be a registration code (a string)")
        if item == "HREG":
            raise ContractError(path, "HREG marks a historic registration; leave historic registrations out")
        try:
            codes.append(Registration(item))
        except ValueError:
            known = ", ".join(code.value for code in Registration)
            raise ContractError(path, f"{item!r} is not a known registration code (known: {known})") from None
    return codes


def _read_assessment(a: Fields | None) -> Assessment | None:
    if a is None:
        return None
    raw = a.raw("needs")
    needs_path = a.field("needs")
    if not isinstance(raw, dict):
        raise ContractError(needs_path, "must be a JSON object")
    needs: dict[Need, NeedSeverity] = {}
    for key, value in raw.items():
        path = f"{needs_path}.{key}"
        try:
            need = Need(key)
        except ValueError:
            known = ", ".join(n.value for n in Need)
            raise ContractError(path, f"is not a known need (known: {known})") from None
        needs[need] = check_enum(value, NeedSeverity, path)
    a.done()
    return Assessment(needs)


def _read_women(w: Fields | None) -> WomenFactors | None:
    if w is None:
        return None
    women = WomenFactors(**{
        name: bool(w.boolean(name, required=False, default=False))
        for name in ("parenting", "impulsivity_or_temper", "breach_or_recall_last_year")
    })
    w.done()
    return women


def _read_predictor(p: Fields, name: str) -> Decimal | None:
    value = p.number(name, required=False, nullable=True, minimum=0, maximum=100)
    return None if value is None else Decimal(str(value))


def _read_dc_srp(d: Fields | None) -> DcSrp | None:
    if d is None:
        return None
    band = d.enum("band", DcSrpBand, required=False, nullable=True)
    score = _read_predictor(d, "score")
    d.done()
    lowest = DC_SRP_MEDIUM[-1][0]
    if band is DcSrpBand.MEDIUM and score is not None and 0 < score < lowest:
        raise d.error("score", f"a MEDIUM band needs a score of at least {lowest} (rules.md has no tier "
                               "for a lower one)")
    return DcSrp(band, score)


def _read_predictors(p: Fields | None) -> Predictors | None:
    if p is None:
        return None
    predictors = Predictors(
        arp=_read_predictor(p, "arp"),
        arp_static=p.boolean("arp_static", required=False, nullable=True),
        csrp=_read_predictor(p, "csrp"),
        csrp_static=p.boolean("csrp_static", required=False, nullable=True),
        dc_srp=_read_dc_srp(p.obj("dc_srp", required=False, nullable=True)),
    )
    p.done()
    return predictors


def read_request(request: dict[str, Any]) -> tuple[TierInputs, dt.date]:
    """Validate a ``tier`` contract request into inputs and ``as_of``; ContractError if invalid."""
    f = Fields(request)
    as_of = f.date("as_of")
    gender = f.enum("gender", Gender)
    active_sentence = f.boolean("active_sentence")
    rosh = f.enum("rosh", Rosh, nullable=True)
    rsr = _read_rsr(f)
    mappa = _read_mappa(f.obj("mappa", nullable=True))
    registrations = _read_registrations(f)
    ogrs = f.number("ogrs", nullable=True, minimum=0, maximum=100, integer=True)
    assessment = _read_assessment(f.obj("assessment", nullable=True))
    mandate_for_change = f.boolean("mandate_for_change")
    women = _read_women(f.obj("women", required=False, nullable=True))
    predictors = _read_predictors(f.obj("predictors", nullable=True))
    lifer_release_date = f.date("lifer_release_date", required=False, nullable=True)
    sexual_offence_history = f.boolean("sexual_offence_history")
    unsupervised = f.boolean("unsupervised", required=False, default=False)
    f.done()
    problem = registration_conflict(rosh, mappa, registrations)
    if problem:
        raise f.error("registrations", problem)
    assert as_of is not None and gender is not None
    inputs = TierInputs(
        gender=gender, active_sentence=bool(active_sentence), rosh=rosh, rsr=rsr, mappa=mappa,
        registrations=frozenset(registrations), ogrs=None if ogrs is None else int(ogrs),
        assessment=assessment, mandate_for_change=bool(mandate_for_change), women=women,
        predictors=predictors, lifer_release_date=lifer_release_date,
        sexual_offence_history=bool(sexual_offence_history), unsupervised=bool(unsupervised),
    )
    return inputs, as_of


def result_json(result: TierResult) -> dict[str, Any]:
    """The ``tier`` contract response for a result, with an ``explanation`` extension."""
    two, single = result.two_axis, result.single
    return {
        "two_axis": {
            "tier": two.tier,
            "protect": {"level": two.protect.level.value, "points": two.protect.points},
            "change": {"level": two.change.level, "points": two.change.points},
        },
        "single": {"tier": single.tier.value, "provisional": single.provisional},
        "rules_version": result.rules_version,
        "explanation": {
            "protect": [line.label for line in two.protect.breakdown],
            "change": [line.label for line in two.change.breakdown],
            "single": [r.label for r in single.results],
            "single_rule": single.rule.value if single.rule else None,
            "single_summary": single.summary,
            "provisional": list(single.provisional_reasons),
        },
    }


# The contract reader's fast path: it accepts only requests that read_request accepts, reading them to
# the same values; anything else (an invalid request, for its exact error, or an unusual valid one,
# such as a whole number given as 2.0) goes to read_request.

_REQUIRED_FIELDS = (
    "as_of", "gender", "active_sentence", "rosh", "rsr", "mappa", "registrations", "ogrs", "assessment",
    "mandate_for_change", "predictors", "sexual_offence_history",
)
_read_required = itemgetter(*_REQUIRED_FIELDS)  # KeyError if one is missing
_GENDERS = frozenset(gender.value for gender in Gender)
_ROSHES = frozenset(rosh.value for rosh in Rosh)
_REGISTRATION_CODES = frozenset(code.value for code in Registration)
_ROSH_CODE_LEVELS: tuple[tuple[str, str], ...] = tuple((code.value, rosh.value) for code, rosh in ROSH_CODES.items())
_CONFLICT_CODES = frozenset((*(code for code, _ in _ROSH_CODE_LEVELS), Registration.MAPP.value))
_NEEDS = frozenset(need.value for need in Need)
_SEVERITIES = frozenset(severity.value for severity in NeedSeverity)
_WOMEN_FIELDS = frozenset(("parenting", "impulsivity_or_temper", "breach_or_recall_last_year"))
_women_values = itemgetter("parenting", "impulsivity_or_temper", "breach_or_recall_last_year")
_PREDICTOR_FIELDS = frozenset(("arp", "arp_static", "csrp", "csrp_static", "dc_srp"))
_predictor_values = itemgetter("arp", "arp_static", "csrp", "csrp_static", "dc_srp")
_DC_SRP_FIELDS = frozenset(("band", "score"))
_DC_SRP_BANDS = frozenset(band.value for band in DcSrpBand)
_DC_SRP_LOWEST = DC_SRP_MEDIUM[-1][0]
_RSR_MAXIMUM_FLOAT = float(RSR_MAXIMUM)
_RSR_SENTINEL_FLOAT = float(RSR_SENTINEL)
_INVALID: Any = object()
#: Decimal(str(x)) by float x: the same for equal floats except 0.0 and -0.0, which are not kept.
_FLOAT_DECIMALS: dict[float, Decimal] = {}


_MISSING: Any = object()
#: check_date's date by text, for texts seen (dates repeat: as_of is usually the same for a batch).
_DATES: dict[str, dt.date] = {}
#: The RSR line by float, for positive floats the contract accepts (equal floats have one repr).
_RSR_FLOAT_LINES: dict[float, Contribution] = {}


def _fast_date(value: Any) -> dt.date | None:
    """check_date's date for a plain string it accepts, else None."""
    date = _DATES.get(value)
    if date is not None:
        return date
    if type(value) is not str or len(value) != 10:
        return None
    try:
        date = dt.date.fromisoformat(value)
    except ValueError:
        return None
    if len(_DATES) < _MEMO_LIMIT:
        _DATES[value] = date
    return date


def _fast_rsr(rsr: Any) -> Contribution | None:
    """The RSR line for a non-null rsr that _read_rsr accepts, else None."""
    kind = type(rsr)
    if kind is float:
        line = _RSR_FLOAT_LINES.get(rsr)
        if line is not None:
            return line
        if not (0 <= rsr <= _RSR_MAXIMUM_FLOAT or rsr == _RSR_SENTINEL_FLOAT):  # also false for NaN
            return None
        key = repr(rsr)  # str(rsr) and str(Decimal(str(rsr))): the key of _RSR_LINES
        if "e" in key or len(key) - key.index(".") > 3:  # more than two decimal places
            return None
        line = _rsr_line(key, Decimal(key))
        if rsr and len(_RSR_FLOAT_LINES) < _MEMO_LIMIT:  # not 0.0 or -0.0: equal, with different reprs
            _RSR_FLOAT_LINES[rsr] = line
        return line
    if kind is int and 0 <= rsr <= 99:
        key = str(rsr)
        return _rsr_line(key, Decimal(key))
    return None


def _fast_predictor(value: Any) -> Any:
    """_read_predictor's value for a number it accepts (a plain int or float), else _INVALID."""
    kind = type(value)
    if kind is float:
        number = _FLOAT_DECIMALS.get(value)
        if number is not None:
            return number
        if not 0 <= value <= 100:  # also false for NaN
            return _INVALID
        number = Decimal(repr(value))  # Decimal(str(value))
        if value and len(_FLOAT_DECIMALS) < _MEMO_LIMIT:  # not 0.0 or -0.0: equal, with different reprs
            _FLOAT_DECIMALS[value] = number
        return number
    if kind is int and 0 <= value <= 100:
        return Decimal(value)  # the same decimal as Decimal(str(value))
    return _INVALID


def _fast_read(request: Any) -> _Values | None:
    """read_request's values for a usual valid request; None: let read_request answer."""
    if type(request) is not dict:
        return None
    try:
        (as_of, gender, active_sentence, rosh, rsr, mappa, codes, ogrs, assessment, mandate_for_change,
         predictors, sexual_offence_history) = _read_required(request)
        get = request.get
        women = get("women", _MISSING)
        lifer_release_date = get("lifer_release_date", _MISSING)
        unsupervised = get("unsupervised", _MISSING)
        if len(request) != (len(_REQUIRED_FIELDS) + (women is not _MISSING) + (lifer_release_date is not _MISSING)
                            + (unsupervised is not _MISSING)):
            return None  # a field not in the contract

        as_of = _fast_date(as_of)
        if (as_of is None or gender not in _GENDERS or type(active_sentence) is not bool
                or (rosh is not None and rosh not in _ROSHES) or type(mandate_for_change) is not bool
                or type(sexual_offence_history) is not bool):
            return None
        if unsupervised is _MISSING:
            unsupervised = False
        elif type(unsupervised) is not bool:
            return None

        if rsr is None:
            rsr_line = _RSR_MISSING_LINE
        else:
            rsr_line = _fast_rsr(rsr)
            if rsr_line is None:
                return None

        if mappa is not None:
            if type(mappa) is not dict or len(mappa) != 2:
                return None
            level, category = mappa.get("level"), mappa.get("category")
            if type(level) is not int or type(category) is not int or not (1 <= level <= 3 and 1 <= category <= 4):
                return None
            mappa = (level, category)

        if type(codes) is not list or not _REGISTRATION_CODES.issuperset(codes):
            return None
        registrations = frozenset(codes)
        if not _CONFLICT_CODES.isdisjoint(registrations):
            levels = [level for code, level in _ROSH_CODE_LEVELS if code in registrations]
            if len(levels) > 1 or (levels and levels[0] != rosh) or ("MAPP" in registrations and mappa is None):
                return None

        if ogrs is not None and (type(ogrs) is not int or not 0 <= ogrs <= 100):
            return None

        needs = None
        if assessment is not None:
            if type(assessment) is not dict or len(assessment) != 1:
                return None
            needs = assessment.get("needs")
            if type(needs) is not dict or not (_NEEDS.issuperset(needs) and _SEVERITIES.issuperset(needs.values())):
                return None

        if women is _MISSING or women is None:
            women = None
        else:
            if type(women) is not dict:
                return None
            if len(women) == len(_WOMEN_FIELDS):
                women = _women_values(women)  # KeyError for a field not in the contract
            elif _WOMEN_FIELDS.issuperset(women):
                women = (women.get("parenting", False), women.get("impulsivity_or_temper", False),
                         women.get("breach_or_recall_last_year", False))
            else:
                return None
            if type(women[0]) is not bool or type(women[1]) is not bool or type(women[2]) is not bool:
                return None

        dc_srp = None
        if predictors is None:
            arp = arp_static = csrp = csrp_static = None
        else:
            if type(predictors) is not dict:
                return None
            if len(predictors) == len(_PREDICTOR_FIELDS):
                arp, arp_static, csrp, csrp_static, dc = _predictor_values(predictors)  # KeyError: an unknown field
            elif _PREDICTOR_FIELDS.issuperset(predictors):
                get = predictors.get
                arp, arp_static, csrp, csrp_static, dc = (
                    get("arp"), get("arp_static"), get("csrp"), get("csrp_static"), get("dc_srp"),
                )
            else:
                return None
            if arp is not None:
                arp = _fast_predictor(arp)
            if csrp is not None:
                csrp = _fast_predictor(csrp)
            if (arp is _INVALID or csrp is _INVALID or (arp_static is not None and type(arp_static) is not bool)
                    or (csrp_static is not None and type(csrp_static) is not bool)):
                return None
            if dc is not None:
                if type(dc) is not dict or not _DC_SRP_FIELDS.issuperset(dc):
                    return None
                band = dc.get("band")
                score = dc.get("score")
                if score is not None:
                    score = _fast_predictor(score)
                if (score is _INVALID or (band is not None and band not in _DC_SRP_BANDS)
                        or (band == _MEDIUM and score is not None and 0 < score < _DC_SRP_LOWEST)):
                    return None
                dc_srp = (band, score)

        if lifer_release_date is _MISSING or lifer_release_date is None:
            lifer_release_date = None
        else:
            lifer_release_date = _fast_date(lifer_release_date)
            if lifer_release_date is None:
                return None
    except (KeyError, TypeError):  # a required field missing; an unhashable value where a code belongs
        return None
    return (as_of, gender, active_sentence, rosh, rsr_line, mappa, registrations, ogrs, needs, mandate_for_change,
            women, arp, arp_static, csrp, csrp_static, dc_srp, lifer_release_date, sexual_offence_history,
            unsupervised)


_RULE_VALUES: dict[str, str] = {rule.value: rule.value for rule in SingleRule}


def _answer(request: dict[str, Any]) -> tuple[Any, ...]:
    """What ``handle`` answers: (protect letter, points, lines, change level, points, lines, unsupervised,
    single-scale parts); ContractError if the request is invalid."""
    values = _fast_read(request)
    if values is None:
        inputs, as_of = read_request(request)  # raises the contract's error for an invalid request
        values = _input_values(inputs, as_of)
    (as_of, gender, active_sentence, rosh, rsr_line, mappa, registrations, ogrs, needs, mandate_for_change, women,
     arp, arp_static, csrp, csrp_static, dc_srp, lifer_release_date, sexual_offence_history, unsupervised) = values
    profile = _REGISTRATION_PROFILES.get(registrations) or _registration_profile(registrations)
    _, letter, protect_points, protect_lines = _protect_fast(rosh, rsr_line, mappa, profile.complexity, gender,
                                                             women)
    change_lvl, change_points, change_lines = _change_fast(mandate_for_change, needs, ogrs, profile.iom,
                                                           _NEED_ORDER, _NEED_TABLES)
    return (
        letter, protect_points, protect_lines, change_lvl, change_points, change_lines,
        unsupervised or profile.unsupervised,
        _single_fast(active_sentence, rosh, mappa is not None, profile, arp, arp_static, csrp, csrp_static, dc_srp,
                     lifer_release_date, sexual_offence_history, as_of, True),
    )


def handle(request: dict[str, Any]) -> dict[str, Any]:
    """The ``tier`` contract: one request in, one response out (ContractError if invalid).

    Exactly ``result_json(calculate_tier_reference(*read_request(request)))``, faster.
    """
    letter, protect_points, protect_lines, change_lvl, change_points, change_lines, unsupervised, single = (
        _answer(request)
    )
    tier, provisional, rule, results, reasons, summary = single
    return {
        "two_axis": {
            "tier": f"{letter}{change_lvl}{'S' if unsupervised else ''}",
            "protect": {"level": letter, "points": protect_points},
            "change": {"level": change_lvl, "points": change_points},
        },
        "single": {"tier": tier, "provisional": provisional},
        "rules_version": RULES_VERSION,
        "explanation": {
            "protect": list(map(_label_of, protect_lines)),
            "change": list(map(_label_of, change_lines)),
            "single": list(map(_label_of, results)),
            "single_rule": None if rule is None else _RULE_VALUES[rule],
            "single_summary": summary,
            "provisional": list(reasons),
        },
    }


class _JsonStrings(dict[str, str]):
    """JSON string literal by text (as ``json.dumps`` writes it), kept for the fixed texts of the
    explanation and, up to a bound, for the others met."""

    def __missing__(self, text: str) -> str:
        literal = encode_basestring_ascii(text)
        if len(self) < _MEMO_LIMIT:
            self[text] = literal
        return literal


_JSON_STRINGS = _JsonStrings()
for _text in (
    *(line.label for line in (*_ROSH_LINES.values(), _RSR_MISSING_LINE, _RSR_SENTINEL_LINE, *_DROPPED_LINES.values(),
                              _NO_MAPPA_LINE, *(line for _, line in _COMPLEXITY_LINES), *_WOMEN_LINES,
                              *_WOMEN_IGNORED_LINES.values(), *_NO_MANDATE_CHANGE[2], *_NO_ASSESSMENT_CHANGE[2],
                              *(line for _, lines in _NEED_LINES for line in lines.values()), _OGRS_MISSING_LINE,
                              *_OGRS_LINES.values(), _IOM_LINE)),
    _REASON_A, *_REASONS_B.values(), _REASON_C, _REASON_D, _REASON_D_NOT_COUNTED,
):
    _JSON_STRINGS[_text] = encode_basestring_ascii(_text)
del _text
_JSON_LITERAL_OF = _JSON_STRINGS.__getitem__
_JSON_BOOLEANS = {False: "false", True: "true"}
_JSON_RULES: dict[str | None, str] = {None: "null", **{rule.value: f'"{rule.value}"' for rule in SingleRule}}
_JSON_VERSION = encode_basestring_ascii(RULES_VERSION)


def handle_json(request: dict[str, Any]) -> str:
    """``json.dumps(handle(request), separators=(",", ":"))``, written directly (what the CLI prints)."""
    letter, protect_points, protect_lines, change_lvl, change_points, change_lines, unsupervised, single = (
        _answer(request)
    )
    tier, provisional, rule, results, reasons, summary = single
    # Tiers, levels and rule names are plain ASCII words; ints print as json.dumps prints them.
    return "".join((
        '{"two_axis":{"tier":"', letter, str(change_lvl), "S" if unsupervised else "",
        '","protect":{"level":"', letter, '","points":', str(protect_points),
        '},"change":{"level":', str(change_lvl), ',"points":', str(change_points),
        '}},"single":{"tier":"', tier, '","provisional":', _JSON_BOOLEANS[provisional],
        '},"rules_version":', _JSON_VERSION,
        ',"explanation":{"protect":[', ",".join(map(_JSON_LITERAL_OF, map(_label_of, protect_lines))),
        '],"change":[', ",".join(map(_JSON_LITERAL_OF, map(_label_of, change_lines))),
        '],"single":[', ",".join(map(encode_basestring_ascii, map(_label_of, results))),
        '],"single_rule":', _JSON_RULES[rule],
        ',"single_summary":', encode_basestring_ascii(summary),
        ',"provisional":[', ",".join(map(_JSON_LITERAL_OF, reasons)),
        "]}}",
    ))


def handle_reference(request: dict[str, Any]) -> dict[str, Any]:
    """``handle`` by the reference reader and steps (tests check that the two agree)."""
    inputs, as_of = read_request(request)
    return result_json(calculate_tier_reference(inputs, as_of=as_of))
