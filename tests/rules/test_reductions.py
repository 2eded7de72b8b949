"""The pure check of a workload reduction as entered (rules.md §2.3), without a database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.rules import reductions, workload
from casework.rules.reductions import ReductionInvalid, reduction_problems, resolve_reduction

D = Decimal
START = dt.date(2026, 6, 1)
FULL_TIME = D(37)


def resolve(contracted: Decimal = FULL_TIME, **entered):
    values = {"reason": None, "hours": None, "percent": None, "start": START, "end": None, "notes": ""}
    values.update(entered)
    return resolve_reduction(**values, contracted_hours=contracted, hours_given=entered.get("hours") is not None,
                             percent_given=entered.get("percent") is not None)


def errors_of(**entered) -> dict[str, str]:
    with pytest.raises(ReductionInvalid) as caught:
        resolve(**entered)
    return caught.value.errors


@pytest.mark.parametrize(
    ("entered", "hours", "percent", "end"),
    [
        pytest.param({"reason": "MATERNITY_LEAVE"}, D(37), D(100), dt.date(2026, 11, 30), id="standard-everything"),
        pytest.param({"reason": "PQIP_FIRST_6_MONTHS", "start": dt.date(2025, 8, 31)}, D("29.60"), D(80),
                     dt.date(2026, 2, 28), id="31-august-runs-to-the-end-of-february"),
        pytest.param({"reason": "COURT_DUTY", "percent": 20, "end": dt.date(2026, 9, 1)}, D("7.40"), D(20),
                     dt.date(2026, 9, 1), id="hours-from-percent"),
        pytest.param({"reason": "COURT_DUTY", "hours": D(5), "end": dt.date(2026, 9, 1)}, D(5), None,
                     dt.date(2026, 9, 1), id="hours-entered"),
        pytest.param({"reason": "TRADE_UNION_FACILITY_TIME", "hours": D("18.50")}, D("18.50"), None, None,
                     id="open-ended"),
        pytest.param({"reason": "COURT_DUTY", "hours": D("7.40"), "percent": 20, "end": dt.date(2026, 9, 1)},
                     D("7.40"), D(20), dt.date(2026, 9, 1), id="both-agree"),
    ],
)
def test_an_entry_becomes_the_reduction_to_store(entered, hours, percent, end) -> None:
    values = resolve(**entered)
    assert (values.hours, values.percent, values.end) == (hours, percent, end)


@pytest.mark.parametrize(
    ("entered", "errors"),
    [
        pytest.param({"reason": "HOLIDAY"}, {"reason": reductions.REASON_REQUIRED}, id="unknown-reason"),
        pytest.param({"reason": None}, {"reason": reductions.REASON_REQUIRED}, id="no-reason"),
        pytest.param({"reason": "COURT_DUTY", "start": None}, {"start": reductions.START_REQUIRED}, id="no-start"),
        pytest.param({"reason": "COURT_DUTY", "end": dt.date(2026, 9, 1)}, {"hours": reductions.HOURS_REQUIRED},
                     id="no-hours"),
        pytest.param({"reason": "COURT_DUTY", "hours": D(5), "percent": 20, "end": dt.date(2026, 9, 1)},
                     {"hours": reductions.HOURS_OR_PERCENT}, id="both-disagree"),
        pytest.param({"reason": "COURT_DUTY", "percent": 101, "end": dt.date(2026, 9, 1)},
                     {"percent": "Percentage must be between 0 and 100"}, id="percent-over-100"),
        pytest.param({"reason": "NEWLY_QUALIFIED_OFFICER", "percent": 25},
                     {"percent": "Percentage for newly qualified officer must be 20% or less"}, id="over-reason"),
        pytest.param({"reason": "COURT_DUTY", "hours": D(8)}, {"end": workload.END_REQUIRED}, id="needs-end"),
        pytest.param({"reason": "OTHER", "hours": D(4), "end": dt.date(2026, 9, 1)},
                     {"notes": reductions.DETAIL_REQUIRED}, id="other-needs-notes"),
    ],
)
def test_an_entry_that_cannot_be_stored_gets_a_message_per_field(entered, errors) -> None:
    assert errors_of(**entered) == errors


def test_a_stored_percentage_whose_hours_no_longer_match_is_a_problem() -> None:
    assert reduction_problems(reason="COURT_DUTY", hours=D(5), percent=D(20), start=START,
                              end=dt.date(2026, 9, 1), notes="", contracted_hours=D(37)) == {
        "hours": "Hours must be 7.40: 20% of 37 contracted hours"}


reasons = st.sampled_from(list(workload.ReductionReason))
contracted_hours = st.decimals(min_value=1, max_value=37, places=2)
amounts = st.none() | st.decimals(min_value=0, max_value=40, places=2)
starts = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31))
ends = st.none() | st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2031, 12, 31))
notes = st.sampled_from(["", "Court duty two days a week", "x" * 4000])


@given(reasons, contracted_hours, amounts, amounts, starts, ends, notes)
def test_whatever_is_resolved_has_no_problems_and_resolves_to_itself(reason, contracted, hours, percent, start, end,
                                                                     note) -> None:
    try:
        values = resolve(contracted, reason=reason, hours=hours, percent=percent, start=start, end=end, notes=note)
    except ReductionInvalid as exc:
        assert exc.errors and all(isinstance(message, str) and message for message in exc.errors.values())
        return
    stored = values.as_dict()
    assert reduction_problems(**stored, contracted_hours=contracted) == {}
    assert D(0) <= values.hours <= contracted
    again = resolve_reduction(**stored, contracted_hours=contracted, hours_given=True,
                              percent_given=values.percent is not None)
    assert again == values
