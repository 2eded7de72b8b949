"""The audit log cannot be changed: not through the models, not through the admin, and on PostgreSQL
not even with raw SQL (a trigger rejects UPDATE and DELETE)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from casework.audit.models import AuditEvent
from casework.audit.services import audit_record
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(db):
    return audit_record(actor=None, action="test.action", detail="original")


def test_the_model_refuses_update_and_delete(event):
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(detail="changed")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(PermissionError):
        event.delete()
    event.detail = "changed"
    with pytest.raises(PermissionError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).detail == "original"


def test_the_admin_is_read_only(event):
    request = RequestFactory().get("/admin/")
    request.user = factories.AdminStaffFactory().user
    model_admin = admin.site._registry[AuditEvent]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)


@pytest.mark.parametrize("sql", ["UPDATE audit_auditevent SET detail = 'changed' WHERE id = %s",
                                 "DELETE FROM audit_auditevent WHERE id = %s"])
def test_postgresql_rejects_raw_update_and_delete(event, sql):
    if connection.vendor != "postgresql":
        pytest.skip("engine-specific: the append-only trigger is PostgreSQL's; SQLite relies on the model")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).detail == "original"


def test_postgresql_still_accepts_new_rows(event):
    if connection.vendor != "postgresql":
        pytest.skip("engine-specific: the append-only trigger is PostgreSQL's")
    audit_record(actor=None, action="test.again")
    assert AuditEvent.objects.count() == 2
