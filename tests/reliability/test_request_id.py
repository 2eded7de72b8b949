"""Every request has an id: a well-formed incoming X-Request-ID (a proxy's) or a new one. It is returned in
the response's X-Request-ID and written on the audit rows the request causes."""

from __future__ import annotations

import re

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from casework.audit.context import AuditContextMiddleware, current_request_id, request_id, request_id_for
from casework.audit.models import AuditEvent
from casework.audit.services import AuditEntry, audit_record, audit_record_many

GENERATED = re.compile(r"[0-9a-f]{32}")


@pytest.mark.parametrize("incoming, kept", [
    ("abc-123", True),
    ("Trace.id_01-x", True),
    ("a" * 64, True),
    ("a" * 65, False),  # too long
    ("", False),
    ("has space", False),
    ("semi;colon", False),
    ("new\nline", False),
    ("ünïcode", False),
])
def test_an_incoming_id_is_kept_only_if_well_formed(incoming, kept):
    rid = request_id_for({"HTTP_X_REQUEST_ID": incoming})
    if kept:
        assert rid == incoming
    else:
        assert GENERATED.fullmatch(rid)


def test_without_a_header_each_request_gets_a_new_id():
    first, second = request_id_for({}), request_id_for({})
    assert GENERATED.fullmatch(first) and GENERATED.fullmatch(second) and first != second


@pytest.mark.django_db
def test_the_id_is_on_the_response_and_on_the_audit_rows_written_during_the_request():
    seen = []

    def view(request):
        seen.append(current_request_id())
        audit_record(actor=None, action="test.single")
        entry = AuditEntry(obj=None, before=None, after={"a": 1})
        audit_record_many(actor=None, action="test.bulk", entries=[entry, entry])
        return HttpResponse("ok")

    response = AuditContextMiddleware(view)(RequestFactory().get("/", HTTP_X_REQUEST_ID="edge-42"))
    assert response["X-Request-ID"] == "edge-42" and seen == ["edge-42"]
    audit_record(actor=None, action="test.outside")
    assert current_request_id() is None
    assert sorted(AuditEvent.objects.values_list("action", "request_id")) == [
        ("test.bulk", "edge-42"), ("test.bulk", "edge-42"), ("test.outside", ""), ("test.single", "edge-42")]


@pytest.mark.django_db
def test_a_page_returns_its_request_id(client):
    response = client.get("/sign-in/", HTTP_X_REQUEST_ID="bad id!")
    assert GENERATED.fullmatch(response["X-Request-ID"])
    assert client.get("/sign-in/", HTTP_X_REQUEST_ID="lb-7f3a")["X-Request-ID"] == "lb-7f3a"


def test_the_id_is_reset_after_the_request():
    token = request_id.set("outer")
    try:
        AuditContextMiddleware(lambda request: None)(RequestFactory().get("/"))
        assert current_request_id() == "outer"
    finally:
        request_id.reset(token)
