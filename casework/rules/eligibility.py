"""Who may hold what (rules.md §3.2): the grade matrix as data and the eligibility check.

The matrix is a [default] in rules.md: ``DEFAULT_GRADE_MATRIX`` holds those defaults and a local
policy replaces it through ``GradeMatrix.from_dict`` (the shape ``to_dict`` writes, which is also the
``policy`` of the ``allocate`` contract). ``check_eligibility`` is the function allocation calls.

Interpretations of rules.md text that admits more than one reading (also in README.md):

- The untrained-PSO row is read as narrower than the trained-PSO row, so it also forbids MAPPA level
  2 or 3 and lifer/IPP cases; read literally an untrained PSO could hold a lifer case a trained PSO
  may not. (MAPPA level 2/3 always gives protect level A, which the row excludes anyway.)
- Domestic abuse registrations are ``ADVP`` and ``REG30``; child protection is ``RCPR`` only. Child
  concerns (``RCCO``) is a separate registration in rules.md §1.2 and §1.3 and does not count by
  default; both code lists are part of the matrix, so a local policy can add it.
- Unknown inputs fail a restriction rather than pass it: a case whose RoSH has not been assessed
  fails any RoSH limit below "very high", and an untiered case fails any protect-level limit.
  (GradeMatrixCategories with no limit — PO, SPO — are unaffected.) An override records the judgement.
- "Under 6 months in post" means ``months_in_post < 6``: a PSO at exactly 6 months with core
  training complete is trained. The 6 is part of the matrix.
- An allocation needs an override when the case is outside the matrix or the projected capacity is
  over 110%, or when the practitioner has no capacity at all (zero available points).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Annotated, Any

from pydantic import AfterValidator, Field

from casework.rules.contract import ContractError
from casework.rules.schema import Choice, ContractModel, contract_handler, matching, parse, problem
from casework.rules.tiering import ProtectLevel, Registration, Rosh
from casework.rules.workload import EXCESSIVE_PERCENT, TIER_PATTERN, Grade, projected_capacity


class PractitionerCategory(StrEnum):
    PO = "PO"
    SPO = "SPO"
    PQIP = "PQIP"
    PSO_TRAINED = "PSO_TRAINED"
    PSO_UNTRAINED = "PSO_UNTRAINED"


RULES_VERSION = "eligibility-2026.1"

ALL_PROTECT_LEVELS = frozenset(ProtectLevel)
MAPPA_RESTRICTED_LEVELS = (2, 3)


@dataclass(frozen=True)
class CategoryRules:
    """What one practitioner category may hold."""

    max_rosh: Rosh
    allow_mappa_2_3: bool
    allow_lifer_ipp: bool
    allowed_protect_levels: frozenset[ProtectLevel]
    allow_domestic_abuse_or_child_protection: bool

    def __post_init__(self) -> None:
        object.__setattr__(self, "max_rosh", Rosh(self.max_rosh))
        levels = frozenset(ProtectLevel(level) for level in self.allowed_protect_levels)
        if not levels:
            raise ValueError("allowed_protect_levels must name at least one protect level")
        object.__setattr__(self, "allowed_protect_levels", levels)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able copy."""
        return {
            "max_rosh": self.max_rosh.value,
            "allow_mappa_2_3": self.allow_mappa_2_3,
            "allow_lifer_ipp": self.allow_lifer_ipp,
            "allowed_protect_levels": sorted(level.value for level in self.allowed_protect_levels),
            "allow_domestic_abuse_or_child_protection": self.allow_domestic_abuse_or_child_protection,
        }


@dataclass(frozen=True)
class GradeMatrix:
    """One rule set per practitioner category, plus the registration codes the rules read."""

    categories: Mapping[PractitionerCategory, CategoryRules]
    domestic_abuse_codes: frozenset[Registration]
    child_protection_codes: frozenset[Registration]
    pso_min_months_in_post: int = 6

    def __post_init__(self) -> None:
        categories = {PractitionerCategory(k): v for k, v in self.categories.items()}
        missing = [c.value for c in PractitionerCategory if c not in categories]
        if missing:
            raise ValueError(f"grade matrix has no rules for {', '.join(missing)}")
        object.__setattr__(self, "categories", MappingProxyType(categories))
        for name in ("domestic_abuse_codes", "child_protection_codes"):
            object.__setattr__(self, name, frozenset(Registration(c) for c in getattr(self, name)))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able copy for storage, editing and the ``allocate`` contract's ``policy``."""
        return {
            "categories": {c.value: self.categories[c].to_dict() for c in PractitionerCategory},
            "domestic_abuse_codes": sorted(code.value for code in self.domestic_abuse_codes),
            "child_protection_codes": sorted(code.value for code in self.child_protection_codes),
            "pso_min_months_in_post": self.pso_min_months_in_post,
        }

    @classmethod
    def from_dict(cls, data: Any, path: str = "") -> GradeMatrix:
        """Validate a stored or edited matrix; ContractError names the bad field (under ``path``)."""
        try:
            return parse(GradeMatrixPolicy, data).to_matrix()
        except ContractError as exc:
            if not path:
                raise
            field = f"{path}{exc.field}" if exc.field.startswith("[") else ".".join(filter(None, (path, exc.field)))
            raise ContractError(field, exc.message) from None


def _protect_levels(levels: list[ProtectLevel]) -> list[ProtectLevel]:
    if not levels:
        raise problem("must name at least one protect level")
    seen: set[ProtectLevel] = set()
    for index, level in enumerate(levels):
        if level in seen:
            raise ContractError(f"[{index}]", f"repeats {level.value}")
        seen.add(level)
    return levels


class GradeMatrixCategory(ContractModel):
    """What one practitioner category may hold."""

    max_rosh: Choice[Rosh]
    """The highest RoSH level they may hold: LOW, MEDIUM, HIGH or VERY_HIGH (VERY_HIGH: no limit)."""
    allow_mappa_2_3: bool
    """Whether they may hold MAPPA level 2 or 3 cases."""
    allow_lifer_ipp: bool
    """Whether they may hold lifer or IPP cases."""
    allowed_protect_levels: Annotated[
        list[Choice[ProtectLevel]],
        AfterValidator(_protect_levels),
        Field(json_schema_extra={"minItems": 1, "uniqueItems": True}),
    ]
    """Protect levels (A, B, C, D) they may hold, each once; all four means no limit."""
    allow_domestic_abuse_or_child_protection: bool
    """Whether they may hold cases with a domestic abuse or child protection registration."""


class GradeMatrixCategories(ContractModel):
    """The rules for each of the five practitioner categories, all required."""

    PO: GradeMatrixCategory
    SPO: GradeMatrixCategory
    PQIP: GradeMatrixCategory
    PSO_TRAINED: GradeMatrixCategory
    """A PSO with core training complete and at least ``pso_min_months_in_post`` months in post."""
    PSO_UNTRAINED: GradeMatrixCategory
    """Any other PSO."""


class GradeMatrixPolicy(ContractModel):
    """A grade matrix (rules.md §3.2): the shape stored as local policy and sent as ``policy``."""

    categories: GradeMatrixCategories
    """Rules per practitioner category."""
    domestic_abuse_codes: list[Choice[Registration]]
    """Registration codes that count as domestic abuse (default ADVP, REG30)."""
    child_protection_codes: list[Choice[Registration]]
    """Registration codes that count as child protection (default RCPR)."""
    pso_min_months_in_post: Annotated[int, Field(ge=0, le=120)]
    """Months in post before a PSO with core training counts as trained (default 6)."""

    def to_matrix(self) -> GradeMatrix:
        """The engine's matrix."""
        categories = {}
        for category in PractitionerCategory:
            c: GradeMatrixCategory = getattr(self.categories, category.value)
            categories[category] = CategoryRules(c.max_rosh, c.allow_mappa_2_3, c.allow_lifer_ipp,
                                                 frozenset(c.allowed_protect_levels),
                                                 c.allow_domestic_abuse_or_child_protection)
        return GradeMatrix(categories, frozenset(self.domestic_abuse_codes), frozenset(self.child_protection_codes),
                           self.pso_min_months_in_post)


_ANY = CategoryRules(Rosh.VERY_HIGH, True, True, ALL_PROTECT_LEVELS, True)

#: rules.md §3.2 defaults.
DEFAULT_GRADE_MATRIX = GradeMatrix(
    categories={
        PractitionerCategory.PO: _ANY,
        PractitionerCategory.SPO: _ANY,
        PractitionerCategory.PQIP: CategoryRules(
            max_rosh=Rosh.HIGH, allow_mappa_2_3=False, allow_lifer_ipp=False,
            allowed_protect_levels=ALL_PROTECT_LEVELS, allow_domestic_abuse_or_child_protection=True,
        ),
        PractitionerCategory.PSO_TRAINED: CategoryRules(
            max_rosh=Rosh.MEDIUM, allow_mappa_2_3=False, allow_lifer_ipp=False,
            allowed_protect_levels=frozenset({ProtectLevel.B, ProtectLevel.C, ProtectLevel.D}),
            allow_domestic_abuse_or_child_protection=True,
        ),
        PractitionerCategory.PSO_UNTRAINED: CategoryRules(
            max_rosh=Rosh.LOW, allow_mappa_2_3=False, allow_lifer_ipp=False,
            allowed_protect_levels=frozenset({ProtectLevel.C, ProtectLevel.D}),
            allow_domestic_abuse_or_child_protection=False,
        ),
    },
    domestic_abuse_codes=frozenset({Registration.ADVP, Registration.REG30}),
    child_protection_codes=frozenset({Registration.RCPR}),
    pso_min_months_in_post=6,
)


# --- Practitioners and cases ------------------------------------------------------------------------


def practitioner_category(grade: Grade, core_training_complete: bool, months_in_post: int, *,
                          min_months: int = 6) -> PractitionerCategory:
    """The matrix row for a practitioner; a PSO is untrained without core training or when new in post."""
    grade = Grade(grade)
    if grade is not Grade.PSO:
        return PractitionerCategory(grade.value)
    if core_training_complete and months_in_post >= min_months:
        return PractitionerCategory.PSO_TRAINED
    return PractitionerCategory.PSO_UNTRAINED


@dataclass(frozen=True)
class PractitionerProfile:
    grade: Grade
    core_training_complete: bool = False
    months_in_post: int = 0


@dataclass(frozen=True)
class CaseProfile:
    """What the matrix reads about a case; ``tier`` is the two-axis tier (None when untiered)."""

    tier: str | None
    rosh: Rosh | None
    mappa_level: int | None = None
    registrations: frozenset[str] = frozenset()
    lifer_or_ipp: bool = False

    def __post_init__(self) -> None:
        if self.tier is not None and not TIER_PATTERN.match(self.tier):
            raise ValueError(f"{self.tier!r} is not a two-axis tier")
        if self.rosh is not None:
            object.__setattr__(self, "rosh", Rosh(self.rosh))
        object.__setattr__(self, "registrations", frozenset(str(code) for code in self.registrations))

    @property
    def protect_level(self) -> ProtectLevel | None:
        return None if self.tier is None else ProtectLevel(self.tier[0])

    @property
    def is_lifer_or_ipp(self) -> bool:
        return self.lifer_or_ipp or Registration.INLL.value in self.registrations


class Restriction(StrEnum):
    """A rule of the matrix a case can break (the ``reasons`` codes of the ``eligibility`` contract)."""

    ROSH_ABOVE_LIMIT = "ROSH_ABOVE_LIMIT"
    ROSH_NOT_ASSESSED = "ROSH_NOT_ASSESSED"
    MAPPA_LEVEL_2_OR_3 = "MAPPA_LEVEL_2_OR_3"
    LIFER_OR_IPP = "LIFER_OR_IPP"
    PROTECT_LEVEL_NOT_ALLOWED = "PROTECT_LEVEL_NOT_ALLOWED"
    NO_TIER = "NO_TIER"
    DOMESTIC_ABUSE_OR_CHILD_PROTECTION = "DOMESTIC_ABUSE_OR_CHILD_PROTECTION"


@dataclass(frozen=True)
class Eligibility:
    """``reasons`` are sentences for people; ``codes`` name the same restrictions, in the same order."""

    eligible: bool
    reasons: tuple[str, ...]
    category: PractitionerCategory
    codes: tuple[Restriction, ...] = ()


# Messages are constants so pages and tests share them.
WHO = MappingProxyType({
    PractitionerCategory.PO: "A PO",
    PractitionerCategory.SPO: "An SPO",
    PractitionerCategory.PQIP: "A PQiP",
    PractitionerCategory.PSO_TRAINED: "A PSO with core training complete",
    PractitionerCategory.PSO_UNTRAINED:
        "A PSO without core training complete, or under {months} months in post",
})
ROSH_NOT_ALLOWED = "{who} may hold RoSH {allowed} cases only; this case is RoSH {actual}"
ROSH_NOT_ASSESSED = "{who} may hold RoSH {allowed} cases only; this case's RoSH has not been assessed"
MAPPA_NOT_ALLOWED = "{who} may not hold MAPPA level 2 or 3 cases; this case is MAPPA level {level}"
LIFER_NOT_ALLOWED = "{who} may not hold lifer or IPP cases; this case is a lifer or IPP case"
PROTECT_NOT_ALLOWED = ("{who} may hold protect level {allowed} cases only; "
                       "this case is protect level {actual} (tier {tier})")
PROTECT_UNTIERED = "{who} may hold protect level {allowed} cases only; this case has no tier yet"
REGISTRATION_NOT_ALLOWED = ("{who} may not hold cases with a domestic abuse or child protection "
                            "registration; this case has {codes}")
OVER_LIMIT = "This allocation takes their workload to {percent}%, over {limit}%"
NO_CAPACITY = "They have no capacity (0 available points)"


def _or_list(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _who(category: PractitionerCategory, matrix: GradeMatrix) -> str:
    return WHO[category].format(months=matrix.pso_min_months_in_post)


def check_eligibility(practitioner: PractitionerProfile, case: CaseProfile,
                      matrix: GradeMatrix = DEFAULT_GRADE_MATRIX) -> Eligibility:
    """Whether the matrix lets this practitioner hold this case, with a reason for every rule broken."""
    category = practitioner_category(practitioner.grade, practitioner.core_training_complete,
                                     practitioner.months_in_post, min_months=matrix.pso_min_months_in_post)
    rules = matrix.categories[category]
    who = _who(category, matrix)
    reasons: list[str] = []
    codes: list[Restriction] = []

    if rules.max_rosh is not Rosh.VERY_HIGH:
        allowed = _or_list([r.label for r in Rosh if r.rank <= rules.max_rosh.rank])
        if case.rosh is None:
            codes.append(Restriction.ROSH_NOT_ASSESSED)
            reasons.append(ROSH_NOT_ASSESSED.format(who=who, allowed=allowed))
        elif case.rosh.rank > rules.max_rosh.rank:
            codes.append(Restriction.ROSH_ABOVE_LIMIT)
            reasons.append(ROSH_NOT_ALLOWED.format(who=who, allowed=allowed, actual=case.rosh.label))

    if not rules.allow_mappa_2_3 and case.mappa_level in MAPPA_RESTRICTED_LEVELS:
        codes.append(Restriction.MAPPA_LEVEL_2_OR_3)
        reasons.append(MAPPA_NOT_ALLOWED.format(who=who, level=case.mappa_level))

    if not rules.allow_lifer_ipp and case.is_lifer_or_ipp:
        codes.append(Restriction.LIFER_OR_IPP)
        reasons.append(LIFER_NOT_ALLOWED.format(who=who))

    if rules.allowed_protect_levels != ALL_PROTECT_LEVELS:
        allowed = _or_list(sorted(level.value for level in rules.allowed_protect_levels))
        protect = case.protect_level
        if protect is None:
            codes.append(Restriction.NO_TIER)
            reasons.append(PROTECT_UNTIERED.format(who=who, allowed=allowed))
        elif protect not in rules.allowed_protect_levels:
            codes.append(Restriction.PROTECT_LEVEL_NOT_ALLOWED)
            reasons.append(PROTECT_NOT_ALLOWED.format(who=who, allowed=allowed, actual=protect.value,
                                                      tier=case.tier))

    if not rules.allow_domestic_abuse_or_child_protection:
        restricted = matrix.domestic_abuse_codes | matrix.child_protection_codes
        found = sorted(Registration(c) for c in case.registrations if c in restricted)
        if found:
            named = ", ".join(f"{code.value} ({code.label})" for code in found)
            codes.append(Restriction.DOMESTIC_ABUSE_OR_CHILD_PROTECTION)
            reasons.append(REGISTRATION_NOT_ALLOWED.format(who=who, codes=named))

    return Eligibility(not reasons, tuple(reasons), category, tuple(codes))


def override_reasons(eligibility: Eligibility, projected_capacity: Decimal | None, *,
                     limit: Decimal = EXCESSIVE_PERCENT) -> tuple[str, ...]:
    """Why an allocation needs an SPO override (empty when it does not)."""
    reasons = list(eligibility.reasons)
    if projected_capacity is None:
        reasons.append(NO_CAPACITY)
    elif projected_capacity > limit:
        reasons.append(OVER_LIMIT.format(percent=projected_capacity, limit=limit))
    return tuple(reasons)


def needs_override(eligibility: Eligibility, projected_capacity: Decimal | None, *,
                   limit: Decimal = EXCESSIVE_PERCENT) -> bool:
    """True when the case is outside the matrix, or it takes them over 110% or they have no capacity."""
    return bool(override_reasons(eligibility, projected_capacity, limit=limit))


def eligible_categories(case: CaseProfile,
                        matrix: GradeMatrix = DEFAULT_GRADE_MATRIX) -> tuple[PractitionerCategory, ...]:
    """The categories that may hold a case (for "who could take this?" hints)."""
    profiles: Iterable[tuple[PractitionerCategory, PractitionerProfile]] = (
        (PractitionerCategory.PO, PractitionerProfile(Grade.PO)),
        (PractitionerCategory.SPO, PractitionerProfile(Grade.SPO)),
        (PractitionerCategory.PQIP, PractitionerProfile(Grade.PQIP)),
        (PractitionerCategory.PSO_TRAINED,
         PractitionerProfile(Grade.PSO, True, matrix.pso_min_months_in_post)),
        (PractitionerCategory.PSO_UNTRAINED, PractitionerProfile(Grade.PSO, False, 0)),
    )
    return tuple(category for category, profile in profiles
                 if check_eligibility(profile, case, matrix).eligible)



# --- JSON contract ---------------------------------------------------------------------------------

#: A two-axis tier: B2, or B2S when unsupervised (only the protect level, the letter, is read).
Tier = matching(r"[A-D][0-3]S?", "must be a two-axis tier such as B2 or B2S, or null when untiered",
                example="B1")


class EligibilityPractitioner(ContractModel):
    """The practitioner who would hold the case."""

    grade: Choice[Grade]
    """PO, PQIP, PSO or SPO."""
    core_training_complete: bool = False
    """Whether a PSO has completed core training (left out: not complete)."""
    months_in_post: Annotated[int, Field(ge=0, le=1200)] = 0
    """Whole months in post (left out: 0)."""


class EligibilityCase(ContractModel):
    """What the grade matrix reads about the case."""

    tier: Tier | None  # type: ignore[valid-type]
    """Two-axis tier (B1, or B1S when unsupervised); null when the case has no tier yet."""
    rosh: Choice[Rosh] | None
    """Risk of serious harm: LOW, MEDIUM, HIGH or VERY_HIGH; null when not assessed."""
    mappa_level: Annotated[int, Field(ge=1, le=3)] | None = None
    """MAPPA level 1, 2 or 3; null or left out when not a MAPPA case."""
    registrations: list[Choice[Registration]] = []
    """Active registration codes (e.g. ADVP, RCPR, INLL)."""
    lifer_or_ipp: bool = False
    """A life or IPP sentence (an INLL registration counts too)."""


class EligibilityCapacity(ContractModel):
    """The practitioner's workload now and the case's points (from the workload contract)."""

    points: Annotated[int, Field(ge=0)]
    """Their workload points now."""
    available_points: Annotated[int, Field(ge=0)]
    """Their available points."""
    case_points: Annotated[int, Field(ge=0)]
    """The points this case adds."""
    already_holds: bool = False
    """Whether they already hold the case (then its points are already counted)."""


class EligibilityRequest(ContractModel):
    """One practitioner, one case, and optionally their capacity and a local grade matrix."""

    practitioner: EligibilityPractitioner
    case: EligibilityCase
    capacity: EligibilityCapacity | None = None
    """Null or left out: only eligibility is answered."""
    policy: GradeMatrixPolicy | None = None
    """A grade matrix to use instead of the one in force; null or left out for the one in force."""


class EligibilityResponse(ContractModel):
    """Whether the practitioner may hold the case and whether the allocation needs an SPO override."""

    eligible: bool
    """Whether the grade matrix lets them hold the case."""
    reasons: list[Restriction]
    """Every restriction the case breaks, empty when eligible."""
    projected_capacity_percent: float | None
    """Their capacity after taking the case; null when ``capacity`` is null or available points are 0."""
    override_required: bool
    """True when not eligible, or the projected capacity is over 110%, or available points are 0."""
    category: PractitionerCategory
    """The matrix row the practitioner falls in."""
    explanations: list[str]
    """Why an override is needed, in words (empty when it is not)."""
    rules_version: str
    """The version of the eligibility rules that produced this answer."""


def eligibility(request: EligibilityRequest, *, matrix: GradeMatrix = DEFAULT_GRADE_MATRIX) -> EligibilityResponse:
    """``casework rules eligibility``: ``matrix`` is used unless the request gives a ``policy``."""
    if request.policy is not None:
        matrix = request.policy.to_matrix()
    p, c = request.practitioner, request.case
    result = check_eligibility(
        PractitionerProfile(p.grade, p.core_training_complete, p.months_in_post),
        CaseProfile(c.tier, c.rosh, c.mappa_level, frozenset(c.registrations), c.lifer_or_ipp),
        matrix,
    )
    projected = None
    explanations: tuple[str, ...] = result.reasons
    if request.capacity is not None:
        cap = request.capacity
        projected = projected_capacity(cap.points, cap.available_points, cap.case_points,
                                       already_holds=cap.already_holds)
        explanations = override_reasons(result, projected)
    return EligibilityResponse(
        eligible=result.eligible,
        reasons=list(result.codes),
        projected_capacity_percent=None if projected is None else float(projected),
        override_required=bool(explanations),
        category=result.category,
        explanations=list(explanations),
        rules_version=RULES_VERSION,
    )


#: ``handle(request, matrix=...) -> dict``: the ``eligibility`` contract (ContractError if invalid).
handle = contract_handler(EligibilityRequest, EligibilityResponse, eligibility)
