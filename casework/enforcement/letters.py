"""Warning letters and a breach's information for court: the text (from a template, stored when the
decision is recorded) and the printable PDF (fpdf2), built from what is stored, never recomputed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.template.loader import render_to_string

from casework.enforcement.choices import DecisionKind
from casework.enforcement.models import EnforcementDecision
from casework.record.models import Case, Sentence

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
OUTCOME_WORDS = {
    "UNACCEPTABLE_ABSENCE": "did not attend your appointment and gave no acceptable reason",
    "ATTENDED_FAILED_TO_COMPLY": "attended your appointment but did not comply with what was required",
    "SENT_HOME": "were sent home from your appointment because of your behaviour",
}
ORDER_KINDS = {"COMMUNITY_ORDER", "SUSPENDED_SENTENCE_ORDER"}


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def sentence_words(sentence: Sentence) -> str:
    if sentence.kind in ORDER_KINDS:
        return sentence.get_kind_display().lower()
    if sentence.status == "POST_SENTENCE_SUPERVISION" or sentence.kind == "POST_SENTENCE_SUPERVISION":
        return "post-sentence supervision"
    return "licence"


def failure_rows(failures: list[dict]) -> list[dict]:
    """The stored failures in words (``EnforcementDecision.failures``)."""
    return [{"day": long_date(dt.date.fromisoformat(f["date"])),
             "words": OUTCOME_WORDS.get(f["outcome"], "did not comply")} for f in failures]


def warning_letter_text(*, case: Case, sentence: Sentence, failures: list[dict], rationale: str, officer: str,
                        decided_on: dt.date) -> str:
    """The warning letter from its template (``web/enforcement/warning_letter.txt``)."""
    return render_to_string("web/enforcement/warning_letter.txt", {
        "name": f"{case.first_name} {case.last_name}", "sentence_words": sentence_words(sentence),
        "sentence_date": long_date(sentence.sentence_date), "failures": failure_rows(failures),
        "rationale": rationale, "order": sentence.kind in ORDER_KINDS, "officer": officer,
        "date": long_date(decided_on)}).strip() + "\n"


def court_information_text(decision: EnforcementDecision) -> str:
    """A breach's information for court, as stored: the failures, dates, requirement and recommendation."""
    case, sentence = decision.case, decision.sentence
    lines = [f"Breach report: {case.first_name} {case.last_name} (CRN {case.crn})",
             f"{sentence.get_kind_display()} made on {long_date(sentence.sentence_date)}"
             + (f" at {sentence.court}" if sentence.court else ""), "",
             "Requirement not complied with:", decision.requirement, "", "Failures to comply:"]
    lines += [f"- {row['day']}: the person {row['words']}" for row in failure_rows(decision.failures)]
    lines += ["", "Enforcement history and reasons:", decision.rationale, "", "Recommendation to the court:",
              decision.recommendation, "", f"Decided on {long_date(decision.decided_on)}"
              + (f" by {decision.recorded_by}" if decision.recorded_by_id else "")]
    return "\n".join(lines) + "\n"


def document_text(decision: EnforcementDecision) -> str | None:
    """The printable document of a decision: a warning's letter, a breach's information for court, else None."""
    if decision.kind == DecisionKind.WARNING:
        return decision.letter_text
    if decision.kind == DecisionKind.BREACH:
        return court_information_text(decision)
    return None


def pdf_bytes(title: str, text: str) -> bytes:
    """An A4 PDF of ``text`` (DejaVu Sans when installed, so any name prints; else Helvetica in Latin-1)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_author("Probation Service")
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if regular.exists() and bold.exists():
        pdf.add_font("DejaVu", "", str(regular))
        pdf.add_font("DejaVu", "B", str(bold))
        family = "DejaVu"
    else:
        family = "Helvetica"
        text = text.encode("latin-1", "replace").decode("latin-1")
        title = title.encode("latin-1", "replace").decode("latin-1")
    pdf.set_font(family, "B", 14)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(family, "", 11)
    pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
