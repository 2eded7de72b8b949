"""Staff: grades, team memberships, contracted hours, time in post, training and workload reductions."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from casework.organisation.models import Team
from casework.rules import calendar, reductions, workload


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
    # Changes whenever anything that decides this person's access changes (their record, memberships,
    # grants, account): the access scope kept in their session is reused only while it is unchanged.
    # Never edited by hand: casework.access.scope_cache sets it.
    access_version = models.BigIntegerField(default=0, db_default=0, editable=False)

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
        """Whole calendar months in post on ``as_of`` (``casework.rules.calendar.whole_months_between``)."""
        return calendar.whole_months_between(self.started_in_post, as_of)


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


# --- Reductions (rules.md §2.3) -------------------------------------------------------------------
# The rules (reasons, percentages, lengths, limits, status) are the pure engine's; this is storage.

ReductionReason = models.TextChoices(
    "ReductionReason",
    [(reason.name, (reason.value, workload.REDUCTION_REASONS[reason].label)) for reason in workload.ReductionReason],
)
ReductionReason.__doc__ = "Why hours are taken off (rules.md §2.3), exactly the engine's reasons and labels."


class Reduction(models.Model):
    """Hours taken off a member of staff's contracted hours for a dated period (rules.md §2.3).

    ``hours`` is what is taken off; when it was entered as a percentage, ``percent`` keeps that and
    ``hours`` is the engine's ``min(round(contracted × percent / 100, 2), contracted)`` at the time.
    No ``end`` means open-ended. Written only by ``casework.workforce.services`` (audited, versioned).
    """

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="reductions")
    reason = models.CharField(max_length=32, choices=ReductionReason.choices)
    hours = models.DecimalField(max_digits=4, decimal_places=2, help_text="Hours taken off each week")
    percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True,
                                  help_text="Percentage of contracted hours, when entered that way")
    start = models.DateField()
    end = models.DateField(null=True, blank=True, help_text="Last day; none for open-ended")
    notes = models.TextField(blank=True, max_length=workload.MAX_NOTES_LENGTH)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-start", "-id"]
        indexes = [models.Index(fields=["staff", "end"], name="reduction_staff_end")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gte=0) & models.Q(hours__lte=workload.MAX_REDUCTION_HOURS),
                name="reduction_hours_0_to_37",
            ),
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="reduction_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} for {self.staff}: {self.hours} hours from {self.start}"

    def status(self, as_of: dt.date) -> workload.ReductionStatus:
        """Scheduled before its start, active from start to end inclusive, archived after its end."""
        return workload.reduction_status(self.start, self.end, as_of=as_of)

    def problems(self) -> dict[str, str]:
        """Every rules.md §2.3 problem with this reduction as it stands, by field (empty when valid).

        The rule is ``casework.rules.reductions.reduction_problems``, which the services also run (through
        ``resolve_reduction``) on every reduction they write.
        """
        return reductions.reduction_problems(reason=self.reason, hours=self.hours, percent=self.percent,
                                             start=self.start, end=self.end, notes=self.notes,
                                             contracted_hours=self.staff.contracted_hours)


# --- Court reports and weekly workload snapshots (rules.md §2.1–2.2) -----------------------------


class CourtReportKind(models.TextChoices):
    """Pre-sentence reports: a standard report adds 138 points, a fast one 65 (the points table's values)."""

    STANDARD = "STANDARD", "Standard pre-sentence report"
    FAST = "FAST", "Fast pre-sentence report"


class CourtReport(models.Model):
    """A pre-sentence report a practitioner is writing for a court: part of their workload until completed.

    Counts on a day from ``requested_on`` until it is completed (``completed_on``, that day no longer
    counts). ``case`` is the person's case when Casework holds one (often it does not yet). Written only
    by ``casework.workforce.services`` (audited, versioned).
    """

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="court_reports")
    kind = models.CharField(max_length=8, choices=CourtReportKind.choices)
    court = models.CharField(max_length=200, blank=True)
    case = models.ForeignKey("record.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_on = models.DateField("requested")
    due_on = models.DateField("due")
    completed_on = models.DateField("completed", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-requested_on", "-id"]
        indexes = [models.Index(fields=["staff", "completed_on"], name="court_report_staff_completed")]
        constraints = [
            models.CheckConstraint(condition=models.Q(due_on__gte=models.F("requested_on")),
                                   name="court_report_due_on_or_after_request"),
            models.CheckConstraint(
                condition=models.Q(completed_on__isnull=True) | models.Q(completed_on__gte=models.F("requested_on")),
                name="court_report_completed_on_or_after_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.staff}, requested {self.requested_on:%d %b %Y}"

    def is_open_on(self, day: dt.date) -> bool:
        """Whether the report counts toward the workload on ``day``."""
        return self.requested_on <= day and (self.completed_on is None or self.completed_on > day)


class WorkloadSnapshot(models.Model):
    """A practitioner's workload as read once in a week (Monday's date), by ``casework snapshot-workload``.

    One per practitioner per week: a later run in the same week updates the week's figures in place.
    Four consecutive weeks over 110% is "sustained" (rules.md §2.2).
    """

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="workload_snapshots")
    week_start = models.DateField(help_text="The Monday of the week")
    points = models.PositiveIntegerField()
    available_points = models.PositiveIntegerField()
    capacity_percent = models.DecimalField(max_digits=9, decimal_places=1, null=True, blank=True,
                                           help_text="Empty when there are no available points")
    taken_at = models.DateTimeField()

    class Meta:
        ordering = ["staff", "week_start"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "week_start"], name="one_workload_snapshot_per_week"),
        ]
        indexes = [models.Index(fields=["week_start"], name="workload_snapshot_week")]

    def __str__(self) -> str:
        return f"{self.staff} in the week of {self.week_start:%d %b %Y}"
