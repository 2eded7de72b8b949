"""Safeguard oversight: figures by team and case manager from hand-built tasks, who sees what, the list
behind every figure, the chart and its table, and the filter form's errors."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from casework.access.viewer import viewer_for
from casework.safeguards.choices import SafeguardCode as S
from casework.safeguards.choices import TaskStatus, TriggerCode
from casework.safeguards.models import SafeguardTask
from casework.safeguards.oversight import (
    Figures,
    Measure,
    Period,
    Share,
    default_period,
    measure_tasks,
    months_before,
    oversight,
    oversight_teams,
    percent,
)
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
START = TODAY - dt.timedelta(days=40)  # inside the default period (the last three months)
OLD_START = TODAY - dt.timedelta(days=200)  # before it


def task(case, safeguard, *, due, trigger=TriggerCode.START, created_on=START, status=TaskStatus.OPEN,
         done_on=None, occurrence=1):
    """A task written directly (test set-up): what the schedule would have stored."""
    return SafeguardTask.objects.create(
        case=case, safeguard=safeguard, trigger=trigger, created_on=created_on, occurrence=occurrence, due=due,
        status=status, done_on=done_on, rules_version="test",
        outcome="Police: no call-outs" if status == TaskStatus.DONE else "",
        not_required_reason="No contact with children" if status == TaskStatus.NOT_REQUIRED else "")


def done(case, safeguard, *, due, on, **kw):
    return task(case, safeguard, due=due, status=TaskStatus.DONE, done_on=on, **kw)


PAST_DUE = TODAY - dt.timedelta(days=10)


@pytest.fixture(autouse=True)
def _on_the_day_the_dates_were_worked_out():
    """The dates above come from TODAY when the module was imported: keep the clock on that day (a run
    that crossed midnight once saw a task due on it as overdue)."""
    noon = dt.datetime.combine(TODAY, dt.time(12), tzinfo=zoneinfo.ZoneInfo("Europe/London"))
    with time_machine.travel(noon, tick=True):
        yield
NOT_YET_DUE = TODAY + dt.timedelta(days=5)


@pytest.fixture
def world(team):
    """Team with po1 and po2. Figures expected (default period):

    c1 (po1): domestic abuse enquiry done by due, safeguarding done late, home visit done.
    c2 (po1): domestic abuse open and overdue, safeguarding not required, home visit open not yet due,
              risk review due today (not overdue).
    c3 (po2): domestic abuse open not yet due (not counted), safeguarding done on its due date (met).
    c4 (po1): started long ago: a late enquiry outside the period; risk review overdue, oversight open.
    """
    po1 = factories.StaffFactory(team=team, first_name="Alex", last_name="Able")
    po2 = factories.StaffFactory(team=team, first_name="Bea", last_name="Brook")
    spo = factories.SpoFactory(team=team)
    c1, c2, c4 = (factories.AllocatedCaseFactory(manager=po1) for _ in range(3))
    c3 = factories.AllocatedCaseFactory(manager=po2)
    done(c1, S.DOMESTIC_ABUSE_ENQUIRY, due=PAST_DUE, on=PAST_DUE - dt.timedelta(days=2))
    done(c1, S.SAFEGUARDING_ENQUIRY, due=PAST_DUE, on=PAST_DUE + dt.timedelta(days=1))
    done(c1, S.HOME_VISIT, due=PAST_DUE, on=PAST_DUE + dt.timedelta(days=3), trigger=TriggerCode.REGISTRATION)
    task(c2, S.DOMESTIC_ABUSE_ENQUIRY, due=PAST_DUE)
    task(c2, S.SAFEGUARDING_ENQUIRY, due=PAST_DUE, status=TaskStatus.NOT_REQUIRED)
    task(c2, S.HOME_VISIT, due=NOT_YET_DUE, trigger=TriggerCode.REGISTRATION)
    task(c2, S.RISK_REVIEW, due=TODAY, trigger=TriggerCode.ARREST, created_on=TODAY - dt.timedelta(days=14))
    task(c3, S.DOMESTIC_ABUSE_ENQUIRY, due=NOT_YET_DUE)
    done(c3, S.SAFEGUARDING_ENQUIRY, due=PAST_DUE, on=PAST_DUE)
    done(c4, S.DOMESTIC_ABUSE_ENQUIRY, due=OLD_START + dt.timedelta(days=21), on=OLD_START + dt.timedelta(days=30),
         created_on=OLD_START)
    task(c4, S.RISK_REVIEW, due=PAST_DUE, trigger=TriggerCode.PERIODIC, created_on=OLD_START)
    task(c4, S.MANAGEMENT_OVERSIGHT, due=NOT_YET_DUE, trigger=TriggerCode.BREACH_DECISION,
         created_on=TODAY - dt.timedelta(days=3))
    return {"team": team, "po1": po1, "po2": po2, "spo": spo, "cases": [c1, c2, c3, c4]}


TEAM_FIGURES = Figures(new_cases=3, domestic_abuse=Share(1, 2), safeguarding=Share(1, 2), home_visits=Share(1, 1),
                       risk_reviews_overdue=1, oversight_outstanding=1)


def figures_for(staff, team=None, period=None):
    viewer = viewer_for(staff.user, today=TODAY)
    teams = oversight_teams(viewer)
    return oversight(viewer, period=period or default_period(TODAY), today=TODAY, teams=teams, team=team)


# Pure arithmetic.


@pytest.mark.parametrize("met, of, expected", [(0, 0, None), (0, 3, 0), (1, 3, 33), (2, 3, 67), (1, 2, 50),
                                               (1, 8, 13), (3, 3, 100), (199, 200, 100), (1, 200, 1)])
def test_percent_rounds_halves_up_and_has_no_value_without_cases(met, of, expected):
    assert percent(met, of) == expected


def test_percent_refuses_more_met_than_counted():
    with pytest.raises(ValueError):
        percent(4, 3)


def test_default_period_is_the_last_three_months():
    assert default_period(dt.date(2026, 11, 30)) == Period(dt.date(2026, 8, 31), dt.date(2026, 11, 30))
    assert months_before(dt.date(2026, 5, 31), 3) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 2, 15), 3) == dt.date(2025, 11, 15)


# Figures.


def test_team_and_case_manager_figures_from_hand_built_tasks(world):
    data = figures_for(world["spo"], team=world["team"])
    assert [(r.label, r.figures) for r in data.teams] == [(world["team"].name, TEAM_FIGURES)]
    by_name = {r.label: r.figures for r in data.practitioners}
    assert by_name == {
        "Alex Able": Figures(new_cases=2, domestic_abuse=Share(1, 2), safeguarding=Share(0, 1),
                             home_visits=Share(1, 1), risk_reviews_overdue=1, oversight_outstanding=1),
        "Bea Brook": Figures(new_cases=1, domestic_abuse=Share(0, 0), safeguarding=Share(1, 1)),
    }
    assert data.total == TEAM_FIGURES


def test_a_period_that_holds_the_old_case_counts_it_as_new(world):
    period = Period(OLD_START, TODAY)
    figures = figures_for(world["spo"], period=period).teams[0].figures
    assert figures.new_cases == 4
    assert figures.domestic_abuse == Share(1, 3)  # c4's enquiry was done late


def test_restricted_and_excluded_cases_never_count(world):
    team, spo = world["team"], world["spo"]
    hidden_holder = factories.StaffFactory(team=team)
    restricted = factories.AllocatedCaseFactory(manager=hidden_holder)
    excluded = factories.AllocatedCaseFactory(manager=world["po1"])
    factories.restrict(restricted, permitted=[hidden_holder])
    factories.restrict(excluded, excluded=[spo])
    for case in (restricted, excluded):
        task(case, S.DOMESTIC_ABUSE_ENQUIRY, due=PAST_DUE)
        task(case, S.RISK_REVIEW, due=PAST_DUE, trigger=TriggerCode.ARREST)
    data = figures_for(spo, team=team)
    assert data.teams[0].figures == TEAM_FIGURES
    assert hidden_holder.pk not in {r.staff_id for r in data.practitioners}
    viewer = viewer_for(spo.user, today=TODAY)
    for measure in Measure:
        listed = measure_tasks(viewer, measure=measure, period=default_period(TODAY), today=TODAY, teams=[team])
        assert not {restricted.pk, excluded.pk} & set(listed.values_list("case_id", flat=True))


def test_a_head_of_pdu_sees_their_pdus_teams_and_not_another_pdus(world):
    team = world["team"]
    other_team = factories.TeamFactory()  # another PDU
    sibling = factories.TeamFactory(pdu=team.pdu)
    far_case = factories.AllocatedCaseFactory(manager=factories.StaffFactory(team=other_team))
    task(far_case, S.DOMESTIC_ABUSE_ENQUIRY, due=PAST_DUE)
    head = factories.HeadOfPduFactory()
    factories.grant(head, "HEAD_OF_PDU", pdu=team.pdu)
    data = figures_for(head)
    assert {r.team.pk for r in data.teams} == {team.pk, sibling.pk}
    assert {r.team.pk: r.figures for r in data.teams} == {team.pk: TEAM_FIGURES, sibling.pk: Figures()}
    assert data.practitioners == []  # until a team is chosen


def test_an_spo_sees_only_the_teams_they_manage(world):
    factories.TeamFactory(pdu=world["team"].pdu)
    assert [r.team for r in figures_for(world["spo"]).teams] == [world["team"]]


# Pages.


class _Page(HTMLParser):
    """The team table's figures by measure, the charts' figures by measure, and the figures' links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.table: dict[str, list[str]] = {}
        self.chart: dict[str, list[str]] = {}
        self.links: list[tuple[str, str]] = []
        self._cell: str | None = None
        self._svg: str | None = None
        self._tables = 0
        self._href: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._tables += 1
        if tag == "td" and "data-measure" in attrs and self._tables == 1:
            self._cell, self._text = attrs["data-measure"], ""
        if tag == "svg":
            self._svg = attrs.get("data-measure")
            assert attrs.get("role") == "img" and attrs.get("aria-labelledby")
        if tag == "g" and self._svg:
            self.chart.setdefault(self._svg, []).append(attrs["data-value"])
        if tag == "a" and self._cell:
            self._href = attrs["href"]

    def handle_endtag(self, tag):
        if tag == "td" and self._cell:
            self.table.setdefault(self._cell, []).append(self._text.strip())
            if self._href:
                self.links.append((self._text.strip(), self._href))
            self._cell, self._href = None, None
        if tag == "svg":
            self._svg = None

    def handle_data(self, data):
        if self._cell:
            self._text += data


def parse(response) -> _Page:
    page = _Page()
    page.feed(response.content.decode())
    return page


def test_the_page_draws_a_chart_per_measure_with_the_tables_numbers(world, signed_in):
    sibling = factories.TeamFactory(pdu=world["team"].pdu)
    head = factories.HeadOfPduFactory()
    factories.grant(head, "HEAD_OF_PDU", pdu=world["team"].pdu)
    response = signed_in(head).get(reverse("oversight"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<svg role=\"img\"") == len(Measure)
    assert "<title id=\"chart-domestic-abuse-enquiries-title\">" in body and "<desc id=" in body
    page = parse(response)
    assert set(page.chart) == {m.value for m in Measure}
    assert page.chart == page.table  # the same figures, in the same order, in the chart and in the table
    names = sorted([world["team"].name, sibling.name])
    row = names.index(world["team"].name)
    assert page.table[Measure.DOMESTIC_ABUSE.value][row] == "50% (1 of 2)"
    assert page.table[Measure.HOME_VISITS.value][row] == "100% (1 of 1)"
    assert page.table[Measure.DOMESTIC_ABUSE.value][1 - row] == "No cases"
    assert page.table[Measure.NEW_CASES.value][row] == "3"
    assert "<script" not in body.split("<h1")[1].split("</main>")[0]


def test_every_figure_links_to_the_list_behind_it_and_the_list_matches(world, signed_in):
    client = signed_in(world["spo"])
    page = parse(client.get(reverse("oversight")))
    assert len(page.links) == len(Measure)  # one team: every figure here has cases behind it
    for text, href in page.links:
        measure = Measure(parse_qs(urlparse(href).query)["measure"][0])
        listing = client.get(href)
        assert listing.status_code == 200
        count = listing.context["page"].paginator.count
        match = re.fullmatch(r"(\d+)% \((\d+) of (\d+)\)", text)
        if match:
            assert count == int(match[3]), measure
            results = [r for _, r in listing.context["items"]]
            met = {"Done by the due date"} | ({"Done after the due date"} if measure is Measure.HOME_VISITS else set())
            assert sum(r in met for r in results) == int(match[2]), measure
        else:
            assert count == int(text), measure
        crns = {c.crn for c in world["cases"]}
        assert {crn for crn in crns if crn in listing.content.decode()}, measure


def test_the_case_manager_figures_link_to_that_case_managers_cases(world, signed_in):
    client = signed_in(world["spo"])
    url = reverse("oversight-cases") + f"?measure=domestic-abuse-enquiries&team={world['team'].code}" \
        f"&practitioner={world['po1'].pk}"
    listing = client.get(url)
    rows = listing.context["items"]
    assert {t.case.pk for t, _ in rows} == {world["cases"][0].pk, world["cases"][1].pk}
    assert sorted(r for _, r in rows) == ["Done by the due date", "Overdue"]
    assert "Alex Able" in listing.content.decode()
    assert f"practitioner={world['po1'].pk}" in client.get(reverse("oversight")).content.decode()


def test_new_cases_list_one_row_per_case_with_its_start(world, signed_in):
    listing = signed_in(world["spo"]).get(reverse("oversight-cases") + "?measure=new-cases")
    cases = [row for row, _ in listing.context["items"]]
    assert sorted(c.pk for c in cases) == sorted(c.pk for c in world["cases"][:3])
    assert {c.started_on for c in cases} == {START}


@pytest.mark.parametrize("query, message", [
    ("date_from_0=10&date_from_1=11&date_from_2=2026&date_to_0=1&date_to_1=11&date_to_2=2026",
     "The latest start date must be the same as or after the earliest start date"),
    ("date_from_0=31&date_from_1=2&date_from_2=2026", "The earliest start date must be a real date"),
    ("team=NOPE", "Select a team from the list"),
])
def test_a_bad_period_or_team_shows_a_govuk_error_summary(world, signed_in, query, message):
    response = signed_in(world["spo"]).get(reverse("oversight") + "?" + query)
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body and message in body
    assert "<title>Error: " in body and "<svg" not in body


def test_a_bad_figure_name_shows_an_error_on_the_list(world, signed_in):
    response = signed_in(world["spo"]).get(reverse("oversight-cases") + "?measure=everything")
    assert "govuk-error-summary" in response.content.decode()
    assert "Select a figure from the list" in response.content.decode()
    assert response.context["page"] is None


@pytest.mark.parametrize("role", ["po", "admin"])
def test_practitioners_and_administrators_are_refused(world, signed_in, role):
    staff = world["po1"] if role == "po" else factories.AdminStaffFactory()
    client = signed_in(staff)
    assert client.get(reverse("oversight")).status_code == 403
    assert client.get(reverse("oversight-cases")).status_code == 403
    assert b"Safeguard oversight" not in client.get(reverse("home")).content


def test_home_links_to_oversight_for_an_spo(world, signed_in):
    assert reverse("oversight").encode() in signed_in(world["spo"]).get(reverse("home")).content


def test_the_list_behind_a_figure_comes_in_pages_of_fifty(world, signed_in):
    case = world["cases"][3]
    for occurrence in range(2, 53):  # with c4's, 52 overdue reviews
        task(case, S.RISK_REVIEW, due=PAST_DUE, trigger=TriggerCode.ARREST, created_on=START, occurrence=occurrence)
    client = signed_in(world["spo"])
    figure = parse(client.get(reverse("oversight"))).table[Measure.RISK_REVIEWS_OVERDUE.value]
    assert figure == ["52"]
    url = reverse("oversight-cases") + "?measure=risk-reviews-overdue"
    first, second = client.get(url), client.get(url + "&page=2")
    assert len(first.context["items"]) == 50 and len(second.context["items"]) == 2
    assert second.context["page"].paginator.count == 52
    assert 'rel="next"' in first.content.decode()


def test_a_restricted_case_the_viewer_may_see_counts_and_its_listing_is_audited(world, signed_in):
    from casework.audit.models import AuditEvent

    spo = world["spo"]
    restricted = factories.AllocatedCaseFactory(manager=world["po2"])
    factories.restrict(restricted, permitted=[spo, world["po2"]])
    task(restricted, S.DOMESTIC_ABUSE_ENQUIRY, due=PAST_DUE)
    assert figures_for(spo).teams[0].figures.domestic_abuse == Share(1, 3)
    listing = signed_in(spo).get(reverse("oversight-cases") + "?measure=domestic-abuse-enquiries")
    assert restricted.crn in listing.content.decode()
    assert AuditEvent.objects.filter(action="case.view_restricted", crn=restricted.crn, actor=spo.user).exists()
