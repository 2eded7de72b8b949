"""An exercise's results: key question percentages, standard ratings and the overall rating from the rating
engine, and the same by practitioner grade, workload band, RoSH and team (or PDU, or region).

What counts, and under which groups, is ``casework.quality.tally``, whose counts the services keep as they
write: the results read them in one query however many cases were assessed. Everything else is arithmetic on
those counts, and the ratings come from ``casework.rules.rating`` only.

A group with fewer than ``SMALL_GROUP`` cases is flagged "too few to read" (our reading: rules.md gives
no threshold; percentages of a handful of cases swing by tens of points on one case).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from casework.organisation.models import Pdu, Region, Team
from casework.quality import tally
from casework.quality.choices import (
    BREAKDOWN_GRADES,
    Answer,
    AssessmentStatus,
    SampleRole,
    WorkloadBand,
)
from casework.quality.models import AnswerRow, Exercise, StandardOverride, StandardRating, Tally
from casework.record.choices import RiskLevel
from casework.rules import rating as engine
from casework.rules.contract import ContractError
from casework.ruleset import selectors as ruleset
from casework.workforce.models import Grade

SMALL_GROUP = 10

DIMENSIONS = tally.DIMENSIONS
DIMENSION_TITLES = {
    "grade": "By practitioner grade",
    "band": "By the practitioner's workload when sampled",
    "rosh": "By risk of serious harm",
}


@dataclass(frozen=True)
class QuestionResult:
    standard: str
    key: str
    text: str
    sufficient: int
    applicable: int
    not_applicable: int

    @property
    def percent(self) -> int | None:
        return engine.key_question_percentage(self.sufficient, self.applicable)


@dataclass
class StandardView:
    key: str
    title: str
    kind: str
    assessed: bool  # case by case in this exercise
    questions: list[QuestionResult] = field(default_factory=list)
    rating: str | None = None
    computed_rating: str | None = None
    lowest: str | None = None
    overridden: bool = False
    override_reason: str = ""
    entered_evidence: str = ""
    unrated_reason: str = ""

    @property
    def lowest_percent(self) -> int | None:
        return next((q.percent for q in self.questions if q.key == self.lowest), None)


@dataclass(frozen=True)
class GroupResult:
    key: str
    label: str
    cases: int
    standards: dict[str, dict[str, QuestionResult]]  # standard → key question → counts
    ratings: dict[str, tuple[str | None, int | None]]  # standard → (rating, lowest %), None when unrated

    @property
    def too_small(self) -> bool:
        return self.cases < SMALL_GROUP


@dataclass(frozen=True)
class Breakdown:
    dimension: str
    title: str
    groups: list[GroupResult]


@dataclass(frozen=True)
class ProposalUse:
    standard: str
    key: str
    proposed: int  # answers where the record proposed one
    kept: int  # the assessor's answer was the proposal
    changed_to: dict[str, int]  # proposal → the assessor's different answer, counted

    @property
    def changed(self) -> int:
        return self.proposed - self.kept


@dataclass
class Results:
    exercise: Exercise
    framework: engine.Framework
    cases: int
    standards: list[StandardView]
    overall: str | None
    score: int
    max_score: int
    missing: tuple[str, ...]
    unverified_rules: tuple[str, ...]
    rules_version: str
    breakdowns: list[Breakdown]
    proposals: list[ProposalUse]
    moderated: int
    moderation_changes: int
    error: str = ""

    @property
    def proposals_made(self) -> int:
        return sum(p.proposed for p in self.proposals)

    @property
    def proposals_changed(self) -> int:
        return sum(p.changed for p in self.proposals)


def counted_answers(exercise: Exercise):
    """The answer rows that count (``casework.quality.tally``): submitted assessments of cases in the sample."""
    return AnswerRow.objects.filter(assessment__exercise=exercise, assessment__status=AssessmentStatus.SUBMITTED,
                                    assessment__sampled_case__role=SampleRole.SAMPLE)


UNIT_TITLES = {"team": "By team", "pdu": "By PDU", "region": "By region"}


def _group_labels(exercise: Exercise, unit_ids: set[str]) -> dict[str, dict[str, str]]:
    level = tally.unit_level(exercise)
    model = {"team": Team, "pdu": Pdu, "region": Region}[level]
    ids = [int(u) for u in unit_ids if u.isdigit()]
    units = dict(model.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    grades = {g: Grade(g).short for g in BREAKDOWN_GRADES}
    return {
        "grade": {**grades, "OTHER": "Other grades"},
        "band": {b.value: b.label for b in WorkloadBand},
        "rosh": {**{r.value: r.label for r in RiskLevel}, "": "Not assessed"},
        "unit": {**{str(k): v for k, v in units.items()}, "": "No team"},
    }


def _order(dimension: str, labels: dict[str, str], keys) -> list[str]:
    if dimension == "grade":
        fixed = [*BREAKDOWN_GRADES, "OTHER"]
    elif dimension == "band":
        fixed = [b.value for b in WorkloadBand]
    elif dimension == "rosh":
        fixed = [*(r.value for r in RiskLevel), ""]
    else:
        return sorted(keys, key=lambda k: labels.get(k, k))
    return [k for k in fixed if k in keys]


def _rate(framework: engine.Framework, counts: dict[str, dict[str, list[int]]], standards: list[str]):
    """The engine's rating of each standard that something applies to (one call per standard)."""
    rated = {}
    for key in standards:
        kqs = counts.get(key, {})
        if not any(c[1] for c in kqs.values()):
            rated[key] = (None, None)
            continue
        evidence = {key: engine.StandardEvidence(key_questions={
            q.key: engine.Counts(sufficient=kqs.get(q.key, [0, 0])[0], applicable=kqs.get(q.key, [0, 0])[1])
            for q in framework.standard(key).key_questions})}
        result = engine.rate(framework, evidence).standards[key]
        rated[key] = (result.rating.value, result.percentages[result.lowest])
    return rated


def exercise_results(exercise: Exercise) -> Results:
    """The whole results report of one exercise: its tally (one query, however many cases), the entered ratings
    and overrides, the unit names and the rules' configuration."""
    framework, _ = ruleset.framework(exercise.framework)
    case_keys = [s.key for s in framework.standards if s.key in exercise.case_standards]
    # [sufficient, applicable, not applicable] per standard and key question: overall and per group.
    overall: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    grouped: dict[str, dict[str, dict[str, dict[str, list[int]]]]] = {
        d: defaultdict(lambda: defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))) for d in DIMENSIONS}
    group_cases: dict[str, dict[str, int]] = {d: defaultdict(int) for d in DIMENSIONS}
    proposal_rows = []
    cases = moderated = moderation_changes = 0
    for row in Tally.objects.filter(exercise=exercise).values_list(
            "dimension", "group", "standard", "key_question", "sufficient", "applicable", "not_applicable", "cases",
            "moderated", "changed"):
        dimension, group, std, kq, s, a, na, n, m, c = row
        if dimension == tally.PROPOSAL:
            proposal_rows.append((std, kq, group, n))
        elif not std:
            if dimension == tally.OVERALL:
                cases, moderated, moderation_changes = n, m, c
            elif n:
                group_cases[dimension][group] += n
        else:
            target = overall if dimension == tally.OVERALL else grouped[dimension][group]
            target[std][kq] = [s, a, na]

    ratings = {r.standard: r for r in StandardRating.objects.filter(exercise=exercise)}
    overrides = {o.standard: o for o in StandardOverride.objects.filter(exercise=exercise)}

    views: list[StandardView] = []
    evidence: dict[str, engine.StandardEvidence] = {}
    for standard in framework.standards:
        assessed = standard.key in case_keys
        view = StandardView(key=standard.key, title=standard.title, kind=standard.kind.value, assessed=assessed)
        if assessed:
            counts = overall.get(standard.key, {})
            for q in standard.key_questions:
                s, a, na = counts.get(q.key, [0, 0, 0])
                view.questions.append(QuestionResult(standard.key, q.key, q.text, s, a, na))
            if any(q.applicable for q in view.questions):
                evidence[standard.key] = engine.StandardEvidence(key_questions={
                    q.key: engine.Counts(q.sufficient, q.applicable) for q in view.questions})
            else:
                view.unrated_reason = "No assessed case yet" if not cases else "No key question applied to any case"
        elif standard.key in ratings:
            evidence[standard.key] = engine.StandardEvidence(rating=engine.Rating(ratings[standard.key].rating))
            view.entered_evidence = ratings[standard.key].evidence
        else:
            view.unrated_reason = "Rating not entered yet"
        views.append(view)

    engine_overrides = {k: engine.Override(rating=engine.Rating(o.rating), reason=o.reason)
                        for k, o in overrides.items() if k in evidence}
    error = ""
    try:
        result = engine.rate(framework, evidence, engine_overrides)
    except ContractError as exc:  # a stored framework the answers no longer fit: say so, rate nothing
        error = str(exc)
        result = engine.rate(framework, {}, {})
    for view in views:
        rated = result.standards.get(view.key)
        if rated is not None:
            view.rating = rated.rating.value
            view.computed_rating = rated.computed_rating.value
            view.lowest = rated.lowest
            view.overridden = rated.overridden
            view.override_reason = rated.override_reason or ""
        elif view.key in overrides:
            view.override_reason = overrides[view.key].reason

    labels = _group_labels(exercise, set(group_cases["unit"]) | set(grouped["unit"]))
    titles = {**DIMENSION_TITLES, "unit": UNIT_TITLES[tally.unit_level(exercise)]}
    breakdowns = []
    for d in DIMENSIONS:
        groups = []
        keys = set(group_cases[d]) | set(grouped[d])
        for key in _order(d, labels[d], keys):
            counts = grouped[d].get(key, {})
            standards = {
                std: {q.key: QuestionResult(std, q.key, q.text, *counts.get(std, {}).get(q.key, [0, 0, 0]))
                      for q in framework.standard(std).key_questions}
                for std in case_keys}
            groups.append(GroupResult(key=key, label=labels[d].get(key, key or "Not known"),
                                      cases=group_cases[d].get(key, 0), standards=standards,
                                      ratings=_rate(framework, counts, case_keys)))
        breakdowns.append(Breakdown(dimension=d, title=titles[d], groups=groups))

    return Results(exercise=exercise, framework=framework, cases=cases, standards=views,
                   overall=result.overall.value if result.overall else None, score=result.score,
                   max_score=result.max_score, missing=result.missing, unverified_rules=result.unverified_rules,
                   rules_version=result.rules_version, breakdowns=breakdowns,
                   proposals=_proposal_use(proposal_rows, framework, case_keys),
                   moderated=moderated, moderation_changes=moderation_changes, error=error)


def _proposal_use(rows, framework: engine.Framework, case_keys: list[str]) -> list[ProposalUse]:
    made: dict[tuple[str, str], list] = defaultdict(lambda: [0, 0, defaultdict(int)])
    for std, kq, group, n in rows:
        proposed, _, answer = group.partition(">")
        cell = made[(std, kq)]
        cell[0] += n
        if answer == proposed:
            cell[1] += n
        else:
            cell[2][f"{proposed}→{answer}"] += n
    return [ProposalUse(standard=s.key, key=q.key, proposed=made[(s.key, q.key)][0], kept=made[(s.key, q.key)][1],
                        changed_to=dict(made[(s.key, q.key)][2]))
            for s in framework.standards if s.key in case_keys for q in s.key_questions if (s.key, q.key) in made]


def counts_from_rows(rows, framework: engine.Framework, case_keys: list[str]) -> engine.RatingResult:
    """Rate from case-level rows (standard, key question, final answer), e.g. read back from the CSV export:
    the same arithmetic as ``exercise_results`` without the breakdowns (used to check the export)."""
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for standard, key_question, final in rows:
        cell = counts[standard][key_question]
        if final != Answer.NOT_APPLICABLE:
            cell[1] += 1
            if final == Answer.SUFFICIENT:
                cell[0] += 1
    evidence = {key: engine.StandardEvidence(key_questions={
        q.key: engine.Counts(*counts[key][q.key]) for q in framework.standard(key).key_questions})
        for key in case_keys if any(c[1] for c in counts[key].values())}
    return engine.rate(framework, evidence)

