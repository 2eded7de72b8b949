"""Every write of a recall: one transaction each, with its audit row inside it.

Each step locks the recall row, asks ``casework.rules.recall_workflow`` whether this person, in the
roles they hold on this case (``casework.access.visibility.recall_actors``), may take it now, refuses a
stale ``expected_version`` (optimistic locking: of two people acting at once exactly one succeeds), then
writes the step, the recall's new state and version, and the audit row. A step is stored once per
recall (a unique constraint backs the lock). Refusals are ``StepRefused`` with a message in words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from django.db import transaction
from django.utils import timezone

from casework.access.viewer import viewer_for
from casework.access.visibility import can_see, recall_actors
from casework.audit.services import audit_record
from casework.core.errors import ConcurrentEditError, DomainValidationError, NotPermittedError
from casework.recall import content
from casework.recall.facts import (
    GROUP_WORDS,
    Answers,
    engine_decision,
    group_of,
    known_answers,
    licence_sentences_filter,
    with_record,
)
from casework.recall.models import CustodyStatus, Recall, RecallStep
from casework.record.models import Case, LicenceCondition, Registration, Sentence
from casework.rules.recall import RecallType
from casework.rules.recall_workflow import (
    STATE_WORDS,
    STEP_VERBS,
    STEP_WORDS,
    Actor,
    Refusal,
    State,
    Step,
    TypeRefusal,
    next_state,
    refusal,
    type_refusal,
    who_may,
)
from casework.workforce.models import Staff

TEXT_MAX = 4000

# Messages (GOV.UK style); tests import them.
NOT_A_LICENCE_CASE = "A recall can only be considered for a case on licence: this case has no sentence on licence"
SENTENCE_REQUIRED = "Select the sentence the recall is about"
REASON_REQUIRED = "Enter why recall is being considered"
RATIONALE_REQUIRED = "Enter the management oversight rationale"
NOT_RECALL_REASONS_REQUIRED = "Enter the reasons for not recalling: they go in the letter to the person"
CONDITIONS_REQUIRED = "Select the licence conditions that were breached"
CONDITION_UNKNOWN = "Select licence conditions of this sentence"
ALTERNATIVES_REQUIRED = "Enter the alternatives to recall already tried"
CUSTODY_REQUIRED = "Select where the person is now"
EMERGENCY_REQUIRED = "Select whether this is an emergency recall"
TYPE_REQUIRED = "Select the recall type"
RECOMMENDATION_REQUIRED = "Enter the reasons for the recommendation"
OPEN_RECALL_EXISTS = "A recall is already in progress for this sentence: continue it instead"
ENDED = "This recall has ended ({state}): nothing more can be recorded on it"
ALREADY_DONE = "{step} has already been recorded{by}"
OUT_OF_ORDER = "{step} cannot be recorded now: the recall is at “{state}”"
WRONG_ROLE = "Only {who} can {verb}"
SAME_PERSON = "You cannot countersign a recall you recommended or have already countersigned: someone else must"
TYPE_MESSAGES = {
    TypeRefusal.NO_RECALL_IS_NOT_A_RECALL: "To decide not to recall, use “Decide not to recall” instead",
    TypeRefusal.NOT_ALLOWED: "{mandatory} recall is mandatory for this case: a {chosen} recall cannot be recorded",
    TypeRefusal.EMERGENCY_NOT_OFFERED: "Emergency recall is offered only for indeterminate sentences (life or IPP)",
}
TYPE_WORDS = content.TYPE_WORDS


class StepRefused(DomainValidationError):
    """A step the workflow refuses: ``refusal`` says why, the message says it in words."""

    def __init__(self, refusal: Refusal | None, message: str, field: str = "") -> None:
        super().__init__({field: message})
        self.refusal = refusal
        self.message = message


def _long(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _state(recall: Recall) -> dict:
    return {"state": recall.state, "version": recall.version, "recall_type": recall.recall_type,
            "emergency": recall.emergency, "custody_status": recall.custody_status}


def _staff(by) -> Staff:
    staff = Staff.objects.filter(user=by).first()
    if staff is None:
        raise NotPermittedError("Only members of staff act on a recall")
    return staff


def _role_for(step: Step, roles: frozenset[Actor]) -> Actor:
    from casework.rules.recall_workflow import TRANSITIONS

    return next(a for a in Actor if a in roles and a in TRANSITIONS[step].actors)


def _text(value: str, message: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise StepRefused(None, message, field)
    if len(value) > TEXT_MAX:
        raise StepRefused(None, f"Enter it in {TEXT_MAX:,} characters or fewer", field)
    return value


def _check(recall_state: State | None, step: Step, roles, *, staff: Staff, steps: dict[Step, RecallStep]) -> None:
    found = refusal(recall_state, step, roles, person=staff.pk,
                    taken_by={s: row.by_id for s, row in steps.items()})
    if found is None:
        return
    words = STEP_WORDS[step]
    if found is Refusal.ENDED:
        message = ENDED.format(state=STATE_WORDS[recall_state].lower())
    elif found is Refusal.ALREADY_DONE:
        row = steps.get(step)
        by = f" by {row.by_name} on {_long(timezone.localdate(row.at))}" if row else ""
        message = ALREADY_DONE.format(step=words, by=by)
    elif found is Refusal.OUT_OF_ORDER:
        message = OUT_OF_ORDER.format(step=words, state=STATE_WORDS[recall_state] if recall_state else "not started")
    elif found is Refusal.WRONG_ROLE:
        message = WRONG_ROLE.format(who=who_may(step), verb=STEP_VERBS[step])
    else:
        message = SAME_PERSON
    raise StepRefused(found, message)


def check_step(*, recall: Recall, step: Step, by) -> None:
    """Raise ``StepRefused`` when ``by`` may not take ``step`` on ``recall`` now (writes nothing)."""
    viewer = viewer_for(by)
    staff = _staff(by)
    case = Case.objects.get(pk=recall.case_id)
    steps = {Step(row.step): row for row in RecallStep.objects.filter(recall_id=recall.pk)}
    _check(State(Recall.objects.get(pk=recall.pk).state), step, recall_actors(viewer, case), staff=staff,
           steps=steps)


def recall_start(*, case: Case, by, sentence_id: int | None, reason: str) -> Recall:
    """The practitioner records why recall is being considered for one of the case's licence sentences."""
    viewer = viewer_for(by)
    if not can_see(viewer, case):
        raise NotPermittedError("This case is not visible to you")
    staff = _staff(by)
    _check(None, Step.CONSIDER, recall_actors(viewer, case), staff=staff, steps={})
    sentences = {s.pk: s for s in Sentence.objects.filter(case=case, **licence_sentences_filter())}
    if not sentences:
        raise StepRefused(None, NOT_A_LICENCE_CASE)
    if sentence_id not in sentences:
        raise StepRefused(None, SENTENCE_REQUIRED, "sentence")
    reason = _text(reason, REASON_REQUIRED, "reason")
    now = timezone.now()
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()
        if Recall.objects.filter(sentence_id=sentence_id, state__in=[s.value for s in State
                                                                       if s not in (State.ISSUED, State.NOT_RECALLED)]
                                 ).exists():
            raise StepRefused(None, OPEN_RECALL_EXISTS, "sentence")
        recall = Recall.objects.create(case=case, sentence_id=sentence_id, state=State.CONSIDERED, started_at=now,
                                       updated_at=now)
        RecallStep.objects.create(recall=recall, step=Step.CONSIDER, by=staff, by_name=staff.name,
                                  role=Actor.PRACTITIONER, at=now, text=reason)
        audit_record(actor=by, action="recall.consider", obj=recall, crn=case.crn, before=None,
                     after={**_state(recall), "sentence": sentence_id, "reason": reason})
    return recall


def _take(*, recall: Recall, step: Step, by, expected_version: int, text: str, apply=None) -> Recall:
    """Take ``step`` on ``recall``: lock, check, ``apply(recall, case)`` (may raise), write, audit."""
    viewer = viewer_for(by)
    staff = _staff(by)
    with transaction.atomic():
        locked = Recall.objects.select_for_update().get(pk=recall.pk)
        case = Case.objects.get(pk=locked.case_id)
        if not can_see(viewer, case):
            raise NotPermittedError("This case is not visible to you")
        steps = {Step(row.step): row for row in RecallStep.objects.filter(recall=locked)}
        roles = recall_actors(viewer, case)
        _check(State(locked.state), step, roles, staff=staff, steps=steps)
        if locked.version != expected_version:
            raise ConcurrentEditError()
        before = _state(locked)
        now = timezone.now()
        if apply is not None:
            apply(locked, case, steps, staff, now)
        locked.state = next_state(State(locked.state), step)
        locked.version += 1
        locked.updated_at = now
        locked.save()
        RecallStep.objects.create(recall=locked, step=step, by=staff, by_name=staff.name,
                                  role=_role_for(step, roles), at=now, text=text)
        audit_record(actor=by, action=f"recall.{step.value.lower()}", obj=locked, crn=case.crn, before=before,
                     after={**_state(locked), "text": text}, detail=STEP_WORDS[step])
    recall.refresh_from_db()
    return recall


def record_oversight(*, recall: Recall, by, expected_version: int, rationale: str) -> Recall:
    """The SPO records management oversight: the recommendation may follow."""
    rationale = _text(rationale, RATIONALE_REQUIRED, "rationale")
    return _take(recall=recall, step=Step.OVERSIGHT, by=by, expected_version=expected_version, text=rationale)


def decide_not_to_recall(*, recall: Recall, by, expected_version: int, reasons: str) -> Recall:
    """A decision not to recall: by the SPO at oversight, or by the practitioner instead of a recommendation.
    The letter to the person with the reasons is kept with the recall."""
    reasons = _text(reasons, NOT_RECALL_REASONS_REQUIRED, "reasons")
    step = (Step.NOT_RECALL_AT_OVERSIGHT if recall.state == State.CONSIDERED
            else Step.NOT_RECALL_AT_RECOMMENDATION)

    def letter(locked, case, steps, staff, now):
        locked.decided_on = timezone.localdate(now)
        locked.document = content.not_recalled_letter(case=case, sentence=locked.sentence, reasons=reasons,
                                                      decided_by=staff.name, decided_on=locked.decided_on,
                                                      address=content.current_address(case))

    return _take(recall=recall, step=step, by=by, expected_version=expected_version, text=reasons, apply=letter)


def recommend(*, recall: Recall, by, expected_version: int, answers: Answers, recall_type: str, emergency: bool | None,
              custody_status: str, condition_ids: list[int], alternatives_tried: str, rationale: str) -> Recall:
    """The practitioner's recommendation. The recall type is checked against the engine's answer for the
    answers given: a mandatory type cannot be swapped for the other one."""
    errors = {}
    if not condition_ids:
        errors["conditions"] = CONDITIONS_REQUIRED
    if not (alternatives_tried or "").strip():
        errors["alternatives_tried"] = ALTERNATIVES_REQUIRED
    if custody_status not in CustodyStatus.values:
        errors["custody_status"] = CUSTODY_REQUIRED
    if emergency is None:
        errors["emergency"] = EMERGENCY_REQUIRED
    if recall_type not in RecallType.__members__:
        errors["recall_type"] = TYPE_REQUIRED
    if not (rationale or "").strip():
        errors["rationale"] = RECOMMENDATION_REQUIRED
    if errors:
        raise DomainValidationError(errors)
    alternatives_tried = _text(alternatives_tried, ALTERNATIVES_REQUIRED, "alternatives_tried")
    rationale = _text(rationale, RECOMMENDATION_REQUIRED, "rationale")
    chosen = RecallType(recall_type)

    def apply(locked, case, steps, staff, now):
        group = group_of(locked.sentence)
        given = with_record(answers, known_answers(locked.sentence, list(
            Registration.objects.filter(case=case).select_related("type")), today=timezone.localdate(now)))
        decision = engine_decision(group, given)
        found = type_refusal(decision, chosen, emergency=bool(emergency))
        if found is not None:
            mandatory = TYPE_WORDS[decision.mandatory].capitalize() if decision.mandatory else ""
            field = "emergency" if found is TypeRefusal.EMERGENCY_NOT_OFFERED else "recall_type"
            raise StepRefused(None, TYPE_MESSAGES[found].format(mandatory=mandatory, chosen=TYPE_WORDS[chosen]), field)
        conditions = list(LicenceCondition.objects.filter(sentence_id=locked.sentence_id, pk__in=condition_ids)
                          .order_by("pk"))
        if len(conditions) != len(set(condition_ids)):
            raise StepRefused(None, CONDITION_UNKNOWN, "conditions")
        locked.recall_type = chosen
        locked.emergency = bool(emergency)
        locked.custody_status = custody_status
        locked.conditions_breached = [{"id": c.pk, "kind": c.get_kind_display(), "description": c.description}
                                      for c in conditions]
        locked.alternatives_tried = alternatives_tried
        locked.new_offence = given.new_offence
        locked.engine = {"group": group.value, "group_words": GROUP_WORDS[group], "answers": given.as_dict(),
                         **{k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(decision).items()}}

    return _take(recall=recall, step=Step.RECOMMEND, by=by, expected_version=expected_version, text=rationale,
                 apply=apply)


def countersign(*, recall: Recall, by, expected_version: int, comment: str, as_role: Actor) -> Recall:
    """The SPO's (``as_role`` SPO) or the head of PDU's (ACO) countersignature, with a comment."""
    comment = _text(comment, "Enter your comments on the recommendation", "comment")
    step = Step.SPO_COUNTERSIGN if Actor(as_role) is Actor.SPO else Step.ACO_COUNTERSIGN
    return _take(recall=recall, step=step, by=by, expected_version=expected_version, text=comment)


def issue(*, recall: Recall, by, expected_version: int) -> Recall:
    """Issue the recall document: what it says is fixed now, with every countersignature."""

    def document(locked, case, steps, staff, now):
        locked.decided_on = timezone.localdate(now)
        locked.document = content.recall_document(case=case, sentence=locked.sentence, recall=locked,
                                                  steps=list(steps.values()), issued_by=staff.name, issued_at=now)

    return _take(recall=recall, step=Step.ISSUE, by=by, expected_version=expected_version, text="",
                 apply=document)
