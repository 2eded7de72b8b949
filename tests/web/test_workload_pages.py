"""The workload pages (/workload/): figures, words for what they mean, the chart and table, scope."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.record.choices import SentenceKind, SentenceStatus
from casework.workforce.models import CourtReport, WorkloadSnapshot
from casework.workforce.workload import practitioner_workloads, week_start
from tests import factories

pytestmark = pytest.mark.django_db


def cases(manager, n: int, tier: str = "A3") -> None:
    """``n`` community cases of ``tier`` (A3: 206 points each) held by ``manager``."""
    for _ in range(n):
        factories.CommunityOrderFactory(case=factories.AllocatedCaseFactory(manager=manager, tier=tier))


def weeks_over(staff, n: int, capacity: Decimal = Decimal("120.0")) -> None:
    """Weekly snapshots at ``capacity`` for the ``n`` weeks up to this one."""
    monday = week_start(timezone.localdate())
    for back in range(n):
        WorkloadSnapshot.objects.create(staff=staff, week_start=monday - dt.timedelta(weeks=back), points=2611,
                                        available_points=2176, capacity_percent=capacity, taken_at=timezone.now())


@pytest.fixture
def world(team):
    """A team with an SPO and practitioners over 110% (sustained), over 100%, under, and with no capacity."""
    spo = factories.SpoFactory(team=team, user__username="spo")
    heavy = factories.StaffFactory(team=team, first_name="Heavy", last_name="Load")
    cases(heavy, 12)  # 2,472 points: 113.6%
    weeks_over(heavy, 4)
    busy = factories.StaffFactory(team=team, first_name="Busy", last_name="Bee")
    cases(busy, 10)  # 2,060 points: 94.7%, then a standard court report: 2,198, 101.0%
    CourtReport.objects.create(staff=busy, kind="STANDARD", requested_on=timezone.localdate(),
                               due_on=timezone.localdate() + dt.timedelta(days=21))
    light = factories.PsoFactory(team=team, first_name="Light", last_name="Touch")
    cases(light, 2, tier="C2")
    away = factories.StaffFactory(team=team, first_name="Away", last_name="Leave")
    cases(away, 1)
    factories.ReductionFactory(staff=away, reason="MATERNITY_LEAVE", percent=Decimal(100),
                               start=timezone.localdate() - dt.timedelta(days=30),
                               end=timezone.localdate() + dt.timedelta(days=100))
    return {"spo": spo, "heavy": heavy, "busy": busy, "light": light, "away": away, "team": team}


def row_of(page: str, staff) -> str:
    match = re.search(rf'<tr class="govuk-table__row" data-staff="{staff.code}">(.*?)</tr>', page, flags=re.S)
    assert match, f"no row for {staff.code}"
    return match.group(1)


def test_the_spo_sees_each_practitioners_figures_with_words_for_what_they_mean(client, signed_in, world):
    response = signed_in(world["spo"]).get(reverse("workload"))
    assert response.status_code == 200
    page = response.content.decode()
    today = timezone.localdate()
    figures = practitioner_workloads([world[k].pk for k in ("heavy", "busy", "light", "away")], as_of=today)

    heavy = row_of(page, world["heavy"])
    assert figures[world["heavy"].pk].capacity_percent == Decimal("113.6")
    assert "113.6%" in heavy and "Over 110%" in heavy and "Sustained" in heavy and "2,472" in heavy
    assert "for the last 4 weekly snapshots" in heavy

    busy = row_of(page, world["busy"])
    assert "101.0%" in busy and "Over 100%" in busy and "Over 110%" not in busy and "Sustained" not in busy
    assert "1 standard, 0 fast" in busy

    light = row_of(page, world["light"])
    assert "Over 1" not in light and "Sustained" not in light

    away = row_of(page, world["away"])
    assert "No capacity" in away and "Maternity leave" in away and "37 hours a week" in away

    # Highest capacity first, no capacity last; the SPO themself is not a practitioner here.
    order = re.findall(r'data-staff="([^"]+)"', page)
    assert order == [world[k].code for k in ("heavy", "busy", "light", "away")]
    assert "1 over 110%</strong> (1 sustained), 2 over 100% in all, 1 with no capacity" in page


def test_the_chart_draws_the_same_figures_as_the_table(client, signed_in, world):
    page = signed_in(world["spo"]).get(reverse("workload")).content.decode()
    svg = re.search(r"<svg .*?</svg>", page, flags=re.S).group(0)
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    bars = dict(re.findall(r'<g class="cw-bar" data-label="([^"]+)" data-value="([^"]+)"', svg))
    light = practitioner_workloads([world["light"].pk], as_of=timezone.localdate())[world["light"].pk]
    assert bars == {"Heavy Load": "113.6% – over 110% – sustained", "Busy Bee": "101.0% – over 100%",
                    "Light Touch": f"{light.capacity_percent:.1f}%", "Away Leave": "No capacity"}
    assert 'data-label="100%"' in svg and 'data-label="110%"' in svg
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg, flags=re.S).group(1)
    assert "Heavy Load: 113.6% – over 110% – sustained" in desc


def test_a_head_of_pdu_sees_every_team_and_filters_by_team(client, signed_in, world):
    other_team = factories.TeamFactory(pdu=world["team"].pdu, name="Another team")
    other = factories.StaffFactory(team=other_team, first_name="Other")
    far = factories.StaffFactory(team=factories.TeamFactory(), first_name="Far")
    head = factories.HeadOfPduFactory()
    factories.grant(head, "HEAD_OF_PDU", pdu=world["team"].pdu)
    client = signed_in(head)
    page = client.get(reverse("workload")).content.decode()
    assert other.code in page and world["heavy"].code in page and far.code not in page
    assert 'name="team"' in page
    only = client.get(reverse("workload"), {"team": other_team.code}).content.decode()
    assert other.code in only and world["heavy"].code not in only
    wrong = client.get(reverse("workload"), {"team": "NOPE"})
    assert wrong.status_code == 200
    assert "govuk-error-summary" in wrong.content.decode() and "Select a team from the list" in wrong.content.decode()


def test_an_spo_sees_only_the_teams_they_manage(client, signed_in, world):
    elsewhere = factories.SpoFactory(team=factories.TeamFactory(pdu=world["team"].pdu))
    page = signed_in(elsewhere).get(reverse("workload")).content.decode()
    assert world["heavy"].code not in page
    assert "There are no practitioners in" in page
    assert signed_in(elsewhere).get(reverse("workload-practitioner", args=[world["heavy"].code])).status_code == 404


def test_the_practitioner_page_shows_history_reductions_and_court_reports(client, signed_in, world):
    heavy = world["heavy"]
    restricted = factories.restrict(factories.AllocatedCaseFactory(manager=heavy), permitted=[heavy])
    seen = factories.AllocatedCaseFactory(manager=heavy)
    today = timezone.localdate()
    CourtReport.objects.create(staff=heavy, kind="STANDARD", requested_on=today - dt.timedelta(days=30),
                               due_on=today - dt.timedelta(days=9), court="Leeds Crown Court", case=seen)
    CourtReport.objects.create(staff=heavy, kind="FAST", requested_on=today - dt.timedelta(days=20),
                               due_on=today - dt.timedelta(days=15), completed_on=today - dt.timedelta(days=16),
                               case=restricted)
    factories.ReductionFactory(staff=heavy, reason="PHASED_RETURN", percent=Decimal(20),
                               start=today - dt.timedelta(days=400), end=today - dt.timedelta(days=300))
    response = signed_in(world["spo"]).get(reverse("workload-practitioner", args=[heavy.code]))
    assert response.status_code == 200
    page = response.content.decode()
    capacity = practitioner_workloads([heavy.pk], as_of=today)[heavy.pk].capacity_percent
    assert capacity == Decimal("119.9")  # 2,472 points and the standard report being written (138)
    assert "Workload: Heavy Load" in page and "Over 110%" in page and "Sustained" in page
    assert re.search(r'id="capacity-today"><strong>119.9%</strong>', page)
    history = re.search(r'<table class="govuk-table govuk-!-font-size-16" id="history">(.*?)</table>', page,
                        flags=re.S).group(1)
    assert history.count("120.0%") == 4 and history.count("No snapshot taken") == 12 and "2,611" in history
    columns = re.findall(r'<g class="cw-column" data-label="[^"]+" data-value="([^"]+)"', page)
    assert columns == ["none"] * 12 + ["120.0%"] * 4
    assert "Phased return" in page and "Ended" in page
    assert "Leeds Crown Court" in page and seen.crn in page and "Overdue" in page and "Being written" in page
    assert restricted.crn not in page  # a limited-access case the SPO may not see: the report, not its CRN
    assert not AuditEvent.objects.filter(action="case.view_restricted").exists()


def test_a_permitted_limited_access_case_behind_a_report_is_shown_and_recorded(client, signed_in, world):
    heavy = world["heavy"]
    restricted = factories.restrict(factories.AllocatedCaseFactory(manager=heavy), permitted=[heavy, world["spo"]])
    CourtReport.objects.create(staff=heavy, kind="FAST", requested_on=timezone.localdate(),
                               due_on=timezone.localdate(), case=restricted)
    page = signed_in(world["spo"]).get(reverse("workload-practitioner", args=[heavy.code])).content.decode()
    assert restricted.crn in page
    event = AuditEvent.objects.get(action="case.view_restricted")
    assert event.crn == restricted.crn and "workload" in event.detail


@pytest.mark.parametrize("who", ["unknown", "spo", "far"])
def test_the_practitioner_page_is_404_outside_scope(client, signed_in, world, who):
    code = {"unknown": "NOBODY", "spo": world["spo"].code,
            "far": factories.StaffFactory(team=factories.TeamFactory()).code}[who]
    assert signed_in(world["spo"]).get(reverse("workload-practitioner", args=[code])).status_code == 404


@pytest.mark.parametrize("role", ["po", "qa"])
def test_practitioners_and_quality_assurance_are_refused(client, signed_in, world, role):
    if role == "po":
        viewer = world["heavy"]
    else:
        viewer = factories.QualityAssuranceFactory()
        factories.grant(viewer, "QUALITY_ASSURANCE", pdu=world["team"].pdu)
    assert signed_in(viewer).get(reverse("workload")).status_code == 403


def test_the_navigation_offers_workload_to_managers_only(client, signed_in, world):
    assert 'href="/workload/"' in signed_in(world["spo"]).get(reverse("home")).content.decode()
    client.logout()
    assert 'href="/workload/"' not in signed_in(world["heavy"]).get(reverse("home")).content.decode()


def test_a_case_with_no_current_sentence_is_held_but_scores_nothing(client, signed_in, world):
    light = world["light"]
    before = practitioner_workloads([light.pk], as_of=timezone.localdate())[light.pk]
    ended = factories.AllocatedCaseFactory(manager=light, tier="A3")
    factories.CommunityOrderFactory(case=ended, kind=SentenceKind.COMMUNITY_ORDER, status=SentenceStatus.ENDED)
    after = practitioner_workloads([light.pk], as_of=timezone.localdate())[light.pk]
    assert (after.case_count, after.points, after.community_count) == (before.case_count + 1, before.points,
                                                                        before.community_count)
    row = row_of(signed_in(world["spo"]).get(reverse("workload")).content.decode(), light)
    assert f">{after.case_count}<" in row
