"""``casework.demo.instances.instance`` makes the same unsaved instance ``Model(**values)`` does."""

from __future__ import annotations

import datetime as dt

import pytest

from casework.demo.instances import instance
from casework.record.models import Case, Contact, Registration, Sentence, TierCalculation
from tests.factories import UnallocatedCaseFactory


def state(obj) -> tuple[dict, dict, bool]:
    values = {k: v for k, v in obj.__dict__.items() if k != "_state"}
    return values, dict(obj._state.fields_cache), obj._state.adding


@pytest.mark.django_db
@pytest.mark.parametrize("model, values", [
    (Sentence, {"kind": "CO", "status": "COMMUNITY", "sentence_date": dt.date(2026, 1, 5), "length_months": 12}),
    (Contact, {"kind": "CASE_NOTE", "starts_at": dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC), "notes": "Seen."}),
    (Registration, {"start_date": dt.date(2025, 6, 1), "level": None}),
    (TierCalculation, {"tier": "B2", "inputs": {"a": 1}, "result": {}}),
])
def test_the_same_instance_as_the_model_constructor(model, values):
    case = UnallocatedCaseFactory()
    values = {"case": case, **values}
    made, expected = instance(model, **values), model(**values)
    assert state(made) == state(expected)
    assert made.case_id == case.pk and made.case is case


def test_a_related_record_not_yet_numbered_is_kept_for_the_writer():
    case = Case(crn="X000001")
    made = instance(Sentence, case=case, kind="CO")
    assert made.case_id is None and made._state.fields_cache["case"] is case


def test_callable_defaults_are_made_afresh_for_each_instance():
    first, second = instance(TierCalculation), instance(TierCalculation)
    assert first.inputs == TierCalculation().inputs
    if isinstance(first.inputs, dict):
        assert first.inputs is not second.inputs


def test_an_unknown_field_is_refused_as_the_constructor_would():
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        instance(Case, colour="blue")
