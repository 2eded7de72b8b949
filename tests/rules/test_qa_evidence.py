"""The record's evidence for the case assessment (casework.rules.qa_evidence): table-driven and property-based."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.rules.qa_evidence import SOURCES, Answer, Fact, Source, judge, propose

AS_OF = dt.date(2026, 9, 1)
DUE = dt.date(2026, 8, 1)


@pytest.mark.parametrize("due, done_on, not_required, met, words", [
    (DUE, dt.date(2026, 7, 30), False, True, "Done on 30 July 2026, due 1 August 2026"),
    (DUE, DUE, False, True, "Done on 1 August 2026, due 1 August 2026"),  # on the due date: in time
    (DUE, dt.date(2026, 8, 2), False, False, "Done 1 day late, on 2 August 2026"),
    (DUE, dt.date(2026, 8, 11), False, False, "Done 10 days late, on 11 August 2026"),
    (DUE, None, False, False, "Not done by its due date, 1 August 2026"),
    (DUE, dt.date(2026, 9, 5), False, False, "Not done by its due date, 1 August 2026"),  # done after as_of
    (DUE, None, True, True, "Judged not required, with the reason recorded"),
    (AS_OF, None, False, False, "Not done by its due date, 1 September 2026"),  # due on the day: judged
])
def test_judging_one_fact(due, done_on, not_required, met, words):
    finding = judge(Fact(Source.HOME_VISIT, "Home visit", due, done_on, not_required), AS_OF)
    assert (finding.met, finding.words) == (met, words)


def test_a_fact_not_yet_due_says_nothing():
    assert judge(Fact(Source.HOME_VISIT, "Home visit", AS_OF + dt.timedelta(days=1), None), AS_OF) is None


def test_proposals_per_key_question():
    facts = [Fact(Source.DOMESTIC_ABUSE_ENQUIRY, "DA", DUE, DUE), Fact(Source.SAFEGUARDING_ENQUIRY, "SG", DUE, None),
             Fact(Source.HOME_VISIT, "HV", DUE, DUE), Fact(Source.ENFORCEMENT, "Decision", DUE, DUE)]
    proposals = propose("PROBATION_2018", facts, as_of=AS_OF)
    assert proposals[("2.1", "SAFETY")].answer is Answer.NOT_SUFFICIENT  # the safeguarding check was missed
    assert proposals[("2.3", "SAFETY")].answer is Answer.SUFFICIENT
    assert proposals[("2.3", "ENGAGEMENT")].answer is Answer.SUFFICIENT
    assert proposals[("2.4", "SAFETY")].answer is None  # no risk review or oversight due
    assert "1 of 2 record checks not met" in proposals[("2.1", "SAFETY")].reason
    assert set(proposals) == set(SOURCES["PROBATION_2018"])


def test_only_the_questions_asked_for():
    proposals = propose("PROBATION_2018", [], as_of=AS_OF, questions=[("2.1", "SAFETY"), ("9.9", "X")])
    assert list(proposals) == [("2.1", "SAFETY")]
    assert propose("UNKNOWN", [], as_of=AS_OF) == {}


dates = st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2026, 12, 31))
facts = st.lists(st.builds(Fact, source=st.sampled_from(list(Source)), label=st.just("x"), due=dates,
                           done_on=st.none() | dates, not_required=st.booleans()), max_size=12)


@given(facts=facts, as_of=dates)
def test_a_proposal_is_not_sufficient_exactly_when_a_due_fact_was_missed(facts, as_of):
    for (std, kq), proposal in propose("PROBATION_2018", facts, as_of=as_of).items():
        relevant = [f for f in facts if f.source in SOURCES["PROBATION_2018"][(std, kq)] and f.due <= as_of]
        if not relevant:
            assert proposal.answer is None and proposal.findings == ()
            continue
        missed = [f for f in relevant
                  if not f.not_required and (f.done_on is None or f.done_on > as_of or f.done_on > f.due)]
        assert len(proposal.findings) == len(relevant)
        assert proposal.answer is (Answer.NOT_SUFFICIENT if missed else Answer.SUFFICIENT)
