"""Reads for the workload pages (/workload/): practitioners of the teams in a viewer's scope with their live
workload, reductions and run of weeks over 110%, and one practitioner's history. Fixed query counts.

Which teams and staff a viewer may see is decided in ``casework.access.visibility`` (``workforce_teams``,
``visible_staff``); the figures come from ``casework.workforce.workload``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q

from casework.access.viewer import Viewer, membership_current_on
from casework.access.visibility import visible_cases, visible_staff
from casework.organisation.models import Team
from casework.record.models import Case
from casework.rules import workload as engine
from casework.workforce.models import CourtReport, Reduction, Staff, TeamMembership
from casework.workforce.workload import (
    PRACTITIONER_GRADES,
    ExcessiveRun,
    PractitionerWorkload,
    WeekReading,
    excessive_runs,
    practitioner_workloads,
    run_in_history,
    snapshot_history,
)


@dataclass(frozen=True)
class PractitionerRow:
    """One practitioner on the workload page."""

    staff: Staff
    teams: tuple[Team, ...]
    figures: PractitionerWorkload
    run: ExcessiveRun
    reductions: tuple[Reduction, ...]  # active on the day
    reduction_hours: Decimal

    @property
    def over_capacity(self) -> bool:
        return engine.is_over_capacity(self.figures.capacity_percent)

    @property
    def excessive(self) -> bool:
        return engine.is_excessive(self.figures.capacity_percent)

    @property
    def no_capacity(self) -> bool:
        return self.figures.capacity_percent is None


def _active(as_of: dt.date) -> Q:
    return Q(start__lte=as_of) & (Q(end__isnull=True) | Q(end__gte=as_of))


def _sort_key(row: PractitionerRow) -> tuple:
    capacity = row.figures.capacity_percent
    return (capacity is None, -(capacity or 0), row.staff.last_name, row.staff.first_name, row.staff.pk)


def team_workloads(teams: Sequence[Team], *, as_of: dt.date) -> list[PractitionerRow]:
    """Every practitioner (PO, PQiP, PSO) in post and in one of ``teams`` on ``as_of``, highest capacity
    first (no capacity last). Nine queries however many practitioners and cases: memberships, the six
    of ``practitioner_workloads``, active reductions and the weekly snapshots."""
    if not teams:
        return []
    memberships = (TeamMembership.objects.filter(membership_current_on(as_of), team__in=list(teams),
                                                 staff__grade__in=PRACTITIONER_GRADES,
                                                 staff__started_in_post__lte=as_of)
                   .filter(Q(staff__ended__isnull=True) | Q(staff__ended__gte=as_of))
                   .select_related("staff", "team").order_by("team__name", "pk"))
    staff: dict[int, Staff] = {}
    their_teams: dict[int, list[Team]] = defaultdict(list)
    for membership in memberships:
        staff.setdefault(membership.staff_id, membership.staff)
        if membership.team not in their_teams[membership.staff_id]:
            their_teams[membership.staff_id].append(membership.team)
    if not staff:
        return []
    ids = list(staff)
    figures = practitioner_workloads(ids, as_of=as_of)
    reductions: dict[int, list[Reduction]] = defaultdict(list)
    for reduction in Reduction.objects.filter(_active(as_of), staff_id__in=ids).order_by("start", "pk"):
        reductions[reduction.staff_id].append(reduction)
    runs = excessive_runs(ids, as_of=as_of)
    rows = []
    for staff_id, member in staff.items():
        active = tuple(reductions[staff_id])
        hours = engine.reduction_hours(member.contracted_hours, [engine.Reduction(hours=r.hours) for r in active])
        rows.append(PractitionerRow(staff=member, teams=tuple(their_teams[staff_id]), figures=figures[staff_id],
                                    run=runs[staff_id], reductions=active, reduction_hours=hours))
    return sorted(rows, key=_sort_key)


def practitioner_get(viewer: Viewer, code: str, *, today: dt.date) -> Staff | None:
    """The practitioner with staff code ``code`` if ``viewer`` may see their workload (a current member of
    a team in the viewer's workforce scope), else None — the same whether they exist or not."""
    return visible_staff(viewer, today=today,
                         queryset=Staff.objects.filter(code=code, grade__in=PRACTITIONER_GRADES)).first()


@dataclass(frozen=True)
class ReportLine:
    """A court report on the practitioner page, with its case's CRN only when the viewer may see the case."""

    report: CourtReport
    crn: str
    open: bool


@dataclass(frozen=True)
class PractitionerDetail:
    staff: Staff
    teams: tuple[Team, ...]
    figures: PractitionerWorkload
    run: ExcessiveRun
    history: list[WeekReading]
    reductions: list[Reduction]
    reports: list[ReportLine]
    listed_cases: list[dict]  # the cases behind the reports the viewer was shown (for the audit of limited access)


def practitioner_detail(viewer: Viewer, staff: Staff, *, as_of: dt.date, weeks: int,
                        report_limit: int = 50) -> PractitionerDetail:
    """Everything the practitioner page shows, in a fixed number of queries (one more when a report names
    a case): current teams, live workload, weekly history and run over 110%, every reduction, and the
    latest ``report_limit`` court reports."""
    teams = tuple(m.team for m in TeamMembership.objects.filter(membership_current_on(as_of), staff=staff)
                  .select_related("team").order_by("team__name", "pk"))
    figures = practitioner_workloads([staff.pk], as_of=as_of)[staff.pk]
    history = snapshot_history(staff.pk, as_of=as_of, weeks=weeks)
    run = run_in_history(history, as_of=as_of)
    reductions = list(Reduction.objects.filter(staff=staff).order_by("-start", "-pk"))
    reports = list(CourtReport.objects.filter(staff=staff)
                   .order_by(F("completed_on").desc(nulls_first=True), "-requested_on", "-pk")
                   .filter(Q(completed_on__isnull=True) | Q(completed_on__gte=as_of - dt.timedelta(weeks=weeks)))
                   [:report_limit])
    case_ids = {r.case_id for r in reports if r.case_id}
    shown: dict[int, dict] = {}
    if case_ids:
        shown = {c["pk"]: c for c in visible_cases(viewer, Case.objects.filter(pk__in=case_ids))
                 .values("pk", "crn", "restricted", "has_exclusions")}
    lines = [ReportLine(r, shown[r.case_id]["crn"] if r.case_id in shown else "", r.is_open_on(as_of))
             for r in reports]
    return PractitionerDetail(staff=staff, teams=teams, figures=figures, run=run, history=history,
                              reductions=reductions, reports=lines, listed_cases=list(shown.values()))
