"""The exercise from set-up to completion through the services, and every refusal the issue lists."""

from __future__ import annotations

import pytest

from casework.audit.models import AuditEvent
from casework.core.errors import DomainValidationError, NotPermittedError
from casework.quality import services
from casework.quality.choices import Answer, AssessmentStatus, ExerciseStatus, ModerationStatus, SampleRole
from casework.quality.models import AnswerRow, SampledCase
from casework.quality.results import exercise_results
from casework.rules import sampling
from tests.quality import world as w

pytestmark = pytest.mark.django_db


def all_answers(exercise, answer=Answer.SUFFICIENT, evidence="Seen in the file"):
    return {q: services.Given(answer, evidence) for q in services.expected_questions(exercise)}


def test_sample_reproducible_from_the_seed():
    world = w.build()
    first = w.exercise(world, seed=11)
    services.sample_draw(exercise=first, by=world.lead.user)
    drawn_first = list(SampledCase.objects.filter(exercise=first).values_list("case_id", "role", "stratum"))
    again = services.sample_draw(exercise=first, by=world.lead.user)  # nothing assessed: redraw allowed
    assert list(SampledCase.objects.filter(exercise=again).values_list("case_id", "role", "stratum")) == drawn_first
    second = w.exercise(world, seed=11)
    services.sample_draw(exercise=second, by=world.lead.user)
    assert list(SampledCase.objects.filter(exercise=second).values_list("case_id", "role", "stratum")) == drawn_first
    first.refresh_from_db()
    assert first.status == ExerciseStatus.SAMPLED
    assert first.eligible == 48 and first.sample_size == 12
    assert SampledCase.objects.filter(exercise=first, role=SampleRole.SAMPLE).count() == 12
    # The engine on the same long list gives the same draw.
    from casework.quality.longlist import long_list
    listed = long_list(first)
    result = sampling.draw_sample([c.record for c in listed], size=12, as_of=w.AS_OF, seed=11,
                                  window=sampling.Window(*w.WINDOW))
    by_crn = {c.record.crn: c.case_id for c in listed}
    assert [(by_crn[s.crn], s.reserve) for s in result.sample] == [
        (case_id, role == SampleRole.RESERVE) for case_id, role, _ in drawn_first]


def test_breakdown_fields_fixed_at_sampling():
    world = w.build()
    exercise = w.exercise(world)
    services.sample_draw(exercise=exercise, by=world.lead.user)
    for sampled in SampledCase.objects.filter(exercise=exercise).select_related("case"):
        assert sampled.practitioner_id == sampled.case.manager_id
        assert sampled.grade in ("PO", "PQIP", "PSO")
        assert sampled.team_id == sampled.case.team_id
        assert sampled.rosh == sampled.case.rosh


def test_whole_exercise_and_refusals():
    world = w.build()
    exercise = w.exercise(world, size=6)
    services.sample_draw(exercise=exercise, by=world.lead.user)
    allocated = services.assessors_share(exercise=exercise, assessors=[world.assessor, world.second_assessor],
                                         by=world.lead.user)
    assert allocated == 6
    sample = list(SampledCase.objects.filter(exercise=exercise, role=SampleRole.SAMPLE).select_related(
        "exercise", "case", "assessor"))
    first = sample[0]
    # Someone not allocated may not save it.
    other = world.second_assessor if first.assessor_id == world.assessor.pk else world.assessor
    with pytest.raises(NotPermittedError):
        services.assessment_save(sampled=first, by=other.user, answers=all_answers(exercise), submit=False)
    # A key question for a standard the exercise does not assess case by case.
    with pytest.raises(DomainValidationError) as refused:
        services.assessment_save(sampled=first, by=first.assessor.user,
                                 answers={("3.1", "ENGAGEMENT"): services.Given(Answer.SUFFICIENT)}, submit=False)
    assert "3.1" in str(refused.value)
    with pytest.raises(DomainValidationError):
        services.assessment_save(sampled=first, by=first.assessor.user,
                                 answers={("1.1", "ENGAGEMENT"): services.Given(Answer.SUFFICIENT)}, submit=False)
    # A draft saves partially; submitting needs everything.
    partial = dict(list(all_answers(exercise).items())[:3])
    draft = services.assessment_save(sampled=first, by=first.assessor.user, answers=partial, submit=False)
    assert draft.status == AssessmentStatus.DRAFT and draft.answers.count() == 3
    first.refresh_from_db()
    with pytest.raises(DomainValidationError):
        services.assessment_save(sampled=first, by=first.assessor.user, answers=partial, submit=True)
    # Redrawing the sample after an assessment began is refused; nothing assessed is lost.
    with pytest.raises(DomainValidationError) as refused:
        services.sample_draw(exercise=exercise, by=world.lead.user)
    assert "cannot be drawn again" in str(refused.value)
    assert AnswerRow.objects.filter(assessment=draft).count() == 3
    # Replacing a case once its assessment began is refused; another can be replaced with a reason.
    reserve = SampledCase.objects.filter(exercise=exercise, role=SampleRole.RESERVE).first()
    with pytest.raises(DomainValidationError):
        services.sample_replace(sampled=first, reserve=reserve, reason="Moved", by=world.lead.user)
    second = sample[1]
    like = SampledCase.objects.filter(exercise=exercise, role=SampleRole.RESERVE, stratum=second.stratum).first()
    if like is not None:
        with pytest.raises(DomainValidationError) as refused:
            services.sample_replace(sampled=second, reserve=like, reason="  ", by=world.lead.user)
        assert "why" in str(refused.value)
        taken = services.sample_replace(sampled=second, reserve=like, reason="Transferred out of the PDU",
                                        by=world.lead.user)
        second.refresh_from_db()
        assert second.role == SampleRole.REPLACED and second.replaced_by == taken
        assert taken.role == SampleRole.SAMPLE
    # Everyone completes their cases.
    for sampled in SampledCase.objects.filter(exercise=exercise, role=SampleRole.SAMPLE).select_related(
            "exercise", "case", "assessor"):
        if sampled.assessor_id is None:
            services.assessor_set(sampled=sampled, assessor=world.assessor, by=world.lead.user)
            sampled.refresh_from_db()
        services.assessment_save(sampled=sampled, by=sampled.assessor.user, answers=all_answers(exercise),
                                 submit=True)
    first.refresh_from_db()
    with pytest.raises(DomainValidationError):  # submitted: locked
        services.assessment_save(sampled=first, by=first.assessor.user, answers=all_answers(exercise), submit=False)
    before = exercise_results(exercise)
    assert before.cases == 6
    assert all(v.rating == "OUTSTANDING" for v in before.standards if v.assessed)
    # A moderator who is the assessor is refused; another changes an answer, which changes the results.
    assessment = first.assessment
    with pytest.raises(DomainValidationError):
        services.assessment_moderate(assessment=assessment, by=first.assessor.user, answers={}, note="")
    moderator = world.second_assessor if first.assessor_id == world.assessor.pk else world.assessor
    change = {("2.1", "SAFETY"): services.Given(Answer.NOT_SUFFICIENT, "No police check in the file")}
    with pytest.raises(DomainValidationError):
        services.assessment_moderate(assessment=assessment, by=moderator.user, answers=change, note="")
    services.assessment_moderate(assessment=assessment, by=moderator.user, answers=change,
                                 note="Agreed with the assessor: the enquiry is not in the file")
    assessment.refresh_from_db()
    assert assessment.moderation == ModerationStatus.CHANGED
    row = assessment.answers.get(standard="2.1", key_question="SAFETY")
    assert (row.answer, row.moderated, row.final) == (Answer.SUFFICIENT, Answer.NOT_SUFFICIENT, Answer.NOT_SUFFICIENT)
    after = exercise_results(exercise)
    safety = next(q for v in after.standards if v.key == "2.1" for q in v.questions if q.key == "SAFETY")
    assert (safety.sufficient, safety.applicable, safety.percent) == (5, 6, 83)
    # An override without a reason is refused.
    with pytest.raises(DomainValidationError):
        services.override_set(exercise=exercise, standard="2.1", rating="GOOD", reason=" ", by=world.lead.user)
    services.override_set(exercise=exercise, standard="2.1", rating="GOOD", reason="Two cases borderline",
                          by=world.lead.user)
    with pytest.raises(DomainValidationError):  # an assessed standard takes no entered rating
        services.standard_rating_set(exercise=exercise, standard="2.1", rating="GOOD", evidence="x",
                                     by=world.lead.user)
    for key in ("1.1", "1.2", "1.3", "1.4", "3.1", "3.2"):
        services.standard_rating_set(exercise=exercise, standard=key, rating="GOOD", evidence="Interviews",
                                     by=world.lead.user)
    results = exercise_results(exercise)
    assert results.overall is not None and not results.missing
    from casework.quality import tally
    assert tally.stored(exercise) == tally.computed(exercise)  # the kept counts are the answers' counts
    completed = services.exercise_complete(exercise=exercise, by=world.lead.user)
    assert completed.status == ExerciseStatus.COMPLETED
    with pytest.raises(DomainValidationError):
        services.override_set(exercise=exercise, standard="2.2", rating="GOOD", reason="late", by=world.lead.user)
    actions = set(AuditEvent.objects.filter(action__startswith="quality.").values_list("action", flat=True))
    assert {"quality.exercise_create", "quality.sample_draw", "quality.assessment_submit",
            "quality.assessment_moderate", "quality.override_set", "quality.exercise_complete"} <= actions


def test_only_quality_staff_run_exercises():
    world = w.build(8)
    with pytest.raises(NotPermittedError):
        services.exercise_create(by=world.head.user, name="x", framework="PROBATION_2018",
                                 scope=services.Scope(pdu=world.pdu), window_start=w.WINDOW[0],
                                 window_end=w.WINDOW[1], as_of=w.AS_OF, case_standards=["2.1"])
    with pytest.raises(NotPermittedError):
        services.exercise_create(by=world.practitioners[0].user, name="x", framework="PROBATION_2018",
                                 scope=services.Scope(pdu=world.pdu), window_start=w.WINDOW[0],
                                 window_end=w.WINDOW[1], as_of=w.AS_OF, case_standards=["2.1"])


def test_setup_validation():
    world = w.build(4)
    with pytest.raises(DomainValidationError) as refused:
        services.exercise_create(by=world.lead.user, name=" ", framework="NOPE", scope=services.Scope(),
                                 window_start=w.WINDOW[1], window_end=w.WINDOW[0], as_of=w.AS_OF,
                                 case_standards=[], requested_size=0)
    assert set(refused.value.errors) >= {"name", "framework", "scope", "window_end", "requested_size"}
    with pytest.raises(DomainValidationError) as refused:
        services.exercise_create(by=world.lead.user, name="x", framework="PROBATION_2018",
                                 scope=services.Scope(pdu=world.pdu), window_start=w.WINDOW[0],
                                 window_end=w.WINDOW[1], as_of=w.AS_OF, case_standards=["1.1"])
    assert "judgement" in refused.value.errors["case_standards"]
    other = w.build(1)
    with pytest.raises(DomainValidationError) as refused:
        services.exercise_create(by=world.lead.user, name="x", framework="PROBATION_2018",
                                 scope=services.Scope(pdu=other.pdu), window_start=w.WINDOW[0],
                                 window_end=w.WINDOW[1], as_of=w.AS_OF, case_standards=["2.1"])
    assert refused.value.errors["scope"] == services.SCOPE_OUTSIDE
