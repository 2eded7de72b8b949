"""The workforce pages: staff lists and records, workload reductions, team memberships and establishments.

Who sees which staff (SPO their teams, head of PDU the PDU, administrators everyone), what each page
shows, every write through its audited service (one audit row, or nothing written and a GOV.UK error
summary), and a stale form refused with "someone else changed this".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.organisation.models import FundedPost
from casework.workforce import services
from casework.workforce.models import Reduction, ReductionReason, Staff, TeamMembership
from tests import factories

pytestmark = pytest.mark.django_db

D = Decimal
STALE = "Someone else changed this while you were editing it"


def today() -> dt.date:
    return timezone.localdate()


def date_parts(prefix: str, day: dt.date | None) -> dict[str, str]:
    if day is None:
        return {f"{prefix}_0": "", f"{prefix}_1": "", f"{prefix}_2": ""}
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}


@pytest.fixture
def world(team):
    """Team (po, pso, spo) in a PDU with a head; a far team in another PDU with its own PO; an administrator."""
    far = factories.TeamFactory()
    head = factories.HeadOfPduFactory()
    factories.grant(head, "HEAD_OF_PDU", pdu=team.pdu)
    sibling = factories.TeamFactory(pdu=team.pdu)
    return {
        "team": team, "far": far, "sibling": sibling,
        "po": factories.StaffFactory(team=team, first_name="Olive", last_name="Officer"),
        "pso": factories.UntrainedPsoFactory(team=team, first_name="Sam", last_name="Services"),
        "spo": factories.SpoFactory(team=team, first_name="Sue", last_name="Senior"),
        "sibling_po": factories.StaffFactory(team=sibling, first_name="Pat", last_name="Sibling"),
        "far_po": factories.StaffFactory(team=far, first_name="Fran", last_name="Faraway"),
        "head": head,
        "admin": factories.AdminStaffFactory(),
    }


def audit_count() -> int:
    return AuditEvent.objects.count()


def html_of(response) -> str:
    return response.content.decode()


# --- Staff list and record ------------------------------------------------------------------------


@pytest.mark.parametrize("who, seen, unseen", [
    ("spo", {"po", "pso", "spo"}, {"sibling_po", "far_po"}),
    ("head", {"po", "pso", "spo", "sibling_po"}, {"far_po"}),
    ("admin", {"po", "pso", "spo", "sibling_po", "far_po"}, set()),
])
def test_the_staff_list_is_the_viewers_scope(signed_in, world, who, seen, unseen):
    html = html_of(signed_in(world[who]).get(reverse("staff-list")))
    for name in seen:
        assert world[name].name in html, name
    for name in unseen:
        assert world[name].name not in html, name


def test_the_staff_list_filters_by_team_and_grade(signed_in, world):
    client = signed_in(world["head"])
    html = html_of(client.get(reverse("staff-list"), {"team": world["sibling"].pk}))
    assert world["sibling_po"].name in html and world["po"].name not in html
    assert "Funded posts and vacancies" in html or "funded posts and vacancies" in html
    html = html_of(client.get(reverse("staff-list"), {"grade": "PSO"}))
    assert world["pso"].name in html and world["po"].name not in html


def test_a_team_outside_the_scope_is_refused_in_the_filter(signed_in, world):
    response = signed_in(world["spo"]).get(reverse("staff-list"), {"team": world["far"].pk})
    html = html_of(response)
    assert response.status_code == 200
    assert "govuk-error-summary" in html and "Select a team from the list" in html
    assert world["far_po"].name not in html


def test_the_staff_list_is_paged(signed_in, world):
    for _ in range(51):
        factories.StaffFactory(team=world["team"])
    client = signed_in(world["spo"])
    first = client.get(reverse("staff-list"))
    assert len(first.context["page"].object_list) == 50
    assert "Page 1 of 2" in html_of(first)
    assert len(client.get(reverse("staff-list"), {"page": 2}).context["page"].object_list) == 4


@pytest.mark.parametrize("who", ["po", "pso"])
def test_practitioners_have_no_staff_pages(signed_in, world, who):
    client = signed_in(world[who])
    assert client.get(reverse("staff-list")).status_code == 403
    assert client.get(reverse("staff-detail", args=[world["po"].code])).status_code == 403
    assert client.get(reverse("establishment-list")).status_code == 403
    assert b'href="/staff/"' not in client.get(reverse("home")).content


@pytest.mark.parametrize("who", ["spo", "head", "admin"])
def test_the_navigation_links_the_staff_pages(signed_in, world, who):
    assert b'href="/staff/"' in signed_in(world[who]).get(reverse("home")).content


def test_the_staff_record_shows_role_hours_training_memberships_and_reductions(signed_in, world):
    pso = world["pso"]
    now = today()
    TeamMembership.objects.create(staff=pso, team=world["sibling"], start_date=dt.date(2019, 3, 1),
                                  end_date=dt.date(2019, 12, 31))
    factories.ReductionFactory(staff=pso, reason=ReductionReason.PHASED_RETURN, percent=None, hours=D("7.40"),
                               start=now - dt.timedelta(days=10), end=now + dt.timedelta(days=10))
    factories.ReductionFactory(staff=pso, reason=ReductionReason.SPECIAL_LEAVE, start=now + dt.timedelta(days=30),
                               end=now + dt.timedelta(days=40))
    factories.ReductionFactory(staff=pso, reason=ReductionReason.COURT_DUTY, percent=None, hours=D("3"),
                               start=now - dt.timedelta(days=100), end=now - dt.timedelta(days=50))
    html = html_of(signed_in(world["spo"]).get(reverse("staff-detail", args=[pso.code])))
    assert "Probation services officer" in html
    assert "37 a week" in html
    assert "Not complete" in html  # an untrained PSO
    assert f"{pso.started_in_post.day} {pso.started_in_post:%B %Y}" in html
    assert f"<dd class=\"govuk-summary-list__value\">{pso.months_in_post(now)}</dd>" in html
    assert world["team"].name in html and world["sibling"].name in html and "31 December 2019" in html
    assert "Still in the team" in html
    for words in ("Phased return", "Special leave", "Court duty", ">Active<", ">Future<", ">Ended<", "7.40"):
        assert words in html, words
    assert "7.40 (29.60 hours left for cases)" in html  # only the active reduction counts today
    assert reverse("reduction-new", args=[pso.code]) in html
    assert reverse("staff-record-change", args=[pso.code]) not in html  # administrators only


def test_someone_else_s_staff_record_is_not_found(signed_in, world):
    client = signed_in(world["spo"])
    assert client.get(reverse("staff-detail", args=[world["far_po"].code])).status_code == 404
    assert client.get(reverse("staff-detail", args=["NOBODY"])).status_code == 404
    assert client.get(reverse("reduction-new", args=[world["far_po"].code])).status_code == 404


# --- Reductions -----------------------------------------------------------------------------------


def reduction_data(**overrides) -> dict:
    data = {"reason": "PHASED_RETURN", "hours": "7.5", "percent": "", "notes": "Agreed with occupational health",
            **date_parts("start", today()), **date_parts("end", today() + dt.timedelta(days=27))}
    data.update(overrides)
    return data


@pytest.mark.parametrize("who", ["spo", "head", "admin"])
def test_the_spo_head_and_administrator_add_a_reduction_audited(signed_in, world, who):
    po = world["po"]
    response = signed_in(world[who]).post(reverse("reduction-new", args=[po.code]), reduction_data())
    assert response.status_code == 302 and response["Location"] == reverse("staff-detail", args=[po.code])
    reduction = Reduction.objects.get(staff=po)
    assert (reduction.reason, reduction.hours, reduction.end) == ("PHASED_RETURN", D("7.50"),
                                                                  today() + dt.timedelta(days=27))
    event = AuditEvent.objects.get(action="workforce.reduction_add")
    assert event.actor == world[who].user and event.object_id == str(reduction.pk)


def test_a_standard_reason_needs_only_its_start(signed_in, world):
    po = world["po"]
    data = reduction_data(reason="MATERNITY_LEAVE", hours="", notes="", **date_parts("end", None))
    assert signed_in(world["spo"]).post(reverse("reduction-new", args=[po.code]), data).status_code == 302
    reduction = Reduction.objects.get(staff=po)
    assert reduction.hours == D("37.00") and reduction.percent == D(100) and reduction.end is not None


@pytest.mark.parametrize("overrides, field, message", [
    pytest.param({"reason": ""}, "reason", "Select the reason for the reduction", id="no-reason"),
    pytest.param({"reason": "NOT_A_REASON"}, "reason", "Select the reason for the reduction", id="unknown-reason"),
    pytest.param(date_parts("start", None), "start", "Enter the start date", id="no-start"),
    pytest.param({"start_1": "13"}, "start", "The start date must be a real date", id="bad-start"),
    pytest.param({"hours": "lots"}, "hours", "Enter the hours as a number, like 7.5", id="hours-not-a-number"),
    pytest.param({"hours": "7.555"}, "hours", "Enter the hours with no more than 2 decimal places", id="hours-3dp"),
    pytest.param({"hours": "40"}, "hours", "Hours must be between 0 and 37", id="hours-over-37"),
    pytest.param({"reason": "TRADE_UNION_FACILITY_TIME", "hours": "30", **date_parts("end", None)}, "hours",
                 "Hours for trade union facility time must be 18.50 or fewer", id="over-the-reasons-maximum"),
    pytest.param({"hours": "", "percent": ""}, "hours",
                 "Enter the hours or the percentage of contracted hours taken off", id="neither-hours-nor-percent"),
    pytest.param({"percent": "50"}, "hours", "Enter the hours or the percentage of contracted hours, not both",
                 id="both-disagreeing"),
    pytest.param(date_parts("end", None), "end", "Enter an end date", id="no-end-for-a-dated-reason"),
    pytest.param(date_parts("end", dt.date(2020, 1, 1)), "end", "End date must be after the start date",
                 id="end-before-start"),
    pytest.param({"reason": "OTHER", "notes": ""}, "notes", "Say in the notes what the reduction is for",
                 id="other-without-notes"),
    pytest.param({"notes": "x" * 4000}, "notes", "Enter the notes in 3,999 characters or fewer", id="notes-too-long"),
])
def test_bad_reductions_are_refused_with_an_error_summary_and_nothing_written(signed_in, world, overrides, field,
                                                                              message):
    po = world["po"]
    before = audit_count()
    response = signed_in(world["spo"]).post(reverse("reduction-new", args=[po.code]), reduction_data(**overrides))
    html = html_of(response)
    assert response.status_code == 200
    assert "govuk-error-summary" in html and message in html
    assert f'href="#id_{field}' in html  # the summary links to the field
    assert not Reduction.objects.filter(staff=po).exists() and audit_count() == before


def test_changing_a_reduction_bumps_its_version_and_audits(signed_in, world):
    po, spo = world["po"], world["spo"]
    reduction = services.add_reduction(staff=po, by=world["admin"].user, reason="PHASED_RETURN", hours=D("7.5"),
                                       start=today(), end=today() + dt.timedelta(days=27), notes="Agreed")
    data = reduction_data(hours="10", version=reduction.version, notes="Agreed")
    response = signed_in(spo).post(reverse("reduction-change", args=[po.code, reduction.pk]), data)
    assert response.status_code == 302
    reduction.refresh_from_db()
    assert reduction.hours == D("10.00") and reduction.version == 2
    event = AuditEvent.objects.get(action="workforce.reduction_change")
    assert event.actor == spo.user and event.before == {"hours": "7.50"} and event.after == {"hours": "10"}


def test_a_percentage_replaces_the_hours_when_changed(signed_in, world):
    po = world["po"]
    reduction = services.add_reduction(staff=po, by=world["admin"].user, reason="PHASED_RETURN", hours=D("7.5"),
                                       start=today(), end=today() + dt.timedelta(days=27), notes="Agreed")
    data = reduction_data(hours="9", percent="50", version=reduction.version, notes="Agreed")
    refused = signed_in(world["spo"]).post(reverse("reduction-change", args=[po.code, reduction.pk]), data)
    assert "Enter the hours or the percentage of contracted hours, not both" in html_of(refused)  # both changed
    data["hours"] = "7.5"  # the hours as shown (unchanged), a new percentage: the percentage leads
    assert signed_in(world["spo"]).post(reverse("reduction-change", args=[po.code, reduction.pk]),
                                        data).status_code == 302
    reduction.refresh_from_db()
    assert (reduction.percent, reduction.hours) == (D(50), D("18.50"))


def test_a_stale_reduction_change_is_refused_and_shows_the_current_values(signed_in, world):
    po, admin = world["po"], world["admin"]
    reduction = services.add_reduction(staff=po, by=admin.user, reason="PHASED_RETURN", hours=D("7.5"),
                                       start=today(), end=today() + dt.timedelta(days=27), notes="Agreed")
    services.change_reduction(reduction=reduction, by=admin.user, expected_version=1, hours=D("5"))
    before = audit_count()
    data = reduction_data(hours="12", version=1, notes="Agreed")  # read at version 1
    response = signed_in(world["spo"]).post(reverse("reduction-change", args=[po.code, reduction.pk]), data)
    html = html_of(response)
    assert response.status_code == 200 and "govuk-error-summary" in html and STALE in html
    assert 'name="hours" value="5.00"' in html and 'name="version" value="2"' in html  # the values now
    reduction.refresh_from_db()
    assert reduction.hours == D("5.00") and audit_count() == before


def test_ending_a_reduction(signed_in, world):
    po = world["po"]
    reduction = factories.ReductionFactory(staff=po, start=today() - dt.timedelta(days=30))
    client = signed_in(world["spo"])
    page = client.get(reverse("reduction-end", args=[po.code, reduction.pk]))
    assert "Long-term sickness" in html_of(page) and ">Active<" in html_of(page)
    data = {"version": reduction.version, **date_parts("end", today())}
    assert client.post(reverse("reduction-end", args=[po.code, reduction.pk]), data).status_code == 302
    reduction.refresh_from_db()
    assert reduction.end == today() and reduction.version == 2
    assert AuditEvent.objects.get(action="workforce.reduction_end").actor == world["spo"].user


def test_a_stale_or_bad_end_is_refused(signed_in, world):
    po = world["po"]
    reduction = factories.ReductionFactory(staff=po, start=today() - dt.timedelta(days=30))
    client = signed_in(world["spo"])
    url = reverse("reduction-end", args=[po.code, reduction.pk])
    html = html_of(client.post(url, {"version": 7, **date_parts("end", today())}))
    assert STALE in html and "govuk-error-summary" in html
    html = html_of(client.post(url, {"version": 1, **date_parts("end", reduction.start - dt.timedelta(days=1))}))
    assert "End date must be after the start date" in html and "govuk-error-summary" in html
    html = html_of(client.post(url, {"version": 1, **date_parts("end", None)}))
    assert "Enter the last day of the reduction" in html
    reduction.refresh_from_db()
    assert reduction.end is None and not AuditEvent.objects.filter(action="workforce.reduction_end").exists()


def test_another_staff_members_reduction_is_not_found_under_this_one(signed_in, world):
    reduction = factories.ReductionFactory(staff=world["pso"])
    client = signed_in(world["spo"])
    assert client.get(reverse("reduction-change", args=[world["po"].code, reduction.pk])).status_code == 404
    assert client.get(reverse("reduction-end", args=[world["po"].code, reduction.pk])).status_code == 404


def test_an_spo_may_not_change_reductions_of_a_sibling_team(signed_in, world):
    """The head of PDU sees the sibling team's PO; their own team's SPO does not, so the URL is not found."""
    spo_of_sibling = factories.SpoFactory(team=world["sibling"])
    client = signed_in(spo_of_sibling)
    assert client.get(reverse("reduction-new", args=[world["po"].code])).status_code == 404
    assert client.get(reverse("reduction-new", args=[world["sibling_po"].code])).status_code == 200


# --- Staff records and memberships: administrators only --------------------------------------------


def record_data(staff: Staff, fingerprint: str, **overrides) -> dict:
    data = {"fingerprint": fingerprint, "grade": staff.grade, "contracted_hours": str(staff.contracted_hours),
            **date_parts("started_in_post", staff.started_in_post),
            **date_parts("core_training_completed", staff.core_training_completed),
            **date_parts("ended", staff.ended)}
    data.update(overrides)
    return data


def fingerprint_on(client, url) -> str:
    return client.get(url).context["form"].initial["fingerprint"]


def test_an_administrator_changes_grade_hours_and_core_training(signed_in, world):
    pso = world["pso"]
    client = signed_in(world["admin"])
    url = reverse("staff-record-change", args=[pso.code])
    trained = today() - dt.timedelta(days=3)
    data = record_data(pso, fingerprint_on(client, url), grade="PO", contracted_hours="30",
                       **date_parts("core_training_completed", trained))
    assert client.post(url, data).status_code == 302
    pso.refresh_from_db()
    assert (pso.grade, pso.contracted_hours, pso.core_training_completed) == ("PO", D("30.00"), trained)
    event = AuditEvent.objects.get(action="workforce.staff_change")
    assert event.actor == world["admin"].user and set(event.after) == {"grade", "contracted_hours",
                                                                       "core_training_completed"}


@pytest.mark.parametrize("overrides, message", [
    pytest.param({"contracted_hours": "40"}, "Contracted hours must be more than 0 and no more than 37", id="hours-40"),
    pytest.param({"contracted_hours": ""}, "Enter the contracted hours", id="no-hours"),
    pytest.param({"grade": "BOSS"}, "Select the grade", id="unknown-grade"),
    pytest.param(date_parts("started_in_post", None), "Enter the started in post", id="no-start"),
    pytest.param(date_parts("core_training_completed", dt.date(2000, 1, 1)),
                 "The date core training was completed must be the same as or after the date they started in post",
                 id="training-before-start"),
])
def test_bad_staff_records_are_refused(signed_in, world, overrides, message):
    pso = world["pso"]
    client = signed_in(world["admin"])
    url = reverse("staff-record-change", args=[pso.code])
    before = audit_count()
    html = html_of(client.post(url, record_data(pso, fingerprint_on(client, url), **overrides)))
    assert "govuk-error-summary" in html and message in html
    assert audit_count() == before and Staff.objects.get(pk=pso.pk).grade == "PSO"


def test_a_stale_staff_record_change_is_refused(signed_in, world):
    pso = world["pso"]
    client = signed_in(world["admin"])
    url = reverse("staff-record-change", args=[pso.code])
    fingerprint = fingerprint_on(client, url)
    services.staff_change(staff=pso, by=world["admin"].user, contracted_hours=D("22.5"))
    before = audit_count()
    html = html_of(client.post(url, record_data(pso, fingerprint, grade="PO")))
    assert STALE in html and 'value="22.50"' in html
    pso.refresh_from_db()
    assert pso.grade == "PSO" and audit_count() == before


@pytest.mark.parametrize("who", ["spo", "head"])
def test_only_administrators_change_staff_records_and_memberships(signed_in, world, who):
    client = signed_in(world[who])
    po = world["po"]
    membership = po.memberships.get()
    assert client.get(reverse("staff-record-change", args=[po.code])).status_code == 403
    assert client.get(reverse("membership-new", args=[po.code])).status_code == 403
    assert client.get(reverse("membership-change", args=[po.code, membership.pk])).status_code == 403
    assert client.post(reverse("staff-record-change", args=[po.code]), {"grade": "SPO"}).status_code == 403
    assert Staff.objects.get(pk=po.pk).grade == "PO"


def test_an_administrator_adds_and_ends_a_membership(signed_in, world):
    po, admin = world["po"], world["admin"]
    client = signed_in(admin)
    new = {"team": world["far"].pk, "role": "MEMBER", **date_parts("start_date", today()),
           **date_parts("end_date", None)}
    assert client.post(reverse("membership-new", args=[po.code]), new).status_code == 302
    added = TeamMembership.objects.get(staff=po, team=world["far"])
    assert AuditEvent.objects.get(action="workforce.membership_add").object_id == str(added.pk)
    url = reverse("membership-change", args=[po.code, added.pk])
    data = {"fingerprint": fingerprint_on(client, url), "role": "MEMBER", **date_parts("start_date", today()),
            **date_parts("end_date", today() + dt.timedelta(days=7))}
    assert client.post(url, data).status_code == 302
    added.refresh_from_db()
    assert added.end_date == today() + dt.timedelta(days=7)
    assert AuditEvent.objects.get(action="workforce.membership_change").after == {
        "end_date": (today() + dt.timedelta(days=7)).isoformat()}


@pytest.mark.parametrize("overrides, message", [
    pytest.param({"team": ""}, "Select the team", id="no-team"),
    pytest.param({"team": "999999"}, "Select the team", id="unknown-team"),
    pytest.param(date_parts("start_date", None), "Enter the date they joined the team", id="no-start"),
    pytest.param(date_parts("end_date", dt.date(2000, 1, 1)),
                 "The date they left the team must be the same as or after the date they joined", id="end-first"),
])
def test_bad_memberships_are_refused(signed_in, world, overrides, message):
    po = world["po"]
    data = {"team": world["far"].pk, "role": "MEMBER", **date_parts("start_date", today()),
            **date_parts("end_date", None), **overrides}
    before = audit_count()
    html = html_of(signed_in(world["admin"]).post(reverse("membership-new", args=[po.code]), data))
    assert "govuk-error-summary" in html and message in html
    assert po.memberships.count() == 1 and audit_count() == before


def test_a_stale_membership_change_is_refused(signed_in, world):
    po, admin = world["po"], world["admin"]
    membership = po.memberships.get()
    client = signed_in(admin)
    url = reverse("membership-change", args=[po.code, membership.pk])
    fingerprint = fingerprint_on(client, url)
    services.membership_change(membership=membership, by=admin.user, role="MANAGER")
    before = audit_count()
    data = {"fingerprint": fingerprint, "role": "MEMBER", **date_parts("start_date", membership.start_date),
            **date_parts("end_date", today())}
    assert STALE in html_of(client.post(url, data))
    membership.refresh_from_db()
    assert membership.end_date is None and membership.role == "MANAGER" and audit_count() == before


# --- Establishment --------------------------------------------------------------------------------


def test_the_team_establishment_shows_funded_filled_and_vacant_posts(signed_in, world):
    team = world["team"]
    factories.StaffFactory(team=team, contracted_hours=D("18.5"))  # a second PO, half time
    FundedPost.objects.create(team=team, grade="PO", fte=D("4"))
    FundedPost.objects.create(team=team, grade="SPO", fte=D("1"))
    response = signed_in(world["spo"]).get(reverse("team-establishment", args=[team.code]))
    lines = {line.grade: line for line in response.context["establishment"].lines}
    assert (lines["PO"].funded, lines["PO"].filled, lines["PO"].vacant) == (D(4), D("1.50"), D("2.50"))
    assert (lines["PSO"].funded, lines["PSO"].filled, lines["PSO"].over) == (D(0), D(1), D(1))
    assert (lines["SPO"].vacant, lines["SPO"].over, lines["PQIP"].filled) == (D(0), D(0), D(0))
    html = html_of(response)
    assert "<strong>2.50</strong>" in html and world["pso"].name in html
    assert "Only the head of the PDU or an administrator can change the funded posts" in html


def test_the_establishment_list_has_a_row_per_team_in_scope(signed_in, world):
    FundedPost.objects.create(team=world["sibling"], grade="PO", fte=D("3"))
    response = signed_in(world["head"]).get(reverse("establishment-list"))
    rows = {team.code: line for team, line in response.context["rows"]}
    assert set(rows) == {world["team"].code, world["sibling"].code}
    assert (rows[world["sibling"].code].funded, rows[world["sibling"].code].vacant) == (D(3), D(2))


def establishment_data(**overrides) -> dict:
    data = {"fte_PO": "6", "fte_PQIP": "1", "fte_PSO": "4.5", "fte_SPO": "1",
            "version_PO": "0", "version_PQIP": "0", "version_PSO": "0", "version_SPO": "0"}
    data.update(overrides)
    return data


@pytest.mark.parametrize("who", ["head", "admin"])
def test_the_head_of_pdu_and_administrators_set_funded_posts(signed_in, world, who):
    team = world["team"]
    response = signed_in(world[who]).post(reverse("establishment-change", args=[team.code]), establishment_data())
    assert response.status_code == 302
    assert dict(FundedPost.objects.filter(team=team).values_list("grade", "fte")) == {
        "PO": D(6), "PQIP": D(1), "PSO": D("4.5"), "SPO": D(1)}
    event = AuditEvent.objects.get(action="organisation.establishment_change")
    assert event.actor == world[who].user and event.after == {"PO": "6.00", "PQIP": "1.00", "PSO": "4.50",
                                                              "SPO": "1.00"}


@pytest.mark.parametrize("overrides, message", [
    pytest.param({"fte_PO": ""}, "Enter the funded posts for probation officer", id="empty"),
    pytest.param({"fte_PO": "six"}, "Enter the funded posts for probation officer as a number", id="words"),
    pytest.param({"fte_PSO": "-1"}, "The funded posts for probation services officer must be between 0 and 999.99",
                 id="negative"),
    pytest.param({"fte_PQIP": "1.234"}, "with no more than 2 decimal places", id="three-places"),
    pytest.param({"fte_SPO": "NaN"}, "Enter the funded posts for senior probation officer as a number", id="nan"),
    pytest.param({"fte_PO": "1e9"}, "must be between 0 and 999.99", id="huge"),
])
def test_bad_funded_posts_are_refused(signed_in, world, overrides, message):
    team = world["team"]
    before = audit_count()
    html = html_of(signed_in(world["head"]).post(reverse("establishment-change", args=[team.code]),
                                                 establishment_data(**overrides)))
    assert "govuk-error-summary" in html and message in html
    assert not FundedPost.objects.exists() and audit_count() == before


def test_stale_funded_posts_are_refused(signed_in, world):
    team = world["team"]
    client = signed_in(world["head"])
    url = reverse("establishment-change", args=[team.code])
    FundedPost.objects.create(team=team, grade="PO", fte=D("5"))  # added since the form was read (version 0)
    before = audit_count()
    html = html_of(client.post(url, establishment_data()))
    assert STALE in html and 'name="fte_PO" value="5"' in html
    assert FundedPost.objects.get().fte == D(5) and audit_count() == before


def test_an_spo_and_another_pdus_head_may_not_set_funded_posts(signed_in, world):
    team = world["team"]
    assert signed_in(world["spo"]).post(reverse("establishment-change", args=[team.code]),
                                        establishment_data()).status_code == 403
    other_head = factories.HeadOfPduFactory()
    factories.grant(other_head, "HEAD_OF_PDU", pdu=world["far"].pdu)
    assert signed_in(other_head).post(reverse("establishment-change", args=[team.code]),
                                      establishment_data()).status_code == 404
    assert not FundedPost.objects.exists()
