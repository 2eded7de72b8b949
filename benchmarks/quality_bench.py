"""Quality assurance at national scale (issue 15): the results of an exercise of 10,000 assessed cases computed in
under 1 s, against the loaded (national) dataset.

First it makes sure the data the quality pages need exists:

- the demo-sized exercises (``casework.demo.quality``: a completed PDU self-inspection and one in progress, by
  the "qa" login and the "assessor"), made through the services, on a dataset generated before they existed;
- **the benchmark exercise**: a national exercise whose sample of 10,000 cases (and reserves) is drawn by the
  sampling engine from every case that started in the last two years, each case assessed against the four case
  standards (120,000 answers, about one in ten moderated), read by a national quality assurance account
  ("qa.national"). These rows are written in bulk, as the generator writes the world: made-up assessments for
  a benchmark, not people's work, so nothing is audited.

Then it times ``casework.quality.results.exercise_results`` on that exercise (one warm-up and five timed runs),
and once the recount of its tally from the 120,000 answers (``casework.quality.tally.rebuild``), which the
results do not need (the services keep the counts as they write) but which shows what computing them from the
answers each time would cost.
Prints JSON. Run under the database to measure (``DATABASE_URL``):

    DATABASE_URL=... .venv/bin/python -m benchmarks.quality_bench
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casework.settings.local")
os.environ.setdefault("DEBUG", "false")

TARGET_SECONDS = 1.0
SIZE = 10_000
NAME = "Benchmark: national exercise of 10,000 assessed cases"
NATIONAL_QA = "qa.national"


def _national_qa():
    from django.contrib.auth.hashers import make_password

    from casework.access.models import GrantStatus, Role, ScopeGrant
    from casework.account.models import User
    from casework.demo.logins import DEMO_PASSWORD
    from casework.workforce.models import Grade, Staff

    staff = Staff.objects.filter(user__username=NATIONAL_QA).first()
    if staff is None:
        user = User.objects.create(username=NATIONAL_QA, first_name="Nat", last_name="Quality",
                                   password=make_password(DEMO_PASSWORD))
        staff = Staff.objects.create(user=user, code="NATQA0001", first_name="Nat", last_name="Quality",
                                     grade=Grade.QA, started_in_post=dt.date(2015, 4, 1), contracted_hours=37)
        today = dt.date.today()
        ScopeGrant.objects.create(staff=staff, role=Role.QUALITY_ASSURANCE, national=True,
                                  starts_on=today - dt.timedelta(days=30), ends_on=today + dt.timedelta(days=330),
                                  status=GrantStatus.APPROVED, reason="Benchmark: national quality assurance")
    return staff


def _ratings(exercise) -> None:
    """The standards rated by judgement (the demo's ratings), so the results have an overall rating."""
    from casework.demo.quality import ORGANISATIONAL
    from casework.quality.models import StandardRating

    if not StandardRating.objects.filter(exercise=exercise).exists():
        StandardRating.objects.bulk_create([
            StandardRating(exercise=exercise, standard=key, rating=rating, evidence=evidence,
                           entered_by=exercise.created_by, entered_at=exercise.sampled_at or exercise.created_at)
            for key, (rating, evidence) in ORGANISATIONAL.items()])


def ensure_exercise():
    """The benchmark exercise, made once (about a minute at national scale)."""
    from django.db import transaction

    from casework.quality import longlist, tally
    from casework.quality.choices import Answer, AssessmentStatus, ExerciseStatus, ModerationStatus, SampleRole
    from casework.quality.models import AnswerRow, Assessment, Exercise, SampledCase
    from casework.quality.services import expected_questions, workload_band
    from casework.rules import sampling
    from casework.workforce.models import Staff
    from casework.workforce.workload import practitioner_workloads

    existing = Exercise.objects.filter(name=NAME).first()
    if existing is not None:
        _ratings(existing)
        return existing
    lead = _national_qa()
    today = dt.date.today()
    started = time.perf_counter()
    with transaction.atomic():
        exercise = Exercise.objects.create(
            name=NAME, framework="PROBATION_2018", case_standards=["2.1", "2.2", "2.3", "2.4"], national=True,
            window_start=today - dt.timedelta(days=730), window_end=today - dt.timedelta(days=30), as_of=today,
            requested_size=SIZE, seed=20261206, created_by=lead, status=ExerciseStatus.SAMPLED)
        listed = longlist.long_list(exercise)
        result = sampling.draw_sample([c.record for c in listed], size=SIZE, as_of=today, seed=exercise.seed,
                                      window=sampling.Window(exercise.window_start, exercise.window_end))
        by_crn = {c.record.crn: c for c in listed}
        managers = {by_crn[s.crn].manager_id for s in result.sample}
        grades = dict(Staff.objects.filter(pk__in=managers).values_list("pk", "grade"))
        loads = practitioner_workloads(managers, as_of=today)
        rows = []
        for position, drawn in enumerate(result.sample):
            item = by_crn[drawn.crn]
            load = loads.get(item.manager_id)
            percent = load.capacity_percent if load else None
            rows.append(SampledCase(exercise=exercise, case_id=item.case_id, stratum=drawn.stratum.value,
                                    role=SampleRole.RESERVE if drawn.reserve else SampleRole.SAMPLE,
                                    position=position, practitioner_id=item.manager_id,
                                    practitioner_name=str(item.manager_id), grade=grades.get(item.manager_id, ""),
                                    team_id=item.team_id, workload_band=workload_band(percent), rosh=item.rosh,
                                    workload_percent=None if percent is None else round(percent, 1),
                                    assessor=lead))
        SampledCase.objects.bulk_create(rows, batch_size=2000)
        now = dt.datetime.now(dt.UTC)
        sample = list(SampledCase.objects.filter(exercise=exercise, role=SampleRole.SAMPLE).values_list(
            "pk", "grade", "workload_band"))
        rng = random.Random(exercise.seed)
        assessments = [Assessment(sampled_case_id=pk, exercise=exercise, assessor=lead, started_at=now,
                                  status=AssessmentStatus.SUBMITTED, submitted_at=now,
                                  moderation=ModerationStatus.AGREED if rng.random() < 0.1 else ModerationStatus.NONE)
                       for pk, _, _ in sample]
        Assessment.objects.bulk_create(assessments, batch_size=2000)
        ids = dict(Assessment.objects.filter(exercise=exercise).values_list("sampled_case_id", "pk"))
        base = {"PO": 0.8, "PQIP": 0.74, "PSO": 0.64}
        answers = []
        for pk, grade, band in sample:
            p = base.get(grade, 0.76) - (0.12 if band == "OVER_110" else 0)
            for std, kq in expected_questions(exercise):
                roll = rng.random()
                answer = (Answer.NOT_APPLICABLE if roll < 0.03 else Answer.SUFFICIENT if roll < p + 0.03
                          else Answer.NOT_SUFFICIENT)
                proposed = rng.choice(("", "", Answer.SUFFICIENT, Answer.NOT_SUFFICIENT)) if kq == "SAFETY" else ""
                answers.append(AnswerRow(assessment_id=ids[pk], standard=std, key_question=kq, answer=answer,
                                         final=answer, proposed=proposed, evidence="Benchmark"))
        AnswerRow.objects.bulk_create(answers, batch_size=5000)
        exercise.sample_size, exercise.eligible, exercise.long_list = result.size, result.eligible, len(listed)
        exercise.sampled_at, exercise.sampling_rules_version = now, result.rules_version
        exercise.save()
        tally.rebuild(exercise)  # the counts the services would have kept, from the bulk-written answers
        _ratings(exercise)
    print(f"benchmark exercise: {len(sample):,} assessed cases, {len(answers):,} answers, "
          f"{len(rows) - len(sample):,} reserves in {time.perf_counter() - started:.1f} s", flush=True)
    return exercise


def main() -> dict:
    import django

    django.setup()
    from django.db import connection

    from casework.demo.quality import build_exercises
    from casework.quality.models import Exercise
    from casework.quality.results import exercise_results

    if not Exercise.objects.exclude(name=NAME).exists():
        build_exercises(today=dt.date.today(), seed=20210626, log=print)
    exercise = ensure_exercise()
    from casework.quality import tally

    if not tally.stored(exercise):  # made before the counts were kept
        tally.rebuild(exercise)
    started = time.perf_counter()
    tally.rebuild(exercise)
    rebuild_s = time.perf_counter() - started
    if connection.vendor == "postgresql":
        connection.cursor().execute("ANALYZE quality_answerrow; ANALYZE quality_sampledcase; "
                                    "ANALYZE quality_assessment")
    else:
        connection.cursor().execute("ANALYZE")
    exercise_results(exercise)  # warm-up
    times = []
    for _ in range(5):
        started = time.perf_counter()
        results = exercise_results(exercise)
        times.append(time.perf_counter() - started)
    figures = {"cases": results.cases, "answers": results.cases * 12, "overall": results.overall,
               "runs_s": [round(t, 3) for t in times], "median_s": round(statistics.median(times), 3),
               "max_s": round(max(times), 3), "target_s": TARGET_SECONDS, "exercise": exercise.pk,
               "rebuild_s": round(rebuild_s, 2)}
    print(f"results of {results.cases:,} assessed cases: median {figures['median_s']} s, "
          f"max {figures['max_s']} s (target {TARGET_SECONDS} s)", flush=True)
    print(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main()
