"""Safeguard tasks where people work: ``/tasks/`` (a practitioner's own, an SPO's teams'), one task with
why it exists and the forms that close it, and the case overview's Safeguards section rows."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from casework.access.policy import Perm, requires
from casework.access.visibility import manages_any_team, not_required_deciders
from casework.rules.safeguard_deciders import Decider, not_required_refusal
from casework.rules.safeguards import DEFAULT_SCHEDULE, ChildrenContact, SafeguardSchedule
from casework.rules.safeguards import Safeguard as EngineSafeguard
from casework.ruleset.selectors import safeguard_deciders_in_force
from casework.safeguards import explain, services
from casework.safeguards.selectors import (
    STATUS_FILTERS,
    TeamTaskFilters,
    case_tasks,
    policy_words,
    practitioner_tasks,
    task_get,
    team_practitioners,
    team_tasks,
)
from casework.web.safeguard_forms import TaskDoneForm, TaskNotRequiredForm, TeamTaskFilterForm
from casework.web.views.common import get_case, page_number, save_form

DECIDER_WORDS = {Decider.PRACTITIONER: "the case manager", Decider.SPO: "the senior probation officer",
                 Decider.HEAD_OF_PDU: "the head of the PDU"}


def _policy(task) -> SafeguardSchedule:
    return SafeguardSchedule.from_dict(task.policy.data) if task.policy_id else DEFAULT_SCHEDULE


def status_words(task, today: dt.date) -> tuple[str, str]:
    """The task's status tag: words and GOV.UK tag colour."""
    if task.status == "OPEN":
        if task.due < today:
            return "Overdue", "govuk-tag--red"
        if task.due == today:
            return "Due today", "govuk-tag--orange"
        return "Due", "govuk-tag--blue"
    return task.get_status_display(), "govuk-tag--green" if task.status == "DONE" else "govuk-tag--grey"


def task_rows(tasks, today: dt.date, *, with_policy: bool = False) -> list[dict]:
    """What a list of tasks shows per task (``with_policy``: the policy's words; needs ``policy__pdu``)."""
    rows = []
    for task in tasks:
        words, colour = status_words(task, today)
        rows.append({"task": task, "status": words, "colour": colour, "open": task.status == "OPEN",
                     "why": explain.trigger_text(task.trigger, task.created_on),
                     "policy": policy_words(task) if with_policy else ""})
    return rows



def _decision(viewer, task):
    """(may the viewer decide this task is not required, who may) for the task page."""
    case = task.case
    if task.trigger == "PERIODIC":
        return "PERIODIC", ""
    policy, _config = safeguard_deciders_in_force(case.pdu)
    children = ChildrenContact(case.children_contact)
    refusal = not_required_refusal(safeguard=EngineSafeguard(task.safeguard), children_contact=children,
                                   roles=not_required_deciders(viewer, case), policy=policy)
    deciders = policy.deciders(EngineSafeguard(task.safeguard), children)
    who = " or ".join(DECIDER_WORDS[d] for d in Decider if d in deciders)
    return refusal, who


def _task_context(request, visible, task, today):
    refusal, who = _decision(request.viewer, task)
    words, colour = status_words(task, today)
    return {"case": visible.case, "task": task, "status": words, "colour": colour, "can_change": visible.can_change,
            "why": explain.trigger_text(task.trigger, task.created_on),
            "rule": explain.rule_text(task.safeguard, _policy(task)), "closes": explain.closes_text(task.safeguard),
            "policy": policy_words(task), "may_decide": refusal is None, "refusal": refusal, "deciders": who,
            "section": "overview"}


@requires(Perm.CASE_VIEW)
def task_page(request, crn: str, task_id: int):
    visible = get_case(request, crn, page="safeguard task")
    task = task_get(case=visible, task_id=task_id)
    today = timezone.localdate()
    form = TaskDoneForm(request.POST or None, initial={"version": task.version})
    if request.method == "POST":
        if not visible.can_change or task.status != "OPEN":
            raise PermissionDenied("Only the case manager or the team's SPO can close this task")
        if form.is_valid():
            data = form.cleaned_data
            if save_form(form, lambda: services.task_close_done(task=task, by=request.user,
                                                            expected_version=data["version"],
                                                            done_on=data["done_on"], outcome=data["outcome"])):
                messages.success(request, f"{task.get_safeguard_display()} recorded as done")
                return redirect(reverse("case-overview", args=[visible.case.crn]) + "#safeguards")
    return render(request, "web/safeguards/task.html", {**_task_context(request, visible, task, today), "form": form})


@requires(Perm.CASE_VIEW)
def task_not_required(request, crn: str, task_id: int):
    visible = get_case(request, crn, page="safeguard task not required")
    task = task_get(case=visible, task_id=task_id)
    today = timezone.localdate()
    context = _task_context(request, visible, task, today)
    form = TaskNotRequiredForm(request.POST or None, initial={"version": task.version})
    if request.method == "POST" and form.is_valid():
        # A refusal (the task closed meanwhile; the person's contact with children or the deciders policy
        # changed since the form was opened) is said on the form, the reason typed kept: never a bare 403.
        if task.status != "OPEN":
            form.add_error(None, services.ALREADY_CLOSED)
        else:
            data = form.cleaned_data
            if save_form(form, lambda: services.task_mark_not_required(task=task, by=request.user,
                                                                   expected_version=data["version"],
                                                                   reason=data["reason"]),
                     refusal_on_form=True):
                messages.success(request, f"{task.get_safeguard_display()} recorded as not required")
                return redirect(reverse("case-overview", args=[visible.case.crn]) + "#safeguards")
    return render(request, "web/safeguards/not_required.html", {**context, "form": form})


def _mine(request, today):
    groups = practitioner_tasks(viewer=request.viewer, today=today)
    sections = [("overdue", "Overdue", groups.overdue), ("today", "Due today", groups.today),
                ("this-week", "Due in the next 5 working days", groups.this_week), ("later", "Later", groups.later)]
    return {"view": "mine", "groups": groups, "sections": [
        {"id": key, "title": title, "rows": task_rows(tasks, today)} for key, title, tasks in sections]}


def _team(request, today):
    viewer = request.viewer
    form = TeamTaskFilterForm(request.GET or None, practitioners=team_practitioners(viewer=viewer))
    filters = TeamTaskFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = TeamTaskFilters(safeguard=data["safeguard"], practitioner=data["practitioner"],
                                  status=data["status"] or "OPEN")
    page = team_tasks(viewer=viewer, today=today, filters=filters, page=page_number(request))
    return {"view": "team", "form": form, "page": page, "rows": task_rows(page.object_list, today),
            "status_label": STATUS_FILTERS[filters.status]}


@requires(Perm.TASKS_VIEW)
def tasks_page(request):
    """A practitioner's own open tasks by when due; an SPO's teams' tasks, filtered (``?view=mine`` for
    an SPO who also holds cases)."""
    viewer = request.viewer
    today = timezone.localdate()
    team_view = manages_any_team(viewer) and (request.GET.get("view") != "mine" or not viewer.is_practitioner)
    context = _team(request, today) if team_view else _mine(request, today)
    return render(request, "web/safeguards/tasks.html",
                  {**context, "today": today, "both": manages_any_team(viewer) and viewer.is_practitioner})


def case_safeguards(visible) -> dict:
    """The case overview's Safeguards section (one query): open tasks, then closed ones."""
    today = timezone.localdate()
    rows = task_rows(case_tasks(case=visible), today, with_policy=True)
    return {"open": [r for r in rows if r["open"]], "closed": [r for r in rows if not r["open"]],
            "overdue": sum(1 for r in rows if r["open"] and r["task"].due < today)}
