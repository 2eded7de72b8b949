"""The recall document and the letter giving the reasons for not recalling, as PDF (fpdf2).

Both are drawn from what the recall kept when it was issued or decided (``Recall.document``), so a
download later shows what was issued then, whatever has changed on the case since. The built-in
Helvetica font holds Latin-1 only: other characters are replaced by their nearest plain form or "?".
The PDF's title (uncompressed metadata) carries the CRN, never the person's name.
"""

from __future__ import annotations

import unicodedata

from fpdf import FPDF

from casework.rules.recall_workflow import State

_PLAIN = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
          "\u2026": "...", "\u00a0": " "}


def _latin1(text: str) -> str:
    text = "".join(_PLAIN.get(ch, ch) for ch in str(text))
    out = []
    for ch in text:
        try:
            ch.encode("latin-1")
            out.append(ch)
        except UnicodeEncodeError:
            plain = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
            out.append(plain or "?")
    return "".join(out)


class _Doc(FPDF):
    def __init__(self, title: str, *, metadata_title: str, compress: bool):
        super().__init__(format="A4")
        self.set_compression(compress)
        self.set_title(metadata_title)  # plain ASCII (the CRN, never the name): readable in the file as it is
        self.set_author("Casework")
        self.set_margins(20, 20, 20)
        self.set_auto_page_break(True, margin=20)
        self.add_page()
        self.set_font("Helvetica", "B", 16)
        self.multi_cell(0, 9, _latin1(title), new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def heading(self, text: str) -> None:
        self.ln(3)
        self.set_font("Helvetica", "B", 12)
        self.multi_cell(0, 7, _latin1(text), new_x="LMARGIN", new_y="NEXT")

    def para(self, text: str) -> None:
        self.set_font("Helvetica", "", 11)
        self.multi_cell(0, 6, _latin1(text or "-"), new_x="LMARGIN", new_y="NEXT")

    def field(self, label: str, value: str) -> None:
        self.set_font("Helvetica", "B", 11)
        self.multi_cell(0, 6, _latin1(label), new_x="LMARGIN", new_y="NEXT")
        self.para(value)


def recall_pdf(document: dict, *, compress: bool = True) -> bytes:
    """The recall document: the person, the sentence, the conditions breached, the reasons, the recall type,
    emergency or not, and every step with who took it and when (the countersignatures among them)."""
    pdf = _Doc(f"Recall of {document['name']} (CRN {document['crn']})",
               metadata_title=f"Recall document, CRN {document['crn']}", compress=compress)
    pdf.heading("The person")
    pdf.field("Name", document["name"])
    pdf.field("CRN", document["crn"])
    pdf.field("PNC number", document.get("pnc") or "Not recorded")
    pdf.field("Date of birth", document["date_of_birth"])
    pdf.field("Sentence", document["sentence"])
    pdf.heading("Recommendation")
    pdf.field("Recall type", f"{document['recall_type'].capitalize()} recall")
    pdf.field("Emergency recall", "Yes" if document["emergency"] else "No")
    pdf.field("Where the person is now", document.get("custody_status", ""))
    pdf.field("Licence conditions breached",
              "\n".join(f"{c['kind']}: {c['description']}" for c in document.get("conditions", [])))
    pdf.field("Alternatives to recall already tried", document.get("alternatives_tried", ""))
    reasons = document.get("engine_reasons") or []
    if reasons:
        pdf.field(f"Why this recall type (recall rules {document.get('rules_version', '')})",
                  "\n".join(f"- {r}" for r in reasons))
    pdf.heading("Reasons, oversight and countersignatures")
    for step in document.get("steps", []):
        pdf.field(f"{step['words']}: {step['name']}, {step['at']}", step.get("text") or "")
    pdf.heading("Issued")
    pdf.para(f"Issued by {document['issued_by']} on {document['issued_at']}.")
    return bytes(pdf.output())


def not_recalled_pdf(document: dict, *, compress: bool = True) -> bytes:
    """The letter to the person: their licence will not be revoked, and why."""
    pdf = _Doc(f"Decision not to recall (CRN {document['crn']})",
               metadata_title=f"Decision not to recall, CRN {document['crn']}", compress=compress)
    pdf.para(document["name"])
    for line in document.get("address", []):
        pdf.para(line)
    pdf.ln(4)
    pdf.para(f"Date: {document['decided_on_words']}")
    pdf.para(f"Reference: CRN {document['crn']}")
    pdf.ln(4)
    pdf.para(f"Dear {document['name']},")
    pdf.para(f"We have considered whether to recall you to prison for breaching the conditions of your licence "
             f"({document['sentence']}). We have decided not to recall you.")
    pdf.heading("Our reasons")
    pdf.para(document["reasons"])
    pdf.ln(2)
    pdf.para("You must continue to keep to every condition of your licence. If you do not, recall will be "
             "considered again.")
    pdf.ln(4)
    pdf.para(f"Yours sincerely,\n{document['decided_by']}")
    return bytes(pdf.output())


def pdf_for(recall, *, compress: bool = True) -> tuple[bytes, str] | None:
    """(the PDF, its file name) for an issued recall or a decision not to recall; None before either."""
    if recall.state == State.ISSUED:
        return recall_pdf(recall.document, compress=compress), f"recall-{recall.case.crn}-{recall.pk}.pdf"
    if recall.state == State.NOT_RECALLED:
        return (not_recalled_pdf(recall.document, compress=compress),
                f"decision-not-to-recall-{recall.case.crn}-{recall.pk}.pdf")
    return None
