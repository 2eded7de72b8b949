"""Compliance and enforcement where people work: ``/enforcement/`` (an SPO's teams' open signals and the
licence decisions awaiting their oversight; a head of PDU's counts by team), the decision form, a
decision with its letter or information for court (and the PDF), and the case overview's Compliance
section."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from casework.access.models import Role
from casework.access.policy import Perm, requires
from casework.access.visibility import manages_any_team, manages_case_team
from casework.core.errors import ConcurrentEditError, DomainValidationError, NotPermittedError
from casework.enforcement import letters, services
from casework.enforcement.choices import ANSWERS, ENGINE_ACTION, DecisionKind, OversightStatus, SignalKind
from casework.enforcement.selectors import (
    awaiting_oversight,
    case_compliance,
    decision_get,
    pdu_counts,
    signal_get,
    team_signals,
)
from casework.record.models import Sentence
from casework.rules.enforcement import action_problem
from casework.web.enforcement_forms import DecisionForm, OversightForm
from casework.web.views.common import get_case, page_number

WHY = {
    SignalKind.SECOND_FAILURE_NO_BREACH_DECISION: "A failure to comply on an order after a warning in the 12 months "
                                                  "before it: the law requires a breach decision",
    SignalKind.LICENCE_FAILURE_NO_DECISION: "A failure to comply on licence or post-sentence supervision with no "
                                            "recorded enforcement decision",
    SignalKind.RISK_EVENT_NO_REVIEW: "An arrest, charge or domestic abuse call-out with no risk review since",
    SignalKind.REPEATED_ABSENCE_NO_RECALL_CONSIDERATION: "Repeated unacceptable absences on licence with no "
                                                         "consideration of recall",
}


def status_words(signal, today: dt.date) -> tuple[str, str]:
    """The signal's status tag: words and GOV.UK tag colour."""
    if signal.status == "OPEN":
        if signal.due < today:
            return "Overdue", "govuk-tag--red"
        if signal.due == today:
            return "Due today", "govuk-tag--orange"
        return "Decision due", "govuk-tag--blue"
    return "Decided", "govuk-tag--green"


def signal_rows(signals, today: dt.date) -> list[dict]:
    rows = []
    for signal in signals:
        words, colour = status_words(signal, today)
        rows.append({"signal": signal, "status": words, "colour": colour, "why": WHY[signal.kind],
                     "open": signal.status == "OPEN", "risk_event": signal.kind == SignalKind.RISK_EVENT_NO_REVIEW})
    return rows


def _kinds_for(kind, signal) -> list[str]:
    allowed = ANSWERS[signal.kind] if signal is not None else frozenset(DecisionKind.values)
    return [k for k in DecisionKind.values if k in allowed and (kind is None or action_problem(kind, ENGINE_ACTION[k])
                                                               is None)]


@requires(Perm.CASE_VIEW)
def decision_new(request, crn: str):
    """Record a decision: answering the signal ``?signal=`` names, or the latest failure on a sentence."""
    visible = get_case(request, crn, page="enforcement decision")
    case = visible.case
    today = timezone.localdate()
    signal = None
    raw = request.GET.get("signal") or request.POST.get("signal")
    if raw:
        if not re.fullmatch(r"[0-9]{1,12}", str(raw)):
            raise Http404("No such signal")
        signal = signal_get(case=visible, signal_id=int(raw))
    compliance = case_compliance(case=visible, today=today)
    supervised = {c.item.sentence.pk: c for c in compliance}
    if signal is not None:
        sentences = [(signal.sentence_id, signal.sentence.get_kind_display())]
        kind = supervised[signal.sentence_id].item.kind if signal.sentence_id in supervised else None
    else:
        sentences = [(c.item.sentence.pk, f"{c.item.sentence.get_kind_display()}, "
                      f"sentenced {c.item.sentence.sentence_date:%-d %B %Y}") for c in compliance]
        kind = compliance[0].item.kind if len(compliance) == 1 else None
    kinds = _kinds_for(kind, signal)
    form = DecisionForm(request.POST or None, kinds=kinds, sentences=sentences,
                        initial={"version": signal.version if signal else None, "decided_on": today})
    if request.method == "POST":
        if not visible.can_change:
            raise PermissionDenied("Only the case manager or the team's SPO can record a decision")
        if form.is_valid():
            data = form.cleaned_data
            sentence = Sentence.objects.filter(case=case, pk=data["sentence"]).first()
            try:
                if sentence is None:
                    raise DomainValidationError({"sentence": "Select the sentence the decision is about"})
                decision = services.decision_record(
                    case=case, sentence=sentence, by=request.user, kind=data["kind"], decided_on=data["decided_on"],
                    rationale=data["rationale"], signal=signal, expected_version=data["version"],
                    requirement=data["requirement"], recommendation=data["recommendation"])
            except DomainValidationError as exc:
                for field, message in exc.errors.items():
                    form.add_error(field if field in form.fields else None, message)
            except ConcurrentEditError as exc:
                form.add_error(None, exc.message)
            except NotPermittedError:
                raise PermissionDenied() from None
            else:
                messages.success(request, f"{decision.get_kind_display()} recorded")
                if decision.kind == DecisionKind.CONSIDER_RECALL:
                    return redirect(reverse("recall-new", args=[case.crn]))
                return redirect("enforcement-decision", crn=case.crn, decision_id=decision.pk)
    context = {"case": case, "can_change": visible.can_change, "form": form, "signal": signal,
               "signal_row": signal_rows([signal], today)[0] if signal else None, "kinds": kinds,
               "compliance": compliance, "section": "overview"}
    return render(request, "web/enforcement/decide.html", context)


def _may_oversee(viewer, decision) -> bool:
    case = decision.case
    return (decision.oversight == OversightStatus.AWAITING and viewer.has_role(Role.SPO) and not viewer.read_only
            and manages_case_team(viewer, case)
            and decision.recorded_by_id != viewer.staff_id)


@requires(Perm.CASE_VIEW)
def decision_page(request, crn: str, decision_id: int):
    """One decision: what, when, why, by whom; its letter or information for court; the SPO's oversight."""
    visible = get_case(request, crn, page="enforcement decision")
    decision = decision_get(case=visible, decision_id=decision_id)
    may_oversee = _may_oversee(request.viewer, decision)
    form = OversightForm(request.POST or None, initial={"version": decision.version})
    if request.method == "POST":
        if not may_oversee:
            raise PermissionDenied("Only the senior probation officer of the case's team can record oversight")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.decision_oversee(decision=decision, by=request.user, expected_version=data["version"],
                                          agreed=data["agreed"], note=data["note"])
            except DomainValidationError as exc:
                for field, message in exc.errors.items():
                    form.add_error(field if field in form.fields else None, message)
            except ConcurrentEditError as exc:
                form.add_error(None, exc.message)
            except NotPermittedError:
                raise PermissionDenied() from None
            else:
                messages.success(request, "Oversight recorded")
                return redirect("enforcement-decision", crn=visible.case.crn, decision_id=decision.pk)
    return render(request, "web/enforcement/decision.html", {
        "case": visible.case, "decision": decision, "form": form, "may_oversee": may_oversee,
        "court": letters.court_information_text(decision) if decision.kind == DecisionKind.BREACH else "",
        "has_document": letters.document_text(decision) is not None,
        "answered": letters.failure_rows(decision.failures), "section": "overview"})


@requires(Perm.CASE_VIEW)
def decision_document(request, crn: str, decision_id: int):
    """A warning letter or a breach's information for court as a PDF download."""
    visible = get_case(request, crn, page="enforcement document download")
    decision = decision_get(case=visible, decision_id=decision_id)
    text = letters.document_text(decision)
    if text is None:
        raise Http404("This decision has no document")
    title = "Formal warning" if decision.kind == DecisionKind.WARNING else "Breach: information for the court"
    response = HttpResponse(letters.pdf_bytes(title, text), content_type="application/pdf")
    kind = "warning-letter" if decision.kind == DecisionKind.WARNING else "breach-information"
    response["Content-Disposition"] = f'attachment; filename="{kind}-{visible.case.crn}-{decision.decided_on}.pdf"'
    return response


CHART_WIDTH = 600
BAR_HEIGHT = 22


def _chart(counts) -> dict | None:
    """A horizontal bar chart of open and overdue signals by team, drawn server-side (no JavaScript)."""
    if not counts:
        return None
    top = max((c.open for c in counts), default=0) or 1
    label_width, scale = 180, (CHART_WIDTH - 180 - 60) / top
    bars = [{"y": i * (BAR_HEIGHT + 8), "label": c.team.name, "open": c.open, "overdue": c.overdue,
             "open_width": round(c.open * scale, 1), "overdue_width": round(c.overdue * scale, 1),
             "text_y": i * (BAR_HEIGHT + 8) + 15, "value_x": label_width + round(c.open * scale, 1) + 6}
            for i, c in enumerate(counts)]
    return {"bars": bars, "width": CHART_WIDTH, "height": len(bars) * (BAR_HEIGHT + 8), "label_width": label_width,
            "bar_height": BAR_HEIGHT}


@requires(Perm.ENFORCEMENT_VIEW)
def enforcement_page(request):
    """An SPO's teams' open signals, oldest first, and decisions awaiting their oversight; a head of PDU's
    counts by team."""
    viewer = request.viewer
    today = timezone.localdate()
    context: dict = {"today": today}
    if manages_any_team(viewer) and viewer.has_role(Role.SPO):
        page = team_signals(viewer=viewer, page=page_number(request))
        context |= {"page": page, "rows": signal_rows(page.object_list, today),
                    "awaiting": awaiting_oversight(viewer=viewer)}
    counts = pdu_counts(viewer=viewer, today=today)
    if counts:
        context |= {"counts": counts, "chart": _chart(counts),
                    "totals": {"open": sum(c.open for c in counts), "overdue": sum(c.overdue for c in counts),
                               "awaiting": sum(c.awaiting for c in counts)}}
    return render(request, "web/enforcement/index.html", context)


def case_compliance_section(visible) -> dict:
    """The case overview's Compliance section (a fixed number of queries)."""
    today = timezone.localdate()
    sentences = case_compliance(case=visible, today=today)
    return {"sentences": [{"c": c, "rows": signal_rows(c.signals, today)} for c in sentences]}
