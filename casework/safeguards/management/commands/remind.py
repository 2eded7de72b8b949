"""``casework remind``: email practitioners their overdue and soon-due safeguard tasks (safe from cron)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from casework.safeguards.reminders import REMINDER_WORKING_DAYS
from casework.safeguards.services import reminders_send


class Command(BaseCommand):
    help = (f"Email each practitioner their overdue safeguard tasks and those due in the next "
            f"{REMINDER_WORKING_DAYS} working days; at most once a day per person, so safe to run from cron.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="say who would be emailed; send nothing")
        parser.add_argument("--date", help="the day to remind for, YYYY-MM-DD (default: today)")

    def handle(self, *args, dry_run: bool = False, date: str | None = None, **options):
        try:
            today = dt.date.fromisoformat(date) if date else None
        except ValueError:
            raise CommandError("--date must be a date in the form YYYY-MM-DD") from None
        run = reminders_send(today=today, dry_run=dry_run)
        verb = "Would email" if dry_run else "Emailed"
        self.stdout.write(f"{verb} {len(run.sent)} {'person' if len(run.sent) == 1 else 'people'}"
                          f"; already reminded today: {len(run.already_sent)}"
                          f"; no email address: {len(run.no_email)}; failed: {len(run.failed)}")
        if run.no_email:
            self.stdout.write(f"No email address for staff: {', '.join(run.no_email)}")
        if run.failed:
            raise CommandError(f"Could not send to staff: {', '.join(run.failed)}; run again to retry")
