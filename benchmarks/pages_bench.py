"""Server-side time and query count of every page, in-process, against the loaded (national) dataset.

Each page is fetched with Django's test ``Client`` (``force_login`` as the demo login who would use
it), timed with ``time.perf_counter`` around the request, ``--iterations`` times after ``--warmup``.
Beside each page, the same data fetched by one hand-written SQL statement (``benchmarks.lower_bound``)
gives the lower bound. Run under the database to measure (``DATABASE_URL``); prints JSON.

    DATABASE_URL=... .venv/bin/python -m benchmarks.pages_bench [--iterations 60] [--warmup 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from dataclasses import asdict, dataclass

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casework.settings.local")
os.environ.setdefault("DEBUG", "false")


@dataclass
class Figure:
    page: str
    url: str
    user: str
    status: int
    queries: int
    p50_ms: float
    p95_ms: float
    db_p50_ms: float
    cpu_p50_ms: float
    sql_p50_ms: float | None
    sql_p95_ms: float | None
    note: str = ""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--iterations", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--only", default="", help="comma-separated page names")
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from benchmarks import lower_bound
    from casework.account.models import User
    from casework.record.models import Case, Contact
    from casework.rules.contacts import APPOINTMENT_KINDS
    from casework.workforce.models import Staff, TeamMembership

    po = Staff.objects.select_related("user").get(user__username="po")
    heavy = (Case.objects.filter(manager=po, status=Case.Status.CURRENT).annotate(n=Count("contacts"))
             .order_by("-n", "crn").first())
    caseload_size = Case.objects.filter(manager=po, status=Case.Status.CURRENT).count()
    contacts = Contact.objects.filter(case=heavy).count()
    team = TeamMembership.objects.filter(staff=po, end_date=None).select_related("team").first().team
    outcome_contact = (Contact.objects.filter(case=heavy, kind__in=APPOINTMENT_KINDS,
                                              starts_at__lt=dt.datetime.now(dt.UTC))
                       .order_by("-starts_at").first())
    surname = heavy.last_name
    from casework.safeguards.models import SafeguardTask

    # The heavy case's first task (a dataset generated or filled with safeguard tasks has some).
    task = SafeguardTask.objects.filter(case=heavy).order_by("due", "pk").first()
    if task is None:  # the heaviest case may need no safeguard (in custody, say): then one of po's other cases
        task = (SafeguardTask.objects.filter(case__manager=po).select_related("case")
                .order_by("case__crn", "due", "pk").first())
    users = {name: User.objects.get(username=name) for name in ("po", "spo", "qa", "admin", "head")}
    # Allocation: a case waiting in po's team (the SPO ranks the team), and one waiting in the PDU queue
    # with no team (the head of PDU ranks every practitioner in the PDU).
    waiting = Case.objects.filter(team=team, manager=None, status=Case.Status.CURRENT).order_by("crn").first()
    waiting_pdu = (Case.objects.filter(pdu_id=team.pdu_id, team=None, manager=None, status=Case.Status.CURRENT)
                   .order_by("crn").first())
    # Recall: the recall in po's team with the most steps taken (none in a dataset generated before recalls).
    from casework.recall.models import Recall

    recall = Recall.objects.filter(case__team=team).select_related("case").order_by("-version", "pk").first()
    now = dt.datetime.now(dt.UTC)
    # Quality assurance (issue 15): the demo-sized exercises of the "qa" lead and the benchmark's national
    # exercise of 10,000 assessed cases (both made by benchmarks.quality_bench, which runs first).
    from benchmarks.quality_bench import NAME as NATIONAL_EXERCISE
    from benchmarks.quality_bench import NATIONAL_QA
    from casework.quality.models import Exercise, SampledCase

    completed = (Exercise.objects.filter(status="COMPLETED").exclude(name=NATIONAL_EXERCISE)
                 .order_by("-as_of", "pk").first())
    national_exercise = Exercise.objects.filter(name=NATIONAL_EXERCISE).first()
    assessed = (SampledCase.objects.filter(exercise=completed, role="SAMPLE").order_by("position").first()
                if completed else None)
    for extra in ("assessor", NATIONAL_QA):
        found = User.objects.filter(username=extra).first()
        if found is not None:
            users[extra] = found
    quality_pages = []
    if completed and assessed:
        quality_pages += [
            ("quality", "qa", reverse("quality"), None),
            ("quality-exercise", "qa", reverse("quality-exercise", args=[completed.pk]), None),
            ("quality-case", "qa", reverse("quality-case", args=[completed.pk, assessed.pk]), None),
            ("quality-results", "qa", reverse("quality-results", args=[completed.pk]), None),
        ]
    if national_exercise and NATIONAL_QA in users:
        quality_pages += [
            ("quality-results-national", NATIONAL_QA, reverse("quality-results", args=[national_exercise.pk]), None),
            ("quality-exercise-national", NATIONAL_QA, reverse("quality-exercise", args=[national_exercise.pk]),
             None),
        ]

    # (name, user, url, lower-bound key)
    pages = [
        ("sign-in", None, reverse("login"), None),
        ("accessibility", None, reverse("accessibility"), None),
        ("home", "po", reverse("home"), None),
        ("caseload", "po", reverse("caseload"), "caseload"),
        ("case-overview", "po", reverse("case-overview", args=[heavy.crn]), "case_overview"),
        ("case-contacts", "po", reverse("case-contacts", args=[heavy.crn]), "case_contacts"),
        ("case-history", "po", reverse("case-history", args=[heavy.crn]), "case_history"),
        ("contact-new", "po", reverse("contact-new", args=[heavy.crn]), "case_row"),
        ("contact-outcome", "po", reverse("contact-outcome", args=[heavy.crn, outcome_contact.pk]), "contact_row"),
        ("personal-details-edit", "po", reverse("personal-details-edit", args=[heavy.crn]), "case_row"),
        ("team-list", "spo", reverse("team-list"), "team_list"),
        ("team-caseload", "spo", reverse("team-caseload", args=[team.code]), "team_caseload"),
        ("team-caseload-export", "spo", reverse("team-caseload-export", args=[team.code]), "team_caseload_all"),
        ("search-surname", "po", reverse("search") + f"?q={surname}", "search_surname_team"),
        ("search-surname-region", "qa", reverse("search") + f"?q={surname}", "search_surname_region"),
        ("search-crn", "po", reverse("search") + f"?q={heavy.crn}", "search_crn"),
        ("audit-log", "admin", reverse("audit-log"), "audit_log"),
        ("two-factor-setup", "po", reverse("two-factor-setup"), None),
        ("access-requests", "head", reverse("access-requests"), None),
        ("event-new", "po", reverse("event-new", args=[heavy.crn]), "case_row"),
        ("registration-new", "po", reverse("registration-new", args=[heavy.crn]), "case_row"),
        ("risk-assessment-new", "po", reverse("risk-assessment-new", args=[heavy.crn]), "case_row"),
        ("appointment-new", "po", reverse("appointment-new", args=[heavy.crn]), "case_row"),
        ("risk-management-plan", "po", reverse("risk-management-plan", args=[heavy.crn]), "case_row"),
        ("safeguard-task", "po", reverse("safeguard-task", args=[task.case.crn, task.pk]), None),
        ("allocation-queue", "spo", reverse("allocation-queue"), None),
        ("allocation-queue-pdu", "head", reverse("allocation-queue"), None),
        ("allocation-case", "spo", reverse("allocation-case", args=[waiting.crn]), None),
        ("allocation-case-pdu", "head", reverse("allocation-case", args=[waiting_pdu.crn]), None),
        ("allocation-overrides", "head", reverse("allocation-overrides"), None),
        ("tasks", "po", reverse("tasks"), None),
        ("tasks-team", "spo", reverse("tasks"), None),
        # Enforcement (issue 14): the SPO's open signals, the head of PDU's counts by team; the case page with
        # its Compliance section is "case-overview" above (the heavy case, with every failure it has).
        ("enforcement", "spo", reverse("enforcement"), None),
        ("enforcement-pdu", "head", reverse("enforcement"), None),
        ("enforcement-decide", "po", reverse("enforcement-decide", args=[heavy.crn]), None),
        # Recall (issue 14): the recalls waiting for the SPO and for the head of PDU, and one recall page.
        ("recalls", "spo", reverse("recalls"), None),
        ("recalls-pdu", "head", reverse("recalls"), None),
        *([("recall", "spo", reverse("recall", args=[recall.case.crn, recall.pk]), None)] if recall else []),
        ("oversight", "spo", reverse("oversight"), None),
        ("oversight-pdu", "head", reverse("oversight"), None),
        ("oversight-cases", "spo", reverse("oversight-cases") + f"?measure=risk-reviews-overdue&team={team.code}",
         None),
        # Workload: the SPO's team, the head of PDU's whole PDU (the "/workload/ for a PDU under 100 ms"),
        # and po's own page with their weekly history, reductions and court reports.
        ("workload", "spo", reverse("workload"), None),
        ("workload-pdu", "head", reverse("workload"), None),
        ("workload-practitioner", "spo", reverse("workload-practitioner", args=[po.code]), None),
        # Workforce pages: the SPO's team's staff and po's record; the head of PDU's establishments; the
        # administrator's national staff list (every staff record, paged).
        ("staff-list", "spo", reverse("staff-list"), None),
        ("staff-list-pdu", "head", reverse("staff-list"), None),
        ("staff-list-national", "admin", reverse("staff-list"), None),
        ("staff-detail", "spo", reverse("staff-detail", args=[po.code]), None),
        ("reduction-new", "spo", reverse("reduction-new", args=[po.code]), None),
        ("establishment-list", "head", reverse("establishment-list"), None),
        ("team-establishment", "head", reverse("team-establishment", args=[team.code]), None),
        ("establishment-change", "head", reverse("establishment-change", args=[team.code]), None),
        *quality_pages,
    ]
    if args.only:
        wanted = set(args.only.split(","))
        pages = [p for p in pages if p[0] in wanted]
    params = {"po": po.pk, "team": team.pk, "crn": heavy.crn, "case": heavy.pk, "now": now,
              "surname": surname.lower(), "contact": outcome_contact.pk,
              "region": team.pdu.region_id if hasattr(team, "pdu") else None}
    team_row = type(team).objects.select_related("pdu").get(pk=team.pk)
    params["region"] = team_row.pdu.region_id

    db_time = [0.0]

    def timer(execute, sql, params_, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params_, many, context)
        finally:
            db_time[0] += time.perf_counter() - started

    figures = []
    for name, username, url, bound in pages:
        client = Client()
        if username:
            client.force_login(users[username])
        for _ in range(args.warmup):
            response = client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        queries = len(ctx.captured_queries)
        times, db_times, cpu_times = [], [], []
        with connection.execute_wrapper(timer):
            for _ in range(args.iterations):
                db_time[0] = 0.0
                cpu = time.process_time()
                started = time.perf_counter()
                response = client.get(url)
                if hasattr(response, "streaming_content"):
                    b"".join(response.streaming_content)
                times.append(time.perf_counter() - started)
                cpu_times.append(time.process_time() - cpu)
                db_times.append(db_time[0])
        sql_p50 = sql_p95 = None
        if bound:
            sql, sql_params = lower_bound.query(bound, connection.vendor, params)
            sql_times = []
            with connection.cursor() as cursor:
                for _ in range(args.warmup):
                    cursor.execute(sql, sql_params)
                    cursor.fetchall()
                for _ in range(args.iterations):
                    started = time.perf_counter()
                    cursor.execute(sql, sql_params)
                    cursor.fetchall()
                    sql_times.append(time.perf_counter() - started)
            sql_p50, sql_p95 = percentile(sql_times, 0.5) * 1000, percentile(sql_times, 0.95) * 1000
        figures.append(Figure(
            page=name, url=url, user=username or "(signed out)", status=response.status_code, queries=queries,
            p50_ms=percentile(times, 0.5) * 1000, p95_ms=percentile(times, 0.95) * 1000,
            db_p50_ms=statistics.median(db_times) * 1000, cpu_p50_ms=statistics.median(cpu_times) * 1000,
            sql_p50_ms=sql_p50, sql_p95_ms=sql_p95,
        ))
        print(f"{name:<24} {response.status_code} {queries:>3} q  p50 {figures[-1].p50_ms:7.1f} ms  "
              f"p95 {figures[-1].p95_ms:7.1f} ms  db {figures[-1].db_p50_ms:6.1f} ms  "
              f"sql {sql_p50 or 0:6.2f} ms", file=sys.stderr)
    result = {
        "vendor": connection.vendor,
        "people": Case.objects.count(),
        "contacts": Contact.objects.count(),
        "subjects": {"practitioner": "po", "caseload": caseload_size, "case": heavy.crn, "case_contacts": contacts,
                     "team": team.code, "surname": surname},
        "iterations": args.iterations,
        "warmup": args.warmup,
        "pages": [asdict(f) for f in figures],
    }
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
