"""The record's enumerations hold exactly the codes the rule engines use, wherever both have one.

The record stores codes (``TextChoices``) and the engines read them (``StrEnum``): a code added to
one and not the other would reach an engine as an error, or never be stored. These tests hold each
pair equal, member for member and in the same order.
"""

from __future__ import annotations

from enum import Enum

import pytest
from django.db import models

from casework.record import choices
from casework.record.reference.registration_types import REGISTRATION_TYPES
from casework.rules import contacts, enforcement, sampling, sentences, supervision, tiering, workload
from casework.supervision.choices import CaseEventType
from casework.workforce.models import Grade, ReductionReason


def _codes(enum: type[Enum]) -> list[str]:
    return [str(member.value) for member in enum]


PAIRS = [
    pytest.param(choices.Gender, tiering.Gender, id="gender-tiering"),
    pytest.param(choices.Gender, sampling.Gender, id="gender-sampling"),
    pytest.param(choices.RiskLevel, tiering.Rosh, id="rosh-tiering"),
    pytest.param(choices.RiskLevel, sampling.Rosh, id="rosh-sampling"),
    pytest.param(choices.Need, tiering.Need, id="needs"),
    pytest.param(choices.NeedSeverity, tiering.NeedSeverity, id="need-severity"),
    pytest.param(choices.DcSrpBand, tiering.DcSrpBand, id="dc-srp-band"),
    pytest.param(choices.SentenceKind, sentences.SentenceKind, id="sentence-kind"),
    pytest.param(choices.RequirementKind, sentences.RequirementKind, id="requirement-kind"),
    pytest.param(choices.ContactKind, contacts.ContactKind, id="contact-kind"),
    pytest.param(choices.ContactOutcome, contacts.ContactOutcome, id="contact-outcome"),
    pytest.param(ReductionReason, workload.ReductionReason, id="reduction-reason"),
    pytest.param(CaseEventType, supervision.RiskEventType, id="case-event-type"),
]


@pytest.mark.parametrize(("record", "engine"), PAIRS)
def test_record_and_engine_enumerations_have_the_same_codes_in_the_same_order(
    record: type[models.TextChoices], engine: type[Enum]
) -> None:
    assert _codes(record) == _codes(engine)


@pytest.mark.parametrize(("record", "engine"), PAIRS)
def test_every_record_code_is_read_by_the_engine_as_itself(
    record: type[models.TextChoices], engine: type[Enum]
) -> None:
    for member in record:
        assert engine(member.value).value == member.value


def test_risk_level_rank_is_the_tiering_order() -> None:
    assert [choices.RiskLevel.rank(level) for level in choices.RiskLevel] == [
        tiering.Rosh(level).rank + 1 for level in choices.RiskLevel
    ]


def test_practitioner_grades_are_the_workload_grades() -> None:
    assert [grade.value for grade in Grade.practitioner_grades()] == _codes(workload.Grade)


def test_reduction_reason_labels_are_the_engines() -> None:
    assert ReductionReason.labels == [workload.REDUCTION_REASONS[r].label for r in workload.ReductionReason]


def test_seeded_registration_types_are_the_tier_rules_codes() -> None:
    assert sorted(code for code, _name, _group, _weeks in REGISTRATION_TYPES) == sorted(_codes(tiering.Registration))


def test_seeded_registration_groups_are_record_groups() -> None:
    assert {group for _code, _name, group, _weeks in REGISTRATION_TYPES} <= set(choices.RegistrationGroup.values)


def test_appointments_and_failures_to_comply_are_contact_codes() -> None:
    assert set(contacts.ContactKind) > contacts.APPOINTMENT_KINDS
    assert set(contacts.ContactOutcome) > contacts.FAILURES_TO_COMPLY
    assert set(sentences.RequirementKind) > sentences.REHABILITATIVE
    assert set(sentences.SentenceKind) > sentences.CUSTODIAL_KINDS


def test_the_enforcement_contract_reads_every_record_outcome_and_counts_the_failures() -> None:
    # The enforcement engine takes the record's outcome codes as they are stored.
    for outcome in choices.ContactOutcome:
        body = {"as_of": "2026-05-10", "kind": "LICENCE",
                "contacts": [{"date": "2026-05-01", "outcome": outcome.value}]}
        assert enforcement.handle(body)["failures_last_12_months"] == int(outcome.value in contacts.FAILURES_TO_COMPLY)
