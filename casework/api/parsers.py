"""The one request body parser of the API: JSON, bounded before anything reads it.

Whatever the body, the answer is the parsed value or a ``ParseError``, which the exception handler
turns into the structured 400 (``casework.api.errors``). Beyond what the standard library checks,
a body is refused when it is nested more than ``MAX_DEPTH`` levels deep (Python's parser and any
code walking the value would otherwise run out of stack on a few kilobytes of brackets) or holds a
number too large for a float (``1e400`` would reach the rule engines as infinity). Its size is
bounded earlier, by ``DATA_UPLOAD_MAX_MEMORY_SIZE``.
"""

from __future__ import annotations

import json
import math

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# No contract comes near this: the deepest rule request is an object of lists of objects.
MAX_DEPTH = 32

TOO_DEEP = f"The request body is nested too deeply: at most {MAX_DEPTH} levels of objects and lists"
NOT_UTF8 = "The request body must be JSON in UTF-8"
NOT_FINITE = "Numbers in the request body must be finite and no larger than about 1e308"
TOO_LONG = "Numbers in the request body must have at most 4,300 digits"


class _NotFinite(ValueError):
    pass


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotFinite(text)
    return value


def _reject_constant(text: str):
    raise _NotFinite(text)  # NaN, Infinity, -Infinity: not JSON


def deeper_than(value, limit: int) -> bool:
    """Whether ``value`` has containers nested more than ``limit`` deep (a top-level object is level 1)."""
    stack = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class JSONBodyParser(JSONParser):
    """``application/json`` bodies, with a depth limit and finite numbers."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ParseError(NOT_UTF8) from None
        try:
            value = json.loads(text, parse_float=_finite_float, parse_constant=_reject_constant)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        except _NotFinite:
            raise ParseError(NOT_FINITE) from None
        except json.JSONDecodeError as exc:
            raise ParseError(f"The request body is not valid JSON: {exc.msg} (line {exc.lineno}, "
                             f"column {exc.colno})") from None
        except ValueError:  # Python refuses to read an integer of more than 4,300 digits
            raise ParseError(TOO_LONG) from None
        if deeper_than(value, MAX_DEPTH):
            raise ParseError(TOO_DEEP)
        return value
