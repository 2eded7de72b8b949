"""Hypothesis: whatever happens on a sentence, recomputing signals is idempotent, never drops or reopens a
signal, closes one only with what answered it, and leaves open exactly what the engine raises."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework.core.errors import DomainValidationError
from casework.enforcement import services
from casework.enforcement.choices import SignalStatus
from casework.enforcement.inputs import sentence_inputs
from casework.enforcement.models import EnforcementSignal
from casework.enforcement.plan import engine_answer
from casework.record.models import RiskAssessment
from casework.rules.enforcement import DEFAULT_POLICY
from casework.supervision.models import CaseEvent
from tests import factories
from tests.enforcement.conftest import START, appointment

pytestmark = pytest.mark.django_db

OUTCOMES = ["UNACCEPTABLE_ABSENCE", "ATTENDED_FAILED_TO_COMPLY", "SENT_HOME", "ATTENDED_COMPLIED"]
DECISIONS = ["WARNING", "BREACH", "INCREASED_REPORTING", "REFERRAL", "CONSIDER_RECALL", "NO_FURTHER_ACTION"]
days = st.integers(min_value=0, max_value=300).map(lambda n: START + dt.timedelta(days=n))

step = st.one_of(
    st.tuples(st.just("contact"), st.sampled_from(OUTCOMES), days),
    st.tuples(st.just("event"), st.sampled_from(["ARREST", "CHARGE", "DOMESTIC_ABUSE_CALLOUT"]), days),
    st.tuples(st.just("review"), st.just(""), days),
    st.tuples(st.just("decide"), st.sampled_from(DECISIONS), days),
    st.tuples(st.just("decide_signal"), st.sampled_from(DECISIONS), days),
    st.tuples(st.just("time_passes"), st.just(""), days),
)


def apply(case, spo, action, value, day, today):
    if action == "contact" and day <= today:
        appointment(case, day, value)
    elif action == "event" and day <= today:
        CaseEvent.objects.create(case=case, type=value, occurred_on=day, notes="x")
    elif action == "review" and day <= today:
        RiskAssessment.objects.create(case=case, assessed_on=day, source="OASYS_LAYER_3", rosh_overall="HIGH")
    elif action in ("decide", "decide_signal"):
        signal = EnforcementSignal.objects.filter(case=case, status="OPEN").order_by("pk").first()
        if action == "decide_signal" and signal is None:
            return
        with contextlib.suppress(DomainValidationError):  # refusals are part of the model
            services.decision_record(
                case=case, sentence=case.sentences.get(), by=spo.user, kind=value, decided_on=min(day, today),
                rationale="Reasons", requirement="Attend", recommendation="Curfew",
                signal=signal if action == "decide_signal" else None,
                expected_version=signal.version if signal else None, today=today)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(licence=st.booleans(), steps=st.lists(step, max_size=8))
def test_recomputing_is_idempotent_and_leaves_open_what_the_engine_raises(team, licence, steps):
    spo = factories.SpoFactory(team=team)
    case = factories.AllocatedCaseFactory(manager=factories.StaffFactory(team=team))
    if licence:
        factories.LicenceFactory(case=case, sentence_date=START, start_date=START, release_date=START,
                                 licence_expiry_date=START + dt.timedelta(days=800))
    else:
        factories.CommunityOrderFactory(case=case, sentence_date=START, start_date=START)
    today = START + dt.timedelta(days=30)
    for action, value, day in steps:
        if action == "time_passes":
            today = max(today, day)
        apply(case, spo, action, value, day, today)
        before = {s.pk: s for s in EnforcementSignal.objects.filter(case=case)}
        services.signals_recompute(case=case, trigger="step", today=today)
        after = {s.pk: s for s in EnforcementSignal.objects.filter(case=case)}
        assert set(before) <= set(after), "a signal was deleted"
        for pk, old in before.items():
            if old.status != SignalStatus.OPEN:
                assert (after[pk].status, after[pk].decision_id) == (old.status, old.decision_id), "reopened"
        for signal in after.values():
            if signal.status == SignalStatus.DECIDED:
                assert signal.closed_note, "closed without saying by what"
                if signal.decision_id is not None:
                    assert signal.decision.decided_on >= signal.since, "closed by a decision dated before it"
        item = sentence_inputs([case.pk])[case.pk][0]
        raised = {(s.signal.value, s.since) for s in engine_answer(item, today, DEFAULT_POLICY).signals}
        stored_open = {(s.kind, s.since) for s in after.values() if s.status == SignalStatus.OPEN and s.in_engine}
        assert stored_open <= raised
        decided = {(s.kind, s.since) for s in after.values() if s.status == SignalStatus.DECIDED}
        assert raised <= stored_open | decided, "a raised signal is not stored"
        assert services.signals_recompute(case=case, trigger="again", today=today).written == 0
