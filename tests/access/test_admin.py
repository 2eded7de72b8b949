"""Access settings in the Django admin go through the audited services, never a bare save."""

from __future__ import annotations

import datetime as dt

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.access.models import ApiToken, InspectionExercise, ScopeGrant
from casework.audit.models import AuditEvent
from casework.record.models import Case, CaseAccess
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = factories.AdminStaffFactory()
    factories.sign_in_fully(client, admin.user)
    client.admin_user = admin.user
    return client


@pytest.mark.parametrize("model, add_status", [
    ("access/scopegrant", 200), ("access/inspectionexercise", 200), ("record/caseaccess", 200),
    ("account/user", 200),
    # Clients are registered and tokens issued with `casework manage apitoken`, which shows a token once.
    ("access/apiclient", 403), ("access/apitoken", 403),
])
def test_admin_lists_and_forms_open(admin_client, model, add_status):
    assert admin_client.get(f"/admin/{model}/").status_code == 200
    assert admin_client.get(f"/admin/{model}/add/").status_code == add_status


def test_django_otp_admin_is_gone_so_secrets_are_never_shown(admin_client):
    factories.authenticator_for(admin_client.admin_user)
    assert admin_client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert TOTPDevice.objects.exists()


def test_adding_a_grant_in_the_admin_uses_the_service_and_waits_for_approval(admin_client):
    head = factories.HeadOfPduFactory()
    pdu = factories.PduFactory()
    response = admin_client.post("/admin/access/scopegrant/add/", {
        "staff": head.pk, "role": "HEAD_OF_PDU", "pdu": pdu.pk, "starts_on": "2026-01-01", "ends_on": "2026-12-31",
        "reason": "Appointed"})
    assert response.status_code == 302, response.content[:2000]
    grant = ScopeGrant.objects.get()
    assert (grant.created_by, grant.status) == (admin_client.admin_user, "PENDING")
    assert AuditEvent.objects.get(action="access.grant_request").after["status"] == "PENDING"
    listed = admin_client.get("/admin/access/scopegrant/")
    assert b"Waiting for approval" in listed.content


def test_a_grant_needs_an_end_date_within_a_year(admin_client):
    form = {"staff": factories.HeadOfPduFactory().pk, "role": "HEAD_OF_PDU", "pdu": factories.PduFactory().pk,
            "starts_on": "2026-01-01", "reason": "Appointed"}
    assert admin_client.post("/admin/access/scopegrant/add/", form).status_code == 200
    too_long = admin_client.post("/admin/access/scopegrant/add/", {**form, "ends_on": "2027-06-30"})
    assert b"A grant lasts at most a year" in too_long.content
    assert not ScopeGrant.objects.exists() and not AuditEvent.objects.exists()


def test_the_admin_shows_the_services_errors_and_writes_nothing(admin_client):
    inspector = factories.InspectorFactory()
    response = admin_client.post("/admin/access/scopegrant/add/", {
        "staff": inspector.pk, "role": "INSPECTOR", "pdu": factories.PduFactory().pk, "starts_on": "2026-01-01",
        "reason": "Inspecting"})
    assert response.status_code == 200
    assert b"Select the inspection exercise the inspector is part of" in response.content
    assert not ScopeGrant.objects.exists() and not AuditEvent.objects.exists()


def test_an_existing_grant_can_only_be_ended(admin_client):
    grant = factories.grant(factories.HeadOfPduFactory(), "HEAD_OF_PDU", pdu=factories.PduFactory(),
                            ends_on=dt.date(2026, 12, 31))
    later = admin_client.post(f"/admin/access/scopegrant/{grant.pk}/change/",
                              {"ends_on": "2027-03-31", "change_reason": "Carrying on"})
    assert b"can only be brought forward" in later.content
    response = admin_client.post(f"/admin/access/scopegrant/{grant.pk}/change/",
                                 {"ends_on": "2026-06-30", "change_reason": "Left the post"})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.ends_on == dt.date(2026, 6, 30)
    event = AuditEvent.objects.get(action="access.grant_end")
    assert event.before == {"ends_on": "2026-12-31"} and event.after == {"ends_on": "2026-06-30"}


def test_excluding_someone_from_a_case_in_the_admin(admin_client):
    team = factories.TeamFactory()
    case = factories.AllocatedCaseFactory(manager=factories.StaffFactory(team=team))
    neighbour = factories.StaffFactory(team=team)
    response = admin_client.post("/admin/record/caseaccess/add/", {
        "case": case.pk, "staff": neighbour.pk, "kind": "EXCLUDED", "reason": "Lives next door"})
    assert response.status_code == 302
    assert CaseAccess.objects.get().kind == "EXCLUDED" and Case.objects.get(pk=case.pk).has_exclusions
    assert AuditEvent.objects.get(action="access.case_rule_set").crn == case.crn


def test_inspection_exercises_in_the_admin(admin_client):
    pdu = factories.PduFactory()
    response = admin_client.post("/admin/access/inspectionexercise/add/", {
        "name": "Thematic inspection", "pdu": pdu.pk, "starts_on": "2026-01-05", "ends_on": "2026-01-30"})
    assert response.status_code == 302
    assert InspectionExercise.objects.get().created_by == admin_client.admin_user
    assert AuditEvent.objects.filter(action="access.exercise_create").count() == 1


def test_revoking_tokens_in_the_admin(admin_client):
    _, token, _ = factories.api_client("system", scopes=["rules"])
    response = admin_client.post("/admin/access/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert response.status_code == 302
    assert ApiToken.objects.get().revoked_at is not None
    assert AuditEvent.objects.get(action="access.api_token_revoke").actor == admin_client.admin_user


def test_resetting_an_authenticator_in_the_admin(admin_client):
    spo = factories.SpoFactory()
    factories.authenticator_for(spo.user)
    response = admin_client.post("/admin/account/user/", {"action": "reset_authenticator",
                                                         "_selected_action": [spo.user.pk]})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=spo.user).exists()
    assert AuditEvent.objects.get(action="auth.second_factor_reset").actor == admin_client.admin_user


# Everything else changed in the admin is audited too, in the same transaction as the change.


def test_changing_a_grade_and_adding_a_team_in_the_admin_is_audited_once(admin_client):
    staff = factories.StaffFactory()
    team = factories.TeamFactory()
    form = {
        "code": staff.code, "first_name": staff.first_name, "last_name": staff.last_name, "email": "",
        "grade": "SPO", "contracted_hours": "37", "started_in_post": "2020-01-06",
        "core_training_completed": "2020-06-01", "ended": "", "user": staff.user_id,
        "memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "0", "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000", "memberships-0-team": team.pk, "memberships-0-role": "MANAGER",
        "memberships-0-start_date": "2026-01-05", "memberships-0-end_date": "",
    }
    response = admin_client.post(f"/admin/workforce/staff/{staff.pk}/change/", form)
    assert response.status_code == 302, response.content[:3000]
    # Through the workforce services: one row for the grade, one for the membership, nothing generic.
    grade, membership = AuditEvent.objects.order_by("id")
    assert (grade.action, grade.actor, grade.object_id) == ("workforce.staff_change", admin_client.admin_user,
                                                            str(staff.pk))
    assert (grade.before, grade.after) == ({"grade": "PO"}, {"grade": "SPO"})
    assert (membership.action, membership.actor) == ("workforce.membership_add", admin_client.admin_user)
    assert membership.after == {"staff": staff.pk, "team": team.pk, "role": "MANAGER", "start_date": "2026-01-05",
                                "end_date": None}


def test_making_someone_a_superuser_is_audited_without_the_password_hash(admin_client):
    user = factories.StaffFactory().user
    form = {"username": user.username, "first_name": "", "last_name": "", "email": "", "is_active": "on",
            "is_staff": "on", "is_superuser": "on", "last_login_0": "", "last_login_1": "",
            "date_joined_0": "2026-01-01", "date_joined_1": "09:00:00"}
    response = admin_client.post(f"/admin/account/user/{user.pk}/change/", form)
    assert response.status_code == 302, response.content[:3000]
    event = AuditEvent.objects.get(action="admin.change")
    assert (event.before["is_superuser"], event.after["is_superuser"]) == (False, True)
    assert "password" not in event.before and "password" not in event.after


def test_deleting_reference_data_in_the_admin_is_audited(admin_client):
    offence = factories.OffenceTypeFactory(code="99999", description="Made up")
    response = admin_client.post(f"/admin/record/offencetype/{offence.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="admin.delete")
    assert event.before["code"] == "99999" and event.after is None


def test_bulk_delete_is_switched_off(admin_client):
    response = admin_client.get("/admin/record/offencetype/")
    assert b'value="delete_selected"' not in response.content
