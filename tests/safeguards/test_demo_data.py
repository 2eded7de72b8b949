"""Generated safeguard tasks: a realistic mix, consistent with the engine (a recompute writes nothing)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from casework.demo.builder import build_world
from casework.demo.scale import SMALL
from casework.safeguards import services
from casework.safeguards.choices import TaskStatus
from casework.safeguards.models import SafeguardTask

NOW = dt.datetime(2026, 11, 27, 11, 30, tzinfo=dt.UTC)
TODAY = timezone.localdate(NOW)


@pytest.fixture
def world(db):
    build_world(scale=SMALL, now=NOW)


def test_the_demo_world_has_a_realistic_mix_of_tasks(world):
    tasks = list(SafeguardTask.objects.select_related("case"))
    status = Counter("OVERDUE" if t.is_overdue(TODAY) else t.status for t in tasks)
    assert status["OVERDUE"] and status["OPEN"] and status[TaskStatus.DONE] and status[TaskStatus.NOT_REQUIRED]
    assert status["OVERDUE"] < status[TaskStatus.DONE] / 3
    assert all(t.outcome for t in tasks if t.status == TaskStatus.DONE)
    assert all(t.not_required_reason for t in tasks if t.status == TaskStatus.NOT_REQUIRED)
    assert {t.safeguard for t in tasks} >= {"DOMESTIC_ABUSE_ENQUIRY", "SAFEGUARDING_ENQUIRY", "HOME_VISIT",
                                            "INITIAL_ROSH_ASSESSMENT", "RISK_REVIEW"}
    assert any(t.met_by_id for t in tasks) and any(t.decided_by_id for t in tasks)


def test_recomputing_the_generated_tasks_writes_nothing(world):
    result = services.tasks_recompute_all(trigger="check", today=TODAY)
    assert result.written == 0, result
