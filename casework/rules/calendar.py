"""Dates the rules count in: working days (rules.md §4.1, §5.5, §7) and calendar months and years.

Pure functions, no clock. One home for date arithmetic, so every engine counts the same way:

- **Working days** are Monday to Friday except bank holidays in England and Wales, read from the
  pinned ``holidays`` package (``GB``, subdivision ``ENG``; England and Wales share one list). That
  list has the one-off holidays (2022-06-03 Platinum Jubilee, 2022-09-19 the State Funeral,
  2023-05-08 the Coronation, the 2020 early May holiday moved to 8 May) and the substitute days
  when a holiday falls at a weekend (2028-01-03 for New Year's Day 2028). The package knows
  England's holidays for 1872–2100; outside those years only weekends are excluded.
- **"N working days from D"** (``working_days_after``) is the N-th working day after D; D itself
  never counts, whatever day it is (rules.md §4.1).
- **Months and years** are calendar ones through ``dateutil.relativedelta``: a day that does not
  exist in the target month becomes that month's last day (31 August + 6 months = 28 or 29
  February; 29 February − 1 year = 28 February), as rules.md §4.1 and §5.5 say.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
from dateutil.relativedelta import relativedelta

__all__ = [
    "add_months",
    "add_working_days",
    "bank_holidays",
    "in_year_before",
    "is_bank_holiday",
    "is_working_day",
    "whole_months_between",
    "working_day_on_or_after",
    "working_days_after",
    "working_days_between",
    "years_before",
]

_ONE_DAY = dt.timedelta(days=1)
_SATURDAY = 5


@lru_cache(maxsize=256)
def _holidays_in(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def bank_holidays(year: int) -> frozenset[dt.date]:
    """England and Wales bank holidays in ``year``, substitute days included (some fall at weekends)."""
    return _holidays_in(year)


def is_bank_holiday(day: dt.date) -> bool:
    return day in _holidays_in(day.year)


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday and not a bank holiday in England and Wales."""
    return day.weekday() < _SATURDAY and day not in _holidays_in(day.year)


@lru_cache(maxsize=1 << 16)
def add_working_days(day: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``day`` (before it when ``n`` is negative); ``day`` for 0.

    ``day`` itself is never counted, so ``add_working_days(friday, 1)`` is the next Monday (or
    Tuesday after a bank holiday Monday), and a Saturday plus one working day is the Monday.
    Remembered: a national recompute asks the same few thousand (date, count) pairs again and again.
    """
    step = _ONE_DAY if n >= 0 else -_ONE_DAY
    remaining = abs(n)
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_after(start: dt.date, n: int) -> dt.date:
    """"``n`` working days from ``start``" (rules.md §4.1): the ``n``-th working day after it."""
    if n < 1:
        raise ValueError(f"a number of working days from a date is 1 or more, not {n}")
    return add_working_days(start, n)


def working_day_on_or_after(day: dt.date) -> dt.date:
    """``day`` when it is a working day, else the next working day (rules.md §4.1, periodic review)."""
    while not is_working_day(day):
        day += _ONE_DAY
    return day


def _weekdays_up_to(day: dt.date) -> int:
    """Mondays to Fridays from 1 January of year 1 (a Monday) to ``day`` inclusive."""
    weeks, extra = divmod(day.toordinal(), 7)
    return weeks * 5 + min(extra, 5)


def _working_days_in(after: dt.date, upto: dt.date) -> int:
    """Working days ``d`` with ``after < d <= upto`` (``after <= upto``)."""
    weekdays = _weekdays_up_to(upto) - _weekdays_up_to(after)
    holidays_on_weekdays = sum(
        1
        for year in range(after.year, upto.year + 1)
        for holiday in _holidays_in(year)
        if after < holiday <= upto and holiday.weekday() < _SATURDAY
    )
    return weekdays - holidays_on_weekdays


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days from ``start`` to ``end``: those after ``start`` up to and including ``end``.

    When ``end`` is earlier the answer is negative: minus the working days from ``end`` up to but not
    including ``start``. ``start`` never counts either way, so this is the inverse of
    ``add_working_days``: ``working_days_between(d, add_working_days(d, n)) == n``.
    """
    if end >= start:
        return _working_days_in(start, end)
    return -_working_days_in(end - _ONE_DAY, start - _ONE_DAY)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole calendar months; a day the target month lacks becomes its last day."""
    return day + relativedelta(months=months)


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day and month ``years`` earlier; 29 February becomes 28 February.

    Before the first representable year the answer is ``date.min`` (nothing can be earlier).
    """
    if day.year - years < dt.MINYEAR:
        return dt.date.min
    return day - relativedelta(years=years)


def in_year_before(day: dt.date, end: dt.date) -> bool:
    """Whether ``day`` lies in the 12 months before ``end`` (rules.md §5.5).

    Those are the dates after the same calendar date one year earlier (29 February counting from
    28 February) up to and including ``end``: for ``end`` 2027-05-10 the first is 2026-05-11, for
    2028-02-29 it is 2027-03-01. In year 1 every date up to ``end`` is in (no earlier year exists).
    """
    if day > end:
        return False
    return end.year == dt.MINYEAR or day > years_before(end, 1)


def whole_months_between(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from ``start`` to ``end`` (0 when ``end`` is before ``start``).

    A month is complete on the same day of the month as ``start``; when the month has no such day
    (started on 31 January), it is complete on the day after that month's last day (1 March). That
    is the day after the last day of a period of that many months (``workload.default_end_date``),
    so someone who started on 31 August has 5 whole months on 28 February and 6 on 1 March.
    """
    if end < start:
        return 0
    delta = relativedelta(end, start)
    months = delta.years * 12 + delta.months
    # relativedelta counts a clamped anniversary (31 January + 1 month = 28 February) as reached.
    while months and _month_completed_on(start, months) > end:
        months -= 1
    return months


def _month_completed_on(start: dt.date, months: int) -> dt.date:
    """The day ``months`` whole months from ``start`` are complete (see ``whole_months_between``)."""
    anniversary = add_months(start, months)
    return anniversary if anniversary.day == start.day else anniversary + _ONE_DAY
