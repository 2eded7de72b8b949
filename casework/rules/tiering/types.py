"""Tiering's vocabulary (rules.md §1): enumerations, the tables as data, the inputs and the results.

Both engines (``reference`` and ``fast``) and the contract (``contract``) read the tables from here, so
a figure of rules.md is written once. Pure Python: no Django, no I/O, no clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Protocol

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


class RequirementKind(StrEnum):
    """How the tier rules classify a sentence requirement (mandate for change, rules.md §1.2)."""

    REHABILITATIVE = "REHABILITATIVE"
    RESTRICTIVE = "RESTRICTIVE"
    UNPAID_WORK = "UNPAID_WORK"
    ORDER_EXTENDED = "ORDER_EXTENDED"


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

#: Single-scale tier letters, highest first: a letter earlier in the alphabet is a higher tier.
LETTERS = "ABCDEFG"


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
        # Values already of the right type (as the contract reader gives them) are kept as they are;
        # anything else is converted, so Python callers may give codes as strings and plain numbers.
        if type(self.gender) is not Gender:
            object.__setattr__(self, "gender", Gender(self.gender))
        if self.rosh is not None and type(self.rosh) is not Rosh:
            object.__setattr__(self, "rosh", Rosh(self.rosh))
        if self.rsr is not None and type(self.rsr) is not Decimal:
            object.__setattr__(self, "rsr", _decimal(self.rsr))
        regs = self.registrations
        if type(regs) is not frozenset or not all(type(code) is Registration for code in regs):
            regs = frozenset(Registration(code) for code in regs)
            object.__setattr__(self, "registrations", regs)
        if not _CONFLICT_CODES.isdisjoint(regs):
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


class TierFacts(Protocol):
    """What the engines read about a case: ``TierInputs`` has it, and so does the contract's validated
    ``TierRequest`` (same names, same normalised values), which the fast path reads directly."""

    gender: Gender
    active_sentence: bool
    rosh: Rosh | None
    rsr: Decimal | None
    mappa: Any  # .level, .category
    registrations: frozenset[Registration]
    ogrs: int | None
    assessment: Any  # .needs: Need → NeedSeverity
    mandate_for_change: bool
    women: Any  # .parenting, .impulsivity_or_temper, .breach_or_recall_last_year
    predictors: Any  # .arp, .arp_static, .csrp, .csrp_static, .dc_srp (.band, .score)
    lifer_release_date: dt.date | None
    sexual_offence_history: bool
    unsupervised: bool


#: The registration codes ``registration_conflict`` checks against the ``rosh`` and ``mappa`` fields.
_CONFLICT_CODES = frozenset((*ROSH_CODES, Registration.MAPP))


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
