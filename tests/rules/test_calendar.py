"""Working days and calendar arithmetic (rules.md §4.1, §5.5, §7): tables of known dates and properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.rules.calendar import (
    add_months,
    add_working_days,
    bank_holidays,
    in_year_before,
    is_bank_holiday,
    is_working_day,
    whole_months_between,
    working_day_on_or_after,
    working_days_after,
    working_days_between,
    years_before,
)

D = dt.date

# England and Wales bank holidays on weekdays, as published on GOV.UK (substitute days and the
# one-off 2020 VE Day move, 2022 Platinum Jubilee, 2022 State Funeral and 2023 Coronation included).
WEEKDAY_BANK_HOLIDAYS: dict[int, set[dt.date]] = {
    2020: {D(2020, 1, 1), D(2020, 4, 10), D(2020, 4, 13), D(2020, 5, 8), D(2020, 5, 25), D(2020, 8, 31),
           D(2020, 12, 25), D(2020, 12, 28)},
    2021: {D(2021, 1, 1), D(2021, 4, 2), D(2021, 4, 5), D(2021, 5, 3), D(2021, 5, 31), D(2021, 8, 30),
           D(2021, 12, 27), D(2021, 12, 28)},
    2022: {D(2022, 1, 3), D(2022, 4, 15), D(2022, 4, 18), D(2022, 5, 2), D(2022, 6, 2), D(2022, 6, 3),
           D(2022, 8, 29), D(2022, 9, 19), D(2022, 12, 26), D(2022, 12, 27)},
    2023: {D(2023, 1, 2), D(2023, 4, 7), D(2023, 4, 10), D(2023, 5, 1), D(2023, 5, 8), D(2023, 5, 29),
           D(2023, 8, 28), D(2023, 12, 25), D(2023, 12, 26)},
    2024: {D(2024, 1, 1), D(2024, 3, 29), D(2024, 4, 1), D(2024, 5, 6), D(2024, 5, 27), D(2024, 8, 26),
           D(2024, 12, 25), D(2024, 12, 26)},
    2025: {D(2025, 1, 1), D(2025, 4, 18), D(2025, 4, 21), D(2025, 5, 5), D(2025, 5, 26), D(2025, 8, 25),
           D(2025, 12, 25), D(2025, 12, 26)},
    2026: {D(2026, 1, 1), D(2026, 4, 3), D(2026, 4, 6), D(2026, 5, 4), D(2026, 5, 25), D(2026, 8, 31),
           D(2026, 12, 25), D(2026, 12, 28)},
    2027: {D(2027, 1, 1), D(2027, 3, 26), D(2027, 3, 29), D(2027, 5, 3), D(2027, 5, 31), D(2027, 8, 30),
           D(2027, 12, 27), D(2027, 12, 28)},
}
ALL_KNOWN = set().union(*WEEKDAY_BANK_HOLIDAYS.values())


def _days_of(year: int) -> list[dt.date]:
    day, days = D(year, 1, 1), []
    while day.year == year:
        days.append(day)
        day += dt.timedelta(days=1)
    return days


@pytest.mark.parametrize("year", sorted(WEEKDAY_BANK_HOLIDAYS))
def test_the_weekdays_that_are_not_working_days_are_exactly_the_published_bank_holidays(year: int) -> None:
    not_working = {d for d in _days_of(year) if d.weekday() < 5 and not is_working_day(d)}
    assert not_working == WEEKDAY_BANK_HOLIDAYS[year]


@pytest.mark.parametrize("year", sorted(WEEKDAY_BANK_HOLIDAYS))
def test_weekends_are_never_working_days(year: int) -> None:
    assert not any(is_working_day(d) for d in _days_of(year) if d.weekday() >= 5)


@pytest.mark.parametrize(
    ("day", "name"),
    [
        pytest.param(D(2022, 6, 2), "Spring bank holiday (moved)", id="2022-06-02"),
        pytest.param(D(2022, 6, 3), "Platinum Jubilee", id="2022-06-03"),
        pytest.param(D(2022, 9, 19), "State Funeral of Queen Elizabeth II", id="2022-09-19"),
        pytest.param(D(2023, 5, 8), "Coronation of King Charles III", id="2023-05-08"),
        pytest.param(D(2028, 1, 3), "New Year's Day substitute", id="2028-01-03"),
        pytest.param(D(2020, 5, 8), "Early May bank holiday moved for VE Day", id="2020-05-08"),
    ],
)
def test_one_off_and_substitute_bank_holidays_are_not_working_days(day: dt.date, name: str) -> None:
    assert is_bank_holiday(day), name
    assert not is_working_day(day), name


@pytest.mark.parametrize(
    "day",
    [D(2020, 5, 4), D(2022, 5, 30), D(2023, 5, 2), D(2028, 1, 4), D(2026, 12, 29)],
    ids=str,
)
def test_the_usual_dates_of_moved_holidays_are_working_days(day: dt.date) -> None:
    assert is_working_day(day)


def test_the_table_covers_weekend_holidays_too() -> None:
    assert {D(2022, 1, 1), D(2022, 12, 25)} <= bank_holidays(2022)  # Saturday and Sunday; substitutes above


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        pytest.param(D(2024, 1, 8), 1, D(2024, 1, 9), id="monday-plus-1-the-day-itself-never-counts"),
        pytest.param(D(2024, 1, 7), 1, D(2024, 1, 8), id="sunday-plus-1-is-monday"),
        pytest.param(D(2024, 1, 6), 1, D(2024, 1, 8), id="saturday-plus-1-is-monday"),
        pytest.param(D(2024, 1, 5), 1, D(2024, 1, 8), id="friday-plus-1-is-monday"),
        pytest.param(D(2024, 1, 5), 5, D(2024, 1, 12), id="friday-plus-5-is-next-friday"),
        pytest.param(D(2022, 9, 16), 1, D(2022, 9, 20), id="over-the-state-funeral"),
        pytest.param(D(2023, 5, 5), 1, D(2023, 5, 9), id="over-the-coronation"),
        pytest.param(D(2022, 6, 1), 1, D(2022, 6, 6), id="over-the-jubilee-weekend"),
        pytest.param(D(2022, 1, 1), 1, D(2022, 1, 4), id="new-year-substitute-2022"),
        pytest.param(D(2027, 12, 30), 2, D(2028, 1, 4), id="new-year-substitute-2028"),
        pytest.param(D(2027, 12, 24), 1, D(2027, 12, 29), id="christmas-2027-two-substitutes"),
        pytest.param(D(2023, 4, 3), 15, D(2023, 4, 26), id="15-over-easter-2023"),
        pytest.param(D(2022, 5, 30), 20, D(2022, 6, 29), id="20-over-the-jubilee"),
        pytest.param(D(2020, 12, 18), 10, D(2021, 1, 6), id="10-over-christmas-2020"),
        pytest.param(D(2026, 12, 18), 10, D(2027, 1, 6), id="10-over-christmas-2026"),
        pytest.param(D(2025, 4, 17), 5, D(2025, 4, 28), id="5-over-easter-2025"),
    ],
)
def test_n_working_days_from_a_date(start: dt.date, n: int, expected: dt.date) -> None:
    assert working_days_after(start, n) == expected
    assert add_working_days(start, n) == expected
    assert working_days_between(start, expected) == n


@pytest.mark.parametrize("n", [0, -1])
def test_working_days_from_a_date_counts_at_least_one(n: int) -> None:
    with pytest.raises(ValueError, match="1 or more"):
        working_days_after(D(2024, 1, 8), n)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        pytest.param(D(2022, 9, 20), -1, D(2022, 9, 16), id="back-over-the-state-funeral"),
        pytest.param(D(2024, 1, 8), -1, D(2024, 1, 5), id="monday-minus-1-is-friday"),
        pytest.param(D(2024, 1, 8), 0, D(2024, 1, 8), id="zero-is-the-day"),
        pytest.param(D(2024, 1, 6), 0, D(2024, 1, 6), id="zero-is-the-day-even-at-a-weekend"),
    ],
)
def test_add_working_days_backwards_and_zero(start: dt.date, n: int, expected: dt.date) -> None:
    assert add_working_days(start, n) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        pytest.param(D(2022, 9, 17), D(2022, 9, 20), id="saturday-before-the-funeral"),
        pytest.param(D(2022, 9, 19), D(2022, 9, 20), id="the-funeral"),
        pytest.param(D(2022, 9, 20), D(2022, 9, 20), id="a-working-day-stays"),
        pytest.param(D(2027, 12, 25), D(2027, 12, 29), id="christmas-2027"),
    ],
)
def test_working_day_on_or_after(day: dt.date, expected: dt.date) -> None:
    assert working_day_on_or_after(day) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        pytest.param(D(2022, 1, 1), D(2022, 12, 31), 365 - 105 - 10, id="2022-has-250"),
        pytest.param(D(2024, 1, 8), D(2024, 1, 8), 0, id="same-day"),
        pytest.param(D(2024, 1, 5), D(2024, 1, 7), 0, id="friday-to-sunday"),
        pytest.param(D(2024, 1, 7), D(2024, 1, 5), -1, id="backwards-counts-the-friday"),
    ],
)
def test_working_days_between(start: dt.date, end: dt.date, expected: int) -> None:
    assert working_days_between(start, end) == expected


# --- Properties -----------------------------------------------------------------------------------

days = st.dates(min_value=D(2019, 1, 1), max_value=D(2029, 12, 31))
counts = st.integers(min_value=-80, max_value=80)


def _brute_force_add(day: dt.date, n: int) -> dt.date:
    step = dt.timedelta(days=1 if n >= 0 else -1)
    for _ in range(abs(n)):
        day += step
        while day.weekday() >= 5 or day in ALL_KNOWN or day == D(2028, 1, 3):
            day += step
    return day


@given(st.dates(min_value=D(2020, 3, 1), max_value=D(2027, 10, 31)), st.integers(min_value=-40, max_value=40))
def test_adding_working_days_agrees_with_the_published_table(day: dt.date, n: int) -> None:
    assert add_working_days(day, n) == _brute_force_add(day, n)


@given(days, counts)
def test_counting_working_days_undoes_adding_them(day: dt.date, n: int) -> None:
    assert working_days_between(day, add_working_days(day, n)) == n


@given(days, st.integers(min_value=1, max_value=80))
def test_n_working_days_from_a_date_is_a_working_day_after_it(day: dt.date, n: int) -> None:
    due = working_days_after(day, n)
    assert due > day
    assert is_working_day(due)
    assert working_days_after(day, n + 1) > due


@given(days, days)
def test_working_days_between_never_counts_the_start(start: dt.date, end: dt.date) -> None:
    if end >= start:  # after start, up to and including end
        expected = sum(1 for k in range(1, (end - start).days + 1) if is_working_day(start + dt.timedelta(days=k)))
    else:  # minus those from end, up to but not including start
        expected = -sum(1 for k in range((start - end).days) if is_working_day(end + dt.timedelta(days=k)))
    assert working_days_between(start, end) == expected


@given(days)
def test_the_next_working_day_is_the_first_on_or_after(day: dt.date) -> None:
    found = working_day_on_or_after(day)
    assert is_working_day(found)
    assert all(not is_working_day(day + dt.timedelta(days=k)) for k in range((found - day).days))


# --- Months and years -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        pytest.param(D(2023, 8, 31), 6, D(2024, 2, 29), id="31-aug-plus-6-leap"),
        pytest.param(D(2024, 8, 31), 6, D(2025, 2, 28), id="31-aug-plus-6"),
        pytest.param(D(2026, 5, 31), -3, D(2026, 2, 28), id="three-months-before-31-may"),
        pytest.param(D(2026, 7, 15), -3, D(2026, 4, 15), id="three-months-before-15-july"),
        pytest.param(D(2026, 1, 31), 1, D(2026, 2, 28), id="31-jan-plus-1"),
        pytest.param(D(2026, 11, 30), 2, D(2027, 1, 30), id="over-the-year-end"),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        pytest.param(D(2024, 2, 29), 1, D(2023, 2, 28), id="29-feb-maps-to-28-feb"),
        pytest.param(D(2028, 2, 29), 4, D(2024, 2, 29), id="29-feb-four-years"),
        pytest.param(D(2026, 3, 1), 1, D(2025, 3, 1), id="1-march"),
        pytest.param(D(2026, 12, 5), 10, D(2016, 12, 5), id="ten-years"),
        pytest.param(D(5, 6, 7), 10, dt.date.min, id="before-year-1"),
    ],
)
def test_years_before(day: dt.date, years: int, expected: dt.date) -> None:
    assert years_before(day, years) == expected


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        pytest.param(D(2026, 1, 1), D(2026, 6, 30), 5, id="day-before-6-months"),
        pytest.param(D(2026, 1, 1), D(2026, 7, 1), 6, id="6-months"),
        pytest.param(D(2025, 8, 31), D(2026, 2, 28), 5, id="31-aug-on-28-feb"),
        pytest.param(D(2025, 8, 31), D(2026, 3, 1), 6, id="31-aug-on-1-march"),
        pytest.param(D(2026, 1, 31), D(2026, 3, 1), 1, id="31-jan-on-1-march"),
        pytest.param(D(2026, 5, 10), D(2026, 5, 1), 0, id="before-the-start"),
    ],
)
def test_whole_months_between(start: dt.date, end: dt.date, months: int) -> None:
    assert whole_months_between(start, end) == months


def _months_by_hand(start: dt.date, end: dt.date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(months, 0)


any_days = st.dates(min_value=D(1900, 1, 1), max_value=D(2100, 12, 31))


@given(any_days, any_days)
def test_whole_months_are_counted_by_the_day_of_the_month(start: dt.date, end: dt.date) -> None:
    assert whole_months_between(start, end) == _months_by_hand(start, end)


@given(any_days, st.integers(min_value=1, max_value=24))
def test_a_period_of_whole_months_ends_the_day_before_they_are_complete(start: dt.date, months: int) -> None:
    # The last day of an n-month period (as the reductions table reads it) has n - 1 whole months.
    anniversary = add_months(start, months)
    last_day = anniversary if anniversary.day != start.day else anniversary - dt.timedelta(days=1)
    assert whole_months_between(start, last_day) == months - 1
    assert whole_months_between(start, last_day + dt.timedelta(days=1)) == months


@given(any_days, st.integers(min_value=0, max_value=50))
def test_years_before_keeps_the_day_except_29_february(day: dt.date, years: int) -> None:
    earlier = years_before(day, years)
    assert earlier.year == day.year - years and earlier.month == day.month
    assert earlier.day == day.day or (day.month, day.day, earlier.day) == (2, 29, 28)


@pytest.mark.parametrize(
    ("day", "end", "inside"),
    [
        pytest.param(D(2026, 5, 10), D(2027, 5, 10), False, id="same-date-a-year-earlier-is-out"),
        pytest.param(D(2026, 5, 11), D(2027, 5, 10), True, id="the-day-after-it-is-in"),
        pytest.param(D(2027, 5, 10), D(2027, 5, 10), True, id="the-day-itself-is-in"),
        pytest.param(D(2027, 5, 11), D(2027, 5, 10), False, id="a-later-day-is-out"),
        pytest.param(D(2027, 2, 28), D(2028, 2, 29), False, id="29-feb-counts-from-28-feb"),
        pytest.param(D(2027, 3, 1), D(2028, 2, 29), True, id="29-feb-first-day-is-1-march"),
        pytest.param(D(2028, 2, 28), D(2029, 2, 28), False, id="28-feb-a-leap-year-earlier-is-out"),
        pytest.param(D(2028, 2, 29), D(2029, 2, 28), True, id="29-feb-is-in-the-year-to-28-feb"),
        pytest.param(D(2028, 2, 29), D(2029, 3, 1), False, id="29-feb-is-out-of-the-year-to-1-march"),
        pytest.param(D(1, 1, 1), D(1, 12, 31), True, id="year-one-has-no-earlier-year"),
    ],
)
def test_in_year_before(day: dt.date, end: dt.date, inside: bool) -> None:
    assert in_year_before(day, end) is inside


@given(any_days, any_days)
def test_in_year_before_is_the_365_or_366_days_up_to_the_end(day: dt.date, end: dt.date) -> None:
    # By hand: the same month and day a year earlier (28 February for 29 February) is the last day out.
    month_day = (end.month, 28 if (end.month, end.day) == (2, 29) else end.day)
    last_out = D(end.year - 1, *month_day)
    assert in_year_before(day, end) is (last_out < day <= end)
