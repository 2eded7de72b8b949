"""Safeguard oversight: figures by team and practitioner, drawn as charts and tables, and the cases behind each."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from casework.access.policy import Perm, requires
from casework.access.services import restricted_cases_listed
from casework.safeguards.choices import TaskStatus
from casework.safeguards.oversight import (
    COUNT_MEASURES,
    NO_CASE_MANAGER,
    Measure,
    Oversight,
    Period,
    Row,
    Share,
    default_period,
    measure_page,
    oversight,
    oversight_teams,
)
from casework.web.oversight_forms import OversightCasesForm, OversightFilterForm
from casework.web.views.common import page_number

# Chart geometry, in SVG user units: a label column, the bars, then the figure in words.
CHART_WIDTH = 720
LABEL_WIDTH = 240
BAR_SPACE = 320
ROW_HEIGHT = 30
BAR_HEIGHT = 18
TOP = 8


def figure_text(value: int | Share) -> str:
    """A figure as people read it, the same in the chart and in the table."""
    if isinstance(value, Share):
        if value.percent is None:
            return "No cases"
        return f"{value.percent}% ({value.met} of {value.of})"
    return str(value)


def period_params(period: Period) -> dict[str, str]:
    """The period as the filter form's date boxes take it, for links that keep it."""
    return {"date_from_0": str(period.start.day), "date_from_1": str(period.start.month),
            "date_from_2": str(period.start.year), "date_to_0": str(period.end.day),
            "date_to_1": str(period.end.month), "date_to_2": str(period.end.year)}


def cases_link(measure: Measure, period: Period, row: Row | None = None, team_code: str = "") -> str:
    params = {"measure": measure.value, **period_params(period)}
    if row is not None:
        params["team"] = row.team.code
        if not row.is_team:
            params["practitioner"] = str(row.staff_id if row.staff_id is not None else NO_CASE_MANAGER)
    elif team_code:
        params["team"] = team_code
    return f"{reverse('oversight-cases')}?{urlencode(params)}"


@dataclass(frozen=True)
class Cell:
    measure: Measure
    text: str
    href: str  # empty when there is nothing behind the figure


@dataclass(frozen=True)
class TableRow:
    label: str
    href: str  # the team's own breakdown by practitioner; empty for a practitioner or the total
    cells: list[Cell]


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    y: int
    text_y: int
    width: int
    value_x: int


@dataclass(frozen=True)
class Chart:
    measure: Measure
    id: str
    title: str
    description: str
    height: int
    bars: list[Bar]
    # A share's bars run against a pale track of the full 100%, so a short bar reads as a small share.
    track_width: int = 0
    label_width: int = LABEL_WIDTH
    width: int = CHART_WIDTH
    axis_x: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT


def _cell(measure: Measure, value: int | Share, href: str) -> Cell:
    empty = value.of == 0 if isinstance(value, Share) else value == 0
    return Cell(measure, figure_text(value), "" if empty else href)


def table_rows(rows: list[Row], period: Period) -> list[TableRow]:
    return [TableRow(
        label=row.label,
        href=(f"{reverse('oversight')}?{urlencode({'team': row.team.code, **period_params(period)})}"
              if row.is_team else ""),
        cells=[_cell(m, row.figures.value(m), cases_link(m, period, row)) for m in Measure],
    ) for row in rows]


def total_row(data: Oversight, team_code: str) -> TableRow:
    total = data.total
    return TableRow(label="All teams shown", href="",
                    cells=[_cell(m, total.value(m), cases_link(m, data.period, team_code=team_code))
                           for m in Measure])


def bar_chart(measure: Measure, rows: list[Row], period: Period) -> Chart:
    """One horizontal bar per row: a share's bar is its percentage of the full width; a count's is
    scaled to the largest count shown. The figure is written beside each bar, so colour carries nothing."""
    values = [row.figures.value(measure) for row in rows]
    largest = max([v for v in values if not isinstance(v, Share)] or [0]) or 1
    bars = []
    for i, (row, value) in enumerate(zip(rows, values, strict=True)):
        if isinstance(value, Share):
            width = round(BAR_SPACE * (value.percent or 0) / 100)
        else:
            width = round(BAR_SPACE * value / largest)
        y = TOP + i * ROW_HEIGHT
        label = row.label if len(row.label) <= 32 else row.label[:31] + "…"
        bars.append(Bar(label=label, value_text=figure_text(value), y=y, text_y=y + BAR_HEIGHT - 4, width=width,
                        value_x=LABEL_WIDTH + (BAR_SPACE if isinstance(value, Share) else width) + 8))
    kind = "number" if measure in COUNT_MEASURES else "percentage"
    description = (f"Bar chart of the {kind} of {measure.label.lower()} for each team, new cases started "
                   f"{period.start:%-d %B %Y} to {period.end:%-d %B %Y}. "
                   + "; ".join(f"{row.label}: {bar.value_text}" for row, bar in zip(rows, bars, strict=True))
                   + ". The same figures are in the table below.")
    return Chart(measure=measure, id=f"chart-{measure.value}", title=f"{measure.label} by team",
                 description=description, height=TOP * 2 + ROW_HEIGHT * max(len(rows), 1), bars=bars,
                 track_width=0 if measure in COUNT_MEASURES else BAR_SPACE)


@requires(Perm.OVERSIGHT_VIEW)
def oversight_page(request):
    viewer = request.viewer
    today = timezone.localdate()
    teams = oversight_teams(viewer)
    form = OversightFilterForm(request.GET or None, teams=teams, today=today)
    period, team = default_period(today), None
    if form.is_bound and form.is_valid():
        period, team = form.cleaned_data["period"], form.cleaned_data["team_obj"]
    if team is None and len(teams) == 1:
        team = teams[0]
    data = None if form.errors else oversight(viewer, period=period, today=today, teams=teams, team=team)
    context = {"form": form, "data": data, "period": period if data else None, "team": team if data else None,
               "measures": list(Measure)}
    if data is not None:
        context.update({
            "charts": [bar_chart(m, data.teams, period) for m in Measure],
            "team_rows": table_rows(data.teams, period),
            "total": total_row(data, "") if len(data.teams) > 1 else None,
            "practitioner_rows": table_rows(data.practitioners, period),
        })
    return render(request, "web/oversight/index.html", context)


RESULT_LABELS = {"met": "Done by the due date", "late": "Done after the due date", "done": "Done",
                 "overdue": "Overdue", "open": "Open", "not_required": "Not required"}


def task_result(task, today) -> str:
    if task.status == TaskStatus.DONE:
        return RESULT_LABELS["met"] if task.done_on <= task.due else RESULT_LABELS["late"]
    if task.status == TaskStatus.NOT_REQUIRED:
        return RESULT_LABELS["not_required"]
    return RESULT_LABELS["overdue"] if today > task.due else RESULT_LABELS["open"]


@requires(Perm.OVERSIGHT_VIEW)
def oversight_cases_page(request):
    viewer = request.viewer
    today = timezone.localdate()
    teams = oversight_teams(viewer)
    form = OversightCasesForm(request.GET or None, teams=teams, today=today)
    context = {"form": form, "page": None}
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        measure = data.get("measure") or Measure.NEW_CASES
        period = data.get("period") or default_period(today)
        team = data.get("team_obj")
        practitioner = data.get("practitioner")
        page = measure_page(viewer, measure=measure, period=period, today=today,
                            teams=[team] if team else teams, practitioner=practitioner, page=page_number(request))
        rows = list(page.object_list)
        cases = rows if measure is Measure.NEW_CASES else [task.case for task in rows]
        restricted_cases_listed(cases=cases, by=request.user, page=f"safeguard oversight: {measure.label}")
        back = {**({"team": team.code} if team else {}), **period_params(period)}
        results = [task_result(task, today) for task in rows] if measure is not Measure.NEW_CASES else [""] * len(rows)
        manager = None
        if practitioner is not None and practitioner != NO_CASE_MANAGER and cases:
            manager = cases[0].manager
        context.update({
            "page": page, "measure": measure, "period": period, "team": team, "practitioner": practitioner,
            "no_case_manager": practitioner == NO_CASE_MANAGER, "manager": manager,
            "is_cases": measure is Measure.NEW_CASES,
            "items": list(zip(rows, results, strict=True)),
            "back": f"{reverse('oversight')}?{urlencode(back)}",
        })
    return render(request, "web/oversight/cases.html", context)
