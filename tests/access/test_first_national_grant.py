"""A new deployment's first national grant: approved once from the command line by a second administrator."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from casework.access import services
from casework.access.models import GrantStatus, Role
from casework.audit.models import AuditEvent
from casework.core.errors import NotPermittedError
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    return {"asker": factories.AdminStaffFactory(user__username="asker"),
            "second": factories.AdminStaffFactory(user__username="second"),
            "qa": factories.QualityAssuranceFactory(user__username="qa.lead")}


def ask(w, staff=None, **scope):
    today = timezone.localdate()
    return services.scope_grant_create(staff=staff or w["qa"], role=Role.QUALITY_ASSURANCE, starts_on=today,
                                       ends_on=today + dt.timedelta(days=90), reason="National QA lead",
                                       by=w["asker"].user, **(scope or {"national": True}))


def approve(grant, by, reason="First national lead"):
    call_command("approvefirstgrant", str(grant.pk), "--by", by, "--reason", reason)


def test_a_second_administrator_approves_the_first_national_grant_and_it_is_audited(w):
    grant = ask(w)
    approve(grant, "second")
    grant.refresh_from_db()
    assert grant.status == GrantStatus.APPROVED
    assert grant.decided_by == w["second"].user
    event = AuditEvent.objects.get(action="access.grant_approve", object_id=str(grant.pk))
    assert event.actor == w["second"].user
    assert "first national grant, approved from the command line" in event.detail


def test_only_while_no_national_authority_exists(w):
    approve(ask(w), "second")
    later = ask(w, staff=factories.QualityAssuranceFactory())
    with pytest.raises(CommandError, match="someone with national authority already exists"):
        approve(later, "second")
    later.refresh_from_db()
    assert later.status == GrantStatus.PENDING


@pytest.mark.parametrize("who", ["asker", "qa.lead"])
def test_never_by_the_person_who_asked_or_the_person_it_is_for(w, who):
    if who == "qa.lead":
        w["qa"].grade = "ADMIN"
        w["qa"].save()
    grant = ask(w)
    with pytest.raises(CommandError):
        approve(grant, who)
    grant.refresh_from_db()
    assert grant.status == GrantStatus.PENDING


def test_only_a_national_grant_and_only_by_an_administrator(w):
    with pytest.raises(CommandError, match="Only a national grant"):
        approve(ask(w, pdu=factories.PduFactory()), "second")
    practitioner = factories.StaffFactory(user__username="po.someone")
    with pytest.raises(NotPermittedError):
        services.scope_grant_approve_first_national(grant=ask(w), by=practitioner.user, reason="x")


def test_a_reason_is_required_and_unknown_names_are_clear(w):
    grant = ask(w)
    with pytest.raises(CommandError, match="Enter the reason"):
        approve(grant, "second", reason="   ")
    with pytest.raises(CommandError, match="No user called 'nobody'"):
        approve(grant, "nobody")
    with pytest.raises(CommandError, match="No grant number 999999"):
        call_command("approvefirstgrant", "999999", "--by", "second", "--reason", "x")
