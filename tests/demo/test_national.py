"""``casework generate``: the fast writers build exactly the world the demo builder builds."""

from __future__ import annotations

import dataclasses
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from casework.demo.builder import build_world
from casework.demo.national import build_world_fast
from casework.demo.scale import NATIONAL, REGION, SMALL
from casework.demo.stages import STAGES
from casework.demo.world import delete_world
from casework.record.models import Case, Contact, TierCalculation
from casework.record.services import tier_recalculate_all
from tests.demo.test_builder import NOW, TODAY, snapshot

pytestmark = pytest.mark.django_db


def test_fast_writers_build_the_same_world_as_bulk_create():
    build_world(scale=SMALL, now=NOW)
    expected = snapshot()
    delete_world()
    build_world_fast(scale=SMALL, now=NOW, progress=False, log=lambda line: None)
    assert snapshot() == expected


def fast(**options):
    return build_world_fast(scale=SMALL, now=NOW, progress=False, **{"log": lambda line: None, **options})


def orm(**options):
    return build_world(scale=SMALL, now=NOW, **options)


@pytest.mark.parametrize("build", [orm, fast])
def test_tiers_computed_in_memory_match_the_tiering_service(build):
    build()
    assert TierCalculation.objects.count() == Case.objects.count()
    assert tier_recalculate_all(as_of=TODAY, trigger="check") == 0  # nothing changes


def test_both_writers_run_the_same_stages_in_the_same_order():
    """The demo builder and the generator differ only in writing: the same stages, the same counts."""
    orm_lines, fast_lines = [], []
    orm_report = orm(log=orm_lines.append)
    fast_report = fast(log=fast_lines.append, reset=True)

    order = [stage.name for stage in STAGES]
    orm_ran, fast_ran = [name for name, _ in orm_report.timings], [name for name, _ in fast_report.timings]
    # nothing to reset, sequence or analyse
    assert orm_ran == ["Organisation", "People", "Limited access", "Workload", "Recalls"]
    # Sequences only where the database has them to reset (PostgreSQL); statistics after the commit.
    assert [name for name in order if name != "Sequences"] == [name for name in fast_ran if name != "Sequences"]
    assert fast_ran == [name for name in order if name in fast_ran]
    assert orm_report.counts == fast_report.counts and orm_report.counts["people"] == SMALL.people

    def said(lines, stage):  # a stage's log line without its timing
        return [line.rsplit(" (", 1)[0] for line in lines if line.strip().startswith(stage)]

    for stage in ("Organisation", "Limited access", "Workload", "Recalls"):
        assert said(orm_lines, stage) == said(fast_lines, stage) != []


def test_fast_writers_record_contacts_when_they_happen():
    fast()
    recorded = list(Contact.objects.values_list("starts_at", "created_at"))
    assert any(starts_at > NOW for starts_at, _ in recorded)
    assert all(created_at == min(starts_at, NOW) for starts_at, created_at in recorded)


def test_new_records_after_a_fast_build_get_fresh_ids():
    build_world_fast(scale=SMALL, now=NOW, progress=False, log=lambda line: None)
    case = Case.objects.first()
    contact = Contact.objects.create(case=case, kind="CASE_NOTE", starts_at=NOW)
    assert contact.pk > Contact.objects.exclude(pk=contact.pk).order_by("-pk").first().pk


def test_benchmark_subjects_are_built_deterministically():
    scale = dataclasses.replace(SMALL, po_caseload=6, heavy_case_contacts=120)
    build_world_fast(scale=scale, now=NOW, progress=False, log=lambda line: None)
    held = Case.objects.filter(manager__user__username="po", status=Case.Status.CURRENT)
    assert held.count() == 6
    assert max(held.annotate(n=Count("contacts")).values_list("n", flat=True)) == 120


def test_national_shape_matches_scale_md():
    teams = NATIONAL.regions * NATIONAL.pdus_per_region * NATIONAL.teams_per_pdu
    practitioners = teams * (1 + sum(n for _, n in NATIONAL.team_make_up))
    assert NATIONAL.people == 245_000 and NATIONAL.regions == 12
    assert 100 <= NATIONAL.regions * NATIONAL.pdus_per_region <= 120
    assert 850 <= teams <= 950
    assert 10_000 <= practitioners <= 12_000
    assert round(NATIONAL.people * NATIONAL.unallocated_share) == 15_000
    assert REGION.people * 12 == pytest.approx(NATIONAL.people, rel=0.01)


def test_generate_refuses_a_world_of_another_size():
    build_world_fast(scale=SMALL, now=NOW, progress=False, log=lambda line: None)
    with pytest.raises(CommandError, match="--reset"):
        call_command("generate", "--scale", "region", stdout=io.StringIO())


def test_generating_in_a_second_process_builds_the_same_world_as_in_this_one():
    build_world_fast(scale=SMALL, now=NOW, progress=False, log=lambda line: None, pipeline=False)
    expected = snapshot()
    delete_world()
    build_world_fast(scale=SMALL, now=NOW, progress=False, log=lambda line: None, pipeline=True)
    assert snapshot() == expected


def test_a_failure_in_the_generating_process_is_reported_and_nothing_is_kept(monkeypatch):
    from casework.demo import generator

    def broken(self, out):
        raise ValueError("generator broke")

    monkeypatch.setattr(generator.PeopleGenerator, "_person", broken)
    with pytest.raises(RuntimeError, match="generator broke"):
        build_world_fast(scale=SMALL, now=NOW, progress=False, log=lambda line: None)
    assert not Case.objects.exists()


def test_reductions_are_generated_with_the_staff():
    from casework.workforce.models import Reduction

    build_world_fast(scale=SMALL, now=NOW, progress=False, log=lambda line: None)
    assert Reduction.objects.exists()
    assert all(not r.problems() for r in Reduction.objects.select_related("staff"))
