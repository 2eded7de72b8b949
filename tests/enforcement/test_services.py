"""Enforcement services: signals in step with the engine, decisions refused or recorded, exactly one decision
per signal, SPO oversight, audit rows, the record's hooks and the women's tier factor."""

from __future__ import annotations

import datetime as dt

import pytest

from casework.audit.models import AuditEvent
from casework.core.errors import DomainValidationError, NotPermittedError
from casework.enforcement import services
from casework.enforcement.choices import OversightStatus, SignalStatus
from casework.enforcement.models import EnforcementDecision, EnforcementSignal
from casework.enforcement.selectors import breach_or_recall_case_ids
from casework.record import services as record_services
from casework.record.tiers import tier_inputs, tier_request
from casework.supervision import services as supervision_services
from tests import factories
from tests.enforcement.conftest import TODAY, appointment

pytestmark = pytest.mark.django_db


def recompute(case, today=TODAY):
    return services.signals_recompute(case=case, trigger="test", today=today)


def signals(case):
    return {(s.kind, s.since): s for s in EnforcementSignal.objects.filter(case=case)}


def decide(case, by, kind, day, *, signal=None, today=TODAY, **kwargs):
    values = {"rationale": "Considered the failures and the risk.", "requirement": "", "recommendation": ""}
    values.update(kwargs)
    return services.decision_record(case=case, sentence=case.sentences.get(), by=by.user, kind=kind, decided_on=day,
                                    signal=signal, expected_version=signal.version if signal else None, today=today,
                                    **values)


def test_a_failure_on_licence_raises_a_signal_with_its_due_date_and_an_audit_row(licence_case):
    appointment(licence_case, dt.date(2026, 11, 2), "UNACCEPTABLE_ABSENCE")
    assert recompute(licence_case).created == 1
    signal = signals(licence_case)[("LICENCE_FAILURE_NO_DECISION", dt.date(2026, 11, 2))]
    assert (signal.due, signal.status, signal.in_engine) == (dt.date(2026, 11, 9), SignalStatus.OPEN, True)
    assert signal.is_overdue(TODAY) and signal.policy is not None and signal.rules_version.startswith("enforcement-")
    assert AuditEvent.objects.filter(action="enforcement_signal.raise", crn=licence_case.crn).count() == 1


def test_recompute_is_idempotent(licence_case):
    appointment(licence_case, dt.date(2026, 11, 2), "UNACCEPTABLE_ABSENCE")
    recompute(licence_case)
    before = AuditEvent.objects.count()
    assert recompute(licence_case).written == 0
    assert AuditEvent.objects.count() == before


def test_acceptable_absences_and_complied_appointments_raise_nothing(order_case):
    appointment(order_case, dt.date(2026, 10, 1), "ACCEPTABLE_ABSENCE", absence_reason="MEDICAL")
    appointment(order_case, dt.date(2026, 10, 8), "ATTENDED_COMPLIED")
    appointment(order_case, dt.date(2026, 10, 15), "RESCHEDULED")
    assert recompute(order_case).written == 0


def test_a_warning_then_a_second_failure_needs_a_breach_which_closes_the_signal(order_case, po):
    appointment(order_case, dt.date(2026, 9, 1), "UNACCEPTABLE_ABSENCE")
    warning = decide(order_case, po, "WARNING", dt.date(2026, 9, 3))
    assert "1 September 2026" in warning.letter_text and "return you to court" in warning.letter_text
    assert warning.failures == [{"date": "2026-09-01", "outcome": "UNACCEPTABLE_ABSENCE",
                                 "contact": warning.failures[0]["contact"]}]
    appointment(order_case, dt.date(2026, 11, 2), "SENT_HOME")
    recompute(order_case)
    signal = signals(order_case)[("SECOND_FAILURE_NO_BREACH_DECISION", dt.date(2026, 11, 2))]
    assert signal.due == dt.date(2026, 11, 16)
    # A second warning does not answer it: the law requires a breach.
    with pytest.raises(DomainValidationError) as refused:
        decide(order_case, po, "WARNING", TODAY, signal=signal)
    assert "does not answer this signal" in refused.value.errors["kind"]
    breach = decide(order_case, po, "BREACH", TODAY, signal=signal, requirement="Attend appointments",
                    recommendation="Continue the order with an added curfew")
    signal.refresh_from_db()
    assert (signal.status, signal.decision, signal.decided_by) == (SignalStatus.DECIDED, breach, po)
    assert breach.oversight == OversightStatus.NOT_NEEDED
    assert AuditEvent.objects.filter(action="enforcement_decision.record", object_id=str(breach.pk)).count() == 1


@pytest.mark.parametrize("fixture, kind, message", [
    ("licence_case", "BREACH", "A breach is not possible on a licence"),
    ("order_case", "INCREASED_REPORTING", "Only the court can add to an order"),
    ("order_case", "EXTRA_CONDITIONS", "Only the court can add to an order"),
    ("order_case", "CONSIDER_RECALL", "Recall can only be considered on a licence"),
])
def test_a_decision_impossible_for_the_kind_of_supervision_is_refused(request, po, fixture, kind, message):
    case = request.getfixturevalue(fixture)
    appointment(case, dt.date(2026, 11, 2), "UNACCEPTABLE_ABSENCE")
    with pytest.raises(DomainValidationError) as refused:
        decide(case, po, kind, TODAY, requirement="x", recommendation="y")
    assert refused.value.errors["kind"].startswith(message)
    assert not EnforcementDecision.objects.exists()


def test_a_decision_dated_before_the_event_it_answers_is_refused_with_nothing_written(licence_case, po):
    appointment(licence_case, dt.date(2026, 11, 2), "UNACCEPTABLE_ABSENCE")
    recompute(licence_case)
    signal = EnforcementSignal.objects.get(case=licence_case)
    audits = AuditEvent.objects.count()
    with pytest.raises(DomainValidationError) as refused:
        decide(licence_case, po, "WARNING", dt.date(2026, 11, 1), signal=signal)
    assert refused.value.errors["decided_on"] == services.DATE_BEFORE_EVENT.format(date="2 November 2026")
    with pytest.raises(DomainValidationError) as refused:
        decide(licence_case, po, "WARNING", dt.date(2026, 11, 1))  # no signal: the latest failure
    assert "2 November 2026" in refused.value.errors["decided_on"]
    with pytest.raises(DomainValidationError) as refused:
        decide(licence_case, po, "WARNING", TODAY + dt.timedelta(days=1), signal=signal)
    assert refused.value.errors["decided_on"] == services.DATE_IN_FUTURE
    assert not EnforcementDecision.objects.exists() and AuditEvent.objects.count() == audits
    signal.refresh_from_db()
    assert signal.status == SignalStatus.OPEN


def test_a_decision_needs_a_failure_to_answer_and_a_breach_needs_its_information(order_case, po):
    with pytest.raises(DomainValidationError) as refused:
        decide(order_case, po, "WARNING", TODAY)
    assert refused.value.errors[""] == services.NOTHING_TO_ANSWER
    appointment(order_case, dt.date(2026, 11, 2), "UNACCEPTABLE_ABSENCE")
    with pytest.raises(DomainValidationError) as refused:
        decide(order_case, po, "BREACH", TODAY, rationale=" ")
    assert refused.value.errors == {"rationale": services.RATIONALE_REQUIRED,
                                    "requirement": services.REQUIREMENT_REQUIRED,
                                    "recommendation": services.RECOMMENDATION_REQUIRED}


def test_of_two_decisions_on_one_signal_exactly_one_is_recorded(licence_case, po, spo):
    appointment(licence_case, dt.date(2026, 11, 2), "UNACCEPTABLE_ABSENCE")
    recompute(licence_case)
    first_read = EnforcementSignal.objects.get(case=licence_case)
    second_read = EnforcementSignal.objects.get(case=licence_case)  # both opened the form at version 1
    decide(licence_case, po, "WARNING", TODAY, signal=first_read)
    with pytest.raises(DomainValidationError) as refused:
        decide(licence_case, spo, "NO_FURTHER_ACTION", TODAY, signal=second_read)
    assert refused.value.errors[""] == services.SIGNAL_CLOSED
    assert list(EnforcementDecision.objects.values_list("kind", flat=True)) == ["WARNING"]
    assert AuditEvent.objects.filter(action="enforcement_decision.record").count() == 1


def test_a_stale_version_is_refused(licence_case, po):
    appointment(licence_case, dt.date(2026, 11, 2), "UNACCEPTABLE_ABSENCE")
    recompute(licence_case)
    signal = EnforcementSignal.objects.get(case=licence_case)
    EnforcementSignal.objects.filter(pk=signal.pk).update(version=5)
    from casework.core.errors import ConcurrentEditError

    with pytest.raises(ConcurrentEditError):
        decide(licence_case, po, "WARNING", TODAY, signal=signal)
    assert not EnforcementDecision.objects.exists()


def test_someone_who_may_not_change_the_case_cannot_decide(licence_case, team):
    other = factories.PsoFactory(team=team)
    appointment(licence_case, dt.date(2026, 11, 2), "UNACCEPTABLE_ABSENCE")
    with pytest.raises(NotPermittedError):
        decide(licence_case, other, "WARNING", TODAY)


def test_a_licence_decision_waits_for_the_spos_oversight(licence_case, po, spo, team):
    appointment(licence_case, dt.date(2026, 11, 2), "UNACCEPTABLE_ABSENCE")
    decision = decide(licence_case, po, "INCREASED_REPORTING", TODAY)
    assert decision.oversight == OversightStatus.AWAITING
    with pytest.raises(NotPermittedError):
        services.decision_oversee(decision=decision, by=po.user, expected_version=decision.version, agreed=True,
                                  note="Fine")
    with pytest.raises(DomainValidationError) as refused:
        services.decision_oversee(decision=decision, by=spo.user, expected_version=decision.version, agreed=None,
                                  note="")
    assert set(refused.value.errors) == {"agreed", "note"}
    overseen = services.decision_oversee(decision=decision, by=spo.user, expected_version=decision.version,
                                         agreed=True, note="Weekly reporting is proportionate.")
    assert (overseen.oversight, overseen.oversight_by) == (OversightStatus.AGREED, spo)
    with pytest.raises(DomainValidationError) as twice:
        services.decision_oversee(decision=decision, by=spo.user, expected_version=decision.version, agreed=False,
                                  note="Again")
    assert twice.value.errors[""] == services.OVERSIGHT_NOT_AWAITED
    assert AuditEvent.objects.filter(action="enforcement_decision.oversee").count() == 1


def test_an_spo_deciding_on_their_teams_licence_case_gives_the_oversight_at_once(licence_case, spo):
    appointment(licence_case, dt.date(2026, 11, 2), "UNACCEPTABLE_ABSENCE")
    decision = decide(licence_case, spo, "REFERRAL", TODAY)
    assert (decision.oversight, decision.oversight_by) == (OversightStatus.AGREED, spo)


def test_a_risk_event_signal_closes_when_a_risk_review_is_recorded(licence_case, po,
                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        supervision_services.case_event_record(case=licence_case, by=po.user, type="ARREST",
                                               occurred_on=dt.date(2026, 11, 20), notes="Arrested for assault")
    signal = EnforcementSignal.objects.get(case=licence_case)
    assert (signal.kind, signal.since, signal.status) == ("RISK_EVENT_NO_REVIEW", dt.date(2026, 11, 20), "OPEN")
    with pytest.raises(DomainValidationError):  # a decision does not answer a risk event
        decide(licence_case, po, "NO_FURTHER_ACTION", TODAY, signal=signal)
    factories.RiskAssessmentFactory(case=licence_case, assessed_on=dt.date(2026, 11, 24))
    assert recompute(licence_case).closed == 1
    signal.refresh_from_db()
    assert signal.status == "DECIDED" and signal.closed_note == "Risk review recorded for 24 November 2026."


def test_repeated_absences_on_licence_need_recall_to_be_considered(licence_case, po):
    for day in (dt.date(2026, 10, 26), dt.date(2026, 11, 2), dt.date(2026, 11, 9)):
        appointment(licence_case, day, "UNACCEPTABLE_ABSENCE")
    recompute(licence_case)
    repeated = signals(licence_case)[("REPEATED_ABSENCE_NO_RECALL_CONSIDERATION", dt.date(2026, 11, 9))]
    with pytest.raises(DomainValidationError):
        decide(licence_case, po, "REFERRAL", TODAY, signal=repeated)
    decision = decide(licence_case, po, "CONSIDER_RECALL", TODAY, signal=repeated)
    # The same decision answers the failure on licence too: the recompute closes it with this decision.
    assert {(s.kind, s.status, s.decision_id) for s in EnforcementSignal.objects.filter(case=licence_case)} == {
        ("REPEATED_ABSENCE_NO_RECALL_CONSIDERATION", "DECIDED", decision.pk),
        ("LICENCE_FAILURE_NO_DECISION", "DECIDED", decision.pk)}
    assert AuditEvent.objects.filter(action="enforcement_signal.close_answered").count() == 1


def test_a_corrected_outcome_keeps_the_signal_open_but_no_longer_raised(licence_case, po,
                                                                      django_capture_on_commit_callbacks):
    contact = appointment(licence_case, dt.date(2026, 11, 2), "UNACCEPTABLE_ABSENCE")
    recompute(licence_case)
    with django_capture_on_commit_callbacks(execute=True):
        record_services.contact_record_outcome(contact=contact, by=po.user, expected_version=contact.version,
                                               outcome="ACCEPTABLE_ABSENCE", absence_reason="MEDICAL")
    signal = EnforcementSignal.objects.get(case=licence_case)
    assert (signal.status, signal.in_engine) == ("OPEN", False)


def test_recording_a_failure_raises_the_signal_after_commit(licence_case, po, django_capture_on_commit_callbacks):
    contact = factories.AppointmentFactory(case=licence_case, sentence=licence_case.sentences.get())
    with django_capture_on_commit_callbacks(execute=True):
        record_services.contact_record_outcome(contact=contact, by=po.user, expected_version=contact.version,
                                               outcome="SENT_HOME")
    assert EnforcementSignal.objects.filter(case=licence_case, kind="LICENCE_FAILURE_NO_DECISION").exists()


def test_the_womens_tier_factor_reads_breaches_in_the_last_year(po):
    case = factories.AllocatedCaseFactory(manager=po, gender="FEMALE")
    factories.CommunityOrderFactory(case=case, sentence_date=dt.date(2025, 6, 2), start_date=dt.date(2025, 6, 2),
                                    expected_end_date=dt.date(2027, 6, 1))
    appointment(case, dt.date(2025, 9, 1), "UNACCEPTABLE_ABSENCE")
    decide(case, po, "BREACH", dt.date(2025, 9, 3), requirement="Attend", recommendation="Curfew",
           today=dt.date(2025, 9, 3))
    assert breach_or_recall_case_ids([case.pk], dt.date(2026, 9, 2)) == {case.pk}
    assert breach_or_recall_case_ids([case.pk], dt.date(2026, 9, 3)) == set()  # 12 months on: no longer
    _case, sentences, registrations, assessment = next(tier_inputs([case.pk]))
    request = tier_request(case=case, as_of=dt.date(2026, 9, 2), sentences=sentences, registrations=registrations,
                           assessment=assessment, breach_or_recall_last_year=True)
    assert request["women"]["breach_or_recall_last_year"] is True
    record_services.tier_recalculate(case=case, trigger="test", as_of=dt.date(2026, 9, 2))
    assert case.tier_calculations.latest("calculated_at").inputs["women"]["breach_or_recall_last_year"] is True


def test_recompute_all_writes_only_what_changed(licence_case, order_case):
    appointment(licence_case, dt.date(2026, 11, 2), "UNACCEPTABLE_ABSENCE")
    result = services.signals_recompute_all(trigger="policy changed", today=TODAY, batch=1)
    assert (result.created, result.updated, result.closed) == (1, 0, 0)
    assert services.signals_recompute_all(trigger="policy changed", today=TODAY).written == 0
