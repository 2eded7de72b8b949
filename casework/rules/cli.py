"""JSON Lines runner behind ``casework rules NAME`` (contracts.md)."""

from __future__ import annotations

import json
from typing import Any, TextIO

from casework.rules import registry
from casework.rules.contract import ContractError


def answer(name: str, line: str) -> tuple[dict[str, Any], bool]:
    """Answer one request line: ``(result, ok)``. Never raises for bad input."""
    try:
        request = json.loads(line)
    except json.JSONDecodeError as exc:
        return ContractError("", f"is not valid JSON ({exc.msg} at column {exc.colno})").as_json(), False
    if not isinstance(request, dict):
        return ContractError("", "must be a JSON object").as_json(), False
    try:
        return registry.handler(name)(request), True
    except ContractError as exc:
        return exc.as_json(), False


def run(name: str, stdin: TextIO, stdout: TextIO) -> int:
    """Answer every line of ``stdin`` on ``stdout``; exit status 2 if any line failed, else 0."""
    handle = registry.handler(name)  # fail early on an unknown name
    del handle
    failed = False
    for line in stdin:
        if not line.strip():
            continue
        result, ok = answer(name, line)
        failed = failed or not ok
        stdout.write(json.dumps(result, separators=(",", ":")))
        stdout.write("\n")
    stdout.flush()
    return 2 if failed else 0
