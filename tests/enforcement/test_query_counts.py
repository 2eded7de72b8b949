"""The enforcement pages and the case overview's Compliance section run a fixed number of queries however many
signals, decisions and failures there are (exact budgets: a change shows here first)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework.enforcement import services
from tests import factories
from tests.enforcement.conftest import appointment

pytestmark = pytest.mark.django_db

# After a first request has cached the session's viewer. The case overview's Compliance section costs 4 of the
# case page's queries (sentences, contacts, decisions and signals: casework.enforcement.inputs without risk).
EXPECTED = {"spo": 5, "head": 5, "decide": 7, "decision": 4, "case": 18}


def queries_for(client, url) -> int:
    client.get(url)  # the first request of a session caches what later ones read
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


def cases_with_signals(po, n, *, decide=False):
    cases = []
    today = timezone.localdate()
    for i in range(n):
        case = factories.AllocatedCaseFactory(manager=po)
        start = today - dt.timedelta(days=300)
        factories.LicenceFactory(case=case, sentence_date=start, start_date=start, release_date=start,
                                 licence_expiry_date=today + dt.timedelta(days=300))
        for days_ago in (40 + i, 33 + i, 26 + i):
            appointment(case, today - dt.timedelta(days=days_ago), "UNACCEPTABLE_ABSENCE")
        if decide:
            services.decision_record(case=case, sentence=case.sentences.get(), by=po.user, kind="WARNING",
                                     decided_on=today - dt.timedelta(days=20), rationale="Reasons")
        appointment(case, today - dt.timedelta(days=5), "UNACCEPTABLE_ABSENCE")
        services.signals_recompute(case=case, trigger="test")
        cases.append(case)
    return cases


def test_enforcement_pages_and_the_case_page_do_not_grow(signed_in, po, team):
    spo = factories.SpoFactory(team=team)
    head = factories.HeadOfPduFactory()
    factories.grant(head, "HEAD_OF_PDU", pdu=team.pdu)
    first = cases_with_signals(po, 2, decide=True)[0]
    decision = first.enforcement_decisions.first()
    urls = {"spo": (spo, reverse("enforcement")), "head": (head, reverse("enforcement")),
            "decide": (po, reverse("enforcement-decide", args=[first.crn])),
            "decision": (spo, reverse("enforcement-decision", args=[first.crn, decision.pk])),
            "case": (po, reverse("case-overview", args=[first.crn]))}
    small = {name: queries_for(signed_in(who), url) for name, (who, url) in urls.items()}
    cases_with_signals(po, 8, decide=True)
    for _ in range(3):
        cases_with_signals(factories.StaffFactory(team=factories.TeamFactory(pdu=team.pdu)), 2)
    for days_ago in (60, 50, 45, 12, 9):
        appointment(first, timezone.localdate() - dt.timedelta(days=days_ago), "ATTENDED_FAILED_TO_COMPLY")
    services.signals_recompute(case=first, trigger="test")
    large = {name: queries_for(signed_in(who), url) for name, (who, url) in urls.items()}
    assert small == large
    assert large == EXPECTED
