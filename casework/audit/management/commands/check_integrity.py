"""``casework check-integrity``: check the record's invariants (casework.core.integrity)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from casework.core.integrity import CHECKS, check_all


class Command(BaseCommand):
    help = ("Check the record's invariants (one current case manager per case, every stored tier reproducible "
            "from its inputs, no record without its case, …), print each violation and a summary; exit status 1 "
            "if any.")

    def handle(self, *args, **options):
        run = check_all(lambda violation: self.stdout.write(str(violation)))
        for name in run.violations:
            self.stdout.write(f"  {name}: {run.violations[name]:,} violations ({run.seconds[name]:.1f} s)")
        for line in run.notes.lines:
            self.stdout.write(f"  {line}")
        if run.total:
            raise CommandError(f"{run.total:,} violations of the record's invariants", returncode=1)
        self.stdout.write(f"{len(CHECKS)} checks, no violations.")
