"""The record's invariants, checked over the whole database (``casework check-integrity``).

Each check is a function yielding ``Violation``s, reading in batches or letting the database do the
work (anti-joins, grouped counts), so memory stays bounded at national scale. The database's own
constraints already hold most of these for rows written through Casework; the checks are for data
that did not come that way (a restore, a repair by hand, a migration gone wrong, tampering).

- ``one_current_case_manager``: at most one open case-manager assignment per case.
- ``case_manager_matches_assignment``: the case's current manager is its open assignment's member of
  staff (the case row denormalises the assignment history).
- ``tiers_reproducible``: every stored tier calculation gives the same tier when its stored inputs are
  run through the tiering engine again (calculations made by another rules version are counted, not
  rerun).
- ``case_tier_matches_latest_calculation``: a case's tier is its latest calculation's.
- ``no_record_without_its_parent``: no row refers to a case (or, in the derived apps: safeguard tasks,
  enforcement, allocation, recall, supervision, a sentence, decision, proposal …) that does not exist.
- ``sentence_belongs_to_the_case``: a row with both a case and a sentence names the case's own sentence.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery

from casework.record.models import Assignment, Case, TierCalculation
from casework.record.tiers import tier_outcome
from casework.rules import tiering

BATCH = 2000
# Apps whose every reference is checked; elsewhere only references to a case.
DERIVED_APPS = ("safeguards", "enforcement", "allocation", "recall", "supervision")


@dataclass(frozen=True)
class Violation:
    check: str
    message: str

    def __str__(self) -> str:
        return f"{self.check}: {self.message}"


@dataclass
class Notes:
    """What a run noticed that is not a violation (e.g. calculations left unchecked, and why)."""

    lines: list[str] = field(default_factory=list)


Check = Callable[[Notes], Iterator[Violation]]


def one_current_case_manager(notes: Notes) -> Iterator[Violation]:
    rows = (Assignment.objects.filter(end__isnull=True).values("case_id").annotate(n=Count("id"))
            .filter(n__gt=1).order_by("case_id"))
    for row in rows.iterator(chunk_size=BATCH):
        crn = Case.objects.filter(pk=row["case_id"]).values_list("crn", flat=True).first() or "(no case)"
        staff = list(Assignment.objects.filter(case_id=row["case_id"], end__isnull=True)
                     .order_by("start", "pk").values_list("staff_id", flat=True))
        yield Violation("one_current_case_manager",
                        f"case {crn} (id {row['case_id']}) has {row['n']} current case managers (staff ids "
                        f"{', '.join(map(str, staff))})")


def case_manager_matches_assignment(notes: Notes) -> Iterator[Violation]:
    open_staff = Assignment.objects.filter(case_id=OuterRef("pk"), end__isnull=True).order_by("-start")
    cases = (Case.objects.annotate(open_staff=Subquery(open_staff.values("staff_id")[:1]))
             .filter(Q(manager__isnull=True, open_staff__isnull=False)
                     | Q(manager__isnull=False, open_staff__isnull=True)
                     | (Q(manager__isnull=False, open_staff__isnull=False) & ~Q(manager_id=F("open_staff"))))
             .order_by("pk").values("pk", "crn", "manager_id", "open_staff"))
    for case in cases.iterator(chunk_size=BATCH):
        yield Violation("case_manager_matches_assignment",
                        f"case {case['crn']} (id {case['pk']}) names staff {case['manager_id']} as its case "
                        f"manager but its open assignment is to staff {case['open_staff']}")


def _batches(queryset, fields: tuple[str, ...]) -> Iterator[list[dict]]:
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).order_by("pk").values("pk", *fields)[:BATCH])
        if rows:
            yield rows
        if len(rows) < BATCH:
            return
        last = rows[-1]["pk"]


def tiers_reproducible(notes: Notes) -> Iterator[Violation]:
    other_versions = checked = 0
    fields = ("case_id", "case__crn", "rules_version", "tier", "tier_single", "inputs")
    for rows in _batches(TierCalculation.objects.all(), fields):
        for row in rows:
            if row["rules_version"] != tiering.RULES_VERSION:
                other_versions += 1
                continue
            checked += 1
            where = f"tier calculation {row['pk']} of case {row['case__crn'] or row['case_id']}"
            try:
                tier, single, _, _ = tier_outcome(row["inputs"])
            except Exception as exc:  # the stored inputs no longer make a valid request
                yield Violation("tiers_reproducible", f"{where}: its stored inputs are refused by the engine: {exc}")
                continue
            if (tier, single) != (row["tier"], row["tier_single"]):
                yield Violation("tiers_reproducible",
                                f"{where} stores {row['tier'] or '(none)'} / {row['tier_single']}; its inputs give "
                                f"{tier or '(none)'} / {single}")
    notes.lines.append(f"tiers_reproducible: {checked:,} calculations rerun")
    if other_versions:
        notes.lines.append(f"tiers_reproducible: {other_versions:,} calculations made by another rules version "
                           f"than {tiering.RULES_VERSION} were not rerun")


def case_tier_matches_latest_calculation(notes: Notes) -> Iterator[Violation]:
    latest = TierCalculation.objects.filter(case_id=OuterRef("pk")).order_by("-calculated_at", "-id")
    cases = (Case.objects.filter(Exists(latest))
             .annotate(calc_tier=Subquery(latest.values("tier")[:1]),
                       calc_single=Subquery(latest.values("tier_single")[:1]))
             .filter(~Q(tier=F("calc_tier")) | ~Q(tier_single=F("calc_single")))
             .order_by("pk").values("pk", "crn", "tier", "tier_single", "calc_tier", "calc_single"))
    for case in cases.iterator(chunk_size=BATCH):
        yield Violation("case_tier_matches_latest_calculation",
                        f"case {case['crn']} (id {case['pk']}) shows tier {case['tier'] or '(none)'} / "
                        f"{case['tier_single']}; its latest calculation says {case['calc_tier'] or '(none)'} / "
                        f"{case['calc_single']}")


def checked_references() -> Iterator[tuple[type[models.Model], models.ForeignKey]]:
    """Every reference to a case, and every reference made by a derived app's rows."""
    for model in apps.get_models():
        if not model.__module__.startswith("casework.") or model._meta.proxy or not model._meta.managed:
            continue
        for fk in model._meta.concrete_fields:
            if not isinstance(fk, models.ForeignKey):
                continue
            if fk.related_model is Case or model._meta.app_label in DERIVED_APPS:
                yield model, fk


def no_record_without_its_parent(notes: Notes) -> Iterator[Violation]:
    for model, fk in checked_references():
        target = fk.related_model
        dangling = (model._base_manager.filter(**{f"{fk.attname}__isnull": False})
                    .filter(~Exists(target._base_manager.filter(pk=OuterRef(fk.attname))))
                    .order_by("pk").values_list("pk", fk.attname))
        for pk, missing in dangling.iterator(chunk_size=BATCH):
            yield Violation("no_record_without_its_parent",
                            f"{model._meta.label} {pk}: its {fk.name} ({target._meta.label} {missing}) does not exist")


def sentence_belongs_to_the_case(notes: Notes) -> Iterator[Violation]:
    for model in apps.get_models():
        names = {f.name: f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)}
        case, sentence = names.get("case"), names.get("sentence")
        if not model.__module__.startswith("casework.") or case is None or sentence is None:
            continue
        if case.related_model is not Case or sentence.related_model._meta.label != "record.Sentence":
            continue
        wrong = (model._base_manager.filter(sentence__isnull=False).exclude(sentence__case_id=F("case_id"))
                 .order_by("pk").values_list("pk", "case__crn", "sentence_id", "sentence__case__crn"))
        for pk, crn, sentence_id, other in wrong.iterator(chunk_size=BATCH):
            yield Violation("sentence_belongs_to_the_case",
                            f"{model._meta.label} {pk} of case {crn} names sentence {sentence_id}, which is case "
                            f"{other}'s")


CHECKS: tuple[Check, ...] = (one_current_case_manager, case_manager_matches_assignment, tiers_reproducible,
                             case_tier_matches_latest_calculation, no_record_without_its_parent,
                             sentence_belongs_to_the_case)


@dataclass
class Run:
    violations: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    notes: Notes = field(default_factory=Notes)

    @property
    def total(self) -> int:
        return sum(self.violations.values())


def check_all(report: Callable[[Violation], None], checks: tuple[Check, ...] = CHECKS) -> Run:
    """Run every check, passing each violation to ``report`` as it is found; returns the counts."""
    run = Run()
    for check in checks:
        started, count = time.monotonic(), 0
        for violation in check(run.notes):
            count += 1
            report(violation)
        run.violations[check.__name__] = count
        run.seconds[check.__name__] = time.monotonic() - started
    return run
