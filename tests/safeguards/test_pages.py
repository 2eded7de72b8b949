"""Safeguard task pages: the case overview's section, one task with its close forms, /tasks/, caseload rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.rules.calendar import working_days_after
from casework.safeguards import selectors, services
from casework.safeguards.choices import TaskStatus
from casework.safeguards.models import SafeguardTask
from casework.supervision.models import CaseEvent
from tests import factories

pytestmark = pytest.mark.django_db


def today() -> dt.date:
    return timezone.localdate()


def started(po, days_ago=40, **case_fields):
    case = factories.AllocatedCaseFactory(manager=po, **case_fields)
    start = today() - dt.timedelta(days=days_ago)
    factories.CommunityOrderFactory(case=case, sentence_date=start, start_date=start)
    services.tasks_recompute(case=case, trigger="test")
    return case


def task(case, safeguard, trigger="START"):
    return SafeguardTask.objects.get(case=case, safeguard=safeguard, trigger=trigger)


def day(value: dt.date, name: str) -> dict[str, str]:
    return {f"{name}_0": str(value.day), f"{name}_1": str(value.month), f"{name}_2": str(value.year)}


def html(response) -> str:
    return response.content.decode()


def test_the_overview_shows_each_open_safeguard_with_why_and_when(signed_in, po):
    case = started(po)
    page = html(signed_in(po).get(reverse("case-overview", args=[case.crn])))
    assert 'id="safeguards"' in page and "Domestic abuse enquiry with the police" in page
    assert "The order or licence started on" in page and "Under national policy, version 1" in page
    assert "Overdue" in page and "DOMESTIC_ABUSE_ENQUIRY" not in page
    assert reverse("safeguard-task", args=[case.crn, task(case, "DOMESTIC_ABUSE_ENQUIRY").pk]) in page


def test_the_task_page_says_why_and_what_closes_it(signed_in, po):
    case = started(po)
    enquiry = task(case, "DOMESTIC_ABUSE_ENQUIRY")
    page = html(signed_in(po).get(reverse("safeguard-task", args=[case.crn, enquiry.pk])))
    assert "due 15 working days from the start" in page and "It can never be recorded as not required" in page
    assert "national policy, version 1" in page and "Record as done" in page
    assert reverse("safeguard-task-not-required", args=[case.crn, enquiry.pk]) not in page


def test_the_practitioner_records_the_police_response_and_the_task_closes(signed_in, po):
    case = started(po)
    enquiry = task(case, "DOMESTIC_ABUSE_ENQUIRY")
    url = reverse("safeguard-task", args=[case.crn, enquiry.pk])
    response = signed_in(po).post(url, {"version": enquiry.version, **day(today(), "done_on"),
                                        "outcome": "Police: 3 call-outs in 2 years, latest 2026-01-04"})
    assert response.status_code == 302 and response["Location"].endswith("#safeguards")
    enquiry.refresh_from_db()
    assert (enquiry.status, enquiry.done_on, enquiry.decided_by) == (TaskStatus.DONE, today(), po)


@pytest.mark.parametrize("data, message", [
    pytest.param({"outcome": ""}, "Enter the outcome", id="no-outcome"),
    pytest.param({"done_on": 1}, "The date it was done must be today or in the past", id="future"),
])
def test_closing_errors_show_in_the_summary(signed_in, po, data, message):
    case = started(po)
    enquiry = task(case, "DOMESTIC_ABUSE_ENQUIRY")
    form = {"version": enquiry.version, **day(today(), "done_on"), "outcome": "Police replied"}
    if "done_on" in data:
        form.update(day(today() + dt.timedelta(days=data.pop("done_on")), "done_on"))
    form.update(data)
    response = signed_in(po).post(reverse("safeguard-task", args=[case.crn, enquiry.pk]), form)
    assert response.status_code == 200
    assert "govuk-error-summary" in html(response) and message in html(response)
    assert task(case, "DOMESTIC_ABUSE_ENQUIRY").status == TaskStatus.OPEN


def test_a_reader_sees_the_task_but_cannot_close_it(signed_in, po, team):
    case = started(po)
    enquiry = task(case, "DOMESTIC_ABUSE_ENQUIRY")
    head = factories.HeadOfPduFactory()
    factories.grant(head, "HEAD_OF_PDU", pdu=team.pdu)
    client = signed_in(head)
    url = reverse("safeguard-task", args=[case.crn, enquiry.pk])
    assert "Record as done" not in html(client.get(url))
    assert client.post(url, {"version": 1, **day(today(), "done_on"), "outcome": "x"}).status_code == 403


def test_the_periodic_review_has_no_not_required_form(signed_in, po, team):
    spo = factories.SpoFactory(team=team)
    case = started(po)
    review = task(case, "RISK_REVIEW", "PERIODIC")
    url = reverse("safeguard-task-not-required", args=[case.crn, review.pk])
    assert "it moves on when a review is done" in html(signed_in(spo).get(url))
    refused = signed_in(spo).post(url, {"version": 1, "reason": "x"})
    assert refused.status_code == 200 and "govuk-error-summary" in html(refused)
    review.refresh_from_db()
    assert review.status == TaskStatus.OPEN


def test_only_the_spo_may_record_a_triggered_review_as_not_required(signed_in, po, team):
    spo = factories.SpoFactory(team=team)
    case = started(po)
    CaseEvent.objects.create(case=case, type="ARREST", occurred_on=today() - dt.timedelta(days=1), notes="x")
    services.tasks_recompute(case=case, trigger="test")
    review = task(case, "RISK_REVIEW", "ARREST")
    url = reverse("safeguard-task-not-required", args=[case.crn, review.pk])
    page = html(signed_in(po).get(url))
    assert "Only the senior probation officer can record that this is not required" in page
    refused = signed_in(po).post(url, {"version": 1, "reason": "Moved away"})
    assert refused.status_code == 200  # said in the error summary, not a bare 403
    assert "You are not entitled to decide that risk review is not required" in html(refused)
    assert "govuk-error-summary" in html(refused)
    review.refresh_from_db()
    assert review.status == TaskStatus.OPEN
    client = signed_in(spo)
    assert "Record as not required" in html(client.get(url))
    response = client.post(url, {"version": 1, "reason": ""})
    assert "Enter why it is not required" in html(response)
    response = client.post(url, {"version": 1, "reason": "Transferred to another area next week"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.decided_by) == (TaskStatus.NOT_REQUIRED, spo)


def test_practitioner_tasks_are_grouped_by_when_due(signed_in, po):
    case = started(po, days_ago=40)
    recent = started(po, days_ago=0)
    CaseEvent.objects.create(case=case, type="ARREST", occurred_on=today() - dt.timedelta(days=2), notes="x")
    services.tasks_recompute(case=case, trigger="test")
    response = signed_in(po).get(reverse("tasks"))
    groups = response.context["groups"]
    assert {t.case for t in groups.overdue} == {case}
    assert all(t.due > working_days_after(today(), 5) for t in groups.later)
    assert {t.safeguard for t in groups.this_week + groups.later if t.case == recent} >= {"DOMESTIC_ABUSE_ENQUIRY"}
    assert "Overdue (3)" in html(response)


def test_a_restricted_case_is_hidden_from_the_task_lists(signed_in, po, team):
    spo = factories.SpoFactory(team=team)
    other = factories.StaffFactory(team=team)
    hidden = started(other)
    factories.restrict(hidden, permitted=[other])
    shown = started(other)
    page = html(signed_in(spo).get(reverse("tasks"), {"status": "ALL"}))
    assert shown.crn in page and hidden.crn not in page


def test_the_spo_filters_their_teams_tasks(signed_in, po, team):
    spo = factories.SpoFactory(team=team)
    other = factories.StaffFactory(team=team)
    mine, theirs = started(po), started(other)
    client = signed_in(spo)
    page = client.get(reverse("tasks"), {"safeguard": "HOME_VISIT"}).context["page"]
    assert list(page.object_list) == []
    page = client.get(reverse("tasks"), {"practitioner": other.pk, "status": "OVERDUE"}).context["page"]
    assert {t.case for t in page.object_list} == {theirs}
    assert {t.safeguard for t in page.object_list} == {"DOMESTIC_ABUSE_ENQUIRY", "SAFEGUARDING_ENQUIRY",
                                                        "INITIAL_ROSH_ASSESSMENT"}
    assert mine.crn not in html(client.get(reverse("tasks"), {"practitioner": other.pk}))
    response = client.get(reverse("tasks"), {"status": "NONSENSE"})
    assert "Select a valid choice" in html(response)


def test_the_spo_list_is_paginated(signed_in, po, team, monkeypatch):
    monkeypatch.setattr(selectors, "TASKS_PAGE_SIZE", 3)
    spo = factories.SpoFactory(team=team)
    started(po)
    started(po)
    client = signed_in(spo)
    first = client.get(reverse("tasks"))
    assert first.context["page"].paginator.num_pages == 3 and "Page 1 of 3" in html(first)
    assert len(client.get(reverse("tasks"), {"page": 2}).context["page"].object_list) == 3


def test_caseload_rows_count_overdue_safeguards(signed_in, po):
    case = started(po)
    page = html(signed_in(po).get(reverse("caseload")))
    assert "Overdue safeguards" in page and "3 overdue" in page
    assert f'{reverse("case-overview", args=[case.crn])}#safeguards' in page
