"""Two SPOs allocating the same case at the same moment, in two threads with their own connections:
exactly one wins, the other is told who allocated it, and the record holds one assignment.

In tests/concurrency/ (after tests/browser/) because it is a transactional test: pytest-django runs those
after the others in path order, and the database flush after it would empty the reference data the
browser tests copy when they start."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from casework.allocation import services
from casework.allocation.models import AllocationDecision
from casework.record.models import Assignment, Case
from tests import factories


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_spos_allocating_one_case_at_once_exactly_one_wins(attempt):
    if connection.vendor != "postgresql":
        pytest.skip("engine-specific: row locks between two connections need a database server "
                    "(PostgreSQL in CI); the SQLite test database is in memory")
    team = factories.TeamFactory()
    spos = [factories.SpoFactory(team=team), factories.SpoFactory(team=team)]
    officers = [factories.StaffFactory(team=team), factories.StaffFactory(team=team)]
    case = factories.TeamCaseFactory(team=team)
    factories.CommunityOrderFactory(case=case)
    version = case.version
    start = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def allocate(i: int) -> None:
        try:
            start.wait(timeout=10)
            outcomes[i] = services.case_allocate(case=Case.objects.get(pk=case.pk), staff_id=officers[i].pk,
                                                 by=spos[i].user, expected_version=version)
        except Exception as exc:
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=allocate, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    won = [o for o in outcomes if isinstance(o, AllocationDecision)]
    lost = [o for o in outcomes if isinstance(o, services.AlreadyAllocatedError)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    winner = won[0]
    assert f"already been allocated to {winner.staff.name} by {winner.decided_by.name}" in lost[0].message
    case.refresh_from_db()
    assert case.manager_id == winner.staff_id and case.version == version + 1
    assert Assignment.objects.filter(case=case).count() == 1
    assert AllocationDecision.objects.filter(case=case).count() == 1
