"""Access changes through their services: grants, inspection exercises, limited access, API clients."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.access import services
from casework.access.models import InspectionExercise, Role, ScopeGrant
from casework.access.viewer import viewer_for
from casework.access.visibility import can_change, visible_cases
from casework.audit.models import AuditEvent
from casework.core.errors import DomainValidationError, NotPermittedError
from casework.record import services as record_services
from casework.record.models import Case
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def w():
    team = factories.TeamFactory()
    other_pdu_team = factories.TeamFactory(pdu=factories.PduFactory(region=team.pdu.region))
    po = factories.StaffFactory(team=team)
    return {
        "team": team, "pdu": team.pdu, "region": team.pdu.region, "other_pdu": other_pdu_team.pdu, "po": po,
        "admin": factories.AdminStaffFactory().user,
        "case": factories.AllocatedCaseFactory(manager=po),
        "elsewhere": factories.AllocatedCaseFactory(manager=factories.StaffFactory(team=other_pdu_team)),
        "inspector": factories.InspectorFactory(),
        "head": _head_of(team.pdu),
    }


def _head_of(pdu):
    head = factories.HeadOfPduFactory()
    factories.grant(head, "HEAD_OF_PDU", pdu=pdu)
    return head


def approved(w, grant, *, by=None):
    """``grant`` approved by the head of ``w``'s PDU (or ``by``)."""
    return services.scope_grant_decide(grant=grant, approve=True, by=by or w["head"].user, reason="",
                                       today=TODAY)


def exercise(w, **overrides):
    values = {"name": "Inspection of PDU", "starts_on": TODAY - dt.timedelta(days=7),
              "ends_on": TODAY + dt.timedelta(days=14), "pdu": w["pdu"], "by": w["admin"]}
    return services.inspection_exercise_create(**{**values, **overrides})


def seen(staff, today=None) -> set[str]:
    return set(visible_cases(viewer_for(staff.user, today=today)).values_list("crn", flat=True))


# Inspectors.


def test_an_inspector_grant_takes_the_exercise_scope_and_dates(w):
    ex = exercise(w)
    grant = services.scope_grant_create(staff=w["inspector"], role=Role.INSPECTOR, exercise=ex, reason="Lead",
                                        by=w["admin"])
    assert (grant.pdu, grant.starts_on, grant.ends_on) == (w["pdu"], ex.starts_on, ex.ends_on)
    assert seen(w["inspector"], TODAY) == set()  # not until a second person approves
    approved(w, grant)
    assert seen(w["inspector"], TODAY) == {w["case"].crn}


def test_an_inspector_sees_nothing_before_or_after_the_exercise(w):
    ex = exercise(w)
    approved(w, services.scope_grant_create(staff=w["inspector"], role=Role.INSPECTOR, exercise=ex, reason="Lead",
                                            by=w["admin"]))
    assert seen(w["inspector"], ex.starts_on - dt.timedelta(days=1)) == set()
    assert seen(w["inspector"], ex.ends_on + dt.timedelta(days=1)) == set()
    services.inspection_exercise_end(exercise=ex, ends_on=TODAY - dt.timedelta(days=1), by=w["admin"])
    assert seen(w["inspector"], TODAY) == set()  # ending the exercise ends every grant on it


def test_an_inspector_reads_but_never_writes(w, client):
    ex = exercise(w, starts_on=timezone.localdate() - dt.timedelta(days=1),
                  ends_on=timezone.localdate() + dt.timedelta(days=1))
    # Even an inspector who also holds a caseload (a seconded officer) is read-only while inspecting.
    inspector = factories.StaffFactory(team=w["team"])
    Case.objects.filter(pk=w["case"].pk).update(manager=inspector)
    case = Case.objects.get(pk=w["case"].pk)
    grant = services.scope_grant_create(staff=inspector, role=Role.INSPECTOR, exercise=ex, reason="Seconded",
                                        by=w["admin"])
    services.scope_grant_decide(grant=grant, approve=True, by=w["head"].user, reason="")
    viewer = viewer_for(inspector.user)
    assert viewer.read_only and not can_change(viewer, case)
    client.force_login(inspector.user)
    assert client.get(reverse("case-overview", args=[case.crn])).status_code == 200
    assert client.get(reverse("contact-new", args=[case.crn])).status_code == 403
    with pytest.raises(NotPermittedError):
        record_services.contact_record(case=case, by=inspector.user, kind="PHONE",
                                       starts_at=timezone.now() - dt.timedelta(hours=1))


@pytest.mark.parametrize("scope, message", [
    pytest.param({"region": "region"}, services.INSPECTOR_OUTSIDE_SCOPE, id="wider-than-the-exercise"),
    pytest.param({"pdu": "other_pdu"}, services.INSPECTOR_OUTSIDE_SCOPE, id="another-pdu"),
    pytest.param({"national": True}, services.INSPECTOR_OUTSIDE_SCOPE, id="national"),
])
def test_an_inspector_grant_must_lie_inside_the_exercise_scope(w, scope, message):
    ex = exercise(w)
    resolved = {k: w[v] if isinstance(v, str) else v for k, v in scope.items()}
    with pytest.raises(DomainValidationError) as exc:
        services.scope_grant_create(staff=w["inspector"], role=Role.INSPECTOR, exercise=ex, reason="x",
                                    by=w["admin"], **resolved)
    assert exc.value.errors["scope"] == message


def test_an_inspector_grant_may_be_narrower_than_the_exercise(w):
    ex = exercise(w, pdu=None, region=w["region"], name="Regional inspection")
    approved(w, services.scope_grant_create(staff=w["inspector"], role=Role.INSPECTOR, exercise=ex, reason="x",
                                            by=w["admin"], team=w["team"]))
    assert seen(w["inspector"], TODAY) == {w["case"].crn}


def test_an_inspector_grant_must_lie_inside_the_exercise_dates(w):
    ex = exercise(w)
    with pytest.raises(DomainValidationError) as exc:
        services.scope_grant_create(staff=w["inspector"], role=Role.INSPECTOR, exercise=ex, reason="x",
                                    by=w["admin"], ends_on=ex.ends_on + dt.timedelta(days=1))
    assert exc.value.errors["ends_on"] == services.INSPECTOR_OUTSIDE_DATES


def test_inspectors_need_an_exercise_and_others_must_not_have_one(w):
    with pytest.raises(DomainValidationError) as exc:
        services.scope_grant_create(staff=w["inspector"], role=Role.INSPECTOR, reason="x", by=w["admin"],
                                    pdu=w["pdu"], starts_on=TODAY, ends_on=TODAY)
    assert exc.value.errors == {"exercise": services.INSPECTOR_NEEDS_EXERCISE}
    with pytest.raises(DomainValidationError) as exc:
        services.scope_grant_create(staff=w["po"], role=Role.HEAD_OF_PDU, reason="x", by=w["admin"],
                                    pdu=w["pdu"], starts_on=TODAY, ends_on=TODAY, exercise=exercise(w))
    assert exc.value.errors == {"exercise": services.EXERCISE_ONLY_FOR_INSPECTORS}


def test_the_database_refuses_an_inspector_grant_without_an_exercise(w):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ScopeGrant.objects.create(staff=w["inspector"], role=Role.INSPECTOR, pdu=w["pdu"], starts_on=TODAY,
                                  ends_on=TODAY, reason="x")


@pytest.mark.parametrize("kwargs, field, message", [
    pytest.param({"pdu": None}, "scope", services.ONE_SCOPE, id="no-scope"),
    pytest.param({"region": "region"}, "scope", services.ONE_SCOPE, id="two-scopes"),
    pytest.param({"ends_on": TODAY - dt.timedelta(days=30)}, "ends_on", services.ENDS_BEFORE_START,
                 id="ends-before-it-starts"),
    pytest.param({"name": "  "}, "name", services.NAME_REQUIRED, id="no-name"),
])
def test_exercise_validation(w, kwargs, field, message):
    resolved = {k: w[v] if isinstance(v, str) and v in w else v for k, v in kwargs.items()}
    with pytest.raises(DomainValidationError) as exc:
        exercise(w, **resolved)
    assert exc.value.errors[field] == message
    assert not InspectionExercise.objects.exists()


# Other grants.


def test_grants_are_ended_not_deleted(w):
    head = factories.HeadOfPduFactory()
    grant = services.scope_grant_create(staff=head, role=Role.HEAD_OF_PDU, pdu=w["pdu"], starts_on=TODAY,
                                        ends_on=TODAY + dt.timedelta(days=90), reason="Appointed", by=w["admin"])
    approved(w, grant, by=_national_approver().user)
    assert w["case"].crn in seen(head, TODAY)
    services.scope_grant_end(grant=grant, ends_on=TODAY, reason="Moved on", by=w["admin"])
    assert seen(head, TODAY + dt.timedelta(days=1)) == set()
    with pytest.raises(DomainValidationError):
        services.scope_grant_end(grant=grant, ends_on=TODAY - dt.timedelta(days=1), reason="x", by=w["admin"])


def _national_approver():
    lead = factories.QualityAssuranceFactory()
    factories.grant(lead, "QUALITY_ASSURANCE", national=True)
    return lead


def _request(w, **overrides):
    values = {"staff": factories.QualityAssuranceFactory(), "role": Role.QUALITY_ASSURANCE, "pdu": w["pdu"],
              "starts_on": TODAY, "ends_on": TODAY + dt.timedelta(days=30), "reason": "Audit of the PDU",
              "by": w["admin"]}
    return services.scope_grant_create(**{**values, **overrides})


def test_an_administrator_cannot_ask_for_access_for_themselves(w):
    admin_staff = w["admin"].staff
    with pytest.raises(NotPermittedError) as exc:
        _request(w, staff=admin_staff, national=True, pdu=None)
    assert str(exc.value) == services.NOT_FOR_YOURSELF
    assert not ScopeGrant.objects.filter(staff=admin_staff).exists()


def test_a_self_grant_made_behind_the_service_still_opens_nothing_until_approved(w):
    """The finding: an administrator's national grant on their own record read every case."""
    grant = ScopeGrant.objects.create(staff=w["admin"].staff, role=Role.QUALITY_ASSURANCE, national=True,
                                      starts_on=TODAY, ends_on=TODAY, reason="Myself", created_by=w["admin"])
    assert seen(w["admin"].staff, TODAY) == set()
    with pytest.raises(NotPermittedError) as exc:
        services.scope_grant_decide(grant=grant, approve=True, by=w["admin"], reason="", today=TODAY)
    assert str(exc.value) == services.OWN_GRANT
    assert ScopeGrant.objects.get(pk=grant.pk).status == "PENDING"


def test_the_requester_cannot_approve_and_neither_can_someone_without_authority(w):
    # An administrator who is also a head of PDU asks for a grant in their own PDU: someone else decides.
    asker = factories.AdminStaffFactory()
    factories.grant(asker, "HEAD_OF_PDU", pdu=w["pdu"])
    grant = _request(w, by=asker.user)
    with pytest.raises(NotPermittedError) as exc:
        services.scope_grant_decide(grant=grant, approve=True, by=asker.user, reason="", today=TODAY)
    assert str(exc.value) == services.OWN_REQUEST
    for outsider in (w["po"], _head_of(w["other_pdu"]), factories.AdminStaffFactory()):
        with pytest.raises(NotPermittedError) as exc:
            services.scope_grant_decide(grant=grant, approve=True, by=outsider.user, reason="", today=TODAY)
        assert str(exc.value) == services.NO_AUTHORITY
    assert not AuditEvent.objects.filter(action="access.grant_approve").exists()


@pytest.mark.parametrize("scope", [{"national": True, "pdu": None}, {"region": "region", "pdu": None}],
                         ids=["national", "region"])
def test_national_and_regional_grants_need_national_authority(w, scope):
    grant = _request(w, **{k: w[v] if isinstance(v, str) else v for k, v in scope.items()})
    with pytest.raises(NotPermittedError):
        services.scope_grant_decide(grant=grant, approve=True, by=w["head"].user, reason="", today=TODAY)
    services.scope_grant_decide(grant=grant, approve=True, by=_national_approver().user, reason="", today=TODAY)
    assert ScopeGrant.objects.get(pk=grant.pk).status == "APPROVED"


def test_approval_and_rejection_are_audited_and_final(w):
    grant = _request(w)
    assert AuditEvent.objects.get(action="access.grant_request").after["status"] == "PENDING"
    with pytest.raises(DomainValidationError) as exc:
        services.scope_grant_decide(grant=grant, approve=False, by=w["head"].user, reason=" ", today=TODAY)
    assert exc.value.errors == {"reason": services.REASON_REQUIRED}
    approved(w, grant)
    grant.refresh_from_db()
    assert (grant.status, grant.decided_by, grant.decided_at is not None) == ("APPROVED", w["head"].user, True)
    event = AuditEvent.objects.get(action="access.grant_approve")
    assert (event.actor, event.before, event.after["status"]) == (w["head"].user, {"status": "PENDING"}, "APPROVED")
    with pytest.raises(DomainValidationError) as exc:
        services.scope_grant_decide(grant=grant, approve=False, by=w["head"].user, reason="Changed my mind",
                                    today=TODAY)
    assert exc.value.errors == {"decision": services.NOT_PENDING}
    other = _request(w)
    services.scope_grant_decide(grant=other, approve=False, by=w["head"].user, reason="Not needed", today=TODAY)
    assert ScopeGrant.objects.get(pk=other.pk).status == "REJECTED"
    assert AuditEvent.objects.get(action="access.grant_reject").detail.endswith("Not needed")
    assert seen(other.staff, TODAY) == set()


def test_a_grant_past_its_end_date_cannot_be_approved(w):
    grant = _request(w, starts_on=TODAY - dt.timedelta(days=10), ends_on=TODAY - dt.timedelta(days=1))
    with pytest.raises(DomainValidationError) as exc:
        approved(w, grant)
    assert exc.value.errors == {"decision": services.GRANT_ENDED}
    assert grant.status_on(TODAY) == "EXPIRED"


@pytest.mark.parametrize("ends_on, message", [
    (None, services.END_REQUIRED),
    (TODAY + dt.timedelta(days=367), services.GRANT_TOO_LONG),
])
def test_every_grant_ends_within_a_year(w, ends_on, message):
    with pytest.raises(DomainValidationError) as exc:
        _request(w, ends_on=ends_on)
    assert exc.value.errors["ends_on"] == message


def test_only_administrators_change_access(w):
    with pytest.raises(NotPermittedError):
        services.scope_grant_create(staff=w["po"], role=Role.HEAD_OF_PDU, pdu=w["pdu"], starts_on=TODAY,
                                    ends_on=TODAY, reason="Promoting myself", by=w["po"].user)
    with pytest.raises(NotPermittedError):
        exercise(w, by=w["po"].user)


# Limited access.


def test_an_exclusion_hides_the_case_from_that_person_only(w):
    teammate = factories.StaffFactory(team=w["team"])
    services.case_access_set(case=w["case"], staff=teammate, kind="EXCLUDED", reason="Neighbour", by=w["admin"])
    case = Case.objects.get(pk=w["case"].pk)
    assert case.has_exclusions and not case.restricted
    assert w["case"].crn not in seen(teammate) and w["case"].crn in seen(w["po"])


def test_a_permission_restricts_the_case_to_the_permitted(w):
    teammate = factories.StaffFactory(team=w["team"])
    services.case_access_set(case=w["case"], staff=w["po"], kind="PERMITTED", reason="High profile", by=w["admin"])
    assert Case.objects.get(pk=w["case"].pk).restricted
    assert w["case"].crn in seen(w["po"]) and w["case"].crn not in seen(teammate)


def test_the_last_permission_cannot_be_removed_only_the_restriction_lifted(w):
    teammate = factories.StaffFactory(team=w["team"])
    rule = services.case_access_set(case=w["case"], staff=w["po"], kind="PERMITTED", reason="x", by=w["admin"])
    with pytest.raises(DomainValidationError) as exc:
        services.case_access_remove(rule=rule, reason="x", by=w["admin"])
    assert exc.value.errors["kind"] == services.LAST_PERMITTED
    with pytest.raises(DomainValidationError):
        services.case_access_set(case=w["case"], staff=w["po"], kind="EXCLUDED", reason="x", by=w["admin"])
    assert services.case_restriction_lift(case=w["case"], reason="Trial over", by=w["admin"]) == 1
    assert not Case.objects.get(pk=w["case"].pk).restricted
    assert w["case"].crn in seen(teammate)


def test_removing_an_exclusion_shows_the_case_again(w):
    teammate = factories.StaffFactory(team=w["team"])
    rule = services.case_access_set(case=w["case"], staff=teammate, kind="EXCLUDED", reason="x", by=w["admin"])
    services.case_access_remove(rule=rule, reason="Moved house", by=w["admin"])
    assert not Case.objects.get(pk=w["case"].pk).has_exclusions
    assert w["case"].crn in seen(teammate)


# API clients.


def test_api_tokens_need_known_scopes_a_case_scope_for_cases_and_at_most_a_year(w):
    no_scope = services.api_client_create(name="Rules only", by=w["admin"])
    now = timezone.now()
    cases = {"client": no_scope, "by": w["admin"], "now": now}
    with pytest.raises(DomainValidationError) as exc:
        services.api_token_issue(scopes=["cases:read"], expires_at=now + dt.timedelta(days=1), **cases)
    assert exc.value.errors["scopes"] == services.CASES_NEED_CLIENT_SCOPE
    with pytest.raises(DomainValidationError) as exc:
        services.api_token_issue(scopes=["cases:write"], expires_at=now + dt.timedelta(days=1), **cases)
    assert "Unknown scope 'cases:write'" in exc.value.errors["scopes"]
    with pytest.raises(DomainValidationError) as exc:
        services.api_token_issue(scopes=["rules"], expires_at=now + dt.timedelta(days=367), **cases)
    assert exc.value.errors["expires_at"] == services.EXPIRY_TOO_FAR
    with pytest.raises(DomainValidationError) as exc:
        services.api_token_issue(scopes=["rules"], expires_at=now, **cases)
    assert exc.value.errors["expires_at"] == services.EXPIRY_IN_PAST


def test_an_api_client_account_cannot_sign_in(w, client):
    api = services.api_client_create(name="Court system", pdu=w["pdu"], by=w["admin"])
    assert not api.user.has_usable_password()
    response = client.post(reverse("login"), {"username": api.user.username, "password": factories.PASSWORD})
    assert "_auth_user_id" not in client.session and response.status_code == 200
