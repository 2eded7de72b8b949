"""Stored compliance signals and enforcement decisions (rules.md §5).

``EnforcementSignal``: one missed-enforcement signal of the engine (rules.md §5.4) for one sentence,
identified by ``(sentence, kind, since)``, kept in step with the record by
``casework.enforcement.services`` (idempotent recompute) and closed only by a recorded decision.
``EnforcementDecision``: a warning, breach or licence decision, dated, with its rationale, its stored
letter or information for court, and the SPO's oversight where rules.md §5.2 asks for it.
Writes go through ``casework.enforcement.services``; reads through ``casework.enforcement.selectors``.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q

from casework.enforcement.choices import DecisionKind, OversightStatus, SignalKind, SignalStatus
from casework.record.models import Case, Sentence
from casework.ruleset.models import RuleConfig
from casework.workforce.models import Staff


class EnforcementDecision(models.Model):
    """A recorded enforcement decision on one sentence: who, when, what and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="enforcement_decisions")
    sentence = models.ForeignKey(Sentence, on_delete=models.CASCADE, related_name="enforcement_decisions")
    kind = models.CharField(max_length=24, choices=DecisionKind.choices)
    decided_on = models.DateField(help_text="The day the decision was made")
    rationale = models.TextField(help_text="Why: what was considered and why this decision")
    # A warning's letter as issued (rendered from the template when recorded, then never changed).
    letter_text = models.TextField(blank=True)
    # A breach's information for court.
    requirement = models.TextField(blank=True, help_text="The requirement or condition not complied with")
    recommendation = models.TextField(blank=True, help_text="What is recommended to the court")
    failures = models.JSONField(default=list, blank=True,
                                help_text="The failures to comply it answers: date, appointment and outcome")
    recorded_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField()
    oversight = models.CharField(max_length=12, choices=OversightStatus.choices, default=OversightStatus.NOT_NEEDED)
    oversight_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    oversight_at = models.DateTimeField(null=True, blank=True)
    oversight_note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-decided_on", "-id"]
        indexes = [
            models.Index(fields=["sentence", "decided_on"], name="enfdec_sentence_date"),
            models.Index(fields=["kind", "decided_on"], name="enfdec_kind_date"),
            models.Index(fields=["oversight"], condition=Q(oversight=OversightStatus.AWAITING),
                         name="enfdec_awaiting_oversight"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.decided_on:%d %b %Y}"


class EnforcementSignal(models.Model):
    """A decision owed on a sentence (rules.md §5.4): open until a recorded decision closes it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="enforcement_signals")
    sentence = models.ForeignKey(Sentence, on_delete=models.CASCADE, related_name="enforcement_signals")
    kind = models.CharField(max_length=48, choices=SignalKind.choices)
    since = models.DateField(help_text="The date of the earliest item that raised it")
    due = models.DateField()
    status = models.CharField(max_length=8, choices=SignalStatus.choices, default=SignalStatus.OPEN)
    # False when a later recompute no longer raises it and no decision explains why (the record was
    # corrected, say): it stays open, shown as such, until someone records a decision.
    in_engine = models.BooleanField(default=True)
    decision = models.ForeignKey(EnforcementDecision, null=True, blank=True, on_delete=models.RESTRICT,
                                 related_name="signals")
    closed_note = models.TextField(blank=True, help_text="What closed it, in words (a risk review, a decision)")
    decided_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    rules_version = models.CharField(max_length=40)
    policy = models.ForeignKey(RuleConfig, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               help_text="The stored enforcement policy in force when last computed")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["since", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["sentence", "kind", "since"], name="one_enforcement_signal_per_start"),
        ]
        indexes = [
            models.Index(fields=["case", "status"], name="enfsig_case_status"),
            models.Index(fields=["since"], condition=Q(status=SignalStatus.OPEN), name="enfsig_open_since"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} since {self.since:%d %b %Y}"

    @property
    def is_open(self) -> bool:
        return self.status == SignalStatus.OPEN

    def is_overdue(self, today: dt.date) -> bool:
        """Open and past its due date (due today is not overdue, rules.md §5.5)."""
        return self.status == SignalStatus.OPEN and today > self.due
