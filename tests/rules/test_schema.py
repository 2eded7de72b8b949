"""The shared contract base (casework/rules/schema.py): strictness, error paths and messages, handlers."""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum
from typing import Annotated, Any

import pytest
from hypothesis import given
from pydantic import Field, ValidationError, model_validator

from casework.rules import registry
from casework.rules.contract import ContractError
from casework.rules.schema import (
    Choice,
    ContractHandler,
    ContractModel,
    Date,
    contract_error,
    contract_handler,
    dump,
    matching,
    parse,
    problem,
)
from tests.rules.strategies import json_values


class Level(StrEnum):
    ONE = "ONE"
    TWO = "TWO"


Code = matching(r"[A-Z][0-9]", "must be a letter and a digit, like A1", example="A1")


class Inner(ContractModel):
    level: Choice[Level]
    hours: Annotated[float, Field(ge=0, le=37)] | None = None
    percent: Annotated[float, Field(ge=0, le=100)] | None = None
    count: Annotated[int, Field(ge=0, le=10)] = 0
    name: Annotated[str, Field(min_length=1, max_length=5)] = "x"

    @model_validator(mode="after")
    def _one_of(self) -> Inner:
        if self.hours is not None and self.percent is not None:
            raise problem("give either hours or percent, not both")
        if self.count == 9:
            raise ContractError("count", "must not be 9")
        return self


class Outer(ContractModel):
    when: Date
    code: Code | None = None  # type: ignore[valid-type]
    flag: bool = False
    inner: Inner | None = None
    items: Annotated[list[Inner], Field(max_length=3)] = []
    by_key: dict[str, Inner] = {}


class Answer(ContractModel):
    when: Date
    level: Level | None


def engine(request: Outer, *, level: Level | None = None) -> Answer:
    return Answer(when=request.when, level=level or (request.inner.level if request.inner else None))


handle = contract_handler(Outer, Answer, engine)
OK = {"when": "2026-11-27"}


def error(data: Any) -> tuple[str, str]:
    with pytest.raises(ContractError) as caught:
        parse(Outer, data)
    return caught.value.field, caught.value.message


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        pytest.param({}, "when", "is required", id="missing"),
        pytest.param({**OK, "whenn": 1}, "whenn", "is not a known field", id="unknown-field"),
        pytest.param({**OK, "inner": {"level": "ONE", "typo": 1}}, "inner.typo", "is not a known field",
                     id="unknown-nested-field"),
        pytest.param({"when": "2026-02-30"}, "when", "must be a real date in the form YYYY-MM-DD", id="not-a-date"),
        pytest.param({"when": "2026-11-27T10:00"}, "when", "must be a real date in the form YYYY-MM-DD",
                     id="date-with-time"),
        pytest.param({"when": 20261127}, "when", "must be a date in the form YYYY-MM-DD", id="date-as-number"),
        pytest.param({"when": None}, "when", "must not be null", id="date-null"),
        pytest.param({**OK, "flag": 1}, "flag", "must be true or false", id="number-for-boolean"),
        pytest.param({**OK, "flag": "true"}, "flag", "must be true or false", id="string-for-boolean"),
        pytest.param({**OK, "flag": None}, "flag", "must not be null", id="null-for-boolean"),
        pytest.param({**OK, "inner": {"level": "THREE"}}, "inner.level", "must be one of ONE, TWO", id="bad-code"),
        pytest.param({**OK, "inner": {"level": "one"}}, "inner.level", "must be one of ONE, TWO", id="lower-case"),
        pytest.param({**OK, "inner": {"level": 1}}, "inner.level", "must be one of ONE, TWO", id="number-code"),
        pytest.param({**OK, "inner": {"level": None}}, "inner.level", "must not be null", id="null-code"),
        pytest.param({**OK, "inner": {}}, "inner.level", "is required", id="nested-missing"),
        pytest.param({**OK, "inner": []}, "inner", "must be a JSON object", id="list-for-object"),
        pytest.param({**OK, "inner": {"level": "ONE", "hours": "3"}}, "inner.hours", "must be a number",
                     id="string-for-number"),
        pytest.param({**OK, "inner": {"level": "ONE", "hours": True}}, "inner.hours", "must be a number",
                     id="boolean-for-number"),
        pytest.param({**OK, "inner": {"level": "ONE", "hours": float("nan")}}, "inner.hours",
                     "must be a finite number", id="nan"),
        pytest.param({**OK, "inner": {"level": "ONE", "hours": 38}}, "inner.hours", "must be at most 37",
                     id="over-maximum"),
        pytest.param({**OK, "inner": {"level": "ONE", "hours": -0.5}}, "inner.hours", "must be at least 0",
                     id="under-minimum"),
        pytest.param({**OK, "inner": {"level": "ONE", "count": 2.5}}, "inner.count", "must be a whole number",
                     id="fraction-for-whole"),
        pytest.param({**OK, "inner": {"level": "ONE", "count": 2.0}}, "inner.count", "must be a whole number",
                     id="point-zero-for-whole"),
        pytest.param({**OK, "inner": {"level": "ONE", "name": ""}}, "inner.name", "must not be empty",
                     id="empty-string"),
        pytest.param({**OK, "inner": {"level": "ONE", "name": "toolong"}}, "inner.name",
                     "must be at most 5 characters", id="long-string"),
        pytest.param({**OK, "inner": {"level": "ONE", "name": 5}}, "inner.name", "must be a string",
                     id="number-for-string"),
        pytest.param({**OK, "inner": {"level": "ONE", "hours": 1, "percent": 2}}, "inner",
                     "give either hours or percent, not both", id="problem-at-the-model"),
        pytest.param({**OK, "inner": {"level": "ONE", "count": 9}}, "inner.count", "must not be 9",
                     id="contract-error-inside-the-model"),
        pytest.param({**OK, "items": [{"level": "ONE"}, {"level": "TWO", "count": -1}]}, "items[1].count",
                     "must be at least 0", id="list-item-path"),
        pytest.param({**OK, "items": [{"level": "ONE"}, {"level": "ONE", "count": 9}]}, "items[1].count",
                     "must not be 9", id="list-item-contract-error"),
        pytest.param({**OK, "items": {"level": "ONE"}}, "items", "must be a list", id="object-for-list"),
        pytest.param({**OK, "items": [{"level": "ONE"}] * 4}, "items", "must have at most 3 items", id="long-list"),
        pytest.param({**OK, "by_key": {"2.1": {"level": "NONE"}}}, "by_key.2.1.level", "must be one of ONE, TWO",
                     id="object-key-path"),
        pytest.param({**OK, "code": "a1"}, "code", "must be a letter and a digit, like A1", id="pattern"),
        pytest.param([], "", "must be a JSON object", id="not-an-object"),
        pytest.param(None, "", "must not be null", id="null-request"),
        pytest.param("{nope", "", "must be valid JSON", id="bad-json-text"),
    ],
)
def test_errors_name_the_field_and_say_what_is_wrong(data: Any, field: str, message: str) -> None:
    assert error(data) == (field, message)


def test_valid_requests_read_codes_dates_and_defaults() -> None:
    model = parse(Outer, {**OK, "code": "B2", "inner": {"level": "TWO", "hours": 3}})
    assert model.when == dt.date(2026, 11, 27)
    assert model.inner is not None and model.inner.level is Level.TWO and model.inner.count == 0
    assert model.items == [] and model.flag is False


def test_json_text_is_read_the_same_way() -> None:
    request = {**OK, "inner": {"level": "ONE"}}
    assert parse(Outer, json.dumps(request)) == parse(Outer, request)
    with pytest.raises(ContractError) as caught:
        parse(Outer, json.dumps({**OK, "inner": {"level": "ONE", "hours": "1"}}))
    assert (caught.value.field, caught.value.message) == ("inner.hours", "must be a number")


def test_models_are_frozen() -> None:
    model = parse(Outer, OK)
    with pytest.raises(ValidationError):
        model.flag = True  # type: ignore[misc]


def test_contract_error_takes_the_first_problem() -> None:
    with pytest.raises(ValidationError) as caught:
        Outer.model_validate({"when": "x", "flag": 3})
    assert str(contract_error(caught.value)) == "when: must be a real date in the form YYYY-MM-DD"


def test_the_handler_parses_runs_and_dumps_with_options() -> None:
    assert handle({**OK, "inner": {"level": "ONE"}}) == {"when": "2026-11-27", "level": "ONE"}
    assert handle(OK, level=Level.TWO) == {"when": "2026-11-27", "level": "TWO"}
    assert (handle.request_model, handle.response_model) == (Outer, Answer)
    assert dump(Answer(when=dt.date(2026, 1, 2), level=None)) == {"when": "2026-01-02", "level": None}


def test_the_schema_shows_dates_codes_patterns_and_refuses_extra_fields() -> None:
    schema = Outer.model_json_schema()
    assert schema["additionalProperties"] is False
    assert schema["properties"]["when"] == {"format": "date", "title": "When", "type": "string"}
    assert schema["$defs"]["Level"]["enum"] == ["ONE", "TWO"]
    code = schema["properties"]["code"]["anyOf"][0]
    assert (code["pattern"], code["examples"]) == ("^(?:[A-Z][0-9])$", ["A1"])


@given(json_values)
def test_arbitrary_json_gives_a_model_or_a_contract_error(value: Any) -> None:
    try:
        parse(Outer, value)
    except ContractError as exc:
        assert exc.message


@pytest.mark.parametrize("name", registry.names())
def test_every_registered_contract_is_a_contract_handler(name: str) -> None:
    handler = registry.handler(name)
    assert isinstance(handler, ContractHandler)
    assert issubclass(handler.request_model, ContractModel) and issubclass(handler.response_model, ContractModel)
    assert handler.request_model.model_config["extra"] == "forbid"
    assert handler.request_model.model_config["strict"] is True
