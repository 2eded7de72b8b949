"""Every write of a quality assurance exercise. One transaction each, with its audit inside.

Set up (``exercise_create``), draw the sample (``sample_draw``: the sampling engine over the long list,
seed recorded; refused once any assessment has begun), allocate assessors (``assessor_set``,
``assessors_share``), replace a sampled case by a like-for-like reserve with a reason
(``sample_replace``), assess (``assessment_save``: drafts save, submitting locks), moderate
(``assessment_moderate``: a second reader's answers, the disagreement and its resolution kept), enter
ratings for standards not assessed case by case (``standard_rating_set``), override a standard's
rating with a reason (``override_set``, ``override_remove``) and complete (``exercise_complete``).

Who: quality assurance staff whose scope covers the exercise (``casework.access.visibility``); an
assessment only by its allocated assessor; moderation only by someone else. Each write refuses a
stale ``version`` (optimistic locking) by a conditional UPDATE.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from casework.access.viewer import viewer_for
from casework.access.visibility import (
    can_see,
    may_run_quality,
    quality_exercise_filter,
    quality_scope_allowed,
)
from casework.audit.services import audit_record
from casework.core.errors import ConcurrentEditError, DomainValidationError, NotPermittedError
from casework.organisation.models import Pdu, Region, Team
from casework.quality import longlist, tally
from casework.quality.choices import (
    Answer,
    AssessmentStatus,
    ExerciseStatus,
    ModerationStatus,
    Rating,
    SampleRole,
    WorkloadBand,
)
from casework.quality.evidence import case_proposals
from casework.quality.models import (
    AnswerRow,
    Assessment,
    Exercise,
    SampledCase,
    StandardOverride,
    StandardRating,
)
from casework.rules import rating as rating_rules
from casework.rules import sampling
from casework.ruleset import selectors as ruleset
from casework.workforce.models import Staff
from casework.workforce.workload import practitioner_workloads

# Messages people read.
NAME_REQUIRED = "Enter a name for the exercise"
FRAMEWORK_UNKNOWN = "Select the inspection framework"
SCOPE_REQUIRED = "Select the team, PDU or region to inspect"
SCOPE_OUTSIDE = "You can only set up an exercise inside your own quality assurance scope"
WINDOW_ORDER = "The end of the sampling window must be the same as or after its start"
WINDOW_AFTER_REFERENCE = "The sampling window must end on or before the reference date"
STANDARDS_REQUIRED = "Select at least one standard to assess case by case"
STANDARD_NOT_CASE = "Standard {key} is rated by judgement, not assessed case by case"
SIZE_RANGE = "Sample size must be a whole number from 1 to 10,000, or left empty for the calculator's size"
BUFFER_RANGE = "Reserves must be a whole number from 0 to 100 percent"
ALREADY_COMPLETED = "This exercise is completed: its results are fixed"
REDRAW_AFTER_ASSESSMENT = ("The sample cannot be drawn again: {n} assessment{s} ha{ve} begun. Replace individual "
                           "cases with reserves instead, so nothing already assessed is lost")
NOTHING_TO_SAMPLE = "No case in this scope started in the sampling window: change the window or the scope"
NOT_SAMPLED = "Draw the sample first"
NOT_IN_SAMPLE = "This case is not in the sample"
ASSESSOR_NOT_QA = "{name} is not quality assurance staff, so cannot assess cases"
ASSESSOR_CANNOT_SEE = "{name} cannot see case {crn} (outside their scope or excluded from it)"
ASSESSOR_OWN_CASE = "{name} holds case {crn}: someone else must assess it"
ASSESSMENT_STARTED = "{name} has already started assessing this case"
REPLACE_REASON_REQUIRED = "Enter why this case is being replaced"
REPLACE_STARTED = "This case's assessment has begun: it cannot be replaced, so nothing already assessed is lost"
RESERVE_REQUIRED = "Select a reserve from the same stratum"
RESERVE_NOT_AVAILABLE = "That reserve is not available (already used, or from another stratum)"
NOT_ALLOCATED = "Only the assessor allocated to this case can assess it"
ASSESSMENT_LOCKED = "This assessment was submitted and is locked"
STANDARD_NOT_ASSESSED = "Standard {key} is not assessed case by case in this exercise"
KEY_QUESTION_UNKNOWN = "{kq} is not a key question of standard {key}"
ANSWER_UNKNOWN = "Answer sufficient, not sufficient or not applicable"
ANSWER_REQUIRED = "Answer every key question before submitting"
NOT_SUBMITTED = "Only a submitted assessment can be moderated"
MODERATOR_IS_ASSESSOR = "A second reader must be someone other than the assessor"
MODERATION_NOTE_REQUIRED = "Explain how the disagreement was resolved"
ALREADY_MODERATED = "This assessment has already been moderated"
RATING_UNKNOWN = "Select a rating"
EVIDENCE_REQUIRED = "Enter the evidence for this rating"
OVERRIDE_REASON_REQUIRED = "Enter the reason for overriding the computed rating"
STANDARD_UNKNOWN = "Standard {key} is not part of this framework"
STANDARD_IS_ASSESSED = "Standard {key} is assessed case by case: its rating comes from the case answers"
UNASSESSED_REMAIN = "{n} sampled case{s} not yet submitted: assess {them} or replace {them} before completing"
NOTHING_ASSESSED = "No case has been assessed yet"
ASSESSORS_REQUIRED = "Select at least one assessor"

#: The most cases one exercise may sample (the benchmark's exercise is this size).
MAX_SAMPLE = 10_000


# --- who ------------------------------------------------------------------------------------------


def _staff(by) -> Staff:
    staff = getattr(by, "staff", None)
    if staff is None:
        raise NotPermittedError("Only staff can do this")
    return staff


def _require_runner(by, exercise: Exercise | None = None):
    viewer = viewer_for(by)
    if not may_run_quality(viewer):
        raise NotPermittedError(f"{by.get_username()} may not run quality assurance exercises")
    if exercise is not None and not Exercise.objects.filter(quality_exercise_filter(viewer), pk=exercise.pk).exists():
        raise NotPermittedError(f"{by.get_username()} may not run exercise {exercise.pk}")
    return viewer


def _lock(model, obj, expected_version: int | None):
    """Lock ``obj``'s row and bump its version; ConcurrentEditError when someone changed it first."""
    qs = model.objects.filter(pk=obj.pk)
    if expected_version is not None:
        qs = qs.filter(version=expected_version)
    if qs.update(version=F("version") + 1) != 1:
        raise ConcurrentEditError()
    obj.refresh_from_db()
    return obj


def _open(exercise: Exercise) -> None:
    if exercise.status == ExerciseStatus.COMPLETED:
        raise DomainValidationError({"": ALREADY_COMPLETED})


# --- set up ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    team: Team | None = None
    pdu: Pdu | None = None
    region: Region | None = None
    country: bool = False  # England and Wales


def _scope_allowed(viewer, scope: Scope) -> bool:
    return quality_scope_allowed(viewer, team=scope.team, pdu=scope.pdu, region=scope.region, country=scope.country)


@transaction.atomic
def exercise_create(*, by, name: str, framework: str, scope: Scope, window_start: dt.date | None,
                    window_end: dt.date | None, as_of: dt.date | None, case_standards: list[str],
                    requested_size: int | None = None, buffer_percent: int = sampling.DEFAULT_BUFFER_PERCENT,
                    seed: int | None = None) -> Exercise:
    """Set up an exercise (not yet sampled); audited."""
    viewer = _require_runner(by)
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = NAME_REQUIRED
    if framework not in rating_rules.FRAMEWORKS:
        errors["framework"] = FRAMEWORK_UNKNOWN
    if not (scope.team or scope.pdu or scope.region or scope.country):
        errors["scope"] = SCOPE_REQUIRED
    elif not _scope_allowed(viewer, scope):
        errors["scope"] = SCOPE_OUTSIDE
    if window_start and window_end and window_end < window_start:
        errors["window_end"] = WINDOW_ORDER
    elif window_end and as_of and window_end > as_of:
        errors["window_end"] = WINDOW_AFTER_REFERENCE
    for key, label in (("window_start", "start"), ("window_end", "end"), ("as_of", "reference date")):
        if locals()[key] is None and key not in errors:
            errors[key] = f"Enter the {label}" if key == "as_of" else f"Enter the {label} of the sampling window"
    if requested_size is not None and not 1 <= requested_size <= MAX_SAMPLE:
        errors["requested_size"] = SIZE_RANGE
    if not 0 <= buffer_percent <= 100:
        errors["buffer_percent"] = BUFFER_RANGE
    if "framework" not in errors:
        fw, _ = ruleset.framework(framework)
        if not case_standards:
            errors["case_standards"] = STANDARDS_REQUIRED
        for key in case_standards:
            standard = fw.standard(key)
            if standard is None or not standard.key_questions:
                errors["case_standards"] = STANDARD_NOT_CASE.format(key=key)
                break
    if errors:
        raise DomainValidationError(errors)
    exercise = Exercise.objects.create(
        name=name, framework=framework, case_standards=list(dict.fromkeys(case_standards)),
        team=scope.team, pdu=scope.pdu, region=scope.region, national=scope.country,
        window_start=window_start, window_end=window_end, as_of=as_of, requested_size=requested_size,
        buffer_percent=buffer_percent, seed=seed if seed is not None else secrets.randbelow(2**62),
        created_by=_staff(by))
    audit_record(actor=by, action="quality.exercise_create", obj=exercise, detail=f"{exercise}",
                 after={"framework": framework, "scope": exercise.scope_label, "window": [window_start, window_end],
                        "as_of": as_of, "size": requested_size, "buffer": buffer_percent, "seed": exercise.seed,
                        "case_standards": exercise.case_standards})
    return exercise


# --- the sample -----------------------------------------------------------------------------------


def workload_band(percent: Decimal | None) -> WorkloadBand:
    """The Inspectorate's reporting bands: under 90%, 90–110% inclusive, over 110%."""
    if percent is None:
        return WorkloadBand.UNKNOWN
    if percent < 90:
        return WorkloadBand.UNDER_90
    if percent <= 110:
        return WorkloadBand.FROM_90_TO_110
    return WorkloadBand.OVER_110


@transaction.atomic
def sample_draw(*, exercise: Exercise, by, expected_version: int | None = None) -> Exercise:
    """Draw the sample and reserves with the exercise's seed; drawing again (same seed: the same sample)
    is refused once any assessment has begun."""
    _require_runner(by, exercise)
    exercise = _lock(Exercise, exercise, expected_version)
    _open(exercise)
    begun = Assessment.objects.filter(exercise=exercise).count()
    if begun:
        raise DomainValidationError({"": REDRAW_AFTER_ASSESSMENT.format(
            n=begun, s="" if begun == 1 else "s", ve="s" if begun == 1 else "ve")})
    listed = longlist.long_list(exercise)
    if not listed:
        raise DomainValidationError({"": NOTHING_TO_SAMPLE})
    window = sampling.Window(start=exercise.window_start, end=exercise.window_end)
    result = sampling.draw_sample([c.record for c in listed], size=exercise.requested_size, as_of=exercise.as_of,
                                  seed=exercise.seed, buffer_percent=exercise.buffer_percent, window=window)
    by_crn = {c.record.crn: c for c in listed}
    chosen = [by_crn[s.crn] for s in result.sample]
    managers = {c.manager_id for c in chosen}
    staff = {s.pk: s for s in Staff.objects.filter(pk__in=managers).only("id", "first_name", "last_name", "grade")}
    workloads = practitioner_workloads(managers, as_of=exercise.as_of)
    SampledCase.objects.filter(exercise=exercise).delete()
    rows = []
    for position, drawn in enumerate(result.sample):
        listed_case = by_crn[drawn.crn]
        practitioner = staff.get(listed_case.manager_id)
        load = workloads.get(listed_case.manager_id)
        percent = load.capacity_percent if load else None
        rows.append(SampledCase(
            exercise=exercise, case_id=listed_case.case_id, stratum=drawn.stratum.value,
            role=SampleRole.RESERVE if drawn.reserve else SampleRole.SAMPLE, position=position,
            practitioner=practitioner, practitioner_name=practitioner.name if practitioner else "",
            grade=practitioner.grade if practitioner else "", team_id=listed_case.team_id,
            workload_percent=None if percent is None else round(percent, 1),
            workload_band=workload_band(percent), rosh=listed_case.rosh))
    SampledCase.objects.bulk_create(rows, batch_size=1000)
    exercise.status = ExerciseStatus.SAMPLED
    exercise.sample_size = result.size
    exercise.eligible = result.eligible
    exercise.long_list = len(listed)
    exercise.excluded = {k.value: v for k, v in result.excluded.items()}
    exercise.strata = {k.value: {"population": v.population, "allocated": v.allocated, "reserve": v.reserve,
                                 "drawn": v.drawn, "reserve_drawn": v.reserve_drawn}
                       for k, v in result.strata.items()}
    exercise.shortfall = result.shortfall
    exercise.sampling_rules_version = result.rules_version
    exercise.sampled_at = timezone.now()
    exercise.sampled_by = _staff(by)
    exercise.save()
    drawn_main = sum(1 for s in result.sample if not s.reserve)
    audit_record(actor=by, action="quality.sample_draw", obj=exercise, detail=f"{exercise}",
                 after={"seed": exercise.seed, "size": result.size, "drawn": drawn_main,
                        "reserves": len(result.sample) - drawn_main, "eligible": result.eligible,
                        "long_list": len(listed), "rules_version": result.rules_version})
    return exercise


def _check_assessor(assessor: Staff, sampled: SampledCase) -> None:
    viewer = viewer_for(assessor.user) if assessor.user_id else None
    if viewer is None or not may_run_quality(viewer):
        raise DomainValidationError({"assessor": ASSESSOR_NOT_QA.format(name=assessor.name)})
    if sampled.case.manager_id == assessor.pk:
        raise DomainValidationError({"assessor": ASSESSOR_OWN_CASE.format(name=assessor.name, crn=sampled.case.crn)})
    if not can_see(viewer, sampled.case):
        raise DomainValidationError({"assessor": ASSESSOR_CANNOT_SEE.format(name=assessor.name, crn=sampled.case.crn)})


@transaction.atomic
def assessor_set(*, sampled: SampledCase, assessor: Staff | None, by,
                 expected_version: int | None = None) -> SampledCase:
    """Allocate (or take away) a sampled case's assessor; refused once someone else has started it."""
    _require_runner(by, sampled.exercise)
    sampled = _lock(SampledCase, sampled, expected_version)
    _open(sampled.exercise)
    if sampled.role != SampleRole.SAMPLE:
        raise DomainValidationError({"": NOT_IN_SAMPLE})
    started = Assessment.objects.filter(sampled_case=sampled).select_related("assessor").first()
    if started is not None and (assessor is None or started.assessor_id != assessor.pk):
        raise DomainValidationError({"assessor": ASSESSMENT_STARTED.format(name=started.assessor.name)})
    if assessor is not None:
        _check_assessor(assessor, sampled)
    before = sampled.assessor_id
    sampled.assessor = assessor
    sampled.save(update_fields=["assessor"])
    audit_record(actor=by, action="quality.assessor_set", obj=sampled, crn=sampled.case.crn,
                 detail=f"{sampled.exercise.name}: {assessor.name if assessor else 'no assessor'}",
                 before={"assessor": before}, after={"assessor": assessor.pk if assessor else None})
    return sampled


@transaction.atomic
def assessors_share(*, exercise: Exercise, assessors: list[Staff], by) -> int:
    """Share the sample's cases with no assessor among ``assessors`` as evenly as they allow (nobody
    gets a case they hold or cannot see); returns how many were allocated. Audited once."""
    _require_runner(by, exercise)
    _open(exercise)
    if not assessors:
        raise DomainValidationError({"assessors": ASSESSORS_REQUIRED})
    viewers = {}
    for assessor in assessors:
        viewer = viewer_for(assessor.user) if assessor.user_id else None
        if viewer is None or not may_run_quality(viewer):
            raise DomainValidationError({"assessors": ASSESSOR_NOT_QA.format(name=assessor.name)})
        viewers[assessor.pk] = viewer
    load = {a.pk: SampledCase.objects.filter(exercise=exercise, assessor=a, role=SampleRole.SAMPLE).count()
            for a in assessors}
    waiting = list(SampledCase.objects.select_for_update().filter(
        exercise=exercise, role=SampleRole.SAMPLE, assessor__isnull=True).select_related("case"))
    from casework.access.visibility import visible_cases  # the one visibility rule, per assessor
    seen = {pk: set(visible_cases(v).filter(pk__in=[s.case_id for s in waiting]).values_list("pk", flat=True))
            for pk, v in viewers.items()}
    done = []
    for sampled in waiting:
        able = [a for a in assessors if sampled.case.manager_id != a.pk and sampled.case_id in seen[a.pk]]
        if not able:
            continue
        chosen = min(able, key=lambda a: (load[a.pk], a.pk))
        load[chosen.pk] += 1
        sampled.assessor = chosen
        done.append(sampled)
    SampledCase.objects.bulk_update(done, ["assessor"], batch_size=1000)
    audit_record(actor=by, action="quality.assessors_share", obj=exercise, detail=f"{exercise.name}",
                 after={"allocated": len(done), "assessors": {a.pk: load[a.pk] for a in assessors}})
    return len(done)


@transaction.atomic
def sample_replace(*, sampled: SampledCase, reserve: SampledCase | None, reason: str, by,
                   expected_version: int | None = None) -> SampledCase:
    """Replace a sampled case by a reserve from the same stratum, recording why; the reserve takes its
    place (and its assessor). Refused once the case's assessment has begun."""
    _require_runner(by, sampled.exercise)
    sampled = _lock(SampledCase, sampled, expected_version)
    _open(sampled.exercise)
    errors = {}
    reason = (reason or "").strip()
    if sampled.role != SampleRole.SAMPLE:
        raise DomainValidationError({"": NOT_IN_SAMPLE})
    if Assessment.objects.filter(sampled_case=sampled).exists():
        raise DomainValidationError({"": REPLACE_STARTED})
    if not reason:
        errors["reason"] = REPLACE_REASON_REQUIRED
    if reserve is None:
        errors["reserve"] = RESERVE_REQUIRED
    if errors:
        raise DomainValidationError(errors)
    taken = SampledCase.objects.select_for_update().filter(
        pk=reserve.pk, exercise_id=sampled.exercise_id, role=SampleRole.RESERVE, stratum=sampled.stratum).first()
    if taken is None:
        raise DomainValidationError({"reserve": RESERVE_NOT_AVAILABLE})
    taken.role = SampleRole.SAMPLE
    taken.assessor = None
    if sampled.assessor is not None:
        try:
            _check_assessor(sampled.assessor, taken)
            taken.assessor = sampled.assessor
        except DomainValidationError:
            taken.assessor = None
    taken.version += 1
    taken.save(update_fields=["role", "assessor", "version"])
    sampled.role = SampleRole.REPLACED
    sampled.replaced_by = taken
    sampled.replacement_reason = reason
    sampled.replaced_at = timezone.now()
    sampled.save(update_fields=["role", "replaced_by", "replacement_reason", "replaced_at"])
    audit_record(actor=by, action="quality.sample_replace", obj=sampled, crn=sampled.case.crn,
                 detail=f"{sampled.exercise.name}: replaced by {taken.case.crn}: {reason}"[:500],
                 after={"reserve": taken.pk, "reserve_crn": taken.case.crn, "reason": reason})
    return taken


# --- assessment -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Given:
    """One key question's answer as entered: the answer (empty: not answered yet) and the evidence."""

    answer: str
    evidence: str = ""


def _answer_errors(exercise: Exercise, answers: Mapping[tuple[str, str], Given]) -> dict[str, str]:
    framework, _ = ruleset.framework(exercise.framework)
    errors = {}
    for (std, kq), given in answers.items():
        field = f"{std}-{kq}"
        standard = framework.standard(std)
        if standard is None or std not in exercise.case_standards:
            errors[field] = STANDARD_NOT_ASSESSED.format(key=std)
        elif kq not in standard.key_question_keys():
            errors[field] = KEY_QUESTION_UNKNOWN.format(kq=kq, key=std)
        elif given.answer and given.answer not in Answer.values:
            errors[field] = ANSWER_UNKNOWN
    return errors


def expected_questions(exercise: Exercise) -> list[tuple[str, str]]:
    """Every (standard, key question) an assessment of this exercise answers, in framework order."""
    framework, _ = ruleset.framework(exercise.framework)
    return [(s.key, q.key) for s in framework.standards if s.key in exercise.case_standards for q in s.key_questions]


@transaction.atomic
def assessment_save(*, sampled: SampledCase, by, answers: Mapping[tuple[str, str], Given], submit: bool,
                    expected_version: int | None = None, today: dt.date | None = None) -> Assessment:
    """Save the allocated assessor's answers (a draft may be partial); ``submit`` needs every key question
    answered and locks the assessment. The record's proposal is kept beside each answer."""
    staff = _staff(by)
    exercise = sampled.exercise
    viewer = viewer_for(by)
    if not may_run_quality(viewer) or sampled.assessor_id != staff.pk:
        raise NotPermittedError(NOT_ALLOCATED)
    sampled = _lock(SampledCase, sampled, expected_version)
    if sampled.assessor_id != staff.pk:
        raise NotPermittedError(NOT_ALLOCATED)
    _open(exercise)
    if sampled.role != SampleRole.SAMPLE:
        raise DomainValidationError({"": NOT_IN_SAMPLE})
    assessment = Assessment.objects.select_for_update().filter(sampled_case=sampled).first()
    if assessment is not None and assessment.status == AssessmentStatus.SUBMITTED:
        raise DomainValidationError({"": ASSESSMENT_LOCKED})
    errors = _answer_errors(exercise, answers)
    if errors:
        raise DomainValidationError(errors)
    questions = expected_questions(exercise)
    if submit:
        missing = [q for q in questions if not answers.get(q, Given("")).answer]
        if missing:
            raise DomainValidationError({f"{std}-{kq}": ANSWER_REQUIRED for std, kq in missing})
    now = timezone.now()
    if assessment is None:
        assessment = Assessment.objects.create(sampled_case=sampled, exercise=exercise, assessor=staff,
                                               started_at=now)
    proposals = case_proposals(sampled.case, framework=exercise.framework, as_of=exercise.as_of,
                               standards=exercise.case_standards)
    existing = {(a.standard, a.key_question): a for a in assessment.answers.all()}
    create, update, remove = [], [], []
    for question in questions:
        given = answers.get(question)
        row = existing.get(question)
        if given is None or not given.answer:
            if row is not None:
                remove.append(row.pk)
            continue
        proposal = proposals.get(question)
        proposed = proposal.answer.value if proposal and proposal.answer else ""
        if row is None:
            create.append(AnswerRow(assessment=assessment, standard=question[0], key_question=question[1],
                                    answer=given.answer, final=given.answer, evidence=given.evidence.strip(),
                                    proposed=proposed))
        else:
            row.answer = row.final = given.answer
            row.evidence = given.evidence.strip()
            row.proposed = proposed
            update.append(row)
    AnswerRow.objects.filter(pk__in=remove).delete()
    AnswerRow.objects.bulk_create(create)
    AnswerRow.objects.bulk_update(update, ["answer", "final", "evidence", "proposed"])
    assessment.status = AssessmentStatus.SUBMITTED if submit else AssessmentStatus.DRAFT
    assessment.submitted_at = now if submit else None
    assessment.version += 1
    assessment.save()
    if submit:
        tally.submitted(sampled, assessment.answers.all())
    audit_record(actor=by, action="quality.assessment_submit" if submit else "quality.assessment_save",
                 obj=assessment, crn=sampled.case.crn, detail=f"{exercise.name}",
                 after={f"{s}/{k}": a.answer for (s, k), a in answers.items() if a.answer})
    return assessment


@transaction.atomic
def assessment_moderate(*, assessment: Assessment, by, answers: Mapping[tuple[str, str], Given], note: str,
                        expected_version: int | None = None) -> Assessment:
    """A second reader's answers to a submitted assessment: where one differs, the moderated answer counts
    and the disagreement is kept (the assessor's answer, the moderator's, and the note resolving it)."""
    staff = _staff(by)
    _require_runner(by, assessment.exercise)
    assessment = _lock(Assessment, assessment, expected_version)
    _open(assessment.exercise)
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise DomainValidationError({"": NOT_SUBMITTED})
    if assessment.assessor_id == staff.pk:
        raise DomainValidationError({"": MODERATOR_IS_ASSESSOR})
    if assessment.moderation != ModerationStatus.NONE:
        raise DomainValidationError({"": ALREADY_MODERATED})
    errors = _answer_errors(assessment.exercise, answers)
    if errors:
        raise DomainValidationError(errors)
    rows = {(a.standard, a.key_question): a for a in assessment.answers.all()}
    changed, before = [], {}
    for question, given in answers.items():
        row = rows.get(question)
        if row is None or not given.answer or given.answer == row.answer:
            continue
        before[row.pk] = row.final
        row.moderated = row.final = given.answer
        row.moderation_note = given.evidence.strip()
        changed.append(row)
    note = (note or "").strip()
    if changed and not note:
        raise DomainValidationError({"note": MODERATION_NOTE_REQUIRED})
    AnswerRow.objects.bulk_update(changed, ["moderated", "final", "moderation_note"])
    assessment.moderation = ModerationStatus.CHANGED if changed else ModerationStatus.AGREED
    assessment.moderator = staff
    assessment.moderated_at = timezone.now()
    assessment.moderation_note = note
    assessment.save()
    tally.moderated(assessment.sampled_case, [(row, before[row.pk]) for row in changed])
    audit_record(actor=by, action="quality.assessment_moderate", obj=assessment,
                 crn=assessment.sampled_case.case.crn, detail=f"{assessment.exercise.name}: {len(changed)} changed",
                 after={f"{r.standard}/{r.key_question}": [r.answer, r.moderated] for r in changed} | {"note": note})
    return assessment


# --- ratings, overrides, completion ---------------------------------------------------------------


def _standard(exercise: Exercise, key: str) -> rating_rules.Standard:
    framework, _ = ruleset.framework(exercise.framework)
    standard = framework.standard(key)
    if standard is None:
        raise DomainValidationError({"standard": STANDARD_UNKNOWN.format(key=key)})
    return standard


@transaction.atomic
def standard_rating_set(*, exercise: Exercise, standard: str, rating: str, evidence: str, by) -> StandardRating:
    """Enter (or change) the rating of a standard not assessed case by case, with its evidence."""
    _require_runner(by, exercise)
    _open(exercise)
    _standard(exercise, standard)
    errors = {}
    if standard in exercise.case_standards:
        errors["standard"] = STANDARD_IS_ASSESSED.format(key=standard)
    if rating not in Rating.values:
        errors["rating"] = RATING_UNKNOWN
    evidence = (evidence or "").strip()
    if not evidence:
        errors["evidence"] = EVIDENCE_REQUIRED
    if errors:
        raise DomainValidationError(errors)
    row = StandardRating.objects.select_for_update().filter(exercise=exercise, standard=standard).first()
    before = {"rating": row.rating, "evidence": row.evidence} if row else None
    if row is None:
        row = StandardRating(exercise=exercise, standard=standard)
    row.rating, row.evidence, row.entered_by, row.entered_at = rating, evidence, _staff(by), timezone.now()
    row.version = (row.version or 0) + 1 if row.pk else 1
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise ConcurrentEditError() from None
    audit_record(actor=by, action="quality.standard_rating_set", obj=row, detail=f"{exercise.name}: {standard}",
                 before=before, after={"rating": rating, "evidence": evidence})
    return row


@transaction.atomic
def override_set(*, exercise: Exercise, standard: str, rating: str, reason: str, by) -> StandardOverride:
    """Override a standard's computed rating; the reason is published with the results."""
    _require_runner(by, exercise)
    _open(exercise)
    _standard(exercise, standard)
    errors = {}
    if rating not in Rating.values:
        errors["rating"] = RATING_UNKNOWN
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = OVERRIDE_REASON_REQUIRED
    if errors:
        raise DomainValidationError(errors)
    row, created = StandardOverride.objects.update_or_create(
        exercise=exercise, standard=standard,
        defaults={"rating": rating, "reason": reason, "by": _staff(by), "at": timezone.now()})
    audit_record(actor=by, action="quality.override_set", obj=row, detail=f"{exercise.name}: {standard}",
                 after={"rating": rating, "reason": reason, "new": created})
    return row


@transaction.atomic
def override_remove(*, exercise: Exercise, standard: str, by) -> None:
    _require_runner(by, exercise)
    _open(exercise)
    row = StandardOverride.objects.filter(exercise=exercise, standard=standard).first()
    if row is None:
        return
    audit_record(actor=by, action="quality.override_remove", obj=row, detail=f"{exercise.name}: {standard}",
                 before={"rating": row.rating, "reason": row.reason})
    row.delete()


@transaction.atomic
def exercise_complete(*, exercise: Exercise, by, expected_version: int | None = None) -> Exercise:
    """Fix the results: every case in the sample must have a submitted assessment."""
    _require_runner(by, exercise)
    exercise = _lock(Exercise, exercise, expected_version)
    _open(exercise)
    if exercise.status != ExerciseStatus.SAMPLED:
        raise DomainValidationError({"": NOT_SAMPLED})
    sample = SampledCase.objects.filter(exercise=exercise, role=SampleRole.SAMPLE)
    outstanding = sample.exclude(assessment__status=AssessmentStatus.SUBMITTED).count()
    if outstanding:
        raise DomainValidationError({"": UNASSESSED_REMAIN.format(
            n=outstanding, s="" if outstanding == 1 else "s", them="it" if outstanding == 1 else "them")})
    if not sample.exists():
        raise DomainValidationError({"": NOTHING_ASSESSED})
    exercise.status = ExerciseStatus.COMPLETED
    exercise.completed_at = timezone.now()
    exercise.completed_by = _staff(by)
    exercise.save()
    audit_record(actor=by, action="quality.exercise_complete", obj=exercise, detail=f"{exercise}")
    return exercise


def export_recorded(*, exercise: Exercise, by, kind: str, rows: int) -> None:
    """Audit a download of an exercise's results or case-level answers (what, and how many rows)."""
    audit_record(actor=by, action="quality.export", obj=exercise, detail=f"{exercise.name}: {kind}",
                 after={"kind": kind, "rows": rows})
