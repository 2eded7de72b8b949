"""Contract name → adapter. Every adapter takes a decoded JSON request and returns a JSON-able dict.

Each adapter is a :class:`~casework.rules.schema.ContractHandler` (tiering's too), so it also names its
pydantic ``request_model`` and ``response_model``: the CLI, the API and its OpenAPI schema, and
docs/contracts.md all describe the same definition.
"""

from __future__ import annotations

import importlib
from typing import Any

from casework.rules.schema import ContractHandler

Handler = ContractHandler[Any, Any]

# name → module in casework.rules exposing ``handle(request) -> dict``
CONTRACTS: dict[str, str] = {
    "tier": "casework.rules.tiering",
    "workload": "casework.rules.workload",
    "allocate": "casework.rules.allocation",
    "eligibility": "casework.rules.eligibility",
    "recall-type": "casework.rules.recall",
    "rating": "casework.rules.rating",
    "sample": "casework.rules.sampling",
    "enforcement": "casework.rules.enforcement",
    "safeguards": "casework.rules.safeguards",
}


def names() -> list[str]:
    return sorted(CONTRACTS)


def handler(name: str) -> Handler:
    """The adapter for contract ``name``; ``KeyError`` if there is none."""
    module = importlib.import_module(CONTRACTS[name])
    return module.handle
