"""A recall of one licence case and the steps taken on it (rules.md §5.3; the flow is
``casework.rules.recall_workflow``). Written only by ``casework.recall.services``."""

from __future__ import annotations

from django.db import models

from casework.record.models import Case, Sentence
from casework.rules.recall import NewOffence, RecallType
from casework.rules.recall_workflow import State, Step
from casework.workforce.models import Staff


class CustodyStatus(models.TextChoices):
    IN_COMMUNITY = "IN_COMMUNITY", "In the community"
    IN_POLICE_CUSTODY = "IN_POLICE_CUSTODY", "In police custody"
    IN_PRISON = "IN_PRISON", "In prison custody"
    WHEREABOUTS_UNKNOWN = "WHEREABOUTS_UNKNOWN", "Whereabouts unknown"


STATE_CHOICES = [(s.value, s.value.replace("_", " ").capitalize()) for s in State]
STEP_CHOICES = [(s.value, s.value.replace("_", " ").capitalize()) for s in Step]
TYPE_CHOICES = [(RecallType.FIXED_TERM.value, "Fixed-term recall"), (RecallType.STANDARD.value, "Standard recall")]
NEW_OFFENCE_CHOICES = [(NewOffence.NO.value, "No further offence"),
                       (NewOffence.CHARGED_AND_CONVICTED.value, "Charged with and convicted of a further offence"),
                       (NewOffence.ONLY_CHARGED.value, "Charged with a further offence but not convicted")]


class Recall(models.Model):
    """One recall decision flow for a case's licence. ``version`` guards every step (optimistic locking)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="recalls")
    sentence = models.ForeignKey(Sentence, on_delete=models.CASCADE, related_name="recalls")
    state = models.CharField(max_length=20, choices=STATE_CHOICES)
    version = models.PositiveIntegerField(default=1)
    started_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # The recommendation (RECOMMEND).
    recall_type = models.CharField(max_length=12, choices=TYPE_CHOICES, blank=True)
    emergency = models.BooleanField(null=True)
    custody_status = models.CharField(max_length=20, choices=CustodyStatus.choices, blank=True)
    conditions_breached = models.JSONField(default=list, blank=True,
                                           help_text="The licence conditions breached: [{id, kind, description}]")
    alternatives_tried = models.TextField(blank=True)
    new_offence = models.CharField(max_length=24, choices=NEW_OFFENCE_CHOICES, blank=True)
    # The answers given to the engine and what it said: {inputs, mandatory, allowed, emergency_offered,
    # reasons, rules_version}.
    engine = models.JSONField(default=dict, blank=True)
    # ISSUED / NOT_RECALLED: the day, and what the document or letter says (kept as issued).
    decided_on = models.DateField(null=True, blank=True, db_index=True)
    document = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["state", "case"], name="recall_state_case"),
                   models.Index(fields=["case", "state", "decided_on"], name="recall_case_state_day")]

    def __str__(self) -> str:
        return f"Recall {self.pk} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state not in (State.ISSUED, State.NOT_RECALLED)


class RecallStep(models.Model):
    """One step taken on a recall: who, when, in what role, and what they wrote. Each step once."""

    recall = models.ForeignKey(Recall, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(max_length=32, choices=STEP_CHOICES)
    by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    by_name = models.CharField(max_length=200, help_text="The name as it was when the step was taken")
    role = models.CharField(max_length=16)
    at = models.DateTimeField()
    text = models.TextField(blank=True, help_text="The reason, rationale or comment recorded with the step")

    class Meta:
        ordering = ["at", "pk"]
        constraints = [models.UniqueConstraint(fields=["recall", "step"], name="recall_step_once")]

    def __str__(self) -> str:
        return f"{self.step} by {self.by_name}"
