"""The demo world holds recalls at every step, each step taken by whoever the workflow says, and the
issued ones and the decisions not to recall have their documents."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from casework.access.models import ScopeGrant
from casework.demo.builder import build_world
from casework.demo.scale import SMALL
from casework.recall.documents import pdf_for
from casework.recall.models import Recall, RecallStep
from casework.rules.recall_workflow import Actor, State, Step
from casework.workforce.models import TeamMembership

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)


def test_the_demo_world_has_recalls_at_every_step_by_the_right_people():
    build_world(scale=SMALL, now=NOW)
    recalls = list(Recall.objects.select_related("case"))
    states = Counter(r.state for r in recalls)
    assert set(states) == set(State), states
    heads = dict(ScopeGrant.objects.filter(role="HEAD_OF_PDU").values_list("pdu_id", "staff_id"))
    for recall in recalls:
        steps = list(RecallStep.objects.filter(recall=recall).order_by("at", "pk"))
        assert len(steps) == recall.version
        assert steps[0].step == Step.CONSIDER
        for step in steps:
            if step.role == Actor.PRACTITIONER:
                assert step.by_id == recall.case.manager_id
            elif step.role == Actor.SPO:
                assert TeamMembership.objects.filter(staff_id=step.by_id, team_id=recall.case.team_id,
                                                     role="MANAGER").exists()
            else:
                assert step.by_id == heads[recall.case.pdu_id]
        if recall.state in (State.ISSUED, State.NOT_RECALLED):
            content, _name = pdf_for(recall)
            assert content.startswith(b"%PDF-") and recall.case.crn.encode() in content
            assert recall.decided_on is not None
        if recall.recall_type:
            assert recall.recall_type in recall.engine["allowed"]
    # Steps are in time order and an issued recall was decided on its last step's day.
    for recall in recalls:
        times = list(RecallStep.objects.filter(recall=recall).order_by("pk").values_list("at", flat=True))
        assert times == sorted(times) and recall.started_at == times[0] and recall.updated_at == times[-1]
