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

from django.conf import settings
from python_ipware import IpWare

client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("casework_client_ip", default=None)

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
    """Remember the client's address for the audit rows written while handling this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = client_ip.set(client_address(request.META))
        try:
            return self.get_response(request)
        finally:
            client_ip.reset(token)
