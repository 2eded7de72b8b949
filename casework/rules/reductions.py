"""Checking a workload reduction as entered (rules.md §2.3): one pure function for every way in.

``resolve_reduction`` takes what someone entered (hours or a percentage, or neither for a reason with
a standard one; an end date or none for a reason with a standard length) and either returns the
reduction to store or raises ``ReductionInvalid`` with a message per field. The workforce services
call it before every write, and the reduction form gets its messages from the services, so a page,
the admin and a service caller all see the same answers. ``reduction_problems`` checks a reduction as
it stands (a stored one, or one about to be).

The table and its limits (reasons, percentages, lengths, hours from a percentage, status) are
``casework.rules.workload``'s; this module decides what an entry means and what is wrong with it.

Readings of rules.md (also in docs/rules.md):

- Hours and a percentage together are accepted only when they agree (a form showing both, with
  neither changed); entering hours replaces a percentage, entering a percentage works the hours out
  again from the contracted hours.
- A fixed-percentage reason with neither given takes its standard percentage; changing to such a
  reason without a percentage brings its percentage too.
- With no end date, a fixed-length reason ends after its standard length
  (``workload.default_end_date``); other reasons are open-ended only when the table allows it.
- "Other" needs notes saying what the reduction is for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from casework.rules import workload
from casework.rules.workload import ReductionReason

# Messages are constants so forms, services and tests share them (GOV.UK style).
REASON_REQUIRED = "Select the reason for the reduction"
HOURS_REQUIRED = "Enter the hours or the percentage of contracted hours taken off"
HOURS_OR_PERCENT = "Enter the hours or the percentage of contracted hours, not both"
START_REQUIRED = "Enter the start date"
PERCENT_OUT_OF_RANGE = "Percentage must be between 0 and {maximum}"
PERCENT_OVER_REASON = "Percentage for {reason} must be {maximum}% or less"
HOURS_DO_NOT_MATCH_PERCENT = "Hours must be {hours}: {percent}% of {contracted} contracted hours"
DETAIL_REQUIRED = ("Say in the notes what the reduction is for (for example disability, phased return, "
                   "co-working or court duty)")

_HUNDRED = Decimal(100)


class ReductionInvalid(ValueError):
    """A reduction that cannot be stored; ``errors`` has one message per field."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class ReductionValues:
    """A reduction ready to store: hours worked out, the standard end date filled in."""

    reason: ReductionReason
    hours: Decimal
    percent: Decimal | None
    start: dt.date
    end: dt.date | None
    notes: str

    def as_dict(self) -> dict[str, Any]:
        return {"reason": self.reason.value, "hours": self.hours, "percent": self.percent, "start": self.start,
                "end": self.end, "notes": self.notes}


def _decimal(value: Decimal | int | float | str) -> Decimal:
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"{value!r} is not a number") from exc


def _percent_in_range(percent: Decimal) -> bool:
    return Decimal(0) <= percent <= _HUNDRED


def resolve_reduction(
    *,
    reason: str | None,
    hours: Decimal | int | float | str | None,
    percent: Decimal | int | float | str | None,
    start: dt.date | None,
    end: dt.date | None,
    notes: str | None,
    contracted_hours: Decimal | int | float,
    hours_given: bool,
    percent_given: bool,
    reason_changed: bool = False,
) -> ReductionValues:
    """The reduction to store for an entry, or ``ReductionInvalid``.

    ``hours_given`` and ``percent_given`` say which of the two the person entered this time (on a
    change, the others are the stored values); ``reason_changed`` that the reason is new.
    """
    try:
        rule_reason = ReductionReason(reason)
    except ValueError:
        raise ReductionInvalid({"reason": REASON_REQUIRED}) from None
    if start is None:
        raise ReductionInvalid({"start": START_REQUIRED})
    rule = workload.REDUCTION_REASONS[rule_reason]
    contracted = _decimal(contracted_hours)
    if hours_given and percent_given and hours is not None and percent is not None:
        # Both is fine only when they agree (a form showing both, with neither changed).
        both = _decimal(percent)
        if not _percent_in_range(both) or _decimal(hours) != workload.Reduction(percent=both).hours_for(contracted):
            raise ReductionInvalid({"hours": HOURS_OR_PERCENT})
    elif hours_given and hours is not None:
        percent = None  # hours entered directly replace a percentage
    elif reason_changed and not percent_given and rule.default_percent is not None:
        percent = rule.default_percent  # a new fixed-percentage reason brings its percentage
    elif hours is None and percent is None and rule.default_percent is not None:
        percent = rule.default_percent
    if percent is not None:
        percent = _decimal(percent)
        if not _percent_in_range(percent):
            raise ReductionInvalid({"percent": PERCENT_OUT_OF_RANGE.format(maximum=100)})
        hours = workload.Reduction(percent=percent).hours_for(contracted)
    if hours is None:
        raise ReductionInvalid({"hours": HOURS_REQUIRED})
    values = ReductionValues(
        reason=rule_reason,
        hours=_decimal(hours),
        percent=percent,
        start=start,
        end=end if end is not None else workload.default_end_date(rule_reason, start),
        notes=notes or "",
    )
    errors = reduction_problems(reason=values.reason, hours=values.hours, percent=values.percent,
                                start=values.start, end=values.end, notes=values.notes,
                                contracted_hours=contracted)
    if errors:
        raise ReductionInvalid(errors)
    return values


def reduction_problems(*, reason: str, hours: Decimal | int | float, percent: Decimal | None, start: dt.date,
                       end: dt.date | None, notes: str, contracted_hours: Decimal | int | float) -> dict[str, str]:
    """Every rules.md §2.3 problem with a reduction as it stands, by field (empty when valid)."""
    rule_reason = ReductionReason(reason)
    rule = workload.REDUCTION_REASONS[rule_reason]
    contracted = _decimal(contracted_hours)
    errors: dict[str, str] = {}
    if percent is not None:
        if not _percent_in_range(percent):
            errors["percent"] = PERCENT_OUT_OF_RANGE.format(maximum=100)
        elif percent > rule.max_percent:
            errors["percent"] = PERCENT_OVER_REASON.format(reason=rule.label.lower(), maximum=rule.max_percent)
        else:
            expected = workload.Reduction(percent=percent).hours_for(contracted)
            if _decimal(hours) != expected:
                errors["hours"] = HOURS_DO_NOT_MATCH_PERCENT.format(hours=expected, percent=percent,
                                                                    contracted=contracted)
    for problem in workload.validate_reduction(reason=rule_reason, hours=hours, contracted_hours=contracted,
                                               start=start, end=end, notes=notes):
        if not (problem.field == "hours" and "percent" in errors):  # one message for the percentage
            errors.setdefault(problem.field, problem.message)
    if rule_reason == ReductionReason.OTHER and not notes.strip():
        errors.setdefault("notes", DETAIL_REQUIRED)
    return errors
