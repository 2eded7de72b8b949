"""The record evidence for one sampled case, read for the pure proposals of ``casework.rules.qa_evidence``.

Two queries: the case's safeguard tasks and its enforcement signals. Links go to each task's own page
and to the enforcement decision that answered a signal (or the case's compliance, while it is open).
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from casework.enforcement.choices import SignalStatus
from casework.enforcement.models import EnforcementSignal
from casework.record.models import Case
from casework.rules import qa_evidence
from casework.rules.qa_evidence import Fact, Proposal, Source
from casework.safeguards.choices import TaskStatus
from casework.safeguards.models import SafeguardTask


def case_facts(case: Case) -> list[Fact]:
    """Every dated safeguard and enforcement fact of ``case``."""
    facts = []
    tasks = SafeguardTask.objects.filter(case_id=case.pk).only(
        "id", "safeguard", "trigger", "due", "status", "done_on")
    for task in tasks:
        facts.append(Fact(
            source=Source(task.safeguard),
            label=f"{task.get_safeguard_display()} ({task.get_trigger_display().lower()})",
            due=task.due,
            done_on=task.done_on if task.status == TaskStatus.DONE else None,
            not_required=task.status == TaskStatus.NOT_REQUIRED,
            link=reverse("safeguard-task", args=[case.crn, task.pk]),
        ))
    signals = EnforcementSignal.objects.filter(case_id=case.pk).only(
        "id", "kind", "due", "status", "decided_at", "decision_id")
    for signal in signals:
        decided = signal.decided_at and timezone.localtime(signal.decided_at).date()
        link = (reverse("enforcement-decision", args=[case.crn, signal.decision_id]) if signal.decision_id
                else reverse("case-overview", args=[case.crn]))
        facts.append(Fact(
            source=Source.ENFORCEMENT,
            label=signal.get_kind_display(),
            due=signal.due,
            done_on=decided if signal.status == SignalStatus.DECIDED else None,
            link=link,
        ))
    return facts


def case_proposals(case: Case, *, framework: str, as_of: dt.date,
                   standards: list[str]) -> dict[tuple[str, str], Proposal]:
    """The record's proposal for each key question of ``standards`` it has evidence rules for."""
    mapping = qa_evidence.SOURCES.get(framework, {})
    questions = [q for q in mapping if q[0] in standards]
    return qa_evidence.propose(framework, case_facts(case), as_of=as_of, questions=questions)
