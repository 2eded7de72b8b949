"""What the supervision cycle adds to the case record: risk events, registration changes, risk plans.

Appointments and home visits are the record's ``Contact``; registrations and risk assessments are the
record's ``Registration`` and ``RiskAssessment``. Writes go through ``casework.supervision.services``;
reads through ``casework.supervision.selectors``. No business logic in ``save()``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from casework.record.models import Case, Registration
from casework.supervision.choices import CaseEventType, RegistrationChangeKind
from casework.workforce.models import Staff


class CaseEvent(models.Model):
    """Something that changed the risk picture on a date: an arrest, a call-out, a move, a release."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=24, choices=CaseEventType.choices)
    occurred_on = models.DateField()
    notes = models.TextField(blank=True)
    # The registration a REGISTRATION_ADDED event records.
    registration = models.ForeignKey(Registration, null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["case", "occurred_on"])]

    def __str__(self) -> str:
        return f"{self.get_type_display()} on {self.occurred_on:%d %b %Y}"


class RegistrationChange(models.Model):
    """One change to a registration (added, reviewed, deregistered), numbered: the registration's version.

    The unique ``(registration, version)`` is the optimistic lock: two people changing the same
    registration from the same version cannot both write version + 1.
    """

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="changes")
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=RegistrationChangeKind.choices)
    on = models.DateField(help_text="Registered, reviewed or deregistered on")
    next_review_date = models.DateField(null=True, blank=True)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["registration", "version"]
        constraints = [models.UniqueConstraint(fields=["registration", "version"],
                                               name="one_registration_change_per_version")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.on:%d %b %Y}"


class RiskManagementPlan(models.Model):
    """One version of the case's risk management plan; the highest version is the current plan.

    The unique ``(case, version)`` is the optimistic lock, as for registrations.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="risk_management_plans")
    version = models.PositiveIntegerField()
    agreed_on = models.DateField()
    next_review_on = models.DateField()
    risks = models.TextField("who is at risk, from what, and when")
    supervision = models.TextField("supervision and monitoring")
    interventions = models.TextField("interventions and treatment", blank=True)
    victim_safety = models.TextField("victim safety planning", blank=True)
    contingency = models.TextField("contingency: what will be done if the risk rises")
    author = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "-version"]
        constraints = [models.UniqueConstraint(fields=["case", "version"], name="one_risk_plan_per_version")]

    def __str__(self) -> str:
        return f"Risk management plan {self.version} agreed {self.agreed_on:%d %b %Y}"
