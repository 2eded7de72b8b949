"""A team's establishment against its staff: funded, filled and vacant posts by grade. Pure: no Django.

- A member of staff fills ``contracted hours / 37`` of a post (full time is 37 hours a week, as for
  workload, rules.md §2.2): 37 hours fill 1.00 post, 18.5 hours 0.50. Reductions do not empty a post:
  someone on leave still holds it.
- Filled FTE for a grade is the sum over the team's members of that grade on the day (current team
  memberships of staff in post), rounded to 2 decimal places.
- Vacant FTE is funded minus filled when that is above 0; filled above funded is shown as over
  establishment, never as a negative vacancy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FULL_TIME_HOURS = Decimal(37)
FTE_MAX = Decimal("999.99")
_CENT = Decimal("0.01")

FTE_REQUIRED = "Enter the funded posts for {grade}, as a number of full-time posts like 6 or 5.5"
FTE_NOT_A_NUMBER = "Enter the funded posts for {grade} as a number, like 6 or 5.5"
FTE_OUT_OF_RANGE = "The funded posts for {grade} must be between 0 and 999.99"
FTE_TOO_PRECISE = "Enter the funded posts for {grade} with no more than 2 decimal places"


def round_fte(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def fte_of(contracted_hours: Decimal | int | str) -> Decimal:
    """The share of a full-time post that ``contracted_hours`` a week fill (unrounded)."""
    return Decimal(contracted_hours) / FULL_TIME_HOURS


def filled_fte(contracted_hours: Iterable[Decimal | int | str]) -> Decimal:
    """The posts filled by members with these contracted hours, to 2 decimal places."""
    return round_fte(fte_of(sum((Decimal(hours) for hours in contracted_hours), Decimal(0))))


def fte_problem(value: Decimal | int | str | None, grade_label: str) -> str | None:
    """What is wrong with ``value`` as a number of funded posts (``None`` when nothing is)."""
    words = grade_label[0].lower() + grade_label[1:]
    if value is None or (isinstance(value, str) and not value.strip()):
        return FTE_REQUIRED.format(grade=words)
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        return FTE_NOT_A_NUMBER.format(grade=words)
    if not number.is_finite():
        return FTE_NOT_A_NUMBER.format(grade=words)
    if not Decimal(0) <= number <= FTE_MAX:
        return FTE_OUT_OF_RANGE.format(grade=words)
    if number != number.quantize(_CENT, rounding=ROUND_HALF_UP):
        return FTE_TOO_PRECISE.format(grade=words)
    return None


@dataclass(frozen=True)
class GradeLine:
    """One grade of a team's establishment."""

    grade: str
    label: str
    funded: Decimal
    filled: Decimal
    people: int

    @property
    def gap(self) -> Decimal:
        return self.funded - self.filled

    @property
    def vacant(self) -> Decimal:
        """Funded posts nobody fills (0 when the grade is full or over)."""
        return max(self.gap, Decimal(0))

    @property
    def over(self) -> Decimal:
        """Posts filled beyond those funded (0 when within establishment)."""
        return max(-self.gap, Decimal(0))


@dataclass(frozen=True)
class Establishment:
    """A team's establishment: a line per grade and the totals."""

    lines: tuple[GradeLine, ...]

    @property
    def funded(self) -> Decimal:
        return sum((line.funded for line in self.lines), Decimal(0))

    @property
    def filled(self) -> Decimal:
        return sum((line.filled for line in self.lines), Decimal(0))

    @property
    def vacant(self) -> Decimal:
        return sum((line.vacant for line in self.lines), Decimal(0))

    @property
    def over(self) -> Decimal:
        return sum((line.over for line in self.lines), Decimal(0))

    @property
    def people(self) -> int:
        return sum(line.people for line in self.lines)


def establishment(grades: Iterable[tuple[str, str]], funded: Mapping[str, Decimal],
                  hours: Mapping[str, Decimal], people: Mapping[str, int]) -> Establishment:
    """The establishment for ``grades`` (code, words): funded FTE, and the members' contracted hours added
    up and counted, by grade."""
    return Establishment(tuple(
        GradeLine(grade=code, label=label, funded=round_fte(Decimal(funded.get(code, 0))),
                  filled=round_fte(fte_of(hours.get(code, 0))), people=people.get(code, 0))
        for code, label in grades
    ))
