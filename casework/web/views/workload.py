"""Workload (rules.md §2): each practitioner's points, available points and capacity, live, for an SPO's
teams or a head of PDU's PDU, drawn as a bar chart with the same figures in a table; and one
practitioner's weekly history, reductions and court reports."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from casework.access.policy import Perm, requires
from casework.access.services import restricted_cases_listed
from casework.access.visibility import workforce_teams
from casework.rules import workload as engine
from casework.web.forms import GovukFormMixin
from casework.workforce.models import Grade
from casework.workforce.workload import WeekReading
from casework.workforce.workload_pages import PractitionerRow, practitioner_detail, practitioner_get, team_workloads

#: Weeks of snapshots shown on a practitioner's page (chart and table).
HISTORY_WEEKS = 16
#: Weeks back the trend compares the latest snapshot with.
TREND_WEEKS = 4

# Bar chart geometry, in SVG user units: names, the bars (scaled to SCALE_MAX at most), then the figure in words.
CHART_WIDTH = 900
LABEL_WIDTH = 220
BAR_SPACE = 400
ROW_HEIGHT = 30
BAR_HEIGHT = 18
TOP = 26  # room for the 100% and 110% labels
SCALE_MIN, SCALE_MAX = 120, 200  # percent at the right-hand end of the bars: at least 120, at most 200

BLUE, ORANGE, RED, BLACK, GREY = "#1d70b8", "#f47738", "#d4351c", "#0b0c0c", "#505a5f"


def capacity_text(percent: Decimal | None) -> str:
    """A capacity as people read it, the same in the chart and the table."""
    return "No capacity" if percent is None else f"{percent:.1f}%"


def marker_text(percent: Decimal | None) -> str:
    """What a capacity means, in words (colour never carries it alone)."""
    if engine.is_excessive(percent):
        return "over 110%"
    if engine.is_over_capacity(percent):
        return "over 100%"
    return ""


def _fill(percent: Decimal | None) -> str:
    return RED if engine.is_excessive(percent) else ORANGE if engine.is_over_capacity(percent) else BLUE


def _scale(values: list[Decimal | None]) -> int:
    largest = max([v for v in values if v is not None] or [Decimal(0)])
    return max(SCALE_MIN, min(SCALE_MAX, math.ceil(largest / 10) * 10))


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    y: int
    text_y: int
    width: int
    value_x: int
    fill: str
    label_x: int = LABEL_WIDTH - 8


@dataclass(frozen=True)
class Marker:
    x: int
    label: str
    anchor: str  # where the label sits against the line: "end" (left of it) or "start"

    @property
    def dx(self) -> int:
        return -3 if self.anchor == "end" else 3


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    description: str
    height: int
    bars: list[Bar]
    markers: list[Marker]
    width: int = CHART_WIDTH
    label_width: int = LABEL_WIDTH
    axis_x: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT
    top: int = TOP
    line_top: int = TOP - 6


def _x(percent: Decimal, scale: int, start: int, space: int) -> int:
    return start + round(space * min(percent, Decimal(scale)) / scale)


def capacity_chart(rows: list[PractitionerRow], where: str) -> BarChart:
    """One horizontal bar per practitioner: their capacity against lines at 100% and 110%, the figure and
    what it means written beside each bar."""
    scale = _scale([r.figures.capacity_percent for r in rows])
    bars = []
    for i, row in enumerate(rows):
        percent = row.figures.capacity_percent
        y = TOP + i * ROW_HEIGHT
        width = 0 if percent is None else _x(percent, scale, 0, BAR_SPACE)
        words = " – ".join(t for t in (capacity_text(percent), marker_text(percent),
                                       "sustained" if row.run.sustained else "") if t)
        name = row.staff.name if len(row.staff.name) <= 28 else row.staff.name[:27] + "…"
        bars.append(Bar(label=name, value_text=words, y=y, text_y=y + BAR_HEIGHT - 4, width=width,
                        value_x=LABEL_WIDTH + width + 8, fill=_fill(percent)))
    markers = [Marker(_x(Decimal(100), scale, LABEL_WIDTH, BAR_SPACE), "100%", "end"),
               Marker(_x(Decimal(110), scale, LABEL_WIDTH, BAR_SPACE), "110%", "start")]
    description = (f"Bar chart of each practitioner's capacity in {where}, with lines at 100% and 110%. "
                   + "; ".join(f"{row.staff.name}: {bar.value_text}" for row, bar in zip(rows, bars, strict=True))
                   + ". The same figures are in the table below.")
    return BarChart(id="chart-capacity", title="Capacity by practitioner", description=description,
                    height=TOP + ROW_HEIGHT * max(len(rows), 1) + 4, bars=bars, markers=markers)


# The history chart: one vertical bar a week.
HISTORY_WIDTH = 800
HISTORY_LEFT = 56
HISTORY_TOP = 24
HISTORY_PLOT = 200
HISTORY_HEIGHT = HISTORY_TOP + HISTORY_PLOT + 44


@dataclass(frozen=True)
class Column:
    week_text: str
    value_text: str
    x: int
    width: int
    y: int
    height: int
    label_x: int
    fill: str


@dataclass(frozen=True)
class Level:
    y: int
    label: str


@dataclass(frozen=True)
class HistoryChart:
    id: str
    title: str
    description: str
    columns: list[Column]
    levels: list[Level]
    width: int = HISTORY_WIDTH
    height: int = HISTORY_HEIGHT
    left: int = HISTORY_LEFT
    base_y: int = HISTORY_TOP + HISTORY_PLOT
    week_y: int = HISTORY_TOP + HISTORY_PLOT + 18


def week_text(reading: WeekReading) -> str:
    return f"{reading.week_start.day} {reading.week_start:%b}"


def history_chart(name: str, history: list[WeekReading]) -> HistoryChart:
    """One column a week: the snapshot's capacity against lines at 100% and 110% ("none" where no
    snapshot was taken, "no capacity" where there were no available points)."""
    scale = _scale([r.capacity_percent for r in history])
    slot = (HISTORY_WIDTH - HISTORY_LEFT) // max(len(history), 1)
    width = max(slot * 2 // 3, 4)
    base = HISTORY_TOP + HISTORY_PLOT

    def y_of(percent: Decimal) -> int:
        return base - round(HISTORY_PLOT * min(percent, Decimal(scale)) / scale)

    columns = []
    for i, reading in enumerate(history):
        x = HISTORY_LEFT + i * slot + (slot - width) // 2
        percent = reading.capacity_percent
        top = base if percent is None else y_of(percent)
        text = ("none" if not reading.taken else "no capacity" if percent is None else f"{percent:.1f}%")
        columns.append(Column(week_text=week_text(reading), value_text=text, x=x, width=width, y=top,
                              height=base - top, label_x=x + width // 2, fill=_fill(percent)))
    levels = [Level(y_of(Decimal(100)), "100%"), Level(y_of(Decimal(110)), "110%")]
    readings = "; ".join(f"week of {r.week_start.day} {r.week_start:%B %Y}: "
                         + ("no snapshot" if not r.taken else capacity_text(r.capacity_percent))
                         for r in history)
    return HistoryChart(id="chart-history", title=f"Capacity week by week: {name}",
                        description=f"Column chart of weekly capacity with lines at 100% and 110%. {readings}. "
                                    "The same figures are in the table below.",
                        columns=columns, levels=levels)


def trend_text(history: list[WeekReading]) -> str:
    """The latest snapshot's capacity against the one ``TREND_WEEKS`` weeks before it, in words."""
    taken = [r for r in history if r.taken]
    if not taken:
        return ""
    latest = taken[-1]
    earlier = next((r for r in history if r.week_start == latest.week_start - dt.timedelta(weeks=TREND_WEEKS)), None)
    if earlier is None or not earlier.taken or latest.capacity_percent is None or earlier.capacity_percent is None:
        return ""
    change = latest.capacity_percent - earlier.capacity_percent
    if change == 0:
        return f"Unchanged from {TREND_WEEKS} weeks before."
    direction = "Up" if change > 0 else "Down"
    return f"{direction} {abs(change):.1f} percentage points on {TREND_WEEKS} weeks before."


class WorkloadFilterForm(GovukFormMixin, forms.Form):
    team = forms.ChoiceField(label="Team", required=False)

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.teams = {t.code: t for t in teams}
        self.fields["team"].choices = [("", "All teams"), *[(t.code, t.name) for t in teams]]
        self.fields["team"].error_messages["invalid_choice"] = "Select a team from the list"


@dataclass(frozen=True)
class Tag:
    css: str
    text: str


def tags_for(percent: Decimal | None, sustained: bool) -> tuple[Tag, ...]:
    """What a capacity means, as GOV.UK tags with words (colour never carries it alone)."""
    tags = []
    if percent is None:
        tags.append(Tag("govuk-tag--grey", "No capacity"))
    elif engine.is_excessive(percent):
        tags.append(Tag("govuk-tag--red", "Over 110%"))
    elif engine.is_over_capacity(percent):
        tags.append(Tag("govuk-tag--orange", "Over 100%"))
    if sustained:
        tags.append(Tag("govuk-tag--purple", "Sustained"))
    return tuple(tags)


def sustained_note(row_run) -> str:
    if not row_run.sustained:
        return ""
    more = " or more" if row_run.at_least else ""
    return f"over 110% for the last {row_run.weeks}{more} weekly snapshots"


def hours_text(hours: Decimal) -> str:
    """Hours as people write them: 18.5, 7.4, 37."""
    text = f"{hours:.2f}".rstrip("0").rstrip(".")
    return text or "0"


@dataclass(frozen=True)
class TableRow:
    """One practitioner's line of the table, every figure already in words (a PDU's page has a hundred)."""

    code: str
    href: str
    name: str
    about: str
    cases: int
    community: int
    licence: int
    custody: int
    reports: int
    reports_detail: str
    reductions: str
    reductions_detail: str
    points: str
    available: str
    capacity: str  # empty when there is no capacity (the tag says so)
    capacity_value: str
    tags: tuple[Tag, ...]
    sustained: str


def table_rows(rows: list[PractitionerRow], *, show_teams: bool) -> list[TableRow]:
    out = []
    for row in rows:
        figures = row.figures
        percent = figures.capacity_percent
        reports = figures.standard_reports + figures.fast_reports
        about = row.staff.get_grade_display()
        if show_teams:
            about += ", " + " and ".join(t.name for t in row.teams)
        out.append(TableRow(
            code=row.staff.code, href=reverse("workload-practitioner", args=[row.staff.code]), name=row.staff.name,
            about=about, cases=figures.case_count,
            community=figures.community_count, licence=figures.licence_count, custody=figures.custody_count,
            reports=reports,
            reports_detail=f"{figures.standard_reports} standard, {figures.fast_reports} fast" if reports else "",
            reductions=f"{hours_text(row.reduction_hours)} hours a week" if row.reductions else "None",
            reductions_detail=", ".join(r.get_reason_display() for r in row.reductions),
            points=f"{figures.points:,}", available=f"{figures.available_points:,}",
            capacity="" if percent is None else f"{percent:.1f}%",
            capacity_value="" if percent is None else str(percent),
            tags=tags_for(percent, row.run.sustained), sustained=sustained_note(row.run)))
    return out


@dataclass(frozen=True)
class Summary:
    practitioners: int
    over_capacity: int
    excessive: int
    sustained: int
    no_capacity: int


@requires(Perm.WORKLOAD_VIEW)
def workload_page(request):
    viewer = request.viewer
    today = timezone.localdate()
    teams = list(workforce_teams(viewer).select_related("pdu").order_by("name", "code"))
    form = WorkloadFilterForm(request.GET or None, teams=teams)
    team = None
    if form.is_bound and form.is_valid():
        team = form.teams.get(form.cleaned_data.get("team") or "")
    if team is None and len(teams) == 1:
        team = teams[0]
    rows = [] if form.errors else team_workloads([team] if team else teams, as_of=today)
    where = team.name if team else ("your teams" if len(teams) > 1 else "your team")
    context = {
        "form": form, "teams": teams, "team": team, "rows": table_rows(rows, show_teams=team is None), "where": where,
        "chart": capacity_chart(rows, where) if rows else None,
        "summary": Summary(practitioners=len(rows), over_capacity=sum(r.over_capacity for r in rows),
                           excessive=sum(r.excessive for r in rows), sustained=sum(r.run.sustained for r in rows),
                           no_capacity=sum(r.no_capacity for r in rows)),
    }
    return render(request, "web/workload/index.html", context)


@requires(Perm.WORKLOAD_VIEW)
def practitioner_page(request, staff_code: str):
    viewer = request.viewer
    today = timezone.localdate()
    staff = practitioner_get(viewer, staff_code, today=today)
    if staff is None:
        raise Http404("No such practitioner in your teams")
    detail = practitioner_detail(viewer, staff, as_of=today, weeks=HISTORY_WEEKS)
    restricted_cases_listed(cases=detail.listed_cases, by=request.user, page="workload: court reports")
    context = {
        "detail": detail, "staff": staff, "today": today, "figures": detail.figures,
        "capacity": capacity_text(detail.figures.capacity_percent),
        "tags": tags_for(detail.figures.capacity_percent, detail.run.sustained),
        "sustained": sustained_note(detail.run),
        "chart": history_chart(staff.name, detail.history),
        "history": list(reversed(detail.history)),
        "trend": trend_text(detail.history),
        "reductions": [(r, r.status(today).value) for r in detail.reductions],
        "grade": Grade(staff.grade).label,
    }
    return render(request, "web/workload/practitioner.html", context)
