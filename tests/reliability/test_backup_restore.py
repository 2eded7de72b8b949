"""``casework backup`` and ``casework restore``: a round trip gives every table's rows and the audit log back,
end to end; a truncated file, a backup from a newer schema and a target holding data (without --force) are
refused with one line and the target left as it was.

The backups are taken of the test database and restored into databases of their own: new SQLite files, or
on PostgreSQL a database created for the test. A backup sees only committed data, so these are transactional
tests (in tests/reliability/, which sorts after tests/browser/), with ``serialized_rollback`` so the reference
data the migrations seed is there again after the flush of an earlier transactional test."""

from __future__ import annotations

import hashlib
import json
import tarfile
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from casework.audit import chain
from casework.audit.models import AuditEvent
from casework.audit.services import AuditEntry, audit_record, audit_record_many
from casework.core import backup as backups
from casework.record.services import tier_recalculate_many
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def reference_data(transactional_db, seeded_data) -> None:
    """The migrations' reference data back before each test: a transactional test before this one (the browser
    tests, say) may have emptied the database, and serialized rollback's own copy can be missing (see
    tests/browser/conftest.py)."""
    from django.db import connection

    connection.creation.deserialize_db_from_string(seeded_data)



def make_data() -> None:
    team = factories.TeamFactory()
    po = factories.StaffFactory(team=team)
    cases = [factories.AllocatedCaseFactory(manager=po) for _ in range(4)]
    for case in cases:
        factories.CommunityOrderFactory(case=case)
        factories.AppointmentFactory(case=case)
        factories.RegistrationFactory(case=case)
        factories.RiskAssessmentFactory(case=case)
        audit_record(actor=po.user, action="test.seen", obj=case, crn=case.crn, after={"ok": True, "n": 1.25})
    tier_recalculate_many(case_ids=[c.pk for c in cases], as_of=factories.dt.date(2026, 11, 27), trigger="test")
    audit_record_many(actor=po.user, action="test.bulk",
                      entries=[AuditEntry(obj=c, crn=c.crn, before={"x": 1}, after={"x": 2}) for c in cases])


def audit_rows(alias: str) -> list[tuple]:
    fields = ("id", *chain.CHAINED_FIELDS, "prev_hash", "hash")
    return list(AuditEvent.objects.using(alias).order_by("id").values_list(*fields))


def file_digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


@pytest.fixture
def sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("engine-specific: SQLite's backup; PostgreSQL's round trip is test_postgresql_round_trip")


@pytest.fixture
def taken(sqlite, tmp_path) -> Path:
    make_data()
    path = tmp_path / "casework.backup"
    backups.backup(path)
    return path


def test_sqlite_round_trip_gives_every_row_back(taken, tmp_path):
    manifest = backups.read_manifest(taken)
    assert manifest["vendor"] == "sqlite" and manifest["tables"] == backups.table_counts("default")
    assert manifest["audit"] == {"rows": AuditEvent.objects.count(), "last_hash": chain.verify().last_hash}
    assert manifest["migrations"]["audit"] == "0005_chain_existing_rows"
    target = tmp_path / "restored" / "casework.sqlite3"
    with backups.attached(str(target)) as alias:
        report = backups.restore(taken, using=alias)
        assert report.ok and report.tables == len(manifest["tables"]) and not report.older_schema
        assert report.audit.rows == AuditEvent.objects.count() > 10
        assert backups.table_counts(alias) == backups.table_counts("default")
        assert audit_rows(alias) == audit_rows("default")
        assert chain.verify(using=alias).intact
    lines = report.lines()
    assert lines[1].startswith(f"Row counts: all {len(manifest['tables'])} tables match the backup")
    assert lines[2] == f"Audit log: {report.audit.rows} rows verified, chain intact."


def test_a_truncated_backup_is_refused_and_the_target_untouched(taken, tmp_path):
    truncated = tmp_path / "truncated.backup"
    truncated.write_bytes(taken.read_bytes()[: taken.stat().st_size // 2])
    target = tmp_path / "target.sqlite3"
    with backups.attached(str(target)) as alias:
        backups.restore(taken, using=alias)
        connections[alias].close()
        before = file_digest(target)
        with pytest.raises(backups.BackupError, match=r"truncated\.backup is truncated or corrupt .*nothing was "
                                                      r"restored"):
            backups.restore(truncated, using=alias, force=True)
    assert file_digest(target) == before
    assert not list(tmp_path.glob(".casework-restore-*"))


def test_a_corrupted_backup_is_refused_by_its_checksum(taken, tmp_path):
    data = bytearray(taken.read_bytes())
    data[len(data) // 2] ^= 0xFF
    corrupt = tmp_path / "corrupt.backup"
    corrupt.write_bytes(bytes(data))
    target = tmp_path / "fresh.sqlite3"
    with backups.attached(str(target)) as alias, pytest.raises(backups.BackupError, match="SHA-256 does not match"):
        backups.restore(corrupt, using=alias)
    assert not target.exists() or not backups_has_tables(target)


def backups_has_tables(path: Path) -> bool:
    with backups.attached(str(path)) as alias:
        return backups.has_tables(alias)


def test_a_target_holding_data_needs_force(taken, tmp_path):
    target = tmp_path / "target.sqlite3"
    with backups.attached(str(target)) as alias:
        backups.restore(taken, using=alias)
        connections[alias].close()
        before = file_digest(target)
        with pytest.raises(backups.BackupError, match=r"^the target database holds data \(1 rows in account_user, "
                                                      r"4 rows in record_case, .* add --force to do so$"):
            backups.restore(taken, using=alias)
        assert file_digest(target) == before
        assert backups.restore(taken, using=alias, force=True).ok


def rewrite(path: Path, into: Path, change) -> Path:
    """The backup at ``path`` with its manifest changed by ``change`` (the payload as it was)."""
    with tarfile.open(path) as tar:
        manifest = json.loads(tar.extractfile(backups.MANIFEST).read())
        tar.extract(manifest["payload"]["name"], into, filter="data")
    change(manifest)
    out = into / "changed.backup"
    backups._write_archive(out, manifest, into / manifest["payload"]["name"])
    return out


def test_a_backup_from_a_newer_schema_is_refused(taken, tmp_path):
    newer = rewrite(taken, tmp_path, lambda m: m["applied_migrations"].append(["audit", "0099_from_the_future"]))
    target = tmp_path / "target.sqlite3"
    with backups.attached(str(target)) as alias, pytest.raises(
            backups.BackupError, match=r"was taken from a newer version of Casework \(its schema has migrations this "
                                       r"code does not know: audit\.0099_from_the_future\); upgrade Casework"):
        backups.restore(newer, using=alias)
    assert not target.exists()
    with pytest.raises(CommandError, match="newer version of Casework") as exc:
        call_command("restore", str(newer))
    assert exc.value.returncode == 1


def test_a_backup_from_an_older_schema_restores_and_says_to_migrate(taken, tmp_path):
    older = rewrite(taken, tmp_path, lambda m: m["applied_migrations"].remove(["audit", "0005_chain_existing_rows"]))
    with backups.attached(str(tmp_path / "t.sqlite3")) as alias:
        report = backups.restore(older, using=alias)
    assert report.older_schema and report.lines()[-1].startswith("The backup's schema is older")


def test_a_restored_copy_that_does_not_match_its_manifest_is_not_swapped_in(taken, tmp_path):
    wrong = rewrite(taken, tmp_path, lambda m: m["tables"].update(record_case=m["tables"]["record_case"] + 1))
    target = tmp_path / "target.sqlite3"
    with backups.attached(str(target)) as alias, pytest.raises(backups.BackupError, match=r"record_case: 4 rows, "
                                                                                          r"backup had 5"):
        backups.restore(wrong, using=alias)
    assert not target.exists()


def test_a_file_that_is_not_a_backup_is_refused(sqlite, tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    with pytest.raises(backups.BackupError, match="truncated or corrupt"):
        backups.read_manifest(other)
    with pytest.raises(backups.BackupError, match="does not exist"):
        backups.read_manifest(tmp_path / "missing.backup")


def test_the_backup_command_writes_a_backup(sqlite, tmp_path, capsys):
    make_data()
    call_command("backup", str(tmp_path / "b.backup"))
    assert capsys.readouterr().out.startswith(f"Backed up SQLite to {tmp_path / 'b.backup'} in ")
    assert backups.read_manifest(tmp_path / "b.backup")["audit"]["rows"] == AuditEvent.objects.count()


def test_postgresql_round_trip(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("engine-specific: pg_dump and pg_restore (PostgreSQL in CI)")
    make_data()
    path = tmp_path / "casework.backup"
    manifest = backups.backup(path)
    assert manifest["vendor"] == "postgresql" and manifest["tables"] == backups.table_counts("default")
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:6]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        with backups.attached({**connection.settings_dict, "NAME": name}) as alias:
            report = backups.restore(path, using=alias)
            assert report.ok, report.lines()
            assert backups.table_counts(alias) == backups.table_counts("default")
            assert audit_rows(alias) == audit_rows("default")
            # Holding data now: a second restore needs --force, and with it replaces everything.
            with pytest.raises(backups.BackupError, match="holds data"):
                backups.restore(path, using=alias)
            assert backups.restore(path, using=alias, force=True).ok
            assert audit_rows(alias) == audit_rows("default")
            connections[alias].close()
        # A truncated file is refused before anything is touched.
        truncated = tmp_path / "truncated.backup"
        truncated.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
        with pytest.raises(backups.BackupError, match="truncated or corrupt"):
            backups.restore(truncated, force=True)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
