"""The ``tier`` contract (``casework rules tier``, ``POST /api/rules/tier``): one definition of its
request and response, as pydantic models on the shared base in ``casework.rules.schema``.

``TierRequest`` validates a request (strict: unknown fields rejected, JSON types never coerced) and
gives the engine's ``TierInputs``; ``TierResponse`` is the response and its OpenAPI schema. ``handle``
runs request → ``fast.calculate_tier`` → response; ``result_json`` is the one writer of a response
from a ``TierResult``. tests/rules/test_tiering_fast.py checks on arbitrary requests that what
``result_json`` writes is exactly what ``TierResponse`` validates and dumps, so the model and the
writer cannot drift apart (the writer builds the dict directly: building and dumping a model per
answer would add about a third to each line of ``casework rules tier`` on a national caseload).

What the contract accepts, beyond the types (contracts.md, and the readings in README.md):

- numbers are kept exactly as written (``4.2`` is the decimal 4.2, not the nearest binary float), so
  thresholds compare as rules.md writes them; whole-number fields (``ogrs``, MAPPA level and category)
  also accept a whole number written with a point (``59.0``), as they always have;
- RSR is between 0 and 99.99 with at most two decimal places, or 999.99 ("not calculated");
- a MEDIUM DC-SRP band with a score above 0 needs a score of at least 0.60 (rules.md has no tier
  for a lower one);
- registrations are current nDelius codes: ``HREG`` (historic) is refused, and RoSH/MAPPA codes
  must agree with the ``rosh`` and ``mappa`` fields, which are authoritative.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from decimal import Decimal
from operator import attrgetter
from types import MappingProxyType
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PlainValidator, Strict, ValidationError, WithJsonSchema, model_validator
from pydantic_core import to_json

from casework.rules.contract import ContractError
from casework.rules.schema import Choice, ContractHandler, ContractModel, Date, contract_error, problem
from casework.rules.tiering.fast import calculate_tier
from casework.rules.tiering.types import (
    DC_SRP_MEDIUM,
    RSR_SENTINEL,
    Assessment,
    DcSrp,
    DcSrpBand,
    Gender,
    Mappa,
    Need,
    NeedSeverity,
    Predictors,
    ProtectLevel,
    Registration,
    Rosh,
    SingleRule,
    SingleScaleTier,
    TierInputs,
    TierResult,
    WomenFactors,
    registration_conflict,
)

# --- Field types ------------------------------------------------------------------------------------

_MEMO_LIMIT = 1 << 16
#: Decimal(repr(x)) by float x, for the floats met (equal floats share a repr, except 0.0 and -0.0).
_FLOAT_DECIMALS: dict[float, Decimal] = {}


def _exact(value: Any) -> Decimal:
    """A JSON number as the decimal it was written as (``4.2`` → ``Decimal("4.2")``)."""
    kind = type(value)
    if kind is float:
        number = _FLOAT_DECIMALS.get(value)
        if number is None:
            if not math.isfinite(value):
                raise problem("must be a finite number")
            number = Decimal(repr(value))
            if value and len(_FLOAT_DECIMALS) < _MEMO_LIMIT:  # not 0.0 or -0.0: equal, written differently
                _FLOAT_DECIMALS[value] = number
        return number
    if kind is int:
        return Decimal(value)
    if kind is Decimal and value.is_finite():  # a Python caller's decimal
        return value
    raise problem("must be a number")


def _written(bound: Decimal) -> str:
    return str(int(bound)) if bound == bound.to_integral_value() else str(bound)


def _number(minimum: str, maximum: str, then: Callable[[Decimal], Decimal] | None = None) -> Any:
    """A number from ``minimum`` to ``maximum``, kept as the exact decimal written (``then`` checks more).

    One check in Python rather than pydantic's own decimal type, which costs several times more per
    field on a national caseload.
    """
    low, high = Decimal(minimum), Decimal(maximum)
    too_low, too_high = f"must be at least {_written(low)}", f"must be at most {_written(high)}"

    def check(value: Any) -> Decimal:
        number = _exact(value)
        if number < low:
            raise problem(too_low)
        if number > high:
            raise problem(too_high)
        return number if then is None else then(number)

    return Annotated[Decimal, PlainValidator(check),
                     WithJsonSchema({"type": "number", "minimum": float(low), "maximum": float(high)})]


def _whole(value: Any) -> Any:
    """A JSON whole number; ``59.0`` is read as 59."""
    if type(value) is float:
        if not math.isfinite(value):
            raise problem("must be a finite number")
        if not value.is_integer():
            raise problem("must be a whole number")
        return int(value)
    return value


def _whole_number(minimum: int, maximum: int) -> Any:
    return Annotated[int, BeforeValidator(_whole), Field(ge=minimum, le=maximum)]


_RSR_MAXIMUM = Decimal("99.99")


def _rsr(value: Decimal) -> Decimal:
    if value > _RSR_MAXIMUM and value != RSR_SENTINEL:
        raise problem("must be between 0 and 99.99, or 999.99 (not calculated)")
    exponent = value.normalize().as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -2:
        raise problem("must have at most 2 decimal places")
    return value


Percent = _number("0", "100")
Rsr = _number("0", str(RSR_SENTINEL), _rsr)



# --- Request ----------------------------------------------------------------------------------------


class MappaRequest(ContractModel):
    """MAPPA management (rules.md §1.1, §1.3)."""

    level: _whole_number(1, 3)
    """MAPPA level, 1 to 3."""
    category: _whole_number(1, 4)
    """MAPPA category, 1 to 4."""


class AssessmentRequest(ContractModel):
    """The latest valid assessment."""

    needs: dict[Choice[Need], Choice[NeedSeverity]]
    """Criminogenic need → severity; a need left out was not assessed (scores 0)."""


class WomenRequest(ContractModel):
    """Women-only protect factors (rules.md §1.1); ignored for anyone else."""

    parenting: bool = False
    impulsivity_or_temper: bool = False
    breach_or_recall_last_year: bool = False


class DcSrpRequest(ContractModel):
    """Direct-contact sexual reoffending predictor; ignored without a band (or NOT_APPLICABLE) or a score above 0."""

    band: Choice[DcSrpBand] | None = None
    score: Percent | None = None

    @model_validator(mode="after")
    def _medium_needs_a_tier(self) -> DcSrpRequest:
        lowest = DC_SRP_MEDIUM[-1][0]
        if self.band is DcSrpBand.MEDIUM and self.score is not None and 0 < self.score < lowest:
            raise ContractError("score", f"a MEDIUM band needs a score of at least {lowest} (rules.md has no tier "
                                         "for a lower one)")
        return self


class PredictorsRequest(ContractModel):
    """Reoffending predictors (percent); a static flag of null means not known."""

    arp: Percent | None = None
    """Violent reoffending (ARP), percent."""
    arp_static: bool | None = None
    csrp: Percent | None = None
    """General reoffending (CSRP), percent."""
    csrp_static: bool | None = None
    dc_srp: DcSrpRequest | None = None


class TierRequest(ContractModel):
    """A ``tier`` request: everything rules.md §1 reads about one case, as of a date."""

    as_of: Date
    """The date the tier is worked out for (the lifer rule counts years back from it)."""
    gender: Choice[Gender]
    active_sentence: bool
    """False: the single-scale tier is NOT_SUPERVISED (the two-axis tier is still worked out)."""
    rosh: Choice[Rosh] | None
    """Risk of serious harm; null = not assessed."""
    rsr: Rsr | None
    """RSR score (percent, two decimal places) or 999.99 (not calculated); null = missing."""
    mappa: MappaRequest | None
    registrations: Annotated[
        frozenset[Choice[Registration]], Strict(False),
        WithJsonSchema({"type": "array", "items": {"enum": [code.value for code in Registration], "type": "string"}}),
    ]
    """Current nDelius registration codes (historic and superseded ones already left out)."""
    ogrs: _whole_number(0, 100) | None
    """OGRS percentage; null = missing."""
    assessment: AssessmentRequest | None
    """Null: no valid assessment (change level 2 with 0 points)."""
    mandate_for_change: bool
    women: WomenRequest | None = None
    predictors: PredictorsRequest | None
    lifer_release_date: Date | None = None
    """Release date of a life or IPP sentence (read with an INLL registration)."""
    sexual_offence_history: bool
    unsupervised: bool = False
    """True (or a PRC registration): the two-axis tier gets the S suffix."""

    @model_validator(mode="after")
    def _registrations_agree(self) -> TierRequest:
        if not _CONFLICT_CODES.isdisjoint(self.registrations):
            conflict = registration_conflict(self.rosh, self.mappa, self.registrations)
            if conflict:
                raise ContractError("registrations", conflict)
        return self

    def inputs(self) -> TierInputs:
        """The engine's inputs for this request.

        The model has already made every value what the inputs' ``__post_init__`` would make it (codes
        as members, numbers as exact decimals, RoSH/MAPPA codes agreeing), so they are made without
        it: on a national caseload the checks would cost as much as the engine.
        """
        mappa, assessment, women, predictors = self.mappa, self.assessment, self.women, self.predictors
        if predictors is not None:
            dc_srp = predictors.dc_srp
            predictors = _made(Predictors, {
                "arp": predictors.arp, "arp_static": predictors.arp_static, "csrp": predictors.csrp,
                "csrp_static": predictors.csrp_static,
                "dc_srp": None if dc_srp is None else _made(DcSrp, {"band": dc_srp.band, "score": dc_srp.score}),
            })
        return _made(TierInputs, {
            "gender": self.gender, "active_sentence": self.active_sentence, "rosh": self.rosh, "rsr": self.rsr,
            "mappa": None if mappa is None else _made(Mappa, {"level": mappa.level, "category": mappa.category}),
            "registrations": self.registrations, "ogrs": self.ogrs,
            "assessment": None if assessment is None else _made(Assessment, {
                "needs": MappingProxyType(assessment.needs),
            }),
            "mandate_for_change": self.mandate_for_change,
            "women": None if women is None else _made(WomenFactors, {
                "parenting": women.parenting, "impulsivity_or_temper": women.impulsivity_or_temper,
                "breach_or_recall_last_year": women.breach_or_recall_last_year,
            }),
            "predictors": predictors, "lifer_release_date": self.lifer_release_date,
            "sexual_offence_history": self.sexual_offence_history, "unsupervised": self.unsupervised,
        })


_new_object = object.__new__


def _made(cls: type, fields: dict[str, Any]) -> Any:
    """An input dataclass with these (already normalised) fields, without its __init__."""
    made = _new_object(cls)
    made.__dict__.update(fields)
    return made


_CONFLICT_CODES = frozenset((Registration.RVHR, Registration.RHRH, Registration.RMRH, Registration.RLRH,
                             Registration.MAPP))


def parse_request(request: Any) -> TierRequest:
    """Validate a decoded ``tier`` request (a JSON object); ContractError if it is invalid."""
    if type(request) is not dict:
        raise ContractError("", "must be a JSON object")
    try:
        return _validate(request)  # TierRequest.model_validate(request), without its Python wrapper
    except ValidationError as exc:
        raise _contract_error(exc) from None


_validate = TierRequest.__pydantic_validator__.validate_python


def _contract_error(exc: ValidationError) -> ContractError:
    """The first problem, as the shared schema words it, except for a code that is not a registration
    or a need, which says what it is and which codes are known."""
    first = exc.errors(include_url=False)[0]
    loc = first["loc"]
    if first["type"] == "frozen_set_type" and loc == ("registrations",) and first["input"] is None:
        return ContractError("registrations", "must not be null")
    if first["type"] == "enum" and len(loc) == 2 and loc[0] == "registrations":
        path, item = f"registrations[{loc[1]}]", first["input"]
        if not isinstance(item, str):
            return ContractError(path, "must be a registration code (a string)")
        if item == "HREG":
            return ContractError(path, "HREG marks a historic registration; leave historic registrations out")
        known = ", ".join(code.value for code in Registration)
        return ContractError(path, f"{item!r} is not a known registration code (known: {known})")
    if first["type"] == "enum" and len(loc) == 4 and loc[:2] == ("assessment", "needs") and loc[3] == "[key]":
        known = ", ".join(need.value for need in Need)
        return ContractError(f"assessment.needs.{loc[2]}", f"is not a known need (known: {known})")
    return contract_error(exc)


def read_request(request: Any) -> tuple[TierInputs, dt.date]:
    """Validate a ``tier`` request into the engine's inputs and ``as_of``; ContractError if invalid."""
    model = parse_request(request)
    return model.inputs(), model.as_of


# --- Response ---------------------------------------------------------------------------------------


class ProtectResponse(ContractModel):
    level: Choice[ProtectLevel]
    """Protect level, A (highest) to D."""
    points: int


class ChangeResponse(ContractModel):
    level: int
    """Change level, 0 to 3."""
    points: int


class TwoAxisResponse(ContractModel):
    tier: str
    """Protect level and change level, with S when unsupervised: ``B2``, ``B2S``."""
    protect: ProtectResponse
    change: ChangeResponse


class SingleResponse(ContractModel):
    tier: Choice[SingleScaleTier]
    """A (highest) to G, NOT_SUPERVISED (no active sentence) or MISSING (ARP or CSRP missing)."""
    provisional: bool
    """The tier could rise once missing or static inputs are completed."""


class ExplanationResponse(ContractModel):
    """Why: a line per factor and per rule, in words (an extension of contracts.md)."""

    protect: list[str]
    change: list[str]
    single: list[str]
    single_rule: Choice[SingleRule] | None
    """The single-scale rule that decided the tier (null for NOT_SUPERVISED and MISSING)."""
    single_summary: str
    provisional: list[str]
    """Why the tier is provisional (empty when it is not)."""


class TierResponse(ContractModel):
    """A ``tier`` answer: both tiers, the rules version that produced them, and the explanation."""

    two_axis: TwoAxisResponse
    single: SingleResponse
    rules_version: str
    explanation: ExplanationResponse


_label_of = attrgetter("label")


def result_json(result: TierResult) -> dict[str, Any]:
    """The ``tier`` response for a result: ``TierResponse``'s JSON form, written directly."""
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
            "protect": list(map(_label_of, two.protect.breakdown)),
            "change": list(map(_label_of, two.change.breakdown)),
            "single": list(map(_label_of, single.results)),
            "single_rule": single.rule.value if single.rule else None,
            "single_summary": single.summary,
            "provisional": list(single.provisional_reasons),
        },
    }


def tier(request: TierRequest) -> dict[str, Any]:
    """Both tiers for a validated request, as the ``tier`` response.

    The fast path reads the request model itself (it has every attribute of ``TierInputs``, already
    normalised: see ``types.TierFacts``), which saves making the inputs for each line of a caseload.
    """
    return result_json(calculate_tier(request, as_of=request.as_of))


class TierHandler(ContractHandler[TierRequest, TierResponse]):
    """The ``tier`` contract as the registry, the CLI and the API use it (``handle`` below)."""

    def __call__(self, request: Any, **options: Any) -> dict[str, Any]:
        """The response to one request (ContractError if it is invalid): ``result_json``'s dict, which
        is ``TierResponse``'s JSON form, without building the model."""
        return self.engine(parse_request(request), **options)


#: ``handle(request) -> dict``: the ``tier`` contract (``handle.request_model``, ``handle.response_model``).
handle = TierHandler(TierRequest, TierResponse, tier)


def handle_json(request: Any) -> str:
    """``handle``'s answer as compact JSON text, exactly as ``json.dumps(..., separators=(",", ":"))``
    writes it, serialised by pydantic-core (nearly twice as fast): what ``casework rules tier`` prints."""
    return to_json(tier(parse_request(request)), ensure_ascii=True).decode()
