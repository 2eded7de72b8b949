"""What every part of the generator draws with: weighted choices, date steps, and the shared ``Setting``.

Generation is deterministic: one seeded ``random.Random`` and ``now`` in, unsaved model instances
out, with no database reads. Every date is an offset from ``now``, so the world is the same every
day, only shifted. The parts (``people``, ``sentences``, ``allocation``, ``risk``, ``contacts``)
all draw from the one stream in the ``Setting``, in a fixed order: changing the order of draws
changes the world.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from casework.rules.calendar import add_months

if TYPE_CHECKING:
    from casework.demo.organisation import Organisation
    from casework.demo.scale import Scale
    from casework.record.models import OffenceType, RegistrationType


class Weighted:
    """A fixed weighted choice, drawn with one ``random()`` call."""

    def __init__(self, pairs: Sequence[tuple[object, float]]):
        self.values = [value for value, _ in pairs]
        self.cumulative = []
        total = 0.0
        for _, weight in pairs:
            total += weight
            self.cumulative.append(total)
        self.total = total

    def pick(self, rng: random.Random):
        return self.values[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


def days(n: float) -> dt.timedelta:
    return dt.timedelta(days=int(n))


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters only, for usernames and email addresses."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalpha())


def two_dp(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


class Setting:
    """The stream, the day and the organisation every part of the people generator shares."""

    def __init__(self, scale: Scale, rng: random.Random, org: Organisation, now: dt.datetime,
                 offence_types: dict[str, OffenceType], registration_types: dict[str, RegistrationType]):
        self.scale, self.rng, self.org, self.now = scale, rng, org, now
        self.tz = timezone.get_default_timezone()
        self.today = timezone.localdate(now)
        self.window_start = add_months(self.today, -scale.months_of_contacts)
        self.horizon = self.today + dt.timedelta(weeks=scale.weeks_ahead)
        self.offence_types = offence_types
        self.registration_types = registration_types
        self._weighted_cache: dict[tuple, Weighted] = {}

    def pick(self, pairs: tuple[tuple[object, float], ...]) -> object:
        """A weighted choice from ``((value, weight), ...)``; each table's cumulative weights are kept."""
        table = self._weighted_cache.get(pairs)
        if table is None:
            table = self._weighted_cache[pairs] = Weighted(pairs)
        return table.pick(self.rng)

    def at(self, day: dt.date, hour: int, minute: int) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.tz)


class Part:
    """One job of the people generator: reads the shared ``Setting`` through short local names."""

    def __init__(self, setting: Setting):
        self.setting = setting
        self.scale, self.rng, self.org, self.now = setting.scale, setting.rng, setting.org, setting.now
        self.today, self.tz = setting.today, setting.tz
        self.window_start, self.horizon = setting.window_start, setting.horizon
        self.pick, self.at = setting.pick, setting.at
