"""JSON Lines runner behind ``casework rules NAME`` (contracts.md)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TextIO

from casework.rules import registry
from casework.rules.contract import ContractError

Handler = Callable[[str, dict[str, Any]], dict[str, Any]]


def _pure(name: str, request: dict[str, Any]) -> dict[str, Any]:
    return registry.handler(name)(request)


def answer(name: str, line: str, handler: Handler = _pure) -> tuple[dict[str, Any], bool]:
    """Answer one request line: ``(result, ok)``. Never raises for bad input."""
    try:
        request = json.loads(line)
    except json.JSONDecodeError as exc:
        return ContractError("", f"is not valid JSON ({exc.msg} at column {exc.colno})").as_json(), False
    except (ValueError, RecursionError) as exc:
        # Python refuses integers over 4,300 digits and very deep nesting: still one bad line.
        return ContractError("", f"is not acceptable JSON ({exc})").as_json(), False
    if not isinstance(request, dict):
        return ContractError("", "must be a JSON object").as_json(), False
    try:
        return handler(name, request), True
    except ContractError as exc:
        return exc.as_json(), False


def run(name: str, stdin: TextIO, stdout: TextIO, handler: Handler = _pure) -> int:
    """Answer every line of ``stdin`` on ``stdout``; exit status 2 if any line failed, else 0."""
    registry.handler(name)  # fail early on an unknown name
    failed = False
    for line in stdin:
        if not line.strip():
            continue
        result, ok = answer(name, line, handler)
        failed = failed or not ok
        stdout.write(json.dumps(result, separators=(",", ":")))
        stdout.write("\n")
    stdout.flush()
    return 2 if failed else 0
