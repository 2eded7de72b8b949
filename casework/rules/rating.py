"""Inspection-grade ratings: key question percentages, standard ratings and the overall rating.

rules.md §6.1–6.2. A rating framework is data (``Framework``): its standards and their key
questions, the bands, the score per rating, and whether each rule is published or unverified.
``Framework.to_dict()`` / ``Framework.from_dict()`` let the web application store frameworks as
JSON that administrators edit; ``from_dict`` validates everything, so a stored framework can never
produce a rating the method cannot explain.

Interpretations (see README.md "Inspection ratings"):

- A key question percentage is sufficient ÷ applicable × 100 rounded half up, in integers (no
  floating point anywhere). A key question that applies to no case (applicable 0) is not rated:
  its percentage is null and it is left out when finding the lowest.
- A case standard is rated from its lowest rated key question; on a tie, ``lowest`` names the
  first of the tied key questions in framework order.
- A standard given as key questions must give every key question of that standard; if none of
  them applies to any case the standard cannot be rated and the request is an error (give a
  ``rating`` instead).
- An override needs a rating and a non-empty reason, and the standard must be given in
  ``standards`` (an override replaces a rating; it cannot stand in for a missing one).
- ``score`` is the sum over the standards given, so it is partial when some are missing; then
  ``overall`` is null and ``missing`` lists the absent standards in framework order.
- ``unverified_rules`` lists the unverified rules this answer actually relied on: the standard
  bands when some reported rating came from them, the overall bands when an overall rating was
  given.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, Field, model_validator

from casework.rules.contract import ContractError
from casework.rules.schema import Choice, ContractModel, contract_handler, dump, problem
from casework.rules.schema import parse as parse_model

RULES_VERSION = "rating-2026.1"

PERCENT_MAX = 100


class Rating(StrEnum):
    OUTSTANDING = "OUTSTANDING"
    GOOD = "GOOD"
    REQUIRES_IMPROVEMENT = "REQUIRES_IMPROVEMENT"
    INADEQUATE = "INADEQUATE"


# Worst to best: the order bands run in, and the order scores must increase in.
RATINGS_ASCENDING: tuple[Rating, ...] = (
    Rating.INADEQUATE,
    Rating.REQUIRES_IMPROVEMENT,
    Rating.GOOD,
    Rating.OUTSTANDING,
)


class StandardKind(StrEnum):
    CASE = "CASE"  # rated from the case sample's key questions
    ORGANISATIONAL = "ORGANISATIONAL"  # inspector judgement, entered as a rating
    PROVIDER = "PROVIDER"  # provider-specific case standard, rated like CASE


class Provenance(StrEnum):
    """The tags of rules.md: how far a rule can be presented as official."""

    PUBLISHED = "PUBLISHED"
    DEFAULT = "DEFAULT"
    UNVERIFIED = "UNVERIFIED"


# The rules a framework must say the provenance of.
RULE_KEY_QUESTION_PERCENTAGE = "key_question_percentage"
RULE_STANDARD_BANDS = "standard_bands"
RULE_OVERALL_BANDS = "overall_bands"  # the score per rating and the banding of the total
RULE_NAMES: tuple[str, ...] = (RULE_KEY_QUESTION_PERCENTAGE, RULE_STANDARD_BANDS, RULE_OVERALL_BANDS)

ERR_UNKNOWN_FRAMEWORK = "must be one of {choices}"
ERR_UNKNOWN_STANDARD = "is not a standard of {framework}"
ERR_BOTH = "give either rating or key_questions, not both"
ERR_NEITHER = "give either rating or key_questions"
ERR_NO_KEY_QUESTIONS = "standard {key} has no key questions; give a rating"
ERR_NOTHING_APPLICABLE = "no key question applies to any case, so the standard cannot be rated; give a rating"
ERR_SUFFICIENT_OVER_APPLICABLE = "must not be more than applicable"
ERR_BAND_ORDER = "bands must be INADEQUATE, REQUIRES_IMPROVEMENT, GOOD, OUTSTANDING in order"
ERR_OVERRIDE_NOT_GIVEN = "overrides a standard that is not given in standards"


@dataclass(frozen=True)
class KeyQuestion:
    key: str
    text: str


@dataclass(frozen=True)
class Standard:
    key: str
    title: str
    kind: StandardKind
    key_questions: tuple[KeyQuestion, ...] = ()

    def key_question_keys(self) -> tuple[str, ...]:
        """The key question keys in framework order."""
        return tuple(q.key for q in self.key_questions)


@dataclass(frozen=True)
class Band:
    """Values from ``minimum`` to ``maximum`` inclusive get ``rating``."""

    rating: Rating
    minimum: int
    maximum: int


@dataclass(frozen=True)
class Framework:
    """A rating framework as data; construct through ``from_dict`` or check with ``validate``."""

    key: str
    name: str
    standards: tuple[Standard, ...]
    standard_bands: tuple[Band, ...]  # on key question %, ascending, covering 0–100
    overall_bands: tuple[Band, ...]  # on the total score, ascending, covering 0–max_score
    scores: Mapping[Rating, int]
    provenance: Mapping[str, Provenance]

    @property
    def max_score(self) -> int:
        """The highest total: every standard Outstanding."""
        return len(self.standards) * self.scores[Rating.OUTSTANDING]

    def standard(self, key: str) -> Standard | None:
        """The standard with this key, or None."""
        return next((s for s in self.standards if s.key == key), None)

    def unverified(self, rule: str) -> bool:
        """Whether ``rule`` is unverified in this framework."""
        return self.provenance[rule] is Provenance.UNVERIFIED

    def validate(self) -> Framework:
        """Raise ContractError unless the framework is coherent; return it."""
        return Framework.from_dict(self.to_dict())

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form, the one ``from_dict`` reads."""
        return {
            "key": self.key,
            "name": self.name,
            "standards": [
                {
                    "key": s.key,
                    "title": s.title,
                    "kind": s.kind.value,
                    "key_questions": [{"key": q.key, "text": q.text} for q in s.key_questions],
                }
                for s in self.standards
            ],
            "standard_bands": [_band_json(b) for b in self.standard_bands],
            "overall_bands": [_band_json(b) for b in self.overall_bands],
            # .get: a framework built in code with a gap fails validation as a ContractError.
            "scores": {r.value: self.scores.get(r) for r in RATINGS_ASCENDING},
            "provenance": {
                name: (p.value if (p := self.provenance.get(name)) else None) for name in RULE_NAMES
            },
        }

    @classmethod
    def from_dict(cls, data: Any) -> Framework:
        """Read and validate a framework; raises ContractError naming the bad field."""
        return parse_model(FrameworkData, data).to_framework()


def _band_json(band: Band) -> dict[str, Any]:
    return {"rating": band.rating.value, "min": band.minimum, "max": band.maximum}


# --- a framework as stored and edited --------------------------------------------------------------


def _text(value: str) -> str:
    if not value.strip():
        raise problem("must not be empty")
    return value


def _code(value: str) -> str:
    _text(value)
    if value != value.strip():
        raise problem("must not start or end with spaces")
    return value


Code = Annotated[str, Field(max_length=40), AfterValidator(_code)]
Title = Annotated[str, Field(max_length=200), AfterValidator(_text)]


class FrameworkKeyQuestion(ContractModel):
    """One key question of a case standard."""

    key: Code
    """Its key (e.g. ENGAGEMENT), unique within the standard."""
    text: Annotated[str, Field(max_length=500), AfterValidator(_text)]
    """The question as inspectors ask it."""


class FrameworkStandard(ContractModel):
    """One standard of a framework."""

    key: Code
    """Its key (e.g. "2.1"), unique within the framework."""
    title: Title
    """Its title."""
    kind: Choice[StandardKind]
    """CASE, ORGANISATIONAL or PROVIDER."""
    key_questions: list[FrameworkKeyQuestion]
    """Key questions: none for an organisational standard, at least one otherwise."""

    @model_validator(mode="after")
    def _coherent(self) -> FrameworkStandard:
        seen: set[str] = set()
        for index, question in enumerate(self.key_questions):
            if question.key in seen:
                raise ContractError(f"key_questions[{index}].key", f"repeats key question {question.key}")
            seen.add(question.key)
        # Organisational standards are inspector judgement; case standards need something to rate.
        if self.kind is StandardKind.ORGANISATIONAL and self.key_questions:
            raise ContractError("key_questions", "must be empty for an organisational standard")
        if self.kind is not StandardKind.ORGANISATIONAL and not self.key_questions:
            raise ContractError("key_questions", "must list at least one key question for a case standard")
        return self


class FrameworkBand(ContractModel):
    """Values from ``min`` to ``max`` inclusive get ``rating``."""

    rating: Choice[Rating]
    min: Annotated[int, Field(ge=0)]
    max: Annotated[int, Field(ge=0)]


_Score = Annotated[int, Field(ge=0, le=1000)]


class FrameworkScores(ContractModel):
    """The score of each rating, increasing from INADEQUATE to OUTSTANDING."""

    INADEQUATE: _Score
    REQUIRES_IMPROVEMENT: _Score
    GOOD: _Score
    OUTSTANDING: _Score

    @model_validator(mode="after")
    def _increasing(self) -> FrameworkScores:
        for worse, better in itertools.pairwise(RATINGS_ASCENDING):
            if getattr(self, better.value) <= getattr(self, worse.value):
                raise ContractError(better.value, f"must be more than the score for {worse.value}")
        return self


class FrameworkProvenance(ContractModel):
    """Whether each rule of the framework is PUBLISHED, DEFAULT or UNVERIFIED."""

    key_question_percentage: Choice[Provenance]
    standard_bands: Choice[Provenance]
    overall_bands: Choice[Provenance]


def _check_bands(bands: list[FrameworkBand], name: str, top: int) -> None:
    # Exactly one band per rating, worst first, contiguous, covering 0..top: every value has
    # exactly one rating and a better value never gets a worse rating.
    previous: FrameworkBand | None = None
    for index, b in enumerate(bands):
        path = f"{name}[{index}]"
        if index >= len(RATINGS_ASCENDING) or b.rating is not RATINGS_ASCENDING[index]:
            raise ContractError(path, ERR_BAND_ORDER)
        expected_min = previous.max + 1 if previous else 0
        if b.min != expected_min:
            raise ContractError(f"{path}.min", f"must be {expected_min} so that the bands meet")
        if b.max < b.min:
            raise ContractError(f"{path}.max", "must not be less than min")
        previous = b
    if len(bands) != len(RATINGS_ASCENDING):
        raise ContractError(name, "must have one band for each of the four ratings")
    if bands[-1].max != top:
        raise ContractError(name, f"must end at {top}")


class FrameworkData(ContractModel):
    """A rating framework as stored and edited by administrators (``Framework.to_dict``)."""

    key: Code
    """The framework's key (e.g. PROBATION_2018)."""
    name: Title
    """Its name."""
    standards: list[FrameworkStandard]
    """Its standards, in order."""
    standard_bands: list[FrameworkBand]
    """Key question percentage bands, INADEQUATE first, covering 0 to 100."""
    overall_bands: list[FrameworkBand]
    """Total score bands, INADEQUATE first, covering 0 to the highest total."""
    scores: FrameworkScores
    provenance: FrameworkProvenance

    @model_validator(mode="after")
    def _coherent(self) -> FrameworkData:
        if not self.standards:
            raise ContractError("standards", "must list at least one standard")
        seen: set[str] = set()
        for index, standard in enumerate(self.standards):
            if standard.key in seen:
                raise ContractError(f"standards[{index}].key", f"repeats standard {standard.key}")
            seen.add(standard.key)
        _check_bands(self.standard_bands, "standard_bands", PERCENT_MAX)
        _check_bands(self.overall_bands, "overall_bands", len(self.standards) * self.scores.OUTSTANDING)
        return self

    def to_framework(self) -> Framework:
        """The engine's framework."""
        return Framework(
            key=self.key,
            name=self.name,
            standards=tuple(
                Standard(key=s.key, title=s.title, kind=s.kind,
                         key_questions=tuple(KeyQuestion(key=q.key, text=q.text) for q in s.key_questions))
                for s in self.standards
            ),
            standard_bands=tuple(Band(b.rating, b.min, b.max) for b in self.standard_bands),
            overall_bands=tuple(Band(b.rating, b.min, b.max) for b in self.overall_bands),
            scores={r: getattr(self.scores, r.value) for r in RATINGS_ASCENDING},
            provenance={name: getattr(self.provenance, name) for name in RULE_NAMES},
        )


def band(bands: tuple[Band, ...], value: int) -> Rating:
    """The rating of ``value`` under ``bands``; ValueError outside them."""
    for b in bands:
        if b.minimum <= value <= b.maximum:
            return b.rating
    raise ValueError(f"{value} is outside the bands")


def key_question_percentage(sufficient: int, applicable: int) -> int | None:
    """sufficient ÷ applicable × 100 rounded half up to a whole number; None when applicable is 0."""
    if sufficient < 0 or applicable < 0 or sufficient > applicable:
        raise ValueError("need 0 <= sufficient <= applicable")
    if applicable == 0:
        return None
    # floor(100s/a + 1/2) in integers: published as a whole number, half up, never a float.
    return (200 * sufficient + applicable) // (2 * applicable)


# --- frameworks as data ---------------------------------------------------------------------------

_PERSON = "the person on probation"
_SERVICES = "Does the implementation and delivery of services effectively support"
PROBATION_QUESTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "2.1": (
        ("ENGAGEMENT", f"Does assessment focus sufficiently on engaging {_PERSON}?"),
        ("DESISTANCE",
         "Does assessment focus sufficiently on the factors linked to offending and desistance?"),
        ("SAFETY", "Does assessment focus sufficiently on keeping other people safe?"),
    ),
    "2.2": (
        ("ENGAGEMENT", f"Does planning focus sufficiently on engaging {_PERSON}?"),
        ("DESISTANCE", "Does planning focus sufficiently on reducing offending and supporting desistance?"),
        ("SAFETY", "Does planning focus sufficiently on keeping other people safe?"),
    ),
    "2.3": (
        ("ENGAGEMENT",
         "Is the sentence or post-custody period implemented effectively with a focus on engaging "
         f"{_PERSON}?"),
        ("DESISTANCE", f"{_SERVICES} desistance?"),
        ("SAFETY", f"{_SERVICES} the safety of other people?"),
    ),
    "2.4": (
        ("ENGAGEMENT", "Does reviewing focus sufficiently on supporting compliance and engagement?"),
        ("DESISTANCE", "Does reviewing focus sufficiently on supporting desistance?"),
        ("SAFETY", "Does reviewing focus sufficiently on keeping other people safe?"),
    ),
    # Provider-specific standards: rules.md does not give their wording; this generic wording is
    # ours, and administrators replace it with the provider's own.
    "3.1": (
        ("ENGAGEMENT", f"Does the work under this standard focus sufficiently on engaging {_PERSON}?"),
        ("DESISTANCE", "Does the work under this standard focus sufficiently on supporting desistance?"),
        ("SAFETY", "Does the work under this standard focus sufficiently on keeping other people safe?"),
    ),
}
PROBATION_QUESTIONS["3.2"] = PROBATION_QUESTIONS["3.1"]

# Youth inspections judge desistance, the child's safety and wellbeing, and the risk of harm to
# others (not engagement); the key question wording follows the 2.x probation pattern.
_YOUTH_ASSESSMENT = (
    ("DESISTANCE", "Does assessment sufficiently analyse how to support the child's desistance?"),
    ("SAFETY_AND_WELLBEING", "Does assessment sufficiently analyse how to keep the child safe?"),
    ("RISK_OF_HARM", "Does assessment sufficiently analyse how to keep other people safe?"),
)
_YOUTH_PLANNING = (
    ("DESISTANCE", "Does planning focus sufficiently on supporting the child's desistance?"),
    ("SAFETY_AND_WELLBEING", "Does planning focus sufficiently on keeping the child safe?"),
    ("RISK_OF_HARM", "Does planning focus sufficiently on keeping other people safe?"),
)
_YOUTH_IMPLEMENTATION = (
    ("DESISTANCE", f"{_SERVICES} the child's desistance?"),
    ("SAFETY_AND_WELLBEING", f"{_SERVICES} the safety of the child?"),
    ("RISK_OF_HARM", f"{_SERVICES} the safety of other people?"),
)
_YOUTH_REVIEWING = (
    ("DESISTANCE", "Does reviewing focus sufficiently on supporting the child's desistance?"),
    ("SAFETY_AND_WELLBEING", "Does reviewing focus sufficiently on keeping the child safe?"),
    ("RISK_OF_HARM", "Does reviewing focus sufficiently on keeping other people safe?"),
)


def _standard(key: str, title: str, kind: StandardKind,
              questions: tuple[tuple[str, str], ...] = ()) -> Standard:
    return Standard(key=key, title=title, kind=kind,
                    key_questions=tuple(KeyQuestion(key=k, text=t) for k, t in questions))


def _bands(*limits: tuple[int, int]) -> tuple[Band, ...]:
    pairs = zip(RATINGS_ASCENDING, limits, strict=True)
    return tuple(Band(rating=r, minimum=lo, maximum=hi) for r, (lo, hi) in pairs)


STANDARD_BANDS = _bands((0, 49), (50, 64), (65, 79), (80, 100))
SCORES: Mapping[Rating, int] = {
    Rating.INADEQUATE: 0,
    Rating.REQUIRES_IMPROVEMENT: 1,
    Rating.GOOD: 2,
    Rating.OUTSTANDING: 3,
}

_O, _C, _P = StandardKind.ORGANISATIONAL, StandardKind.CASE, StandardKind.PROVIDER

PROBATION_2018 = Framework(
    key="PROBATION_2018",
    name="Probation providers 2018–2021",
    standards=(
        _standard("1.1", "Leadership", _O),
        _standard("1.2", "Staff", _O),
        _standard("1.3", "Services", _O),
        _standard("1.4", "Information and facilities", _O),
        _standard("2.1", "Assessment", _C, PROBATION_QUESTIONS["2.1"]),
        _standard("2.2", "Planning", _C, PROBATION_QUESTIONS["2.2"]),
        _standard("2.3", "Implementation and delivery", _C, PROBATION_QUESTIONS["2.3"]),
        _standard("2.4", "Reviewing", _C, PROBATION_QUESTIONS["2.4"]),
        _standard("3.1", "Unpaid work (CRC) / Court reports and allocation (NPS)", _P,
                  PROBATION_QUESTIONS["3.1"]),
        _standard("3.2", "Through the Gate (CRC) / Statutory victim work (NPS)", _P,
                  PROBATION_QUESTIONS["3.2"]),
    ),
    standard_bands=STANDARD_BANDS,
    overall_bands=_bands((0, 5), (6, 15), (16, 25), (26, 30)),
    scores=SCORES,
    provenance={
        RULE_KEY_QUESTION_PERCENTAGE: Provenance.PUBLISHED,
        RULE_STANDARD_BANDS: Provenance.UNVERIFIED,
        RULE_OVERALL_BANDS: Provenance.UNVERIFIED,
    },
)

YOUTH_2018 = Framework(
    key="YOUTH_2018",
    name="Youth justice services 2018",
    standards=(
        _standard("1.1", "Governance and leadership", _O),
        _standard("1.2", "Staff", _O),
        _standard("1.3", "Partnerships and services", _O),
        _standard("1.4", "Information and facilities", _O),
        _standard("2.1", "Court disposals: assessment", _C, _YOUTH_ASSESSMENT),
        _standard("2.2", "Court disposals: planning", _C, _YOUTH_PLANNING),
        _standard("2.3", "Court disposals: implementation and delivery", _C, _YOUTH_IMPLEMENTATION),
        _standard("2.4", "Court disposals: reviewing", _C, _YOUTH_REVIEWING),
        _standard("3.1", "Out-of-court disposals: assessment", _C, _YOUTH_ASSESSMENT),
        _standard("3.2", "Out-of-court disposals: planning", _C, _YOUTH_PLANNING),
        _standard("3.3", "Out-of-court disposals: implementation and delivery", _C, _YOUTH_IMPLEMENTATION),
        # Judged by inspectors from policy and partnership evidence, not scored from cases.
        _standard("3.4", "Out-of-court disposals: joint working / policy and provision", _O),
    ),
    standard_bands=STANDARD_BANDS,
    overall_bands=_bands((0, 6), (7, 18), (19, 30), (31, 36)),
    scores=SCORES,
    provenance={
        RULE_KEY_QUESTION_PERCENTAGE: Provenance.PUBLISHED,
        RULE_STANDARD_BANDS: Provenance.UNVERIFIED,
        RULE_OVERALL_BANDS: Provenance.PUBLISHED,
    },
)

FRAMEWORKS: Mapping[str, Framework] = {f.key: f for f in (PROBATION_2018, YOUTH_2018)}


# --- rating ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """One key question over the case sample."""

    sufficient: int
    applicable: int


@dataclass(frozen=True)
class StandardEvidence:
    """What a standard is rated from: an entered ``rating`` or ``key_questions`` counts, not both."""

    rating: Rating | None = None
    key_questions: Mapping[str, Counts] | None = None


@dataclass(frozen=True)
class Override:
    """The lead inspector's rating for a standard, published with its reason."""

    rating: Rating
    reason: str


@dataclass(frozen=True)
class StandardResult:
    rating: Rating  # the rating that counts (the override when there is one)
    computed_rating: Rating  # the rating before any override
    lowest: str | None  # the lowest key question; None when given as a rating
    percentages: Mapping[str, int | None] | None  # None when given as a rating
    overridden: bool
    override_reason: str | None
    score: int


@dataclass(frozen=True)
class RatingResult:
    framework: str
    standards: Mapping[str, StandardResult]  # framework order
    score: int
    max_score: int
    overall: Rating | None
    missing: tuple[str, ...]
    unverified_rules: tuple[str, ...]
    rules_version: str = RULES_VERSION


def _rate_from_key_questions(framework: Framework, standard: Standard, counts: Mapping[str, Counts],
                             path: str) -> tuple[Rating, str, dict[str, int | None]]:
    unknown = sorted(set(counts) - set(standard.key_question_keys()))
    if unknown:
        raise ContractError(f"{path}.{unknown[0]}", f"is not a key question of standard {standard.key}")
    percentages: dict[str, int | None] = {}
    for key in standard.key_question_keys():
        if key not in counts:
            raise ContractError(f"{path}.{key}", "is required")
        c = counts[key]
        _check_counts(c, f"{path}.{key}")
        percentages[key] = key_question_percentage(c.sufficient, c.applicable)
    rated = [(pct, key) for key, pct in percentages.items() if pct is not None]
    if not rated:
        raise ContractError(path, ERR_NOTHING_APPLICABLE)
    # min() keeps the first of equal values, so a tie names the first key in framework order.
    lowest_pct, lowest = min(rated, key=lambda item: item[0])
    return band(framework.standard_bands, lowest_pct), lowest, percentages


def _check_counts(c: Counts, path: str) -> None:
    for name in ("sufficient", "applicable"):
        value = getattr(c, name)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ContractError(f"{path}.{name}", "must be a whole number")
        if value < 0:
            raise ContractError(f"{path}.{name}", "must be at least 0")
    if c.sufficient > c.applicable:
        raise ContractError(f"{path}.sufficient", ERR_SUFFICIENT_OVER_APPLICABLE)


def rate(framework: Framework, standards: Mapping[str, StandardEvidence],
         overrides: Mapping[str, Override] | None = None) -> RatingResult:
    """Rate each given standard and, when all are given, the whole inspection."""
    overrides = overrides or {}
    for key in list(standards) + list(overrides):
        if framework.standard(key) is None:
            where = "standards" if key in standards else "overrides"
            raise ContractError(f"{where}.{key}", ERR_UNKNOWN_STANDARD.format(framework=framework.key))
    for key, override in overrides.items():
        if key not in standards:
            raise ContractError(f"overrides.{key}", ERR_OVERRIDE_NOT_GIVEN)
        if not override.reason.strip():
            raise ContractError(f"overrides.{key}.reason", "must not be empty")

    results: dict[str, StandardResult] = {}
    used_standard_bands = False
    for standard in framework.standards:
        evidence = standards.get(standard.key)
        if evidence is None:
            continue
        path = f"standards.{standard.key}"
        if (evidence.rating is None) == (evidence.key_questions is None):
            raise ContractError(path, ERR_BOTH if evidence.rating else ERR_NEITHER)
        lowest: str | None = None
        percentages: dict[str, int | None] | None = None
        if evidence.key_questions is not None:
            if not standard.key_questions:
                raise ContractError(f"{path}.key_questions", ERR_NO_KEY_QUESTIONS.format(key=standard.key))
            computed, lowest, percentages = _rate_from_key_questions(
                framework, standard, evidence.key_questions, f"{path}.key_questions")
        else:
            computed = evidence.rating
        override = overrides.get(standard.key)
        final = override.rating if override else computed
        used_standard_bands = used_standard_bands or (evidence.key_questions is not None and not override)
        results[standard.key] = StandardResult(
            rating=final,
            computed_rating=computed,
            lowest=lowest,
            percentages=percentages,
            overridden=override is not None,
            override_reason=override.reason if override else None,
            score=framework.scores[final],
        )

    missing = tuple(s.key for s in framework.standards if s.key not in results)
    score = sum(r.score for r in results.values())
    overall = None if missing else band(framework.overall_bands, score)
    unverified = []
    if used_standard_bands and framework.unverified(RULE_STANDARD_BANDS):
        unverified.append(RULE_STANDARD_BANDS)
    if overall is not None and framework.unverified(RULE_OVERALL_BANDS):
        unverified.append(RULE_OVERALL_BANDS)
    return RatingResult(
        framework=framework.key,
        standards=results,
        score=score,
        max_score=framework.max_score,
        overall=overall,
        missing=missing,
        unverified_rules=tuple(unverified),
    )


# --- the JSON contract ----------------------------------------------------------------------------


class RatingCounts(ContractModel):
    """One key question over the case sample."""

    sufficient: Annotated[int, Field(ge=0)]
    """Cases where the answer was sufficient."""
    applicable: Annotated[int, Field(ge=0)]
    """Cases the key question applies to."""

    @model_validator(mode="after")
    def _sufficient_within_applicable(self) -> RatingCounts:
        if self.sufficient > self.applicable:
            raise ContractError("sufficient", ERR_SUFFICIENT_OVER_APPLICABLE)
        return self


class RatingStandardEvidence(ContractModel):
    """A standard given either as a ``rating`` or as ``key_questions`` counts, not both."""

    rating: Choice[Rating] | None = None
    """OUTSTANDING, GOOD, REQUIRES_IMPROVEMENT or INADEQUATE (organisational standards, or a case
    standard rated elsewhere)."""
    key_questions: dict[str, RatingCounts] | None = None
    """Counts for every key question of the standard, by key question key (e.g. ENGAGEMENT)."""

    @model_validator(mode="after")
    def _one_of(self) -> RatingStandardEvidence:
        if self.rating is not None and self.key_questions is not None:
            raise problem(ERR_BOTH)
        if self.rating is None and self.key_questions is None:
            raise problem(ERR_NEITHER)
        return self


class RatingOverride(ContractModel):
    """The lead inspector's rating for a standard, published with its reason."""

    rating: Choice[Rating]
    """The rating that counts instead of the computed one."""
    reason: Annotated[str, Field(max_length=4000), AfterValidator(_text)]
    """Why (not blank)."""


class RatingRequest(ContractModel):
    """The evidence for one inspection."""

    framework: Annotated[str, Field(max_length=40, examples=list(FRAMEWORKS))]
    """The rating framework: PROBATION_2018 (10 standards) or YOUTH_2018 (12 standards)."""
    standards: dict[str, RatingStandardEvidence]
    """Evidence by standard key (e.g. "2.1"); a standard left out is listed in ``missing``."""
    overrides: dict[str, RatingOverride] | None = None
    """Override ratings by standard key; each standard overridden must be given in ``standards``."""


class RatingStandardResult(ContractModel):
    """One standard's rating."""

    rating: Rating
    """The rating that counts (the override when there is one)."""
    lowest: str | None
    """The lowest key question (ties: the first in framework order); null when given as a rating."""
    percentages: dict[str, int | None] | None
    """Each key question's percentage, half up; null for a key question that applies to no case, and
    null altogether when the standard was given as a rating."""
    overridden: bool
    """Whether an override replaced the computed rating."""
    computed_rating: Rating
    """The rating before any override."""
    override_reason: str | None
    """The override's reason, or null."""
    score: int
    """The score of ``rating``."""


class RatingResponse(ContractModel):
    """Ratings per standard and, when every standard is given, overall."""

    framework: str
    """The framework used."""
    standards: dict[str, RatingStandardResult]
    """The given standards, in framework order."""
    score: int
    """The sum of the given standards' scores (partial when some are missing)."""
    max_score: int
    """The highest possible total (every standard OUTSTANDING)."""
    overall: Rating | None
    """The overall rating; null unless every standard of the framework is given."""
    missing: list[str]
    """Standards of the framework not given, in framework order."""
    unverified_rules: list[str]
    """Unverified rules this answer relied on: standard_bands and/or overall_bands."""
    rules_version: str
    """The version of the rating rules that produced this answer."""


def _inputs(request: RatingRequest, frameworks: Mapping[str, Framework],
            ) -> tuple[Framework, dict[str, StandardEvidence], dict[str, Override]]:
    if request.framework not in frameworks:
        raise ContractError("framework", ERR_UNKNOWN_FRAMEWORK.format(choices=", ".join(frameworks)))
    standards = {
        key: StandardEvidence(
            rating=given.rating,
            key_questions=None if given.key_questions is None else {
                q: Counts(sufficient=c.sufficient, applicable=c.applicable)
                for q, c in given.key_questions.items()
            },
        )
        for key, given in request.standards.items()
    }
    overrides = {key: Override(rating=o.rating, reason=o.reason) for key, o in (request.overrides or {}).items()}
    return frameworks[request.framework], standards, overrides


def parse(request: Any, frameworks: Mapping[str, Framework] = FRAMEWORKS,
          ) -> tuple[Framework, dict[str, StandardEvidence], dict[str, Override]]:
    """Read a ``rating`` contract request into ``rate`` arguments; raises ContractError."""
    return _inputs(parse_model(RatingRequest, request), frameworks)


def to_response(result: RatingResult) -> RatingResponse:
    """The contract response for a rating result."""
    return RatingResponse(
        framework=result.framework,
        standards={
            key: RatingStandardResult(
                rating=r.rating,
                lowest=r.lowest,
                percentages=dict(r.percentages) if r.percentages is not None else None,
                overridden=r.overridden,
                computed_rating=r.computed_rating,
                override_reason=r.override_reason,
                score=r.score,
            )
            for key, r in result.standards.items()
        },
        score=result.score,
        max_score=result.max_score,
        overall=result.overall,
        missing=list(result.missing),
        unverified_rules=list(result.unverified_rules),
        rules_version=result.rules_version,
    )


def to_json(result: RatingResult) -> dict[str, Any]:
    """The contract response for a rating result, as JSON-able data."""
    return dump(to_response(result))


def rating_contract(request: RatingRequest, *, frameworks: Mapping[str, Framework] = FRAMEWORKS) -> RatingResponse:
    """``casework rules rating`` for one validated request (``frameworks``: those in force)."""
    return to_response(rate(*_inputs(request, frameworks)))


#: ``handle(request, frameworks=...) -> dict``: the ``rating`` contract (ContractError if invalid).
handle = contract_handler(RatingRequest, RatingResponse, rating_contract)


def _frameworks_are_valid() -> None:
    # The built-in frameworks go through the same validation as administrator-edited ones.
    for framework in FRAMEWORKS.values():
        framework.validate()


_frameworks_are_valid()
