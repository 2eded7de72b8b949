"""The audit log is a hash chain: each row's hash covers its content and the previous row's hash, so an
edited row, or a deleted or inserted one, is found by ``casework audit verify`` at the first broken link."""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import importlib
import itertools
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from casework.audit import chain
from casework.audit.context import client_ip, request_id
from casework.audit.models import AuditEvent
from casework.audit.services import AuditEntry, audit_record, audit_record_many
from tests import factories

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def tampering():
    """Raw SQL that changes the log: on PostgreSQL the append-only trigger is bypassed for the test's session."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        try:
            yield cursor
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = origin")


def write_log():
    po = factories.StaffFactory()
    case = factories.AllocatedCaseFactory(manager=po)
    ids = [audit_record(actor=po.user, action="test.one", obj=case, crn=case.crn, detail="first").pk]
    token, rid = client_ip.set("2001:db8::1"), request_id.set("req-1")
    try:
        ids.append(audit_record(actor=None, action="test.two", detail="ünïcode ✓",
                                before={"when": dt.date(2026, 1, 2), "n": 1.5, "hours": decimal.Decimal("37.0"),
                                        "floats": [1.0, 1e16, 1.5e-7, -0.25, 123456.789]},
                                after={"nested": {"b": [1, 2, {"z": None, "a": True}], "a": "x"}}).pk)
    finally:
        client_ip.reset(token)
        request_id.reset(rid)
    audit_record_many(actor=po.user, action="test.bulk", entries=[
        AuditEntry(obj=case, crn=case.crn, before={"tier": "B2"}, after={"tier": f"A{i}"}) for i in range(5)])
    ids += list(AuditEvent.objects.filter(action="test.bulk").order_by("id").values_list("id", flat=True))
    ids.append(audit_record(actor=po.user, action="test.last").pk)
    return ids


def test_each_row_is_chained_to_the_one_before_it():
    ids = write_log()
    rows = list(AuditEvent.objects.order_by("id").values("id", "prev_hash", "hash"))
    assert [r["id"] for r in rows][-len(ids):] == ids
    assert rows[0]["prev_hash"] == chain.GENESIS
    for before, after in itertools.pairwise(rows):
        assert after["prev_hash"] == before["hash"]
    assert all(len(r["hash"]) == 64 for r in rows)


def test_a_clean_log_verifies():
    write_log()
    result = chain.verify()
    assert result.intact and result.rows == AuditEvent.objects.count() == 8
    assert result.last_hash == AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    assert str(result) == "8 rows verified, chain intact"


def test_small_batches_verify_the_same():
    write_log()
    assert chain.verify(batch=2).rows == 8


def test_an_edited_row_is_found_at_that_row():
    ids = write_log()
    with tampering() as cursor:
        cursor.execute("UPDATE audit_auditevent SET detail = 'nothing happened' WHERE id = %s", [ids[3]])
    result = chain.verify(batch=3)
    assert not result.intact and result.broken.row_id == ids[3] and result.rows == 3
    assert "content was changed" in result.broken.problem


@pytest.mark.parametrize("column, value", [("before", '{"tier": "C3"}'), ("ip_address", "203.0.113.5"),
                                           ("request_id", "forged"), ("at", "2020-01-01 00:00:00")])
def test_every_hashed_field_is_covered(column, value):
    ids = write_log()
    with tampering() as cursor:
        cursor.execute(f"UPDATE audit_auditevent SET {column} = %s WHERE id = %s", [value, ids[4]])  # noqa: S608
    assert chain.verify().broken.row_id == ids[4]


def test_an_edit_that_also_rewrites_the_hash_is_found_at_the_next_row():
    ids = write_log()
    with tampering() as cursor:
        cursor.execute("UPDATE audit_auditevent SET detail = 'x', hash = %s WHERE id = %s", ["f" * 64, ids[2]])
    broken = chain.verify().broken
    assert broken.row_id in (ids[2], ids[3])


def test_a_deleted_row_is_found_at_the_next_row():
    ids = write_log()
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [ids[5]])
    result = chain.verify()
    assert result.broken.row_id == ids[6] and "deleted" in result.broken.problem


def test_deleting_the_first_row_is_found_at_the_second():
    ids = write_log()
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [ids[0]])
    assert chain.verify().broken.row_id == ids[1]


def test_the_command_reports_the_first_broken_link_with_exit_status_1(capsys):
    ids = write_log()
    call_command("audit_verify")
    assert "8 rows verified, chain intact" in capsys.readouterr().out
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [ids[1]])
    with pytest.raises(CommandError, match=f"audit chain broken at row {ids[2]}: a row before it was deleted") as exc:
        call_command("audit_verify")
    assert exc.value.returncode == 1


def test_an_empty_log_verifies():
    assert str(chain.verify()) == "0 rows verified, chain intact"


def test_rows_created_directly_join_the_chain():
    write_log()
    AuditEvent.objects.create(actor_label="x", action="test.direct")
    assert chain.verify().rows == 9


def test_the_migration_seals_rows_written_before_the_chain():
    ids = write_log()
    with tampering() as cursor:
        cursor.execute("UPDATE audit_auditevent SET prev_hash = '', hash = ''")
    assert not chain.verify().intact
    migration = importlib.import_module("casework.audit.migrations.0005_chain_existing_rows")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Check the deferred foreign keys of the rows just written, as a commit would: ALTER TABLE (the
            # migration disables the append-only trigger) refuses a table with checks still pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        editor = SimpleNamespace(connection=connection, execute=lambda sql, params=None: cursor.execute(sql, params))
        migration.backfill(apps, editor)
    result = chain.verify()
    assert result.intact and result.rows == len(ids)
    audit_record(actor=None, action="test.after")
    assert chain.verify().rows == len(ids) + 1
