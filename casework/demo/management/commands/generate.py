"""``casework generate --scale national|region|demo``: the benchmark dataset, seeded and fast."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from casework.demo.decisions import allocate_in_teams
from casework.demo.management.commands.demo import REFUSED
from casework.demo.national import build_world_fast, national_lines
from casework.demo.quality import build_exercises
from casework.demo.scale import GENERATE_SCALES
from casework.demo.summary import summary_lines
from casework.demo.world import world_exists
from casework.record.models import Case

# Teams in which the SPO makes two allocations through the allocation service once the world is built.
DECISION_TEAMS = 100


class Command(BaseCommand):
    help = ("Generate a seeded world at national, regional, demo or small scale (scale.md shapes) with fast bulk "
            "writes; reuses the world already loaded if it is the same size.")

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(GENERATE_SCALES), default="national",
                            help="national (245,000 people, 5,000,000 contacts), region (a twelfth), demo or small")
        parser.add_argument("--reset", action="store_true", help="delete the loaded world and generate it again")
        parser.add_argument("--no-progress", action="store_true", help="no progress bars")
        parser.add_argument("--no-summary", action="store_true", help="skip the distributions summary")

    def handle(self, *args, scale: str, reset: bool, no_progress: bool, no_summary: bool, **options):
        if not settings.DEMO_MODE:
            raise CommandError(REFUSED)
        chosen = GENERATE_SCALES[scale]
        if world_exists() and not reset:
            people = Case.objects.count()
            if people != chosen.people:
                raise CommandError(f"A world of {people:,} people is already loaded, not the {chosen.name} "
                                   f"scale ({chosen.people:,}); run with --reset to replace it.")
            self.stdout.write(f"The {chosen.name} world is already loaded ({people:,} people): reusing it.")
            return
        self.stdout.write(f"Generating the {chosen.name} world ({chosen.people:,} people, seed {chosen.seed}) "
                          f"into {connection.vendor} {connection.settings_dict['NAME']}:")
        started = time.monotonic()
        report = build_world_fast(scale=chosen, reset=reset, log=self.stdout.write, progress=not no_progress)
        allocate_in_teams(today=report.today, teams=DECISION_TEAMS, seed=chosen.seed, log=self.stdout.write)
        build_exercises(today=report.today, seed=chosen.seed, log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Generated in {time.monotonic() - started:.1f}s."))
        if not no_summary:
            for line in [*summary_lines(report.today), *national_lines(chosen)]:
                self.stdout.write(line)
