"""Request facts (client address) that the audit log records, without passing requests to services.

Behind reverse proxies the connection comes from the nearest proxy, and the client's address is in
``X-Forwarded-For``, where each proxy appends the address it was connected from. Only the entries
the trusted proxies appended can be believed (anything to their left came from the client, who can
write what they like), so with ``TRUSTED_PROXY_COUNT`` proxies in front of Casework the client is
the ``TRUSTED_PROXY_COUNT``-th entry from the right. python-ipware reads the header and checks
that each entry is an address. With no trusted proxy (the default) the header is ignored and the
address is the connection's own.
"""

from __future__ import annotations

import contextvars
import functools
import re
import uuid

from django.conf import settings
from python_ipware import IpWare

client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("casework_client_ip", default=None)

# The request's id: from a well-formed incoming ``X-Request-ID`` (a proxy's), else a fresh one. It is
# written on the request's audit rows and log lines and returned in the response's ``X-Request-ID``.
request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("casework_request_id", default=None)

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def current_request_id() -> str | None:
    """The id of the request being handled, or None outside a request (commands, tasks)."""
    return request_id.get()


def request_id_for(meta: dict) -> str:
    """The incoming ``X-Request-ID`` if well formed (letters, digits, ``._-``, at most 64), else a new one."""
    incoming = meta.get("HTTP_X_REQUEST_ID", "")
    if isinstance(incoming, str) and _REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex

_CONNECTION = IpWare(precedence=("REMOTE_ADDR",))


@functools.cache
def _forwarded(proxies: int) -> IpWare:
    # python-ipware counts the proxies whose addresses are *in* the header: the nearest proxy's is
    # the connection's address, not in the header, hence one fewer.
    return IpWare(precedence=("HTTP_X_FORWARDED_FOR",), proxy_count=proxies - 1)


def client_address(meta: dict) -> str | None:
    """The client's address for a request's ``META``, trusting exactly ``TRUSTED_PROXY_COUNT`` proxies.

    A request that did not come through the proxies (no header, or fewer entries than proxies, or
    an entry that is not an address) is recorded with the connection's address: what is known.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    address = None
    if proxies > 0:
        address, _ = _forwarded(proxies).get_client_ip(meta)
    if address is None:
        address, _ = _CONNECTION.get_client_ip(meta)
    return str(address) if address is not None else None


class AuditContextMiddleware:
    """Remember the client's address and the request's id for the audit rows written while handling it.

    The request's id is returned in the response's ``X-Request-ID`` header.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = request_id_for(request.META)
        token = client_ip.set(client_address(request.META))
        rid_token = request_id.set(rid)
        try:
            response = self.get_response(request)
            if response is not None:
                response[REQUEST_ID_HEADER] = rid
            return response
        finally:
            request_id.reset(rid_token)
            client_ip.reset(token)
