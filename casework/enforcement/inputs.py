"""What the enforcement engine reads about a sentence, from the record (rules.md §5.5 "What is read").

``sentence_inputs(case_ids)`` is the one seam between the record and the engine: everything the
signals depend on is read here, for many cases in a fixed number of queries (seven), so the services'
recompute, the case page and the demo generator all send the engine the same thing.

Read from the record, per current sentence (not ended, not still in custody):

- the kind of supervision (``casework.safeguards.inputs.supervision_of``): an order, a licence, or
  post-sentence supervision;
- contacts: appointment outcomes linked to the sentence; a contact linked to no sentence counts for
  the case's latest current sentence when dated on or after its supervision started;
- actions: the enforcement decisions recorded on the sentence (``choices.ENGINE_ACTION``);
- risk events: the case's arrests, charges and domestic abuse call-outs from the start of the latest
  current sentence's supervision (other sentences of the case do not repeat them);
- risk reviews: each risk assessment, and each risk review safeguard task closed as done.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from casework.enforcement.choices import ENGINE_ACTION
from casework.enforcement.models import EnforcementDecision, EnforcementSignal
from casework.record.choices import ContactOutcome
from casework.record.models import Case, Contact, RiskAssessment, Sentence
from casework.rules import contacts as contact_rules
from casework.rules.enforcement import (
    REVIEW_EVENTS,
    EnforcementActionTaken,
    EnforcementContact,
    EnforcementRequest,
    EnforcementRiskEvent,
    EnforcementRiskReview,
)
from casework.rules.supervision import SupervisionKind
from casework.safeguards.choices import TaskStatus
from casework.safeguards.inputs import SENTENCE_FIELDS, current_sentence, supervision_of
from casework.safeguards.models import SafeguardTask
from casework.supervision.models import CaseEvent

CASE_FIELDS = ("id", "crn", "pdu_id", "team_id", "gender")
#: The outcomes read: failures to comply (the engine) and acceptable absences (the case page shows them).
READ_OUTCOMES = frozenset(contact_rules.FAILURES_TO_COMPLY) | {ContactOutcome.ACCEPTABLE_ABSENCE}


@dataclass
class SentenceInput:
    """One current sentence's engine input and what it was built from."""

    case: Case
    sentence: Sentence
    kind: SupervisionKind
    start: dt.date
    contacts: list[tuple[dt.date, str, int]] = field(default_factory=list)  # (day, outcome, contact id)
    decisions: list[EnforcementDecision] = field(default_factory=list)
    events: list[tuple[str, dt.date]] = field(default_factory=list)
    reviews: list[dt.date] = field(default_factory=list)
    signals: list[EnforcementSignal] = field(default_factory=list)

    def request(self, as_of: dt.date) -> EnforcementRequest:
        """The engine request as of ``as_of`` (built without re-validating: every value comes from the record)."""
        return EnforcementRequest.model_construct(
            as_of=as_of, kind=self.kind,
            contacts=[EnforcementContact.model_construct(date=day, outcome=outcome)
                      for day, outcome, _ in self.contacts if contact_rules.is_failure_to_comply(outcome)],
            actions=[EnforcementActionTaken.model_construct(date=d.decided_on, action=ENGINE_ACTION[d.kind])
                     for d in self.decisions],
            risk_events=[EnforcementRiskEvent.model_construct(type=kind, date=day) for kind, day in self.events],
            risk_reviews=[EnforcementRiskReview.model_construct(date=day) for day in self.reviews],
        )


def current_sentences(sentences: list[Sentence]) -> list[tuple[Sentence, SupervisionKind, dt.date]]:
    """The case's sentences under supervision now, each with its kind and start, oldest first."""
    result = []
    for sentence in sorted(sentences, key=lambda s: (s.sentence_date, s.pk or 0)):
        supervision = supervision_of(sentence)
        if supervision is not None:
            result.append((sentence, *supervision))
    return result


def sentence_inputs(case_ids: list[int], *, lock: bool = False, with_signals: bool = True,
                    with_risk: bool = True, case: Case | None = None) -> dict[int, list[SentenceInput]]:
    """Every current sentence's input, per case in ``case_ids`` (eight queries); ``lock`` locks the case and
    signal rows first (the services recompute under it, so two recomputes cannot both create a signal).

    The case page passes its ``case`` (already read) and ``with_risk=False``: it shows the stored signals and
    the required action, which reads only contacts and decisions (four queries).
    """
    if case is not None:
        cases = {case.pk: case}
    else:
        cases_qs = Case.objects.filter(pk__in=case_ids).only(*CASE_FIELDS).order_by("pk")
        if lock:
            cases_qs = cases_qs.select_for_update()
        cases = {c.pk: c for c in cases_qs}
    by_case: dict[int, list[Sentence]] = defaultdict(list)
    for sentence in Sentence.objects.filter(case_id__in=case_ids).only(*SENTENCE_FIELDS):
        by_case[sentence.case_id].append(sentence)
    inputs: dict[int, list[SentenceInput]] = {}
    by_sentence: dict[int, SentenceInput] = {}
    latest: dict[int, SentenceInput] = {}
    for case_id, record in cases.items():
        items = [SentenceInput(case=record, sentence=s, kind=kind, start=start)
                 for s, kind, start in current_sentences(by_case[case_id])]
        inputs[case_id] = items
        by_sentence.update({item.sentence.pk: item for item in items})
        newest = current_sentence(by_case[case_id])
        if newest is not None and newest.pk in by_sentence:
            latest[case_id] = by_sentence[newest.pk]
    if not by_sentence and not with_signals:
        return inputs
    rows = (Contact.objects.filter(case_id__in=case_ids, outcome__in=READ_OUTCOMES)
            .values_list("pk", "case_id", "sentence_id", "outcome", "starts_at"))
    for pk, case_id, sentence_id, outcome, starts_at in rows:
        day = timezone.localtime(starts_at).date()
        item = by_sentence.get(sentence_id) if sentence_id is not None else latest.get(case_id)
        if item is None or (sentence_id is None and day < item.start):
            continue
        item.contacts.append((day, outcome, pk))
    for decision in EnforcementDecision.objects.filter(case_id__in=case_ids).order_by("decided_on", "pk"):
        item = by_sentence.get(decision.sentence_id)
        if item is not None:
            item.decisions.append(decision)
    reviews: dict[int, list[dt.date]] = defaultdict(list)
    if with_risk:
        review_events = [kind.value for kind in REVIEW_EVENTS]
        for case_id, kind, day in (CaseEvent.objects.filter(case_id__in=case_ids, type__in=review_events)
                                   .values_list("case_id", "type", "occurred_on")):
            item = latest.get(case_id)
            if item is not None and day >= item.start:
                item.events.append((kind, day))
        for case_id, day in (RiskAssessment.objects.filter(case_id__in=case_ids)
                             .values_list("case_id", "assessed_on")):
            reviews[case_id].append(day)
        for case_id, day in (SafeguardTask.objects.filter(case_id__in=case_ids, safeguard="RISK_REVIEW",
                                                          status=TaskStatus.DONE, done_on__isnull=False)
                             .values_list("case_id", "done_on")):
            reviews[case_id].append(day)
    for case_id, items in inputs.items():
        for item in items:
            item.contacts.sort()
            item.reviews = sorted(reviews[case_id])
    if with_signals:
        signals = EnforcementSignal.objects.filter(case_id__in=case_ids).order_by("pk")
        if lock:
            signals = signals.select_for_update()
        orphans: dict[int, list[EnforcementSignal]] = defaultdict(list)
        for signal in signals:
            signal.case = cases[signal.case_id]
            item = by_sentence.get(signal.sentence_id)
            if item is not None:
                item.signals.append(signal)
            else:
                orphans[signal.case_id].append(signal)
        # Signals of a sentence no longer under supervision: planned with nothing raised (kept open if open).
        for case_id, stored in orphans.items():
            for sentence_id in {s.sentence_id for s in stored}:
                mine = [s for s in stored if s.sentence_id == sentence_id]
                if any(s.status == "OPEN" and s.in_engine for s in mine):
                    ended = SentenceInput(case=cases[case_id], sentence=Sentence(pk=sentence_id, case_id=case_id),
                                          kind=None, start=dt.date.min, signals=mine)  # type: ignore[arg-type]
                    inputs[case_id].append(ended)
    return inputs
