"""What the record already says about the recall-type questions (rules.md §5.3), and the engine's inputs
from the practitioner's answers. Readings: docs/rules.md ("Recall workflow")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

from casework.record.choices import CustodialType, RegistrationGroup, SentenceKind, SentenceStatus
from casework.record.models import Registration, Sentence
from casework.rules.recall import (
    EXCLUSION_LABELS,
    YOUTH_LABELS,
    AdultExclusions,
    NewOffence,
    RecallDecision,
    RecallInputs,
    SentenceGroup,
    YouthFlags,
    decide,
)

# The custodial type → the engine's sentence group. A custody sentence with no custodial type recorded is
# read as a standard determinate one: the engine's answer still depends on the exclusions asked.
GROUPS: dict[str, SentenceGroup] = {
    CustodialType.DETERMINATE: SentenceGroup.ADULT_SDS,
    CustodialType.SOPC: SentenceGroup.ADULT_SDS,
    CustodialType.EXTENDED: SentenceGroup.EXTENDED,
    CustodialType.LIFE: SentenceGroup.INDETERMINATE,
    CustodialType.IPP: SentenceGroup.INDETERMINATE,
    CustodialType.YOUTH_DETERMINATE: SentenceGroup.YOUTH_SDS,
    "": SentenceGroup.ADULT_SDS,
}
GROUP_WORDS = {
    SentenceGroup.ADULT_SDS: "Adult determinate sentence",
    SentenceGroup.EXTENDED: "Extended sentence",
    SentenceGroup.INDETERMINATE: "Indeterminate sentence (life or IPP)",
    SentenceGroup.YOUTH_SDS: "Youth determinate sentence",
}
# Answers to a yes/no question: "YES", "NO" or "" (not known: counts as yes, rules.md §5.3).
YES, NO, UNKNOWN = "YES", "NO", ""


def licence_sentences_filter() -> dict:
    """The sentences a recall can be about: custody sentences now on licence."""
    return {"kind": SentenceKind.CUSTODY, "status": SentenceStatus.LICENCE}


def group_of(sentence: Sentence) -> SentenceGroup:
    return GROUPS.get(sentence.custodial_type, SentenceGroup.ADULT_SDS)


@dataclass(frozen=True)
class Answers:
    """The practitioner's answers to the recall-type questions: each "YES", "NO" or "" (not known)."""

    new_offence: str = ""  # a NewOffence value, or "" not answered
    exclusions: tuple[tuple[str, str], ...] = ()  # (AdultExclusions field, answer)
    youth: tuple[tuple[str, str], ...] = ()  # (YouthFlags field, answer)

    def as_dict(self) -> dict:
        return {"new_offence": self.new_offence, "exclusions": dict(self.exclusions), "youth": dict(self.youth)}


def _flag(answer: str) -> bool | None:
    return True if answer == YES else False if answer == NO else None


def engine_inputs(group: SentenceGroup, answers: Answers) -> RecallInputs:
    exclusions = dict(answers.exclusions)
    youth = dict(answers.youth)
    return RecallInputs(
        sentence_group=group,
        new_offence=NewOffence(answers.new_offence) if answers.new_offence else None,
        exclusions=AdultExclusions(**{f.name: _flag(exclusions.get(f.name, UNKNOWN)) for f in fields(AdultExclusions)}),
        youth=YouthFlags(**{f.name: _flag(youth.get(f.name, UNKNOWN)) for f in fields(YouthFlags)}),
    )


def engine_decision(group: SentenceGroup, answers: Answers) -> RecallDecision:
    return decide(engine_inputs(group, answers))


def known_answers(sentence: Sentence, registrations: list[Registration], *, today: dt.date) -> Answers:
    """The answers the record gives: SOPC from the custodial type, MAPPA category 4 and level 2 or 3 from the
    case's current MAPPA registration, a sentence of 12 months or over from its length. Everything else is
    not known until the practitioner answers."""
    mappa = [r for r in registrations if r.type.group == RegistrationGroup.MAPPA and r.is_active
             and r.start_date <= today]
    level_2_or_3 = YES if any((r.level or 0) >= 2 for r in mappa) else (NO if mappa else UNKNOWN)
    category_4 = YES if any(r.category == 4 for r in mappa) else (NO if mappa else UNKNOWN)
    exclusions = dict.fromkeys(EXCLUSION_LABELS, UNKNOWN)
    exclusions["sopc"] = YES if sentence.custodial_type == CustodialType.SOPC else NO
    exclusions["mappa_category_4"] = category_4
    exclusions["mappa_level_2_or_3"] = level_2_or_3
    youth = dict.fromkeys(YOUTH_LABELS, UNKNOWN)
    if sentence.length_months is not None:
        youth["sentence_12_months_or_over"] = YES if sentence.length_months >= 12 else NO
    youth["mappa_level_2_or_3"] = level_2_or_3
    return Answers(new_offence="", exclusions=tuple(exclusions.items()), youth=tuple(youth.items()))


def with_record(answers: Answers, known: Answers) -> Answers:
    """``answers`` with every exclusion the record shows to be true (``known``) kept true: a practitioner's
    "no" cannot answer away what the record says (an SOPC sentence, a current MAPPA level 2 registration)."""
    def merged(given, record):
        record = dict(record)
        return tuple((name, YES if record.get(name) == YES else answer) for name, answer in given)

    return Answers(new_offence=answers.new_offence, exclusions=merged(answers.exclusions, known.exclusions),
                   youth=merged(answers.youth, known.youth))


def questions_for(group: SentenceGroup) -> tuple[bool, bool, bool]:
    """(ask the new-offence question, ask the adult exclusions, ask the youth ones) for ``group``."""
    adult = group is SentenceGroup.ADULT_SDS
    return adult, adult, group is SentenceGroup.YOUTH_SDS


def sentence_words(sentence: Sentence) -> str:
    kind = sentence.get_custodial_type_display() or sentence.get_kind_display()
    length = f", {sentence.length_months} months" if sentence.length_months else ""
    expiry = (f", licence ends {sentence.licence_expiry_date.day} {sentence.licence_expiry_date:%B %Y}"
              if sentence.licence_expiry_date else "")
    return f"Event {sentence.number}: {kind}{length}{expiry}"
