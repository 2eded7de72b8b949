"""Generated compliance histories: a realistic mix of signals and decisions, consistent with the engine (a
recompute writes nothing), and the women's tier factor read from the generated breaches."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from casework.demo.builder import build_world
from casework.demo.scale import SMALL
from casework.enforcement import services
from casework.enforcement.models import EnforcementDecision, EnforcementSignal
from casework.enforcement.selectors import breach_or_recall_case_ids
from casework.record.models import Case

NOW = dt.datetime(2026, 11, 27, 11, 30, tzinfo=dt.UTC)
TODAY = timezone.localdate(NOW)


@pytest.fixture
def world(db):
    build_world(scale=SMALL, now=NOW)


def test_the_demo_world_has_open_overdue_and_decided_signals_and_decisions(world):
    signals = list(EnforcementSignal.objects.all())
    status = Counter("OVERDUE" if s.is_overdue(TODAY) else s.status for s in signals)
    # The small world has a few dozen people: the mix shows at every size (the region-scale figures are in
    # docs/architecture.md), the proportions only at scale.
    assert status["OVERDUE"] and status["DECIDED"], status
    kinds = Counter(EnforcementDecision.objects.values_list("kind", flat=True))
    assert kinds["WARNING"] > len(kinds) - 1, kinds
    assert all(d.letter_text.startswith("Dear ") for d in EnforcementDecision.objects.filter(kind="WARNING"))
    assert all(d.decided_on <= TODAY and d.rationale for d in EnforcementDecision.objects.all())
    licence = EnforcementDecision.objects.filter(sentence__kind="CUSTODY")
    assert all(d.oversight in ("AGREED", "AWAITING") for d in licence)
    assert all(s.decision_id for s in signals if s.status == "DECIDED" and s.kind != "RISK_EVENT_NO_REVIEW")


def test_recomputing_the_generated_signals_writes_nothing(world):
    assert services.signals_recompute_all(trigger="check", today=TODAY).written == 0


def test_generated_tiers_read_the_generated_breaches(world):
    women = list(Case.objects.filter(gender="FEMALE").values_list("pk", flat=True))
    flagged = breach_or_recall_case_ids(women, TODAY)
    for case in Case.objects.filter(pk__in=women).prefetch_related("tier_calculations"):
        calc = case.tier_calculations.all()[0]
        assert calc.inputs["women"]["breach_or_recall_last_year"] == (case.pk in flagged)
