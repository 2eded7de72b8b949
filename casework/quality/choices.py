"""Enumerations of quality assurance exercises (rules.md §6)."""

from __future__ import annotations

from django.db import models

from casework.rules.qa_evidence import Answer as EvidenceAnswer
from casework.rules.rating import Rating as EngineRating
from casework.rules.sampling import Stratum as EngineStratum


class ExerciseStatus(models.TextChoices):
    """Set up (no sample yet), sampled (assessments under way), completed (results fixed)."""

    SETUP = "SETUP", "Not sampled"
    SAMPLED = "SAMPLED", "In progress"
    COMPLETED = "COMPLETED", "Completed"


class Stratum(models.TextChoices):
    """The five sampling strata of rules.md §6.3 (the engine's codes)."""

    FEMALE = EngineStratum.FEMALE.value, "Women"
    MALE_COMMUNITY_LOW = EngineStratum.MALE_COMMUNITY_LOW.value, "Men, community, low RoSH"
    MALE_COMMUNITY_HIGHER = EngineStratum.MALE_COMMUNITY_HIGHER.value, "Men, community, RoSH above low"
    MALE_POST_CUSTODY_LOW = EngineStratum.MALE_POST_CUSTODY_LOW.value, "Men, post-custody, low RoSH"
    MALE_POST_CUSTODY_HIGHER = EngineStratum.MALE_POST_CUSTODY_HIGHER.value, "Men, post-custody, RoSH above low"


class SampleRole(models.TextChoices):
    """A sampled case is in the sample, a reserve waiting, or replaced by a reserve (with the reason)."""

    SAMPLE = "SAMPLE", "In the sample"
    RESERVE = "RESERVE", "Reserve"
    REPLACED = "REPLACED", "Replaced"


class WorkloadBand(models.TextChoices):
    """The practitioner's capacity on the day of sampling, in the bands the Inspectorate reports."""

    UNDER_90 = "UNDER_90", "Under 90%"
    FROM_90_TO_110 = "FROM_90_TO_110", "90% to 110%"
    OVER_110 = "OVER_110", "Over 110%"
    UNKNOWN = "UNKNOWN", "Not known"


class AssessmentStatus(models.TextChoices):
    NOT_STARTED = "NOT_STARTED", "Not started"
    DRAFT = "DRAFT", "Draft"
    SUBMITTED = "SUBMITTED", "Submitted"


class ModerationStatus(models.TextChoices):
    NONE = "NONE", "Not moderated"
    AGREED = "AGREED", "Moderated: agreed"
    CHANGED = "CHANGED", "Moderated: answers changed"


class Answer(models.TextChoices):
    SUFFICIENT = EvidenceAnswer.SUFFICIENT.value, "Sufficient"
    NOT_SUFFICIENT = EvidenceAnswer.NOT_SUFFICIENT.value, "Not sufficient"
    NOT_APPLICABLE = EvidenceAnswer.NOT_APPLICABLE.value, "Not applicable"


class Rating(models.TextChoices):
    OUTSTANDING = EngineRating.OUTSTANDING.value, "Outstanding"
    GOOD = EngineRating.GOOD.value, "Good"
    REQUIRES_IMPROVEMENT = EngineRating.REQUIRES_IMPROVEMENT.value, "Requires improvement"
    INADEQUATE = EngineRating.INADEQUATE.value, "Inadequate"


#: Grades a case-level breakdown reports (others, such as an SPO holding a case, are "Other").
BREAKDOWN_GRADES = ("PO", "PQIP", "PSO")
