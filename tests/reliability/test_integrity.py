"""``casework check-integrity``: the record's invariants. A clean demo world has no violations; each planted
violation (written with raw SQL, as a bad restore or a repair by hand would) is reported with its ids."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from casework.core import integrity
from casework.demo.builder import build_world
from casework.demo.scale import SMALL
from casework.enforcement.models import EnforcementSignal
from casework.record.models import Assignment, Case, Sentence, TierCalculation
from casework.safeguards.models import SafeguardTask

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 27, 11, 30, tzinfo=dt.UTC)


@pytest.fixture
def world(db):
    build_world(scale=SMALL, now=NOW)


def violations(check) -> list[str]:
    return [v.message for v in check(integrity.Notes())]


def sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@contextlib.contextmanager
def orphaned(task: SafeguardTask, case_id: int):
    """The task pointed at a case that does not exist, put back before the test's end checks foreign keys."""
    sql("UPDATE safeguards_safeguardtask SET case_id = %s WHERE id = %s", [case_id, task.pk])
    try:
        yield
    finally:
        sql("UPDATE safeguards_safeguardtask SET case_id = %s WHERE id = %s", [task.case_id, task.pk])


def test_a_clean_demo_world_has_no_violations(world, capsys):
    assert Case.objects.exists() and TierCalculation.objects.exists() and SafeguardTask.objects.exists()
    call_command("check_integrity")
    out = capsys.readouterr().out
    assert out.rstrip().endswith(f"{len(integrity.CHECKS)} checks, no violations.")
    assert "calculations rerun" in out


def test_two_current_case_managers_are_reported(world):
    held = Assignment.objects.filter(end__isnull=True).select_related("case").first()
    other = Assignment.objects.exclude(staff=held.staff).first()
    sql("DROP INDEX one_open_assignment_per_case", [])  # what a restore without the constraint would allow
    sql("INSERT INTO record_assignment (case_id, staff_id, team_id, start, reason, notes) "
        "SELECT case_id, %s, team_id, start, reason, notes FROM record_assignment WHERE id = %s",
        [other.staff_id, held.pk])
    found = violations(integrity.one_current_case_manager)
    assert found == [f"case {held.case.crn} (id {held.case_id}) has 2 current case managers (staff ids "
                     f"{held.staff_id}, {other.staff_id})"]


def test_a_case_manager_without_the_assignment_is_reported(world):
    case = Case.objects.filter(manager__isnull=False).first()
    other = Assignment.objects.exclude(staff_id=case.manager_id).first().staff_id
    sql("UPDATE record_case SET manager_id = %s WHERE id = %s", [other, case.pk])
    found = violations(integrity.case_manager_matches_assignment)
    assert len(found) == 1 and found[0].startswith(f"case {case.crn} (id {case.pk}) names staff {other}")


def test_a_tier_its_inputs_do_not_give_is_reported(world):
    calc = TierCalculation.objects.exclude(tier_single="A").select_related("case").first()
    sql("UPDATE record_tiercalculation SET tier_single = 'A' WHERE id = %s", [calc.pk])
    found = violations(integrity.tiers_reproducible)
    assert found == [f"tier calculation {calc.pk} of case {calc.case.crn} stores {calc.tier or '(none)'} / A; its "
                     f"inputs give {calc.tier or '(none)'} / {calc.tier_single}"]
    # The case shows the latest calculation's tier: now different from what the calculation stores.
    assert any(calc.case.crn in message for message in violations(integrity.case_tier_matches_latest_calculation))


def test_stored_inputs_the_engine_refuses_are_reported(world):
    calc = TierCalculation.objects.first()
    sql("UPDATE record_tiercalculation SET inputs = %s WHERE id = %s", ['{"as_of": "yesterday"}', calc.pk])
    found = violations(integrity.tiers_reproducible)
    assert len(found) == 1 and f"tier calculation {calc.pk} " in found[0] and "refused by the engine" in found[0]


def test_a_calculation_by_another_rules_version_is_counted_not_rerun(world):
    calc = TierCalculation.objects.first()
    sql("UPDATE record_tiercalculation SET rules_version = 'tier-1999.1', tier_single = 'A' WHERE id = %s", [calc.pk])
    notes = integrity.Notes()
    assert list(integrity.tiers_reproducible(notes)) == []
    assert "1 calculations made by another rules version" in notes.lines[-1]


def test_a_task_without_its_case_is_reported(world):
    task = SafeguardTask.objects.first()
    missing = Case.objects.order_by("-pk").first().pk + 1000
    with orphaned(task, missing):
        found = violations(integrity.no_record_without_its_parent)
    assert found == [f"safeguards.SafeguardTask {task.pk}: its case (record.Case {missing}) does not exist"]


def test_every_reference_to_a_case_and_every_derived_reference_is_checked():
    checked = {(model._meta.label, fk.name) for model, fk in integrity.checked_references()}
    assert {("safeguards.SafeguardTask", "case"), ("enforcement.EnforcementSignal", "case"),
            ("allocation.AllocationDecision", "case"), ("record.Assignment", "case"), ("recall.Recall", "case"),
            ("enforcement.EnforcementSignal", "decision"), ("allocation.ProposalLine", "proposal")} <= checked


def test_a_signal_on_another_cases_sentence_is_reported(world):
    signal = EnforcementSignal.objects.select_related("case").first()
    if signal is None:
        pytest.skip("the demo world has no enforcement signal")
    other = Sentence.objects.exclude(case=signal.case).select_related("case").first()
    sql("UPDATE enforcement_enforcementsignal SET sentence_id = %s WHERE id = %s", [other.pk, signal.pk])
    found = violations(integrity.sentence_belongs_to_the_case)
    assert found == [f"enforcement.EnforcementSignal {signal.pk} of case {signal.case.crn} names sentence {other.pk}, "
                     f"which is case {other.case.crn}'s"]


def test_the_command_prints_each_violation_and_exits_1(world, capsys):
    task = SafeguardTask.objects.first()
    with orphaned(task, 10**9), pytest.raises(CommandError, match="1 violations") as exc:
        call_command("check_integrity")
    assert exc.value.returncode == 1
    out = capsys.readouterr().out
    assert f"no_record_without_its_parent: safeguards.SafeguardTask {task.pk}: its case" in out
    assert "no_record_without_its_parent: 1 violations" in out
