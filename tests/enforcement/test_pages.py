"""Enforcement pages: the case overview's Compliance section, the decision form, a decision with its letter
and PDF, the SPO's oversight, and /enforcement/ for an SPO and a head of PDU."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.enforcement import services
from casework.enforcement.models import EnforcementDecision, EnforcementSignal
from tests import factories
from tests.enforcement.conftest import appointment

pytestmark = pytest.mark.django_db


def today() -> dt.date:
    return timezone.localdate()


def day(value: dt.date, name: str) -> dict[str, str]:
    return {f"{name}_0": str(value.day), f"{name}_1": str(value.month), f"{name}_2": str(value.year)}


def html(response) -> str:
    return response.content.decode()


def licence(po, **fields):
    case = factories.AllocatedCaseFactory(manager=po, **fields)
    start = today() - dt.timedelta(days=200)
    factories.LicenceFactory(case=case, sentence_date=start - dt.timedelta(days=400), start_date=start,
                             release_date=start, licence_expiry_date=today() + dt.timedelta(days=300))
    return case


def order(po):
    case = factories.AllocatedCaseFactory(manager=po)
    start = today() - dt.timedelta(days=200)
    factories.CommunityOrderFactory(case=case, sentence_date=start, start_date=start,
                                    expected_end_date=today() + dt.timedelta(days=200))
    return case


def failed(case, days_ago: int, outcome="UNACCEPTABLE_ABSENCE"):
    appointment(case, today() - dt.timedelta(days=days_ago), outcome)
    services.signals_recompute(case=case, trigger="test")


def test_the_overview_shows_compliance_and_the_required_next_action(signed_in, po):
    case = order(po)
    failed(case, 30)
    appointment(case, today() - dt.timedelta(days=20), "ACCEPTABLE_ABSENCE", absence_reason="MEDICAL")
    page = html(signed_in(po).get(reverse("case-overview", args=[case.crn])))
    assert 'id="compliance"' in page and "Failures to comply in the last 12 months" in page
    assert "Give a warning: this failure to comply has not been answered" in page
    assert "Acceptable absences in the last 12 months" in page and "UNACCEPTABLE_ABSENCE" not in page
    assert reverse("enforcement-decide", args=[case.crn]) in page


def test_a_warning_is_recorded_with_its_letter_and_printable_as_pdf(signed_in, po):
    case = order(po)
    failed(case, 10)
    client = signed_in(po)
    url = reverse("enforcement-decide", args=[case.crn])
    response = client.post(url, {"sentence": case.sentences.get().pk, "kind": "WARNING", **day(today(), "decided_on"),
                                 "rationale": "You did not attend and gave no reason."})
    decision = EnforcementDecision.objects.get(case=case)
    assert response.status_code == 302 and response["Location"] == reverse("enforcement-decision",
                                                                           args=[case.crn, decision.pk])
    page = html(client.get(response["Location"]))
    assert "Formal warning" in page and "You did not attend and gave no reason." in page
    pdf = client.get(reverse("enforcement-document", args=[case.crn, decision.pk]))
    body = b"".join(pdf.streaming_content) if pdf.streaming else pdf.content
    assert pdf["Content-Type"] == "application/pdf" and body.startswith(b"%PDF")
    overview = html(client.get(reverse("case-overview", args=[case.crn])))
    assert "Warning letter," in overview and "None: every failure to comply has been answered" in overview


def test_a_decision_dated_before_the_failure_shows_in_the_error_summary(signed_in, po):
    case = licence(po)
    failed(case, 10)
    signal = EnforcementSignal.objects.get(case=case)
    response = signed_in(po).post(
        reverse("enforcement-decide", args=[case.crn]) + f"?signal={signal.pk}",
        {"signal": signal.pk, "version": signal.version, "sentence": case.sentences.get().pk, "kind": "WARNING",
         **day(today() - dt.timedelta(days=11), "decided_on"), "rationale": "Reasons"})
    page = html(response)
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert "The date of the decision must be on or after" in page
    assert not EnforcementDecision.objects.exists()


def test_the_signal_form_offers_only_the_decisions_that_answer_it(signed_in, po):
    case = licence(po)
    for days_ago in (20, 13, 6):
        failed(case, days_ago)
    repeated = EnforcementSignal.objects.get(case=case, kind="REPEATED_ABSENCE_NO_RECALL_CONSIDERATION")
    client = signed_in(po)
    page = html(client.get(reverse("enforcement-decide", args=[case.crn]), {"signal": repeated.pk}))
    assert 'value="CONSIDER_RECALL"' in page and 'value="WARNING"' not in page and 'value="BREACH"' not in page
    response = client.post(reverse("enforcement-decide", args=[case.crn]),
                           {"signal": repeated.pk, "version": repeated.version, "sentence": case.sentences.get().pk,
                            "kind": "CONSIDER_RECALL", **day(today(), "decided_on"), "rationale": "Three absences"})
    assert response.status_code == 302 and response["Location"] == reverse("recall-new", args=[case.crn])


def test_the_spo_sees_open_signals_oldest_first_and_records_oversight(signed_in, po, team):
    spo = factories.SpoFactory(team=team)
    newer, older, decided = licence(po), licence(po), licence(po)
    failed(newer, 1)
    failed(older, 30)
    failed(decided, 10)
    decision = services.decision_record(case=decided, sentence=decided.sentences.get(), by=po.user,
                                        kind="INCREASED_REPORTING", decided_on=today(), rationale="Weekly")
    client = signed_in(spo)
    page = html(client.get(reverse("enforcement")))
    signals = page[page.index('id="team-signals"'):page.index('id="oversight"')]
    assert signals.index(older.crn) < signals.index(newer.crn) and decided.crn not in signals
    assert "Decision due" in signals and f"?signal={EnforcementSignal.objects.filter(case=newer).get().pk}" in page
    url = reverse("enforcement-decision", args=[decided.crn, decision.pk])
    assert url in page  # awaiting oversight
    assert "Record your oversight" in html(client.get(url))
    response = client.post(url, {"version": decision.version, "agreed": "yes", "note": "Proportionate"})
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.oversight == "AGREED" and decision.oversight_by == spo


def test_an_overdue_signal_says_so_in_words(signed_in, po, team):
    spo = factories.SpoFactory(team=team)
    case = licence(po)
    failed(case, 30)
    page = html(signed_in(spo).get(reverse("enforcement")))
    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong>' in page


def test_the_head_of_pdu_sees_counts_by_team(signed_in, po, team):
    head = factories.HeadOfPduFactory()
    factories.grant(head, "HEAD_OF_PDU", pdu=team.pdu)
    failed(licence(po), 30)
    failed(licence(po), 1)
    page = html(signed_in(head).get(reverse("enforcement")))
    assert 'id="team-counts"' in page and "<svg" in page and "1 overdue" in page
    assert "Decisions owed on your teams' cases" not in page


def test_a_practitioner_has_no_enforcement_list(signed_in, po):
    assert signed_in(po).get(reverse("enforcement")).status_code == 403
