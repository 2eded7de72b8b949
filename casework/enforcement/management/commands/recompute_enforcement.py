"""``casework manage recompute_enforcement [--pdu CODE] [--workers N]``: bring every sentence's enforcement
signals in step with the policy in force (after a change of the stored enforcement policy, and nightly so a
decision falls due as the days pass), writing only the signals that changed."""

from __future__ import annotations

import os
import time

from django.core.management.base import BaseCommand, CommandError

from casework.enforcement.services import signals_recompute_all
from casework.organisation.models import Pdu


class Command(BaseCommand):
    help = ("Recompute every sentence's enforcement signals with the policy in force; writes and audits only the "
            "signals that changed.")

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
        result = signals_recompute_all(trigger="enforcement policy changed" if not pdu else f"{pdu} policy changed",
                                       pdu_id=pdu_id, workers=max(1, workers))
        self.stdout.write(f"{result.created} signals raised, {result.updated} updated, {result.closed} closed by "
                          f"what answered them ({time.monotonic() - started:.1f}s)")
