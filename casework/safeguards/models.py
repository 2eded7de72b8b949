"""Stored safeguard tasks (rules.md §4): the engine's schedule of each case, kept in step with the record.

One row per required occurrence of a safeguard, identified by what created it: ``(case, safeguard,
trigger, created_on, occurrence)`` — ``occurrence`` separates two events of one type on one day.
Writes go through ``casework.safeguards.services`` (audited, optimistic locking on ``version``);
reads through ``casework.safeguards.selectors``. No business logic in ``save()``.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q

from casework.record.models import Case
from casework.ruleset.models import RuleConfig
from casework.safeguards.choices import SafeguardCode, TaskStatus, TriggerCode
from casework.workforce.models import Staff


class SafeguardTask(models.Model):
    """One safeguard a case needs, dated: open until done (date and outcome) or judged not required."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="safeguard_tasks")
    safeguard = models.CharField(max_length=24, choices=SafeguardCode.choices)
    trigger = models.CharField(max_length=24, choices=TriggerCode.choices)
    created_on = models.DateField(help_text="The date that created the task: the start, registration or event")
    occurrence = models.PositiveSmallIntegerField(
        default=1, help_text="1, 2, … for tasks of one safeguard created by the same kind of trigger on one day")
    # The event that created it, when an event did (casework.supervision's CaseEvent).
    event = models.ForeignKey("supervision.CaseEvent", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="safeguard_tasks")
    due = models.DateField()
    status = models.CharField(max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    # False when a later recompute no longer lists the task (the record or the policy changed): an open
    # task is then kept open, shown as such, never dropped.
    in_schedule = models.BooleanField(default=True)
    done_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True, help_text="What was done or found; for enquiries what came back")
    not_required_reason = models.TextField(blank=True)
    # Who closed it and when; empty when the schedule closed it because other work covered it (met_by).
    decided_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    met_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               help_text="The task whose closure also closed this one")
    rules_version = models.CharField(max_length=40)
    policy = models.ForeignKey(RuleConfig, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               help_text="The stored safeguard policy version in force when last computed")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due", "safeguard", "created_on", "occurrence"]
        constraints = [
            models.UniqueConstraint(fields=["case", "safeguard", "trigger", "created_on", "occurrence"],
                                    name="one_safeguard_task_per_occurrence"),
            models.CheckConstraint(
                condition=Q(status=TaskStatus.DONE, done_on__isnull=False) | ~Q(status=TaskStatus.DONE),
                name="done_task_has_date"),
        ]
        indexes = [
            models.Index(fields=["case", "status"], name="sgtask_case_status"),
            models.Index(fields=["due"], condition=Q(status=TaskStatus.OPEN), name="sgtask_open_due"),
            models.Index(fields=["safeguard", "status", "due"], name="sgtask_safeguard_status_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_safeguard_display()} due {self.due:%d %b %Y}"

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN

    def is_overdue(self, today: dt.date) -> bool:
        """Open and past its due date (due today is not overdue, rules.md §4.1)."""
        return self.status == TaskStatus.OPEN and today > self.due


class ReminderSent(models.Model):
    """``casework remind``'s sent-log: at most one reminder a day per person."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()
    overdue = models.PositiveIntegerField(default=0)
    due_soon = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_on", "staff"]
        constraints = [models.UniqueConstraint(fields=["staff", "sent_on"], name="one_reminder_a_day")]

    def __str__(self) -> str:
        return f"Reminder to {self.staff} on {self.sent_on:%d %b %Y}"
