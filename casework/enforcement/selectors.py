"""Every read of compliance, signals and decisions. Case-scoped reads take the ``VisibleCase`` from
``case_get_for_user``; lists go through ``visible_cases`` so a restricted or excluded case never shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from casework.access.viewer import Viewer
from casework.access.visibility import (
    VisibleCase,
    in_managed_teams,
    led_pdu_ids,
    require_visible,
    visible_cases,
)
from casework.enforcement.choices import DecisionKind, OversightStatus, SignalStatus
from casework.enforcement.inputs import SentenceInput, sentence_inputs
from casework.enforcement.models import EnforcementDecision, EnforcementSignal
from casework.enforcement.plan import engine_answer
from casework.organisation.models import Team
from casework.record.choices import ContactOutcome
from casework.record.models import Case
from casework.rules import contacts as contact_rules
from casework.rules.calendar import in_year_before, years_before
from casework.rules.enforcement import DEFAULT_POLICY, EnforcementResponse

SIGNALS_PAGE_SIZE = 50
REQUIRED_WORDS = {
    "WARNING": "Give a warning: this failure to comply has not been answered",
    "BREACH": "Return to court (breach): a warning was already given in the 12 months before this failure",
    "DECISION": "Record an enforcement decision about the failure on licence, with SPO oversight",
}


@dataclass
class SentenceCompliance:
    """One current sentence's compliance over the last 12 months and what it needs next."""

    item: SentenceInput
    failures: list[tuple[dt.date, str]]
    acceptable: list[tuple[dt.date, str]]
    unacceptable: int
    warnings: list[EnforcementDecision]
    decisions: list[EnforcementDecision]
    answer: EnforcementResponse | None
    signals: list[EnforcementSignal] = field(default_factory=list)

    @property
    def required_words(self) -> str:
        if self.answer is None or self.answer.required_action is None:
            return ""
        return REQUIRED_WORDS[self.answer.required_action.value]


def _label(outcome: str) -> str:
    return ContactOutcome(outcome).label


def case_compliance(*, case: VisibleCase, today: dt.date) -> list[SentenceCompliance]:
    """Each current sentence's compliance (the case overview's section): a fixed number of queries."""
    record = require_visible(case)
    items = [i for i in sentence_inputs([record.pk], with_risk=False, case=record)[record.pk] if i.kind is not None]
    result = []
    for item in items:
        recent = [(day, outcome) for day, outcome, _ in item.contacts if in_year_before(day, today)]
        failures = [(day, _label(o)) for day, o in recent if contact_rules.is_failure_to_comply(o)]
        result.append(SentenceCompliance(
            item=item, failures=sorted(failures, reverse=True),
            acceptable=sorted(((day, _label(o)) for day, o in recent if o == ContactOutcome.ACCEPTABLE_ABSENCE),
                              reverse=True),
            unacceptable=sum(1 for _, o in recent if o == ContactOutcome.UNACCEPTABLE_ABSENCE),
            warnings=[d for d in reversed(item.decisions) if d.kind == DecisionKind.WARNING],
            decisions=list(reversed(item.decisions)),
            # The required action does not depend on the deadlines; the signals shown are the stored ones.
            answer=engine_answer(item, today, DEFAULT_POLICY),
            signals=sorted(item.signals, key=lambda s: (s.status != SignalStatus.OPEN, s.since)),
        ))
    return result


def signal_get(*, case: VisibleCase, signal_id: int) -> EnforcementSignal:
    signal = (EnforcementSignal.objects.select_related("case", "sentence", "decision", "decided_by")
              .filter(case=require_visible(case), pk=signal_id).first())
    if signal is None:
        raise Http404("No such signal")
    return signal


def decision_get(*, case: VisibleCase, decision_id: int) -> EnforcementDecision:
    decision = (EnforcementDecision.objects.select_related("case", "sentence", "recorded_by", "oversight_by")
                .filter(case=require_visible(case), pk=decision_id).first())
    if decision is None:
        raise Http404("No such decision")
    return decision


def _team_cases(viewer: Viewer) -> QuerySet[Case]:
    return visible_cases(viewer, Case.objects.filter(in_managed_teams(viewer))).values("pk")


def team_signals(*, viewer: Viewer, page: int = 1) -> Page:
    """Open signals on the cases of the teams ``viewer`` manages, oldest first (one page)."""
    qs = (EnforcementSignal.objects.filter(status=SignalStatus.OPEN, case__in=_team_cases(viewer))
          .select_related("case", "case__manager", "sentence")
          .only("id", "kind", "since", "due", "status", "in_engine", "version", "case__crn", "case__first_name",
                "case__last_name", "case__manager__first_name", "case__manager__last_name", "sentence__kind",
                "sentence__status")
          .order_by("since", "due", "pk"))
    return Paginator(qs, SIGNALS_PAGE_SIZE).get_page(page)


def awaiting_oversight(*, viewer: Viewer) -> list[EnforcementDecision]:
    """Licence decisions in the teams ``viewer`` manages waiting for their oversight, oldest first."""
    return list(EnforcementDecision.objects.filter(oversight=OversightStatus.AWAITING, case__in=_team_cases(viewer))
                .select_related("case", "recorded_by").order_by("decided_on", "pk")[:200])


@dataclass
class TeamCount:
    team: Team
    open: int
    overdue: int
    awaiting: int


def pdu_counts(*, viewer: Viewer, today: dt.date) -> list[TeamCount]:
    """For a head of PDU: open and overdue signals and decisions awaiting oversight by team (three queries)."""
    led = led_pdu_ids(viewer)
    if not led:
        return []
    teams = list(Team.objects.filter(pdu_id__in=led).select_related("pdu").order_by("pdu__name", "name"))
    cases = visible_cases(viewer, Case.objects.filter(pdu_id__in=led)).values("pk")
    signals = {row["case__team_id"]: row for row in (
        EnforcementSignal.objects.filter(status=SignalStatus.OPEN, case__in=cases).order_by()
        .values("case__team_id").annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due__lt=today))))}
    awaiting = dict(EnforcementDecision.objects.filter(oversight=OversightStatus.AWAITING, case__in=cases)
                    .order_by().values("case__team_id").annotate(n=Count("pk")).values_list("case__team_id", "n"))
    return [TeamCount(team=t, open=signals.get(t.pk, {}).get("open", 0),
                      overdue=signals.get(t.pk, {}).get("overdue", 0), awaiting=awaiting.get(t.pk, 0))
            for t in teams]


def breach_or_recall_case_ids(case_ids: list[int], as_of: dt.date) -> set[int]:
    """The cases in ``case_ids`` with a breach decided, or a recall recorded, in the 12 months before ``as_of``
    (the women's tier factor, rules.md §1). Recalls come from ``casework.recall`` when it answers."""
    since = years_before(as_of, 1)
    flagged = set(EnforcementDecision.objects.filter(
        case_id__in=case_ids, kind=DecisionKind.BREACH, decided_on__gt=since, decided_on__lte=as_of)
        .values_list("case_id", flat=True))
    try:
        from casework.recall.selectors import recalled_case_ids_since
    except ImportError:
        return flagged
    return flagged | set(recalled_case_ids_since(case_ids, since + dt.timedelta(days=1)))
