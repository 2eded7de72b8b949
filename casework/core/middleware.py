"""Middleware of our own: no-store on every response, the access log, and 503 when the database is down."""

from __future__ import annotations

import logging
import time

from django.utils.cache import patch_cache_control
from django.utils.functional import SimpleLazyObject, empty

from casework.audit.context import current_request_id
from casework.core import outage
from casework.core.logs import REQUEST_ID_ATTRIBUTE

request_logger = logging.getLogger("casework.request")


class NoStoreMiddleware:
    """``Cache-Control: no-store, private`` on every response Django makes.

    Case pages, search results, caseloads, exports, the audit log and the API's JSON all carry
    personal data, and a browser's back button, disk cache or a shared proxy must keep none of it.
    Marking every response is simpler to trust than listing the ones with personal data. What a
    view sends itself is kept and added to (the admin's ``never_cache`` already says ``no-store``);
    a ``public`` gives way to ``private``. Static files never come here: WhiteNoise answers them
    earlier in the chain, with its own caching.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response


class RequestLogMiddleware:
    """One line per request on the ``casework.request`` logger (INFO): method, path, status, time, user.

    The path is logged without its query string (a search's words are personal data). The request's
    id is added to the record by ``casework.core.logs.RequestIdFilter``. The user is read only if
    something in the request already loaded it, so logging never costs a query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        setattr(request, REQUEST_ID_ATTRIBUTE, current_request_id())  # for Django's own records, logged later
        response = self.get_response(request)
        if request_logger.isEnabledFor(logging.INFO):
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            user_id = _loaded_user_id(request)
            request_logger.info(
                "%s %s %s %.1fms user=%s", request.method, request.path, response.status_code, duration_ms, user_id,
                extra={"method": request.method, "path": request.path, "status": response.status_code,
                       "duration_ms": duration_ms, "user_id": user_id},
            )
        return response


def _loaded_user_id(request) -> int | None:
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):
        if user._wrapped is empty:  # nobody asked who it is: do not load the session for a log line
            return None
        user = user._wrapped
    return getattr(user, "pk", None) if user is not None else None


class DatabaseUnavailableMiddleware:
    """A view that fails because the database cannot be reached answers 503 (``casework.core.outage``).

    Errors raised in other middleware (loading the session or the user, saving the session) reach
    the URLconf's ``handler500``, ``casework.core.outage.server_error``, which gives the same answer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if outage.is_database_unavailable(exception):
            return outage.unavailable_response(request, exception)
        return None
