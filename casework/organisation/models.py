"""The organisation: provider → region → probation delivery unit (PDU) → team."""

from django.conf import settings
from django.db import models


class Provider(models.Model):
    """An organisation that supervises cases (the Probation Service; others as caseloads move)."""

    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Region(models.Model):
    """One of the probation regions of England and Wales."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="regions")
    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Pdu(models.Model):
    """A probation delivery unit: the local unit that holds teams and allocates cases."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="pdus")
    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name = "probation delivery unit"

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A team of practitioners led by a senior probation officer."""

    pdu = models.ForeignKey(Pdu, on_delete=models.PROTECT, related_name="teams")
    code = models.CharField(max_length=12, unique=True)
    name = models.CharField(max_length=200)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# --- Establishment: the posts a team is funded for ------------------------------------------------


class PostGrade(models.TextChoices):
    """The grades a team's posts are funded in: the caseload-holding grades (``workforce.Grade``'s codes
    and words; ``tests/workforce/test_establishment.py`` holds them equal)."""

    PO = "PO", "Probation officer"
    PQIP = "PQIP", "Trainee probation officer (PQiP)"
    PSO = "PSO", "Probation services officer"
    SPO = "SPO", "Senior probation officer"


class FundedPost(models.Model):
    """How many full-time-equivalent posts of one grade a team is funded for (its establishment).

    Set by administrators and the head of the team's PDU through ``casework.organisation.services``
    (audited, versioned); compared with the posts filled (``casework.organisation.establishment``) to
    show vacancies. A grade with no row has no funded posts.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="funded_posts")
    grade = models.CharField(max_length=8, choices=PostGrade.choices)
    fte = models.DecimalField("funded posts (FTE)", max_digits=5, decimal_places=2)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["team", "grade"]
        constraints = [
            models.UniqueConstraint(fields=["team", "grade"], name="funded_post_one_row_per_grade"),
            models.CheckConstraint(condition=models.Q(fte__gte=0), name="funded_post_fte_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.team}: {self.fte} {self.get_grade_display()} FTE"
