"""Scoped access grants beyond what grade and team membership give (head of PDU, QA, inspectors)."""

from __future__ import annotations

from django.db import models

from casework.organisation.models import Pdu, Region, Team
from casework.workforce.models import Staff


class Role(models.TextChoices):
    PRACTITIONER = "PRACTITIONER", "Practitioner"
    SPO = "SPO", "Senior probation officer"
    HEAD_OF_PDU = "HEAD_OF_PDU", "Head of PDU"
    QUALITY_ASSURANCE = "QUALITY_ASSURANCE", "Quality assurance"
    INSPECTOR = "INSPECTOR", "Inspector"
    ADMINISTRATOR = "ADMINISTRATOR", "Administrator"


class ScopeGrant(models.Model):
    """Read access for a role over a team, PDU, region or the whole country, for a dated period."""

    GRANTABLE = (Role.HEAD_OF_PDU, Role.QUALITY_ASSURANCE, Role.INSPECTOR)

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="scope_grants")
    role = models.CharField(max_length=20, choices=[(r.value, r.label) for r in GRANTABLE])
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    pdu = models.ForeignKey(Pdu, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    national = models.BooleanField(default=False)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                name="scope_grant_has_exactly_one_scope",
                condition=(
                    models.Q(team__isnull=False, pdu__isnull=True, region__isnull=True, national=False)
                    | models.Q(team__isnull=True, pdu__isnull=False, region__isnull=True, national=False)
                    | models.Q(team__isnull=True, pdu__isnull=True, region__isnull=False, national=False)
                    | models.Q(team__isnull=True, pdu__isnull=True, region__isnull=True, national=True)
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="scope_grant_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} for {self.staff}: {self.scope_label}"

    @property
    def scope_label(self) -> str:
        if self.national:
            return "England and Wales"
        return str(self.team or self.pdu or self.region)
