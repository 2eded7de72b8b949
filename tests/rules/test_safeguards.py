"""The safeguard schedule (rules.md §4, computed as §4.1 says): one test per sentence of §4.1.

Expected due dates are worked out by hand from the published bank holidays (the calendar module is
tested against them separately), so a change in how the engine counts shows here.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import json
import sys
from typing import Any

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casework import cli
from casework.rules import registry
from casework.rules.calendar import is_working_day
from casework.rules.cli import answer
from casework.rules.contract import ContractError
from casework.rules.safeguards import (
    DEFAULT_SCHEDULE,
    RULES_VERSION,
    SafeguardSchedule,
    handle,
)

CO = "COMMUNITY_ORDER"
SSO = "SUSPENDED_SENTENCE_ORDER"
LICENCE = "LICENCE"
PSS = "POST_SENTENCE_SUPERVISION"
DA, SG, IRA = "DOMESTIC_ABUSE_ENQUIRY", "SAFEGUARDING_ENQUIRY", "INITIAL_ROSH_ASSESSMENT"
HV, RR, MO = "HOME_VISIT", "RISK_REVIEW", "MANAGEMENT_OVERSIGHT"


def request(as_of: str, start: str = "2026-01-12", kind: str = CO, **case: Any) -> dict[str, Any]:
    return {"as_of": as_of, "case": {"kind": kind, "start_date": start, **case}}


def tasks(as_of: str, start: str = "2026-01-12", kind: str = CO, **case: Any) -> list[dict[str, Any]]:
    return handle(request(as_of, start, kind, **case))["tasks"]


def of(found: list[dict[str, Any]], safeguard: str, trigger: str | None = None) -> list[dict[str, Any]]:
    return [t for t in found if t["safeguard"] == safeguard and (trigger is None or t["trigger"] == trigger)]


def one(found: list[dict[str, Any]], safeguard: str, trigger: str | None = None) -> dict[str, Any]:
    matching = of(found, safeguard, trigger)
    assert len(matching) == 1, matching
    return matching[0]


def events(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"type": kind, "date": day} for kind, day in pairs]


def done(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"safeguard": s, "date": day} for s, day in pairs]


def waived(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"safeguard": s, "date": day, "reason": "Assessed as not needed", "by": "SPO1"} for s, day in pairs]


def refused(req: dict[str, Any]) -> tuple[str, str]:
    with pytest.raises(ContractError) as exc:
        handle(req)
    return exc.value.field, exc.value.message


# --- the contract example (contracts.md) ---------------------------------------------------------------

CONTRACT_EXAMPLE = {
    "as_of": "2026-03-02",
    "case": {
        "kind": "COMMUNITY_ORDER", "start_date": "2026-01-12", "rosh": "HIGH", "children_contact": "YES",
        "registrations": [{"code": "ADVP", "start_date": "2026-01-12"}],
        "events": [{"type": "ARREST", "date": "2026-02-20"}],
        "done": [{"safeguard": "DOMESTIC_ABUSE_ENQUIRY", "date": "2026-01-20"}],
        "not_required": [{"safeguard": "HOME_VISIT", "reason": "...", "by": "SPO1", "date": "2026-01-21"}],
    },
    "policy": None,
}


def test_the_contract_example():
    result = handle(CONTRACT_EXAMPLE)
    assert result["rules_version"] == RULES_VERSION
    assert [(t["safeguard"], t["trigger"], t["due"], t["status"], t["done_date"]) for t in result["tasks"]] == [
        (MO, "START", "2026-01-26", "OVERDUE", None),
        (DA, "START", "2026-02-02", "DONE", "2026-01-20"),
        (IRA, "START", "2026-02-02", "OVERDUE", None),
        (SG, "START", "2026-02-02", "OVERDUE", None),
        (HV, "REGISTRATION", "2026-02-09", "NOT_REQUIRED", None),
        # The contract's own task: a review 10 working days from Friday 20 February.
        (RR, "ARREST", "2026-03-06", "DUE", None),
        # 16 weeks from 12 January is Monday 4 May 2026, the early May bank holiday.
        (RR, "PERIODIC", "2026-05-05", "DUE", None),
    ]


# --- "rosh is the case's current RoSH and is used throughout" ----------------------------------------------


@pytest.mark.parametrize("rosh, oversight, periodic_due", [
    ("VERY_HIGH", True, "2026-05-05"),
    ("HIGH", True, "2026-05-05"),
    ("MEDIUM", False, "2026-07-13"),
    ("LOW", False, "2026-07-13"),
    (None, False, "2026-07-13"),
])
def test_rosh_decides_start_oversight_and_the_review_cycle(rosh, oversight, periodic_due):
    found = tasks("2026-01-12", rosh=rosh)
    assert bool(of(found, MO)) is oversight
    assert one(found, RR, "PERIODIC")["due"] == periodic_due


# --- Working days --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("event_day, due", [
    pytest.param("2022-05-27", "2022-06-14", id="platinum-jubilee-2-and-3-june-2022"),
    pytest.param("2022-09-09", "2022-09-26", id="state-funeral-19-september-2022"),
    pytest.param("2023-04-28", "2023-05-16", id="early-may-and-coronation-2023"),
    pytest.param("2027-12-24", "2028-01-12", id="christmas-substitutes-and-new-year-substitute-2028-01-03"),
    pytest.param("2026-04-02", "2026-04-20", id="easter-2026"),
    pytest.param("2026-01-16", "2026-01-30", id="friday"),
    pytest.param("2026-01-17", "2026-01-30", id="saturday-never-counts"),
    pytest.param("2026-01-18", "2026-01-30", id="sunday-never-counts"),
    pytest.param("2026-05-04", "2026-05-18", id="the-day-itself-a-bank-holiday"),
])
def test_ten_working_days_from_an_event(event_day, due):
    found = tasks(event_day, start="2022-01-04", kind=LICENCE, events=events(("ARREST", event_day)))
    assert one(found, RR, "ARREST")["due"] == due


@pytest.mark.parametrize("start, due", [
    pytest.param("2026-01-12", "2026-02-02", id="monday-start-does-not-count"),
    pytest.param("2026-01-10", "2026-01-30", id="saturday-start"),
    pytest.param("2023-04-24", "2023-05-17", id="two-may-bank-holidays-2023"),
    pytest.param("2022-09-05", "2022-09-27", id="state-funeral"),
])
def test_fifteen_working_days_from_the_start(start, due):
    found = tasks(start, start=start)
    assert {one(found, s)["due"] for s in (DA, SG, IRA)} == {due}


# --- What is read --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("registration_start, visits", [
    ("2026-03-02", 1),  # on as_of: read
    ("2026-03-03", 0),  # after as_of: not read
])
def test_registrations_are_read_from_their_start_date_up_to_as_of(registration_start, visits):
    found = tasks("2026-03-02", registrations=[{"code": "ADVP", "start_date": registration_start}])
    assert len(of(found, HV)) == visits


@pytest.mark.parametrize("event_day, read", [
    ("2026-01-11", False),  # before the start: an earlier sentence's
    ("2026-01-12", True),   # on the start
    ("2026-03-02", True),   # on as_of
    ("2026-03-03", False),  # after as_of
])
def test_events_are_read_from_the_start_to_as_of_inclusive(event_day, read):
    found = tasks("2026-03-02", events=events(("CHANGE_OF_ADDRESS", event_day)))
    assert bool(of(found, RR, "CHANGE_OF_ADDRESS")) is read


@pytest.mark.parametrize("entry_day, status", [("2026-03-02", "DONE"), ("2026-03-03", "OVERDUE")])
def test_done_entries_are_read_up_to_as_of(entry_day, status):
    assert one(tasks("2026-03-02", done=done((IRA, entry_day))), IRA)["status"] == status


@pytest.mark.parametrize("entry_day, status", [("2026-03-02", "NOT_REQUIRED"), ("2026-03-03", "OVERDUE")])
def test_not_required_entries_are_read_up_to_as_of(entry_day, status):
    found = tasks("2026-03-02", children_contact="NO", not_required=waived((SG, entry_day)))
    assert one(found, SG)["status"] == status


# --- Refused ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind, event, message", [
    (CO, "RECALL_DECISION", "RECALL_DECISION is not possible on a community order"),
    (SSO, "RECALL_DECISION", "RECALL_DECISION is not possible on a suspended sentence order"),
    (PSS, "RECALL_DECISION", "RECALL_DECISION is not possible on post-sentence supervision"),
    (LICENCE, "BREACH_DECISION", "BREACH_DECISION is not possible on a licence"),
    (CO, "RELEASE", "RELEASE is not possible on a community order"),
    (SSO, "RELEASE", "RELEASE is not possible on a suspended sentence order"),
])
def test_an_event_impossible_for_the_kind_is_refused(kind, event, message):
    req = request("2026-03-02", kind=kind, events=events(("ARREST", "2026-01-20"), (event, "2026-02-20")))
    assert refused(req) == ("case.events[1].type", message)


@pytest.mark.parametrize("day", ["2025-01-01", "2027-01-01"])
def test_an_impossible_event_is_refused_whatever_its_date(day):
    assert refused(request("2026-03-02", events=events(("RECALL_DECISION", day))))[0] == "case.events[0].type"


@pytest.mark.parametrize("kind, event", [
    (LICENCE, "RECALL_DECISION"), (CO, "BREACH_DECISION"), (SSO, "BREACH_DECISION"), (PSS, "BREACH_DECISION"),
    (LICENCE, "RELEASE"), (PSS, "RELEASE"),
])
def test_possible_decisions_and_releases_are_accepted(kind, event):
    assert one(tasks("2026-03-02", kind=kind, events=events((event, "2026-02-20"))), RR, event)


@pytest.mark.parametrize("safeguard", [DA, IRA, MO])
def test_a_safeguard_that_may_not_be_waived_is_refused(safeguard):
    req = request("2026-03-02", rosh="HIGH", children_contact="NO", not_required=waived((safeguard, "2026-01-20")))
    assert refused(req) == ("case.not_required[0].safeguard", f"{safeguard} may not be recorded as not required")


@pytest.mark.parametrize("children_contact", ["YES", "UNKNOWN", None])
def test_a_safeguarding_enquiry_is_waived_only_when_there_is_no_contact_with_children(children_contact):
    case = {"not_required": waived((HV, "2026-01-20"), (SG, "2026-01-20"))}
    if children_contact is not None:
        case["children_contact"] = children_contact
    field, message = refused(request("2026-03-02", **case))
    assert field == "case.not_required[1].safeguard"
    assert message == "SAFEGUARDING_ENQUIRY may be recorded as not required only when children_contact is NO"


def test_home_visits_and_risk_reviews_may_be_waived():
    found = tasks("2026-03-02", registrations=[{"code": "RCPR", "start_date": "2026-01-12"}],
                  events=events(("CHARGE", "2026-02-02")), not_required=waived((HV, "2026-02-20"), (RR, "2026-02-20")))
    assert one(found, HV)["status"] == one(found, RR, "CHARGE")["status"] == "NOT_REQUIRED"


# --- Start -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [CO, SSO, LICENCE, PSS])
def test_every_kind_starts_its_tasks_on_start_date(kind):
    found = tasks("2026-01-12", kind=kind)
    assert [(t["safeguard"], t["trigger"]) for t in found if t["due"] == "2026-02-02"] == [
        (DA, "START"), (IRA, "START"), (SG, "START")]


# --- Tasks -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("children_contact", ["YES", "NO", "UNKNOWN"])
def test_the_three_start_tasks_are_listed_whatever_children_contact_says(children_contact):
    found = tasks("2026-02-03", children_contact=children_contact)
    for safeguard in (DA, SG, IRA):
        assert one(found, safeguard, "START") == {"safeguard": safeguard, "trigger": "START", "due": "2026-02-02",
                                                  "status": "OVERDUE", "done_date": None}


@pytest.mark.parametrize("code, visits", [
    ("ADVP", 1), ("RCCO", 1), ("RCPR", 1), ("RCHD", 1), ("REG30", 0), ("RVHR", 0), ("MAPP", 0),
])
def test_home_visits_follow_domestic_abuse_and_child_registrations(code, visits):
    assert len(of(tasks("2026-03-02", registrations=[{"code": code, "start_date": "2026-02-02"}]), HV)) == visits


def test_a_home_visit_is_created_on_the_later_of_the_start_and_the_registration():
    before = tasks("2026-03-02", registrations=[{"code": "ADVP", "start_date": "2025-06-01"}])
    after = tasks("2026-03-02", registrations=[{"code": "RCCO", "start_date": "2026-02-02"}])
    assert one(before, HV)["due"] == "2026-02-09"  # 20 working days from the start, 12 January
    assert one(after, HV)["due"] == "2026-03-02"   # 20 working days from Monday 2 February


def test_registrations_giving_the_same_creating_date_give_one_home_visit():
    found = tasks("2026-03-02", registrations=[
        {"code": "ADVP", "start_date": "2025-06-01"}, {"code": "RCPR", "start_date": "2026-01-05"},
        {"code": "RCHD", "start_date": "2026-01-12"}, {"code": "RCCO", "start_date": "2026-02-02"},
        {"code": "ADVP", "start_date": "2026-02-02"}])
    assert [t["due"] for t in of(found, HV)] == ["2026-02-09", "2026-03-02"]


def test_management_oversight_on_each_breach_or_recall_decision():
    order = tasks("2026-03-02", rosh="LOW", events=events(("BREACH_DECISION", "2026-02-02"),
                                                          ("BREACH_DECISION", "2026-02-16"), ("ARREST", "2026-02-16")))
    assert [(t["trigger"], t["due"]) for t in of(order, MO)] == [("BREACH_DECISION", "2026-02-16"),
                                                                 ("BREACH_DECISION", "2026-03-02")]
    licence = tasks("2026-03-02", kind=LICENCE, rosh="VERY_HIGH", events=events(("RECALL_DECISION", "2026-02-16")))
    assert [(t["trigger"], t["due"]) for t in of(licence, MO)] == [("START", "2026-01-26"),
                                                                   ("RECALL_DECISION", "2026-03-02")]


@pytest.mark.parametrize("event", ["ARREST", "CHARGE", "DOMESTIC_ABUSE_CALLOUT", "CHANGE_OF_ADDRESS",
                                   "CHANGE_OF_HOUSEHOLD", "FAILURE_TO_COMPLY", "BREACH_DECISION", "RELEASE",
                                   "REGISTRATION_ADDED"])
def test_each_trigger_event_creates_a_risk_review_due_in_ten_working_days(event):
    kind = CO if event == "BREACH_DECISION" else LICENCE
    found = tasks("2026-02-20", kind=kind, events=events((event, "2026-02-20")))
    assert one(found, RR, event) == {"safeguard": RR, "trigger": event, "due": "2026-03-06", "status": "DUE",
                                     "done_date": None}


def test_a_registration_does_not_trigger_a_review_by_itself():
    found = tasks("2026-03-02", registrations=[{"code": "ADVP", "start_date": "2026-02-02"}])
    assert [t["trigger"] for t in of(found, RR)] == ["PERIODIC"]
    sent = tasks("2026-03-02", registrations=[{"code": "ADVP", "start_date": "2026-02-02"}],
                 events=events(("REGISTRATION_ADDED", "2026-02-02")))
    assert one(sent, RR, "REGISTRATION_ADDED")["due"] == "2026-02-16"


def test_exactly_one_periodic_review_from_the_latest_done_review_since_the_start():
    found = tasks("2026-09-01", rosh="MEDIUM", events=events(("ARREST", "2026-02-20")),
                  done=done((RR, "2025-12-01"), (RR, "2026-03-03"), (RR, "2026-02-25"), (RR, "2026-09-02")))
    # 2026-03-03 + 26 weeks = Tuesday 1 September 2026; the review dated after as_of is not read.
    assert one(found, RR, "PERIODIC") == {"safeguard": RR, "trigger": "PERIODIC", "due": "2026-09-01",
                                          "status": "DUE", "done_date": None}


def test_a_review_before_the_start_does_not_move_the_periodic_review():
    found = tasks("2026-01-12", done=done((RR, "2026-01-09")))
    assert one(found, RR, "PERIODIC")["due"] == "2026-07-13"  # 26 weeks from Monday 12 January


@pytest.mark.parametrize("start, rosh, due", [
    pytest.param("2026-01-12", "HIGH", "2026-05-05", id="16-weeks-onto-a-bank-holiday"),
    pytest.param("2026-01-10", None, "2026-07-13", id="26-weeks-onto-a-saturday"),
    pytest.param("2026-07-03", "LOW", "2027-01-04", id="26-weeks-onto-new-years-day"),
    pytest.param("2022-05-27", "VERY_HIGH", "2022-09-16", id="16-weeks-onto-a-working-day"),
    pytest.param("2022-05-30", "VERY_HIGH", "2022-09-20", id="16-weeks-onto-the-state-funeral"),
])
def test_the_periodic_review_moves_to_the_next_working_day(start, rosh, due):
    assert one(tasks(start, start=start, rosh=rosh), RR, "PERIODIC")["due"] == due


def test_the_periodic_review_is_only_ever_due_or_overdue():
    found = tasks("2026-07-14", not_required=waived((RR, "2026-07-14")))
    assert one(found, RR, "PERIODIC")["status"] == "OVERDUE"
    assert one(tasks("2026-07-13"), RR, "PERIODIC")["status"] == "DUE"


# --- Closing ---------------------------------------------------------------------------------------------------


def test_done_entries_close_before_not_required_entries():
    found = tasks("2026-03-02", registrations=[{"code": "ADVP", "start_date": "2026-01-12"}],
                  not_required=waived((HV, "2026-01-20")), done=done((HV, "2026-02-05")))
    assert one(found, HV)["status"] == "DONE" and one(found, HV)["done_date"] == "2026-02-05"


def test_an_entry_closes_every_open_task_of_its_safeguard_created_on_or_before_its_date():
    found = tasks("2026-03-02", events=events(("ARREST", "2026-02-02"), ("CHARGE", "2026-02-09"),
                                              ("FAILURE_TO_COMPLY", "2026-02-10")),
                  done=done((RR, "2026-02-09")))
    assert [(t["trigger"], t["status"], t["done_date"]) for t in of(found, RR)] == [
        ("ARREST", "DONE", "2026-02-09"), ("CHARGE", "DONE", "2026-02-09"),
        ("FAILURE_TO_COMPLY", "OVERDUE", None), ("PERIODIC", "DUE", None)]


def test_done_entries_close_in_date_order():
    found = tasks("2026-03-02", events=events(("ARREST", "2026-02-02"), ("CHARGE", "2026-02-20")),
                  done=done((RR, "2026-02-27"), (RR, "2026-02-05")))
    assert [(t["trigger"], t["done_date"]) for t in of(found, RR) if t["status"] == "DONE"] == [
        ("ARREST", "2026-02-05"), ("CHARGE", "2026-02-27")]


def test_not_required_entries_close_in_date_order_and_carry_no_done_date():
    found = tasks("2026-03-02", events=events(("ARREST", "2026-02-02"), ("CHARGE", "2026-02-20")),
                  not_required=waived((RR, "2026-02-23"), (RR, "2026-02-03")))
    assert [(t["trigger"], t["status"], t["done_date"]) for t in of(found, RR)] == [
        ("ARREST", "NOT_REQUIRED", None), ("CHARGE", "NOT_REQUIRED", None), ("PERIODIC", "DUE", None)]


def test_a_not_required_entry_does_not_reopen_or_take_a_task_already_done():
    found = tasks("2026-03-02", events=events(("ARREST", "2026-02-02"), ("CHARGE", "2026-02-20")),
                  done=done((RR, "2026-02-03")), not_required=waived((RR, "2026-02-25")))
    assert [(t["trigger"], t["status"]) for t in of(found, RR)] == [
        ("ARREST", "DONE"), ("CHARGE", "NOT_REQUIRED"), ("PERIODIC", "DUE")]


def test_an_entry_dated_before_a_task_was_created_does_not_close_it():
    found = tasks("2026-03-02", events=events(("ARREST", "2026-02-20")), done=done((RR, "2026-02-19")))
    assert one(found, RR, "ARREST")["status"] == "DUE"
    same_day = tasks("2026-03-02", events=events(("ARREST", "2026-02-20")), done=done((RR, "2026-02-20")))
    assert one(same_day, RR, "ARREST")["status"] == "DONE"


@pytest.mark.parametrize("start, entry, closes", [
    pytest.param("2026-04-15", "2026-01-15", True, id="the-same-day-three-months-earlier"),
    pytest.param("2026-04-15", "2026-01-14", False, id="the-day-before-that"),
    pytest.param("2026-04-15", "2026-04-14", True, id="the-day-before-the-start"),
    pytest.param("2026-05-31", "2026-02-28", True, id="no-31-february-so-its-last-day"),
    pytest.param("2026-05-31", "2026-02-27", False, id="before-the-last-day-of-february"),
    pytest.param("2024-05-31", "2024-02-29", True, id="leap-year-29-february"),
    pytest.param("2024-05-31", "2024-02-28", False, id="leap-year-28-february"),
])
def test_work_done_in_the_three_months_before_the_start_counts(start, entry, closes):
    for safeguard in (DA, SG, IRA):
        task = one(tasks(start, start=start, done=done((safeguard, entry))), safeguard)
        assert (task["status"], task["done_date"]) == (("DONE", entry) if closes else ("DUE", None))


def test_earlier_work_before_the_first_year_there_is():
    found = tasks("0001-02-01", start="0001-02-01", done=done((DA, "0001-01-01")))
    assert one(found, DA)["status"] == "DONE"
    assert one(tasks("0001-04-01", start="0001-04-01", done=done((DA, "0001-01-01"))), DA)["status"] == "DONE"
    assert one(tasks("0001-04-02", start="0001-04-02", done=done((DA, "0001-01-01"))), DA)["status"] == "DUE"


def test_earlier_work_counts_only_for_the_start_tasks_and_only_when_done():
    found = tasks("2026-01-12", rosh="HIGH", children_contact="NO",
                  registrations=[{"code": "ADVP", "start_date": "2025-11-01"}],
                  done=done((HV, "2025-12-01"), (MO, "2025-12-01"), (RR, "2025-12-01")),
                  not_required=waived((SG, "2025-12-01"), (HV, "2025-12-01")))
    assert {t["safeguard"]: t["status"] for t in found} == {DA: "DUE", SG: "DUE", IRA: "DUE", HV: "DUE", MO: "DUE",
                                                            RR: "DUE"}


def test_only_done_reviews_since_the_start_move_the_periodic_review():
    waived_review = tasks("2026-03-02", events=events(("ARREST", "2026-02-02")),
                          not_required=waived((RR, "2026-02-20")))
    assert one(waived_review, RR, "PERIODIC")["due"] == "2026-07-13"
    done_review = tasks("2026-03-02", events=events(("ARREST", "2026-02-02")), done=done((RR, "2026-02-20")))
    assert one(done_review, RR, "ARREST")["status"] == "DONE"
    assert one(done_review, RR, "PERIODIC")["due"] == "2026-08-21"  # 26 weeks from Friday 20 February


# --- Status ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("as_of, status", [("2026-03-05", "DUE"), ("2026-03-06", "DUE"), ("2026-03-07", "OVERDUE")])
def test_due_today_is_not_overdue(as_of, status):
    assert one(tasks(as_of, events=events(("ARREST", "2026-02-20"))), RR, "ARREST")["status"] == status


def test_as_of_before_the_start_lists_the_start_tasks_as_due():
    found = tasks("2026-01-05", rosh="HIGH")
    assert {t["status"] for t in found} == {"DUE"} and len(found) == 5


# --- Listed ----------------------------------------------------------------------------------------------------


def test_order_is_due_date_then_safeguard_code_then_creating_date():
    # Friday 16 and Saturday 17 January both give a review due Friday 30 January.
    found = tasks("2026-01-20", start="2026-01-05", rosh="HIGH",
                  registrations=[{"code": "ADVP", "start_date": "2026-01-02"}],
                  events=events(("ARREST", "2026-01-17"), ("CHARGE", "2026-01-16")))
    assert [(t["safeguard"], t["trigger"], t["due"]) for t in found] == [
        (MO, "START", "2026-01-19"),
        (DA, "START", "2026-01-26"), (IRA, "START", "2026-01-26"), (SG, "START", "2026-01-26"),
        (RR, "CHARGE", "2026-01-30"), (RR, "ARREST", "2026-01-30"),
        (HV, "REGISTRATION", "2026-02-02"),
        (RR, "PERIODIC", "2026-04-27"),
    ]


def test_tasks_created_on_the_same_day_by_different_events_stay_separate():
    found = tasks("2026-02-20", kind=CO, rosh="HIGH",
                  events=events(("ARREST", "2026-02-20"), ("CHARGE", "2026-02-20"), ("BREACH_DECISION", "2026-02-20"),
                                ("ARREST", "2026-02-20")))
    assert [(t["safeguard"], t["trigger"]) for t in found if t["due"] == "2026-03-06"] == [
        (MO, "BREACH_DECISION"), (RR, "ARREST"), (RR, "CHARGE"), (RR, "BREACH_DECISION"), (RR, "ARREST")]


# --- Policy (the configurable §4 table) ---------------------------------------------------------------------------


def test_the_default_policy_is_the_rules_table():
    assert DEFAULT_SCHEDULE.to_dict() == {
        "initial_working_days": 15, "home_visit_working_days": 20,
        "home_visit_registrations": ["ADVP", "RCCO", "RCHD", "RCPR"],
        "review_weeks_high": 16, "review_weeks_other": 26, "triggered_review_working_days": 10,
        "review_triggers": ["ARREST", "CHARGE", "DOMESTIC_ABUSE_CALLOUT", "CHANGE_OF_ADDRESS", "CHANGE_OF_HOUSEHOLD",
                            "FAILURE_TO_COMPLY", "BREACH_DECISION", "RECALL_DECISION", "RELEASE",
                            "REGISTRATION_ADDED"],
        "oversight_working_days": 10, "oversight_events": ["BREACH_DECISION", "RECALL_DECISION"],
    }
    assert SafeguardSchedule.from_dict(DEFAULT_SCHEDULE.to_dict()) == DEFAULT_SCHEDULE


def test_a_request_policy_replaces_the_default():
    policy = {**DEFAULT_SCHEDULE.to_dict(), "initial_working_days": 10, "review_triggers": ["ARREST"],
              "home_visit_registrations": ["REG30"], "review_weeks_other": 12}
    req = request("2026-03-02", registrations=[{"code": "REG30", "start_date": "2026-02-02"}],
                  events=events(("ARREST", "2026-02-20"), ("CHARGE", "2026-02-20")))
    found = handle({**req, "policy": policy})["tasks"]
    assert one(found, DA)["due"] == "2026-01-26"
    assert one(found, HV)["due"] == "2026-03-02"
    assert [t["trigger"] for t in of(found, RR)] == ["ARREST", "PERIODIC"]
    assert one(found, RR, "PERIODIC")["due"] == "2026-04-07"  # 12 weeks from 12 January: Easter Monday 6 April
    assert handle({**req, "policy": None}) == handle(req)


@pytest.mark.parametrize("change, field, message", [
    ({"initial_working_days": 0}, "policy.initial_working_days", "must be at least 1"),
    ({"review_weeks_high": 105}, "policy.review_weeks_high", "must be at most 104"),
    ({"oversight_events": ["ARREST", "ARREST"]}, "policy.oversight_events[1]", "repeats ARREST"),
    ({"home_visit_registrations": ["ADVX"]}, "policy.home_visit_registrations[0]", None),
    ({"extra": 1}, "policy.extra", "is not a known field"),
])
def test_a_bad_policy_is_refused(change, field, message):
    req = {**request("2026-03-02"), "policy": {**DEFAULT_SCHEDULE.to_dict(), **change}}
    got_field, got_message = refused(req)
    assert got_field == field
    assert message is None or got_message == message


# --- Contract errors -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("req, field, message", [
    ({**request("2026-03-02"), "typo": 1}, "typo", "is not a known field"),
    (request("2026-03-02", rosh="EXTREME"), "case.rosh", "must be one of LOW, MEDIUM, HIGH, VERY_HIGH"),
    (request("2026-03-02", kind="PROBATION"), "case.kind",
     "must be one of COMMUNITY_ORDER, SUSPENDED_SENTENCE_ORDER, LICENCE, POST_SENTENCE_SUPERVISION"),
    (request("2026-03-02", children_contact="MAYBE"), "case.children_contact", "must be one of YES, NO, UNKNOWN"),
    (request("2026-03-02", events=events(("PARTY", "2026-02-02"))), "case.events[0].type", None),
    (request("2026-03-02", done=done(("COFFEE", "2026-02-02"))), "case.done[0].safeguard", None),
    (request("2026-02-30"), "as_of", "must be a real date in the form YYYY-MM-DD"),
    (request("2026-03-02", start="12/01/2026"), "case.start_date", "must be a real date in the form YYYY-MM-DD"),
    (request("2026-03-02", events=[{"type": "ARREST", "date": "2026-2-2"}]), "case.events[0].date",
     "must be a real date in the form YYYY-MM-DD"),
    (request("2026-03-02", registrations=[{"code": "ADVP"}]), "case.registrations[0].start_date", "is required"),
    (request("2026-03-02", not_required=[{"safeguard": HV, "reason": " ", "by": "SPO1", "date": "2026-02-02"}]),
     "case.not_required[0].reason", "must not be empty"),
    (request("2026-03-02", not_required=[{"safeguard": HV, "reason": "Moved", "date": "2026-02-02"}]),
     "case.not_required[0].by", "is required"),
    (request("2026-03-02", done=[{"safeguard": HV, "date": "2026-02-02", "by": "X"}]), "case.done[0].by",
     "is not a known field"),
    ({"as_of": "2026-03-02"}, "case", "is required"),
    ({"case": request("2026-03-02")["case"]}, "as_of", "is required"),
    (request("9999-12-31", start="9999-12-20"), "case.start_date",
     "is too near the limits of the calendar for its tasks to have dates"),
])
def test_contract_errors(req, field, message):
    got_field, got_message = refused(req)
    assert got_field == field
    assert message is None or got_message == message


def test_optional_fields_may_be_left_out_and_a_done_entry_may_say_its_outcome():
    minimal = handle(request("2026-03-02"))
    assert minimal == handle(request("2026-03-02", rosh=None, children_contact="UNKNOWN", registrations=[],
                                     events=[], done=[], not_required=[]))
    with_outcome = request("2026-03-02", done=[{"safeguard": DA, "date": "2026-01-20", "outcome": "No call-outs"}])
    assert one(handle(with_outcome)["tasks"], DA)["status"] == "DONE"


# --- Properties ----------------------------------------------------------------------------------------------------

SAFEGUARDS = [DA, SG, IRA, HV, RR, MO]
EVENTS_BY_KIND = {
    CO: ["ARREST", "CHARGE", "DOMESTIC_ABUSE_CALLOUT", "CHANGE_OF_ADDRESS", "CHANGE_OF_HOUSEHOLD",
         "FAILURE_TO_COMPLY", "BREACH_DECISION", "REGISTRATION_ADDED"],
    LICENCE: ["ARREST", "CHARGE", "DOMESTIC_ABUSE_CALLOUT", "CHANGE_OF_ADDRESS", "CHANGE_OF_HOUSEHOLD",
              "FAILURE_TO_COMPLY", "RECALL_DECISION", "RELEASE", "REGISTRATION_ADDED"],
}
BASE = dt.date(2022, 1, 1)
days = st.integers(0, 5 * 366).map(lambda n: (BASE + dt.timedelta(days=n)).isoformat())


@st.composite
def requests(draw) -> dict[str, Any]:
    kind = draw(st.sampled_from([CO, LICENCE]))
    children = draw(st.sampled_from(["YES", "NO", "UNKNOWN"]))
    waivable = [HV, RR] + ([SG] if children == "NO" else [])
    start = draw(days)
    # Most dates near the start (so the three months before it, and the first reviews, are often hit).
    days_near = st.integers(-120, 400).map(lambda n: (dt.date.fromisoformat(start) + dt.timedelta(days=n)).isoformat())
    case = {
        "kind": kind, "start_date": start,
        "rosh": draw(st.sampled_from([None, "LOW", "MEDIUM", "HIGH", "VERY_HIGH"])),
        "children_contact": children,
        "registrations": [{"code": c, "start_date": d} for c, d in draw(st.lists(
            st.tuples(st.sampled_from(["ADVP", "RCCO", "RCPR", "RCHD", "REG30"]), days_near), max_size=4))],
        "events": [{"type": t, "date": d} for t, d in draw(st.lists(
            st.tuples(st.sampled_from(EVENTS_BY_KIND[kind]), days_near), max_size=6))],
        "done": [{"safeguard": s, "date": d} for s, d in draw(st.lists(
            st.tuples(st.sampled_from(SAFEGUARDS), days_near), max_size=6))],
        "not_required": [{"safeguard": s, "date": d, "reason": "r", "by": "b"}
                         for s, d in draw(st.lists(st.tuples(st.sampled_from(waivable), days_near), max_size=4))],
    }
    return {"as_of": draw(st.one_of(days_near, days)), "case": case}


@settings(max_examples=300, deadline=None)
@given(requests())
def test_properties_of_every_schedule(req):
    result = handle(req)
    again = handle(json.loads(json.dumps(req)))
    assert result == again  # deterministic
    found = result["tasks"]
    as_of = req["as_of"]
    case = req["case"]
    keys = [(t["due"], t["safeguard"]) for t in found]
    assert keys == sorted(keys)  # ordered by due date, then safeguard code
    assert [t["trigger"] for t in found].count("PERIODIC") == 1
    for safeguard in (DA, SG, IRA):
        assert len(of(found, safeguard)) == 1
    in_range = [e for e in case["events"] if case["start_date"] <= e["date"] <= as_of]
    assert len(of(found, RR)) == len(in_range) + 1
    for task in found:
        assert is_working_day(dt.date.fromisoformat(task["due"]))
        if task["status"] == "DONE":
            assert {"safeguard": task["safeguard"], "date": task["done_date"]} in case["done"]
            assert task["done_date"] <= as_of and task["trigger"] != "PERIODIC"
        else:
            assert task["done_date"] is None
        if task["status"] == "NOT_REQUIRED":
            assert any(n["safeguard"] == task["safeguard"] and n["date"] <= as_of for n in case["not_required"])
        if task["status"] in ("DUE", "OVERDUE"):
            assert (task["status"] == "OVERDUE") is (as_of > task["due"])


def literal_reading(req: dict[str, Any]) -> list[dict[str, Any]]:
    """rules.md §4.1 read sentence by sentence, slowly, with its own day counting (not calendar.py)."""
    day = dt.timedelta(days=1)
    bank_holidays = holidays.country_holidays("GB", subdiv="ENG", years=range(2021, 2031))

    def working(d: dt.date) -> bool:
        return d.weekday() < 5 and d not in bank_holidays

    def working_days_from(d: dt.date, n: int) -> dt.date:
        while n:
            d += day
            n -= working(d)
        return d

    def three_months_before(d: dt.date) -> dt.date:
        year, month = (d.year, d.month - 3) if d.month > 3 else (d.year - 1, d.month + 9)
        return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))

    date = dt.date.fromisoformat
    as_of, case = date(req["as_of"]), req["case"]
    start, rosh = date(case["start_date"]), case.get("rosh")
    high = rosh in ("HIGH", "VERY_HIGH")
    found: list[dict[str, Any]] = [{"safeguard": s, "trigger": "START", "created": start,
                                    "due": working_days_from(start, 15)} for s in (DA, SG, IRA)]
    visit_days: list[dt.date] = []
    for registration in case["registrations"]:
        if registration["code"] in ("ADVP", "RCCO", "RCPR", "RCHD") and date(registration["start_date"]) <= as_of:
            visit_day = max(start, date(registration["start_date"]))
            if visit_day not in visit_days:
                visit_days.append(visit_day)
    found += [{"safeguard": HV, "trigger": "REGISTRATION", "created": d, "due": working_days_from(d, 20)}
              for d in sorted(visit_days)]
    if high:
        found.append({"safeguard": MO, "trigger": "START", "created": start, "due": working_days_from(start, 10)})
    for event in case["events"]:
        on = date(event["date"])
        if start <= on <= as_of:
            if event["type"] in ("BREACH_DECISION", "RECALL_DECISION"):
                found.append({"safeguard": MO, "trigger": event["type"], "created": on,
                              "due": working_days_from(on, 10)})
            found.append({"safeguard": RR, "trigger": event["type"], "created": on, "due": working_days_from(on, 10)})
    for task in found:
        task.update(status=None, done_date=None)
    for entries, status in ((case["done"], "DONE"), (case["not_required"], "NOT_REQUIRED")):
        for entry in sorted((e for e in entries if date(e["date"]) <= as_of), key=lambda e: e["date"]):
            on = date(entry["date"])
            for task in found:
                if task["safeguard"] != entry["safeguard"] or task["status"] is not None:
                    continue
                earlier = (status == "DONE" and task["trigger"] == "START" and task["safeguard"] in (DA, SG, IRA)
                           and three_months_before(start) <= on < start)
                if task["created"] <= on or earlier:
                    task.update(status=status, done_date=entry["date"] if status == "DONE" else None)
    reviews = [date(e["date"]) for e in case["done"] if e["safeguard"] == RR and start <= date(e["date"]) <= as_of]
    created = max(reviews) if reviews else start
    periodic_due = created + dt.timedelta(weeks=16 if high else 26)
    while not working(periodic_due):
        periodic_due += day
    found.append({"safeguard": RR, "trigger": "PERIODIC", "created": created, "due": periodic_due, "status": None,
                  "done_date": None})
    for task in found:
        if task["status"] is None:
            task["status"] = "OVERDUE" if as_of > task["due"] else "DUE"
    found.sort(key=lambda t: (t["due"], t["safeguard"], t["created"]))
    return [{"safeguard": t["safeguard"], "trigger": t["trigger"], "due": t["due"].isoformat(), "status": t["status"],
             "done_date": t["done_date"]} for t in found]


@settings(max_examples=300, deadline=None)
@given(requests())
def test_the_engine_equals_a_literal_reading_of_section_4_1(req):
    assert handle(req)["tasks"] == literal_reading(req)


@settings(max_examples=100, deadline=None)
@given(requests(), st.randoms(use_true_random=False))
def test_the_order_entries_are_sent_in_does_not_matter(req, random):
    shuffled = json.loads(json.dumps(req))
    random.shuffle(shuffled["case"]["done"])
    random.shuffle(shuffled["case"]["not_required"])
    random.shuffle(shuffled["case"]["registrations"])
    assert handle(shuffled) == handle(req)


@settings(max_examples=100, deadline=None)
@given(requests(), st.integers(1, 400))
def test_an_open_task_only_moves_from_due_to_overdue_as_time_passes_with_nothing_new(req, later):
    # Read as of a later day, with the same inputs dated up to as_of: what was overdue stays overdue.
    as_of = dt.date.fromisoformat(req["as_of"])
    cut = {**req["case"]}
    for name in ("events", "done", "not_required", "registrations"):
        date_field = "start_date" if name == "registrations" else "date"
        cut[name] = [item for item in cut[name] if item[date_field] <= req["as_of"]]
    before = handle({**req, "case": cut})["tasks"]
    after = handle({"as_of": (as_of + dt.timedelta(days=later)).isoformat(), "case": cut})["tasks"]
    assert [(t["safeguard"], t["trigger"], t["due"]) for t in before] == \
           [(t["safeguard"], t["trigger"], t["due"]) for t in after]
    for b, a in zip(before, after, strict=True):
        assert (b["status"], a["status"]) in {("DUE", "DUE"), ("DUE", "OVERDUE"), ("OVERDUE", "OVERDUE"),
                                              ("DONE", "DONE"), ("NOT_REQUIRED", "NOT_REQUIRED")}


# --- The command line and the registry --------------------------------------------------------------------------------


def test_registered():
    assert "safeguards" in registry.names()
    assert registry.handler("safeguards") is handle


def test_cli_answers_each_line_and_exits_2_when_one_fails(monkeypatch, capsys):
    good = json.dumps(CONTRACT_EXAMPLE)
    bad = json.dumps(request("2026-03-02", kind=CO, events=events(("RELEASE", "2026-02-02"))))
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{good}\n\n{bad}\n{good}\n"))
    assert cli.main(["rules", "safeguards"]) == 2
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    refusal = {"field": "case.events[0].type", "message": "RELEASE is not possible on a community order"}
    assert lines == [handle(CONTRACT_EXAMPLE), {"error": refusal}, handle(CONTRACT_EXAMPLE)]
    monkeypatch.setattr(sys, "stdin", io.StringIO(good + "\n"))
    assert cli.main(["rules", "safeguards"]) == 0
    assert json.loads(capsys.readouterr().out) == answer("safeguards", good)[0]
