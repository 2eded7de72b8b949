"""Recall pages: start (``/cases/<crn>/recall/new/``), one recall's timeline with the form for the next
step for whoever may take it, its document as PDF, and the recalls waiting for the viewer (``/recalls/``).

Who may take which step is the workflow table's (``casework.rules.recall_workflow``) with the viewer's
roles on the case (``casework.access.visibility.recall_actors``); the services check both again.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from casework.access.policy import Perm, requires
from casework.access.visibility import recall_actors
from casework.core.errors import DomainValidationError, NotPermittedError
from casework.recall import services
from casework.recall.documents import pdf_for
from casework.recall.facts import GROUP_WORDS, engine_decision, group_of, known_answers, sentence_words
from casework.recall.selectors import (
    awaiting,
    case_recalls,
    licence_sentences,
    recall_get,
    recommendation_facts,
)
from casework.rules.recall import RecallType
from casework.rules.recall_workflow import (
    STATE_WORDS,
    STEP_WORDS,
    TRANSITIONS,
    Actor,
    State,
    Step,
    available_steps,
    who_may,
)
from casework.web.recall_forms import (
    CountersignForm,
    IssueForm,
    NotRecallForm,
    OversightForm,
    RecommendForm,
    StartForm,
)
from casework.web.views.common import get_case, save_form

TYPE_WORDS = {RecallType.FIXED_TERM: "Fixed-term recall", RecallType.STANDARD: "Standard recall",
              RecallType.NO_RECALL: "No recall"}
ROLE_WORDS = {Actor.PRACTITIONER: "case manager", Actor.SPO: "SPO", Actor.ACO: "head of PDU"}
STATE_COLOURS = {State.ISSUED: "govuk-tag--red", State.NOT_RECALLED: "govuk-tag--grey"}


def _save(form, write) -> bool:
    """``save_form``, with a refusal said on the form (the recall page already showed the case)."""
    return save_form(form, write, refusal_on_form=True)



@requires(Perm.CASE_VIEW)
def recall_new(request, crn: str):
    """Start a recall: the case manager records why recall is being considered."""
    visible = get_case(request, crn, page="recall: consider")
    case = visible.case
    sentences = licence_sentences(case=visible)
    roles = recall_actors(request.viewer, case)
    form = StartForm(request.POST or None, sentences=sentences)
    if request.method == "POST" and sentences and form.is_valid():
        data = form.cleaned_data
        started = {}

        def write():
            started["recall"] = services.recall_start(case=case, by=request.user, sentence_id=data["sentence"],
                                                      reason=data["reason"])

        if _save(form, write):
            messages.success(request, "Recall consideration recorded: the SPO has been asked for oversight")
            return redirect("recall", crn=case.crn, recall_id=started["recall"].pk)
    return render(request, "web/recall/new.html", {
        "case": case, "form": form, "sentences": sentences, "may_start": Actor.PRACTITIONER in roles,
        "who": who_may(Step.CONSIDER), "recalls": [{"recall": r, "words": STATE_WORDS[State(r.state)]}
                                      for r in case_recalls(case=visible)],
        "section": "overview"})


def _forms(request, visible, recall, steps_available, posted_action):
    """The forms of the steps the viewer may take now; the posted one bound to the request."""
    data = request.POST if request.method == "POST" else None
    initial = {"version": recall.version}
    forms = {}

    def bound(action):
        return data if posted_action == action else None

    if Step.OVERSIGHT in steps_available:
        forms["oversight"] = OversightForm(bound("oversight"), initial=initial, prefix="oversight")
    if Step.NOT_RECALL_AT_OVERSIGHT in steps_available or Step.NOT_RECALL_AT_RECOMMENDATION in steps_available:
        forms["not_recall"] = NotRecallForm(bound("not_recall"), initial=initial, prefix="not_recall")
    if Step.RECOMMEND in steps_available:
        facts = recommendation_facts(case=visible, recall=recall)
        known = known_answers(recall.sentence, facts.registrations, today=timezone.localdate())
        forms["recommend"] = RecommendForm(bound("recommend") or bound("check"), initial=initial,
                                           conditions=facts.conditions, group=group_of(recall.sentence),
                                           known=known, prefix="recommend")
    if Step.SPO_COUNTERSIGN in steps_available or Step.ACO_COUNTERSIGN in steps_available:
        forms["countersign"] = CountersignForm(bound("spo_countersign") or bound("aco_countersign"), initial=initial,
                                               prefix="countersign")
    if Step.ISSUE in steps_available:
        forms["issue"] = IssueForm(bound("issue"), initial=initial, prefix="issue")
    return forms


def _write(request, recall, action, form, roles):
    data = form.cleaned_data
    version = data["version"]
    by = request.user
    if action == "oversight":
        return lambda: services.record_oversight(recall=recall, by=by, expected_version=version,
                                                 rationale=data["rationale"])
    if action == "not_recall":
        return lambda: services.decide_not_to_recall(recall=recall, by=by, expected_version=version,
                                                     reasons=data["reasons"])
    if action == "recommend":
        return lambda: services.recommend(
            recall=recall, by=by, expected_version=version, answers=form.answers(), recall_type=data["recall_type"],
            emergency=data["emergency"], custody_status=data["custody_status"], condition_ids=data["conditions"],
            alternatives_tried=data["alternatives_tried"], rationale=data["rationale"])
    if action in ("spo_countersign", "aco_countersign"):
        as_role = Actor.SPO if action == "spo_countersign" else Actor.ACO
        return lambda: services.countersign(recall=recall, by=by, expected_version=version, comment=data["comment"],
                                            as_role=as_role)
    return lambda: services.issue(recall=recall, by=by, expected_version=version)


DONE = {"oversight": "SPO oversight recorded", "not_recall": "Decision not to recall recorded: the letter is ready",
        "recommend": "Recommendation recorded: the SPO has been asked to countersign",
        "spo_countersign": "Countersignature recorded", "aco_countersign": "Countersignature recorded",
        "issue": "Recall document issued"}


@requires(Perm.CASE_VIEW)
def recall_page(request, crn: str, recall_id: int):
    """One recall: where it is, every step taken (who, when, what), and the next step's form for whoever
    may take it. POST ``action``: oversight, not_recall, check (the recall type for the answers given,
    nothing saved), recommend, spo_countersign, aco_countersign, issue."""
    visible = get_case(request, crn, page="recall")
    case = visible.case
    recall = recall_get(case=visible, recall_id=recall_id)
    viewer = request.viewer
    roles = recall_actors(viewer, case)
    steps = list(recall.steps.all())
    taken_by = {Step(s.step): s.by_id for s in steps}
    state = State(recall.state)
    steps_available = available_steps(state, roles, person=viewer.staff_id, taken_by=taken_by)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    forms = _forms(request, visible, recall, steps_available, action)
    posted = forms.get({"check": "recommend", "spo_countersign": "countersign",
                        "aco_countersign": "countersign"}.get(action, action))
    if request.method == "POST":
        if posted is None:
            # The step is no longer the viewer's to take (someone took it meanwhile, or never was): say why.
            posted = _refusal_form(request, recall, roles, action)
        elif action == "check":
            posted.is_valid()  # show the recall type for the answers given; save nothing
        elif posted.is_valid() and _save(posted, _write(request, recall, action, posted, roles)):
            messages.success(request, DONE[action])
            return redirect("recall", crn=case.crn, recall_id=recall.pk)
    recommend = forms.get("recommend")
    engine = None
    if recommend is not None:
        decision = engine_decision(group_of(recall.sentence), recommend.answers())
        engine = {"mandatory": TYPE_WORDS[decision.mandatory] if decision.mandatory else "",
                  "allowed": [TYPE_WORDS[t] for t in decision.allowed], "reasons": decision.reasons,
                  "emergency_offered": decision.emergency_offered, "rules_version": decision.rules_version}
    waiting_for = _waiting_for(state)
    return render(request, "web/recall/recall.html", {
        "case": case, "recall": recall,
        "steps": [{"row": s, "words": STEP_WORDS[Step(s.step)], "role": ROLE_WORDS.get(s.role, "")} for s in steps],
        "state_words": STATE_WORDS[state], "state_colour": STATE_COLOURS.get(state, "govuk-tag--blue"),
        "forms": forms, "form": posted, "engine": engine, "group_words": GROUP_WORDS[group_of(recall.sentence)],
        "sentence_words": sentence_words(recall.sentence), "type_words": TYPE_WORDS.get(recall.recall_type, ""),
        "waiting_for": waiting_for, "has_document": state in (State.ISSUED, State.NOT_RECALLED),
        "countersign_as": ("SPO" if state == State.RECOMMENDED else "head of PDU"),
        "countersign_action": ("spo_countersign" if state == State.RECOMMENDED else "aco_countersign"),
        "section": "overview"})


def _waiting_for(state: State) -> str:
    nexts = [step for step, t in TRANSITIONS.items() if t.source == state and t.target != State.NOT_RECALLED]
    return who_may(nexts[0]) if nexts else ""


class _Refused(NotRecallForm):
    """Carries the refusal of a step the viewer cannot take to the error summary."""


def _refusal_form(request, recall, roles, action):
    """A form carrying to the error summary why the posted step is not the viewer's to take now."""
    form = _Refused({"version": recall.version, "reasons": "-"})
    form.is_valid()
    step = {"oversight": Step.OVERSIGHT, "recommend": Step.RECOMMEND, "check": Step.RECOMMEND, "issue": Step.ISSUE,
            "spo_countersign": Step.SPO_COUNTERSIGN, "aco_countersign": Step.ACO_COUNTERSIGN,
            "not_recall": (Step.NOT_RECALL_AT_OVERSIGHT if recall.state == State.CONSIDERED
                           else Step.NOT_RECALL_AT_RECOMMENDATION)}.get(action)
    if step is None:
        form.add_error(None, "Choose a step to record")
        return form
    try:
        services.check_step(recall=recall, step=step, by=request.user)
    except DomainValidationError as exc:
        form.add_error(None, next(iter(exc.errors.values())))
    except NotPermittedError as exc:
        form.add_error(None, str(exc))
    else:
        form.add_error(None, "This step could not be recorded: reload the page and try again")
    return form


@requires(Perm.CASE_VIEW)
def recall_document(request, crn: str, recall_id: int):
    """The issued recall document, or the letter giving the reasons for not recalling, as a PDF download."""
    visible = get_case(request, crn, page="recall document download")
    recall = recall_get(case=visible, recall_id=recall_id)
    made = pdf_for(recall)
    if made is None:
        raise Http404("No document yet: the recall has not been issued or decided")
    content, filename = made
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@requires(Perm.RECALL_COUNTERSIGN)
def recalls_page(request):
    """The recalls waiting for the viewer: oversight and countersignature as SPO, countersignature as head of
    PDU, and those ready to issue."""
    waiting = awaiting(viewer=request.viewer)
    sections = [("oversight", "Waiting for your oversight", waiting.oversight),
                ("spo", "Waiting for your countersignature as SPO", waiting.spo),
                ("aco", "Waiting for your countersignature as head of PDU", waiting.aco),
                ("issue", "Countersigned and ready to issue", waiting.issue)]
    return render(request, "web/recall/recalls.html", {
        "sections": [{"id": key, "title": title, "recalls": rows} for key, title, rows in sections],
        "total": waiting.total, "limit": waiting.LIMIT})
