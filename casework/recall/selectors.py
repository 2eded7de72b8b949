"""Reading recalls. Case-scoped reads take the ``VisibleCase`` that ``case_get_for_user`` returns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, Q
from django.http import Http404

from casework.access.viewer import Viewer
from casework.access.visibility import VisibleCase, recall_oversight_scope, require_visible, visible_cases
from casework.recall.facts import licence_sentences_filter
from casework.recall.models import Recall, RecallStep
from casework.record.models import Case, LicenceCondition, Registration, Sentence
from casework.rules.recall_workflow import OPEN_STATES, State


def recalled_case_ids_since(case_ids: Iterable[int], since: dt.date, *, until: dt.date | None = None) -> set[int]:
    """The cases among ``case_ids`` with a recall issued on or after ``since`` (and on or before ``until``,
    for a date in the past); one query. A recall counts from the day it was issued."""
    issued = Recall.objects.filter(case_id__in=list(case_ids), state=State.ISSUED, decided_on__gte=since)
    if until is not None:
        issued = issued.filter(decided_on__lte=until)
    return set(issued.values_list("case_id", flat=True))


def licence_sentences(*, case: VisibleCase) -> list[Sentence]:
    """The case's custody sentences on licence: what a recall can be about."""
    return list(Sentence.objects.filter(case=require_visible(case), **licence_sentences_filter())
                .order_by("number"))


def case_recalls(*, case: VisibleCase) -> list[Recall]:
    """The case's recalls, newest first, with their sentence."""
    return list(Recall.objects.filter(case=require_visible(case)).select_related("sentence"))


def recall_get(*, case: VisibleCase, recall_id: int) -> Recall:
    """One of the case's recalls with its sentence and its steps (oldest first), or 404."""
    recall = (Recall.objects.filter(case=require_visible(case), pk=recall_id).select_related("sentence")
              .prefetch_related(Prefetch("steps", queryset=RecallStep.objects.order_by("at", "pk")))
              .first())
    if recall is None:
        raise Http404("No such recall")
    return recall


@dataclass(frozen=True)
class RecommendationFacts:
    conditions: list[LicenceCondition]
    registrations: list[Registration]


def recommendation_facts(*, case: VisibleCase, recall: Recall) -> RecommendationFacts:
    """The licence conditions of the recall's sentence and the case's registrations (for the MAPPA answers)."""
    case_row = require_visible(case)
    return RecommendationFacts(
        conditions=list(LicenceCondition.objects.filter(sentence_id=recall.sentence_id).order_by("pk")),
        registrations=list(Registration.objects.filter(case=case_row).select_related("type")),
    )


@dataclass(frozen=True)
class Awaiting:
    oversight: list[Recall]  # waiting for the viewer's oversight, as SPO
    spo: list[Recall]  # waiting for the viewer's countersignature, as SPO
    aco: list[Recall]  # waiting for the viewer's countersignature, as head of PDU
    issue: list[Recall]  # countersigned by the head of PDU, waiting to be issued (viewer's teams or PDU)
    LIMIT = 200

    @property
    def total(self) -> int:
        return len(self.oversight) + len(self.spo) + len(self.aco) + len(self.issue)


def awaiting(*, viewer: Viewer) -> Awaiting:
    """The recalls waiting for ``viewer``: oversight and countersignature as the SPO of the case's team,
    countersignature as the head of the case's PDU, and those ready to issue. Oldest first; one query."""
    spo_teams, head_pdus = recall_oversight_scope(viewer)
    if not (spo_teams or head_pdus):
        return Awaiting([], [], [], [])
    wanted = ((Q(case__team_id__in=spo_teams) & Q(state__in=[State.CONSIDERED, State.RECOMMENDED,
                                                              State.ACO_COUNTERSIGNED]))
              | (Q(case__pdu_id__in=head_pdus) & Q(state__in=[State.SPO_COUNTERSIGNED, State.ACO_COUNTERSIGNED])))
    rows = list(Recall.objects.filter(wanted, case__in=visible_cases(viewer, Case.objects.all()))
                .select_related("case__manager", "case__team").order_by("updated_at", "pk")[:Awaiting.LIMIT * 4])
    groups: dict[str, list[Recall]] = {"oversight": [], "spo": [], "aco": [], "issue": []}
    for recall in rows:
        mine_as_spo = recall.case.team_id in spo_teams
        mine_as_head = recall.case.pdu_id in head_pdus
        if recall.state == State.CONSIDERED and mine_as_spo:
            groups["oversight"].append(recall)
        elif recall.state == State.RECOMMENDED and mine_as_spo:
            groups["spo"].append(recall)
        elif recall.state == State.SPO_COUNTERSIGNED and mine_as_head:
            groups["aco"].append(recall)
        elif recall.state == State.ACO_COUNTERSIGNED:
            groups["issue"].append(recall)
    return Awaiting(**{k: v[:Awaiting.LIMIT] for k, v in groups.items()})


def open_recall_counts(case_ids: Iterable[int]) -> dict[int, int]:
    """How many recalls are open per case (for lists)."""
    counts: dict[int, int] = {}
    for case_id in Recall.objects.filter(case_id__in=list(case_ids), state__in=list(OPEN_STATES)).values_list(
            "case_id", flat=True):
        counts[case_id] = counts.get(case_id, 0) + 1
    return counts
