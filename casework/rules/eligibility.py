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
  (Categories with no limit — PO, SPO — are unaffected.) An override records the judgement.
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
from typing import Any

from casework.rules.contract import ContractError, Fields, check_enum
from casework.rules.tiering import ProtectLevel, Registration, Rosh
from casework.rules.workload import EXCESSIVE_PERCENT, TIER_PATTERN, Grade


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
        """Validate a stored or edited matrix; ContractError names the bad field."""
        f = Fields(data, path)
        cats = f.obj("categories")
        assert cats is not None
        categories = {category: _read_category(cats.obj(category.value))
                      for category in PractitionerCategory}
        cats.done()
        da_codes = _read_codes(f, "domestic_abuse_codes")
        cp_codes = _read_codes(f, "child_protection_codes")
        months = f.number("pso_min_months_in_post", minimum=0, maximum=120, integer=True)
        f.done()
        assert months is not None
        return cls(categories, da_codes, cp_codes, int(months))


def _read_category(c: Fields | None) -> CategoryRules:
    assert c is not None
    max_rosh = c.enum("max_rosh", Rosh)
    allow_mappa = c.boolean("allow_mappa_2_3")
    allow_lifer = c.boolean("allow_lifer_ipp")
    levels: set[ProtectLevel] = set()
    for item_path, item in c.items("allowed_protect_levels"):
        level = check_enum(item, ProtectLevel, item_path)
        if level in levels:
            raise ContractError(item_path, f"repeats {level.value}")
        levels.add(level)
    if not levels:
        raise c.error("allowed_protect_levels", "must name at least one protect level")
    allow_da_cp = c.boolean("allow_domestic_abuse_or_child_protection")
    c.done()
    assert max_rosh is not None
    return CategoryRules(max_rosh, bool(allow_mappa), bool(allow_lifer), frozenset(levels), bool(allow_da_cp))


def _read_codes(f: Fields, name: str) -> frozenset[Registration]:
    codes = set()
    for item_path, item in f.items(name):
        codes.add(check_enum(item, Registration, item_path))
    return frozenset(codes)


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


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: tuple[str, ...]
    category: PractitionerCategory


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

    if rules.max_rosh is not Rosh.VERY_HIGH:
        allowed = _or_list([r.label for r in Rosh if r.rank <= rules.max_rosh.rank])
        if case.rosh is None:
            reasons.append(ROSH_NOT_ASSESSED.format(who=who, allowed=allowed))
        elif case.rosh.rank > rules.max_rosh.rank:
            reasons.append(ROSH_NOT_ALLOWED.format(who=who, allowed=allowed, actual=case.rosh.label))

    if not rules.allow_mappa_2_3 and case.mappa_level in MAPPA_RESTRICTED_LEVELS:
        reasons.append(MAPPA_NOT_ALLOWED.format(who=who, level=case.mappa_level))

    if not rules.allow_lifer_ipp and case.is_lifer_or_ipp:
        reasons.append(LIFER_NOT_ALLOWED.format(who=who))

    if rules.allowed_protect_levels != ALL_PROTECT_LEVELS:
        allowed = _or_list(sorted(level.value for level in rules.allowed_protect_levels))
        protect = case.protect_level
        if protect is None:
            reasons.append(PROTECT_UNTIERED.format(who=who, allowed=allowed))
        elif protect not in rules.allowed_protect_levels:
            reasons.append(PROTECT_NOT_ALLOWED.format(who=who, allowed=allowed, actual=protect.value,
                                                      tier=case.tier))

    if not rules.allow_domestic_abuse_or_child_protection:
        restricted = matrix.domestic_abuse_codes | matrix.child_protection_codes
        found = sorted(Registration(c) for c in case.registrations if c in restricted)
        if found:
            codes = ", ".join(f"{code.value} ({code.label})" for code in found)
            reasons.append(REGISTRATION_NOT_ALLOWED.format(who=who, codes=codes))

    return Eligibility(not reasons, tuple(reasons), category)


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

