"""``casework demo``: build the demo world once, and print its logins."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from casework.demo.builder import build_world
from casework.demo.decisions import allocate_in_teams
from casework.demo.logins import print_logins
from casework.demo.quality import build_exercises
from casework.demo.scale import DEMO_SCALES
from casework.demo.summary import summary_lines
from casework.demo.world import world_exists

REFUSED = ("Demo data is never loaded in production: DEMO_MODE is off in these settings. "
           "Use casework.settings.local (or set CASEWORK_DEMO=true) on a development machine.")


# Teams in which the SPO makes two allocations through the allocation service once the world is built.
DECISION_TEAMS = 20


class Command(BaseCommand):
    help = "Build the demo world (organisation, staff, people on probation, their records) and print the logins."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true",
                            help="delete all case, staff and organisation data and build the world again")
        parser.add_argument("--logins-only", action="store_true", help="only print the demo logins")
        parser.add_argument("--scale", choices=sorted(DEMO_SCALES), default="demo",
                            help="how big a world to build (default: demo, about 2,000 people)")

    def handle(self, *args, reset: bool, logins_only: bool, scale: str, **options):
        if not settings.DEMO_MODE:
            raise CommandError(REFUSED)
        if logins_only:
            print_logins(self.stdout)
            return
        if world_exists() and not reset:
            self.stdout.write("Demo data already loaded (run with --reset to delete it and build it again).")
            print_logins(self.stdout)
            return
        chosen = DEMO_SCALES[scale]
        self.stdout.write(f"Building the {chosen.name} world ({chosen.people:,} people, seed {chosen.seed}):")
        started = time.monotonic()
        report = build_world(scale=chosen, reset=reset, log=self.stdout.write)
        allocate_in_teams(today=report.today, teams=DECISION_TEAMS, seed=chosen.seed, log=self.stdout.write)
        build_exercises(today=report.today, seed=chosen.seed, log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Built in {time.monotonic() - started:.1f}s."))
        for line in summary_lines(report.today):
            self.stdout.write(line)
        print_logins(self.stdout)
