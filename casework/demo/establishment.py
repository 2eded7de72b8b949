"""Each generated team's funded posts (its establishment), unsaved: the posts its staff fill, plus vacancies.

``plan_funded_posts`` reads only the planned organisation and the ``rng`` it is given (a stream of its
own, so adding or changing establishments leaves every other generated record as it was):

- every grade is funded for the posts the team's staff in post fill (their contracted hours / 37, so a
  part-time post is funded at its hours);
- about a third of teams are funded for one more probation officer than they have (one in ten for
  two), a quarter for one more PSO and about one in seven for one more PQiP: the vacancies;
- about one team in twenty has one PSO more than it is funded for (over establishment);
- each team is funded for its SPO's post, and the first team (the demo ``spo``'s) always has a PO vacancy.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING

from casework.organisation.establishment import filled_fte
from casework.organisation.models import FundedPost, PostGrade

if TYPE_CHECKING:
    from casework.demo.organisation import Organisation

def plan_funded_posts(org: Organisation, rng: random.Random, today: dt.date) -> list[FundedPost]:
    hours: dict[str, dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    for plan in org.staff:
        staff = plan.staff
        in_post = staff.started_in_post <= today and (staff.ended is None or staff.ended >= today)
        if plan.team is not None and in_post and staff.grade in PostGrade.values:
            hours[plan.team.code][staff.grade].append(staff.contracted_hours)
    posts = []
    for index, team in enumerate(org.teams):
        funded = {grade: filled_fte(hours[team.code][grade]) for grade in PostGrade.values}
        roll = rng.random()
        if roll < 0.10:
            funded[PostGrade.PO] += 2
        elif roll < 0.35 or index == 0:
            funded[PostGrade.PO] += 1
        roll = rng.random()
        if roll < 0.25:
            funded[PostGrade.PSO] += 1
        elif roll < 0.30 and funded[PostGrade.PSO] >= 1:
            funded[PostGrade.PSO] -= 1
        if rng.random() < 0.15:
            funded[PostGrade.PQIP] += 1
        funded[PostGrade.SPO] = funded[PostGrade.SPO] or Decimal(1)
        posts.extend(FundedPost(team=team, grade=grade, fte=fte) for grade, fte in funded.items() if fte)
    return posts
