"""Structured JSON errors for the API: ``{"error": {"field": ..., "message": ...}}``."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def error_body(field: str, message: str) -> dict:
    return {"error": {"field": field, "message": message}}


def exception_handler(exc, context):
    """DRF's handler, reshaped so every API error has the same structure as the rule contracts."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError) and isinstance(response.data, dict):
        field, messages = next(iter(response.data.items()), ("", ["Invalid request"]))
        message = messages[0] if isinstance(messages, list) and messages else str(messages)
        return Response(error_body("" if field == "non_field_errors" else field, str(message)),
                        status=response.status_code)
    detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
    return Response(error_body("", str(detail)), status=response.status_code, headers=response.headers)
