"""The audit log's client address: the connection's, or read through exactly the trusted proxies."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from casework.audit.context import AuditContextMiddleware, client_address
from casework.audit.models import AuditEvent
from casework.audit.services import audit_record

PROXY = "10.0.0.2"  # the nearest proxy: the connection's address when there are proxies


@pytest.mark.parametrize("proxies, forwarded, expected", [
    (0, None, PROXY),
    (0, "203.0.113.9", PROXY),  # no trusted proxy: the header is the client's to write, so ignored
    (1, "203.0.113.9", "203.0.113.9"),
    (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # an entry the client wrote before the proxy's
    (2, "6.6.6.6, 203.0.113.9, 10.0.0.7", "203.0.113.9"),
    (2, "203.0.113.9, 10.0.0.7", "203.0.113.9"),
    (1, "2001:db8::5", "2001:db8::5"),
    (2, "203.0.113.9", PROXY),  # fewer entries than proxies: not through them, so the connection's
    (1, None, PROXY),
    (1, "not-an-address", PROXY),
])
def test_the_client_is_read_through_exactly_the_trusted_proxies(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    meta = {"REMOTE_ADDR": PROXY} | ({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {})
    assert client_address(meta) == expected


@pytest.mark.django_db
def test_audit_rows_written_during_a_request_carry_its_client_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    def view(request):
        audit_record(actor=None, action="test.action")
        return None

    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    AuditContextMiddleware(view)(request)
    audit_record(actor=None, action="test.outside")
    assert dict(AuditEvent.objects.values_list("action", "ip_address")) == {
        "test.action": "203.0.113.9", "test.outside": None}
