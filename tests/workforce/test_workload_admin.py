"""Court reports in the Django admin: added and completed through the audited services; the case by CRN only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.workforce.models import CourtReport
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = factories.AdminStaffFactory()
    factories.sign_in_fully(client, admin.user)
    client.admin_user = admin.user
    return client


def test_adding_and_completing_go_through_the_services(admin_client, po):
    case = factories.AllocatedCaseFactory(manager=po, first_name="Zebedee")
    today = timezone.localdate()
    response = admin_client.post("/admin/workforce/courtreport/add/", {
        "staff": po.pk, "kind": "STANDARD", "court": "Leeds Crown Court", "case": case.pk,
        "requested_on": str(today - dt.timedelta(days=2)), "due_on": str(today + dt.timedelta(days=19))})
    assert response.status_code == 302, response.content[:3000]
    report = CourtReport.objects.get()
    assert (report.staff, report.case, report.created_by) == (po, case, admin_client.admin_user)
    page = admin_client.get(f"/admin/workforce/courtreport/{report.pk}/change/")
    assert page.status_code == 200
    assert case.crn in page.content.decode() and "Zebedee" not in page.content.decode()
    assert admin_client.get("/admin/workforce/courtreport/").status_code == 200
    assert admin_client.get(f"/admin/workforce/courtreport/{report.pk}/delete/").status_code == 403

    missing = admin_client.post(f"/admin/workforce/courtreport/{report.pk}/change/", {"version": "1"})
    assert missing.status_code == 200 and "Enter the date the report was completed" in missing.content.decode()
    done = admin_client.post(f"/admin/workforce/courtreport/{report.pk}/change/",
                             {"completed_on": str(today), "version": "1"})
    assert done.status_code == 302, done.content[:3000]
    assert CourtReport.objects.get().completed_on == today
    assert list(AuditEvent.objects.filter(action__startswith="workforce.court_report").values_list(
        "action", flat=True).order_by("pk")) == ["workforce.court_report_add", "workforce.court_report_complete"]


def test_the_services_messages_show_on_the_add_form(admin_client, po):
    today = timezone.localdate()
    response = admin_client.post("/admin/workforce/courtreport/add/", {
        "staff": po.pk, "kind": "FAST", "requested_on": str(today), "due_on": str(today - dt.timedelta(days=1))})
    assert response.status_code == 200
    assert "The due date must be the same as or after the date the report was requested" in response.content.decode()
    assert not CourtReport.objects.exists()
