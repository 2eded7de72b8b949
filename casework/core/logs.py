"""Logging: every record carries the request's id; production writes one JSON object per line.

``RequestIdFilter`` (on the handlers, so it sees every record that reaches them, from any logger)
sets ``record.request_id`` from ``casework.audit.context.current_request_id()``: the same id the
request's audit rows carry and its response's ``X-Request-ID`` header returns (for Django's own
records of a refused or failed request, from the request they carry). Outside a request (commands,
start-up) it is ``None``.

``JsonFormatter`` writes ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``,
``request_id``, anything passed in ``extra=`` (the access log's method, path, status, duration and
user), and a failure's traceback as one string under ``exception``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from casework.audit.context import current_request_id

# What every LogRecord has; anything else on a record came from ``extra=`` and is written out.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "request_id"}
# Where ``casework.core.middleware.RequestLogMiddleware`` leaves the id on the request.
REQUEST_ID_ATTRIBUTE = "casework_request_id"
# Objects Django passes in ``extra=`` that say nothing a log line needs (and could be large).
_SKIPPED = {"request", "server_time"}


class RequestIdFilter(logging.Filter):
    """Give every record the id of the request being handled (``None`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            # Django logs a refused or failed request ("django.request") after the middleware has
            # finished, so from the request it passes, which the access log middleware marked.
            record.request_id = current_request_id() or getattr(getattr(record, "request", None),
                                                                REQUEST_ID_ATTRIBUTE, None)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in _SKIPPED and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)
