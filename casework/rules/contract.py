"""The error every JSON contract raises for a request that breaks it.

Requests are validated by the contracts' pydantic models (``casework.rules.schema``), which turn
every validation failure into a ``ContractError``; engines raise it themselves for rules that need
more than one model (a standard the framework does not have, a practitioner in two PDUs).
"""

from __future__ import annotations

from typing import Any


class ContractError(ValueError):
    """A request that does not meet its contract; ``field`` is a dotted path (``mappa.level``,
    ``items[0].grade``, empty for the whole request) and ``message`` says what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message

    def as_json(self) -> dict[str, Any]:
        return {"error": {"field": self.field, "message": self.message}}
