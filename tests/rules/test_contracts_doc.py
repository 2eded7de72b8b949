"""docs/contracts.md is true: its examples are real answers and it names every field of every contract."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from casework.rules import registry
from casework.rules.cli import answer

DOC = Path(__file__).resolve().parents[2] / "docs" / "contracts.md"
SECTION = re.compile(r"^## `casework rules ([a-z-]+)`$", re.MULTILINE)
BLOCK = re.compile(r"^```json (request|response)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def sections() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    found = list(SECTION.finditer(text))
    ends = [m.start() for m in found[1:]] + [text.index("\n## Not yet live")]
    return {m.group(1): text[m.end():end] for m, end in zip(found, ends, strict=True)}


def examples() -> list[Any]:
    pairs = []
    for name, body in sections().items():
        blocks = BLOCK.findall(body)
        kinds = [kind for kind, _ in blocks]
        assert kinds == ["request", "response"] * (len(blocks) // 2), f"{name}: unpaired example blocks"
        for index in range(0, len(blocks), 2):
            request, response = json.loads(blocks[index][1]), json.loads(blocks[index + 1][1])
            pairs.append(pytest.param(name, request, response, id=f"{name}-{index // 2}"))
    return pairs


def test_every_live_contract_has_a_section_and_nothing_else_does() -> None:
    assert sorted(sections()) == registry.names()


def test_every_contract_has_a_worked_example_and_an_error_example() -> None:
    for name, body in sections().items():
        responses = [json.loads(text) for kind, text in BLOCK.findall(body) if kind == "response"]
        assert any("error" not in r for r in responses), name
        assert any("error" in r for r in responses), name


@pytest.mark.parametrize(("name", "request_", "response"), examples())
def test_documented_examples_are_the_real_answers(name: str, request_: Any, response: Any) -> None:
    got, ok = answer(name, json.dumps(request_))
    assert got == response
    assert ok is ("error" not in response)


def _field_names(model: type[BaseModel], seen: set[type]) -> set[str]:
    """Every field name of ``model`` and of the models inside it."""
    if model in seen:
        return set()
    seen.add(model)
    names = set()
    for name, field in model.model_fields.items():
        names.add(name)
        for inner in _models_in(field.annotation):
            names |= _field_names(inner, seen)
    return names


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in getattr(annotation, "__args__", ()) for m in _models_in(arg)]


@pytest.mark.parametrize("name", registry.names())
def test_every_request_and_response_field_is_documented(name: str) -> None:
    body = sections()[name]
    handler = registry.handler(name)
    names = _field_names(handler.request_model, set()) | _field_names(handler.response_model, set())
    undocumented = sorted(n for n in names if f"`{n}`" not in body and not re.search(rf"\b{re.escape(n)}\b", body))
    assert undocumented == []
