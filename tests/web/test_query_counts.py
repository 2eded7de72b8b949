"""Pages run a fixed number of queries however big the caseload (no N+1)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def build_case(manager):
    case = factories.AllocatedCaseFactory(manager=manager)
    factories.CommunityOrderFactory(case=case)
    factories.AppointmentFactory(case=case)
    factories.FutureAppointmentFactory(case=case)
    factories.RegistrationFactory(case=case)
    factories.RiskAssessmentFactory(case=case)
    factories.AddressFactory(case=case)
    return case


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def grow(manager, n):
    return [build_case(manager) for _ in range(n)]


@pytest.mark.parametrize("page", ["caseload", "team", "search"])
def test_list_pages_do_not_grow_with_caseload(signed_in, po, team, page):
    spo = factories.SpoFactory(team=team)
    client = signed_in(spo if page == "team" else po)
    url = {"caseload": reverse("caseload"), "team": reverse("team-caseload", args=[team.code]),
           "search": reverse("search") + "?q=smith"}[page]
    grow(po, 2)
    small = queries_for(client, url)
    grow(po, 15)
    large = queries_for(client, url)
    assert small == large, f"{page}: {small} queries with 2 cases, {large} with 17"


@pytest.mark.parametrize("page", ["case-overview", "case-contacts", "case-history"])
def test_case_pages_do_not_grow_with_contacts(signed_in, po, page):
    case = build_case(po)
    client = signed_in(po)
    url = reverse(page, args=[case.crn])
    small = queries_for(client, url)
    for _ in range(30):
        factories.AppointmentFactory(case=case)
    factories.CommunityOrderFactory(case=case)
    factories.RegistrationFactory(case=case)
    large = queries_for(client, url)
    assert small == large, f"{page}: {small} queries before, {large} after adding records"


@pytest.mark.parametrize("page", ["team-export", "search-crn", "contact-new", "personal-details"])
def test_other_case_pages_do_not_grow(signed_in, po, team, page):
    spo = factories.SpoFactory(team=team)
    cases = grow(po, 2)
    crn = cases[0].crn
    url = {"team-export": reverse("team-caseload-export", args=[team.code]),
           "search-crn": reverse("search") + f"?q={crn}",
           "contact-new": reverse("contact-new", args=[crn]),
           "personal-details": reverse("personal-details-edit", args=[crn])}[page]
    client = signed_in(spo if page == "team-export" else po)
    small = queries_for(client, url)
    grow(po, 15)
    for _ in range(10):
        factories.AppointmentFactory(case=cases[0])
    large = queries_for(client, url)
    assert small == large, f"{page}: {small} queries before, {large} after adding records"


# Regression guard: the exact counts (deterministic) of every page, so a new query on a page is a
# visible change. benchmarks/pages_bench.py reports the same counts at national scale.
# The sign-in page's 4 start the visitor's session, which holds the CSRF token (CSRF_USE_SESSIONS).
# The team export's audit row costs 2: the audit hash chain reads its last hash, then the insert.
EXPECTED = {
    "sign-in": 4, "accessibility": 0, "home": 4, "caseload": 3, "case-overview": 18, "case-contacts": 5,
    "case-history": 7, "contact-new": 3, "contact-outcome": 4, "personal-details-edit": 3, "team-list": 3,
    "team-caseload": 7, "team-caseload-export": 8, "search-surname": 3, "search-crn": 3, "audit-log": 4,
    "two-factor-setup": 6, "access-requests": 4, "access-request-decide": 4,
    "tasks": 3, "tasks-team": 5, "safeguard-task": 7, "safeguard-task-not-required": 7,
    "oversight": 5, "oversight-cases": 5,
    "event-new": 4, "appointment-new": 3, "appointment-reschedule": 4, "registration-new": 4, "registration-review": 4,
    "registration-deregister": 4, "risk-assessment-new": 3, "risk-management-plan": 4,
}


def supervision_pages(po, case) -> dict:
    """The supervision-cycle forms of ``case`` (built by ``build_case``), each fetched by its case manager."""
    registration = case.registrations.first()
    upcoming = case.contacts.order_by("-starts_at").first()
    return {
        "event-new": (po, reverse("event-new", args=[case.crn])),
        "appointment-new": (po, reverse("appointment-new", args=[case.crn])),
        "appointment-reschedule": (po, reverse("appointment-reschedule", args=[case.crn, upcoming.pk])),
        "registration-new": (po, reverse("registration-new", args=[case.crn])),
        "registration-review": (po, reverse("registration-review", args=[case.crn, registration.pk])),
        "registration-deregister": (po, reverse("registration-deregister", args=[case.crn, registration.pk])),
        "risk-assessment-new": (po, reverse("risk-assessment-new", args=[case.crn])),
        "risk-management-plan": (po, reverse("risk-management-plan", args=[case.crn])),
    }


def test_supervision_pages_do_not_grow_with_the_record(signed_in, po):
    from casework.supervision import services

    case = build_case(po)
    pages = supervision_pages(po, case)
    client = signed_in(po)
    small = {name: queries_for(client, url) for name, (_, url) in pages.items()}
    for i in range(12):
        services.case_event_record(case=case, by=po.user, type="ARREST", occurred_on=case.created_at.date(),
                                   notes=f"Arrest {i}")
        factories.RegistrationFactory(case=case, type=factories.RegistrationType.objects.get(code="RCCO"))
        factories.FutureAppointmentFactory(case=case)
    registration = case.registrations.first()
    for version in range(3):
        services.registration_review(registration=registration, by=po.user, expected_version=version,
                                     reviewed_on=registration.start_date, next_review_date=case.created_at.date()
                                     + dt.timedelta(days=90), notes="Reviewed")
    large = {name: queries_for(client, url) for name, (_, url) in pages.items()}
    assert small == large


def safeguard_pages(po, spo, case) -> dict:
    """``/tasks/`` for a practitioner and an SPO, and one task of ``case`` with its not-required page."""
    from casework.safeguards.services import tasks_recompute

    tasks_recompute(case=case, trigger="test")
    task = case.safeguard_tasks.order_by("pk").first()
    return {
        "tasks": (po, reverse("tasks")),
        "tasks-team": (spo, reverse("tasks") + "?status=ALL"),
        "safeguard-task": (po, reverse("safeguard-task", args=[case.crn, task.pk])),
        "safeguard-task-not-required": (po, reverse("safeguard-task-not-required", args=[case.crn, task.pk])),
    }


@pytest.mark.parametrize("page", ["tasks", "tasks-team"])
def test_task_lists_do_not_grow_with_tasks(signed_in, po, team, page):
    from casework.safeguards.services import tasks_recompute_all

    spo = factories.SpoFactory(team=team)
    client = signed_in(spo if page == "tasks-team" else po)
    url = reverse("tasks") + ("?status=ALL" if page == "tasks-team" else "")
    grow(po, 2)
    tasks_recompute_all(trigger="test")
    small = queries_for(client, url)
    grow(po, 15)
    tasks_recompute_all(trigger="test")
    large = queries_for(client, url)
    assert small == large, f"{page}: {small} queries with 2 cases, {large} with 17"


def test_exact_query_counts(client, signed_in, po, team):
    case = build_case(po)
    contact = case.contacts.order_by("starts_at").first()
    spo = factories.SpoFactory(team=team)
    admin = factories.AdminStaffFactory()
    head = factories.HeadOfPduFactory()
    factories.grant(head, "HEAD_OF_PDU", pdu=team.pdu)
    request = factories.grant(factories.QualityAssuranceFactory(), "QUALITY_ASSURANCE", team=team, status="PENDING")
    pages = {
        "sign-in": (None, reverse("login")),
        "accessibility": (None, reverse("accessibility")),
        "home": (po, reverse("home")),
        "caseload": (po, reverse("caseload")),
        "case-overview": (po, reverse("case-overview", args=[case.crn])),
        "case-contacts": (po, reverse("case-contacts", args=[case.crn])),
        "case-history": (po, reverse("case-history", args=[case.crn])),
        "contact-new": (po, reverse("contact-new", args=[case.crn])),
        "contact-outcome": (po, reverse("contact-outcome", args=[case.crn, contact.pk])),
        "personal-details-edit": (po, reverse("personal-details-edit", args=[case.crn])),
        "team-list": (spo, reverse("team-list")),
        "team-caseload": (spo, reverse("team-caseload", args=[team.code])),
        "team-caseload-export": (spo, reverse("team-caseload-export", args=[team.code])),
        "search-surname": (po, reverse("search") + f"?q={case.last_name}"),
        "search-crn": (po, reverse("search") + f"?q={case.crn}"),
        "audit-log": (admin, reverse("audit-log")),
        "two-factor-setup": (po, reverse("two-factor-setup")),
        "access-requests": (head, reverse("access-requests")),
        "access-request-decide": (head, reverse("access-request-decide", args=[request.pk])),
        **supervision_pages(po, case),
        **safeguard_pages(po, spo, case),
        # From 1 January 2026: the period holds the case's start (and its tasks, from safeguard_pages).
        "oversight": (spo, reverse("oversight") + "?" + OVERSIGHT_FROM_2026),
        "oversight-cases": (spo, reverse("oversight-cases") + "?measure=domestic-abuse-enquiries&"
                            + OVERSIGHT_FROM_2026),
    }
    counts = {}
    for name, (staff, url) in pages.items():
        client.logout()
        if staff:
            signed_in(staff)
        counts[name] = queries_for(client, url)
    assert counts == EXPECTED


def test_access_requests_do_not_grow_with_requests(signed_in, po, team):
    head = factories.HeadOfPduFactory()
    factories.grant(head, "HEAD_OF_PDU", pdu=team.pdu)
    client = signed_in(head)

    def ask(n):
        for _ in range(n):
            factories.grant(factories.QualityAssuranceFactory(), "QUALITY_ASSURANCE", team=team, status="PENDING",
                            exercise=None)

    queries_for(client, reverse("access-requests"))  # once first, so caches filled on a first request do not count
    ask(2)
    small = queries_for(client, reverse("access-requests"))
    ask(15)
    assert queries_for(client, reverse("access-requests")) == small


def test_case_history_does_not_grow_with_changes(signed_in, po):
    """The history timeline reads one page of the case's audit rows, with who made each, in fixed queries."""
    from casework.record import services

    case = build_case(po)
    client = signed_in(po)
    url = reverse("case-history", args=[case.crn])
    queries_for(client, url)  # once first, so caches filled on a first request do not count

    def change(n):
        for i in range(n):
            current = type(case).objects.get(pk=case.pk)
            services.case_update_personal_details(case=current, by=po.user, expected_version=current.version,
                                                  phone=f"0114 496 {i:04d}")
            services.contact_record(case=current, by=po.user, kind="CASE_NOTE",
                                    starts_at=current.created_at, notes=f"Note {i}")

    change(2)
    small = queries_for(client, url)
    change(20)  # 44 entries: two pages, by the same and by another member of staff
    spo = factories.SpoFactory(team=case.team)
    services.contact_record(case=case, by=spo.user, kind="CASE_NOTE", starts_at=case.created_at, notes="Seen")
    large = queries_for(client, url)
    assert small == large, f"case history: {small} queries with 4 changes, {large} with 45"
    assert large <= EXPECTED["case-history"] + 2


OVERSIGHT_FROM_2026 = "date_from_0=1&date_from_1=1&date_from_2=2026"
# Session and user, the teams shown, the figures (one grouped query) and the case managers' names; for a
# list: session and user, teams, the count and the page's rows.
OVERSIGHT_QUERIES = {"oversight": 5, "oversight-cases": 5, "oversight-new-cases": 5}


def oversight_tasks(case, today):
    """Hand-built safeguard tasks on ``case``, one for every oversight figure (test set-up, written directly)."""
    from casework.safeguards.models import SafeguardTask

    started, past, later = today - dt.timedelta(days=30), today - dt.timedelta(days=5), today + dt.timedelta(days=5)
    for safeguard, trigger, status, due in [
        ("DOMESTIC_ABUSE_ENQUIRY", "START", "DONE", past), ("SAFEGUARDING_ENQUIRY", "START", "OPEN", past),
        ("HOME_VISIT", "REGISTRATION", "DONE", past), ("RISK_REVIEW", "ARREST", "OPEN", past),
        ("MANAGEMENT_OVERSIGHT", "START", "OPEN", later),
    ]:
        SafeguardTask.objects.create(case=case, safeguard=safeguard, trigger=trigger, created_on=started, due=due,
                                     status=status, done_on=past if status == "DONE" else None, rules_version="test")


@pytest.mark.parametrize("page", ["oversight", "oversight-cases", "oversight-new-cases"])
def test_oversight_pages_do_not_grow_with_cases(signed_in, po, team, page):
    from django.utils import timezone

    spo = factories.SpoFactory(team=team)
    client = signed_in(spo)
    url = {"oversight": reverse("oversight"),
           "oversight-cases": reverse("oversight-cases") + "?measure=domestic-abuse-enquiries",
           "oversight-new-cases": reverse("oversight-cases") + "?measure=new-cases"}[page]
    today = timezone.localdate()

    def add(n):
        for _ in range(n):
            # Each case with its own case manager, so the figures by case manager grow too.
            oversight_tasks(build_case(factories.StaffFactory(team=team)), today)

    add(2)
    small = queries_for(client, url)
    add(15)
    large = queries_for(client, url)
    assert small == large == OVERSIGHT_QUERIES[page], f"{page}: {small} queries with 2 cases, {large} with 17"


# Workforce pages (casework/web/views/workforce.py). Session and user, then: the staff list the teams for its
# filter, the count, the page, their current teams and active reductions; a staff record the record, its
# memberships, its reductions and whether the viewer manages them; the establishment list the count, the
# teams, their funded posts and the posts filled; a team's establishment the team, its funded posts, the
# posts filled and who fills them; the forms the record (and the item) and whether the viewer may change it.
WORKFORCE_QUERIES = {"staff-list": 7, "staff-detail": 6, "reduction-new": 4, "reduction-change": 5,
                     "reduction-end": 5, "establishment-list": 6, "team-establishment": 6,
                     "establishment-change": 4, "staff-record-change": 3, "membership-change": 4}


@pytest.mark.parametrize("page", list(WORKFORCE_QUERIES))
def test_workforce_pages_do_not_grow_with_staff(signed_in, po, team, page):
    from decimal import Decimal

    from casework.organisation.models import FundedPost

    spo = factories.SpoFactory(team=team)
    head = factories.HeadOfPduFactory()
    factories.grant(head, "HEAD_OF_PDU", pdu=team.pdu)
    admin = factories.AdminStaffFactory()
    FundedPost.objects.create(team=team, grade="PO", fte=Decimal(6))
    reduction = factories.ReductionFactory(staff=po)
    who = {"establishment-list": head, "team-establishment": head, "establishment-change": head,
           "staff-record-change": admin, "membership-change": admin}.get(page, spo)
    client = signed_in(who)
    url = {"staff-list": reverse("staff-list"), "staff-detail": reverse("staff-detail", args=[po.code]),
           "reduction-new": reverse("reduction-new", args=[po.code]),
           "reduction-change": reverse("reduction-change", args=[po.code, reduction.pk]),
           "reduction-end": reverse("reduction-end", args=[po.code, reduction.pk]),
           "establishment-list": reverse("establishment-list"),
           "team-establishment": reverse("team-establishment", args=[team.code]),
           "establishment-change": reverse("establishment-change", args=[team.code]),
           "staff-record-change": reverse("staff-record-change", args=[po.code]),
           "membership-change": reverse("membership-change", args=[po.code, po.memberships.get().pk])}[page]

    def add(n):
        for _ in range(n):
            member = factories.StaffFactory(team=team)
            factories.ReductionFactory(staff=member)
            factories.ReductionFactory(staff=po, start=dt.date(2025, 1, 1), end=dt.date(2025, 2, 1))
            other = factories.TeamFactory(pdu=team.pdu)
            factories.StaffFactory(team=other)
            FundedPost.objects.create(team=other, grade="PSO", fte=Decimal(2))

    queries_for(client, url)  # once first, so caches filled on a first request do not count
    add(2)
    small = queries_for(client, url)
    add(12)
    large = queries_for(client, url)
    assert small == large == WORKFORCE_QUERIES[page], f"{page}: {small} queries with 2 more staff, {large} with 14"


# Workload pages (casework/web/views/workload.py). Session and user, then: /workload/ the teams in scope, their
# practitioners, the six of the workload selector (points table, staff, reductions, cases grouped, assignments
# grouped, court reports grouped), the active reductions and the weekly snapshots; a practitioner's page the
# practitioner (in scope), their teams, the six, their snapshots, reductions, court reports and the cases
# those name that the viewer may see.
WORKLOAD_QUERIES = {"workload": 12, "workload-head": 12, "workload-practitioner": 14}


@pytest.mark.parametrize("page", list(WORKLOAD_QUERIES))
def test_workload_pages_do_not_grow_with_practitioners_or_caseload(signed_in, po, team, page):
    from decimal import Decimal

    from django.utils import timezone

    from casework.workforce.models import CourtReport, WorkloadSnapshot

    spo = factories.SpoFactory(team=team)
    head = factories.HeadOfPduFactory()
    factories.grant(head, "HEAD_OF_PDU", pdu=team.pdu)
    client = signed_in(head if page == "workload-head" else spo)
    url = reverse("workload-practitioner", args=[po.code]) if page == "workload-practitioner" else reverse("workload")
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    weeks = iter(range(1, 100))

    def add(n):
        for _ in range(n):
            for holder in (po, factories.StaffFactory(team=team), factories.PsoFactory(team=factories.TeamFactory(
                    pdu=team.pdu))):
                case = build_case(holder)
                CourtReport.objects.create(staff=holder, kind="STANDARD", requested_on=today, due_on=today, case=case)
                factories.ReductionFactory(staff=holder, reason="COURT_DUTY", percent=Decimal(10),
                                           start=today - dt.timedelta(days=10), end=today + dt.timedelta(days=10))
            WorkloadSnapshot.objects.create(staff=po, week_start=monday - dt.timedelta(weeks=next(weeks)), points=1,
                                            available_points=2176, capacity_percent=Decimal("0.1"),
                                            taken_at=timezone.now())

    add(1)
    queries_for(client, url)  # once first, so caches filled on a first request do not count
    small = queries_for(client, url)
    add(8)
    large = queries_for(client, url)
    assert small == large == WORKLOAD_QUERIES[page], f"{page}: {small} queries, then {large} with 8 times the data"
