"""The same contact form sent twice at the same moment (a double click), in two threads with their own
connections: one contact is recorded, and the other request is answered with it.

In tests/concurrency/ (after tests/browser/) because it is a transactional test: see
test_allocation_race.py."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.record import services
from casework.record.models import Case, Contact, SubmissionKey
from tests import factories


def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("engine-specific: two writers at once need a database server (PostgreSQL in CI); the "
                    "SQLite test database is in memory and takes its write lock at BEGIN anyway")


def _at_once(work) -> list[object]:
    start = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def run(i: int) -> None:
        try:
            start.wait(timeout=10)
            outcomes[i] = work(i)
        except Exception as exc:
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_the_service_with_one_key_twice_at_once_records_one_contact(attempt):
    _postgresql_only()
    po = factories.StaffFactory()
    case = factories.AllocatedCaseFactory(manager=po)
    key = uuid.uuid4()
    starts_at = timezone.now()

    def record(i: int):
        return services.contact_record(case=Case.objects.get(pk=case.pk), by=po.user, kind="CASE_NOTE",
                                       starts_at=starts_at, notes="Double click", submission_key=key)

    outcomes = _at_once(record)
    recorded = [o for o in outcomes if isinstance(o, Contact)]
    duplicates = [o for o in outcomes if isinstance(o, services.DuplicateSubmissionError)]
    assert len(recorded) == 1 and len(duplicates) == 1, outcomes
    assert duplicates[0].contact == recorded[0]
    assert Contact.objects.filter(case=case).count() == 1
    assert AuditEvent.objects.filter(action="contact.record").count() == 1
    assert SubmissionKey.objects.get(key=key).contact == recorded[0]


@pytest.mark.django_db(transaction=True)
def test_two_identical_posts_at_once_record_one_contact():
    _postgresql_only()
    po = factories.StaffFactory()
    case = factories.AllocatedCaseFactory(manager=po)
    url = reverse("contact-new", args=[case.crn])
    data = {"kind": "CASE_NOTE", "date_0": "2", "date_1": "3", "date_2": "2026", "time": "14:30",
            "notes": "Double click", "submission_key": str(uuid.uuid4())}
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(po.user)

    outcomes = _at_once(lambda i: clients[i].post(url, data))
    assert [getattr(o, "status_code", o) for o in outcomes] == [302, 302]
    assert {o.url for o in outcomes} == {reverse("case-contacts", args=[case.crn])}
    assert Contact.objects.filter(case=case).count() == 1
