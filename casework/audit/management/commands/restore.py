"""``casework restore PATH [--force]``: restore a backup, checked before and after (casework.core.backup)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from casework.core.backup import BackupError, restore


class Command(BaseCommand):
    help = ("Restore the backup at PATH into the configured database. Refused, with the database left as it was, "
            "for a truncated or corrupt file, a backup from a newer schema, or a target that holds data (unless "
            "--force). Afterwards every table's row count and the audit hash chain are checked. Stop Casework first.")

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup file written by casework backup")
        parser.add_argument("--force", action="store_true", help="replace a database that holds data")

    def handle(self, *args, path: str, force: bool, **options):
        try:
            report = restore(path, force=force)
        except BackupError as exc:
            raise CommandError(str(exc), returncode=1) from None
        for line in report.lines():
            self.stdout.write(line)
        if not report.ok:
            raise CommandError("the restored database does not match the backup", returncode=1)
