"""The one place an exercise's answers are counted: which answers count, under which groups, and how.

Counted: the final answers (the second reader's where moderation changed one) of submitted assessments of cases
in the sample. Each counted case falls in exactly one group of each dimension (so a breakdown's groups add up to
the total):

- ``grade``: the practitioner's grade when sampled (PO, PQiP, PSO; any other grade, such as an SPO holding a
  case, is "OTHER");
- ``band``: their workload band when sampled (under 90%, 90–110%, over 110%, not known);
- ``rosh``: the case's RoSH when sampled ("" not assessed);
- ``unit``: the unit one level below the exercise's scope: the team for a team or PDU exercise, the PDU for a
  region, the region for England and Wales ("" no team). A national exercise broken down by 864 teams could
  not be read; by region it can.

``proposal`` counts, per key question, each answer where the record proposed one, by "proposed>answer".

The services apply deltas as they write (``submitted``, ``moderated``), inside their own transaction, with
``UPDATE … SET n = n + d`` so two assessors submitting at once both count. ``rebuild`` recomputes from the
answers (the benchmark's bulk-written exercise; a check that the kept counts are right).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F

from casework.organisation.models import Team
from casework.quality.choices import BREAKDOWN_GRADES, Answer, AssessmentStatus, ModerationStatus, SampleRole
from casework.quality.models import AnswerRow, Exercise, SampledCase, Tally

OVERALL, PROPOSAL = "overall", "proposal"
DIMENSIONS = ("grade", "band", "rosh", "unit")
FIELDS = ("sufficient", "applicable", "not_applicable", "cases", "moderated", "changed")

Key = tuple[str, str, str, str]  # dimension, group, standard, key question


def unit_level(exercise: Exercise) -> str:
    """What the ``unit`` breakdown groups by: "team", "pdu" or "region"."""
    if exercise.region_id:
        return "pdu"
    if exercise.pdu_id or exercise.team_id:
        return "team"
    return "region"  # England and Wales


def units_of(exercise: Exercise, team_ids: Iterable[int | None]) -> dict[int | None, str]:
    """Each team's unit key for this exercise (one query)."""
    level = unit_level(exercise)
    ids = {t for t in team_ids if t is not None}
    found: dict[int | None, str] = {None: ""}
    if level == "team":
        found.update({t: str(t) for t in ids})
        return found
    field = "pdu_id" if level == "pdu" else "pdu__region_id"
    found.update({pk: str(unit) for pk, unit in Team.objects.filter(pk__in=ids).values_list("pk", field)})
    return found


def groups_of(grade: str, band: str, rosh: str, unit: str) -> dict[str, str]:
    return {"grade": grade if grade in BREAKDOWN_GRADES else "OTHER", "band": band, "rosh": rosh or "",
            "unit": unit}


def _answer_cell(final: str) -> tuple[int, int, int]:
    if final == Answer.NOT_APPLICABLE:
        return (0, 0, 1)
    return (1 if final == Answer.SUFFICIENT else 0, 1, 0)


def add_answer(deltas: dict, groups: dict[str, str], standard: str, key_question: str, final: str,
               sign: int = 1) -> None:
    s, a, na = _answer_cell(final)
    for dimension, group in ((OVERALL, ""), *groups.items()):
        cell = deltas[(dimension, group, standard, key_question)]
        cell[0] += sign * s
        cell[1] += sign * a
        cell[2] += sign * na


def add_case(deltas: dict, groups: dict[str, str], *, cases: int = 0, moderated: int = 0, changed: int = 0) -> None:
    for dimension, group in ((OVERALL, ""), *groups.items()):
        cell = deltas[(dimension, group, "", "")]
        cell[3] += cases
        cell[4] += moderated
        cell[5] += changed


def add_proposal(deltas: dict, standard: str, key_question: str, proposed: str, answer: str) -> None:
    if proposed:
        deltas[(PROPOSAL, f"{proposed}>{answer}", standard, key_question)][3] += 1


def new_deltas() -> dict[Key, list[int]]:
    return defaultdict(lambda: [0, 0, 0, 0, 0, 0])


def apply(exercise: Exercise, deltas: dict[Key, list[int]]) -> None:
    """Add ``deltas`` to the exercise's tally rows (creating those missing); call inside the writing transaction."""
    for (dimension, group, standard, key_question), values in deltas.items():
        if not any(values):
            continue
        where = {"exercise": exercise, "dimension": dimension, "group": group, "standard": standard,
                 "key_question": key_question}
        changes = {name: F(name) + v for name, v in zip(FIELDS, values, strict=True) if v}
        if Tally.objects.filter(**where).update(**changes):
            continue
        try:
            with transaction.atomic():
                Tally.objects.create(**where, **dict(zip(FIELDS, values, strict=True)))
        except IntegrityError:  # someone created it first: add to theirs
            Tally.objects.filter(**where).update(**changes)


def submitted(sampled: SampledCase, rows: Iterable[AnswerRow]) -> None:
    """Count a newly submitted assessment."""
    exercise = sampled.exercise
    groups = groups_of(sampled.grade, sampled.workload_band, sampled.rosh,
                       units_of(exercise, [sampled.team_id])[sampled.team_id])
    deltas = new_deltas()
    add_case(deltas, groups, cases=1)
    for row in rows:
        add_answer(deltas, groups, row.standard, row.key_question, row.final)
        add_proposal(deltas, row.standard, row.key_question, row.proposed, row.answer)
    apply(exercise, deltas)


def moderated(sampled: SampledCase, changes: Iterable[tuple[AnswerRow, str]]) -> None:
    """Count a moderation: each (row, final before) moves from its old final answer to its new one."""
    exercise = sampled.exercise
    groups = groups_of(sampled.grade, sampled.workload_band, sampled.rosh,
                       units_of(exercise, [sampled.team_id])[sampled.team_id])
    deltas = new_deltas()
    changes = list(changes)
    add_case(deltas, groups, moderated=1, changed=1 if changes else 0)
    for row, before in changes:
        add_answer(deltas, groups, row.standard, row.key_question, before, sign=-1)
        add_answer(deltas, groups, row.standard, row.key_question, row.final)
    apply(exercise, deltas)


def computed(exercise: Exercise) -> dict[Key, list[int]]:
    """The tally worked out afresh from the answers (two grouped queries)."""
    deltas = new_deltas()
    counted = SampledCase.objects.filter(exercise=exercise, role=SampleRole.SAMPLE,
                                         assessment__status=AssessmentStatus.SUBMITTED)
    cases = list(counted.values_list("team_id", "grade", "workload_band", "rosh", "assessment__moderation"))
    units = units_of(exercise, {c[0] for c in cases})
    for team_id, grade, band, rosh, moderation in cases:
        add_case(deltas, groups_of(grade, band, rosh, units[team_id]), cases=1,
                 moderated=int(moderation != ModerationStatus.NONE),
                 changed=int(moderation == ModerationStatus.CHANGED))
    rows = (AnswerRow.objects.filter(assessment__sampled_case__in=counted)
            .values_list("assessment__sampled_case__team_id", "assessment__sampled_case__grade",
                         "assessment__sampled_case__workload_band", "assessment__sampled_case__rosh", "standard",
                         "key_question", "final", "proposed", "answer"))
    for team_id, grade, band, rosh, std, kq, final, proposed, answer in rows.iterator(chunk_size=10_000):
        add_answer(deltas, groups_of(grade, band, rosh, units[team_id]), std, kq, final)
        add_proposal(deltas, std, kq, proposed, answer)
    return {k: v for k, v in deltas.items() if any(v)}


def stored(exercise: Exercise) -> dict[Key, list[int]]:
    rows = Tally.objects.filter(exercise=exercise).values_list("dimension", "group", "standard", "key_question",
                                                                 *FIELDS)
    return {tuple(r[:4]): list(r[4:]) for r in rows if any(r[4:])}


@transaction.atomic
def rebuild(exercise: Exercise) -> int:
    """Replace the exercise's tally by one computed from its answers; returns how many rows."""
    fresh = computed(exercise)
    Tally.objects.filter(exercise=exercise).delete()
    Tally.objects.bulk_create([Tally(exercise=exercise, dimension=d, group=g, standard=s, key_question=k,
                                     **dict(zip(FIELDS, v, strict=True)))
                               for (d, g, s, k), v in fresh.items()], batch_size=2000)
    return len(fresh)
