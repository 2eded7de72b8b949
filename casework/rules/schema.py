"""One definition per JSON contract: pydantic models validate requests and serialise responses.

Every contract (``casework rules NAME``, ``POST /api/rules/NAME``) declares a request model and a
response model built on :class:`ContractModel`. The same models give the OpenAPI schema (the API
documents them with ``extend_schema``), so what is checked, what is answered and what is documented
cannot drift apart. This module is pure Python: no Django.

The shared configuration is strict: JSON types are never coerced (``"3"`` is not a number, ``1`` is
not ``true``, ``2.0`` is not a whole number), unknown fields are rejected, numbers must be finite and
models are frozen. Two kinds of field read JSON text and so relax strictness on purpose:

- :data:`Choice` ``[SomeEnum]``: a code from a ``StrEnum`` given as its string value;
- :data:`Date`: a calendar date given as ``"YYYY-MM-DD"`` (exactly ten characters).

Any failure becomes a :class:`~casework.rules.contract.ContractError` whose ``field`` is the dotted
path the contract documents (``mappa.level``, ``items[0].grade``) and whose ``message`` is a short
sentence a person can act on (``must be one of PO, PQIP, PSO, SPO``). For a rule that spans fields,
raise :func:`problem` (message at the model's own path) or ``ContractError("hours", "...")`` (path
relative to the model) inside a validator.

Usage::

    from typing import Annotated
    from pydantic import Field, model_validator

    from casework.rules.schema import Choice, ContractModel, Date, contract_handler, problem

    class Reduction(ContractModel):
        hours: Annotated[float, Field(ge=0, le=37)] | None = None
        percent: Annotated[float, Field(ge=0, le=100)] | None = None

        @model_validator(mode="after")
        def _one_of(self) -> "Reduction":
            if (self.hours is None) == (self.percent is None):
                raise problem("give either hours or percent")
            return self

    class WorkloadRequest(ContractModel):
        grade: Choice[Grade]
        start: Date
        reductions: list[Reduction] = []

    class WorkloadResponse(ContractModel):
        points: int

    def workload(request: WorkloadRequest) -> WorkloadResponse:
        ...

    # dict in -> dict out, ContractError if invalid; handle.request_model / handle.response_model
    handle = contract_handler(WorkloadRequest, WorkloadResponse, workload)

``parse(Model, data)`` and ``dump(model)`` are the two halves for code that needs the model between.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, Strict, ValidationError
from pydantic_core import PydanticCustomError

from casework.rules.contract import ContractError

__all__ = [
    "CONTRACT_CONFIG",
    "Choice",
    "ContractHandler",
    "ContractModel",
    "Date",
    "contract_error",
    "contract_handler",
    "dump",
    "matching",
    "parse",
    "problem",
]

#: The configuration every contract model shares.
CONTRACT_CONFIG = ConfigDict(
    strict=True,
    extra="forbid",
    frozen=True,
    allow_inf_nan=False,
    use_attribute_docstrings=True,
    use_enum_values=False,
)


class ContractModel(BaseModel):
    """Base of every contract request and response model (strict, unknown fields rejected)."""

    model_config = CONTRACT_CONFIG


M = TypeVar("M", bound=BaseModel)
R = TypeVar("R", bound=BaseModel)
E = TypeVar("E")

#: A ``StrEnum`` member read from its string value (``Choice[Grade]``); anything else is rejected.
Choice = Annotated[E, Strict(False)]

_CONTRACT = "contract"


def problem(message: str) -> PydanticCustomError:
    """An error to raise in a validator: reported at the validated value's path with ``message``."""
    return PydanticCustomError(_CONTRACT, message)  # type: ignore[arg-type]  # message is literal text


def _iso_date(value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value  # already a date (Python callers)
    if value is None:
        raise problem("must not be null")
    if not isinstance(value, str):
        raise problem("must be a date in the form YYYY-MM-DD")
    try:
        if len(value) != 10:
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise problem("must be a real date in the form YYYY-MM-DD") from None


#: A calendar date written ``YYYY-MM-DD``; OpenAPI shows ``string`` with ``format: date``.
Date = Annotated[dt.date, BeforeValidator(_iso_date)]


def matching(pattern: str, message: str, *, example: str | None = None) -> Any:
    """A string type that must match ``pattern`` in full, else ``message`` (OpenAPI shows the pattern).

    ``Tier = matching(r"[A-D][0-3]S?", "must be a two-axis tier such as B2")``
    """
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if compiled.fullmatch(value) is None:
            raise problem(message)
        return value

    extra: dict[str, Any] = {"pattern": f"^(?:{pattern})$"}
    if example is not None:
        extra["examples"] = [example]
    return Annotated[str, AfterValidator(check), Field(json_schema_extra=extra)]


# --- ValidationError -> ContractError --------------------------------------------------------------


def _join(path: str, name: str | int) -> str:
    if isinstance(name, int):
        return f"{path}[{name}]"
    return f"{path}.{name}" if path else name


#: Tags pydantic adds to an error's location for the member of a union or a validator: not fields.
_TAG = re.compile(r"(function-(after|before|wrap|plain)|lax-or-strict|json-or-python|nullable|chain)\[.*\]",
                  re.DOTALL)


def _path(loc: tuple[str | int, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, str) and _TAG.fullmatch(part):
            continue
        path = _join(path, part)
    return path


def _number(value: Any) -> str:
    """A bound as people write it (``37``, ``2.5``), whether pydantic gives it as a number or as text
    (a ``Decimal`` bound arrives as ``"Decimal('999.99')"``)."""
    if isinstance(value, str):
        match = re.fullmatch(r"Decimal\('([^']*)'\)", value)
        value = decimal.Decimal(match.group(1) if match else value)
    return str(int(value)) if float(value).is_integer() else str(value)


def _choices(expected: str) -> str:
    return ", ".join(re.findall(r"'([^']*)'", expected)) or expected


_OBJECT = "must be a JSON object"
_LIST = "must be a list"
_NUMBER = "must be a number"
_DATE = "must be a real date in the form YYYY-MM-DD"

_FIXED = {
    "missing": "is required",
    "extra_forbidden": "is not a known field",
    "model_type": _OBJECT,
    "model_attributes_type": _OBJECT,
    "dict_type": _OBJECT,
    "dataclass_type": _OBJECT,
    "list_type": _LIST,
    "tuple_type": _LIST,
    "set_type": _LIST,
    "frozen_set_type": _LIST,
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "float_type": _NUMBER,
    "float_parsing": _NUMBER,
    "decimal_type": _NUMBER,
    "int_from_float": "must be a whole number",
    "finite_number": "must be a finite number",
    "string_type": "must be a string",
    "date_type": _DATE,
    "date_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "date_from_datetime_parsing": _DATE,
    "string_pattern_mismatch": "is not in the expected form",
    "json_invalid": "must be valid JSON",
    "json_type": _OBJECT,
}

_NULL_TYPES = {"enum", "literal_error", "int_type", "float_type", "string_type", "bool_type", "model_type",
               "dict_type", "list_type", "date_type", "decimal_type", "model_attributes_type"}


def _message(error: Any) -> tuple[str, str]:
    """``(relative field, message)`` for one pydantic error."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "value_error" and isinstance(ctx.get("error"), ContractError):
        inner: ContractError = ctx["error"]
        return inner.field, inner.message
    if kind == _CONTRACT:
        return "", error["msg"]
    if value is None and kind in _NULL_TYPES:
        return "", "must not be null"
    if kind in _FIXED:
        return "", _FIXED[kind]
    if kind == "int_type":
        if isinstance(value, float):
            return "", "must be a whole number"
        return "", _NUMBER
    if kind in ("enum", "literal_error"):
        return "", f"must be one of {_choices(str(ctx.get('expected', '')))}"
    if kind == "greater_than_equal":
        return "", f"must be at least {_number(ctx['ge'])}"
    if kind == "greater_than":
        return "", f"must be more than {_number(ctx['gt'])}"
    if kind == "less_than_equal":
        return "", f"must be at most {_number(ctx['le'])}"
    if kind == "less_than":
        return "", f"must be less than {_number(ctx['lt'])}"
    if kind == "string_too_short":
        minimum = ctx.get("min_length", 1)
        return "", "must not be empty" if minimum == 1 else f"must be at least {minimum} characters"
    if kind == "string_too_long":
        return "", f"must be at most {ctx['max_length']} characters"
    if kind == "too_short":
        minimum = ctx.get("min_length", 1)
        return "", f"must have at least {minimum} item{'' if minimum == 1 else 's'}"
    if kind == "too_long":
        return "", f"must have at most {ctx['max_length']} items"
    if kind in ("value_error", "assertion_error") and "error" in ctx:
        return "", str(ctx["error"])
    message = str(error.get("msg", "is not valid"))
    return "", message[:1].lower() + message[1:]


def contract_error(exc: ValidationError) -> ContractError:
    """The first problem in ``exc`` as a ContractError with the contract's dotted field path."""
    first = exc.errors(include_url=False)[0]
    relative, message = _message(first)
    path = _path(tuple(first["loc"]))
    if relative:
        path = f"{path}{relative}" if relative.startswith("[") else _join(path, relative)
    return ContractError(path, message)


# --- Request -> model -> engine -> response ------------------------------------------------------------


def parse(model: type[M], data: Any) -> M:
    """Validate a decoded JSON request (or its JSON text) against ``model``; ContractError if invalid."""
    try:
        if isinstance(data, str | bytes | bytearray):
            return model.model_validate_json(data)
        return model.model_validate(data)
    except ValidationError as exc:
        raise contract_error(exc) from None


def dump(model: BaseModel) -> dict[str, Any]:
    """A response model as a JSON-able dict (dates as ``YYYY-MM-DD``, enums as their codes)."""
    return model.model_dump(mode="json")


@dataclass(frozen=True)
class ContractHandler(Generic[M, R]):
    """A contract's request model, response model and engine; calling it runs ``dict -> dict``."""

    request_model: type[M]
    response_model: type[R]
    engine: Callable[..., R]

    def __call__(self, request: Any, **options: Any) -> dict[str, Any]:
        """Parse ``request``, run the engine (given ``options``, e.g. a stored table), dump its response;
        ContractError if the request is invalid."""
        return dump(self.engine(parse(self.request_model, request), **options))


def contract_handler(request_model: type[M], response_model: type[R],
                     engine: Callable[..., R]) -> ContractHandler[M, R]:
    """``handle(request) -> dict`` for a contract: parse, run ``engine``, dump its response model.

    The result carries ``request_model`` and ``response_model`` for the registry, the CLI and the
    API documentation.
    """
    return ContractHandler(request_model, response_model, engine)
