"""The reminder email of ``casework remind`` (sent by ``casework.safeguards.services.reminders_send``).

The email names no one: it gives each case's CRN, the safeguard, its due date and a link, so personal
details stay inside Casework.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

REMINDER_WORKING_DAYS = 5


@dataclass
class ReminderRun:
    sent: list[str] = field(default_factory=list)  # staff codes emailed
    already_sent: list[str] = field(default_factory=list)
    no_email: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _lines(tasks, today: dt.date) -> list[dict]:
    return [{"crn": t.case.crn, "safeguard": t.get_safeguard_display(), "due": _day(t.due),
             "overdue": t.due < today,
             "url": settings.SITE_URL + reverse("safeguard-task", args=[t.case.crn, t.pk])} for t in tasks]


def reminder_message(staff, tasks, today: dt.date) -> EmailMessage:
    """The email for ``staff`` listing ``tasks`` (overdue first, then due soon)."""
    lines = _lines(tasks, today)
    overdue = [line for line in lines if line["overdue"]]
    soon = [line for line in lines if not line["overdue"]]
    parts = []
    if overdue:
        parts.append(f"{len(overdue)} overdue")
    if soon:
        parts.append(f"{len(soon)} due in the next {REMINDER_WORKING_DAYS} working days")
    subject = f"Casework: safeguard tasks – {' and '.join(parts)}"
    body = render_to_string("web/safeguards/reminder_email.txt", {
        "staff": staff, "overdue": overdue, "soon": soon, "today": _day(today), "days": REMINDER_WORKING_DAYS,
        "tasks_url": settings.SITE_URL + reverse("tasks")})
    return EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[staff.email])
