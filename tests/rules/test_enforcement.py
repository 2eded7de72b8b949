"""Compliance and enforcement (rules.md §5.1, §5.2, §5.4, §5.5): one test per sentence of §5.5.

Expected dates are worked out by hand from the published bank holidays (not from the calendar module),
so the tables here are independent vectors; the properties compare the engine with a slow, literal
reading of §5.5 written below.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casework.rules import enforcement, registry
from casework.rules.calendar import is_working_day
from casework.rules.cli import answer
from casework.rules.contacts import ContactOutcome
from casework.rules.contract import ContractError
from casework.rules.enforcement import (
    DEFAULT_POLICY,
    EnforcementAction,
    EnforcementPolicy,
    RequiredAction,
    Signal,
    action_problem,
    handle,
)
from casework.rules.supervision import RiskEventType, SupervisionKind
from tests.rules.strategies import json_values, mutated

D = dt.date
ORDERS = ["COMMUNITY_ORDER", "SUSPENDED_SENTENCE_ORDER"]
LICENCES = ["LICENCE", "POST_SENTENCE_SUPERVISION"]
KINDS = ORDERS + LICENCES
FAILURES = ["ATTENDED_FAILED_TO_COMPLY", "SENT_HOME", "UNACCEPTABLE_ABSENCE"]
NOT_FAILURES = ["ATTENDED_COMPLIED", "ACCEPTABLE_ABSENCE", "RESCHEDULED"]
UA = "UNACCEPTABLE_ABSENCE"

SECOND = "SECOND_FAILURE_NO_BREACH_DECISION"
LICENCE_FAILURE = "LICENCE_FAILURE_NO_DECISION"
RISK = "RISK_EVENT_NO_REVIEW"
REPEATED = "REPEATED_ABSENCE_NO_RECALL_CONSIDERATION"

CONTRACT_EXAMPLE: dict[str, Any] = {
    "as_of": "2026-05-10",
    "kind": "COMMUNITY_ORDER",
    "contacts": [{"date": "2026-03-01", "outcome": "UNACCEPTABLE_ABSENCE"},
                 {"date": "2026-04-14", "outcome": "UNACCEPTABLE_ABSENCE"}],
    "actions": [{"date": "2026-03-03", "action": "WARNING"}],
    "risk_events": [{"type": "DOMESTIC_ABUSE_CALLOUT", "date": "2026-04-01"}],
    "risk_reviews": [{"date": "2026-04-08"}],
}


def request(kind: str = "COMMUNITY_ORDER", as_of: str = "2026-05-10", *, contacts: Any = (), actions: Any = (),
            events: Any = (), reviews: Any = ()) -> dict[str, Any]:
    """A request; ``contacts`` as (date, outcome) or a date (an unacceptable absence), ``actions`` as
    (date, action), ``events`` as (date, type) or a date (an arrest), ``reviews`` as dates."""
    return {
        "as_of": as_of,
        "kind": kind,
        "contacts": [{"date": c, "outcome": UA} if isinstance(c, str) else {"date": c[0], "outcome": c[1]}
                     for c in contacts],
        "actions": [{"date": day, "action": action} for day, action in actions],
        "risk_events": [{"type": "ARREST", "date": e} if isinstance(e, str) else {"type": e[1], "date": e[0]}
                        for e in events],
        "risk_reviews": [{"date": day} for day in reviews],
    }


def run(*args: Any, **kwargs: Any) -> dict[str, Any]:
    return handle(request(*args, **kwargs))


def signals(result: dict[str, Any]) -> list[str]:
    return [s["signal"] for s in result["signals"]]


def signal(result: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((s for s in result["signals"] if s["signal"] == name), None)


# --- the contract example -----------------------------------------------------------------------------


def test_the_contract_example() -> None:
    assert handle(CONTRACT_EXAMPLE) == {
        "failures_last_12_months": 2,
        "required_action": "BREACH",
        "signals": [{"signal": SECOND, "since": "2026-04-14", "due": "2026-04-28", "overdue": True}],
        "rules_version": "enforcement-2026.1",
    }


def test_the_contract_example_through_the_registry_and_the_command_line_runner() -> None:
    assert "enforcement" in registry.names()
    got, ok = answer("enforcement", json.dumps(CONTRACT_EXAMPLE))
    assert ok and got == handle(CONTRACT_EXAMPLE)


# --- §5.5 "What is read": items dated on or before as_of, in any order; "before" = an earlier date -------


def test_contacts_after_as_of_are_not_read() -> None:
    result = run("LICENCE", "2026-05-10", contacts=["2026-05-11"])
    assert (result["failures_last_12_months"], result["required_action"], result["signals"]) == (0, None, [])


def test_contacts_on_as_of_are_read() -> None:
    result = run("LICENCE", "2026-05-10", contacts=["2026-05-10"])
    assert (result["failures_last_12_months"], result["required_action"]) == (1, "DECISION")


def test_actions_after_as_of_are_not_read() -> None:
    result = run("COMMUNITY_ORDER", "2026-05-10", contacts=["2026-05-01"], actions=[("2026-05-11", "WARNING")])
    assert result["required_action"] == "WARNING"
    result = run("LICENCE", "2026-05-10", contacts=["2026-05-01"], actions=[("2026-05-11", "RECALL")])
    assert result["required_action"] == "DECISION"


def test_actions_on_as_of_are_read() -> None:
    result = run("COMMUNITY_ORDER", "2026-05-10", contacts=["2026-05-01"], actions=[("2026-05-10", "WARNING")])
    assert result["required_action"] is None


def test_risk_events_after_as_of_are_not_read() -> None:
    assert run("LICENCE", "2026-05-10", events=["2026-05-11"])["signals"] == []


def test_risk_reviews_after_as_of_are_not_read() -> None:
    result = run("LICENCE", "2026-05-10", events=["2026-05-01"], reviews=["2026-05-11"])
    assert signals(result) == [RISK]


def test_items_may_come_in_any_order() -> None:
    shuffled = copy.deepcopy(CONTRACT_EXAMPLE)
    shuffled["contacts"].reverse()
    assert handle(shuffled) == handle(CONTRACT_EXAMPLE)


def test_before_means_on_an_earlier_date_so_a_warning_the_same_day_does_not_warn() -> None:
    # A warning the same day as a failure does not make it warned (it answers it instead).
    result = run("COMMUNITY_ORDER", contacts=["2026-04-01", "2026-04-20"],
                 actions=[("2026-04-20", "WARNING")])
    assert result["required_action"] is None and result["signals"] == []


# --- §5.5 "Refused": impossible actions, whatever their date -------------------------------------------------

ALLOWED: dict[str, set[str]] = {
    "COMMUNITY_ORDER": {"WARNING", "BREACH", "NO_FURTHER_ACTION"},
    "SUSPENDED_SENTENCE_ORDER": {"WARNING", "BREACH", "NO_FURTHER_ACTION"},
    "LICENCE": {"WARNING", "RECALL_CONSIDERED", "RECALL", "DECISION_NOT_TO_RECALL", "NO_FURTHER_ACTION",
                "INCREASED_REPORTING", "EXTRA_CONDITIONS"},
    "POST_SENTENCE_SUPERVISION": {"WARNING", "BREACH", "NO_FURTHER_ACTION", "INCREASED_REPORTING",
                                  "EXTRA_CONDITIONS"},
}
MESSAGES = {
    "RECALL_CONSIDERED": enforcement.NOT_ON_LICENCE_ONLY,
    "RECALL": enforcement.NOT_ON_LICENCE_ONLY,
    "DECISION_NOT_TO_RECALL": enforcement.NOT_ON_LICENCE_ONLY,
    "BREACH": enforcement.NOT_ON_LICENCE,
    "INCREASED_REPORTING": enforcement.NOT_ON_ORDER,
    "EXTRA_CONDITIONS": enforcement.NOT_ON_ORDER,
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("action", [a.value for a in EnforcementAction])
@pytest.mark.parametrize("day", ["2026-05-01", "2027-01-01"], ids=["before-as-of", "after-as-of"])
def test_impossible_actions_are_refused_whatever_their_date(kind: str, action: str, day: str) -> None:
    body = request(kind, "2026-05-10", actions=[("2026-04-01", "WARNING"), (day, action)])
    if action in ALLOWED[kind]:
        assert handle(body)["rules_version"] == "enforcement-2026.1"
        assert action_problem(SupervisionKind(kind), EnforcementAction(action)) is None
        return
    with pytest.raises(ContractError) as caught:
        handle(body)
    assert (caught.value.field, caught.value.message) == ("actions[1].action", MESSAGES[action])


# --- §5.5 "Failure to comply" -----------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", FAILURES + NOT_FAILURES)
@pytest.mark.parametrize("kind", KINDS)
def test_failures_to_comply_are_failed_to_comply_sent_home_and_unacceptable_absence(kind: str, outcome: str) -> None:
    result = run(kind, "2026-05-10", contacts=[("2026-05-04", outcome)])
    failure = outcome in FAILURES
    assert result["failures_last_12_months"] == (1 if failure else 0)
    expected = ("WARNING" if kind in ORDERS else "DECISION") if failure else None
    assert result["required_action"] == expected


def test_the_outcome_codes_are_the_contact_outcomes() -> None:
    assert sorted(FAILURES + NOT_FAILURES) == sorted(o.value for o in ContactOutcome)


# --- §5.5 "The 12 months before a date D"; failures_last_12_months ------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "failure_dates", "count"),
    [
        pytest.param("2027-05-10", ["2026-05-10"], 0, id="same-date-a-year-earlier-is-out"),
        pytest.param("2027-05-10", ["2026-05-11"], 1, id="the-day-after-is-in"),
        pytest.param("2027-05-10", ["2027-05-10"], 1, id="as-of-itself-is-in"),
        pytest.param("2027-05-10", ["2026-05-10", "2026-05-11", "2027-05-10", "2027-05-11"], 2, id="together"),
        pytest.param("2028-02-29", ["2027-02-28"], 0, id="29-feb-counts-from-28-feb"),
        pytest.param("2028-02-29", ["2027-03-01"], 1, id="29-feb-window-starts-1-march"),
        pytest.param("2029-02-28", ["2028-02-28"], 0, id="28-feb-after-a-leap-year-out"),
        pytest.param("2029-02-28", ["2028-02-29"], 1, id="28-feb-after-a-leap-year-29-feb-in"),
        pytest.param("2029-03-01", ["2028-02-29", "2028-03-01"], 0, id="1-march-after-a-leap-year"),
        pytest.param("2028-02-28", ["2027-02-28", "2027-03-01"], 1, id="28-feb-in-a-leap-year"),
        pytest.param("2030-01-01", ["2020-01-01", "2025-06-30"], 0, id="old-failures-not-counted"),
    ],
)
def test_failures_in_the_last_12_months(as_of: str, failure_dates: list[str], count: int) -> None:
    assert run("LICENCE", as_of, contacts=failure_dates)["failures_last_12_months"] == count


# --- §5.5 "Orders" and "licences" -------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "required"), [("COMMUNITY_ORDER", "WARNING"), ("SUSPENDED_SENTENCE_ORDER", "WARNING"),
                                                ("LICENCE", "DECISION"), ("POST_SENTENCE_SUPERVISION", "DECISION")])
def test_orders_and_licences(kind: str, required: str) -> None:
    assert run(kind, contacts=["2026-05-01"])["required_action"] == required


# --- §5.5 "Warned" -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("warning", "failure", "warned"),
    [
        pytest.param("2026-04-30", "2026-05-01", True, id="the-day-before"),
        pytest.param("2026-05-01", "2026-05-01", False, id="the-same-day"),
        pytest.param("2025-05-02", "2026-05-01", True, id="364-days-before"),
        pytest.param("2025-05-01", "2026-05-01", False, id="the-same-date-a-year-earlier"),
        pytest.param("2027-02-28", "2028-02-29", False, id="failure-29-feb-warning-28-feb"),
        pytest.param("2027-03-01", "2028-02-29", True, id="failure-29-feb-warning-1-march"),
        pytest.param("2028-02-29", "2029-02-28", True, id="warning-29-feb-failure-28-feb"),
        pytest.param("2028-02-29", "2029-03-01", False, id="warning-29-feb-failure-1-march"),
    ],
)
@pytest.mark.parametrize("kind", ORDERS)
def test_a_failure_on_an_order_is_warned_by_a_warning_before_it_in_the_12_months(
    kind: str, warning: str, failure: str, warned: bool
) -> None:
    result = run(kind, "2030-01-01", contacts=[failure], actions=[(warning, "WARNING")])
    # A warned failure needs a breach (and is signalled); otherwise it needs a warning, unless the warning
    # given the same day already answered it.
    unwarned = None if warning == failure else "WARNING"
    assert result["required_action"] == ("BREACH" if warned else unwarned)
    assert signals(result) == ([SECOND] if warned else [])


def test_any_warning_warns_even_one_that_did_not_answer_anything() -> None:
    # The second warning was wrongly given; a failure after it is still warned.
    result = run("COMMUNITY_ORDER", "2026-09-01", contacts=["2026-03-01", "2026-04-01", "2026-08-01"],
                 actions=[("2026-03-02", "WARNING"), ("2026-04-02", "WARNING"), ("2026-04-03", "BREACH")])
    assert result["required_action"] == "BREACH"
    assert signal(result, SECOND)["since"] == "2026-08-01"


# --- §5.5 "Answered" ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["BREACH", "NO_FURTHER_ACTION"])
@pytest.mark.parametrize("day", ["2026-04-20", "2026-04-27"], ids=["same-day", "later"])
def test_a_warned_failure_on_an_order_is_answered_by_breach_or_no_further_action(action: str, day: str) -> None:
    result = run("COMMUNITY_ORDER", contacts=["2026-03-01", "2026-04-20"],
                 actions=[("2026-03-02", "WARNING"), (day, action)])
    assert result["required_action"] is None and result["signals"] == []


def test_a_warned_failure_is_not_answered_by_a_second_warning() -> None:
    result = run("COMMUNITY_ORDER", contacts=["2026-03-01", "2026-04-20"],
                 actions=[("2026-03-02", "WARNING"), ("2026-04-21", "WARNING")])
    assert result["required_action"] == "BREACH" and signals(result) == [SECOND]


def test_a_decision_before_the_failure_does_not_answer_it() -> None:
    result = run("COMMUNITY_ORDER", contacts=["2026-03-01", "2026-04-20"],
                 actions=[("2026-03-02", "WARNING"), ("2026-04-19", "BREACH")])
    assert result["required_action"] == "BREACH" and signals(result) == [SECOND]


@pytest.mark.parametrize("action", ["WARNING", "BREACH", "NO_FURTHER_ACTION"])
def test_an_unwarned_failure_on_an_order_is_answered_by_a_warning_breach_or_nfa(action: str) -> None:
    result = run("SUSPENDED_SENTENCE_ORDER", contacts=["2026-05-01"], actions=[("2026-05-01", action)])
    assert result["required_action"] is None


@pytest.mark.parametrize("kind", LICENCES)
@pytest.mark.parametrize("action", [a.value for a in EnforcementAction])
def test_a_failure_on_a_licence_is_answered_by_any_action_on_or_after_it(kind: str, action: str) -> None:
    if action not in ALLOWED[kind]:
        return
    answered = run(kind, contacts=["2026-05-01"], actions=[("2026-05-01", action)])
    assert answered["required_action"] is None and answered["signals"] == []
    before = run(kind, contacts=["2026-05-01"], actions=[("2026-04-30", action)])
    assert before["required_action"] == "DECISION" and signals(before) == [LICENCE_FAILURE]


@pytest.mark.parametrize("kind", KINDS)
def test_there_is_no_age_limit_an_unanswered_failure_stays_unanswered(kind: str) -> None:
    result = run(kind, "2031-06-01", contacts=["2021-01-04"])
    assert result["failures_last_12_months"] == 0
    assert result["required_action"] == ("WARNING" if kind in ORDERS else "DECISION")
    if kind in LICENCES:
        assert signal(result, LICENCE_FAILURE) == {"signal": LICENCE_FAILURE, "since": "2021-01-04",
                                                   "due": "2021-01-11", "overdue": True}


# --- §5.5 "Required action" ----------------------------------------------------------------------------------


def test_required_action_is_null_when_every_failure_is_answered() -> None:
    assert run("LICENCE", contacts=["2026-04-01"], actions=[("2026-04-02", "WARNING")])["required_action"] is None
    assert run("COMMUNITY_ORDER")["required_action"] is None


def test_required_action_follows_the_latest_unanswered_failure_not_the_earliest() -> None:
    # F1 (2025-06-01) is warned and unanswered; F2 (2026-03-01) comes more than 12 months after the only
    # warning, so it is not warned: the latest unanswered failure needs a warning, F1 still raises its signal.
    result = run("COMMUNITY_ORDER", "2026-03-05", contacts=["2025-06-01", "2026-03-01"],
                 actions=[("2025-01-10", "WARNING")])
    assert result["required_action"] == "WARNING"
    assert signal(result, SECOND)["since"] == "2025-06-01"


def test_required_action_skips_a_later_failure_that_was_answered() -> None:
    # F2 (not warned) is answered by the warning after it; F1 (warned) is not: BREACH for F1.
    result = run("COMMUNITY_ORDER", "2026-03-05", contacts=["2025-06-01", "2026-03-01"],
                 actions=[("2025-01-10", "WARNING"), ("2026-03-02", "WARNING")])
    assert result["required_action"] == "BREACH"


# --- §5.5 "Signals": order, since, due, overdue -------------------------------------------------------------


def test_signals_come_in_the_listed_order_at_most_one_of_each() -> None:
    result = run("LICENCE", "2026-06-30",
                 contacts=["2026-06-01", "2026-06-10", "2026-06-20", "2026-06-22", "2026-06-25"],
                 events=["2026-06-02", "2026-06-05", ("2026-06-07", "CHARGE")])
    assert signals(result) == [LICENCE_FAILURE, RISK, REPEATED]
    result = run("COMMUNITY_ORDER", "2026-06-30", contacts=["2026-06-01", "2026-06-10", "2026-06-12"],
                 actions=[("2026-05-01", "WARNING")], events=["2026-06-02"])
    assert signals(result) == [SECOND, RISK]


@pytest.mark.parametrize(
    ("kind", "as_of", "contacts", "actions", "events", "name", "since", "due"),
    [
        # Contract example: Tuesday 14 April 2026 + 10 working days.
        pytest.param("COMMUNITY_ORDER", "2026-05-10", ["2026-03-01", "2026-04-14"], [("2026-03-03", "WARNING")], [],
                     SECOND, "2026-04-14", "2026-04-28", id="contract-example"),
        # Platinum Jubilee: Thursday 2 and Friday 3 June 2022 (Monday 30 May was a working day that year).
        pytest.param("LICENCE", "2022-06-07", ["2022-05-27"], [], [], LICENCE_FAILURE, "2022-05-27", "2022-06-07",
                     id="platinum-jubilee"),
        # The State Funeral: Monday 19 September 2022.
        pytest.param("COMMUNITY_ORDER", "2022-09-26", [], [], ["2022-09-09"], RISK, "2022-09-09", "2022-09-26",
                     id="state-funeral"),
        # The Coronation (Monday 8 May 2023) after the early May bank holiday (Monday 1 May 2023).
        pytest.param("SUSPENDED_SENTENCE_ORDER", "2023-05-09", ["2023-01-03", "2023-04-21"],
                     [("2023-01-04", "WARNING")], [], SECOND, "2023-04-21", "2023-05-09", id="coronation"),
        # New Year's Day 2028 is a Saturday: Monday 3 January 2028 is the substitute day.
        pytest.param("POST_SENTENCE_SUPERVISION", "2028-01-10", ["2027-12-31"], [], [], LICENCE_FAILURE,
                     "2027-12-31", "2028-01-10", id="substitute-new-year-2028"),
        # Christmas 2026: Friday 25, Boxing Day substitute Monday 28 December, New Year's Day Friday 1 January.
        pytest.param("LICENCE", "2027-01-05", ["2026-12-10", "2026-12-20", "2026-12-24"],
                     [("2026-12-24", "WARNING")], [], REPEATED, "2026-12-24", "2027-01-05", id="christmas-2026"),
        # Counting from a Saturday: the day counted from never counts, whatever day it is.
        pytest.param("LICENCE", "2026-05-15", ["2026-05-09"], [], [], LICENCE_FAILURE, "2026-05-09", "2026-05-15",
                     id="from-a-saturday"),
        # Counting from Easter Monday 2026 (a bank holiday).
        pytest.param("LICENCE", "2026-04-13", [], [], ["2026-04-06"], RISK, "2026-04-06", "2026-04-20",
                     id="from-easter-monday"),
    ],
)
def test_due_is_counted_in_working_days_and_due_day_is_not_overdue(
    kind: str, as_of: str, contacts: list[str], actions: list[tuple[str, str]], events: list[str], name: str,
    since: str, due: str,
) -> None:
    result = run(kind, as_of, contacts=contacts, actions=actions, events=events)
    found = signal(result, name)
    assert found is not None and (found["since"], found["due"]) == (since, due)
    on_due = run(kind, due, contacts=contacts, actions=actions, events=events)
    assert signal(on_due, name)["overdue"] is False
    after = (D.fromisoformat(due) + dt.timedelta(days=1)).isoformat()
    assert signal(run(kind, after, contacts=contacts, actions=actions, events=events), name)["overdue"] is True


# SECOND_FAILURE_NO_BREACH_DECISION (orders): a warned failure not followed by BREACH or NO_FURTHER_ACTION.


def test_second_failure_since_is_the_earliest_qualifying_failure() -> None:
    result = run("COMMUNITY_ORDER", "2026-06-30", contacts=["2026-03-01", "2026-04-14", "2026-05-20", "2026-06-02"],
                 actions=[("2026-03-03", "WARNING"), ("2026-04-20", "NO_FURTHER_ACTION")])
    # 14 April is answered by the NFA of 20 April; 20 May is the earliest warned failure left (Monday 25 May 2026
    # is the spring bank holiday).
    assert signal(result, SECOND) == {"signal": SECOND, "since": "2026-05-20", "due": "2026-06-04", "overdue": True}


@pytest.mark.parametrize("kind", LICENCES)
def test_second_failure_is_for_orders_only(kind: str) -> None:
    result = run(kind, contacts=["2026-03-01", "2026-04-14"], actions=[("2026-03-03", "WARNING")])
    assert SECOND not in signals(result)


# LICENCE_FAILURE_NO_DECISION (licences): an unanswered failure, due 5 working days from the earliest.


def test_licence_failure_since_is_the_earliest_unanswered_failure() -> None:
    result = run("LICENCE", "2026-05-10", contacts=["2026-03-02", "2026-04-15", "2026-04-30"],
                 actions=[("2026-03-05", "INCREASED_REPORTING")])
    assert signal(result, LICENCE_FAILURE) == {"signal": LICENCE_FAILURE, "since": "2026-04-15",
                                               "due": "2026-04-22", "overdue": True}


@pytest.mark.parametrize("kind", ORDERS)
def test_licence_failure_is_for_licences_only(kind: str) -> None:
    assert LICENCE_FAILURE not in signals(run(kind, contacts=["2026-05-01"]))


# RISK_EVENT_NO_REVIEW (any kind).


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("event", [*(t.value for t in RiskEventType), "CAUTION", "POLICE_INTELLIGENCE", "X1"])
def test_arrest_charge_and_domestic_abuse_callout_need_a_review_other_types_are_ignored(kind: str, event: str) -> None:
    result = run(kind, "2026-05-10", events=[("2026-05-01", event)])
    if event in {"ARREST", "CHARGE", "DOMESTIC_ABUSE_CALLOUT"}:
        # Friday 1 May 2026; Monday 4 May is the early May bank holiday.
        assert result["signals"] == [{"signal": RISK, "since": "2026-05-01", "due": "2026-05-18", "overdue": False}]
    else:
        assert result["signals"] == []


@pytest.mark.parametrize(("review", "raised"), [("2026-04-30", True), ("2026-05-01", False), ("2026-05-06", False)],
                         ids=["day-before", "same-day", "after"])
def test_a_risk_review_on_or_after_the_event_answers_it(review: str, raised: bool) -> None:
    assert signals(run("LICENCE", events=["2026-05-01"], reviews=[review])) == ([RISK] if raised else [])


def test_risk_event_since_is_the_earliest_event_with_no_review_after_it() -> None:
    result = run("COMMUNITY_ORDER", "2026-06-30", events=["2026-03-01", ("2026-05-04", "CHARGE"), "2026-06-01"],
                 reviews=["2026-03-10"])
    assert signal(result, RISK) == {"signal": RISK, "since": "2026-05-04", "due": "2026-05-18", "overdue": True}


# REPEATED_ABSENCE_NO_RECALL_CONSIDERATION (LICENCE only).


@pytest.mark.parametrize(
    ("absences", "since"),
    [
        pytest.param(["2026-05-01", "2026-05-27", "2026-05-28"], "2026-05-28", id="27-days-before-counts"),
        pytest.param(["2026-04-30", "2026-05-27", "2026-05-28"], None, id="28-days-before-does-not"),
        pytest.param(["2026-05-20", "2026-05-28", "2026-05-28"], None, id="the-same-day-is-not-before"),
        pytest.param(["2026-05-20", "2026-05-20", "2026-05-28"], "2026-05-28", id="two-on-one-earlier-day"),
        pytest.param(["2026-05-01", "2026-05-10", "2026-05-20", "2026-05-30"], "2026-05-20", id="earliest-of-two"),
        pytest.param(["2026-05-10", "2026-05-20"], None, id="only-two"),
    ],
)
def test_repeated_absences_are_three_within_28_days(absences: list[str], since: str | None) -> None:
    # A warning answers each failure, so only the repeated-absence signal can be raised.
    result = run("LICENCE", "2026-06-30", contacts=absences, actions=[("2026-06-01", "WARNING")])
    expected = [] if since is None else [REPEATED]
    assert signals(result) == expected
    if since is not None:
        assert signal(result, REPEATED)["since"] == since


def test_only_unacceptable_absences_count_towards_repeated_absences() -> None:
    contacts = [("2026-05-10", "SENT_HOME"), ("2026-05-12", "ATTENDED_FAILED_TO_COMPLY"), ("2026-05-14", UA)]
    assert REPEATED not in signals(run("LICENCE", "2026-06-30", contacts=contacts))


@pytest.mark.parametrize("action", ["RECALL_CONSIDERED", "RECALL", "DECISION_NOT_TO_RECALL"])
def test_a_recall_consideration_on_or_after_the_absence_answers_it(action: str) -> None:
    absences = ["2026-05-01", "2026-05-10", "2026-05-20"]
    assert REPEATED not in signals(run("LICENCE", "2026-06-30", contacts=absences, actions=[("2026-05-20", action)]))
    assert REPEATED in signals(run("LICENCE", "2026-06-30", contacts=absences, actions=[("2026-05-19", action)]))


def test_other_actions_do_not_answer_repeated_absences() -> None:
    absences = ["2026-05-01", "2026-05-10", "2026-05-20"]
    for action in ["WARNING", "NO_FURTHER_ACTION", "INCREASED_REPORTING", "EXTRA_CONDITIONS"]:
        result = run("LICENCE", "2026-06-30", contacts=absences, actions=[("2026-05-25", action)])
        assert signals(result) == [REPEATED], action


def test_absences_before_an_earlier_recall_consideration_still_count() -> None:
    absences = ["2026-05-01", "2026-05-10", "2026-05-20"]
    result = run("LICENCE", "2026-06-30", contacts=absences, actions=[("2026-05-15", "RECALL_CONSIDERED")])
    assert signal(result, REPEATED) == {"signal": REPEATED, "since": "2026-05-20", "due": "2026-05-28",
                                        "overdue": True}


def test_post_sentence_supervision_has_no_repeated_absence_signal() -> None:
    result = run("POST_SENTENCE_SUPERVISION", "2026-06-30", contacts=["2026-05-01", "2026-05-10", "2026-05-20"])
    assert signals(result) == [LICENCE_FAILURE]


@pytest.mark.parametrize("kind", ORDERS)
def test_orders_have_no_repeated_absence_signal(kind: str) -> None:
    result = run(kind, "2026-06-30", contacts=["2026-05-01", "2026-05-10", "2026-05-20"])
    assert REPEATED not in signals(result)


# --- the deadlines are stored configuration (rules.md §5.4 [default]) ----------------------------------------


def test_default_policy_is_rules_md() -> None:
    assert DEFAULT_POLICY.to_dict() == {"breach_decision_working_days": 10, "licence_decision_working_days": 5,
                                        "risk_review_working_days": 10, "recall_consideration_working_days": 5,
                                        "repeated_absences": 3, "repeated_absence_days": 28}
    assert EnforcementPolicy.from_dict(DEFAULT_POLICY.to_dict()) == DEFAULT_POLICY


def test_a_local_policy_changes_the_deadlines() -> None:
    policy = EnforcementPolicy.from_dict({**DEFAULT_POLICY.to_dict(), "breach_decision_working_days": 5,
                                          "repeated_absences": 2, "repeated_absence_days": 14})
    result = handle(CONTRACT_EXAMPLE, policy=policy)
    assert signal(result, SECOND)["due"] == "2026-04-21"
    absences = run("LICENCE", "2026-06-30", contacts=["2026-05-01", "2026-05-14"], actions=[("2026-06-01", "WARNING")])
    assert signals(absences) == []
    local = handle(request("LICENCE", "2026-06-30", contacts=["2026-05-01", "2026-05-14"],
                           actions=[("2026-06-01", "WARNING")]), policy=policy)
    assert signal(local, REPEATED)["since"] == "2026-05-14"


def test_the_seed_migration_writes_the_default_policy() -> None:
    import importlib

    seed = importlib.import_module("casework.ruleset.migrations.0005_seed_enforcement_policy")
    assert DEFAULT_POLICY.to_dict() == seed.DEADLINES


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"risk_review_working_days": 0}, "risk_review_working_days", "must be at least 1"),
        ({"repeated_absences": 1}, "repeated_absences", "must be at least 2"),
        ({"repeated_absence_days": 2.5}, "repeated_absence_days", "must be a whole number"),
        ({"typo": 1}, "typo", "is not a known field"),
    ],
)
def test_a_bad_policy_is_refused(change: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(ContractError) as caught:
        EnforcementPolicy.from_dict({**DEFAULT_POLICY.to_dict(), **change})
    assert (caught.value.field, caught.value.message) == (field, message)


# --- contract errors ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        pytest.param({**CONTRACT_EXAMPLE, "policy": None}, "policy", "is not a known field", id="unknown-field"),
        pytest.param({**CONTRACT_EXAMPLE, "contacts": [{"date": "2026-03-01", "outcome": UA, "kind": "PHONE"}]},
                     "contacts[0].kind", "is not a known field", id="unknown-nested-field"),
        pytest.param({**CONTRACT_EXAMPLE, "kind": "CUSTODY"}, "kind",
                     "must be one of COMMUNITY_ORDER, SUSPENDED_SENTENCE_ORDER, LICENCE, POST_SENTENCE_SUPERVISION",
                     id="bad-kind"),
        pytest.param({**CONTRACT_EXAMPLE, "contacts": [{"date": "2026-03-01", "outcome": "ABSENT"}]},
                     "contacts[0].outcome",
                     "must be one of ATTENDED_COMPLIED, ATTENDED_FAILED_TO_COMPLY, SENT_HOME, UNACCEPTABLE_ABSENCE, "
                     "ACCEPTABLE_ABSENCE, RESCHEDULED", id="bad-outcome"),
        pytest.param({**CONTRACT_EXAMPLE, "actions": [{"date": "2026-03-03", "action": "warning"}]},
                     "actions[0].action",
                     "must be one of WARNING, BREACH, RECALL_CONSIDERED, RECALL, DECISION_NOT_TO_RECALL, "
                     "NO_FURTHER_ACTION, INCREASED_REPORTING, EXTRA_CONDITIONS", id="bad-action"),
        pytest.param({**CONTRACT_EXAMPLE, "risk_events": [{"type": "arrest", "date": "2026-04-01"}]},
                     "risk_events[0].type", "must be a code in capitals, such as ARREST", id="event-type-not-a-code"),
        pytest.param({**CONTRACT_EXAMPLE, "risk_events": [{"type": None, "date": "2026-04-01"}]},
                     "risk_events[0].type", "must not be null", id="event-type-null"),
        pytest.param({**CONTRACT_EXAMPLE, "as_of": "2026-02-30"}, "as_of",
                     "must be a real date in the form YYYY-MM-DD", id="impossible-date"),
        pytest.param({**CONTRACT_EXAMPLE, "risk_reviews": [{"date": "08/04/2026"}]}, "risk_reviews[0].date",
                     "must be a real date in the form YYYY-MM-DD", id="bad-date-format"),
        pytest.param({**CONTRACT_EXAMPLE, "as_of": 20260510}, "as_of", "must be a date in the form YYYY-MM-DD",
                     id="date-not-a-string"),
        pytest.param({k: v for k, v in CONTRACT_EXAMPLE.items() if k != "as_of"}, "as_of", "is required",
                     id="missing-as-of"),
        pytest.param({**CONTRACT_EXAMPLE, "contacts": None}, "contacts", "must not be null", id="null-list"),
        pytest.param({**CONTRACT_EXAMPLE, "actions": {"date": "2026-03-03"}}, "actions", "must be a list",
                     id="object-for-list"),
    ],
)
def test_contract_errors(body: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(ContractError) as caught:
        handle(body)
    assert (caught.value.field, caught.value.message) == (field, message)


def test_lists_may_be_left_out() -> None:
    assert handle({"as_of": "2026-05-10", "kind": "LICENCE"}) == {
        "failures_last_12_months": 0, "required_action": None, "signals": [], "rules_version": "enforcement-2026.1"}


def test_a_due_date_past_the_calendar_is_an_error_not_a_crash() -> None:
    with pytest.raises(ContractError) as caught:
        run("LICENCE", "9999-12-31", contacts=["2026-01-01", "9999-12-30"], actions=[("2026-01-02", "WARNING")])
    assert (caught.value.field, caught.value.message) == ("contacts[1].date", enforcement.TOO_LATE)


# --- properties: the engine equals a slow, literal reading of §5.5 --------------------------------------------


def _in_12_months_before(day: D, end: D) -> bool:
    last_out = D(end.year - 1, end.month, 28 if (end.month, end.day) == (2, 29) else end.day)
    return last_out < day <= end


def _working_days_from(day: D, n: int) -> D:
    while n:
        day += dt.timedelta(days=1)
        n -= is_working_day(day)
    return day


def literal(body: dict[str, Any]) -> dict[str, Any]:
    """§5.5 sentence by sentence, with loops instead of searches."""
    as_of = D.fromisoformat(body["as_of"])
    kind = body["kind"]
    read = {key: [dict(item, date=D.fromisoformat(item["date"])) for item in body[key]
                  if D.fromisoformat(item["date"]) <= as_of]
            for key in ("contacts", "actions", "risk_events", "risk_reviews")}
    failures = [c["date"] for c in read["contacts"] if c["outcome"] in FAILURES]
    actions = read["actions"]

    def warned(f: D) -> bool:
        return any(a["action"] == "WARNING" and a["date"] < f and _in_12_months_before(a["date"], f) for a in actions)

    def answered(f: D) -> bool:
        if kind in ORDERS:
            return any(a["date"] >= f and (a["action"] in ("BREACH", "NO_FURTHER_ACTION")
                                           or (a["action"] == "WARNING" and not warned(f))) for a in actions)
        return any(a["date"] >= f for a in actions)

    unanswered = [f for f in failures if not answered(f)]
    required = None
    if unanswered:
        latest = max(unanswered)
        required = ("BREACH" if warned(latest) else "WARNING") if kind in ORDERS else "DECISION"
    found = []

    def add(name: str, items: list[D], days: int) -> None:
        if items:
            since = min(items)
            due = _working_days_from(since, days)
            found.append({"signal": name, "since": since.isoformat(), "due": due.isoformat(), "overdue": as_of > due})

    if kind in ORDERS:
        add(SECOND, [f for f in failures if warned(f) and not any(
            a["date"] >= f and a["action"] in ("BREACH", "NO_FURTHER_ACTION") for a in actions)], 10)
    else:
        add(LICENCE_FAILURE, unanswered, 5)
    add(RISK, [e["date"] for e in read["risk_events"] if e["type"] in ("ARREST", "CHARGE", "DOMESTIC_ABUSE_CALLOUT")
               and not any(r["date"] >= e["date"] for r in read["risk_reviews"])], 10)
    if kind == "LICENCE":
        absences = [c["date"] for c in read["contacts"] if c["outcome"] == UA]
        add(REPEATED, [a for a in absences
                       if sum(1 for b in absences if 1 <= (a - b).days <= 27) >= 2
                       and not any(x["date"] >= a and x["action"] in ("RECALL_CONSIDERED", "RECALL",
                                                                      "DECISION_NOT_TO_RECALL") for x in actions)], 5)
    return {"failures_last_12_months": sum(1 for f in failures if _in_12_months_before(f, as_of)),
            "required_action": required, "signals": found, "rules_version": enforcement.RULES_VERSION}


# Every safeguards event type and a code no list has.
EVENT_TYPES = [*(t.value for t in RiskEventType), "CAUTION"]
# Unacceptable absences twice as often as the other outcomes, so repeated absences happen.
OUTCOMES = [*FAILURES, UA, UA, *NOT_FAILURES]
# Dates over two and a half years around 29 February 2028 and the 2026-27 Christmas holidays.
days = st.dates(min_value=D(2026, 11, 1), max_value=D(2029, 4, 30))


@st.composite
def requests(draw: Any) -> dict[str, Any]:
    kind = draw(st.sampled_from(KINDS))
    allowed = sorted(ALLOWED[kind])
    # Items cluster in a few months so warnings, failures and windows interact.
    start = draw(days)
    near = st.integers(min_value=0, max_value=420).map(lambda n: (start + dt.timedelta(days=n)).isoformat())
    return {
        "as_of": draw(near),
        "kind": kind,
        "contacts": draw(st.lists(st.fixed_dictionaries({"date": near, "outcome": st.sampled_from(OUTCOMES)}),
                                  max_size=10)),
        "actions": draw(st.lists(st.fixed_dictionaries({"date": near, "action": st.sampled_from(allowed)}),
                                 max_size=4)),
        "risk_events": draw(st.lists(st.fixed_dictionaries({"type": st.sampled_from(EVENT_TYPES),
                                                            "date": near}), max_size=4)),
        "risk_reviews": draw(st.lists(st.fixed_dictionaries({"date": near}), max_size=2)),
    }


@settings(max_examples=400)
@given(requests())
def test_property_the_engine_is_the_literal_reading(body: dict[str, Any]) -> None:
    assert handle(body) == literal(body)


@given(requests(), st.randoms(use_true_random=False))
def test_property_order_of_items_does_not_matter(body: dict[str, Any], rng: random.Random) -> None:
    shuffled = copy.deepcopy(body)
    for key in ("contacts", "actions", "risk_events", "risk_reviews"):
        rng.shuffle(shuffled[key])
    assert handle(shuffled) == handle(body)


@given(requests(), st.integers(min_value=1, max_value=400))
def test_property_items_after_as_of_change_nothing(body: dict[str, Any], later: int) -> None:
    after = (D.fromisoformat(body["as_of"]) + dt.timedelta(days=later)).isoformat()
    extended = copy.deepcopy(body)
    extended["contacts"].append({"date": after, "outcome": UA})
    extended["actions"].append({"date": after, "action": sorted(ALLOWED[body["kind"]])[0]})
    extended["risk_events"].append({"type": "ARREST", "date": after})
    extended["risk_reviews"].append({"date": after})
    assert handle(extended) == handle(body)


@given(requests())
def test_property_shape_of_every_answer(body: dict[str, Any]) -> None:
    result = handle(body)
    as_of, kind = D.fromisoformat(body["as_of"]), body["kind"]
    names = signals(result)
    assert names == [s.value for s in Signal if s.value in names]
    for found in result["signals"]:
        since, due = D.fromisoformat(found["since"]), D.fromisoformat(found["due"])
        assert since <= as_of < D.max and since < due and is_working_day(due)
        assert found["overdue"] is (as_of > due)
    assert result["failures_last_12_months"] <= sum(c["outcome"] in FAILURES for c in body["contacts"])
    if kind in ORDERS:
        assert result["required_action"] in (None, "BREACH", "WARNING")
        assert not {LICENCE_FAILURE, REPEATED} & set(names)
    else:
        assert result["required_action"] in (None, "DECISION")
        assert (result["required_action"] == "DECISION") is (LICENCE_FAILURE in names)
        assert SECOND not in names
        if kind == "POST_SENTENCE_SUPERVISION":
            assert REPEATED not in names


@given(requests())
def test_property_a_decision_today_answers_every_failure(body: dict[str, Any]) -> None:
    decision = "BREACH" if body["kind"] in ORDERS else "NO_FURTHER_ACTION"
    decided = copy.deepcopy(body)
    decided["actions"].append({"date": body["as_of"], "action": decision})
    decided["risk_reviews"].append({"date": body["as_of"]})
    result = handle(decided)
    assert result["required_action"] is None
    assert not {SECOND, LICENCE_FAILURE, RISK} & set(signals(result))
    if body["kind"] == "LICENCE":
        decided["actions"].append({"date": body["as_of"], "action": "RECALL_CONSIDERED"})
        assert handle(decided)["signals"] == []


@given(st.one_of(json_values, mutated(CONTRACT_EXAMPLE), mutated(request("LICENCE", contacts=["2026-05-01"],
                                                                          actions=[("2026-05-02", "RECALL")]))))
def test_property_handle_raises_only_contract_errors(body: Any) -> None:
    try:
        result = handle(body)
    except ContractError as exc:
        assert exc.message
        return
    assert set(result) == {"failures_last_12_months", "required_action", "signals", "rules_version"}


def test_enum_codes_are_upper_snake_and_required_actions_are_actions_or_decision() -> None:
    for enum in (EnforcementAction, RequiredAction, Signal):
        assert all(member.value == member.name for member in enum)
    assert {a.value for a in RequiredAction} - {a.value for a in EnforcementAction} == {"DECISION"}


# --- the command line and the API -------------------------------------------------------------------------------


def test_casework_rules_enforcement_on_the_command_line() -> None:
    from tests.test_cli import casework

    lines = [json.dumps(CONTRACT_EXAMPLE), json.dumps({**CONTRACT_EXAMPLE, "kind": "LICENCE"}),
             json.dumps({**CONTRACT_EXAMPLE, "actions": [{"date": "2026-03-03", "action": "RECALL"}]})]
    result = casework("rules", "enforcement", stdin="\n".join(lines) + "\n")
    assert result.returncode == 2, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert out[0] == handle(CONTRACT_EXAMPLE)
    assert out[1]["required_action"] == "DECISION"
    assert out[2] == {"error": {"field": "actions[0].action", "message": enforcement.NOT_ON_LICENCE_ONLY}}
    assert casework("rules", "enforcement", stdin=lines[0] + "\n").returncode == 0


@pytest.mark.django_db
def test_post_api_rules_enforcement(client, po) -> None:
    client.force_login(po.user)

    def post(body: Any) -> Any:
        return client.post("/api/rules/enforcement", data=json.dumps(body), content_type="application/json")

    response = post(CONTRACT_EXAMPLE)
    assert response.status_code == 200 and response.json() == handle(CONTRACT_EXAMPLE)
    refused = post({**CONTRACT_EXAMPLE, "kind": "PROBATION"})
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "kind"


@pytest.mark.django_db
def test_api_and_stored_config_use_the_enforcement_deadlines_in_force(client, po, monkeypatch, capsys) -> None:
    import io
    import sys

    from casework import cli
    from casework.ruleset.kinds import ConfigKind
    from casework.ruleset.selectors import enforcement_policy
    from casework.ruleset.services import rule_config_change
    from tests import factories

    assert enforcement_policy()[0] == DEFAULT_POLICY
    admin = factories.AdminStaffFactory().user
    rule_config_change(kind=ConfigKind.ENFORCEMENT_POLICY, key="default", by=admin, reason="Local breach policy",
                       data={**DEFAULT_POLICY.to_dict(), "breach_decision_working_days": 5})
    client.force_login(po.user)
    body = client.post("/api/rules/enforcement", data=json.dumps(CONTRACT_EXAMPLE),
                       content_type="application/json").json()
    assert signal(body, SECOND)["due"] == "2026-04-21"
    assert body["config"] == ["ENFORCEMENT_POLICY/default/v2"]
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(CONTRACT_EXAMPLE) + "\n"))
    assert cli.main(["rules", "enforcement", "--stored-config"]) == 0
    assert json.loads(capsys.readouterr().out) == body
