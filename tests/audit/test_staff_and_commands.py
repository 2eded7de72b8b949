"""Writes made outside pages — the createadmin command, staff records in the Django admin — are audited."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from casework.account.models import User
from casework.account.services import COMMAND_LINE
from casework.audit.models import AuditEvent
from casework.workforce.models import TeamMembership
from tests import factories

pytestmark = pytest.mark.django_db
PASSWORD = "a long pass phrase 4 tests"


def test_createadmin_makes_an_administrator_through_the_audited_service(monkeypatch):
    monkeypatch.setenv("CASEWORK_ADMIN_PASSWORD", PASSWORD)
    call_command("createadmin", "--username", "root", "--email", "root@example.org")
    user = User.objects.get(username="root")
    assert user.is_superuser and user.is_staff and user.check_password(PASSWORD)
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.actor_label, event.object_id) == (
        "account.administrator_create", None, COMMAND_LINE, str(user.pk))
    assert event.after == {"username": "root", "email": "root@example.org", "is_staff": True, "is_superuser": True}


@pytest.mark.parametrize("username, password, message", [
    ("po", PASSWORD, "An account called 'po' already exists"),
    ("root", "short", "This password is too short"),
])
def test_createadmin_refusals_write_nothing(po, monkeypatch, username, password, message):
    monkeypatch.setenv("CASEWORK_ADMIN_PASSWORD", password)
    with pytest.raises(CommandError, match=message):
        call_command("createadmin", "--username", username)
    assert not AuditEvent.objects.exists()
    assert User.objects.count() == 1


@pytest.fixture
def admin_client(client):
    admin = factories.AdminStaffFactory()
    factories.sign_in_fully(client, admin.user)
    client.admin_user = admin.user
    return client


def _staff_form(staff, memberships, **changes):
    form = {
        "code": staff.code, "first_name": staff.first_name, "last_name": staff.last_name, "email": staff.email,
        "grade": staff.grade, "contracted_hours": str(staff.contracted_hours),
        "started_in_post": staff.started_in_post.isoformat(), "ended": "",
        "core_training_completed": staff.core_training_completed.isoformat() if staff.core_training_completed else "",
        "user": staff.user_id or "", "memberships-TOTAL_FORMS": str(len(memberships)),
        "memberships-INITIAL_FORMS": str(sum(1 for m in memberships if m.get("id"))),
        "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
    }
    for i, membership in enumerate(memberships):
        form.update({f"memberships-{i}-{k}": v for k, v in membership.items()})
    return form | changes


def _row(membership, **changes):
    return {"id": membership.pk, "staff": membership.staff_id, "team": membership.team_id, "role": membership.role,
            "start_date": membership.start_date.isoformat(),
            "end_date": membership.end_date.isoformat() if membership.end_date else ""} | changes


def test_ending_a_membership_in_the_admin_is_audited_with_before_and_after(admin_client):
    staff = factories.StaffFactory(team=factories.TeamFactory())
    membership = staff.memberships.get()
    response = admin_client.post(f"/admin/workforce/staff/{staff.pk}/change/",
                                 _staff_form(staff, [_row(membership, end_date="2026-12-31")]))
    assert response.status_code == 302, response.content[:3000]
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.object_id) == (
        "workforce.membership_change", admin_client.admin_user, str(membership.pk))
    assert (event.before, event.after) == ({"end_date": None}, {"end_date": "2026-12-31"})


def test_removing_a_membership_in_the_admin_is_audited_with_what_it_was(admin_client):
    staff = factories.StaffFactory(team=factories.TeamFactory())
    membership = staff.memberships.get()
    response = admin_client.post(f"/admin/workforce/staff/{staff.pk}/change/",
                                 _staff_form(staff, [_row(membership, DELETE="on")]))
    assert response.status_code == 302, response.content[:3000]
    assert not TeamMembership.objects.filter(pk=membership.pk).exists()
    event = AuditEvent.objects.get()
    assert (event.action, event.before["team"], event.after) == (
        "workforce.membership_remove", membership.team_id, None)


def test_a_membership_ending_before_it_starts_is_refused_in_words_and_nothing_is_written(admin_client):
    staff = factories.StaffFactory(team=factories.TeamFactory())
    membership = staff.memberships.get()
    response = admin_client.post(f"/admin/workforce/staff/{staff.pk}/change/",
                                 _staff_form(staff, [_row(membership, end_date="2000-01-01")], grade="SPO"))
    assert response.status_code == 200
    assert b"The date they left the team must be the same as or after the date they joined" in response.content
    staff.refresh_from_db()
    assert staff.grade == "PO" and not AuditEvent.objects.exists()


def test_adding_staff_in_the_admin_is_audited(admin_client):
    team = factories.TeamFactory()
    form = {"code": "N07B123", "first_name": "Ada", "last_name": "Newly", "email": "", "grade": "PSO",
            "contracted_hours": "37", "started_in_post": "2026-01-05", "core_training_completed": "", "ended": "",
            "user": "", "memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000", "memberships-0-team": team.pk,
            "memberships-0-role": "MEMBER", "memberships-0-start_date": "2026-01-05", "memberships-0-end_date": ""}
    response = admin_client.post("/admin/workforce/staff/add/", form)
    assert response.status_code == 302, response.content[:3000]
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "workforce.staff_add", "workforce.membership_add"]
    assert AuditEvent.objects.get(action="workforce.staff_add").after["grade"] == "PSO"


def test_staff_are_never_deleted_in_the_admin(admin_client):
    staff = factories.StaffFactory()
    assert admin_client.get(f"/admin/workforce/staff/{staff.pk}/delete/").status_code == 403
