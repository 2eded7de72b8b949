"""Quality assurance (``/quality/``): set up an exercise, draw its sample, allocate assessors, assess and
moderate cases with the record beside the form, enter organisational ratings and overrides, and read the
results (ratings, breakdowns with charts, exercises compared over time) as a page, a PDF, CSV and XLSX."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from casework.access.policy import Perm, requires
from casework.access.visibility import may_run_quality, quality_scope_choices, visible_cases
from casework.core.errors import ConcurrentEditError, DomainValidationError, NotPermittedError
from casework.organisation.models import Pdu, Region, Team
from casework.quality import exports, selectors, services
from casework.quality.choices import AssessmentStatus, ExerciseStatus, ModerationStatus, SampleRole, Stratum
from casework.quality.evidence import case_proposals
from casework.quality.models import Assessment, Exercise, SampledCase
from casework.quality.prompts import PROVENANCE, prompts_for
from casework.quality.results import exercise_results
from casework.record.models import Case
from casework.record.selectors import case_overview
from casework.rules import qa_evidence
from casework.ruleset import selectors as ruleset
from casework.web.csv_export import csv_response
from casework.web.quality_charts import breakdown_chart, standards_chart, trend_chart
from casework.web.quality_forms import (
    AnswersForm,
    AssessorForm,
    ExerciseForm,
    ModerationForm,
    OverrideForm,
    RatingForm,
    ReplaceForm,
    ShareForm,
    answer_field_names,
)
from casework.web.views.common import get_case, page_number, save_form

SAMPLE_PAGE = 50


def _exercise(request, exercise_id: int) -> Exercise:
    return selectors.exercise_get(request.viewer, exercise_id)


def _back(exercise: Exercise, anchor: str = ""):
    return redirect(reverse("quality-exercise", args=[exercise.pk]) + anchor)


@requires(Perm.QUALITY_VIEW)
def index(request):
    """Exercises in the viewer's scope, in progress and completed, and completed ones compared over time."""
    exercises = list(selectors.visible_exercises(request.viewer).select_related("team", "pdu", "region")[:200])
    progress = selectors.progress_by_exercise([e.pk for e in exercises])
    completed = sorted((e for e in exercises if e.status == ExerciseStatus.COMPLETED), key=lambda e: (e.as_of, e.pk))
    trend = []
    for exercise in completed[-6:]:
        results = exercise_results(exercise)
        trend.append({"exercise": exercise, "framework": results.framework, "cases": results.cases,
                      "overall": results.overall,
                      "standards": [(v.key, v.lowest_percent, v.computed_rating) for v in results.standards
                                    if v.assessed]})
    return render(request, "web/quality/index.html", {
        "rows": [(e, progress[e.pk]) for e in exercises], "trend": trend, "trend_chart": trend_chart(trend),
        "can_run": may_run_quality(request.viewer)})


def _scope_from(value: str) -> services.Scope:
    kind, _, pk = value.partition(":")
    if kind == "national":
        return services.Scope(country=True)
    model = {"region": Region, "pdu": Pdu, "team": Team}.get(kind)
    obj = model.objects.filter(pk=int(pk)).first() if model and pk.isdigit() else None
    return services.Scope(**{kind: obj}) if obj is not None else services.Scope()


@requires(Perm.QUALITY_RUN)
def exercise_new(request):
    scopes = selectors.scope_options(*quality_scope_choices(request.viewer))
    form = ExerciseForm(request.POST or None, scopes=scopes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = {}

        def write():
            created["exercise"] = services.exercise_create(
                by=request.user, name=data["name"], framework=data["framework"], scope=_scope_from(data["scope"]),
                window_start=data["window_start"], window_end=data["window_end"], as_of=data["as_of"],
                case_standards=data["case_standards"], requested_size=data["requested_size"],
                buffer_percent=data["buffer_percent"])

        if save_form(form, write):
            messages.success(request, "Exercise set up. Draw the sample when you are ready.")
            return _back(created["exercise"])
    return render(request, "web/quality/new.html", {"form": form})


@requires(Perm.QUALITY_VIEW)
def exercise_page(request, exercise_id: int):
    exercise = _exercise(request, exercise_id)
    viewer = request.viewer
    can_run = may_run_quality(viewer) and exercise.status != ExerciseStatus.COMPLETED
    progress = selectors.progress_by_exercise([exercise.pk])[exercise.pk]
    page = selectors.sample_page(exercise, page_number(request), size=SAMPLE_PAGE)
    framework, _ = ruleset.framework(exercise.framework)
    entered = {r.standard: r for r in exercise.standard_ratings.all()}
    overrides = {o.standard: o for o in exercise.overrides.all()}
    rated = [{"standard": s, "entered": entered.get(s.key), "override": overrides.get(s.key),
              "assessed": s.key in exercise.case_standards} for s in framework.standards]
    assessors = selectors.assessors_for(exercise, today=timezone.localdate()) if can_run else []
    share = ShareForm(assessors=[(s.pk, s.name) for s in assessors])
    reserves = selectors.sample_page(exercise, 1, role=SampleRole.RESERVE, size=200).object_list
    replaced = list(selectors.sample_rows(exercise, role=SampleRole.REPLACED))
    # A CRN the viewer may not see (excluded from the case) is withheld in every list here.
    shown = [s.case_id for s in [*page.object_list, *reserves, *replaced]] + [
        s.replaced_by.case_id for s in replaced if s.replaced_by_id]
    seen = set(visible_cases(viewer, Case.objects.filter(pk__in=shown)).values_list("pk", flat=True))
    return render(request, "web/quality/exercise.html", {
        "exercise": exercise, "progress": progress, "page": page, "framework": framework, "rated": rated,
        "reserves": reserves, "replaced": replaced, "seen": seen,
        "can_run": can_run, "share": share, "strata": _strata(exercise),
        "me": viewer.staff_id})


def _strata(exercise: Exercise) -> list[dict]:
    return [{"label": Stratum(k).label, **v} for k, v in exercise.strata.items()]


@requires(Perm.QUALITY_RUN)
def sample_draw(request, exercise_id: int):
    exercise = _exercise(request, exercise_id)
    if request.method == "POST":
        try:
            services.sample_draw(exercise=exercise, by=request.user,
                                 expected_version=_int(request.POST.get("version")))
            messages.success(request, "Sample drawn.")
        except DomainValidationError as exc:
            messages.error(request, " ".join(exc.errors.values()))
        except NotPermittedError:
            raise Http404("No such exercise") from None
        except ConcurrentEditError as exc:
            messages.error(request, exc.message)
    return _back(exercise, "#sample")


def _int(value) -> int | None:
    return int(value) if value is not None and str(value).isascii() and str(value).isdigit() else None


@requires(Perm.QUALITY_RUN)
def assessors_share(request, exercise_id: int):
    exercise = _exercise(request, exercise_id)
    if request.method == "POST":
        assessors = selectors.assessors_for(exercise, today=timezone.localdate())
        form = ShareForm(request.POST, assessors=[(s.pk, s.name) for s in assessors])
        if form.is_valid():
            chosen = [s for s in assessors if str(s.pk) in form.cleaned_data["assessors"]]
            try:
                n = services.assessors_share(exercise=exercise, assessors=chosen, by=request.user)
                messages.success(request, f"{n} case{'s' if n != 1 else ''} allocated to assessors.")
            except DomainValidationError as exc:
                messages.error(request, " ".join(exc.errors.values()))
        else:
            messages.error(request, "Select at least one assessor")
    return _back(exercise, "#sample")


def _questions(exercise: Exercise, framework) -> list[tuple[str, str, str]]:
    return [(s.key, q.key, q.text) for s in framework.standards if s.key in exercise.case_standards
            for q in s.key_questions]


def _initial(assessment: Assessment | None, *, moderation: bool = False) -> dict:
    if assessment is None:
        return {}
    initial = {"version": assessment.version if moderation else None}
    for row in assessment.answers.all():
        answer, note = answer_field_names(row.standard, row.key_question)
        initial[answer] = row.final if moderation else row.answer
        initial[note] = row.moderation_note if moderation else row.evidence
    return initial


def _sections(form, framework, exercise, proposals, assessment) -> list[dict]:
    rows = {(a.standard, a.key_question): a for a in assessment.answers.all()} if assessment else {}
    sections = []
    for standard in framework.standards:
        if standard.key not in exercise.case_standards:
            continue
        items = []
        for q in standard.key_questions:
            answer, note = answer_field_names(standard.key, q.key)
            items.append({"key": q.key, "text": q.text, "answer": form[answer] if form else None,
                          "note": form[note] if form else None, "row": rows.get((standard.key, q.key)),
                          "prompts": prompts_for(exercise.framework, standard.key, q.key),
                          "proposal": proposals.get((standard.key, q.key))})
        sections.append({"standard": standard, "items": items})
    return sections


@requires(Perm.QUALITY_VIEW)
def case_page(request, exercise_id: int, sampled_id: int):
    """One sampled case: the assessment form (or the answers), the record's evidence and proposals beside each
    key question, and the case record read-only through the viewer's own visibility."""
    exercise = _exercise(request, exercise_id)
    sampled = selectors.sampled_get(exercise, sampled_id)
    # The case through the viewer's own visibility: a case they may not see (excluded from it, say) is not
    # found here either, as on every case page (a view of a limited-access case is audited).
    visible = get_case(request, sampled.case.crn, page="quality assessment")
    framework, _ = ruleset.framework(exercise.framework)
    assessment = Assessment.objects.filter(sampled_case=sampled).select_related("assessor", "moderator").first()
    viewer = request.viewer
    mine = sampled.assessor_id == viewer.staff_id and may_run_quality(viewer)
    open_exercise = exercise.status != ExerciseStatus.COMPLETED and sampled.role == SampleRole.SAMPLE
    editable = mine and open_exercise and (assessment is None or assessment.status != AssessmentStatus.SUBMITTED)
    can_moderate = (may_run_quality(viewer) and open_exercise and assessment is not None
                    and assessment.status == AssessmentStatus.SUBMITTED
                    and assessment.moderation == ModerationStatus.NONE and assessment.assessor_id != viewer.staff_id)
    questions = _questions(exercise, framework)
    form = moderation_form = None
    if editable:
        initial = _initial(assessment) | {"version": sampled.version}
        form = AnswersForm(request.POST or None, questions=questions, initial=initial)
        if request.method == "POST" and request.POST.get("action") in ("save", "submit") and form.is_valid():
            submit = request.POST["action"] == "submit"

            def write():
                services.assessment_save(
                    sampled=sampled, by=request.user, submit=submit,
                    answers={k: services.Given(a, e) for k, (a, e) in form.given().items()},
                    expected_version=form.cleaned_data.get("version"))

            if _save_answers(form, write, questions):
                messages.success(request, "Assessment submitted and locked." if submit else "Draft saved.")
                return redirect(request.path)
    elif can_moderate:
        moderation_form = ModerationForm(request.POST or None, questions=questions, evidence_label="Why (if changed)",
                                         initial=_initial(assessment, moderation=True))
        if request.method == "POST" and request.POST.get("action") == "moderate" and moderation_form.is_valid():
            def moderate():
                services.assessment_moderate(
                    assessment=assessment, by=request.user, note=moderation_form.cleaned_data.get("note") or "",
                    answers={k: services.Given(a, e) for k, (a, e) in moderation_form.given().items()},
                    expected_version=moderation_form.cleaned_data.get("version"))

            if _save_answers(moderation_form, moderate, questions):
                messages.success(request, "Moderation recorded.")
                return redirect(request.path)
    elif request.method == "POST":
        # Refused with the reason, nothing changed: not theirs, already submitted, or the exercise is closed.
        if exercise.status == ExerciseStatus.COMPLETED:
            messages.error(request, services.ALREADY_COMPLETED)
        elif not mine and request.POST.get("action") != "moderate":
            messages.error(request, services.NOT_ALLOCATED)
        elif assessment is not None and assessment.status == AssessmentStatus.SUBMITTED and not can_moderate:
            if mine:
                moderating = request.POST.get("action") == "moderate"
                messages.error(request, services.MODERATOR_IS_ASSESSOR if moderating else services.ASSESSMENT_LOCKED)
            else:
                messages.error(request, services.ALREADY_MODERATED)
        else:
            messages.error(request, services.NOT_SUBMITTED)
        return redirect(request.path)
    # The case record, read through the viewer's own visibility (audited for a limited-access case).
    record = case_overview(case=visible)
    proposals = case_proposals(sampled.case, framework=exercise.framework, as_of=exercise.as_of,
                               standards=exercise.case_standards)
    return render(request, "web/quality/case.html", {
        "exercise": exercise, "sampled": sampled, "assessment": assessment, "form": form or moderation_form,
        "editing": form is not None, "moderating": moderation_form is not None, "record": record,
        "sections": _sections(form or moderation_form, framework, exercise, proposals, assessment),
        "prompt_provenance": PROVENANCE, "evidence_version": qa_evidence.RULES_VERSION})


def _save_answers(form, write, questions) -> bool:
    """``save_form`` with the service's "2.1-SAFETY" field names put back on the answer fields; a stale
    version or a refusal goes on the form like any other (never a server error)."""
    names = {f"{std}-{kq}": answer_field_names(std, kq)[0] for std, kq, _ in questions}

    def mapped():
        try:
            write()
        except DomainValidationError as exc:
            raise DomainValidationError({names.get(k, k): v for k, v in exc.errors.items()}) from None

    return save_form(form, mapped, refusal_on_form=True)


@requires(Perm.QUALITY_RUN)
def assessor_change(request, exercise_id: int, sampled_id: int):
    exercise = _exercise(request, exercise_id)
    sampled = selectors.sampled_get(exercise, sampled_id)
    get_case(request, sampled.case.crn, page="quality assessor")  # 404 for a case they may not see
    if request.method == "POST":
        assessors = selectors.assessors_for(exercise, today=timezone.localdate())
        form = AssessorForm(request.POST, assessors=[(s.pk, s.name) for s in assessors])
        if form.is_valid():
            chosen = next((s for s in assessors if str(s.pk) == form.cleaned_data["assessor"]), None)
            try:
                services.assessor_set(sampled=sampled, assessor=chosen, by=request.user,
                                      expected_version=form.cleaned_data.get("version"))
                messages.success(request, f"Assessor for {sampled.case.crn}: {chosen.name if chosen else 'none'}.")
            except DomainValidationError as exc:
                messages.error(request, " ".join(exc.errors.values()))
            except ConcurrentEditError as exc:
                messages.error(request, exc.message)
        else:
            messages.error(request, "Select an assessor from the list")
    return redirect(reverse("quality-case", args=[exercise.pk, sampled.pk]))


@requires(Perm.QUALITY_RUN)
def replace(request, exercise_id: int, sampled_id: int):
    exercise = _exercise(request, exercise_id)
    sampled = selectors.sampled_get(exercise, sampled_id)
    get_case(request, sampled.case.crn, page="quality sample replacement")  # 404 for a case they may not see
    seen = visible_cases(request.viewer, Case.objects.filter(pk__in=SampledCase.objects.filter(
        exercise=exercise, role=SampleRole.RESERVE, stratum=sampled.stratum).values("case_id")))
    seen_ids = set(seen.values_list("pk", flat=True))
    # Only reserves the lead may see are offered (a CRN they are excluded from is never shown).
    reserves = [r for r in selectors.sample_rows(exercise, role=SampleRole.RESERVE)
                if r.stratum == sampled.stratum and r.case_id in seen_ids]
    form = ReplaceForm(request.POST or None, initial={"version": sampled.version},
                       reserves=[(r.pk, f"{r.case.crn}: {r.practitioner_name} ({r.grade})") for r in reserves])
    if request.method == "POST" and form.is_valid():
        reserve = next((r for r in reserves if str(r.pk) == form.cleaned_data["reserve"]), None)

        def write():
            services.sample_replace(sampled=sampled, reserve=reserve, reason=form.cleaned_data["reason"],
                                    by=request.user, expected_version=form.cleaned_data.get("version"))

        if save_form(form, write):
            messages.success(request, f"{sampled.case.crn} replaced by {reserve.case.crn}.")
            return _back(exercise, "#sample")
    return render(request, "web/quality/replace.html", {"exercise": exercise, "sampled": sampled, "form": form,
                                                        "reserves": reserves})


def _standard_or_404(exercise: Exercise, key: str):
    framework, _ = ruleset.framework(exercise.framework)
    standard = framework.standard(key)
    if standard is None:
        raise Http404("No such standard")
    return standard


def _standard_form(request, exercise: Exercise, std, form, write, *, title: str, saved: str, current=None):
    """A standard's rating or override form: ``write(cleaned_data)`` through the service, then back."""
    if request.method == "POST" and form.is_valid() and save_form(form, lambda: write(form.cleaned_data)):
        messages.success(request, saved)
        return _back(exercise, "#standards")
    return render(request, "web/quality/rating.html", {"exercise": exercise, "standard": std, "form": form,
                                                       "title": title, "current": current})


@requires(Perm.QUALITY_RUN)
def standard_rating(request, exercise_id: int, standard: str):
    exercise = _exercise(request, exercise_id)
    std = _standard_or_404(exercise, standard)
    current = exercise.standard_ratings.filter(standard=standard).first()
    form = RatingForm(request.POST or None,
                      initial={"rating": current.rating, "evidence": current.evidence} if current else None)
    return _standard_form(
        request, exercise, std, form, title="Enter the rating", saved=f"Rating for {std.key} {std.title} saved.",
        write=lambda data: services.standard_rating_set(exercise=exercise, standard=standard, by=request.user, **data))


@requires(Perm.QUALITY_RUN)
def override(request, exercise_id: int, standard: str):
    exercise = _exercise(request, exercise_id)
    std = _standard_or_404(exercise, standard)
    current = exercise.overrides.filter(standard=standard).first()
    if request.method == "POST" and request.POST.get("action") == "remove":
        try:
            services.override_remove(exercise=exercise, standard=standard, by=request.user)
            messages.success(request, f"Override of {std.key} removed.")
        except DomainValidationError as exc:
            messages.error(request, " ".join(exc.errors.values()))
        return _back(exercise, "#standards")
    form = OverrideForm(request.POST or None,
                        initial={"rating": current.rating, "reason": current.reason} if current else None)
    return _standard_form(
        request, exercise, std, form, title="Override the rating", current=current,
        saved=f"Override of {std.key} {std.title} saved.",
        write=lambda data: services.override_set(exercise=exercise, standard=standard, by=request.user, **data))


@requires(Perm.QUALITY_RUN)
def complete(request, exercise_id: int):
    exercise = _exercise(request, exercise_id)
    if request.method == "POST":
        try:
            services.exercise_complete(exercise=exercise, by=request.user,
                                       expected_version=_int(request.POST.get("version")))
            messages.success(request, "Exercise completed: its results are fixed.")
            return redirect("quality-results", exercise.pk)
        except DomainValidationError as exc:
            messages.error(request, " ".join(exc.errors.values()))
        except ConcurrentEditError as exc:
            messages.error(request, exc.message)
    return _back(exercise)


@requires(Perm.QUALITY_VIEW)
def results_page(request, exercise_id: int):
    exercise = _exercise(request, exercise_id)
    results = exercise_results(exercise)
    return render(request, "web/quality/results.html", {
        "exercise": exercise, "r": results, "standards_chart": standards_chart(results),
        "charts": [(b, breakdown_chart(results, b)) for b in results.breakdowns],
        "assessed": [v for v in results.standards if v.assessed]})


@requires(Perm.QUALITY_VIEW)
def results_pdf(request, exercise_id: int):
    exercise = _exercise(request, exercise_id)
    results = exercise_results(exercise)
    services.export_recorded(exercise=exercise, by=request.user, kind="results PDF", rows=results.cases)
    response = HttpResponse(exports.results_pdf(results), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="quality-{exercise.pk}-results.pdf"'
    return response


@requires(Perm.QUALITY_VIEW)
def answers_csv(request, exercise_id: int):
    exercise = _exercise(request, exercise_id)
    rows = list(exports.answer_rows(exercise, request.viewer))
    services.export_recorded(exercise=exercise, by=request.user, kind="answers CSV", rows=len(rows))
    return csv_response(f"quality-{exercise.pk}-answers.csv", exports.HEADER, rows)


@requires(Perm.QUALITY_VIEW)
def answers_xlsx(request, exercise_id: int):
    exercise = _exercise(request, exercise_id)
    data, rows = exports.answers_xlsx(exercise, request.viewer)
    services.export_recorded(exercise=exercise, by=request.user, kind="answers XLSX", rows=rows)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="quality-{exercise.pk}-answers.xlsx"'
    return response

