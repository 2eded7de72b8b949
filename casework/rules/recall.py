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

from casework.rules.contract import Fields

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


def _flags(f: Fields, name: str, cls: type[AdultExclusions] | type[YouthFlags]) -> Any:
    # Missing or null object → every flag unanswered; inside it, a missing flag is unanswered too.
    obj = f.obj(name, required=False, nullable=True)
    if obj is None:
        return None
    values = {field.name: obj.boolean(field.name, required=False, nullable=True) for field in fields(cls)}
    obj.done()
    return cls(**values)


def parse(request: dict[str, Any]) -> RecallInputs:
    """Read a ``recall-type`` contract request; raises ContractError."""
    f = Fields(request)
    inputs = RecallInputs(
        sentence_group=f.enum("sentence_group", SentenceGroup),
        new_offence=f.enum("new_offence", NewOffence, required=False, nullable=True),
        exclusions=_flags(f, "exclusions", AdultExclusions),
        youth=_flags(f, "youth", YouthFlags),
    )
    f.done()
    return inputs


def to_json(decision: RecallDecision) -> dict[str, Any]:
    """The contract response for a decision."""
    return {
        "mandatory": decision.mandatory.value if decision.mandatory else None,
        "allowed": [t.value for t in decision.allowed],
        "emergency_offered": decision.emergency_offered,
        "reasons": list(decision.reasons),
        "rules_version": decision.rules_version,
    }


def handle(request: dict[str, Any]) -> dict[str, Any]:
    """``casework rules recall-type``: contracts.md request in, response out."""
    return to_json(decide(parse(request)))
