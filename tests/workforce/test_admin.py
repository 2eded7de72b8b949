"""Reductions in the Django admin go through the audited services: validated, versioned, never deleted."""

from __future__ import annotations

from decimal import Decimal

import pytest

from casework.audit.models import AuditEvent
from casework.core.errors import ConcurrentEditError
from casework.rules import workload
from casework.workforce.models import Reduction
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = factories.AdminStaffFactory()
    factories.sign_in_fully(client, admin.user)
    client.admin_user = admin.user
    return client


def form(staff, **values):
    data = {"staff": staff.pk, "reason": "", "hours": "", "percent": "", "start": "2026-06-01", "end": "",
            "notes": "", "version": ""}
    data.update(values)
    return data


def test_the_list_and_forms_open(admin_client):
    reduction = factories.ReductionFactory()
    assert admin_client.get("/admin/workforce/reduction/").status_code == 200
    assert admin_client.get("/admin/workforce/reduction/add/").status_code == 200
    assert admin_client.get(f"/admin/workforce/reduction/{reduction.pk}/change/").status_code == 200
    assert admin_client.get(f"/admin/workforce/reduction/{reduction.pk}/delete/").status_code == 403


def test_adding_uses_the_service_with_its_defaults(admin_client):
    pqip = factories.PqipFactory()
    response = admin_client.post("/admin/workforce/reduction/add/", form(pqip, reason="PQIP_FIRST_6_MONTHS"))
    assert response.status_code == 302, response.content[:3000]
    reduction = Reduction.objects.get()
    assert (reduction.hours, reduction.percent, str(reduction.end)) == (Decimal("29.60"), 80, "2026-11-30")
    assert reduction.created_by == admin_client.admin_user
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["workforce.reduction_add"]


def test_the_services_messages_show_on_the_form_and_nothing_is_written(admin_client):
    staff = factories.StaffFactory()
    response = admin_client.post("/admin/workforce/reduction/add/",
                                 form(staff, reason="COURT_DUTY", hours="40", end="2026-09-01"))
    assert response.status_code == 200
    assert workload.HOURS_OUT_OF_RANGE.encode() in response.content
    assert not Reduction.objects.exists() and not AuditEvent.objects.exists()


def test_changing_the_percentage_works_the_hours_out_again(admin_client):
    reduction = factories.ReductionFactory(reason="COURT_DUTY", percent=Decimal(20), end="2026-09-30")
    reduction.refresh_from_db()
    response = admin_client.post(f"/admin/workforce/reduction/{reduction.pk}/change/", form(
        reduction.staff, reason="COURT_DUTY", hours=str(reduction.hours), percent="40", end="2026-09-30",
        version=reduction.version))
    assert response.status_code == 302, response.content[:3000]
    reduction.refresh_from_db()
    assert (reduction.hours, reduction.percent, reduction.version) == (Decimal("14.80"), 40, 2)
    assert AuditEvent.objects.get().action == "workforce.reduction_change"


def test_a_change_from_a_stale_form_is_refused(admin_client):
    reduction = factories.ReductionFactory(version=3)
    response = admin_client.post(f"/admin/workforce/reduction/{reduction.pk}/change/", form(
        reduction.staff, reason="LONG_TERM_SICKNESS", percent="100", end="2026-09-30", version=2))
    assert response.status_code == 200
    assert ConcurrentEditError.message.encode() in response.content.replace(b"&#x27;", b"'")
    assert Reduction.objects.get().end is None
