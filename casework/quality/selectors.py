"""Reads of quality assurance exercises, always through the viewer's scope
(``casework.access.visibility.quality_exercise_filter``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from casework.access.models import GrantStatus, Role, ScopeGrant
from casework.access.viewer import Viewer
from casework.access.visibility import quality_exercise_filter
from casework.organisation.models import Pdu, Region, Team
from casework.quality.choices import AssessmentStatus, ModerationStatus, SampleRole
from casework.quality.models import Exercise, SampledCase
from casework.workforce.models import Staff


def visible_exercises(viewer: Viewer) -> QuerySet[Exercise]:
    return Exercise.objects.filter(quality_exercise_filter(viewer))


def exercise_get(viewer: Viewer, pk: int) -> Exercise:
    """One exercise the viewer may read, or 404 (the same whether it does not exist or may not be seen)."""
    exercise = visible_exercises(viewer).select_related("team", "pdu", "region", "created_by").filter(pk=pk).first()
    if exercise is None:
        raise Http404("No such exercise")
    return exercise


@dataclass(frozen=True)
class Progress:
    sample: int
    allocated: int
    drafts: int
    submitted: int
    moderated: int
    reserves: int
    replaced: int

    @property
    def percent(self) -> int:
        return round(100 * self.submitted / self.sample) if self.sample else 0


def progress_by_exercise(exercise_ids: list[int]) -> dict[int, Progress]:
    """How far each exercise has got (one grouped query)."""
    rows = (SampledCase.objects.filter(exercise_id__in=exercise_ids)
            .values("exercise_id", "role", "assessment__status", "assessment__moderation")
            .annotate(n=Count("pk"), allocated=Count("pk", filter=Q(assessor__isnull=False))).order_by())
    counts: dict[int, dict[str, int]] = {i: dict.fromkeys(
        ("sample", "allocated", "drafts", "submitted", "moderated", "reserves", "replaced"), 0) for i in exercise_ids}
    for row in rows:
        c = counts[row["exercise_id"]]
        if row["role"] == SampleRole.RESERVE:
            c["reserves"] += row["n"]
        elif row["role"] == SampleRole.REPLACED:
            c["replaced"] += row["n"]
        else:
            c["sample"] += row["n"]
            c["allocated"] += row["allocated"]
            if row["assessment__status"] == AssessmentStatus.DRAFT:
                c["drafts"] += row["n"]
            elif row["assessment__status"] == AssessmentStatus.SUBMITTED:
                c["submitted"] += row["n"]
                if row["assessment__moderation"] != ModerationStatus.NONE:
                    c["moderated"] += row["n"]
    return {i: Progress(**c) for i, c in counts.items()}


def sample_rows(exercise: Exercise, *, role: str = SampleRole.SAMPLE) -> QuerySet[SampledCase]:
    """An exercise's sampled cases (or reserves, or replaced cases) with what the sample table shows."""
    return (SampledCase.objects.filter(exercise=exercise, role=role)
            .select_related("case", "assessor", "team", "assessment", "replaced_by__case")
            .order_by("position"))


def sample_page(exercise: Exercise, number: int, *, role: str = SampleRole.SAMPLE, size: int = 50):
    """One page of ``sample_rows``: the page's ids first (an index range scan in position order), then those
    rows with their joins. Asked for in one statement, PostgreSQL joins every sampled case of a national
    exercise to its case before sorting, to keep 50 (80 ms against 2)."""
    from django.core.paginator import Paginator

    ids = SampledCase.objects.filter(exercise=exercise, role=role).order_by("position").values_list("pk", flat=True)
    page = Paginator(ids, size).get_page(number)
    rows = {r.pk: r for r in sample_rows(exercise, role=role).filter(pk__in=list(page.object_list))}
    page.object_list = [rows[pk] for pk in page.object_list if pk in rows]
    return page


def sampled_get(exercise: Exercise, pk: int) -> SampledCase:
    sampled = (SampledCase.objects.select_related("exercise", "case", "assessor", "team", "practitioner")
               .filter(exercise=exercise, pk=pk).first())
    if sampled is None:
        raise Http404("No such case in this exercise")
    return sampled


def assessors_for(exercise: Exercise, *, today: dt.date) -> list[Staff]:
    """Quality assurance staff whose approved grant today covers the exercise's scope: who may be allocated."""
    covering = Q(national=True)
    region_id = exercise.region_id or (exercise.pdu.region_id if exercise.pdu_id else None) or (
        Team.objects.filter(pk=exercise.team_id).values_list("pdu__region_id", flat=True).first()
        if exercise.team_id else None)
    pdu_id = exercise.pdu_id or (exercise.team.pdu_id if exercise.team_id else None)
    if region_id:
        covering |= Q(region_id=region_id)
    if pdu_id and not exercise.region_id:
        covering |= Q(pdu_id=pdu_id)
    if exercise.team_id:
        covering |= Q(team_id=exercise.team_id)
    staff_ids = ScopeGrant.objects.filter(
        covering, role=Role.QUALITY_ASSURANCE, status=GrantStatus.APPROVED, starts_on__lte=today,
        ends_on__gte=today).values("staff_id")
    return list(Staff.objects.filter(pk__in=staff_ids, user__is_active=True).order_by("last_name", "first_name"))


def scope_options(regions, pdus, teams, national: bool) -> list[tuple[str, str]]:
    """The choices of what to inspect: the regions, PDUs and teams a quality assurance grant covers."""
    options: list[tuple[str, str]] = []
    if national:
        options.append(("national", "England and Wales"))
        region_qs, pdu_qs = Region.objects.all(), Pdu.objects.select_related("region")
    else:
        region_qs = Region.objects.filter(pk__in=regions)
        pdu_qs = Pdu.objects.filter(Q(pk__in=pdus) | Q(region_id__in=regions)).select_related("region")
    options += [(f"region:{r.pk}", f"Region: {r.name}") for r in region_qs.order_by("name")]
    options += [(f"pdu:{p.pk}", f"PDU: {p.name} ({p.region.name})") for p in pdu_qs.order_by("region__name", "name")]
    if not national and teams:
        options += [(f"team:{t.pk}", f"Team: {t.name} ({t.pdu.name})")
                    for t in Team.objects.filter(pk__in=teams).select_related("pdu").order_by("name")]
    elif not national:
        options += [(f"team:{t.pk}", f"Team: {t.name} ({t.pdu.name})")
                    for t in Team.objects.filter(pdu__in=pdu_qs).select_related("pdu").order_by("pdu__name", "name")]
    return options
