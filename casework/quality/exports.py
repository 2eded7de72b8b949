"""The results report as PDF (ratings box first, then each standard with its key questions, the way an
inspection report reads) and the case-level answers as CSV and XLSX.

The answers exported are exactly those the results count (``results.counted_answers``): a test reads the
CSV back and rates it to the same ratings. A CRN the viewer may not see (excluded from it, or restricted
since the sample was drawn) is written as "withheld": the row still counts, so the totals still add up.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from casework.access.viewer import Viewer
from casework.access.visibility import visible_cases
from casework.quality.choices import Rating
from casework.quality.models import Exercise
from casework.quality.results import SMALL_GROUP, Results, counted_answers
from casework.recall.documents import _Doc, _latin1
from casework.record.models import Case

HEADER = ["exercise", "crn", "stratum", "practitioner_grade", "workload_band", "rosh", "team", "assessor",
          "standard", "key_question", "proposed_by_record", "assessor_answer", "moderated_answer", "final_answer",
          "evidence", "moderation_note"]

WITHHELD = "withheld"


def answer_rows(exercise: Exercise, viewer: Viewer) -> Iterator[list]:
    """One row per counted answer, sampled case then framework order (two queries, streamed)."""
    case_ids = counted_answers(exercise).values("assessment__sampled_case__case_id")
    seen = set(visible_cases(viewer, Case.objects.filter(pk__in=case_ids)).values_list("pk", flat=True))
    rows = (counted_answers(exercise)
            .order_by("assessment__sampled_case__position", "standard", "id")
            .values_list("assessment__sampled_case__case_id", "assessment__sampled_case__case__crn",
                         "assessment__sampled_case__stratum", "assessment__sampled_case__grade",
                         "assessment__sampled_case__workload_band", "assessment__sampled_case__rosh",
                         "assessment__sampled_case__team__name", "assessment__assessor__first_name",
                         "assessment__assessor__last_name", "standard", "key_question", "proposed", "answer",
                         "moderated", "final", "evidence", "moderation_note"))
    for (case_id, crn, stratum, grade, band, rosh, team, first, last, std, kq, proposed, answer, moderated, final,
         evidence, note) in rows.iterator(chunk_size=5000):
        yield [exercise.pk, crn if case_id in seen else WITHHELD, stratum, grade, band, rosh, team or "",
               f"{first} {last}", std, kq, proposed, answer, moderated, final, evidence, note]


def answers_xlsx(exercise: Exercise, viewer: Viewer) -> tuple[bytes, int]:
    """The same rows as the CSV, as an XLSX workbook (openpyxl, write-only), and how many rows."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Answers")
    sheet.append(HEADER)
    rows = 0
    for row in answer_rows(exercise, viewer):
        rows += 1
        # A text cell starting "=" would be a formula: openpyxl writes str as text, never a formula, unless
        # it starts with "=", so those are prefixed as in the CSV.
        sheet.append([f"'{v}" if isinstance(v, str) and v.startswith("=") else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), rows


def _label(value: str | None, choices) -> str:
    return dict(choices).get(value, value or "Not rated")


def results_pdf(results: Results, *, compress: bool = True) -> bytes:
    """The results report: the ratings box, then each standard and its key questions, then the breakdowns."""
    exercise = results.exercise
    doc = _Doc(f"Quality assurance: {exercise.name}", metadata_title=f"Quality assurance exercise {exercise.pk}",
               compress=compress)
    doc.para(f"{results.framework.name}. Scope: {exercise.scope_label}. Cases that started "
             f"{exercise.window_start:%-d %B %Y} to {exercise.window_end:%-d %B %Y}; reference date "
             f"{exercise.as_of:%-d %B %Y}. {results.cases} case{'s' if results.cases != 1 else ''} assessed.")
    # The ratings box.
    doc.heading("Ratings")
    doc.set_font("Helvetica", "B", 11)
    doc.cell(120, 7, "Overall", border=1)
    doc.cell(0, 7, _latin1(_label(results.overall, Rating.choices) if results.overall
                           else f"Not rated (missing {', '.join(results.missing)})"), border=1,
             new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", "", 10)
    for view in results.standards:
        rating = _label(view.rating, Rating.choices) + (" (overridden)" if view.overridden else "")
        doc.cell(120, 6, _latin1(f"{view.key} {view.title}"[:70]), border=1)
        doc.cell(0, 6, _latin1(rating if view.rating else view.unrated_reason), border=1,
                 new_x="LMARGIN", new_y="NEXT")
    doc.para(f"Score {results.score} of {results.max_score}. Rules version {results.rules_version}.")
    if results.unverified_rules:
        doc.para("Unverified rules relied on (configurable, not confirmed as the Inspectorate's): "
                 + ", ".join(r.replace("_", " ") for r in results.unverified_rules) + ".")
    # Each standard with its key questions.
    for view in results.standards:
        doc.heading(f"{view.key} {view.title}: {_label(view.rating, Rating.choices) if view.rating else 'not rated'}")
        if view.assessed:
            for q in view.questions:
                pct = "not applicable to any case" if q.percent is None else f"{q.percent}%"
                doc.para(f"{q.text} {pct} ({q.sufficient} of {q.applicable} cases sufficient; "
                         f"{q.not_applicable} not applicable)")
            if view.lowest:
                doc.para(f"Rated from its lowest key question, {view.lowest.replace('_', ' ').lower()}.")
        elif view.entered_evidence:
            doc.para(f"Rated by judgement. Evidence: {view.entered_evidence}")
        else:
            doc.para(view.unrated_reason)
        if view.overridden:
            doc.para(f"Overridden from {_label(view.computed_rating, Rating.choices)}. Reason: {view.override_reason}")
    # Breakdowns.
    for breakdown in results.breakdowns:
        doc.heading(breakdown.title)
        for group in breakdown.groups:
            parts = [f"{std} {pct}% {_label(r, Rating.choices)}" if pct is not None else f"{std} not rated"
                     for std, (r, pct) in group.ratings.items()]
            small = " (too few cases to read)" if group.cases < SMALL_GROUP else ""
            doc.para(f"{group.label}: {group.cases} case{'s' if group.cases != 1 else ''}{small}. " + "; ".join(parts))
    if results.proposals:
        doc.heading("Evidence from the record")
        doc.para(f"The record proposed {results.proposals_made} answers; assessors changed "
                 f"{results.proposals_changed}.")
    return bytes(doc.output())

