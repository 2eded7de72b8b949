"""``casework backup PATH``: a consistent backup of the whole database (casework.core.backup)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from casework.core.backup import VENDOR_NAMES, BackupError, backup


class Command(BaseCommand):
    help = ("Back up the database to PATH: SQLite with its online backup API, PostgreSQL with pg_dump; one file "
            "with a manifest (schema, row counts, the audit log's last hash, a checksum).")

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup file to write (replaced if it exists)")

    def handle(self, *args, path: str, **options):
        try:
            manifest = backup(path)
        except BackupError as exc:
            raise CommandError(str(exc), returncode=1) from None
        tables = manifest["tables"]
        self.stdout.write(
            f"Backed up {VENDOR_NAMES[manifest['vendor']]} to {path} in {manifest['seconds']:.1f} s: "
            f"{len(tables)} tables, {sum(tables.values()):,} rows, {manifest['audit']['rows']:,} audit rows, "
            f"{manifest['payload']['bytes'] / 1e6:,.1f} MB.")
