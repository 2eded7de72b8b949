"""Every write of compliance signals and enforcement decisions. One transaction each, with its audit inside.

``signals_recompute_many`` keeps the stored signals in step with the engine (rules.md §5.4, §5.5): it
reads each sentence through ``casework.enforcement.inputs``, runs the engine with the PDU's policy and
writes only what changed (``casework.enforcement.plan``). It never deletes a signal and never reopens
one. The record's services call ``recompute_on_commit`` after every write the signals read (contact
outcomes, risk events, risk assessments).

People record decisions: ``decision_record`` (a warning with its letter, a breach with the information
for court, a licence decision), answering a signal or the latest failure; ``decision_oversee`` (the
SPO's oversight of a licence decision, rules.md §5.2). Both lock the case, refuse a stale ``version``
and a closed signal by a conditional UPDATE (of two decisions on one signal at once exactly one is
recorded, the other is refused with nothing written), then recompute the sentence in the same
transaction.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from casework.access.models import Role
from casework.access.viewer import viewer_for
from casework.access.visibility import can_change, manages_case_team
from casework.audit.services import AuditEntry, audit_record, audit_record_many
from casework.core.errors import ConcurrentEditError, DomainValidationError, NotPermittedError
from casework.core.recompute import RecomputeResult, case_id_batches, recompute_batches
from casework.enforcement import letters
from casework.enforcement.choices import (
    ANSWERS,
    ENGINE_ACTION,
    DecisionKind,
    OversightStatus,
    SignalKind,
    SignalStatus,
)
from casework.enforcement.inputs import SentenceInput, sentence_inputs
from casework.enforcement.models import EnforcementDecision, EnforcementSignal
from casework.enforcement.plan import Plan, PolicyLookup, plan_for, policy_lookup
from casework.record.models import Case, Contact, Sentence
from casework.rules import contacts as contact_rules
from casework.rules.enforcement import REVIEW_EVENTS, action_problem
from casework.rules.supervision import SupervisionKind
from casework.supervision.models import CaseEvent

logger = logging.getLogger(__name__)

RECOMPUTE_BATCH = 1000
TEXT_MAX = 4000

# Messages (GOV.UK style); tests import them.
KIND_REQUIRED = "Select the decision"
DATE_REQUIRED = "Enter the date of the decision"
DATE_IN_FUTURE = "The date of the decision must be today or in the past"
DATE_BEFORE_EVENT = "The date of the decision must be on or after {date}, the date of what it answers"
RATIONALE_REQUIRED = "Enter the reasons for the decision"
REQUIREMENT_REQUIRED = "Enter the requirement that was not complied with"
RECOMMENDATION_REQUIRED = "Enter the recommendation to the court"
TOO_LONG = "The {what} must be {limit} characters or fewer"
NOT_SUPERVISED = "This sentence is not under supervision now, so no enforcement decision can be recorded on it"
NOTHING_TO_ANSWER = "There is no failure to comply on this sentence for a decision to answer"
NOT_FOR_KIND = {
    "is only possible on a LICENCE": "Recall can only be considered on a licence: post-sentence supervision and "
                                      "orders cannot be recalled",
    "is not possible on a LICENCE": "A breach is not possible on a licence: a failure on licence leads to a "
                                    "decision about recall",
    "is not possible on an order": "Only the court can add to an order: record a warning or a breach",
}
NOT_AN_ANSWER = "A {decision} does not answer this signal. {hint}"
ANSWER_HINTS = {
    SignalKind.SECOND_FAILURE_NO_BREACH_DECISION: "A warning was given in the last 12 months, so the law requires "
                                                  "a breach (or a recorded decision to take no further action)",
    SignalKind.REPEATED_ABSENCE_NO_RECALL_CONSIDERATION: "Repeated absences on licence need recall to be "
                                                         "considered",
    SignalKind.RISK_EVENT_NO_REVIEW: "An arrest, charge or call-out is answered by a risk review: record the risk "
                                     "assessment",
}
SIGNAL_CLOSED = "This signal has already been closed by a decision"
NOT_FOR_CASE = "This signal belongs to another case"
OVERSIGHT_NOT_AWAITED = "This decision is not waiting for oversight"
OVERSIGHT_NOT_ENTITLED = "Only the senior probation officer of the case's team can record oversight"
OVERSIGHT_OWN = "Oversight must be recorded by someone other than the person who made the decision"
OVERSIGHT_REQUIRED = "Select whether you agree with the decision"
NOTE_REQUIRED = "Enter your oversight: what you considered and why"
LICENCE_KINDS = frozenset({SupervisionKind.LICENCE, SupervisionKind.POST_SENTENCE_SUPERVISION})


def _long(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _state(signal: EnforcementSignal) -> dict:
    return {"kind": signal.kind, "sentence": signal.sentence_id, "since": signal.since, "due": signal.due,
            "status": signal.status, "in_engine": signal.in_engine, "decision": signal.decision_id,
            "policy": signal.policy_id, "rules_version": signal.rules_version}


UPDATE_FIELDS = ["due", "in_engine", "status", "decision", "closed_note", "decided_by", "decided_at", "policy",
                 "rules_version", "version", "updated_at"]


def _update_rows(signals: list[EnforcementSignal]) -> None:
    """Write ``UPDATE_FIELDS`` of ``signals``: one parameterised statement run for every row (``executemany``)."""
    if not signals:
        return
    fields = [EnforcementSignal._meta.get_field(name) for name in UPDATE_FIELDS]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    # Table and column names come from the model, every value goes as a parameter.
    sql = f"UPDATE {quote(EnforcementSignal._meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"  # noqa: S608
    rows = [[f.get_db_prep_save(getattr(s, f.attname), connection) for f in fields] + [s.pk] for s in signals]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _write_plans(plans: list[Plan], *, trigger: str, by) -> RecomputeResult:
    now = timezone.now()
    creates = [s for plan in plans for s in plan.create]
    for signal in creates:
        signal.created_at = signal.updated_at = now
    EnforcementSignal.objects.bulk_create(creates, batch_size=RECOMPUTE_BATCH)
    changed = []
    for plan in plans:
        for signal in plan.update + plan.close:
            signal.version += 1
            signal.updated_at = now
            changed.append(signal)
    _update_rows(changed)
    created = [AuditEntry(obj=s, crn=s.case.crn, before=None, after=_state(s), detail=trigger) for s in creates]
    updated = [AuditEntry(obj=s, crn=s.case.crn, before=p.before.get(s.pk), after=_state(s), detail=trigger)
               for p in plans for s in p.update]
    closed = [AuditEntry(obj=s, crn=s.case.crn, before=p.before.get(s.pk),
                         after={**_state(s), "closed_note": s.closed_note}, detail=trigger)
              for p in plans for s in p.close]
    audit_record_many(actor=by, action="enforcement_signal.raise", entries=created)
    audit_record_many(actor=by, action="enforcement_signal.update", entries=updated)
    audit_record_many(actor=by, action="enforcement_signal.close_answered", entries=closed)
    return RecomputeResult(created=len(creates), updated=len(updated), closed=len(closed))


def _relevant(case_ids: list[int]) -> list[int]:
    """The cases of ``case_ids`` that can have a signal: a failure to comply, a risk event a review answers, or
    a stored signal (three index lookups; most cases have none of these and are not read further)."""
    found = set(Contact.objects.filter(case_id__in=case_ids, outcome__in=contact_rules.FAILURES_TO_COMPLY)
                .values_list("case_id", flat=True).distinct())
    found |= set(CaseEvent.objects.filter(case_id__in=case_ids, type__in=[k.value for k in REVIEW_EVENTS])
                 .values_list("case_id", flat=True).distinct())
    found |= set(EnforcementSignal.objects.filter(case_id__in=case_ids).values_list("case_id", flat=True).distinct())
    return sorted(found)


def _changed(case_ids: list[int], *, lock: bool, today: dt.date, policies: PolicyLookup) -> list[Plan]:
    plans = []
    if not lock:
        case_ids = _relevant(case_ids)
        if not case_ids:
            return plans
    for items in sentence_inputs(case_ids, lock=lock).values():
        for item in items:
            policy, config = policies(item.case.pdu_id)
            plan = plan_for(item, today=today, policy=policy, config=config)
            if plan:
                plans.append(plan)
    return plans


def signals_recompute_many(*, case_ids: list[int], trigger: str, by=None, today: dt.date | None = None,
                           policies: PolicyLookup | None = None) -> RecomputeResult:
    """Bring the signals of ``case_ids`` in step with the engine as of ``today``; audited; returns what was written.

    Every case is read and planned without a lock first; only the cases with something to write are
    read again, locked, planned again and written in one transaction. A recompute that changes nothing
    writes nothing and holds no lock.
    """
    today = today or timezone.localdate()
    policies = policies or policy_lookup()
    changed = sorted({s.case.pk for plan in _changed(case_ids, lock=False, today=today, policies=policies)
                      for s in plan.create + plan.update + plan.close})
    if not changed:
        return RecomputeResult()
    with transaction.atomic():
        return _write_plans(_changed(changed, lock=True, today=today, policies=policies), trigger=trigger, by=by)


def signals_recompute(*, case: Case, trigger: str, by=None, today: dt.date | None = None) -> RecomputeResult:
    """Bring one case's signals in step with the engine (call after any write the signals read)."""
    return signals_recompute_many(case_ids=[case.pk], trigger=trigger, by=by, today=today)


def signals_recompute_all(*, trigger: str, by=None, today: dt.date | None = None, batch: int = RECOMPUTE_BATCH,
                          pdu_id: int | None = None, workers: int = 1) -> RecomputeResult:
    """Recompute every case's signals (after a policy change; ``pdu_id``: that PDU's only), one transaction per
    ``batch`` cases with something to write; ``workers`` above 1 shares the batches among processes (from a
    command only: a process started here cannot see what the caller has not committed)."""
    return recompute_batches(
        case_id_batches(batch=batch, pdu_id=pdu_id), recompute="casework.enforcement.services.signals_recompute_many",
        lookup="casework.enforcement.plan.policy_lookup", total=RecomputeResult(), trigger=trigger, by=by,
        today=today or timezone.localdate(), workers=workers)


def recompute_on_commit(case: Case, trigger: str, by=None) -> None:
    """After the current transaction commits, recompute ``case``'s signals (the record's hook). A failure is
    logged (``casework manage recompute_enforcement`` catches up), never turned into an error page."""

    def recompute() -> None:
        try:
            signals_recompute(case=case, trigger=trigger, by=by)
        except Exception:
            logger.exception("Enforcement signals of case %s were not recomputed after: %s", case.crn, trigger)

    transaction.on_commit(recompute)


def recompute_after_contact(case: Case, outcome: str, by=None, previous: str = "") -> None:
    """The record's hook for contact outcomes: recompute after commit when the outcome is, or was, a failure to
    comply."""
    if contact_rules.is_failure_to_comply(outcome) or contact_rules.is_failure_to_comply(previous):
        recompute_on_commit(case, "failure to comply recorded", by)


# Decisions.


def _input_for(sentence: Sentence) -> SentenceInput:
    items = sentence_inputs([sentence.case_id], lock=True)[sentence.case_id]
    item = next((i for i in items if i.sentence.pk == sentence.pk and i.kind is not None), None)
    if item is None:
        raise DomainValidationError({"": NOT_SUPERVISED})
    return item


def _check_text(errors: dict[str, str], name: str, value: str, required: str, what: str) -> str:
    value = value.strip()
    if not value:
        errors[name] = required
    elif len(value) > TEXT_MAX:
        errors[name] = TOO_LONG.format(what=what, limit=TEXT_MAX)
    return value


def _oversight_for(viewer, case: Case, kind: SupervisionKind) -> OversightStatus:
    if kind not in LICENCE_KINDS:
        return OversightStatus.NOT_NEEDED
    manages = manages_case_team(viewer, case)
    return OversightStatus.AGREED if manages and viewer.has_role(Role.SPO) else OversightStatus.AWAITING


@transaction.atomic
def decision_record(*, case: Case, sentence: Sentence, by, kind: str, decided_on: dt.date | None, rationale: str,
                    signal: EnforcementSignal | None = None, expected_version: int | None = None,
                    requirement: str = "", recommendation: str = "",
                    today: dt.date | None = None) -> EnforcementDecision:
    """Record an enforcement decision on ``sentence``, answering ``signal`` (at ``expected_version``) or else the
    latest failure to comply; refuses a decision dated before what it answers, one the kind of supervision does
    not allow, and a signal already closed; audited; the sentence's signals are recomputed in the same transaction.
    """
    today = today or timezone.localdate()
    viewer = viewer_for(by)
    if not can_change(viewer, case) or sentence.case_id != case.pk:
        raise NotPermittedError(f"{by.get_username()} may not change case {case.crn}")
    Case.objects.select_for_update().filter(pk=case.pk).first()
    item = _input_for(sentence)
    errors: dict[str, str] = {}
    if kind not in DecisionKind.values:
        raise DomainValidationError({"kind": KIND_REQUIRED})
    problem = action_problem(item.kind, ENGINE_ACTION[kind])
    if problem is not None:
        errors["kind"] = next(v for k, v in NOT_FOR_KIND.items() if problem.startswith(k))
    failures = [(day, outcome, pk) for day, outcome, pk in item.contacts
                if contact_rules.is_failure_to_comply(outcome) and day <= today]
    if signal is not None:
        if signal.case_id != case.pk or signal.sentence_id != sentence.pk:
            raise DomainValidationError({"": NOT_FOR_CASE})
        if kind not in ANSWERS[signal.kind] and "kind" not in errors:
            errors["kind"] = NOT_AN_ANSWER.format(decision=DecisionKind(kind).label.lower(),
                                                  hint=ANSWER_HINTS.get(signal.kind, ""))
        answers_from = signal.since
    else:
        answers_from = failures[-1][0] if failures else None
        if answers_from is None:
            errors[""] = NOTHING_TO_ANSWER
    if decided_on is None:
        errors["decided_on"] = DATE_REQUIRED
    elif decided_on > today:
        errors["decided_on"] = DATE_IN_FUTURE
    elif answers_from is not None and decided_on < answers_from:
        errors["decided_on"] = DATE_BEFORE_EVENT.format(date=_long(answers_from))
    rationale = _check_text(errors, "rationale", rationale, RATIONALE_REQUIRED, "reasons")
    if kind == DecisionKind.BREACH:
        requirement = _check_text(errors, "requirement", requirement, REQUIREMENT_REQUIRED, "requirement")
        recommendation = _check_text(errors, "recommendation", recommendation, RECOMMENDATION_REQUIRED,
                                     "recommendation")
    else:
        requirement = recommendation = ""
    if errors:
        raise DomainValidationError(errors)
    # The failures it answers: those on or before the decision not answered by an earlier decision.
    earlier = max((d.decided_on for d in item.decisions if d.decided_on <= decided_on), default=None)
    answered = [{"date": day.isoformat(), "outcome": outcome, "contact": pk} for day, outcome, pk in failures
                if day <= decided_on and (earlier is None or day > earlier)]
    staff = getattr(by, "staff", None)
    decision = EnforcementDecision(
        case=case, sentence=sentence, kind=kind, decided_on=decided_on, rationale=rationale,
        requirement=requirement, recommendation=recommendation, failures=answered, recorded_by=staff,
        recorded_at=timezone.now(), oversight=_oversight_for(viewer, case, item.kind))
    if decision.oversight == OversightStatus.AGREED:
        decision.oversight_by, decision.oversight_at = staff, decision.recorded_at
        decision.oversight_note = "Decided by the senior probation officer of the case's team."
    if kind == DecisionKind.WARNING:
        decision.letter_text = letters.warning_letter_text(
            case=case, sentence=sentence, failures=answered, rationale=rationale,
            officer=str(staff) if staff else by.get_username(), decided_on=decided_on)
    decision.save()
    if signal is not None:
        # The claim: only if nobody closed or changed the signal since it was read (one of two at once wins).
        rows = EnforcementSignal.objects.filter(pk=signal.pk, status=SignalStatus.OPEN,
                                                version=expected_version).update(
            status=SignalStatus.DECIDED, decision=decision, decided_by=staff, decided_at=decision.recorded_at,
            closed_note=f"{DecisionKind(kind).label} decided on {_long(decided_on)}.", version=F("version") + 1,
            updated_at=timezone.now())
        if rows != 1:
            current = EnforcementSignal.objects.filter(pk=signal.pk).values_list("status", flat=True).first()
            if current == SignalStatus.DECIDED:
                raise DomainValidationError({"": SIGNAL_CLOSED})
            raise ConcurrentEditError()
    audit_record(actor=by, action="enforcement_decision.record", obj=decision, crn=case.crn, detail=rationale,
                 after={"kind": kind, "sentence": sentence.pk, "decided_on": decided_on,
                        "signal": getattr(signal, "pk", None), "failures": answered, "oversight": decision.oversight})
    signals_recompute_many(case_ids=[case.pk], trigger=f"{DecisionKind(kind).label.lower()} recorded", by=by,
                           today=today)
    if kind == DecisionKind.BREACH and case.gender == "FEMALE":
        from casework.record.services import tier_recalculate

        transaction.on_commit(lambda: tier_recalculate(case=case, trigger="breach recorded", by=by))
    return EnforcementDecision.objects.select_related("case", "sentence", "recorded_by").get(pk=decision.pk)


@transaction.atomic
def decision_oversee(*, decision: EnforcementDecision, by, expected_version: int, agreed: bool | None,
                     note: str) -> EnforcementDecision:
    """The SPO's oversight of a licence decision (rules.md §5.2): agreed or not, with what they considered."""
    viewer = viewer_for(by)
    case = decision.case
    staff = getattr(by, "staff", None)
    manages = manages_case_team(viewer, case) and viewer.has_role(Role.SPO)
    if not manages or viewer.read_only:
        raise NotPermittedError(OVERSIGHT_NOT_ENTITLED)
    errors: dict[str, str] = {}
    if decision.oversight != OversightStatus.AWAITING:
        raise DomainValidationError({"": OVERSIGHT_NOT_AWAITED})
    if staff is not None and decision.recorded_by_id == staff.pk:
        raise DomainValidationError({"": OVERSIGHT_OWN})
    if agreed is None:
        errors["agreed"] = OVERSIGHT_REQUIRED
    note = _check_text(errors, "note", note, NOTE_REQUIRED, "oversight")
    if errors:
        raise DomainValidationError(errors)
    status = OversightStatus.AGREED if agreed else OversightStatus.NOT_AGREED
    rows = EnforcementDecision.objects.filter(pk=decision.pk, oversight=OversightStatus.AWAITING,
                                              version=expected_version).update(
        oversight=status, oversight_by=staff, oversight_at=timezone.now(), oversight_note=note,
        version=F("version") + 1)
    if rows != 1:
        current = EnforcementDecision.objects.filter(pk=decision.pk).values_list("oversight", flat=True).first()
        if current != OversightStatus.AWAITING:
            raise DomainValidationError({"": OVERSIGHT_NOT_AWAITED})
        raise ConcurrentEditError()
    audit_record(actor=by, action="enforcement_decision.oversee", obj=decision, crn=case.crn, detail=note,
                 before={"oversight": OversightStatus.AWAITING}, after={"oversight": status, "note": note})
    return EnforcementDecision.objects.select_related("case", "sentence", "recorded_by", "oversight_by").get(
        pk=decision.pk)
