"""Contacts: the appointments, calls, notes and sessions of each case, from sentence to a few weeks ahead.

Appointments follow the national standard's rhythm (weekly for twelve weeks, then by risk), by
video or with the prison while in custody; past ones have outcomes and notes, future ones are
booked and empty. Notes say what the person is actually under: a community order has
requirements, a licence conditions.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Value
from django.db.models.functions import Least

from casework.demo import catalogue
from casework.demo.draw import Part, Setting, days
from casework.demo.scale import HIGH, MEDIUM, VERY_HIGH
from casework.record.choices import AbsenceReason, ContactKind, ContactOutcome, Gender, SentenceStatus
from casework.record.models import Case, Sentence
from casework.rules.calendar import working_day_on_or_after
from casework.workforce.models import Staff

if TYPE_CHECKING:
    from casework.demo.allocation import Period
    from casework.demo.generator import Chunk
    from casework.demo.organisation import StaffPlan
    from casework.demo.people import Profile
    from casework.demo.sentences import Supervision

ABSENCE_REASONS = ((AbsenceReason.MEDICAL, 45), (AbsenceReason.EMPLOYMENT, 20), (AbsenceReason.FAMILY, 15),
                   (AbsenceReason.COURT, 5), (AbsenceReason.HOLIDAY, 5), (AbsenceReason.RELIGIOUS, 2),
                   (AbsenceReason.PROFESSIONAL_JUDGEMENT, 8))


@dataclass(slots=True)
class ContactRow:
    """A contact before it is written (the case and sentence get their ids on write)."""

    case: Case
    sentence: Sentence | None
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    staff: Staff | None
    location: str = ""
    outcome: str = ""
    absence_reason: str = ""
    notes: str = ""
    sensitive: bool = False



def recorded_at(row: ContactRow, now: dt.datetime) -> dt.datetime:
    """When a generated contact was recorded (``Contact.created_at``): when it happened, or now if booked ahead."""
    return min(row.starts_at, now)


def recorded_at_sql(now: dt.datetime) -> Least:
    """``recorded_at`` as SQL over written contacts (for writers whose inserts set ``created_at`` themselves)."""
    return Least("starts_at", Value(now))


class Contacts(Part):
    """Draws the contacts of one case; keeps the few facts that span cases (outcomes left to record, the heavy case)."""

    def __init__(self, setting: Setting):
        super().__init__(setting)
        self.outstanding_by_login: Counter[str] = Counter()
        self.heavy_case: Case | None = None

    def contacts(self, out: Chunk, case: Case, person: Profile, supervision: Supervision, periods: list[Period],
                  manager, pdu_place, region_place, team) -> None:
        rng, today = self.rng, self.today
        sentence = supervision.sentence
        rows: list[ContactRow] = []
        if not periods:
            # Waiting for allocation: the court's paperwork has arrived and nothing else yet.
            rows.append(ContactRow(case, sentence, ContactKind.CASE_NOTE,
                                   self.at(max(supervision.start, today - days(2)), 9, 30), None, None,
                                   notes="Case received from court; awaiting allocation."))
            out.contacts.extend(rows)
            return
        town = pdu_place.towns[0].name
        prison_list = catalogue.WOMENS_PRISONS if person.gender == Gender.FEMALE else region_place.prisons
        prison = rng.choice(prison_list)
        spo = self.org.spo.get(team.code) if team else None
        high = person.rosh in (HIGH, VERY_HIGH)
        safeguarding = bool(person.domestic or person.child)

        for day, in_custody in self._schedule(person, supervision):
            period = next((p for p in periods if p.start <= day and (p.end is None or day < p.end)), None)
            if period is None:
                continue
            staff = period.staff.staff
            if in_custody:
                kind = self.pick(((ContactKind.VIDEO, 40), (ContactKind.THIRD_PARTY, 40), (ContactKind.CASE_NOTE, 20)))
                starts = self.at(day, rng.choice((10, 11, 14, 15)), 0)
                future = starts >= self.now
                if kind == ContactKind.VIDEO:
                    rows.append(ContactRow(case, sentence, kind, starts, starts + dt.timedelta(minutes=30), staff,
                                           location=prison, outcome="" if future else ContactOutcome.ATTENDED_COMPLIED,
                                           notes="" if future else rng.choice(catalogue.CUSTODY_NOTES)))
                elif not future:
                    rows.append(ContactRow(case, sentence, kind, starts, None, staff,
                                           notes=rng.choice(catalogue.CUSTODY_NOTES if kind == ContactKind.CASE_NOTE
                                                            else catalogue.PRISON_LIAISON_NOTES)))
                continue
            kind = self.pick(((ContactKind.OFFICE_APPOINTMENT, 72), (ContactKind.PHONE, 10), (ContactKind.VIDEO, 4),
                              (ContactKind.HOME_VISIT, 14 if high or safeguarding else 7)))
            hour, minute = divmod(rng.randrange(9 * 60, 16 * 60 + 1, 30), 60)
            starts = self.at(day, hour, minute)
            future = starts >= self.now
            length = {ContactKind.OFFICE_APPOINTMENT: 45, ContactKind.HOME_VISIT: 60, ContactKind.PHONE: 15,
                      ContactKind.VIDEO: 30}[kind]
            location = {ContactKind.OFFICE_APPOINTMENT: f"{town} probation office",
                        ContactKind.HOME_VISIT: "Home address"}.get(kind, "")
            row = ContactRow(case, sentence, kind, starts, starts + dt.timedelta(minutes=length), staff,
                             location=location)
            if not future:
                self._outcome(row, person)
            rows.append(row)
            if future:
                continue
            if rng.random() < 0.15:
                rows.append(ContactRow(case, sentence, ContactKind.EMAIL_OR_TEXT, starts - dt.timedelta(days=1), None,
                                       None, notes=catalogue.REMINDER_NOTE))
            if rng.random() < 0.35:
                self._note(rows, case, sentence, ContactKind.CASE_NOTE, starts + dt.timedelta(hours=2), staff,
                           catalogue.CASE_NOTES)
            if rng.random() < (0.30 if safeguarding or high else 0.15):
                self._note(rows, case, sentence, ContactKind.THIRD_PARTY,
                           starts + dt.timedelta(days=rng.randint(1, 3), hours=1), staff, catalogue.THIRD_PARTY_NOTES)
            if spo and rng.random() < (0.12 if high else 0.03):
                self._note(rows, case, sentence, ContactKind.MANAGEMENT_OVERSIGHT, starts + dt.timedelta(days=2),
                           spo.staff, catalogue.OVERSIGHT_NOTES)

        if not supervision.in_custody_now:
            self._sessions(rows, case, person, sentence, supervision.unpaid_work, ContactKind.UNPAID_WORK_SESSION,
                           catalogue.UPW_PROJECTS)
            self._sessions(rows, case, person, sentence, supervision.programme, ContactKind.PROGRAMME_SESSION,
                           (f"{town} programmes hub: {supervision.programme_name}",))
        if manager and rng.random() < self._outstanding_share(manager):
            self._leave_without_outcome(rows, manager.staff)
        if self.scale.heavy_case_contacts and self.heavy_case is None and manager is self.org.logins.get("po"):
            self.heavy_case = case
            self._make_heavy(rows, case, sentence, manager.staff)
        out.contacts.extend(rows)

    def _make_heavy(self, rows: list[ContactRow], case: Case, sentence: Sentence, staff: Staff) -> None:
        """Bring one case to exactly ``heavy_case_contacts`` contacts with notes and calls over the window."""
        rng, wanted = self.rng, self.scale.heavy_case_contacts
        span = max((self.today - self.window_start).days, 1)
        while len(rows) < wanted:
            day = working_day_on_or_after(self.window_start + days(rng.uniform(0, span - 3)))
            starts = self.at(day, rng.randint(9, 16), rng.choice((0, 15, 30, 45)))
            if rng.random() < 0.5:
                rows.append(ContactRow(case, sentence, ContactKind.PHONE, starts, starts + dt.timedelta(minutes=15),
                                       staff, outcome=ContactOutcome.ATTENDED_COMPLIED,
                                       notes=rng.choice(catalogue.PHONE_NOTES)))
            else:
                rows.append(ContactRow(case, sentence, ContactKind.CASE_NOTE, starts, None, staff,
                                       notes=rng.choice(catalogue.CASE_NOTES)))
        del rows[wanted:]

    def _outstanding_share(self, manager: StaffPlan) -> float:
        """Demo logins that hold cases always have a couple of outcomes to record."""
        if manager.login in ("po", "pso", "pqip") and self.outstanding_by_login[manager.login] < 2:
            return 1.0
        return self.scale.outstanding_outcome_share

    def _leave_without_outcome(self, rows: list[ContactRow], staff: Staff) -> None:
        """The manager's latest past appointment in the last fortnight, not yet given an outcome."""
        cutoff = self.now - dt.timedelta(days=14)
        for row in reversed(rows):
            if (row.staff is staff and row.outcome and cutoff <= row.starts_at < self.now
                    and ContactKind(row.kind).is_appointment):
                row.outcome, row.absence_reason, row.notes = "", "", ""
                for login, plan in self.org.logins.items():
                    if plan.staff is staff:
                        self.outstanding_by_login[login] += 1
                return

    def _schedule(self, person: Profile, supervision: Supervision):
        """Appointment days from sentence to the horizon, denser early on and for higher risk."""
        rng = self.rng
        release = supervision.release
        custody_until = release if person.custody else None
        if person.status == SentenceStatus.PRE_RELEASE and release is None:
            custody_until = dt.date.max
        day = supervision.start
        if custody_until:
            while day < min(custody_until, self.horizon):
                if day >= self.window_start:
                    yield working_day_on_or_after(day), True
                day += days(rng.uniform(21, 35) * self.scale.contact_spacing)
            if custody_until >= self.horizon:
                return
            day = custody_until
        phase_start = day
        while day <= self.horizon:
            if day >= self.window_start:
                yield working_day_on_or_after(day), False
            since = (day - phase_start).days
            if since < 84:
                gap = 7  # weekly for the first twelve weeks
            elif person.rosh in (HIGH, VERY_HIGH):
                gap = 7 if since < 182 else 14
            elif person.rosh == MEDIUM:
                gap = 14
            else:
                gap = 14 if since < 182 else 28
            day += days((gap + rng.choice((-1, 0, 0, 1))) * self.scale.contact_spacing)

    def _outcome(self, row: ContactRow, person: Profile) -> None:
        rng = self.rng
        roll = rng.random()
        unacceptable = 0.12 if person.chaotic else 0.035
        failed = 0.03 if person.chaotic else 0.008
        if roll < unacceptable:
            row.outcome, row.notes = ContactOutcome.UNACCEPTABLE_ABSENCE, rng.choice(catalogue.UNACCEPTABLE_NOTES)
        elif roll < unacceptable + failed:
            row.outcome, row.notes = ContactOutcome.ATTENDED_FAILED_TO_COMPLY, rng.choice(catalogue.FAILED_NOTES)
        elif roll < unacceptable + failed + 0.06:
            reason = self.pick(ABSENCE_REASONS)
            row.outcome, row.absence_reason = ContactOutcome.ACCEPTABLE_ABSENCE, reason
            row.notes = catalogue.ACCEPTABLE_NOTES[reason]
        elif roll < unacceptable + failed + 0.085:
            row.outcome, row.notes = ContactOutcome.RESCHEDULED, "Rescheduled at the person's request."
        else:
            row.outcome = ContactOutcome.ATTENDED_COMPLIED
            row.notes = rng.choice(catalogue.HOME_VISIT_NOTES if row.kind == ContactKind.HOME_VISIT
                                   else catalogue.PHONE_NOTES if row.kind == ContactKind.PHONE
                                   else catalogue.APPOINTMENT_NOTES[person.status])

    def _note(self, rows, case, sentence, kind, at: dt.datetime, staff, texts) -> None:
        """A note written after an appointment (dropped if that would be in the future); a few are sensitive."""
        sensitive = kind != ContactKind.MANAGEMENT_OVERSIGHT and self.rng.random() < self.scale.sensitive_share
        if at >= self.now:
            return
        rows.append(ContactRow(case, sentence, kind, at, None, staff, sensitive=sensitive,
                               notes=self.rng.choice(catalogue.SENSITIVE_NOTES if sensitive else texts)))

    def _sessions(self, rows, case, person: Profile, sentence, session_days: list[dt.date], kind, locations) -> None:
        """Unpaid work or programme sessions, run by staff outside the case manager's team."""
        rng = self.rng
        for day in session_days:
            if day < self.window_start or day > self.horizon:
                continue
            upw = kind == ContactKind.UNPAID_WORK_SESSION
            starts = self.at(day, 8 if upw else 10, 30 if upw else 0)
            row = ContactRow(case, sentence, kind, starts, starts + dt.timedelta(hours=7 if upw else 2.5), None,
                             location=rng.choice(locations))
            if day < self.today:
                self._outcome(row, person)
                if upw and row.outcome == ContactOutcome.ATTENDED_FAILED_TO_COMPLY and rng.random() < 0.5:
                    row.outcome, row.notes = ContactOutcome.SENT_HOME, "Sent home by the supervisor for poor behaviour."
                elif row.outcome == ContactOutcome.ATTENDED_COMPLIED:
                    row.notes = "Completed the session." if upw else "Attended and participated in the group session."
            rows.append(row)
