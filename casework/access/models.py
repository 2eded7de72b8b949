"""Who may see what beyond grade and team membership: scope grants (head of PDU, QA, inspectors),
inspection exercises, and the API clients other systems use."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
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
    API_CLIENT = "API_CLIENT", "API client"


def one_scope_condition(*, allow_none: bool = False) -> models.Q:
    """Exactly one of team, PDU, region or the whole country (or, with ``allow_none``, none at all)."""
    condition = (
        models.Q(team__isnull=False, pdu__isnull=True, region__isnull=True, national=False)
        | models.Q(team__isnull=True, pdu__isnull=False, region__isnull=True, national=False)
        | models.Q(team__isnull=True, pdu__isnull=True, region__isnull=False, national=False)
        | models.Q(team__isnull=True, pdu__isnull=True, region__isnull=True, national=True)
    )
    if allow_none:
        condition |= models.Q(team__isnull=True, pdu__isnull=True, region__isnull=True, national=False)
    return condition


class OrganisationScope(models.Model):
    """A team, a PDU, a region or England and Wales: the cases a grant, exercise or client covers."""

    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    pdu = models.ForeignKey(Pdu, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    national = models.BooleanField(default=False)

    class Meta:
        abstract = True

    @property
    def scope_label(self) -> str:
        if self.national:
            return "England and Wales"
        return str(self.team or self.pdu or self.region or "No cases")

    @property
    def has_scope(self) -> bool:
        return bool(self.national or self.team_id or self.pdu_id or self.region_id)


class InspectionExercise(OrganisationScope):
    """An inspection (for example by HM Inspectorate of Probation) of a PDU or region, for fixed dates.

    Inspectors read cases only through a grant tied to an exercise, only inside its scope and only
    while it runs; they never change anything.
    """

    name = models.CharField(max_length=200, unique=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(name="exercise_has_exactly_one_scope", condition=one_scope_condition()),
            models.CheckConstraint(name="exercise_ends_after_start",
                                   condition=models.Q(ends_on__gte=models.F("starts_on"))),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.scope_label})"

    def is_running_on(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on


class GrantStatus(models.TextChoices):
    """Where a grant stands. Only an approved grant, between its dates, opens case data.

    Pending, approved and rejected are stored; a pending or approved grant whose end date has passed
    is expired (worked out from the date, so it never depends on a job having run).
    """

    PENDING = "PENDING", "Waiting for approval"
    APPROVED = "APPROVED", "Approved"
    REJECTED = "REJECTED", "Rejected"
    EXPIRED = "EXPIRED", "Expired"

    @classmethod
    def stored(cls) -> list[GrantStatus]:
        return [cls.PENDING, cls.APPROVED, cls.REJECTED]


class ScopeGrant(OrganisationScope):
    """Read access for a role over a team, PDU, region or the whole country, for a dated period.

    Written only through ``casework.access.services`` (each change is audited). An administrator
    asks for a grant (``PENDING``); a second person with authority over its scope approves or rejects
    it; nobody approves a grant for themselves or one they asked for. Every grant has an end date.
    An inspector's grant belongs to an inspection exercise and lies inside the exercise's scope and dates.
    """

    GRANTABLE = (Role.HEAD_OF_PDU, Role.QUALITY_ASSURANCE, Role.INSPECTOR)

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="scope_grants")
    role = models.CharField(max_length=20, choices=[(r.value, r.label) for r in GRANTABLE])
    exercise = models.ForeignKey(
        InspectionExercise, null=True, blank=True, on_delete=models.PROTECT, related_name="grants"
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    reason = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=[(s.value, s.label) for s in GrantStatus.stored()],
                              default=GrantStatus.PENDING, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Who approved or rejected the grant",
    )
    decision_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(name="scope_grant_has_exactly_one_scope", condition=one_scope_condition()),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="scope_grant_ends_after_start",
            ),
            models.CheckConstraint(
                name="scope_grant_status_known",
                condition=models.Q(status__in=[s.value for s in GrantStatus.stored()]),
            ),
            models.CheckConstraint(
                name="inspector_grant_belongs_to_an_exercise",
                condition=(
                    models.Q(role=Role.INSPECTOR, exercise__isnull=False, ends_on__isnull=False)
                    | (~models.Q(role=Role.INSPECTOR) & models.Q(exercise__isnull=True))
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} for {self.staff}: {self.scope_label}"

    def status_on(self, day: dt.date) -> GrantStatus:
        """The grant's status as of ``day``: a pending or approved grant past its end date has expired."""
        status = GrantStatus(self.status)
        if status in (GrantStatus.PENDING, GrantStatus.APPROVED) and self.ends_on < day:
            return GrantStatus.EXPIRED
        return status

    def opens_data_on(self, day: dt.date) -> bool:
        """Whether the grant gives access on ``day``: approved and between its dates."""
        return self.status == GrantStatus.APPROVED and self.starts_on <= day <= self.ends_on


class ApiScope(models.TextChoices):
    """What an API token may be used for."""

    RULES = "rules", "Run the rule engines"
    CASES_READ = "cases:read", "Read cases in the client's scope"


class ApiClient(OrganisationScope):
    """Another system that calls the API with tokens.

    Its actions are recorded against ``user``, a sign-in account that cannot sign in (no usable
    password). Its case scope is a team, PDU, region or the whole country, or none.
    """

    name = models.CharField(max_length=100, unique=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_client")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(name="api_client_has_at_most_one_scope",
                                   condition=one_scope_condition(allow_none=True)),
        ]

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A bearer token for an API client. Only a SHA-256 digest is kept: the token is shown once."""

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="tokens")
    prefix = models.CharField(max_length=16, unique=True, help_text="Identifies the token in lists and logs")
    digest = models.CharField(max_length=64, help_text="SHA-256 of the whole token, hex")
    scopes = models.JSONField(default=list)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.client} token {self.prefix}"

    def is_usable_at(self, moment: dt.datetime) -> bool:
        return self.revoked_at is None and moment < self.expires_at
