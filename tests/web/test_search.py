"""Search finds people as a new user types them: a first name alone, without accents, short PNC forms."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from casework.access.viewer import viewer_for
from casework.record import services
from casework.record.selectors import case_search
from tests import factories

pytestmark = pytest.mark.django_db


def found(po, query) -> set[str]:
    return {c.crn for c in case_search(viewer=viewer_for(po.user), query=query)}


@pytest.fixture
def people(po):
    return {
        "marek": factories.AllocatedCaseFactory(manager=po, first_name="Marek", last_name="Wiśniewski"),
        "lukasz": factories.AllocatedCaseFactory(manager=po, first_name="Łukasz", last_name="Kowalski"),
        "zoe": factories.AllocatedCaseFactory(manager=po, first_name="Zoë", last_name="O'Neill"),
        "john": factories.AllocatedCaseFactory(manager=po, first_name="John", last_name="Smith"),
    }


@pytest.mark.parametrize(
    "query, who",
    [
        pytest.param("Marek", {"marek"}, id="first-name-alone"),
        pytest.param("mar", {"marek"}, id="first-name-prefix"),
        pytest.param("Wisniewski", {"marek"}, id="surname-without-accent"),
        pytest.param("wiśniewski", {"marek"}, id="surname-with-accent"),
        pytest.param("lukasz", {"lukasz"}, id="first-name-letter-without-decomposition"),
        pytest.param("Zoe", {"zoe"}, id="diaeresis"),
        pytest.param("Marek Wisn", {"marek"}, id="first-then-surname-prefix"),
        pytest.param("Wisniewski Marek", {"marek"}, id="surname-then-first"),
        pytest.param("Wiśniewski, Marek", {"marek"}, id="surname-comma-first"),
        pytest.param("Smith", {"john"}, id="surname"),
        pytest.param("John Smith", {"john"}, id="full-name"),
        pytest.param("Jones", set(), id="nobody"),
    ],
)
def test_name_search(po, people, query, who):
    assert found(po, query) == {people[name].crn for name in who}


def test_a_changed_name_is_found_by_its_new_first_name(po, people):
    case = people["john"]
    services.case_update_personal_details(case=case, by=po.user, expected_version=case.version, first_name="Jérôme")
    assert found(po, "jerome") == {case.crn}
    assert found(po, "Jerome Smith") == {case.crn}


def test_short_pnc_form_is_found(signed_in, po):
    case = factories.AllocatedCaseFactory(manager=po, pnc="2014/0198449T")
    response = signed_in(po).get(reverse("search"), {"q": "14/198449T"})
    html = response.content.decode()
    assert "govuk-error-summary" not in html
    assert case.crn in html


def _plan(sql: str, params) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a test table is small enough to read whole
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row) for row in cursor.fetchall())


def test_name_search_stays_indexed(po, people, django_assert_max_num_queries):
    """Both keys are read through their indexes (245,000 people: never a scan of every case)."""
    from casework.record.models import Case
    from casework.record.selectors import _name_prefix

    qs = Case.objects.filter(_name_prefix("mar") | _name_prefix("mar", "first_name_key")).values("crn")
    sql, params = qs.query.sql_with_params()
    plan = _plan(sql, params)
    assert "name_key" in plan and "first_name_key" in plan, plan
    if connection.vendor == "sqlite":
        assert "SCAN record_case" not in plan.replace("SCAN record_case USING", ""), plan
