"""Separation of duties: an administrator asks for access, a second person with authority approves it.

The page lists only the requests this person may decide on; a decision goes through the audited
service, and both the request (pending) and the decision show on the audit page.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.access import services
from casework.access.models import Role, ScopeGrant
from casework.audit.models import AuditEvent
from tests import factories
from tests.pagecheck import CheckedClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    team = factories.TeamFactory()
    head = factories.HeadOfPduFactory(user__username="head")
    factories.grant(head, "HEAD_OF_PDU", pdu=team.pdu)
    admin = factories.AdminStaffFactory(user__username="admin")
    return {"team": team, "pdu": team.pdu, "head": head, "admin": admin,
            "case": factories.AllocatedCaseFactory(manager=factories.StaffFactory(team=team))}


def ask(w, staff=None, **scope):
    today = timezone.localdate()
    return services.scope_grant_create(staff=staff or factories.QualityAssuranceFactory(),
                                       role=Role.QUALITY_ASSURANCE, starts_on=today,
                                       ends_on=today + dt.timedelta(days=60), reason="Case audit",
                                       by=w["admin"].user, **(scope or {"pdu": w["pdu"]}))


def signed_in(client, staff):
    factories.sign_in_fully(client, staff.user)
    return client


def test_the_head_of_pdu_sees_requests_in_their_pdu_only(client, w):
    mine = ask(w)
    ask(w, pdu=factories.PduFactory())  # another PDU
    ask(w, region=w["pdu"].region)  # a region needs national authority
    ask(w, staff=w["head"], team=w["team"])  # for the head themselves
    page = signed_in(client, w["head"]).get(reverse("access-requests"))
    assert page.status_code == 200
    assert [g.pk for g in page.context["grants"]] == [mine.pk]
    assert mine.staff.name.encode() in page.content


def test_approving_opens_the_cases_and_both_events_are_on_the_audit_page(client, w):
    grant = ask(w)
    reader = signed_in(CheckedClient(), grant.staff)
    assert reader.get(reverse("case-overview", args=[w["case"].crn])).status_code == 403
    signed_in(client, w["head"])
    response = client.post(reverse("access-request-decide", args=[grant.pk]), {"decision": "approve", "reason": ""})
    assert response.status_code == 302 and response["Location"] == reverse("access-requests")
    assert ScopeGrant.objects.get(pk=grant.pk).status == "APPROVED"
    assert reader.get(reverse("case-overview", args=[w["case"].crn])).status_code == 200

    auditor = signed_in(CheckedClient(), w["admin"])
    log = auditor.get(reverse("audit-log"))
    shown = [(e.action, e.object_id) for e in log.context["page"].object_list if e.action.startswith("access.grant")]
    assert shown == [("access.grant_approve", str(grant.pk)), ("access.grant_request", str(grant.pk))]
    assert b"Access requested" in log.content and b"Access request approved" in log.content
    events = {e.action: e for e in AuditEvent.objects.filter(action__startswith="access.grant_")}
    assert events["access.grant_request"].after["status"] == "PENDING"
    assert events["access.grant_approve"].actor == w["head"].user


def test_rejecting_needs_a_reason_shown_in_an_error_summary(client, w):
    grant = ask(w)
    signed_in(client, w["head"])
    url = reverse("access-request-decide", args=[grant.pk])
    assert client.get(url).status_code == 200
    missing = client.post(url, {"reason": ""})
    assert b"govuk-error-summary" in missing.content and b"Select approve or reject" in missing.content
    no_reason = client.post(url, {"decision": "reject", "reason": ""})
    assert b"govuk-error-summary" in no_reason.content and b"Enter the reason" in no_reason.content
    assert ScopeGrant.objects.get(pk=grant.pk).status == "PENDING"
    client.post(url, {"decision": "reject", "reason": "Not part of the audit"})
    grant.refresh_from_db()
    assert (grant.status, grant.decision_reason) == ("REJECTED", "Not part of the audit")
    assert client.get(url).status_code == 404  # decided: no longer waiting


def test_a_request_outside_the_approvers_authority_is_not_found(client, w):
    elsewhere = ask(w, pdu=factories.PduFactory())
    signed_in(client, w["head"])
    assert client.get(reverse("access-request-decide", args=[elsewhere.pk])).status_code == 404
    assert client.post(reverse("access-request-decide", args=[elsewhere.pk]),
                       {"decision": "approve"}).status_code == 404
    assert client.get(reverse("access-request-decide", args=[999999])).status_code == 404
    assert ScopeGrant.objects.get(pk=elsewhere.pk).status == "PENDING"


def test_someone_with_national_authority_decides_regional_and_national_requests(client, w):
    lead = factories.QualityAssuranceFactory()
    factories.grant(lead, "QUALITY_ASSURANCE", national=True)
    regional, national = ask(w, region=w["pdu"].region), ask(w, national=True)
    page = signed_in(client, lead).get(reverse("access-requests"))
    assert {g.pk for g in page.context["grants"]} == {regional.pk, national.pk}


@pytest.mark.parametrize("who", ["admin", "po", "regional-qa"])
def test_people_without_authority_cannot_open_the_page(client, w, who):
    staff = {"admin": lambda: w["admin"], "po": lambda: factories.StaffFactory(team=w["team"]),
             "regional-qa": lambda: factories.grant(factories.QualityAssuranceFactory(), "QUALITY_ASSURANCE",
                                                    region=w["pdu"].region).staff}[who]()
    grant = ask(w)
    signed_in(client, staff)
    assert client.get(reverse("access-requests")).status_code == 403
    assert client.get(reverse("access-request-decide", args=[grant.pk])).status_code == 403
