"""Team establishments: the funded-posts arithmetic, the audited service and the reads behind the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st

from casework.access.viewer import viewer_for
from casework.access.visibility import can_change_establishment, visible_staff, workforce_teams
from casework.audit.models import AuditEvent
from casework.core.errors import ConcurrentEditError, DomainValidationError, NotPermittedError
from casework.organisation import establishment as rules
from casework.organisation import services
from casework.organisation.models import FundedPost, PostGrade
from casework.organisation.selectors import establishment_members, establishments
from casework.workforce.models import Grade, TeamMembership
from tests import factories

D = Decimal


# --- The arithmetic (pure) --------------------------------------------------------------------------


def test_funded_grades_are_the_caseload_grades_with_the_same_codes_and_words():
    assert PostGrade.choices == [(g.value, g.label) for g in Grade.practitioner_grades()]


@pytest.mark.parametrize("hours, fte", [(D(37), D("1.00")), (D("18.5"), D("0.50")), (D("22.5"), D("0.61")),
                                        (D(0), D("0.00"))])
def test_a_member_fills_their_contracted_hours_over_37(hours, fte):
    assert rules.filled_fte([hours]) == fte


def test_filled_posts_add_up_before_rounding():
    assert rules.filled_fte([D("22.5"), D("22.5"), D("29")]) == D("2.00")  # 74 hours: 0.608 + 0.608 + 0.784


def test_vacant_and_over_are_never_negative():
    est = rules.establishment(PostGrade.choices, {"PO": D(6), "PSO": D(2)},
                              {"PO": D("185"), "PSO": D(111)}, {"PO": 5, "PSO": 3})
    lines = {line.grade: line for line in est.lines}
    assert (lines["PO"].filled, lines["PO"].vacant, lines["PO"].over) == (D("5.00"), D(1), D(0))
    assert (lines["PSO"].filled, lines["PSO"].vacant, lines["PSO"].over) == (D("3.00"), D(0), D(1))
    assert (lines["SPO"].funded, lines["SPO"].filled, lines["SPO"].people) == (D(0), D(0), 0)
    # A vacancy in one grade is not cancelled by someone over establishment in another.
    assert (est.funded, est.filled, est.vacant, est.over, est.people) == (D(8), D(8), D(1), D(1), 8)


@given(funded=st.decimals(min_value=0, max_value=999, places=2),
       hours=st.lists(st.decimals(min_value=1, max_value=37, places=2), max_size=20))
def test_funded_is_filled_plus_vacant_minus_over(funded, hours):
    line = rules.establishment([("PO", "Probation officer")], {"PO": funded}, {"PO": sum(hours, D(0))},
                               {"PO": len(hours)}).lines[0]
    assert line.funded == line.filled + line.vacant - line.over
    assert min(line.vacant, line.over) == 0


@pytest.mark.parametrize("value, problem", [
    ("6", None), ("5.5", None), ("0", None), (D("999.99"), None), (" 2.25 ", None),
    ("", rules.FTE_REQUIRED), (None, rules.FTE_REQUIRED), ("six", rules.FTE_NOT_A_NUMBER),
    ("NaN", rules.FTE_NOT_A_NUMBER), ("Infinity", rules.FTE_NOT_A_NUMBER), ("-0.5", rules.FTE_OUT_OF_RANGE),
    ("1000", rules.FTE_OUT_OF_RANGE), ("1e9", rules.FTE_OUT_OF_RANGE), ("1.005", rules.FTE_TOO_PRECISE),
])
def test_funded_posts_must_be_a_number_from_0_to_999_99_with_2_places(value, problem):
    expected = None if problem is None else problem.format(grade="probation officer")
    assert rules.fte_problem(value, "Probation officer") == expected


# --- The model ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_one_row_per_team_and_grade_and_never_negative(team):
    FundedPost.objects.create(team=team, grade="PO", fte=D(6))
    with pytest.raises(IntegrityError), transaction.atomic():
        FundedPost.objects.create(team=team, grade="PO", fte=D(1))
    with pytest.raises(IntegrityError), transaction.atomic():
        FundedPost.objects.create(team=team, grade="PSO", fte=D(-1))


# --- The service ----------------------------------------------------------------------------------


@pytest.fixture
def head(team):
    head = factories.HeadOfPduFactory()
    factories.grant(head, "HEAD_OF_PDU", pdu=team.pdu)
    return head


def test_setting_funded_posts_writes_one_audit_row_with_before_and_after(team, head):
    FundedPost.objects.create(team=team, grade="PO", fte=D(5))
    changed = services.establishment_set(team=team, by=head.user, posts={"PO": "6", "PSO": D("3.5"), "SPO": "0"},
                                         expected_versions={"PO": 1})
    assert changed == ["PO", "PSO"]  # SPO: 0 and no row is no change
    posts = {p.grade: p for p in FundedPost.objects.filter(team=team)}
    assert (posts["PO"].fte, posts["PO"].version, posts["PO"].updated_by) == (D(6), 2, head.user)
    assert (posts["PSO"].fte, posts["PSO"].version) == (D("3.5"), 1) and "SPO" not in posts
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.object_id) == ("organisation.establishment_change", head.user,
                                                            str(team.pk))
    assert (event.before, event.after) == ({"PO": "5.00", "PSO": "0"}, {"PO": "6.00", "PSO": "3.50"})


def test_nothing_changed_writes_nothing(team, head):
    FundedPost.objects.create(team=team, grade="PO", fte=D(5))
    assert services.establishment_set(team=team, by=head.user, posts={"PO": "5.00"}, expected_versions={"PO": 1}) == []
    assert not AuditEvent.objects.exists() and FundedPost.objects.get().version == 1


def test_a_stale_version_writes_nothing(team, head):
    FundedPost.objects.create(team=team, grade="PO", fte=D(5), version=3)
    with pytest.raises(ConcurrentEditError):
        services.establishment_set(team=team, by=head.user, posts={"PSO": "2", "PO": "6"},
                                   expected_versions={"PO": 2, "PSO": 0})
    with pytest.raises(ConcurrentEditError):  # a grade added by someone else since it was read as absent
        services.establishment_set(team=team, by=head.user, posts={"PO": "6"}, expected_versions={})
    assert list(FundedPost.objects.values_list("grade", "fte")) == [("PO", D(5))]
    assert not AuditEvent.objects.exists()


def test_bad_values_are_refused_by_grade(team, head):
    with pytest.raises(DomainValidationError) as caught:
        services.establishment_set(team=team, by=head.user, posts={"PO": "-1", "PSO": "x", "SPO": "1"},
                                   expected_versions={})
    assert set(caught.value.errors) == {"PO", "PSO"}
    assert not FundedPost.objects.exists()
    with pytest.raises(TypeError):
        services.establishment_set(team=team, by=head.user, posts={"ACO": "1"}, expected_versions={})


@pytest.mark.django_db
def test_only_administrators_and_the_pdus_head_may_set_funded_posts(team, head):
    spo = factories.SpoFactory(team=team)
    other_head = factories.HeadOfPduFactory()
    factories.grant(other_head, "HEAD_OF_PDU", pdu=factories.PduFactory())
    inspector = factories.inspector_on(factories.running_exercise(pdu=team.pdu))
    for who in (spo, other_head, inspector, factories.StaffFactory(team=team)):
        with pytest.raises(NotPermittedError):
            services.establishment_set(team=team, by=who.user, posts={"PO": "1"}, expected_versions={})
    services.establishment_set(team=team, by=factories.AdminStaffFactory().user, posts={"PO": "1"},
                               expected_versions={})
    assert FundedPost.objects.get().fte == D(1)


# --- Scope and reads ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_workforce_scope_spo_their_teams_head_their_pdu_admin_everyone(team, head):
    sibling, far = factories.TeamFactory(pdu=team.pdu), factories.TeamFactory()
    spo = factories.SpoFactory(team=team)
    po, sibling_po, far_po = (factories.StaffFactory(team=t) for t in (team, sibling, far))
    left = factories.StaffFactory()
    TeamMembership.objects.create(staff=left, team=team, start_date=dt.date(2020, 1, 1), end_date=dt.date(2021, 1, 1))
    today = dt.date(2026, 7, 1)
    admin = factories.AdminStaffFactory()
    scopes = {who: viewer_for(who.user, today=today) for who in (spo, head, admin, po)}
    assert set(workforce_teams(scopes[spo])) == {team}
    assert set(workforce_teams(scopes[head])) == {team, sibling}
    assert set(workforce_teams(scopes[admin])) >= {team, sibling, far}
    assert not workforce_teams(scopes[po]).exists()
    assert set(visible_staff(scopes[spo], today=today)) == {spo, po}
    assert set(visible_staff(scopes[head], today=today)) == {spo, po, sibling_po}
    assert set(visible_staff(scopes[admin], today=today)) >= {spo, po, sibling_po, far_po, left, head, admin}
    assert not visible_staff(scopes[po], today=today).exists()
    assert can_change_establishment(scopes[head], team) and not can_change_establishment(scopes[head], far)
    assert can_change_establishment(scopes[admin], far) and not can_change_establishment(scopes[spo], team)


@pytest.mark.django_db
def test_establishments_count_current_members_in_post_by_grade(team, django_assert_num_queries):
    today = dt.date(2026, 7, 1)
    factories.StaffFactory(team=team)
    factories.StaffFactory(team=team, contracted_hours=D("18.5"))
    factories.PsoFactory(team=team)
    factories.SpoFactory(team=team)
    factories.StaffFactory(team=team, started_in_post=dt.date(2026, 8, 1))  # not yet in post
    factories.StaffFactory(team=team, ended=dt.date(2026, 6, 30))  # left
    old = factories.StaffFactory()
    TeamMembership.objects.create(staff=old, team=team, start_date=dt.date(2020, 1, 1), end_date=dt.date(2026, 6, 1))
    factories.HeadOfPduFactory(team=team)  # not a funded grade
    FundedPost.objects.create(team=team, grade="PO", fte=D(3))
    others = [factories.TeamFactory() for _ in range(5)]
    for other in others:
        factories.StaffFactory(team=other)
    with django_assert_num_queries(2):
        found = establishments([team.pk, *[t.pk for t in others]], today=today)
    lines = {line.grade: line for line in found[team.pk].lines}
    assert (lines["PO"].filled, lines["PO"].people, lines["PO"].vacant) == (D("1.50"), 2, D("1.50"))
    assert (lines["PSO"].filled, lines["SPO"].filled, lines["PQIP"].filled) == (D(1), D(1), D(0))
    assert all(found[t.pk].filled == D(1) for t in others)
    members = establishment_members(team=team, today=today)
    assert len(members) == 4 and {m.staff.grade for m in members} == {"PO", "PSO", "SPO"}
