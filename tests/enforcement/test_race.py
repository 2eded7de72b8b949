"""Two people recording a decision on the same signal at the same moment, in two threads with their own
connections: exactly one decision is kept, the other is refused with nothing written."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from casework.core.errors import ConcurrentEditError, DomainValidationError
from casework.enforcement import services
from casework.enforcement.models import EnforcementDecision, EnforcementSignal
from casework.record.models import Case
from tests import factories
from tests.enforcement.conftest import appointment


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_decisions_on_one_signal_at_once_exactly_one_is_kept(attempt):
    if connection.vendor != "postgresql":
        pytest.skip("engine-specific: row locks between two connections need a database server "
                    "(PostgreSQL in CI); the SQLite test database is in memory")
    team = factories.TeamFactory()
    po, spo = factories.StaffFactory(team=team), factories.SpoFactory(team=team)
    case = factories.AllocatedCaseFactory(manager=po)
    today = timezone.localdate()
    start = today - dt.timedelta(days=100)
    factories.LicenceFactory(case=case, sentence_date=start, start_date=start, release_date=start,
                             licence_expiry_date=today + dt.timedelta(days=300))
    appointment(case, today - dt.timedelta(days=3), "UNACCEPTABLE_ABSENCE")
    services.signals_recompute(case=case, trigger="test")
    signal = EnforcementSignal.objects.get(case=case)
    people = [po, spo]
    kinds = ["WARNING", "INCREASED_REPORTING"]
    begin = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def decide(i: int) -> None:
        try:
            begin.wait(timeout=10)
            fresh = Case.objects.get(pk=case.pk)
            outcomes[i] = services.decision_record(
                case=fresh, sentence=fresh.sentences.get(), by=people[i].user, kind=kinds[i], decided_on=today,
                rationale=f"Decision {i}", signal=EnforcementSignal.objects.get(pk=signal.pk),
                expected_version=signal.version)
        except Exception as exc:
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    won = [o for o in outcomes if isinstance(o, EnforcementDecision)]
    lost = [o for o in outcomes if isinstance(o, (DomainValidationError, ConcurrentEditError))]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert list(EnforcementDecision.objects.values_list("pk", flat=True)) == [won[0].pk]
    signal.refresh_from_db()
    assert (signal.status, signal.decision_id) == ("DECIDED", won[0].pk)
