"""The results page's charts, drawn on the server as SVG (the workload page's bar chart template): one bar per
group and standard, the percentage of its lowest key question, lines where the rating bands start, the
figure, the rating and the number of cases written beside each bar (colour never carries meaning alone)."""

from __future__ import annotations

from casework.quality.choices import Rating
from casework.quality.results import SMALL_GROUP, Breakdown, Results
from casework.web.views.workload import BAR_HEIGHT, LABEL_WIDTH, ROW_HEIGHT, TOP, Bar, BarChart, Marker

# Narrower bars than the workload chart's, so the figure, rating and case count fit beside a full bar.
BAR_SPACE = 260
GREEN, BLUE, ORANGE, RED, GREY = "#00703c", "#1d70b8", "#f47738", "#d4351c", "#b1b4b6"
FILL = {"OUTSTANDING": GREEN, "GOOD": BLUE, "REQUIRES_IMPROVEMENT": ORANGE, "INADEQUATE": RED}


def _x(percent: int) -> int:
    return LABEL_WIDTH + round(BAR_SPACE * percent / 100)


def _markers(framework) -> list[Marker]:
    bands = [b for b in framework.standard_bands if b.minimum > 0]
    return [Marker(_x(b.minimum), f"{b.minimum}%", "start") for b in bands]


def _bar(i: int, label: str, percent: int | None, rating: str | None, cases: int, small: bool) -> Bar:
    y = TOP + i * ROW_HEIGHT
    width = 0 if percent is None else round(BAR_SPACE * percent / 100)
    if percent is None:
        words = f"not rated ({cases} case{'s' if cases != 1 else ''})"
    else:
        words = f"{percent}% {Rating(rating).label} ({cases} case{'s' if cases != 1 else ''})"
    if small:
        words += " – too few"
    label = label if len(label) <= 28 else label[:27] + "…"
    return Bar(label=label, value_text=words, y=y, text_y=y + BAR_HEIGHT - 4, width=width,
               value_x=LABEL_WIDTH + width + 8, fill=GREY if small or rating is None else FILL[rating])


def standards_chart(results: Results) -> BarChart:
    """The exercise's case standards: each one's lowest key question and its rating."""
    bars = []
    for view in (v for v in results.standards if v.assessed):
        bars.append(_bar(len(bars), f"{view.key} {view.title}", view.lowest_percent, view.computed_rating,
                         results.cases, False))
    return _chart("chart-standards", "Case standards: the lowest key question of each", bars, results.framework,
                  f"Bar chart of each case standard's lowest key question percentage across {results.cases} cases")


def breakdown_chart(results: Results, breakdown: Breakdown) -> BarChart:
    bars = []
    for group in breakdown.groups:
        for std, (rating, percent) in group.ratings.items():
            bars.append(_bar(len(bars), f"{group.label}: {std}", percent, rating, group.cases, group.too_small))
    return _chart(f"chart-{breakdown.dimension}", breakdown.title, bars, results.framework,
                  f"Bar chart {breakdown.title.lower()}: for each group, each case standard's lowest key question")


def _chart(chart_id: str, title: str, bars: list[Bar], framework, lead: str) -> BarChart:
    description = (lead + ", with lines where the rating bands start. "
                   + "; ".join(f"{b.label}: {b.value_text}" for b in bars) + ". The same figures are in the table.")
    return BarChart(id=chart_id, title=title, description=description,
                    height=TOP + ROW_HEIGHT * max(len(bars), 1) + 4, bars=bars, markers=_markers(framework))


def trend_chart(rows: list[dict]) -> BarChart | None:
    """Completed exercises compared over time: each exercise's standards, oldest first."""
    bars = []
    for row in rows:
        for std, percent, rating in row["standards"]:
            label = f"{row['exercise'].as_of:%b %Y}: {std}"
            bars.append(_bar(len(bars), label, percent, rating, row["cases"], row["cases"] < SMALL_GROUP))
    if not bars:
        return None
    return _chart("chart-trend", "Completed exercises over time", bars, rows[0]["framework"],
                  "Bar chart of each completed exercise's case standards, oldest first")
