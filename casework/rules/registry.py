"""Contract name → adapter. Every adapter takes a decoded JSON request and returns a JSON-able dict."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

Handler = Callable[[dict[str, Any]], dict[str, Any]]

# name → module in casework.rules exposing ``handle(request) -> dict``
CONTRACTS: dict[str, str] = {
    "tier": "casework.rules.tiering",
    "workload": "casework.rules.workload",
    "recall-type": "casework.rules.recall",
    "rating": "casework.rules.rating",
    "sample": "casework.rules.sampling",
}


def names() -> list[str]:
    return sorted(CONTRACTS)


def handler(name: str) -> Handler:
    """The adapter for contract ``name``; ``KeyError`` if there is none."""
    module = importlib.import_module(CONTRACTS[name])
    return module.handle
