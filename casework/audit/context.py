"""Request facts (client address) that the audit log records, without passing requests to services."""

from __future__ import annotations

import contextvars

client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("casework_client_ip", default=None)


class AuditContextMiddleware:
    """Remember the client's address for the audit rows written while handling this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = client_ip.set(request.META.get("REMOTE_ADDR") or None)
        try:
            return self.get_response(request)
        finally:
            client_ip.reset(token)
