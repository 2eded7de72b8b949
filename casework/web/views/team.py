"""Team caseloads for SPOs, team members (read-only) and those with a wider scope."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone

from casework.access.policy import Perm, requires
from casework.record.selectors import (
    TeamFilters,
    team_caseload,
    team_get_for_user,
    team_members,
    teams_for_user,
)
from casework.web.page_forms import TeamFilterForm
from casework.web.views.common import page_number


@requires(Perm.TEAM_VIEW)
def team_list(request):
    return render(request, "web/team/list.html", {"teams": teams_for_user(viewer=request.viewer)})


@requires(Perm.TEAM_VIEW)
def team_caseload_page(request, code: str):
    viewer = request.viewer
    team = team_get_for_user(viewer=viewer, code=code)
    members = team_members(viewer=viewer, team=team, today=timezone.localdate())
    form = TeamFilterForm(request.GET, members=members)
    filters = TeamFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = TeamFilters(manager=data["manager"], tier=data["tier"], rosh=data["rosh"],
                              unallocated=data["unallocated"])
    page = team_caseload(viewer=viewer, team=team, filters=filters, page=page_number(request), now=timezone.now())
    return render(
        request,
        "web/team/caseload.html",
        {
            "team": team,
            "members": members,
            "form": form,
            "page": page,
            "manages": team.pk in viewer.managed_team_ids,
        },
    )
