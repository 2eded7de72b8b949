"""Oversight of safeguards for managers and those who check their work (issue 12, item 4).

For an SPO (the teams they manage), a head of PDU (their PDU's teams) and quality assurance or an
inspector (the teams their grant covers): per team and per practitioner, how many new cases started
in a period, the share of those cases' domestic abuse and safeguarding enquiries done by their due
date, the share of their required home visits done, and — now, across every case of the team — the
risk reviews overdue and the management oversight still outstanding.

Every figure is counted in the database, in one grouped query over the tasks of the cases the viewer
may see (``casework.safeguards.selectors.visible_tasks``): a restricted or excluded case never counts
and never appears in the list behind a figure. The list behind a figure (``measure_tasks``) uses the
very same filter as the count (``measure_filter``), so the two always agree.

What each measure means (docs/rules.md, "Safeguard oversight"):

- **New cases**: cases with a task created by their start (``trigger`` START) dated in the period.
- **Enquiries done by their due date**: of the start's domestic abuse (or safeguarding) enquiries of
  those cases whose outcome is known — done, or still open after their due date — the share done on
  or before the due date. Not required ones, and open ones not yet due, are left out.
- **Home visits done**: of the home visits those new cases required whose outcome is known (done, or
  open after the due date), the share done.
- **Risk reviews overdue**: open risk reviews past their due date (due today is not overdue).
- **Oversight outstanding**: open management oversight tasks, due or not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet

from casework.access.viewer import Viewer
from casework.access.visibility import oversight_team_scope
from casework.organisation.models import Team
from casework.record.models import Case
from casework.safeguards.choices import SafeguardCode, TaskStatus, TriggerCode
from casework.safeguards.models import SafeguardTask
from casework.safeguards.selectors import visible_tasks
from casework.workforce.models import Staff

PAGE_SIZE = 50
DEFAULT_MONTHS = 3


class Measure(StrEnum):
    """The figures of the oversight page; the value is what the list behind a figure takes in its address."""

    NEW_CASES = "new-cases"
    DOMESTIC_ABUSE = "domestic-abuse-enquiries"
    SAFEGUARDING = "safeguarding-enquiries"
    HOME_VISITS = "home-visits"
    RISK_REVIEWS_OVERDUE = "risk-reviews-overdue"
    OVERSIGHT_OUTSTANDING = "oversight-outstanding"

    @property
    def label(self) -> str:
        return MEASURE_LABELS[self]

    @property
    def is_share(self) -> bool:
        return self in SHARE_MEASURES


MEASURE_LABELS = {
    Measure.NEW_CASES: "New cases",
    Measure.DOMESTIC_ABUSE: "Domestic abuse enquiries done by their due date",
    Measure.SAFEGUARDING: "Safeguarding enquiries done by their due date",
    Measure.HOME_VISITS: "Required home visits done",
    Measure.RISK_REVIEWS_OVERDUE: "Risk reviews overdue",
    Measure.OVERSIGHT_OUTSTANDING: "Management oversight outstanding",
}
SHARE_MEASURES = (Measure.DOMESTIC_ABUSE, Measure.SAFEGUARDING, Measure.HOME_VISITS)
COUNT_MEASURES = (Measure.NEW_CASES, Measure.RISK_REVIEWS_OVERDUE, Measure.OVERSIGHT_OUTSTANDING)


# Pure arithmetic.


def percent(met: int, of: int) -> int | None:
    """``met`` out of ``of`` as a whole percentage, halves rounded up; None when there is nothing to
    count (no cases: "no cases", never 0% or 100%)."""
    if of <= 0:
        return None
    if not 0 <= met <= of:
        raise ValueError(f"{met} of {of} is not a share")
    return (200 * met + of) // (2 * of)


@dataclass(frozen=True)
class Share:
    met: int = 0
    of: int = 0

    @property
    def percent(self) -> int | None:
        return percent(self.met, self.of)

    def __add__(self, other: Share) -> Share:
        return Share(self.met + other.met, self.of + other.of)


@dataclass(frozen=True)
class Figures:
    """The six figures of one team, one practitioner or everyone shown."""

    new_cases: int = 0
    domestic_abuse: Share = Share()
    safeguarding: Share = Share()
    home_visits: Share = Share()
    risk_reviews_overdue: int = 0
    oversight_outstanding: int = 0

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            new_cases=self.new_cases + other.new_cases,
            domestic_abuse=self.domestic_abuse + other.domestic_abuse,
            safeguarding=self.safeguarding + other.safeguarding,
            home_visits=self.home_visits + other.home_visits,
            risk_reviews_overdue=self.risk_reviews_overdue + other.risk_reviews_overdue,
            oversight_outstanding=self.oversight_outstanding + other.oversight_outstanding,
        )

    def value(self, measure: Measure) -> int | Share:
        return getattr(self, _FIELD[measure])


_FIELD = {
    Measure.NEW_CASES: "new_cases",
    Measure.DOMESTIC_ABUSE: "domestic_abuse",
    Measure.SAFEGUARDING: "safeguarding",
    Measure.HOME_VISITS: "home_visits",
    Measure.RISK_REVIEWS_OVERDUE: "risk_reviews_overdue",
    Measure.OVERSIGHT_OUTSTANDING: "oversight_outstanding",
}


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months before ``day`` (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - every month has a 28th


@dataclass(frozen=True)
class Period:
    """New cases started from ``start`` to ``end``, both included."""

    start: dt.date
    end: dt.date

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("a period ends on or after its start")


def default_period(today: dt.date) -> Period:
    """The last three months up to and including ``today``."""
    return Period(months_before(today, DEFAULT_MONTHS) + dt.timedelta(days=1), today)


# Filters: one definition per measure, used by the counts and by the list behind each count.


def _started_in(period: Period) -> Q:
    return Q(trigger=TriggerCode.START, created_on__gte=period.start, created_on__lte=period.end)


def _known(today: dt.date) -> Q:
    """Tasks whose outcome is known: done, or still open after their due date."""
    return Q(status=TaskStatus.DONE) | Q(status=TaskStatus.OPEN, due__lt=today)


def _case_started_in(period: Period) -> Exists:
    """The task's case started in ``period``: a correlated test on the case's own START tasks (the
    unique index's leading ``case_id``), not a list of every new case in the country."""
    return Exists(SafeguardTask.objects.filter(_started_in(period), case_id=OuterRef("case_id")))


def measure_filter(measure: Measure, *, period: Period, today: dt.date) -> Q:
    """The tasks a measure counts (for a share: its "of"; ``met_filter`` narrows to its "met"). Apply it
    to tasks the viewer may see (``visible_tasks``)."""
    if measure is Measure.NEW_CASES:
        return _started_in(period)
    if measure in (Measure.DOMESTIC_ABUSE, Measure.SAFEGUARDING):
        safeguard = (SafeguardCode.DOMESTIC_ABUSE_ENQUIRY if measure is Measure.DOMESTIC_ABUSE
                     else SafeguardCode.SAFEGUARDING_ENQUIRY)
        return Q(safeguard=safeguard) & _started_in(period) & _known(today)
    if measure is Measure.HOME_VISITS:
        return Q(_case_started_in(period), safeguard=SafeguardCode.HOME_VISIT) & _known(today)
    if measure is Measure.RISK_REVIEWS_OVERDUE:
        return Q(safeguard=SafeguardCode.RISK_REVIEW, status=TaskStatus.OPEN, due__lt=today)
    if measure is Measure.OVERSIGHT_OUTSTANDING:
        return Q(safeguard=SafeguardCode.MANAGEMENT_OVERSIGHT, status=TaskStatus.OPEN)
    raise ValueError(measure)


def met_filter(measure: Measure) -> Q:
    """Of a share's tasks, those that count as met."""
    if measure is Measure.HOME_VISITS:
        return Q(status=TaskStatus.DONE)
    if measure in (Measure.DOMESTIC_ABUSE, Measure.SAFEGUARDING):
        return Q(status=TaskStatus.DONE, done_on__lte=F("due"))
    raise ValueError(f"{measure} is a count, not a share")


# Scope.


def oversight_teams(viewer: Viewer) -> list[Team]:
    """The teams whose figures ``viewer`` sees, by name: an SPO's managed teams, every team of a head of
    PDU's PDU, the teams a quality assurance or inspection grant covers."""
    return list(oversight_team_scope(viewer).select_related("pdu").order_by("name", "code"))


# The figures.


@dataclass(frozen=True)
class Row:
    """One line of the figures: a team, or a practitioner in a team (``staff_id`` None: no case manager)."""

    label: str
    team: Team
    staff_id: int | None
    figures: Figures
    is_team: bool = False


@dataclass(frozen=True)
class Oversight:
    period: Period
    today: dt.date
    teams: list[Row]
    practitioners: list[Row] = field(default_factory=list)
    team: Team | None = None

    @property
    def total(self) -> Figures:
        total = Figures()
        for row in self.teams:
            total += row.figures
        return total


def _figures_of(row: dict) -> Figures:
    return Figures(
        new_cases=row["new_cases"],
        domestic_abuse=Share(row["da_met"], row["da_of"]),
        safeguarding=Share(row["sg_met"], row["sg_of"]),
        home_visits=Share(row["hv_met"], row["hv_of"]),
        risk_reviews_overdue=row["rr_overdue"],
        oversight_outstanding=row["mo_outstanding"],
    )


def oversight(viewer: Viewer, *, period: Period, today: dt.date, teams: list[Team],
              team: Team | None = None) -> Oversight:
    """The figures of ``teams`` (from ``oversight_teams``) for ``viewer``, and of the practitioners of
    ``team`` when one is chosen: one grouped query, and one for the practitioners' names."""
    filters = {m: measure_filter(m, period=period, today=today) for m in Measure}
    grouped = (
        visible_tasks(viewer)
        .filter(case__team_id__in=[t.pk for t in teams])
        .filter(filters[Measure.NEW_CASES] | filters[Measure.HOME_VISITS] | filters[Measure.RISK_REVIEWS_OVERDUE]
                | filters[Measure.OVERSIGHT_OUTSTANDING])
        .values("case__team_id", "case__manager_id")
        .annotate(
            new_cases=Count("case_id", distinct=True, filter=filters[Measure.NEW_CASES]),
            da_of=Count("pk", filter=filters[Measure.DOMESTIC_ABUSE]),
            da_met=Count("pk", filter=filters[Measure.DOMESTIC_ABUSE] & met_filter(Measure.DOMESTIC_ABUSE)),
            sg_of=Count("pk", filter=filters[Measure.SAFEGUARDING]),
            sg_met=Count("pk", filter=filters[Measure.SAFEGUARDING] & met_filter(Measure.SAFEGUARDING)),
            hv_of=Count("pk", filter=filters[Measure.HOME_VISITS]),
            hv_met=Count("pk", filter=filters[Measure.HOME_VISITS] & met_filter(Measure.HOME_VISITS)),
            rr_overdue=Count("pk", filter=filters[Measure.RISK_REVIEWS_OVERDUE]),
            mo_outstanding=Count("pk", filter=filters[Measure.OVERSIGHT_OUTSTANDING]),
        )
        .order_by()
    )
    by_team: dict[int, Figures] = {t.pk: Figures() for t in teams}
    by_practitioner: dict[int | None, Figures] = {}
    for row in grouped:
        figures = _figures_of(row)
        by_team[row["case__team_id"]] += figures
        if team is not None and row["case__team_id"] == team.pk:
            by_practitioner[row["case__manager_id"]] = by_practitioner.get(row["case__manager_id"], Figures()) + figures
    team_rows = [Row(label=t.name, team=t, staff_id=None, figures=by_team[t.pk], is_team=True) for t in teams]
    practitioners: list[Row] = []
    if team is not None:
        names = {pk: f"{first} {last}" for pk, first, last in Staff.objects.filter(
            pk__in=[k for k in by_practitioner if k is not None]).values_list("pk", "first_name", "last_name")}
        practitioners = sorted(
            (Row(label=names.get(staff_id, "") if staff_id is not None else "No case manager", team=team,
                 staff_id=staff_id, figures=figures) for staff_id, figures in by_practitioner.items()),
            key=lambda r: (r.staff_id is None, r.label))
    return Oversight(period=period, today=today, teams=team_rows, practitioners=practitioners, team=team)


# The list behind a figure.

NO_CASE_MANAGER = 0  # the practitioner filter's value for cases with no case manager


def measure_tasks(viewer: Viewer, *, measure: Measure, period: Period, today: dt.date, teams: list[Team],
                  practitioner: int | None = None) -> QuerySet[SafeguardTask]:
    """The tasks behind one figure (for new cases: the cases' start tasks, which ``measure_page`` turns into
    one row per case), in ``teams``, of one practitioner when given (``NO_CASE_MANAGER``: none)."""
    qs = (visible_tasks(viewer)
          .filter(measure_filter(measure, period=period, today=today),
                  case__team_id__in=[t.pk for t in teams]))
    if practitioner == NO_CASE_MANAGER:
        qs = qs.filter(case__manager__isnull=True)
    elif practitioner is not None:
        qs = qs.filter(case__manager_id=practitioner)
    return qs


def measure_page(viewer: Viewer, *, measure: Measure, period: Period, today: dt.date, teams: list[Team],
                 practitioner: int | None = None, page: int = 1) -> Page:
    """One page of the list behind a figure: tasks (with their case, its team and case manager) for the
    task measures, cases (with team and case manager, and the start date as ``started_on``) for new cases."""
    tasks = measure_tasks(viewer, measure=measure, period=period, today=today, teams=teams,
                          practitioner=practitioner)
    if measure is Measure.NEW_CASES:
        started = Q(safeguard_tasks__trigger=TriggerCode.START, safeguard_tasks__created_on__gte=period.start,
                    safeguard_tasks__created_on__lte=period.end)
        cases = (Case.objects.filter(pk__in=tasks.values("case_id"))
                 .annotate(started_on=Min("safeguard_tasks__created_on", filter=started))
                 .select_related("team", "manager").order_by("started_on", "crn"))
        return Paginator(cases, PAGE_SIZE).get_page(page)
    rows = tasks.select_related("case", "case__team", "case__manager").order_by("due", "case__crn", "pk")
    return Paginator(rows, PAGE_SIZE).get_page(page)
