"""Hypothesis: whatever happens to a case, recomputing is idempotent and never drops an open task."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework.record.models import Case, Registration, RegistrationType, RiskAssessment
from casework.safeguards import services
from casework.safeguards.choices import TaskStatus
from casework.safeguards.models import SafeguardTask
from casework.safeguards.schedule import earliest_done_date
from casework.supervision.models import CaseEvent
from tests import factories
from tests.safeguards.conftest import START

pytestmark = pytest.mark.django_db

EVENTS = ["ARREST", "CHARGE", "DOMESTIC_ABUSE_CALLOUT", "CHANGE_OF_ADDRESS", "CHANGE_OF_HOUSEHOLD"]
days = st.integers(min_value=-30, max_value=200).map(lambda n: START + dt.timedelta(days=n))

step = st.one_of(
    st.tuples(st.just("event"), st.sampled_from(EVENTS), days),
    st.tuples(st.just("delete_event"), st.integers(0, 5), days),
    st.tuples(st.just("assessment"), st.sampled_from(["LOW", "MEDIUM", "HIGH", "VERY_HIGH"]), days),
    st.tuples(st.just("registration"), st.sampled_from(["ADVP", "RCCO", "MAPP"]), days),
    st.tuples(st.just("children"), st.sampled_from(["YES", "NO", "UNKNOWN"]), days),
    st.tuples(st.just("done"), st.integers(0, 20), days),
    st.tuples(st.just("not_required"), st.integers(0, 20), days),
    st.tuples(st.just("time_passes"), st.integers(0, 3), days),
)


def apply(case, spo, action, value, day, today):
    if action == "event" and day <= today:
        CaseEvent.objects.create(case=case, type=value, occurred_on=day, notes="x")
    elif action == "delete_event":
        events = list(CaseEvent.objects.filter(case=case).order_by("pk"))
        if events:
            events[value % len(events)].delete()
    elif action == "assessment" and day <= today:
        RiskAssessment.objects.create(case=case, assessed_on=day, source="OASYS_LAYER_3", rosh_overall=value)
        Case.objects.filter(pk=case.pk).update(rosh=value)
    elif action == "registration" and day <= today:
        Registration.objects.create(case=case, type=RegistrationType.objects.get(code=value), start_date=day)
    elif action == "children":
        Case.objects.filter(pk=case.pk).update(children_contact=value)
    elif action in ("done", "not_required"):
        open_tasks = list(SafeguardTask.objects.filter(case=case, status=TaskStatus.OPEN).order_by("pk"))
        if not open_tasks:
            return
        task = open_tasks[value % len(open_tasks)]
        try:
            if action == "done":
                on = min(max(day, earliest_done_date(task)), today)
                services.task_close_done(task=task, by=spo.user, expected_version=task.version, done_on=on,
                                         outcome="Done", today=today)
            else:
                services.task_mark_not_required(task=task, by=spo.user, expected_version=task.version,
                                                reason="Not needed", today=today)
        except Exception as exc:  # refusals are part of the model; anything else fails the test
            from casework.core.errors import DomainValidationError

            assert isinstance(exc, DomainValidationError), exc


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(steps=st.lists(step, max_size=8))
def test_recomputing_is_idempotent_and_never_drops_an_open_task(team, steps):
    spo = factories.SpoFactory(team=team)
    po = factories.StaffFactory(team=team)
    case = factories.AllocatedCaseFactory(manager=po)
    factories.CommunityOrderFactory(case=case, sentence_date=START, start_date=START)
    today = START + dt.timedelta(days=20)
    services.tasks_recompute(case=case, trigger="start", today=today)
    for action, value, day in steps:
        if action == "time_passes":
            today += dt.timedelta(days=30 * (value + 1))
        case.refresh_from_db()
        apply(case, spo, action, value, day, today)
        before = {t.pk: t for t in SafeguardTask.objects.filter(case=case)}
        services.tasks_recompute(case=case, trigger="step", today=today)
        after = {t.pk: t for t in SafeguardTask.objects.filter(case=case)}
        assert set(before) <= set(after), "a task was deleted"
        for pk, old in before.items():
            new = after[pk]
            if old.status != TaskStatus.OPEN:
                assert (new.status, new.done_on, new.decided_by_id) == (old.status, old.done_on, old.decided_by_id)
            elif new.status == TaskStatus.DONE:
                assert new.done_on is not None and new.outcome, "closed as done without saying by what"
            elif new.status == TaskStatus.NOT_REQUIRED:
                assert new.met_by_id is not None and new.not_required_reason
        assert services.tasks_recompute(case=case, trigger="again", today=today).written == 0
