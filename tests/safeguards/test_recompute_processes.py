"""A national recompute shared among processes writes exactly what one process would."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from casework.safeguards import services
from casework.safeguards.models import SafeguardTask
from tests import factories
from tests.safeguards.conftest import START, TODAY


def _cases(n):
    cases = []
    for _ in range(n):
        case = factories.AllocatedCaseFactory()
        factories.CommunityOrderFactory(case=case, sentence_date=START, start_date=START,
                                        expected_end_date=dt.date(2027, 11, 1))
        cases.append(case)
    return cases


def _in_memory() -> bool:
    return connection.vendor == "sqlite" and connection.is_in_memory_db()


@pytest.mark.django_db(transaction=True)
def test_workers_write_what_one_process_writes():
    if _in_memory():
        pytest.skip("engine-specific: worker processes need a database they can open (PostgreSQL in CI); "
                    "the test database on SQLite is in memory")
    cases = _cases(7)
    result = services.tasks_recompute_all(trigger="policy changed", today=TODAY, batch=2, workers=2)
    by_process = {(t.case_id, t.safeguard, t.trigger, t.due) for t in SafeguardTask.objects.all()}
    assert result.created == len(by_process) > 0
    assert {case_id for case_id, *_ in by_process} == {case.pk for case in cases}
    SafeguardTask.objects.all().delete()
    again = services.tasks_recompute_all(trigger="policy changed", today=TODAY, batch=2, workers=1)
    assert again.created == result.created
    assert {(t.case_id, t.safeguard, t.trigger, t.due) for t in SafeguardTask.objects.all()} == by_process
    assert services.tasks_recompute_all(trigger="again", today=TODAY, batch=2, workers=2).written == 0
