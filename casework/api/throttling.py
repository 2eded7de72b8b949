"""How many API requests each caller may make (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``).

Three kinds of caller, each counted once: nobody signed in (by client address, ``anon``), a person
signed in to Casework (by account, ``user``) and another system calling with a token (by token,
``token``). Over the rate the API answers 429 in its usual JSON error shape, with ``Retry-After``.
Rates are read from the settings on every request, and counted in the ``throttle`` cache, which
every worker process of a server shares.
"""

from __future__ import annotations

from django.core.cache import caches
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from casework.access.models import ApiToken
from casework.audit.context import client_address


class _Rate(SimpleRateThrottle):
    # Read the rate and the cache when asked, not when the class is defined, so changed settings apply.
    def __init__(self):
        self.cache = caches["throttle"]
        super().__init__()

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonRate(_Rate):
    """Requests from callers who are not signed in, by address (through the trusted proxies)."""

    scope = "anon"

    def get_cache_key(self, request, view) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": client_address(request.META) or "unknown"}


class UserRate(_Rate):
    """Requests from people signed in to Casework, by account."""

    scope = "user"

    def get_cache_key(self, request, view) -> str | None:
        if not (request.user and request.user.is_authenticated) or isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class TokenRate(_Rate):
    """Requests from other systems, by API token."""

    scope = "token"

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
