"""``casework snapshot-workload``: keep this week's workload of every practitioner (safe from cron)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from casework.workforce.services import workload_snapshot_take


class Command(BaseCommand):
    help = ("Record this week's points, available points and capacity of every practitioner in post, one "
            "snapshot each per week; run again in the same week, it updates in place only the snapshots whose "
            "figures changed, so it is safe to run from cron (daily or weekly).")

    def handle(self, *args, **options):
        run = workload_snapshot_take()
        self.stdout.write(f"Workload snapshots for the week beginning {run.week_start.day} "
                          f"{run.week_start:%B %Y}: {run.created:,} new, {run.updated:,} updated, "
                          f"{run.unchanged:,} unchanged")
