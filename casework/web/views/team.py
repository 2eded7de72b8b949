"""Team caseloads for SPOs, team members (read-only) and those with a wider scope."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone

from casework.access.policy import Perm, has_perm, requires
from casework.access.services import case_list_exported, restricted_cases_listed
from casework.access.visibility import manages_team
from casework.record.choices import RiskLevel
from casework.record.selectors import (
    TeamFilters,
    team_caseload,
    team_caseload_all,
    team_get_for_user,
    team_members,
    teams_for_user,
)
from casework.web.csv_export import csv_response
from casework.web.page_forms import TeamFilterForm
from casework.web.rows import case_rows
from casework.web.templatetags.govuk import sentence_label
from casework.web.views.common import page_number

EXPORT_HEADER = ["crn", "last name", "first name", "tier", "rosh", "case manager", "sentence",
                 "next appointment", "outcomes to record", "restricted"]


@requires(Perm.TEAM_VIEW)
def team_list(request):
    return render(request, "web/team/list.html", {"teams": teams_for_user(viewer=request.viewer)})


def _team_filters(request, team, *, count_cases: bool = True, members_needed: bool = True):
    members = (team_members(viewer=request.viewer, team=team, today=timezone.localdate(), count_cases=count_cases)
               if members_needed else [])
    form = TeamFilterForm(request.GET, members=members)
    filters = TeamFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = TeamFilters(manager=data["manager"], tier=data["tier"], rosh=data["rosh"],
                              unallocated=data["unallocated"])
    return members, form, filters


@requires(Perm.TEAM_VIEW)
def team_caseload_page(request, code: str):
    viewer = request.viewer
    team = team_get_for_user(viewer=viewer, code=code)
    members, form, filters = _team_filters(request, team)
    page = team_caseload(viewer=viewer, team=team, filters=filters, page=page_number(request), now=timezone.now())
    restricted_cases_listed(cases=page.object_list, by=request.user, page=f"team caseload {team.code}")
    return render(
        request,
        "web/team/caseload.html",
        {
            "team": team,
            "members": members,
            "form": form,
            "page": page,
            "rows": case_rows(page.object_list, show_manager=True),
            "manages": manages_team(viewer, team),
            "can_export": has_perm(viewer, Perm.CASE_EXPORT),
            "export_query": request.GET.urlencode(),
        },
    )


@requires(Perm.CASE_EXPORT)
def team_caseload_export(request, code: str):
    """The team's cases that the viewer may see, with the page's filters, as CSV; every export is audited."""
    viewer = request.viewer
    team = team_get_for_user(viewer=viewer, code=code)
    # The form needs the members only to check a case-manager filter (who, not how many).
    _, _, filters = _team_filters(request, team, count_cases=False, members_needed=bool(request.GET.get("manager")))
    cases = team_caseload_all(viewer=viewer, team=team, filters=filters, now=timezone.now())
    case_list_exported(by=request.user, what=f"team caseload export {team.code}",
                       filters={k: v for k, v in vars(filters).items() if v}, cases=cases)
    rosh_labels = dict(RiskLevel.choices)  # not get_rosh_display(), which rebuilds this dict for every row
    zone = timezone.get_current_timezone()
    rows = (
        [c["crn"], c["last_name"], c["first_name"], c["tier"],
         rosh_labels.get(c["rosh"], c["rosh"]) if c["rosh"] else "",
         f"{c['manager_first_name']} {c['manager_last_name']}" if c["manager"] else "",
         sentence_label(c["sentence_kind"], c["sentence_status"]) if c["sentence_kind"] else "",
         c["next_appointment"].astimezone(zone).isoformat() if c["next_appointment"] else "", c["outcomes_due"],
         "yes" if c["restricted"] else "no"]
        for c in cases
    )
    return csv_response(f"{team.code}-caseload-{timezone.localdate():%Y-%m-%d}.csv", EXPORT_HEADER, rows)
