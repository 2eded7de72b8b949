"""Casework's domain rules: pure functions, no Django, no I/O, no clock.

Each engine module exposes typed dataclass functions (the real API used by services, selectors
and pages) and a ``handle(request: dict) -> dict`` adapter implementing its JSON contract
(docs/contracts.md) from pydantic request and response models (``casework.rules.schema``).
``casework.rules.registry`` maps contract names to adapters; the ``casework rules NAME`` command
and ``POST /api/rules/NAME`` (whose OpenAPI schema comes from the same models) both go through it.
"""
