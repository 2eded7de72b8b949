"""When the database cannot be reached: HTTP 503 with a clear page (or the API's JSON error), never a traceback.

A database that refuses connections or drops them shows as ``django.db.OperationalError`` or
``InterfaceError`` wherever the first query happens: in a view, but as often in the middleware,
loading the session or the signed-in user, or saving the session at the end. Django turns an
exception in a middleware into a response at that middleware (``convert_exception_to_response``), so
no outer middleware ever sees it; what every such exception does reach is the URLconf's
``handler500``. So there are two doors to the one answer:

- ``DatabaseUnavailableMiddleware.process_exception`` for a view's error (no error log with a
  traceback, no ``got_request_exception``);
- ``server_error``, the URLconf's ``handler500``, for an error raised anywhere else; any other
  error gets the usual 500 page.

Each answer is logged as one line at ERROR (``casework.outage``), and Django's own "Internal Server
Error" log entry with the traceback is not written for it. Nothing is half-written: every service
writes in one ``transaction.atomic``, which the error rolls back. Django closes a connection that
failed at the end of the request (``CONN_HEALTH_CHECKS`` checks a kept one before reuse), so the
first request after the database returns connects afresh: the service recovers by itself.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults

from casework.api.errors import error_body

logger = logging.getLogger("casework.outage")

RETRY_AFTER_SECONDS = 5
TITLE = "Sorry, there is a problem with the service"
API_MESSAGE = "Sorry, there is a problem with the service. Try again later."
TEMPLATE = "503.html"


def is_database_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, OperationalError | InterfaceError)


def unavailable_response(request, exc: BaseException) -> HttpResponse:
    """The 503 answer: JSON for the API, otherwise the GOV.UK "problem with the service" page.

    The page is rendered without the request (no context processors: they read the signed-in user,
    which needs the database).
    """
    reason = (str(exc).strip().splitlines() or [""])[0]  # psycopg's message runs to several lines
    logger.error("Database unavailable: %s %s answered 503 (%s: %s)", request.method, request.path,
                 type(exc).__name__, reason)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(error_body("", API_MESSAGE), status=503)
    else:
        response = HttpResponse(loader.get_template(TEMPLATE).render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # Logged above in one line: Django need not log it again with the traceback (django.request).
    response._has_been_logged = True
    return response


def server_error(request, *args, **kwargs):
    """``handler500``: the 503 answer for a database that cannot be reached, else Django's 500 page."""
    exc = sys.exc_info()[1]
    if is_database_unavailable(exc):
        return unavailable_response(request, exc)
    return defaults.server_error(request, *args, **kwargs)
