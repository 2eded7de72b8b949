"""Quality assurance exercises: a self-inspection of a team, PDU or region by the Inspectorate's method.

An ``Exercise`` is set up by a quality assurance lead (framework, scope, sampling window, sample size,
the case standards assessed case by case), then sampled once by the sampling engine (rules.md §6.3;
the seed is recorded, so the draw can be repeated); the drawn cases and reserves are ``SampledCase``
rows, each with what the breakdowns need fixed on the day of sampling (practitioner, grade, workload
band, RoSH, team). Each sampled case gets one ``Assessment`` by an allocated assessor: an ``AnswerRow``
per key question of each assessed standard, with the answer the record proposed (if any), the
assessor's answer, and a second reader's moderated answer when it differs. Organisational standards
(and any standard not assessed case by case) are ``StandardRating`` rows; the lead's overrides are
``StandardOverride`` rows. Results are computed from these rows by the rating engine
(``casework.quality.results``); nothing derived is stored.

Writes go through ``casework.quality.services`` (audited, optimistic locking on ``version``).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from casework.access.models import OrganisationScope, one_scope_condition
from casework.organisation.models import Team
from casework.quality.choices import (
    Answer,
    AssessmentStatus,
    ExerciseStatus,
    ModerationStatus,
    Rating,
    SampleRole,
    Stratum,
    WorkloadBand,
)
from casework.record.models import Case
from casework.workforce.models import Staff


class Exercise(OrganisationScope):
    """One quality assurance exercise over a team, PDU or region."""

    name = models.CharField(max_length=200)
    framework = models.CharField(max_length=40, help_text="The rating framework's key, e.g. PROBATION_2018")
    case_standards = models.JSONField(
        default=list, help_text="The standards assessed case by case (key questions); the rest are rated")
    window_start = models.DateField(help_text="Cases that started from this date…")
    window_end = models.DateField(help_text="…to this date inclusive are on the long list")
    as_of = models.DateField(help_text="The reference date: eligibility, workload bands and record evidence")
    requested_size = models.PositiveIntegerField(null=True, blank=True,
                                                 help_text="Cases wanted; empty for the calculator's size")
    buffer_percent = models.PositiveSmallIntegerField(default=20)
    seed = models.BigIntegerField()
    status = models.CharField(max_length=10, choices=ExerciseStatus.choices, default=ExerciseStatus.SETUP)
    # What the draw found, kept as the engine reported it (the sample itself is the SampledCase rows).
    sample_size = models.PositiveIntegerField(null=True, blank=True, help_text="The size the draw aimed at")
    eligible = models.PositiveIntegerField(null=True, blank=True)
    long_list = models.PositiveIntegerField(null=True, blank=True)
    excluded = models.JSONField(default=dict, blank=True)
    strata = models.JSONField(default=dict, blank=True)
    shortfall = models.PositiveIntegerField(default=0)
    sampling_rules_version = models.CharField(max_length=40, blank=True)
    sampled_at = models.DateTimeField(null=True, blank=True)
    sampled_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-as_of", "-id"]
        constraints = [
            models.CheckConstraint(name="qa_exercise_has_one_scope", condition=one_scope_condition()),
            models.CheckConstraint(name="qa_window_in_order", condition=Q(window_end__gte=models.F("window_start"))),
            models.CheckConstraint(name="qa_status_known", condition=Q(status__in=ExerciseStatus.values)),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.scope_label})"


class SampledCase(models.Model):
    """A case the draw chose, in the sample or as a reserve, with what the breakdowns read, as on the day."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="sampled")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    stratum = models.CharField(max_length=32, choices=Stratum.choices)
    role = models.CharField(max_length=8, choices=SampleRole.choices)
    position = models.PositiveIntegerField(help_text="Order in the engine's answer (sample first, then reserves)")
    practitioner = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    practitioner_name = models.CharField(max_length=200)
    grade = models.CharField(max_length=8, blank=True)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    workload_percent = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    workload_band = models.CharField(max_length=16, choices=WorkloadBand.choices, default=WorkloadBand.UNKNOWN)
    rosh = models.CharField(max_length=10, blank=True)
    assessor = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # A replaced case: the reserve that took its place, and why.
    replaced_by = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="replaces")
    replacement_reason = models.TextField(blank=True)
    replaced_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["exercise", "position"]
        constraints = [
            models.UniqueConstraint(fields=["exercise", "case"], name="qa_case_sampled_once"),
            models.CheckConstraint(name="qa_role_known", condition=Q(role__in=SampleRole.values)),
        ]
        # The sample page reads one role in position order, a page at a time (10,000 cases nationally).
        indexes = [models.Index(fields=["exercise", "role", "position"], name="qa_sampled_role_position"),
                   models.Index(fields=["assessor", "exercise"], name="qa_sampled_assessor")]

    def __str__(self) -> str:
        return f"{self.case.crn} in {self.exercise.name}"


class Assessment(models.Model):
    """One sampled case's assessment: drafts save, a submitted one is locked; a second reader may moderate."""

    sampled_case = models.OneToOneField(SampledCase, on_delete=models.CASCADE, related_name="assessment")
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="assessments")
    assessor = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT)
    started_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    moderation = models.CharField(max_length=8, choices=ModerationStatus.choices, default=ModerationStatus.NONE)
    moderator = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderation_note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=["exercise", "status"], name="qa_assessment_status")]
        constraints = [
            models.CheckConstraint(
                name="qa_submitted_has_time",
                condition=~Q(status=AssessmentStatus.SUBMITTED) | Q(submitted_at__isnull=False)),
            models.CheckConstraint(name="qa_moderator_not_assessor",
                                   condition=Q(moderator__isnull=True) | ~Q(moderator=models.F("assessor"))),
        ]

    def __str__(self) -> str:
        return f"Assessment {self.pk} ({self.get_status_display()})"


class AnswerRow(models.Model):
    """One key question answered for one case: what the record proposed, the assessor's answer, and the
    second reader's answer where moderation changed it. ``final`` is the answer that counts."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    standard = models.CharField(max_length=40)
    key_question = models.CharField(max_length=40)
    answer = models.CharField(max_length=16, choices=Answer.choices)
    evidence = models.TextField(blank=True)
    proposed = models.CharField(max_length=16, choices=Answer.choices, blank=True,
                                help_text="What the record proposed; empty when it proposed nothing")
    moderated = models.CharField(max_length=16, choices=Answer.choices, blank=True,
                                 help_text="The second reader's answer where it differs")
    moderation_note = models.TextField(blank=True)
    final = models.CharField(max_length=16, choices=Answer.choices)

    class Meta:
        ordering = ["assessment", "standard", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "standard", "key_question"], name="qa_one_answer"),
            models.CheckConstraint(name="qa_final_is_moderated_or_answer",
                                   condition=(Q(moderated="") & Q(final=models.F("answer")))
                                   | (~Q(moderated="") & Q(final=models.F("moderated")))),
        ]

    def __str__(self) -> str:
        return f"{self.standard} {self.key_question}: {self.final}"


class StandardRating(models.Model):
    """A standard entered as a rating with its evidence: organisational standards, and case standards this
    exercise does not assess case by case."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="standard_ratings")
    standard = models.CharField(max_length=40)
    rating = models.CharField(max_length=24, choices=Rating.choices)
    evidence = models.TextField()
    entered_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["exercise", "standard"]
        constraints = [models.UniqueConstraint(fields=["exercise", "standard"], name="qa_one_rating_per_standard")]

    def __str__(self) -> str:
        return f"{self.standard}: {self.rating}"


class StandardOverride(models.Model):
    """The lead's rating for a standard in place of the computed one, published with its reason."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="overrides")
    standard = models.CharField(max_length=40)
    rating = models.CharField(max_length=24, choices=Rating.choices)
    reason = models.TextField()
    by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["exercise", "standard"]
        constraints = [models.UniqueConstraint(fields=["exercise", "standard"], name="qa_one_override_per_standard")]

    def __str__(self) -> str:
        return f"{self.standard}: {self.rating} (overridden)"



class Tally(models.Model):
    """The counts an exercise's results are computed from, kept up to date by the services as assessments are
    submitted and moderated (``casework.quality.tally``), so the results of 10,000 cases are a read of a few
    hundred rows. One row per (dimension, group, standard, key question): the answers that count (sufficient,
    applicable, not applicable); a row with no standard counts the group's cases (and how many were moderated,
    and changed). Derived, never entered: ``tally.rebuild`` recomputes it from the answers, and a test holds the
    two equal."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="tallies")
    dimension = models.CharField(max_length=12)  # overall, grade, band, rosh, unit, proposal
    group = models.CharField(max_length=40, blank=True)
    standard = models.CharField(max_length=40, blank=True)
    key_question = models.CharField(max_length=40, blank=True)
    sufficient = models.IntegerField(default=0)
    applicable = models.IntegerField(default=0)
    not_applicable = models.IntegerField(default=0)
    cases = models.IntegerField(default=0)
    moderated = models.IntegerField(default=0)
    changed = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["exercise", "dimension", "group", "standard", "key_question"],
                                               name="qa_one_tally_per_key")]

    def __str__(self) -> str:
        return f"{self.dimension} {self.group} {self.standard} {self.key_question}"
