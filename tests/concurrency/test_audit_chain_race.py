"""Two threads, each with its own connection, writing audit rows at the same moment (single rows and bulk,
each write in its own transaction): the hash chain stays one unbroken line, because every writer takes the
chain's advisory lock before reading the last hash (casework.audit.chain).

In tests/concurrency/ (after tests/browser/) because it is a transactional test; see test_allocation_race.py."""

from __future__ import annotations

import itertools
import threading

import pytest
from django.db import connection, connections, transaction

from casework.audit import chain
from casework.audit.models import AuditEvent
from casework.audit.services import AuditEntry, audit_record, audit_record_many

WRITES = 40


@pytest.mark.django_db(transaction=True)
def test_two_writers_at_once_keep_the_chain_intact():
    if connection.vendor != "postgresql":
        pytest.skip("engine-specific: two connections writing at once need a database server (PostgreSQL in CI); "
                    "SQLite serialises every write transaction")
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def write(i: int) -> None:
        try:
            start.wait(timeout=10)
            for n in range(WRITES):
                with transaction.atomic():
                    if n % 4 == 3:
                        audit_record_many(actor=None, action=f"race.bulk.{i}", entries=[
                            AuditEntry(obj=None, before=None, after={"n": n, "k": k}) for k in range(3)])
                    else:
                        audit_record(actor=None, action=f"race.one.{i}", detail=str(n))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    per_thread = WRITES // 4 * 3 + WRITES * 3 // 4
    assert AuditEvent.objects.count() == 2 * per_thread
    result = chain.verify()
    assert result.intact, str(result)
    assert result.rows == 2 * per_thread
    # The two writers really did interleave (otherwise the test proves nothing about the lock).
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    switches = sum(1 for a, b in itertools.pairwise(actions) if a[-1] != b[-1])
    assert switches > 1
