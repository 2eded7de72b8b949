"""Evidence from the record for the case assessment's key questions, and the answer it proposes.

An inspector answering "Does assessment focus sufficiently on keeping other people safe?" looks, among
other things, at whether the police domestic abuse enquiry and the children's services safeguarding
check were done in time. Casework holds those facts (the safeguard tasks of rules.md §4 and the
enforcement signals of §5.4), so the assessment form can show them beside the question and propose an
answer the assessor confirms or changes. This module is the pure half: facts in, findings and a
proposal out; ``casework.quality.evidence`` reads the facts from the database.

Readings (Casework's own, labelled as such wherever a proposal appears; rules.md does not say which
record evidence bears on which key question):

- A fact counts once it was due on or before the assessment's ``as_of`` (a task due later says nothing
  yet). Done on or before its due date: met. Done after it, or still open after it: not met. Judged
  not required (with its recorded reason): met, the record shows the decision.
- An enforcement signal (a decision owed) is met when its decision was recorded on or before its due
  date, not met when recorded later or still open after it.
- A key question with no fact due has no proposal: the assessor answers from the file alone.
  Otherwise the proposal is NOT_SUFFICIENT if any fact is not met, else SUFFICIENT. The record can
  show that a step was missed; it cannot show the quality of what was done, so SUFFICIENT is only a
  proposal the assessor must confirm.
- Which facts bear on which key question is ``SOURCES`` below, per framework. Management oversight is
  evidence for implementation (2.3) and reviewing (2.4) of keeping other people safe.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from casework.rules.safeguards import Safeguard

RULES_VERSION = "qa-evidence-2026.1"


class Answer(StrEnum):
    SUFFICIENT = "SUFFICIENT"
    NOT_SUFFICIENT = "NOT_SUFFICIENT"
    NOT_APPLICABLE = "NOT_APPLICABLE"


# The kinds of record evidence a key question may turn on: the six safeguards of rules.md §4 (the safeguards
# engine's codes) and enforcement decisions owed (§5.4).
Source = StrEnum("Source", {**{s.value: s.value for s in Safeguard}, "ENFORCEMENT": "ENFORCEMENT"})


_ASSESS = (Source.DOMESTIC_ABUSE_ENQUIRY, Source.SAFEGUARDING_ENQUIRY, Source.INITIAL_ROSH_ASSESSMENT)
_DELIVER = (Source.HOME_VISIT, Source.RISK_REVIEW, Source.MANAGEMENT_OVERSIGHT)
_REVIEW = (Source.RISK_REVIEW, Source.MANAGEMENT_OVERSIGHT)

#: Which record evidence bears on which key question: framework → (standard, key question) → sources.
SOURCES: Mapping[str, Mapping[tuple[str, str], tuple[Source, ...]]] = {
    "PROBATION_2018": {
        ("2.1", "SAFETY"): _ASSESS,
        ("2.3", "ENGAGEMENT"): (Source.ENFORCEMENT,),
        ("2.3", "SAFETY"): _DELIVER,
        ("2.4", "ENGAGEMENT"): (Source.ENFORCEMENT,),
        ("2.4", "SAFETY"): _REVIEW,
    },
    "YOUTH_2018": {
        ("2.1", "RISK_OF_HARM"): _ASSESS,
        ("2.1", "SAFETY_AND_WELLBEING"): (Source.SAFEGUARDING_ENQUIRY,),
        ("2.3", "RISK_OF_HARM"): _DELIVER,
        ("2.4", "RISK_OF_HARM"): _REVIEW,
    },
}


@dataclass(frozen=True)
class Fact:
    """One dated piece of record evidence: a safeguard task or an enforcement signal."""

    source: Source
    label: str  # what it was, in words ("Home visit after a change of address")
    due: dt.date
    done_on: dt.date | None  # when it was done or decided; None while open
    not_required: bool = False  # judged not required, with a recorded reason
    link: str = ""  # where in the record it is


@dataclass(frozen=True)
class Finding:
    fact: Fact
    met: bool
    words: str  # "Done 3 working days before it was due", "Overdue: not done"


@dataclass(frozen=True)
class Proposal:
    """What the record says about one key question: its findings and the answer they propose."""

    standard: str
    key_question: str
    findings: tuple[Finding, ...]
    answer: Answer | None  # None: nothing in the record was due, no proposal

    @property
    def reason(self) -> str:
        if self.answer is None:
            return "Nothing the record holds for this question was due by the reference date."
        missed = [f for f in self.findings if not f.met]
        if missed:
            return f"{len(missed)} of {len(self.findings)} record checks not met: " + "; ".join(
                f"{f.fact.label} ({f.words})" for f in missed)
        return f"All {len(self.findings)} record checks met"


def judge(fact: Fact, as_of: dt.date) -> Finding | None:
    """The finding for one fact on ``as_of``, or None when it was not yet due."""
    if fact.due > as_of:
        return None
    if fact.not_required:
        return Finding(fact, True, "Judged not required, with the reason recorded")
    if fact.done_on is None or fact.done_on > as_of:
        return Finding(fact, False, f"Not done by its due date, {fact.due:%-d %B %Y}")
    if fact.done_on <= fact.due:
        return Finding(fact, True, f"Done on {fact.done_on:%-d %B %Y}, due {fact.due:%-d %B %Y}")
    late = (fact.done_on - fact.due).days
    return Finding(fact, False, f"Done {late} day{'s' if late != 1 else ''} late, on {fact.done_on:%-d %B %Y}")


def propose(framework: str, facts: Iterable[Fact], *, as_of: dt.date,
            questions: Sequence[tuple[str, str]] | None = None) -> dict[tuple[str, str], Proposal]:
    """Proposals for every key question the framework's ``SOURCES`` names (or only ``questions``)."""
    by_source: dict[Source, list[Finding]] = {}
    for fact in sorted(facts, key=lambda f: (f.due, f.label)):
        finding = judge(fact, as_of)
        if finding is not None:
            by_source.setdefault(fact.source, []).append(finding)
    mapping = SOURCES.get(framework, {})
    wanted = list(mapping) if questions is None else [q for q in questions if q in mapping]
    proposals = {}
    for standard, key_question in wanted:
        findings = tuple(f for source in mapping[(standard, key_question)] for f in by_source.get(source, ()))
        if not findings:
            answer = None
        elif all(f.met for f in findings):
            answer = Answer.SUFFICIENT
        else:
            answer = Answer.NOT_SUFFICIENT
        proposals[(standard, key_question)] = Proposal(standard, key_question, findings, answer)
    return proposals
