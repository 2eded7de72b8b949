"""Strict reading of JSON contract requests: every field checked, unknown fields rejected."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from enum import Enum
from typing import Any, TypeVar

E = TypeVar("E", bound=Enum)

_MISSING = object()


class ContractError(ValueError):
    """A request that does not meet its contract; ``field`` is a dotted path (``mappa.level``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message

    def as_json(self) -> dict[str, Any]:
        return {"error": {"field": self.field, "message": self.message}}


def _join(path: str, name: str | int) -> str:
    if isinstance(name, int):
        return f"{path}[{name}]"
    return f"{path}.{name}" if path else name


class Fields:
    """Reads one JSON object field by field; ``done()`` rejects anything not read.

    Usage::

        f = Fields(request)
        grade = f.enum("grade", Grade)
        hours = f.number("contracted_hours", minimum=0, maximum=37)
        f.done()
    """

    def __init__(self, data: Any, path: str = "") -> None:
        if not isinstance(data, dict):
            raise ContractError(path, "must be a JSON object")
        self.data = data
        self.path = path
        self._seen: set[str] = set()

    def field(self, name: str) -> str:
        return _join(self.path, name)

    def error(self, name: str, message: str) -> ContractError:
        return ContractError(self.field(name), message)

    def raw(self, name: str, *, required: bool = True, default: Any = None) -> Any:
        self._seen.add(name)
        if name not in self.data:
            if required:
                raise self.error(name, "is required")
            return default
        return self.data[name]

    def done(self) -> None:
        unknown = sorted(set(self.data) - self._seen)
        if unknown:
            raise ContractError(self.field(unknown[0]), "is not a known field")

    # Typed readers. ``nullable`` allows an explicit null; ``required=False`` allows absence
    # (absent returns ``default``).

    def _value(self, name: str, required: bool, nullable: bool, default: Any) -> Any:
        value = self.raw(name, required=required, default=_MISSING)
        if value is _MISSING:
            return _MISSING
        if value is None:
            if not nullable:
                raise self.error(name, "must not be null")
            return None
        return value

    def boolean(self, name: str, *, required: bool = True, nullable: bool = False,
                default: Any = None) -> bool | None:
        value = self._value(name, required, nullable, default)
        if value is _MISSING:
            return default
        if value is None:
            return None
        if not isinstance(value, bool):
            raise self.error(name, "must be true or false")
        return value

    def number(self, name: str, *, required: bool = True, nullable: bool = False, default: Any = None,
               minimum: float | None = None, maximum: float | None = None,
               integer: bool = False) -> float | int | None:
        value = self._value(name, required, nullable, default)
        if value is _MISSING:
            return default
        if value is None:
            return None
        return check_number(value, self.field(name), minimum=minimum, maximum=maximum, integer=integer)

    def string(self, name: str, *, required: bool = True, nullable: bool = False, default: Any = None,
               max_length: int | None = None, non_empty: bool = False) -> str | None:
        value = self._value(name, required, nullable, default)
        if value is _MISSING:
            return default
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.error(name, "must be a string")
        if non_empty and not value.strip():
            raise self.error(name, "must not be empty")
        if max_length is not None and len(value) > max_length:
            raise self.error(name, f"must be at most {max_length} characters")
        return value

    def enum(self, name: str, enum: type[E], *, required: bool = True, nullable: bool = False,
             default: Any = None) -> E | None:
        value = self._value(name, required, nullable, default)
        if value is _MISSING:
            return default
        if value is None:
            return None
        return check_enum(value, enum, self.field(name))

    def date(self, name: str, *, required: bool = True, nullable: bool = False,
             default: Any = None) -> dt.date | None:
        value = self._value(name, required, nullable, default)
        if value is _MISSING:
            return default
        if value is None:
            return None
        return check_date(value, self.field(name))

    def obj(self, name: str, *, required: bool = True, nullable: bool = False) -> Fields | None:
        value = self._value(name, required, nullable, None)
        if value is _MISSING or value is None:
            return None
        return Fields(value, self.field(name))

    def array(self, name: str, *, required: bool = True, nullable: bool = False,
              max_items: int | None = None) -> list[Any] | None:
        value = self._value(name, required, nullable, None)
        if value is _MISSING or value is None:
            return None
        if not isinstance(value, list):
            raise self.error(name, "must be a list")
        if max_items is not None and len(value) > max_items:
            raise self.error(name, f"must have at most {max_items} items")
        return value

    def items(self, name: str, **kwargs: Any) -> Iterable[tuple[str, Any]]:
        """Yield ``(path, item)`` for each element of a list field."""
        values = self.array(name, **kwargs) or []
        for index, item in enumerate(values):
            yield _join(self.field(name), index), item


def check_number(value: Any, field: str, *, minimum: float | None = None, maximum: float | None = None,
                 integer: bool = False) -> float | int:
    # bool is an int in Python; JSON true is never a number here.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ContractError(field, "must be a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise ContractError(field, "must be a finite number")
    if integer and isinstance(value, float):
        if not value.is_integer():
            raise ContractError(field, "must be a whole number")
        value = int(value)
    if minimum is not None and value < minimum:
        raise ContractError(field, f"must be at least {_fmt(minimum)}")
    if maximum is not None and value > maximum:
        raise ContractError(field, f"must be at most {_fmt(maximum)}")
    return value


def check_enum(value: Any, enum: type[E], field: str) -> E:
    if not isinstance(value, str):
        raise ContractError(field, f"must be one of {', '.join(m.value for m in enum)}")
    try:
        return enum(value)
    except ValueError:
        raise ContractError(field, f"must be one of {', '.join(m.value for m in enum)}") from None


def check_date(value: Any, field: str) -> dt.date:
    if not isinstance(value, str):
        raise ContractError(field, "must be a date in the form YYYY-MM-DD")
    try:
        if len(value) != 10:
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ContractError(field, "must be a real date in the form YYYY-MM-DD") from None


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)
