"""Recall type: which recall is mandatory or allowed for a licence breach (rules.md §5.3).

The law changes (recall law changed in 2025 and again on 31 March 2026, when the Sentencing Act
2026 brought in the 56-day fixed-term recall), so the rule set carries ``RULES_VERSION`` and
``EFFECTIVE_FROM``; a stored recall decision records the version that produced it.

Interpretations (see README.md "Recall type"):

- An exclusion or youth flag that is null or missing counts as true: the safe answer is the one
  that does not make a fixed-term recall mandatory until somebody has confirmed it.
- The new-offence question left unanswered (null or missing) likewise never makes a fixed-term
  recall mandatory, so an adult determinate case with it unanswered gets a mandatory standard
  recall. It does not apply to youth, extended or indeterminate sentences.
- Where a type is mandatory, the other type is not offered; "no recall" is always allowed.
- Emergency recall is offered for indeterminate sentences only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from casework.rules.schema import Choice, ContractModel, contract_handler

RULES_VERSION = "recall-2026.1"
# The Sentencing Act 2026 recall changes (56-day fixed-term recall) took effect on this date.
EFFECTIVE_FROM = dt.date(2026, 3, 31)


class SentenceGroup(StrEnum):
    ADULT_SDS = "ADULT_SDS"
    INDETERMINATE = "INDETERMINATE"
    EXTENDED = "EXTENDED"
    YOUTH_SDS = "YOUTH_SDS"


class NewOffence(StrEnum):
    NO = "NO"
    CHARGED_AND_CONVICTED = "CHARGED_AND_CONVICTED"
    ONLY_CHARGED = "ONLY_CHARGED"


class RecallType(StrEnum):
    FIXED_TERM = "FIXED_TERM"
    STANDARD = "STANDARD"
    NO_RECALL = "NO_RECALL"


# Contract field name → the words used in a reason. Order is the order of rules.md §5.3.
EXCLUSION_LABELS: dict[str, str] = {
    "parole_board_s244zb": "Referred to the Parole Board under s.244ZB",
    "repatriated_for_murder": "Repatriated for murder",
    "sopc": "Serving a sentence for offenders of particular concern",
    "dcr": "Serving a discretionary conditional release sentence",
    "terrorist_or_national_security": "Terrorist or national-security offence",
    "foreign_power_threat": "Foreign-power threat",
    "mappa_category_4": "MAPPA category 4",
    "mappa_level_2_or_3": "MAPPA level 2 or 3",
}

YOUTH_LABELS: dict[str, str] = {
    "sentence_12_months_or_over": "Sentence of 12 months or over",
    "charged_with_serious_offence": "Charged with a serious offence",
    "mappa_level_2_or_3": "MAPPA level 2 or 3",
}

NEW_OFFENCE_LABELS: dict[NewOffence, str] = {
    NewOffence.NO: "No further offence",
    NewOffence.CHARGED_AND_CONVICTED: "Charged with and convicted of a further offence",
    NewOffence.ONLY_CHARGED: "Charged with a further offence but not convicted",
}

REASON_INDETERMINATE = "Indeterminate sentence (life or IPP): standard recall is mandatory"
REASON_EMERGENCY = "Indeterminate sentence: emergency recall is offered"
REASON_EXTENDED = "Extended sentence: standard recall is mandatory"
REASON_EXCLUDED = "{label}: fixed-term recall is excluded"
REASON_UNANSWERED = "{label} not answered: counts as yes, so fixed-term recall is excluded"
REASON_NEW_OFFENCE_UNANSWERED = "New-offence question not answered: fixed-term recall is excluded"
REASON_ADULT_FIXED_TERM = "{label} and no exclusion applies: fixed-term recall is mandatory"
REASON_ADULT_STANDARD = (
    "Adult determinate sentence excluded from fixed-term recall: standard recall is mandatory"
)
REASON_YOUTH_FIXED_TERM = (
    "Youth determinate sentence with none of the youth exclusions: fixed-term recall is mandatory"
)
REASON_YOUTH_DISCRETIONARY = (
    "Youth determinate sentence with an exclusion: fixed-term recall, standard recall or no recall "
    "is a matter of judgement"
)
REASON_OTHER_TYPE_NOT_OFFERED = "{mandatory} recall is mandatory, so {other} recall is not offered"


@dataclass(frozen=True)
class AdultExclusions:
    """The eight fixed-term recall exclusions for adult determinate sentences; None = not answered."""

    parole_board_s244zb: bool | None = None
    repatriated_for_murder: bool | None = None
    sopc: bool | None = None
    dcr: bool | None = None
    terrorist_or_national_security: bool | None = None
    foreign_power_threat: bool | None = None
    mappa_category_4: bool | None = None
    mappa_level_2_or_3: bool | None = None


@dataclass(frozen=True)
class YouthFlags:
    """The three youth fixed-term recall exclusions; None = not answered."""

    sentence_12_months_or_over: bool | None = None
    charged_with_serious_offence: bool | None = None
    mappa_level_2_or_3: bool | None = None


@dataclass(frozen=True)
class RecallInputs:
    """Everything the recall-type rule looks at. Unanswered (None) parts count against fixed term."""

    sentence_group: SentenceGroup
    new_offence: NewOffence | None = None
    exclusions: AdultExclusions | None = None
    youth: YouthFlags | None = None


@dataclass(frozen=True)
class RecallDecision:
    """Result: the mandatory type (if any), the types that may be chosen, and why."""

    mandatory: RecallType | None
    allowed: tuple[RecallType, ...]
    emergency_offered: bool
    reasons: tuple[str, ...]
    rules_version: str = RULES_VERSION


def _counts_as_true(value: bool | None) -> bool:
    # An unanswered question must not let a fixed-term recall through unchecked.
    return value is None or value


def _flag_reasons(values: Any, labels: dict[str, str]) -> list[str]:
    reasons = []
    for name, label in labels.items():
        value = getattr(values, name)
        if value is None:
            reasons.append(REASON_UNANSWERED.format(label=label))
        elif value:
            reasons.append(REASON_EXCLUDED.format(label=label))
    return reasons


def _with_mandatory(mandatory: RecallType, reasons: list[str], *, emergency: bool = False) -> RecallDecision:
    other = RecallType.STANDARD if mandatory is RecallType.FIXED_TERM else RecallType.FIXED_TERM
    reasons.append(
        REASON_OTHER_TYPE_NOT_OFFERED.format(mandatory=_words(mandatory).capitalize(), other=_words(other))
    )
    return RecallDecision(
        mandatory=mandatory,
        allowed=_ordered({mandatory, RecallType.NO_RECALL}),
        emergency_offered=emergency,
        reasons=tuple(reasons),
    )


def _words(recall_type: RecallType) -> str:
    return recall_type.value.lower().replace("_", "-")


def _ordered(types: set[RecallType]) -> tuple[RecallType, ...]:
    # Always FIXED_TERM, STANDARD, NO_RECALL, so callers and stored results compare equal.
    return tuple(t for t in RecallType if t in types)


def decide(inputs: RecallInputs) -> RecallDecision:
    """Apply rules.md §5.3 to one case."""
    group = inputs.sentence_group
    if group is SentenceGroup.INDETERMINATE:
        return _with_mandatory(RecallType.STANDARD, [REASON_INDETERMINATE, REASON_EMERGENCY], emergency=True)
    if group is SentenceGroup.EXTENDED:
        return _with_mandatory(RecallType.STANDARD, [REASON_EXTENDED])
    if group is SentenceGroup.ADULT_SDS:
        return _adult(inputs.new_offence, inputs.exclusions or AdultExclusions())
    return _youth(inputs.youth or YouthFlags())


def _adult(new_offence: NewOffence | None, exclusions: AdultExclusions) -> RecallDecision:
    reasons = _flag_reasons(exclusions, EXCLUSION_LABELS)
    if new_offence is None:
        reasons.insert(0, REASON_NEW_OFFENCE_UNANSWERED)
    elif new_offence is NewOffence.ONLY_CHARGED:
        reasons.insert(0, REASON_EXCLUDED.format(label=NEW_OFFENCE_LABELS[new_offence]))
    excluded = any(_counts_as_true(getattr(exclusions, f.name)) for f in fields(AdultExclusions))
    if new_offence in (NewOffence.NO, NewOffence.CHARGED_AND_CONVICTED) and not excluded:
        reasons.append(REASON_ADULT_FIXED_TERM.format(label=NEW_OFFENCE_LABELS[new_offence]))
        return _with_mandatory(RecallType.FIXED_TERM, reasons)
    reasons.append(REASON_ADULT_STANDARD)
    return _with_mandatory(RecallType.STANDARD, reasons)


def _youth(youth: YouthFlags) -> RecallDecision:
    reasons = _flag_reasons(youth, YOUTH_LABELS)
    if not any(_counts_as_true(getattr(youth, f.name)) for f in fields(YouthFlags)):
        return _with_mandatory(RecallType.FIXED_TERM, [REASON_YOUTH_FIXED_TERM])
    reasons.append(REASON_YOUTH_DISCRETIONARY)
    return RecallDecision(
        mandatory=None,
        allowed=_ordered(set(RecallType)),
        emergency_offered=False,
        reasons=tuple(reasons),
    )


# --- the JSON contract ----------------------------------------------------------------------------


class RecallExclusions(ContractModel):
    """The eight fixed-term recall exclusions (adult determinate sentences); null or missing counts as true."""

    parole_board_s244zb: bool | None = None
    """Referred to the Parole Board under s.244ZB."""
    repatriated_for_murder: bool | None = None
    """Repatriated for murder."""
    sopc: bool | None = None
    """Serving a sentence for offenders of particular concern."""
    dcr: bool | None = None
    """Serving a discretionary conditional release sentence."""
    terrorist_or_national_security: bool | None = None
    """Terrorist or national-security offence."""
    foreign_power_threat: bool | None = None
    """Foreign-power threat."""
    mappa_category_4: bool | None = None
    """MAPPA category 4."""
    mappa_level_2_or_3: bool | None = None
    """MAPPA level 2 or 3."""


class RecallYouthFlags(ContractModel):
    """The three youth exclusions (YOUTH_SDS); null or missing counts as true."""

    sentence_12_months_or_over: bool | None = None
    """The sentence is 12 months or over."""
    charged_with_serious_offence: bool | None = None
    """Charged with a serious offence."""
    mappa_level_2_or_3: bool | None = None
    """MAPPA level 2 or 3."""


class RecallRequest(ContractModel):
    """The facts of one licence breach."""

    sentence_group: Choice[SentenceGroup]
    """ADULT_SDS, INDETERMINATE, EXTENDED or YOUTH_SDS."""
    new_offence: Choice[NewOffence] | None = None
    """NO, CHARGED_AND_CONVICTED or ONLY_CHARGED; null or missing when not answered."""
    exclusions: RecallExclusions | None = None
    """The adult exclusions; null or missing means none has been answered."""
    youth: RecallYouthFlags | None = None
    """The youth exclusions (for YOUTH_SDS); null or missing means none has been answered."""


class RecallResponse(ContractModel):
    """Which recall is mandatory or allowed, and why."""

    mandatory: RecallType | None
    """The recall type the law requires (FIXED_TERM or STANDARD), or null when it is a judgement."""
    allowed: list[RecallType]
    """The types that may be chosen, always in the order FIXED_TERM, STANDARD, NO_RECALL."""
    emergency_offered: bool
    """Whether emergency recall is offered (indeterminate sentences only)."""
    reasons: list[str]
    """Why, in words."""
    rules_version: str
    """The version of the recall rules that produced this answer."""


def _flags(given: BaseModel | None, cls: type[AdultExclusions] | type[YouthFlags]) -> Any:
    # Missing or null object: every flag unanswered; inside it, a missing flag is unanswered too.
    if given is None:
        return None
    return cls(**{field.name: getattr(given, field.name) for field in fields(cls)})


def to_inputs(request: RecallRequest) -> RecallInputs:
    """The engine's inputs for a validated request."""
    return RecallInputs(
        sentence_group=request.sentence_group,
        new_offence=request.new_offence,
        exclusions=_flags(request.exclusions, AdultExclusions),
        youth=_flags(request.youth, YouthFlags),
    )


def to_response(decision: RecallDecision) -> RecallResponse:
    """The contract response for a decision."""
    return RecallResponse(
        mandatory=decision.mandatory,
        allowed=list(decision.allowed),
        emergency_offered=decision.emergency_offered,
        reasons=list(decision.reasons),
        rules_version=decision.rules_version,
    )


def recall_type(request: RecallRequest) -> RecallResponse:
    """``casework rules recall-type``: the decision for one validated request."""
    return to_response(decide(to_inputs(request)))


#: ``handle(request) -> dict``: the ``recall-type`` contract (ContractError if invalid).
handle = contract_handler(RecallRequest, RecallResponse, recall_type)
