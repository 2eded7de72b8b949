"""Case table rows (``casework.web.rows``): the fast path prints exactly what the row template does, escaped."""

from __future__ import annotations

import copy
import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.template import Context, Template
from django.template.loader import render_to_string
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st

from casework.web.rows import FastFragment, case_rows

ROW_TEMPLATE = "web/includes/_case_row.html"


def case(**overrides):
    return SimpleNamespace(**{
        "crn": "X123456", "first_name": "Ann", "last_name": "<script>alert(1)</script>", "restricted": False,
        "tier": "B2", "rosh": "HIGH", "sentence_kind": "", "sentence_status": "", "manager_id": None,
        "manager_first_name": "", "manager_last_name": "", "next_appointment": None, "outcomes_due": 0,
        "safeguards_overdue": 0,
        **overrides})


def without_html(rows: list[dict]) -> list[dict]:
    rows = copy.deepcopy(rows)
    for row in rows:
        del row["html"]
    return rows


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
    assert with_manager.count("<td") == 9 and without.count("<td") == 8


@pytest.mark.urls("casework.urls")
def test_restricted_cases_and_outcomes_due_are_shown():
    row = case_rows([case(restricted=True, outcomes_due=2,
                          next_appointment=dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC))])[0]
    assert "Restricted" in row["html"]
    assert '2 outcomes to record</a>' in row["html"] and "?outcome=NONE" in row["html"]
    assert 'data-sort-value="2"' in row["html"]


# Text a row may hold, with everything escaping and str.format care about (and the fast path's own markers).
TEXT = st.text(alphabet=st.sampled_from("aZ09 '\"<>&{}%é\ue000\ue001\\/"), max_size=12)
CASES = st.builds(
    case,
    crn=st.from_regex(r"[A-Z][0-9]{6}", fullmatch=True),
    first_name=TEXT, last_name=TEXT, restricted=st.booleans(),
    tier=st.sampled_from(["", "A3", "B2", "D0"]),
    rosh=st.sampled_from(["", "LOW", "MEDIUM", "HIGH", "VERY_HIGH", "UNHEARD_OF"]),
    sentence_kind=st.sampled_from(["", "COMMUNITY_ORDER", "CUSTODY"]),
    sentence_status=st.sampled_from(["COMMUNITY", "PRE_RELEASE", "LICENCE"]),
    manager_id=st.one_of(st.none(), st.integers(1, 9)), manager_first_name=TEXT, manager_last_name=TEXT,
    next_appointment=st.one_of(st.none(), st.datetimes(min_value=dt.datetime(2020, 1, 1),
                                                       max_value=dt.datetime(2030, 1, 1), timezones=st.just(dt.UTC))),
    outcomes_due=st.integers(0, 3),
)


@pytest.mark.urls("casework.urls")
@examples(max_examples=150, deadline=None)
@given(cases=st.lists(CASES, min_size=1, max_size=6), show_manager=st.booleans())
def test_the_fast_rows_are_exactly_the_row_templates_render(cases, show_manager):
    rows = case_rows(cases, show_manager=show_manager)

    for row, plain in zip(rows, without_html(rows), strict=True):
        assert row["html"] == render_to_string(ROW_TEMPLATE, {"row": plain, "show_manager": show_manager})
    table = {"caption": "Cases", "show_manager": show_manager}
    assert render_to_string("web/includes/case_table.html", {**table, "rows": rows}) == \
        render_to_string("web/includes/case_table.html", {**table, "rows": without_html(rows)})


@pytest.mark.urls("casework.urls")
@pytest.mark.parametrize("level", ["", "LOW", "MEDIUM", "HIGH", "VERY_HIGH"])
def test_the_rosh_cell_is_the_rosh_tag_the_other_pages_show(level):
    html = case_rows([case(rosh=level)])[0]["html"]
    tag = Template("{% load govuk %}{% rosh_tag level %}").render(Context({"level": level}))
    assert tag in html


def test_a_row_template_that_changes_a_value_is_refused(tmp_path, settings):
    (tmp_path / "row.html").write_text('<td>{{ row.name|cut:"0" }}</td>')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]

    with pytest.raises(ImproperlyConfigured, match="changes a row value"):
        FastFragment("row.html").renderer()({"name": "Ann"})
