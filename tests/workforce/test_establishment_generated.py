"""Generated worlds: every team's funded posts (with some vacancies), and PO caseloads at scale.md's mean."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from casework.demo.builder import build_world
from casework.demo.establishment import plan_funded_posts
from casework.demo.organisation import plan_organisation
from casework.demo.scale import DEMO, NATIONAL, REGION, SMALL
from casework.organisation.models import FundedPost, PostGrade, Team
from casework.organisation.selectors import establishments
from casework.workforce.models import Grade

TODAY = dt.date(2026, 11, 27)


def planned(scale):
    return plan_organisation(scale, random.Random(scale.seed), TODAY, "not a real hash")


def test_every_team_is_funded_for_its_staff_and_some_have_vacancies():
    org = planned(DEMO)
    by_team: dict[str, dict[str, Decimal]] = {}
    for post in org.funded_posts:
        by_team.setdefault(post.team.code, {})[post.grade] = post.fte
    assert set(by_team) == {team.code for team in org.teams}
    filled: dict[str, dict[str, Decimal]] = {}
    for plan in org.staff:
        if plan.team is not None and plan.staff.ended is None and plan.staff.grade in PostGrade.values:
            grades = filled.setdefault(plan.team.code, {})
            grades[plan.staff.grade] = grades.get(plan.staff.grade, Decimal(0)) + plan.staff.contracted_hours / 37
    gaps = [posts.get(grade, Decimal(0)) - round(filled[code].get(grade, Decimal(0)), 2)
            for code, posts in by_team.items() for grade in PostGrade.values]
    assert all(gap in (-1, 0, 1, 2) for gap in gaps)  # whole posts vacant (or over), never rounding
    assert sum(gap > 0 for gap in gaps) >= 2 and all(posts[PostGrade.SPO] > 0 for posts in by_team.values())
    assert by_team[org.teams[0].code][PostGrade.PO] - filled[org.teams[0].code][PostGrade.PO] >= 1  # demo spo's
    assert all(post.fte > 0 for post in org.funded_posts)


def test_funded_posts_come_from_their_own_stream():
    """The same seed gives the same establishments, and drawing them changes nothing else in the world."""
    first, second = planned(SMALL), planned(SMALL)
    assert [(p.team.code, p.grade, p.fte) for p in first.funded_posts] == [
        (p.team.code, p.grade, p.fte) for p in second.funded_posts]
    again = plan_funded_posts(first, random.Random(f"{SMALL.seed}:establishment"), TODAY)
    assert [(p.team.code, p.grade, p.fte) for p in again] == [(p.team.code, p.grade, p.fte) for p in first.funded_posts]


@pytest.mark.parametrize("scale", [NATIONAL, REGION])
def test_generated_po_caseloads_are_scale_md_s_mean(scale):
    """scale.md: about 35–37 cases per probation officer; the other grades share the rest of the demand."""
    org = planned(scale)
    holders = [p for plans in org.practitioners.values() for p in plans]
    officers = [p.target for p in holders if p.staff.grade == Grade.PO]
    assert 35.5 <= sum(officers) / len(officers) <= 36.5
    demand = round(scale.people * (1 - scale.unallocated_share))
    assert abs(sum(p.target for p in holders) - demand) <= demand * 0.002  # each target rounded to a whole case


def test_the_demo_worlds_caseloads_are_unchanged():
    """Without a PO mean the demo shares demand out by one factor, as before (its logins and pages rely on it)."""
    assert DEMO.po_caseload_mean is None and SMALL.po_caseload_mean is None
    org = planned(DEMO)
    assert [p.target for p in org.practitioners[org.teams[0].code]] == [40, 56, 45, 69, 33, 25, 6, 6, 11]


@pytest.mark.django_db
def test_the_built_world_has_establishments_with_vacancies():
    build_world(scale=SMALL, now=dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC))
    teams = list(Team.objects.all())
    assert FundedPost.objects.filter(team__in=teams).values("team").distinct().count() == len(teams)
    found = establishments([t.pk for t in teams], today=TODAY)
    assert any(est.vacant > 0 for est in found.values())
    assert all(est.filled > 0 for est in found.values())
