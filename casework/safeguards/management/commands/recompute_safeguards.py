"""``casework manage recompute_safeguards [--pdu CODE]``: bring every case's safeguard tasks in step with the
policy in force (after a change of the stored safeguard schedule), writing only the tasks that changed."""

from __future__ import annotations

import os
import time

from django.core.management.base import BaseCommand, CommandError

from casework.organisation.models import Pdu
from casework.safeguards.services import tasks_recompute_all


class Command(BaseCommand):
    help = ("Recompute every case's safeguard tasks with the policy in force (after a policy change); "
            "writes and audits only the tasks that changed.")

    def add_arguments(self, parser):
        parser.add_argument("--pdu", help="only the cases of this PDU (its code)")
        parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                            help="processes sharing the work (default: one per core; 1 for none)")

    def handle(self, *args, pdu: str | None = None, workers: int = 1, **options):
        pdu_id = None
        if pdu:
            found = Pdu.objects.filter(code=pdu).first()
            if found is None:
                raise CommandError(f"There is no PDU with the code {pdu}")
            pdu_id = found.pk
        started = time.monotonic()
        result = tasks_recompute_all(trigger="safeguard policy changed" if not pdu else f"{pdu} policy changed",
                                     pdu_id=pdu_id, workers=max(1, workers))
        self.stdout.write(f"{result.created} tasks created, {result.updated} rescheduled, {result.closed} closed "
                          f"by other work ({time.monotonic() - started:.1f}s)")
