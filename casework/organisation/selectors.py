"""Reads of team establishments: funded posts against the posts filled, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404

from casework.access.viewer import Viewer, membership_current_on
from casework.access.visibility import workforce_teams
from casework.organisation.establishment import Establishment, establishment
from casework.organisation.models import FundedPost, PostGrade, Team
from casework.workforce.models import TeamMembership

TEAMS_PAGE_SIZE = 50


def workforce_team_get(*, viewer: Viewer, code: str) -> Team:
    """A team whose workforce ``viewer`` may read, or 404 (the same whether it does not exist or is not theirs)."""
    team = workforce_teams(viewer, Team.objects.select_related("pdu__region").filter(code=code)).first()
    if team is None:
        raise Http404("No such team")
    return team


def workforce_team_choices(*, viewer: Viewer) -> list[Team]:
    """Every team whose workforce ``viewer`` may read, by PDU and name (for filters: one query)."""
    return list(workforce_teams(viewer, Team.objects.select_related("pdu")).order_by("pdu__name", "name", "pk"))


def workforce_teams_page(*, viewer: Viewer, page: int) -> Page:
    """A page of the teams whose workforce ``viewer`` may read, by PDU and name."""
    teams = workforce_teams(viewer, Team.objects.select_related("pdu")).order_by("pdu__name", "name", "pk")
    return Paginator(teams, TEAMS_PAGE_SIZE).get_page(page)


def funded_posts(team_ids: Iterable[int]) -> dict[int, dict[str, FundedPost]]:
    """Each team's funded posts by grade (one query; a team with none has an empty dict)."""
    ids = list(dict.fromkeys(team_ids))
    found: dict[int, dict[str, FundedPost]] = {team_id: {} for team_id in ids}
    for post in FundedPost.objects.filter(team_id__in=ids).order_by():
        found[post.team_id][post.grade] = post
    return found


def establishments(team_ids: Iterable[int], *, today: dt.date) -> dict[int, Establishment]:
    """Each team's establishment on ``today``: funded posts by grade against the posts its current members of
    that grade fill (contracted hours / 37). Two queries, however many teams and members."""
    ids = list(dict.fromkeys(team_ids))
    posts = funded_posts(ids)
    hours: dict[int, dict[str, Decimal]] = defaultdict(dict)
    people: dict[int, dict[str, int]] = defaultdict(dict)
    in_post = Q(staff__started_in_post__lte=today) & (Q(staff__ended__isnull=True) | Q(staff__ended__gte=today))
    rows = (TeamMembership.objects.filter(membership_current_on(today), in_post, team_id__in=ids,
                                          staff__grade__in=PostGrade.values)
            .order_by().values("team_id", "staff__grade")
            .annotate(hours=Sum("staff__contracted_hours"), people=Count("staff_id", distinct=True)))
    for row in rows:
        hours[row["team_id"]][row["staff__grade"]] = Decimal(row["hours"] or 0)
        people[row["team_id"]][row["staff__grade"]] = row["people"]
    return {team_id: establishment(PostGrade.choices, {grade: post.fte for grade, post in posts[team_id].items()},
                                   hours[team_id], people[team_id])
            for team_id in ids}


def establishment_members(*, team: Team, today: dt.date) -> list[TeamMembership]:
    """The team's current members in post in a funded grade, with their staff records (one query)."""
    in_post = Q(staff__started_in_post__lte=today) & (Q(staff__ended__isnull=True) | Q(staff__ended__gte=today))
    return list(TeamMembership.objects.filter(membership_current_on(today), in_post, team=team,
                                              staff__grade__in=PostGrade.values)
                .select_related("staff").order_by("staff__last_name", "staff__first_name", "staff_id"))
