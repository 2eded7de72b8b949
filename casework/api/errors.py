"""Structured JSON errors for the API: ``{"error": {"field": ..., "message": ...}}``.

Every error the API answers has this shape, whatever raised it: a DRF validation error (however
deeply nested: the field is a path like ``crns[0]``, as in the rule contracts), an authentication
or permission refusal, a body Django will not read (too large: 413), or any other refusal of a
malformed request.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def error_body(field: str, message: str) -> dict:
    return {"error": {"field": field, "message": message}}


def _join(path: str, key) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    if key == "non_field_errors":
        return path
    return f"{path}.{key}" if path else str(key)


def first_error(detail, path: str = "") -> tuple[str, str]:
    """The first message in DRF's error detail (a string, or lists and dicts of them) and the path to it."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            return first_error(value, _join(path, key))
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):  # one entry per item of a list in the request
                if value:
                    return first_error(value, _join(path, index))
            elif str(value):  # the field's own messages
                return path, str(value)
    elif detail is not None and str(detail):
        return path, str(detail)
    return path, "The request is not valid"


def _too_big_message() -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return f"The request body is too large: at most {limit:,} bytes"


def exception_handler(exc, context):
    """DRF's handler, reshaped so every API error has the same structure as the rule contracts."""
    if isinstance(exc, RequestDataTooBig):
        return Response(error_body("", _too_big_message()), status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, SuspiciousOperation | BadRequest):
        return Response(error_body("", "The request could not be read"), status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        field, message = first_error(response.data)
        return Response(error_body(field, message), status=response.status_code)
    detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
    return Response(error_body("", str(detail)), status=response.status_code, headers=response.headers)
