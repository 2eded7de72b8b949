"""The quality assurance pages run a fixed number of queries however many cases an exercise samples and assesses
(exact budgets: a change shows here first)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework.quality import services
from casework.quality.choices import Answer, SampleRole
from casework.quality.models import SampledCase
from tests.quality import world as w

pytestmark = pytest.mark.django_db


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


def assessed(n_cases: int, size: int):
    world = w.build(n_cases)
    exercise = w.exercise(world, size=size)
    services.sample_draw(exercise=exercise, by=world.lead.user)
    services.assessors_share(exercise=exercise, assessors=[world.assessor], by=world.lead.user)
    for i, sampled in enumerate(SampledCase.objects.filter(exercise=exercise, role=SampleRole.SAMPLE)
                                .select_related("exercise", "case", "assessor")):
        answer = Answer.SUFFICIENT if i % 3 else Answer.NOT_SUFFICIENT
        services.assessment_save(sampled=sampled, by=world.assessor.user, submit=True,
                                 answers={q: services.Given(answer) for q in services.expected_questions(exercise)})
    return world, exercise


@pytest.mark.parametrize("page", ["quality-results", "quality-exercise"])
def test_exercise_pages_do_not_grow_with_the_sample(client, page):
    small_world, small = assessed(8, 4)
    client.force_login(small_world.lead.user)
    few = queries_for(client, reverse(page, args=[small.pk]))
    big_world, big = assessed(40, 20)
    client.force_login(big_world.lead.user)
    many = queries_for(client, reverse(page, args=[big.pk]))
    assert few == many, (few, many)


def test_index_does_not_grow_with_exercises(client):
    world, exercise = assessed(8, 4)
    services.exercise_complete(exercise=exercise, by=world.lead.user)
    client.force_login(world.lead.user)
    one = queries_for(client, reverse("quality"))
    world2 = w.exercise(world, seed=5)
    services.sample_draw(exercise=world2, by=world.lead.user)
    two = queries_for(client, reverse("quality"))
    assert one == two, (one, two)


def test_the_assessment_page_does_not_grow_with_the_case(client):
    """The case page reads the record beside the form and the record's evidence in a fixed number of queries."""
    from casework.quality.models import SampledCase
    from tests import factories

    world, exercise = assessed(8, 4)
    sampled = SampledCase.objects.filter(exercise=exercise, role=SampleRole.SAMPLE).select_related("case").first()
    client.force_login(world.lead.user)
    url = reverse("quality-case", args=[exercise.pk, sampled.pk])
    few = queries_for(client, url)
    for _ in range(5):
        factories.AppointmentFactory(case=sampled.case)
        factories.RegistrationFactory(case=sampled.case)
    assert queries_for(client, url) == few
