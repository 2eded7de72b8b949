"""Two people taking the same step of one recall at the same moment, in two threads with their own
connections: exactly one succeeds, the other is told who took it, and the recall holds one step."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from casework.recall import services
from casework.recall.models import Recall, RecallStep
from casework.rules.recall_workflow import Actor, Refusal, State, Step
from tests import factories
from tests.recall.support import make_world, written_recall


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_spos_countersigning_at_once_exactly_one_succeeds(attempt):
    if connection.vendor != "postgresql":
        pytest.skip("engine-specific: row locks between two connections need a database server "
                    "(PostgreSQL in CI); the SQLite test database is in memory")
    w = make_world()
    spos = [w.spo, factories.SpoFactory(team=w.team)]
    recall = written_recall(w.case, w.sentence, State.RECOMMENDED,
                            people={Actor.PRACTITIONER: w.po, Actor.SPO: w.spo, Actor.ACO: w.head})
    # The recommendation was the practitioner's; the oversight step was w.spo's, which does not stop them.
    version = recall.version
    start = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def countersign(i: int) -> None:
        try:
            start.wait(timeout=10)
            outcomes[i] = services.countersign(recall=Recall.objects.get(pk=recall.pk), by=spos[i].user,
                                               expected_version=version, comment=f"SPO {i}", as_role=Actor.SPO)
        except Exception as exc:
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=countersign, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    won = [o for o in outcomes if isinstance(o, Recall)]
    lost = [o for o in outcomes if isinstance(o, services.StepRefused)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert lost[0].refusal is Refusal.ALREADY_DONE
    step = RecallStep.objects.get(recall=recall, step=Step.SPO_COUNTERSIGN)
    assert f"already been recorded by {step.by_name}" in lost[0].message
    recall.refresh_from_db()
    assert recall.state == State.SPO_COUNTERSIGNED and recall.version == version + 1
