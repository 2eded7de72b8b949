"""Backing up and restoring the whole database, SQLite or PostgreSQL (``casework backup`` / ``restore``).

A backup is one uncompressed tar file holding ``manifest.json`` first and then the payload:

- SQLite: ``database.sqlite3``, a copy of the live database made with SQLite's online backup API
  (consistent while the application keeps writing), switched to a rollback journal so it is one file.
- PostgreSQL: ``database.pgdump``, ``pg_dump --format=custom`` of an exported snapshot; the row counts
  and audit facts in the manifest are read in that same snapshot, so they describe exactly the dump.

The manifest says what the payload is (format version, database vendor, created at), its size and
SHA-256, the migrations applied (all, and the latest per app), every table's row count, and the audit
log's row count and last hash.

Restore checks everything it can before touching the target, and refuses with one line, leaving the
target as it was, when the file is not a Casework backup, is truncated or corrupt (the payload's
checksum, and for SQLite ``PRAGMA integrity_check``), was taken from a schema newer than this code (a
migration this code does not know), is of the other database vendor, or the target holds data and
``force`` is not given. SQLite restores into a temporary file next to the target, checks it (integrity,
every table's row count against the manifest, the audit hash chain end to end) and only then replaces
the target atomically. PostgreSQL restores with ``pg_restore --single-transaction --exit-on-error`` (a
failed restore rolls back) and then checks the same. Stop the application before restoring: the target
is replaced underneath any process that has it open.

Everything takes a Django database alias; ``attached(url)`` gives a temporary alias for any database
URL or path, so the functions can be used (and tested) against databases other than the configured one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.utils import load_backend

from casework.audit import chain

FORMAT = "casework-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PAYLOAD = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# A target with rows in any of these holds data: restoring over it needs --force.
HOLDS_DATA = ("account_user", "record_case", "audit_auditevent")
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore refused or failed; the message is one line, fit to show as it is."""


# --- Databases by alias ---------------------------------------------------------------------------------


def database_settings(url_or_path: str) -> dict[str, Any]:
    """A complete Django database settings dict for a database URL, or a path to an SQLite file."""
    import environ

    if "://" not in url_or_path:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(Path(url_or_path).resolve())}
    else:
        config = environ.Env.db_url_config(url_or_path)
    config.setdefault("OPTIONS", {})
    for key, default in (("ATOMIC_REQUESTS", False), ("AUTOCOMMIT", True), ("CONN_MAX_AGE", 0),
                         ("CONN_HEALTH_CHECKS", False), ("TIME_ZONE", None), ("USER", ""), ("PASSWORD", ""),
                         ("HOST", ""), ("PORT", "")):
        config.setdefault(key, default)
    config.setdefault("TEST", {"CHARSET": None, "COLLATION": None, "MIGRATE": True, "MIRROR": None, "NAME": None})
    return config


@contextlib.contextmanager
def attached(url_or_settings: str | dict[str, Any]) -> Iterator[str]:
    """A temporary Django database alias for a database URL, an SQLite path or a settings dict.

    The connection is made here and known only to this thread (it is not added to ``DATABASES``).
    """
    config = database_settings(url_or_settings) if isinstance(url_or_settings, str) else dict(url_or_settings)
    alias = f"casework_backup_{uuid.uuid4().hex[:12]}"
    setattr(connections._connections, alias, load_backend(config["ENGINE"]).DatabaseWrapper(config, alias))
    try:
        yield alias
    finally:
        getattr(connections._connections, alias).close()
        delattr(connections._connections, alias)


def _sqlite_path(alias: str) -> Path:
    name = str(connections[alias].settings_dict["NAME"])
    if not name or name == ":memory:" or (name.startswith("file:") and "mode=memory" in name):
        raise BackupError("restoring SQLite needs a database file, not an in-memory database")
    return Path(name)


def _vendor(alias: str) -> str:
    vendor = connections[alias].vendor
    if vendor not in PAYLOAD:
        raise BackupError(f"backup and restore support SQLite and PostgreSQL, not {vendor}")
    return vendor


# --- What a database holds ------------------------------------------------------------------------------


def _quote(alias: str, name: str) -> str:
    return connections[alias].ops.quote_name(name)


def table_counts(alias: str) -> dict[str, int]:
    """Every table's row count (one ``COUNT(*)`` each)."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        names = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for name in names:
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(alias, name)}")  # noqa: S608 (introspected names)
            counts[name] = cursor.fetchone()[0]
    return counts


def applied_migrations(alias: str) -> list[list[str]]:
    connection = connections[alias]
    with connection.cursor() as cursor:
        if "django_migrations" not in connection.introspection.table_names(cursor):
            return []
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        return [[app, name] for app, name in cursor.fetchall()]


def chained(alias: str) -> bool:
    """Whether the database's audit log has the hash chain (audit migration 0004 and later)."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        if "audit_auditevent" not in connection.introspection.table_names(cursor):
            return False
        columns = connection.introspection.get_table_description(cursor, "audit_auditevent")
    return any(column.name == "hash" for column in columns)


def audit_facts(alias: str) -> dict[str, Any]:
    connection = connections[alias]
    with connection.cursor() as cursor:
        if "audit_auditevent" not in connection.introspection.table_names(cursor):
            return {"rows": 0, "last_hash": None}
        cursor.execute("SELECT COUNT(*) FROM audit_auditevent")
        rows = cursor.fetchone()[0]
        last = None
        if chained(alias):
            cursor.execute("SELECT hash FROM audit_auditevent ORDER BY id DESC LIMIT 1")
            last = cursor.fetchone()
    return {"rows": rows, "last_hash": last[0] if last else None}


def facts(alias: str) -> dict[str, Any]:
    """The manifest's description of a database: migrations, row counts, the audit log's end."""
    applied = applied_migrations(alias)
    latest: dict[str, str] = {}
    for app, name in applied:
        latest[app] = max(latest.get(app, name), name)
    return {"migrations": latest, "applied_migrations": applied, "tables": table_counts(alias),
            "audit": audit_facts(alias)}


def holds_data(alias: str) -> dict[str, int]:
    """The rows in ``HOLDS_DATA`` tables (only those with any): empty means safe to restore over."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
        found = {}
        for name in HOLDS_DATA:
            if name in present:
                cursor.execute(f"SELECT COUNT(*) FROM {_quote(alias, name)}")  # noqa: S608 (introspected names)
                if count := cursor.fetchone()[0]:
                    found[name] = count
    return found


def has_tables(alias: str) -> bool:
    connection = connections[alias]
    with connection.cursor() as cursor:
        return bool(connection.introspection.table_names(cursor))


# --- The archive ----------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _write_archive(path: Path, manifest: dict[str, Any], payload: Path) -> None:
    partial = path.with_name(path.name + ".partial")
    data = json.dumps(manifest, indent=2, sort_keys=True).encode()
    with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
        tar.addfile(info, io.BytesIO(data))
        tar.add(payload, arcname=payload.name, recursive=False)
    os.chmod(partial, 0o600)
    os.replace(partial, path)


def _corrupt(path: Path, why: str) -> BackupError:
    return BackupError(f"{path} is truncated or corrupt ({why}); nothing was restored")


def read_manifest(path: str | Path) -> dict[str, Any]:
    """The manifest of a backup file, checked to be one this code can read."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} does not exist")
    try:
        with tarfile.open(path, "r:") as tar:
            member = tar.next()
            if member is None or member.name != MANIFEST:
                raise BackupError(f"{path} is not a Casework backup (it has no {MANIFEST} first)")
            manifest = json.loads(tar.extractfile(member).read())
    except BackupError:
        raise
    except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
        raise _corrupt(path, f"cannot read its manifest: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a Casework backup")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{path} is a version {manifest.get('format_version')} backup; this Casework reads "
                          f"version {FORMAT_VERSION}")
    return manifest


def _extract_payload(path: Path, manifest: dict[str, Any], into: Path) -> Path:
    """Copy the payload out of the backup into ``into``, checking its size and SHA-256 on the way."""
    expected = manifest["payload"]
    target = into / expected["name"]
    digest, size = hashlib.sha256(), 0
    try:
        with tarfile.open(path, "r:") as tar:
            member = next((m for m in tar if m.name == expected["name"]), None)
            if member is None:
                raise _corrupt(path, f"{expected['name']} is missing")
            source = tar.extractfile(member)
            with target.open("wb") as out:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
    except BackupError:
        raise
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise _corrupt(path, str(exc)) from None
    if size != expected["bytes"]:
        raise _corrupt(path, f"the database is {size:,} bytes, the manifest says {expected['bytes']:,}")
    if digest.hexdigest() != expected["sha256"]:
        raise _corrupt(path, "the database's SHA-256 does not match the manifest")
    return target


# --- Schema ----------------------------------------------------------------------------------------------


def known_migrations() -> set[tuple[str, str]]:
    """Every migration this code knows, including those a squashed migration replaces."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update(tuple(r) for r in migration.replaces)
    return known


def newer_migrations(manifest: dict[str, Any]) -> list[str]:
    known = known_migrations()
    return [f"{app}.{name}" for app, name in manifest["applied_migrations"] if (app, name) not in known]


def older_than_code(manifest: dict[str, Any]) -> bool:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    applied = {tuple(m) for m in manifest["applied_migrations"]}
    return any(key not in applied for key in loader.disk_migrations)


# --- Backup ----------------------------------------------------------------------------------------------


def backup(path: str | Path, using: str = "default") -> dict[str, Any]:
    """Write a backup of database ``using`` to ``path``; returns its manifest."""
    path = Path(path).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    vendor = _vendor(using)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".casework-backup-") as tmp:
        payload = Path(tmp) / PAYLOAD[vendor]
        if vendor == "sqlite":
            _sqlite_copy(using, payload)
            with attached(str(payload)) as alias:
                described = facts(alias)
        else:
            described = _pg_dump(using, payload)
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION, "vendor": vendor,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            **described,
            "payload": {"name": payload.name, "bytes": payload.stat().st_size, "sha256": _sha256(payload)},
        }
        _write_archive(path, manifest, payload)
    manifest["seconds"] = round(time.monotonic() - started, 2)
    return manifest


def _sqlite_copy(using: str, target: Path) -> None:
    connection = connections[using]
    if connection.in_atomic_block:
        raise BackupError("back up outside a transaction: the copy must see only committed data")
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)
        # One self-contained file, whatever the live database's journal mode.
        destination.execute("PRAGMA journal_mode=DELETE")
    finally:
        destination.close()


def _pg_args(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args, env = [], dict(os.environ)
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            args += [flag, str(settings_dict[key])]
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    args += ["--dbname", str(settings_dict["NAME"])]
    return args, env


def _pg_tool(tool: str, using: str) -> str:
    """The tool's path, refused if it is missing or older than the server."""
    found = shutil.which(tool)
    if found is None:
        raise BackupError(f"{tool} is not installed (PostgreSQL client tools are needed to back up and restore)")
    version = subprocess.run([found, "--version"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    match = re.search(r"(\d+)(?:\.(\d+))?", version)
    connection = connections[using]
    connection.ensure_connection()
    server = connection.pg_version // 10000
    if match is None or int(match.group(1)) < server:
        raise BackupError(f"{tool} is version {version.strip()}; the server is PostgreSQL {server}: install "
                          f"the client tools of version {server} or later")
    return found


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603 (our own arguments)
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        raise BackupError(f"{what} failed: {lines[0] if lines else f'exit status {result.returncode}'}")


def _pg_dump(using: str, payload: Path) -> dict[str, Any]:
    """Dump in a snapshot exported from a repeatable-read transaction, and describe that same snapshot."""
    tool = _pg_tool("pg_dump", using)
    connection = connections[using]
    if connection.in_atomic_block:
        raise BackupError("back up outside a transaction")
    args, env = _pg_args(connection.settings_dict)
    from django.db import transaction

    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        described = facts(using)
        _run([tool, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
              f"--file={payload}", *args], env, "pg_dump")
    return described


# --- Restore ---------------------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    manifest: dict[str, Any]
    tables: int = 0
    rows: int = 0
    mismatches: list[str] = field(default_factory=list)
    audit: chain.Verification | None = None
    seconds: float = 0.0
    older_schema: bool = False

    @property
    def ok(self) -> bool:
        return not self.mismatches and (self.audit is None or self.audit.intact)

    def lines(self) -> list[str]:
        out = [f"Restored the {VENDOR_NAMES[self.manifest['vendor']]} backup taken at "
               f"{self.manifest['created_at']} in {self.seconds:.1f} s."]
        if self.mismatches:
            out.append(f"Row counts: {len(self.mismatches)} of {self.tables} tables differ from the backup: "
                       + "; ".join(self.mismatches[:10]))
        else:
            out.append(f"Row counts: all {self.tables} tables match the backup ({self.rows:,} rows).")
        if self.audit is None:
            out.append("Audit log: taken before the audit hash chain existed; `casework migrate` seals it.")
        else:
            out.append(f"Audit log: {self.audit}.")
            if self.audit.intact and self.audit.last_hash != (self.manifest["audit"]["last_hash"] or chain.GENESIS):
                out.append("Audit log: its last hash is not the one the backup recorded.")
        if self.older_schema:
            out.append("The backup's schema is older than this code: run `casework migrate` next.")
        return out


def _check(alias: str, manifest: dict[str, Any], report: RestoreReport) -> None:
    counts = table_counts(alias)
    report.tables, report.rows = len(manifest["tables"]), sum(manifest["tables"].values())
    report.mismatches = [f"{name}: {counts.get(name, 'missing')} rows, backup had {expected}"
                         for name, expected in sorted(manifest["tables"].items()) if counts.get(name) != expected]
    if not chained(alias):  # a backup from before the hash chain: its rows are sealed by `casework migrate`
        report.audit = None
        return
    report.audit = chain.verify(using=alias)
    last = manifest["audit"]["last_hash"] or chain.GENESIS
    if report.audit.intact and (report.audit.rows != manifest["audit"]["rows"] or report.audit.last_hash != last):
        report.mismatches.append(f"audit log: {report.audit.rows} rows ending {report.audit.last_hash[:12]}…, "
                                 f"backup had {manifest['audit']['rows']} ending {last[:12]}…")


def restore(path: str | Path, using: str = "default", *, force: bool = False) -> RestoreReport:
    """Restore the backup at ``path`` into database ``using``; see the module's docstring for the checks."""
    started = time.monotonic()
    path = Path(path).resolve()
    manifest = read_manifest(path)
    vendor = _vendor(using)
    if manifest["vendor"] != vendor:
        raise BackupError(f"{path} is a backup of a {VENDOR_NAMES.get(manifest['vendor'], manifest['vendor'])} "
                          f"database; this Casework uses {VENDOR_NAMES[vendor]}")
    if newer := newer_migrations(manifest):
        shown = ", ".join(newer[:3]) + (f" and {len(newer) - 3} more" if len(newer) > 3 else "")
        raise BackupError(f"{path} was taken from a newer version of Casework (its schema has migrations this code "
                          f"does not know: {shown}); upgrade Casework before restoring it")
    report = RestoreReport(manifest=manifest, older_schema=older_than_code(manifest))
    if vendor == "sqlite":
        _restore_sqlite(path, using, manifest, force, report)
    else:
        _restore_pg(path, using, manifest, force, report)
    report.seconds = time.monotonic() - started
    return report


def _refuse_if_holding_data(using: str, force: bool) -> None:
    if force:
        return
    if found := holds_data(using):
        shown = ", ".join(f"{count:,} rows in {name}" for name, count in found.items())
        raise BackupError(f"the target database holds data ({shown}); restoring would replace it: "
                          "add --force to do so")


def _restore_sqlite(path: Path, using: str, manifest: dict[str, Any], force: bool, report: RestoreReport) -> None:
    target = _sqlite_path(using)
    if target.exists():
        _refuse_if_holding_data(using, force)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".casework-restore-") as tmp:
        restored = _extract_payload(path, manifest, Path(tmp))
        check = sqlite3.connect(restored)
        try:
            result = [row[0] for row in check.execute("PRAGMA integrity_check").fetchmany(3)]
        except sqlite3.DatabaseError as exc:
            result = [str(exc)]
        finally:
            check.close()
        if result != ["ok"]:
            raise _corrupt(path, f"SQLite integrity check: {'; '.join(result)}")
        with attached(str(restored)) as alias:
            _check(alias, manifest, report)
        if not report.ok:
            raise BackupError(f"the restored copy does not match the backup ({'; '.join(report.lines()[1:])}); "
                              "the target database was left as it was")
        connections[using].close()
        if target.exists():
            # Fold any committed write-ahead log into the old file first, so no stale log outlives it.
            old = sqlite3.connect(target)
            try:
                old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                old.close()
        os.replace(restored, target)
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)


def _restore_pg(path: Path, using: str, manifest: dict[str, Any], force: bool, report: RestoreReport) -> None:
    tool = _pg_tool("pg_restore", using)
    _refuse_if_holding_data(using, force)
    replace = has_tables(using)
    connection = connections[using]
    args, env = _pg_args(connection.settings_dict)
    with tempfile.TemporaryDirectory(prefix=".casework-restore-", dir=path.parent) as tmp:
        dump = _extract_payload(path, manifest, Path(tmp))
        listing = subprocess.run([tool, "--list", str(dump)], capture_output=True, text=True)  # noqa: S603
        if listing.returncode != 0:
            raise _corrupt(path, f"pg_restore cannot read it: {listing.stderr.strip().splitlines()[0]}")
        connection.close()
        command = [tool, "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges",
                   *(["--clean", "--if-exists"] if replace else []), *args, str(dump)]
        _run(command, env, "pg_restore (the target database was left as it was)")
    _check(using, manifest, report)
