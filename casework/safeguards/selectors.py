"""Every read of safeguard tasks. Case-scoped reads take the ``VisibleCase`` from ``case_get_for_user``;
lists go through ``visible_cases`` so a restricted or excluded case never shows (``visible_tasks``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from casework.access.viewer import Viewer
from casework.access.visibility import VisibleCase, in_managed_teams, manages_any_team, require_visible, visible_cases
from casework.record.models import Case
from casework.rules.calendar import working_days_after
from casework.safeguards.choices import TaskStatus
from casework.safeguards.models import SafeguardTask
from casework.workforce.models import Staff

TASKS_PAGE_SIZE = 50


def visible_tasks(viewer: Viewer) -> QuerySet[SafeguardTask]:
    """Tasks on cases ``viewer`` may see (the base of every list and figure of tasks)."""
    return SafeguardTask.objects.filter(case__in=visible_cases(viewer).values("pk"))


def case_tasks(*, case: VisibleCase) -> list[SafeguardTask]:
    """Every task of a case: open ones first by due date, then closed ones, newest first (one query)."""
    tasks = list(require_visible(case).safeguard_tasks.select_related("decided_by", "met_by", "policy__pdu", "event")
                 .order_by("due", "safeguard", "created_on", "occurrence"))
    open_tasks = [t for t in tasks if t.status == TaskStatus.OPEN]
    closed = sorted((t for t in tasks if t.status != TaskStatus.OPEN),
                    key=lambda t: (t.done_on or t.due, t.pk), reverse=True)
    return open_tasks + closed


def task_get(*, case: VisibleCase, task_id: int) -> SafeguardTask:
    """One task of a case fetched with ``case_get_for_user``, or 404."""
    task = (require_visible(case).safeguard_tasks.select_related("case", "decided_by", "met_by", "policy__pdu", "event")
            .filter(pk=task_id).first())
    if task is None:
        raise Http404("No such task")
    return task


def overdue_count_subquery(today: dt.date) -> Coalesce:
    """An annotation for case lists: how many of the case's tasks are open past their due date."""
    overdue = (SafeguardTask.objects.filter(case=OuterRef("pk"), status=TaskStatus.OPEN, due__lt=today)
               .order_by().values("case").annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(overdue, output_field=IntegerField()), Value(0))


def overdue_counts(case_ids: list[int], today: dt.date) -> dict[int, int]:
    """Overdue tasks per case (cases with none are left out); one query."""
    rows = (SafeguardTask.objects.filter(case_id__in=case_ids, status=TaskStatus.OPEN, due__lt=today)
            .order_by().values("case_id").annotate(n=Count("pk")).values_list("case_id", "n"))
    return dict(rows)


@dataclass
class TaskGroups:
    """A practitioner's open tasks by when they are due."""

    overdue: list[SafeguardTask] = field(default_factory=list)
    today: list[SafeguardTask] = field(default_factory=list)
    this_week: list[SafeguardTask] = field(default_factory=list)
    later: list[SafeguardTask] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.this_week) + len(self.later)


def _list_columns(qs: QuerySet[SafeguardTask]) -> QuerySet[SafeguardTask]:
    return qs.select_related("case", "case__manager").only(
        "id", "case_id", "safeguard", "trigger", "created_on", "due", "status", "done_on", "in_schedule",
        "case__crn", "case__first_name", "case__last_name", "case__restricted", "case__manager_id",
        "case__manager__first_name", "case__manager__last_name")


def practitioner_tasks(*, viewer: Viewer, today: dt.date) -> TaskGroups:
    """The open tasks on the viewer's own cases: overdue, due today, in the next five working days, later."""
    groups = TaskGroups()
    if not viewer.staff_id:
        return groups
    own = visible_cases(viewer, Case.objects.filter(manager_id=viewer.staff_id)).values("pk")
    week_end = working_days_after(today, 5)
    qs = _list_columns(SafeguardTask.objects.filter(case__in=own, status=TaskStatus.OPEN)).order_by(
        "due", "case__last_name", "safeguard", "pk")
    for task in qs:
        if task.due < today:
            groups.overdue.append(task)
        elif task.due == today:
            groups.today.append(task)
        elif task.due <= week_end:
            groups.this_week.append(task)
        else:
            groups.later.append(task)
    return groups


STATUS_FILTERS = {
    "OPEN": "Open",
    "OVERDUE": "Overdue",
    "DONE": "Done",
    "NOT_REQUIRED": "Not required",
    "ALL": "All",
}


@dataclass(frozen=True)
class TeamTaskFilters:
    safeguard: str = ""
    practitioner: int | None = None
    status: str = "OPEN"


def team_tasks_queryset(*, viewer: Viewer, today: dt.date, filters: TeamTaskFilters) -> QuerySet[SafeguardTask]:
    """Tasks on the cases of the teams ``viewer`` manages, filtered, soonest due first."""
    cases = visible_cases(viewer, Case.objects.filter(in_managed_teams(viewer)))
    if filters.practitioner:
        cases = cases.filter(manager_id=filters.practitioner)
    qs = SafeguardTask.objects.filter(case__in=cases.values("pk"))
    if filters.safeguard:
        qs = qs.filter(safeguard=filters.safeguard)
    if filters.status == "OVERDUE":
        qs = qs.filter(status=TaskStatus.OPEN, due__lt=today)
    elif filters.status in (TaskStatus.OPEN, TaskStatus.DONE, TaskStatus.NOT_REQUIRED):
        qs = qs.filter(status=filters.status)
    return _list_columns(qs).order_by("due", "case__last_name", "safeguard", "pk")


def team_tasks(*, viewer: Viewer, today: dt.date, filters: TeamTaskFilters, page: int = 1) -> Page:
    """One page of ``team_tasks_queryset``."""
    return Paginator(team_tasks_queryset(viewer=viewer, today=today, filters=filters), TASKS_PAGE_SIZE).get_page(page)


def team_practitioners(*, viewer: Viewer) -> list[Staff]:
    """The case managers of the cases in the teams ``viewer`` manages (the practitioner filter's choices)."""
    if not manages_any_team(viewer):
        return []
    return list(Staff.objects.filter(in_managed_teams(viewer, "caseload__team_id")).distinct()
                .order_by("last_name", "first_name").only("id", "first_name", "last_name"))


def reminders_due(*, today: dt.date, horizon: dt.date) -> QuerySet[SafeguardTask]:
    """Open tasks overdue or due by ``horizon`` on current cases with a case manager (``casework remind``)."""
    return (SafeguardTask.objects.filter(status=TaskStatus.OPEN, due__lte=horizon, case__manager__isnull=False,
                                         case__status=Case.Status.CURRENT)
            .select_related("case", "case__manager").order_by("case__manager_id", "due", "case__last_name", "pk"))


def policy_words(task: SafeguardTask) -> str:
    """The stored policy a task was computed under, in words (needs ``policy__pdu`` loaded)."""
    config = task.policy
    if config is None:
        return "the rules reference defaults"
    where = f"{config.pdu.name} local policy" if config.pdu_id else "national policy"
    return f"{where}, version {config.version}"
