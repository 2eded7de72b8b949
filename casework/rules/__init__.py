"""Casework's domain rules: pure functions, no Django, no I/O, no clock.

Each engine module exposes typed dataclass functions (the real API used by services, selectors
and pages) and a ``handle(request: dict) -> dict`` adapter implementing its JSON contract from
``shared/reference/contracts.md``. ``casework.rules.registry`` maps contract names to adapters;
the ``casework rules NAME`` command and ``POST /api/rules/NAME`` both go through it.
"""
