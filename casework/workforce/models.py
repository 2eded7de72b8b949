"""Staff: grades, team memberships, contracted hours, time in post and training."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from casework.organisation.models import Team


class Grade(models.TextChoices):
    PO = "PO", "Probation officer"
    PQIP = "PQIP", "Trainee probation officer (PQiP)"
    PSO = "PSO", "Probation services officer"
    SPO = "SPO", "Senior probation officer"
    ACO = "ACO", "Head of PDU (ACO)"
    QA = "QA", "Quality assurance officer"
    ADMIN = "ADMIN", "Administrator"

    @classmethod
    def practitioner_grades(cls) -> tuple[Grade, ...]:
        """Grades that hold a caseload."""
        return (cls.PO, cls.PQIP, cls.PSO, cls.SPO)

    @property
    def short(self) -> str:
        return {"PQIP": "PQiP", "ACO": "Head of PDU", "ADMIN": "Admin"}.get(self.value, self.value)


class Staff(models.Model):
    """A member of staff, with or without a sign-in account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    code = models.CharField("staff code", max_length=12, unique=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    grade = models.CharField(max_length=8, choices=Grade.choices)
    contracted_hours = models.DecimalField(max_digits=4, decimal_places=2, default=37)
    started_in_post = models.DateField()
    core_training_completed = models.DateField(null=True, blank=True)
    ended = models.DateField(null=True, blank=True, help_text="Left the organisation or role")

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name_plural = "staff"

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def is_active_on(self, day: dt.date) -> bool:
        return self.started_in_post <= day and (self.ended is None or self.ended >= day)

    def months_in_post(self, as_of: dt.date) -> int:
        months = (as_of.year - self.started_in_post.year) * 12 + as_of.month - self.started_in_post.month
        if as_of.day < self.started_in_post.day:
            months -= 1
        return max(months, 0)


class TeamMembership(models.Model):
    """A member of staff in a team for a dated period; SPOs manage the teams they lead."""

    class Role(models.TextChoices):
        MEMBER = "MEMBER", "Member"
        MANAGER = "MANAGER", "Manager (SPO)"

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.MEMBER)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["start_date"]
        indexes = [models.Index(fields=["team", "end_date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="membership_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff} in {self.team}"
