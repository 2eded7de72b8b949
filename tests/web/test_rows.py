"""Case table rows built in Python (``casework.web.rows``) escape what they show, as the template would."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from casework.web.rows import case_rows


def case(**overrides):
    return SimpleNamespace(**{
        "crn": "X123456", "first_name": "Ann", "last_name": "<script>alert(1)</script>", "restricted": False,
        "tier": "B2", "rosh": "HIGH", "sentence_kind": "", "sentence_status": "", "manager_id": None,
        "manager_first_name": "", "manager_last_name": "", "next_appointment": None, "outcomes_due": 0,
        **overrides})


@pytest.mark.urls("casework.urls")
def test_every_value_is_escaped():
    html = case_rows([case(manager_id=4, manager_first_name='Jo "Bob"', manager_last_name="O'Neil & Co")],
                     show_manager=True)[0]["html"]
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Jo &quot;Bob&quot; O&#x27;Neil &amp; Co" in html


@pytest.mark.urls("casework.urls")
def test_the_manager_column_only_when_asked_for():
    with_manager = case_rows([case()], show_manager=True)[0]["html"]
    without = case_rows([case()], show_manager=False)[0]["html"]
    assert "Unallocated" in with_manager and "Unallocated" not in without
    assert with_manager.count("<td") == 8 and without.count("<td") == 7


@pytest.mark.urls("casework.urls")
def test_restricted_cases_and_outcomes_due_are_shown():
    row = case_rows([case(restricted=True, outcomes_due=2,
                          next_appointment=dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC))])[0]
    assert "Restricted" in row["html"]
    assert '2 outcomes to record</a>' in row["html"] and "?outcome=NONE" in row["html"]
    assert 'data-sort-value="2"' in row["html"]
