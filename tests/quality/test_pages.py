"""The quality assurance pages end to end through the test client, with the exports checked against the engine."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from casework.quality import services
from casework.quality.choices import Answer, AssessmentStatus, SampleRole
from casework.quality.models import Assessment, Exercise, SampledCase
from casework.quality.results import counts_from_rows, exercise_results
from casework.ruleset import selectors as ruleset
from tests.quality import world as w

pytestmark = pytest.mark.django_db


def _answers_post(exercise, answer=Answer.SUFFICIENT, action="submit", version=None, overrides=None):
    from casework.web.quality_forms import answer_field_names
    data = {"action": action}
    if version is not None:
        data["version"] = version
    for std, kq in services.expected_questions(exercise):
        a, e = answer_field_names(std, kq)
        data[a] = (overrides or {}).get((std, kq), answer)
        data[e] = "Seen in the file"
    return data


def test_lead_sets_up_samples_and_shares(signed_in):
    world = w.build()
    client = signed_in(world.lead)
    assert client.get(reverse("quality")).status_code == 200
    page = client.get(reverse("quality-new"))
    assert page.status_code == 200
    bad = client.post(reverse("quality-new"), {"name": "", "framework": "PROBATION_2018",
                                               "scope": f"pdu:{world.pdu.pk}", "buffer_percent": "20"})
    assert bad.status_code == 200 and b"There is a problem" in bad.content and b"Enter a name" in bad.content
    data = {"name": "Winter self-inspection", "framework": "PROBATION_2018", "scope": f"pdu:{world.pdu.pk}",
            "window_start_0": "1", "window_start_1": "1", "window_start_2": "2026",
            "window_end_0": "30", "window_end_1": "6", "window_end_2": "2026",
            "as_of_0": "1", "as_of_1": "9", "as_of_2": "2026", "requested_size": "8", "buffer_percent": "20",
            "case_standards": ["2.1", "2.2", "2.3", "2.4"]}
    created = client.post(reverse("quality-new"), data)
    assert created.status_code == 302, created.content.decode()[:3000]
    exercise = Exercise.objects.get(name="Winter self-inspection")
    assert client.post(reverse("quality-sample", args=[exercise.pk]), {"version": exercise.version}).status_code == 302
    assert SampledCase.objects.filter(exercise=exercise, role=SampleRole.SAMPLE).count() == 8
    shared = client.post(reverse("quality-share", args=[exercise.pk]),
                         {"assessors": [str(world.assessor.pk), str(world.second_assessor.pk)]})
    assert shared.status_code == 302
    assert not SampledCase.objects.filter(exercise=exercise, role=SampleRole.SAMPLE, assessor__isnull=True).exists()
    page = client.get(reverse("quality-exercise", args=[exercise.pk]))
    assert page.status_code == 200 and b"sample-table" in page.content


def _sampled_and_shared(world, size=6):
    exercise = w.exercise(world, size=size)
    services.sample_draw(exercise=exercise, by=world.lead.user)
    services.assessors_share(exercise=exercise, assessors=[world.assessor, world.second_assessor], by=world.lead.user)
    exercise.refresh_from_db()
    return exercise


def test_assess_moderate_results_and_exports(signed_in, client):
    world = w.build()
    exercise = _sampled_and_shared(world)
    sample = list(SampledCase.objects.filter(exercise=exercise, role=SampleRole.SAMPLE).select_related("assessor"))
    for i, sampled in enumerate(sample):
        client.force_login(sampled.assessor.user)
        url = reverse("quality-case", args=[exercise.pk, sampled.pk])
        page = client.get(url)
        assert page.status_code == 200 and b"The case record" in page.content
        assert b"Submit the assessment" in page.content
        answer = Answer.NOT_SUFFICIENT if i == 0 else Answer.SUFFICIENT
        # A partial submit is refused with the reason on the page; a draft saves.
        partial = _answers_post(exercise, answer, version=sampled.version)
        partial.pop(next(k for k in partial if k.startswith("a__")))
        refused = client.post(url, partial)
        assert refused.status_code == 200 and b"Answer every key question" in refused.content
        sampled.refresh_from_db()
        saved = client.post(url, _answers_post(exercise, answer, action="submit", version=sampled.version))
        assert saved.status_code == 302, saved.content.decode()[:2000]
    assert Assessment.objects.filter(exercise=exercise, status=AssessmentStatus.SUBMITTED).count() == len(sample)
    # Someone not allocated posting answers is refused with a message; nothing changes.
    first = sample[0]
    client.force_login(world.lead.user)
    client.post(reverse("quality-case", args=[exercise.pk, first.pk]), _answers_post(exercise, Answer.SUFFICIENT))
    assert first.assessment.answers.filter(final=Answer.NOT_SUFFICIENT).count() == 12
    # The second reader moderates the first case: one answer changed, with a note.
    moderator = world.second_assessor if first.assessor_id == world.assessor.pk else world.assessor
    client.force_login(moderator.user)
    url = reverse("quality-case", args=[exercise.pk, first.pk])
    assert b"Record the moderation" in client.get(url).content
    before = exercise_results(exercise)
    data = _answers_post(exercise, Answer.NOT_SUFFICIENT, action="moderate",
                         version=Assessment.objects.get(sampled_case=first).version,
                         overrides={("2.1", "SAFETY"): Answer.SUFFICIENT})
    data["note"] = "Police check is on file after all"
    assert client.post(url, data).status_code == 302
    after = exercise_results(exercise)
    q = lambda r: next(q for v in r.standards if v.key == "2.1" for q in v.questions if q.key == "SAFETY")  # noqa: E731
    assert q(after).sufficient == q(before).sufficient + 1
    # The results page shows the engine's ratings; breakdown counts add up to the totals.
    client.force_login(world.lead.user)
    page = client.get(reverse("quality-results", args=[exercise.pk]))
    assert page.status_code == 200
    for view in after.standards:
        if view.rating:
            assert view.rating in ("OUTSTANDING", "GOOD", "REQUIRES_IMPROVEMENT", "INADEQUATE")
    for breakdown in after.breakdowns:
        assert sum(g.cases for g in breakdown.groups) == after.cases
        for view in after.standards:
            for qr in view.questions:
                total = sum(g.standards[view.key][qr.key].applicable for g in breakdown.groups)
                assert total == qr.applicable
    assert b'id="chart-grade-heading"' in page.content and b"PSO" in page.content
    # The CSV recomputes the same ratings.
    response = client.get(reverse("quality-answers-csv", args=[exercise.pk]))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == len(sample) * 12
    framework, _ = ruleset.framework(exercise.framework)
    again = counts_from_rows([(r["standard"], r["key_question"], r["final_answer"]) for r in rows], framework,
                             exercise.case_standards)
    for view in after.standards:
        if view.assessed and view.key in again.standards:
            assert again.standards[view.key].rating.value == view.computed_rating
    pdf = client.get(reverse("quality-results-pdf", args=[exercise.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = client.get(reverse("quality-answers-xlsx", args=[exercise.pk]))
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    from openpyxl import load_workbook
    book = load_workbook(io.BytesIO(xlsx.content), read_only=True)
    assert sum(1 for _ in book["Answers"].iter_rows()) == len(rows) + 1


def test_head_of_pdu_reads_others_do_not(signed_in, client):
    world = w.build(12)
    exercise = _sampled_and_shared(world, size=4)
    client.force_login(world.head.user)
    assert client.get(reverse("quality-results", args=[exercise.pk])).status_code == 200
    assert client.get(reverse("quality-exercise", args=[exercise.pk])).status_code == 200
    assert client.get(reverse("quality-new")).status_code == 403
    client.force_login(world.practitioners[0].user)
    assert client.get(reverse("quality")).status_code == 403
    other = w.build(2)
    client.force_login(other.lead.user)
    assert client.get(reverse("quality-results", args=[exercise.pk])).status_code == 404


def test_a_case_the_reader_is_excluded_from_is_withheld_everywhere(client):
    """Limited access holds in quality assurance too: a head of PDU excluded from a sampled case sees its CRN
    nowhere on the exercise's pages, and its assessment page is not found for them."""
    from tests import factories

    world = w.build(12)
    exercise = _sampled_and_shared(world, size=4)
    sampled = (SampledCase.objects.filter(exercise=exercise, role=SampleRole.SAMPLE)
               .select_related("case", "exercise", "assessor").first())
    answers = {q: services.Given(Answer.SUFFICIENT) for q in services.expected_questions(exercise)}
    services.assessment_save(sampled=sampled, by=sampled.assessor.user, submit=True, answers=answers)
    factories.restrict(sampled.case, excluded=[world.head])
    client.force_login(world.head.user)
    page = client.get(reverse("quality-exercise", args=[exercise.pk]))
    assert page.status_code == 200
    assert sampled.case.crn.encode() not in page.content and b"Withheld" in page.content
    assert client.get(reverse("quality-case", args=[exercise.pk, sampled.pk])).status_code == 404
    rows = b"".join(client.get(reverse("quality-answers-csv", args=[exercise.pk])).streaming_content)
    assert sampled.case.crn.encode() not in rows and rows.count(b"withheld") == 12  # still counted
    client.force_login(world.lead.user)  # the lead is not excluded: they see it
    assert sampled.case.crn.encode() in client.get(reverse("quality-exercise", args=[exercise.pk])).content


def test_a_stale_form_is_refused_on_the_page_and_nothing_is_lost(client):
    """Two tabs: the assessor saves a draft in one, then submits the form still open in the other. The second
    is refused with the usual message, on the page (never a server error), and the draft stands."""
    world = w.build(12)
    exercise = _sampled_and_shared(world, size=4)
    sampled = SampledCase.objects.filter(exercise=exercise, role=SampleRole.SAMPLE).select_related("assessor").first()
    client.force_login(sampled.assessor.user)
    url = reverse("quality-case", args=[exercise.pk, sampled.pk])
    stale_version = sampled.version
    assert client.post(url, _answers_post(exercise, Answer.SUFFICIENT, action="save",
                                          version=stale_version)).status_code == 302
    refused = client.post(url, _answers_post(exercise, Answer.NOT_SUFFICIENT, version=stale_version))
    assert refused.status_code == 200 and b"Someone else changed this record" in refused.content
    assessment = Assessment.objects.get(sampled_case=sampled)
    assert assessment.status == AssessmentStatus.DRAFT
    assert set(assessment.answers.values_list("answer", flat=True)) == {Answer.SUFFICIENT}
