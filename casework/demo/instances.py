"""Unsaved model instances made without ``Model.__init__``: the generators make millions of them.

``Model.__init__`` walks every field, pops keyword arguments, sends the ``pre_init``/``post_init``
signals and assigns each foreign key through its descriptor. For a generator building ten
million records that is about a third of the build. ``instance(Model, **values)`` gives an instance in
the same state ``Model(**values)`` would (every field's default, the values given, foreign keys as
both the ``*_id`` attribute and the cached related object, ``_state.adding`` true), in a fraction
of the time. The instances are only ever written (``bulk_create`` or the row writers in
``casework.demo.national``), which read the same attributes; no model here listens to the init
signals. ``tests/demo/test_instances.py`` holds the equivalence.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.db.models.base import ModelState

M = TypeVar("M", bound=models.Model)


class Constructor:
    """Makes instances of one model; built once per model (see ``instance``)."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.static: dict[str, Any] = {}
        self.callables: list[tuple[str, Any]] = []
        self.relations: dict[str, str] = {}  # foreign key name -> its attname
        for f in model._meta.concrete_fields:
            if f.generated:  # pragma: no cover - no generated fields in the generated models
                continue
            if f.is_relation:
                self.relations[f.name] = f.attname
            if f.has_default() and callable(f.default):
                self.callables.append((f.attname, f.default))
            else:
                self.static[f.attname] = f.get_default()
        self.names = frozenset(self.static) | {a for a, _ in self.callables} | frozenset(self.relations)

    def __call__(self, **values: Any) -> models.Model:
        obj = self.model.__new__(self.model)
        state = obj._state = ModelState()
        d = obj.__dict__
        d.update(self.static)
        for attname, make in self.callables:
            d[attname] = make()
        cache = state.fields_cache
        relations = self.relations
        for key, value in values.items():
            attname = relations.get(key)
            if attname is not None:
                d[attname] = None if value is None else value.pk
                cache[key] = value
            elif key in self.names:
                d[key] = value
            else:
                raise TypeError(f"{self.model.__name__}() got an unexpected keyword argument '{key}'")
        return obj


_CONSTRUCTORS: dict[type[models.Model], Constructor] = {}


def instance(model: type[M], /, **values: Any) -> M:
    """``model(**values)``, without ``Model.__init__``'s per-field work (see the module docstring)."""
    constructor = _CONSTRUCTORS.get(model)
    if constructor is None:
        constructor = _CONSTRUCTORS[model] = Constructor(model)
    return constructor(**values)  # type: ignore[return-value]
