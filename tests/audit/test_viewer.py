"""The administrators' audit log page: filters, pages and a CSV download that is itself audited."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.access.viewer import viewer_for
from casework.audit.models import AuditEvent
from casework.audit.selectors import HIDDEN, audit_values_for_viewer
from casework.audit.services import audit_record
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = factories.AdminStaffFactory(user__username="auditor")
    factories.sign_in_fully(client, admin.user)
    client.admin = admin
    return client


@pytest.fixture
def events(db):
    po = factories.StaffFactory(user__username="officer")
    other = factories.StaffFactory(user__username="other")
    audit_record(actor=po.user, action="contact.record", crn="X000001", detail="old one", after={"kind": "PHONE"})
    audit_record(actor=po.user, action="case.view_restricted", crn="X000002", detail="overview")
    audit_record(actor=other.user, action="contact.record", crn="X000003", detail="=HYPERLINK(\"http://x\")",
                 before={"outcome": ""}, after={"outcome": "ATTENDED_COMPLIED"})
    return {"po": po, "other": other}


def rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_page_lists_entries_newest_first_with_before_and_after(admin_client, events):
    audit_record(actor=events["po"].user, action="admin.change", detail="Changed grade",
                 before={"grade": "PO"}, after={"grade": "SPO"})
    response = admin_client.get(reverse("audit-log"))
    assert response.status_code == 200
    listed = [e.crn for e in response.context["page"].object_list]
    assert listed == ["", "X000003", "X000002", "X000001"]
    grade = response.context["rows"][0]["changes"]
    assert [(c["before"], c["after"]) for c in grade] == [("PO", "SPO")]  # not case data: shown


@pytest.fixture
def personal_details(db):
    """A change of a person's details on a case, as the record service writes it."""
    officer = factories.StaffFactory(user__username="holder")
    case = factories.AllocatedCaseFactory(manager=officer, first_name="Lewis", last_name="Francis")
    audit_record(actor=officer.user, action="case.update_personal_details", obj=case, crn=case.crn,
                 before={"first_name": "Lewis", "date_of_birth": "1990-03-31", "email": "", "phone": ""},
                 after={"first_name": "Louis", "date_of_birth": "1990-04-01", "email": "lf@example.com",
                        "phone": "07700 900123"})
    return {"case": case, "officer": officer}


PERSONAL = ["Lewis", "Louis", "1990", "lf@example.com", "07700 900123"]


def test_administrators_see_the_fields_changed_on_a_case_but_never_the_values(admin_client, personal_details):
    """The finding: the audit page and its CSV showed names, dates of birth, emails and phone numbers."""
    page = admin_client.get(reverse("audit-log"))
    html = page.content.decode()
    assert personal_details["case"].crn in html and "Date of birth" in html
    assert [p for p in PERSONAL if p in html] == []
    table = rows(admin_client.get(reverse("audit-export")))
    (row,) = [r for r in table[1:] if r[2] == "case.update_personal_details"]
    assert json.loads(row[7]) == {"first_name": HIDDEN, "date_of_birth": HIDDEN, "email": HIDDEN, "phone": HIDDEN}
    assert [p for p in PERSONAL if p in ",".join(row)] == []


def test_values_are_shown_to_someone_who_may_read_the_case(personal_details):
    events = AuditEvent.objects.filter(crn=personal_details["case"].crn)
    holder = viewer_for(personal_details["officer"].user)
    (shown,) = audit_values_for_viewer(viewer=holder, events=events)
    assert shown.after["email"] == "lf@example.com"
    stranger = viewer_for(factories.StaffFactory().user)
    (hidden,) = audit_values_for_viewer(viewer=stranger, events=events)
    assert hidden.after == {"first_name": HIDDEN, "date_of_birth": HIDDEN, "email": HIDDEN, "phone": HIDDEN}
    assert AuditEvent.objects.get(pk=hidden.pk).after["email"] == "lf@example.com"  # the log itself is unchanged


@pytest.mark.parametrize("query, expected", [
    ({"actor": "officer"}, ["X000002", "X000001"]),
    ({"actor": "OFFICER"}, ["X000002", "X000001"]),
    ({"action": "contact.record"}, ["X000003", "X000001"]),
    ({"crn": "x000002"}, ["X000002"]),
    ({"actor": "officer", "action": "contact.record"}, ["X000001"]),
    ({"actor": "nobody"}, []),
])
def test_filters(admin_client, events, query, expected):
    response = admin_client.get(reverse("audit-log"), query)
    assert [e.crn for e in response.context["page"].object_list] == expected


def day_filter(d: dt.date) -> dict:
    return {"date_from_0": d.day, "date_from_1": d.month, "date_from_2": d.year,
            "date_to_0": d.day, "date_to_1": d.month, "date_to_2": d.year}


def test_date_filters_cover_whole_local_days(admin_client, events):
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    late = timezone.make_aware(dt.datetime.combine(yesterday, dt.time(23, 59, 30)))
    AuditEvent.objects.create(at=late, actor_label="system", action="late.night", crn="X000009")
    listed = lambda d: [e.crn for e in admin_client.get(reverse("audit-log"), day_filter(d)).context["page"]]  # noqa: E731
    assert listed(yesterday) == ["X000009"]
    assert sorted(listed(today)) == ["X000001", "X000002", "X000003"]


def test_bad_filters_show_errors_and_export_nothing(admin_client, events):
    query = {"crn": "not a crn", "date_from_0": "2", "date_from_1": "1", "date_from_2": "2026",
             "date_to_0": "1", "date_to_1": "1", "date_to_2": "2026"}
    page = admin_client.get(reverse("audit-log"), query)
    assert b"govuk-error-summary" in page.content
    assert b"The to date must be the same as or after the from date" in page.content
    export = admin_client.get(reverse("audit-export"), query)
    assert export.status_code == 200 and not export.streaming
    assert not AuditEvent.objects.filter(action="audit.export").exists()


def test_csv_export_has_the_filtered_rows_and_is_itself_audited(admin_client, events):
    response = admin_client.get(reverse("audit-export"), {"actor": "officer"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="casework-audit-')
    table = rows(response)
    assert table[0] == ["time", "actor", "action", "object type", "object id", "crn", "detail", "before", "after",
                        "ip address"]
    assert [r[5] for r in table[1:]] == ["X000002", "X000001"]
    assert table[2][8] == '{"kind": "Not shown"}'  # a case the administrator may not read: field names only
    export = AuditEvent.objects.get(action="audit.export")
    assert export.actor == admin_client.admin.user
    assert export.after == {"filters": {"actor": "officer"}, "count": 2}


def test_the_export_does_not_include_its_own_row(admin_client, events):
    table = rows(admin_client.get(reverse("audit-export")))
    assert "audit.export" not in [r[2] for r in table[1:]]
    assert len(table) == 1 + 3


def test_cells_that_a_spreadsheet_would_run_are_defused(admin_client, events):
    table = rows(admin_client.get(reverse("audit-export"), {"crn": "X000003"}))
    assert table[1][6] == "'=HYPERLINK(\"http://x\")"


def test_pages_of_fifty(admin_client, events):
    for n in range(60):
        audit_record(actor=None, action="bulk.test", detail=str(n))
    first = admin_client.get(reverse("audit-log"), {"action": "bulk.test"})
    second = admin_client.get(reverse("audit-log"), {"action": "bulk.test", "page": 2})
    assert len(first.context["page"].object_list) == 50 and len(second.context["page"].object_list) == 10
