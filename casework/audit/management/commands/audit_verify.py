"""``casework audit verify``: walk the audit log's hash chain and report the first broken link."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from casework.audit import chain


class Command(BaseCommand):
    help = ("Recompute every audit row's hash in id order (in batches, constant memory) and report the first "
            "broken link: a row whose content was changed, or the row after one deleted or inserted. Exit "
            "status 1 if the chain is broken.")

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=chain.VERIFY_BATCH, help="rows read per query")

    def handle(self, *args, batch: int, **options):
        started = time.monotonic()
        result = chain.verify(batch=batch)
        if not result.intact:
            raise CommandError(str(result), returncode=1)
        self.stdout.write(f"{result} ({time.monotonic() - started:.1f} s)")
