"""The recall document and the not-to-recall letter as PDF: what each says, read from fpdf2's output with
compression off (the text is then in the page streams as written)."""

from __future__ import annotations

import re

import pytest

from casework.recall import services
from casework.recall.documents import not_recalled_pdf, pdf_for, recall_pdf
from casework.rules.recall_workflow import Actor
from tests.recall.support import ALL_NO, make_world

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    """The text shown, in order: with compression off fpdf2 writes each line as a (literal string) Tj; a
    paragraph wrapped over lines is joined back with spaces."""
    shown = re.findall(rb"\((.*?)(?<!\\)\) Tj", pdf)
    lines = [re.sub(rb"\\([()\\])", rb"\1", line).decode("latin-1") for line in shown]
    return re.sub(r"\s+", " ", " ".join(lines))


def test_the_issued_recall_document_says_everything_with_the_countersignatures():
    w = make_world(first_name="Zoë", last_name="O’Neill")
    recall = services.recall_start(case=w.case, by=w.po.user, sentence_id=w.sentence.pk, reason="Missed curfew twice")
    recall = services.record_oversight(recall=recall, by=w.spo.user, expected_version=recall.version,
                                       rationale="Escalating risk")
    recall = services.recommend(recall=recall, by=w.po.user, expected_version=recall.version, answers=ALL_NO,
                                recall_type="FIXED_TERM", emergency=False, custody_status="IN_COMMUNITY",
                                condition_ids=[w.conditions[1].pk], alternatives_tried="Final warning",
                                rationale="Contact with the victim")
    recall = services.countersign(recall=recall, by=w.spo.user, expected_version=recall.version,
                                  comment="Agreed by SPO", as_role=Actor.SPO)
    recall = services.countersign(recall=recall, by=w.head.user, expected_version=recall.version,
                                  comment="Authorised by ACO", as_role=Actor.ACO)
    recall = services.issue(recall=recall, by=w.po.user, expected_version=recall.version)
    pdf = recall_pdf(recall.document, compress=False)
    assert pdf.startswith(b"%PDF-1.")
    text = text_of(pdf)
    for expected in (w.case.crn, "2019/0123456A", "Zoë O'Neill", "Fixed-term recall", "Emergency recall", "No",
                     "Not to contact Jane Doe directly or indirectly", "Final warning", "Missed curfew twice",
                     "Escalating risk", "Contact with the victim", "Agreed by SPO", "Authorised by ACO",
                     f"Countersigned by the SPO: {w.spo.name}", f"Countersigned by the head of PDU: {w.head.name}",
                     f"Issued by {w.po.name}", "fixed-term recall is mandatory"):
        assert expected in text, expected
    # The compressed download still names the CRN in its (uncompressed) title.
    content, name = pdf_for(recall)
    assert content.startswith(b"%PDF-") and w.case.crn.encode() in content
    assert name == f"recall-{w.case.crn}-{recall.pk}.pdf"


def test_the_letter_gives_the_reasons_for_not_recalling():
    w = make_world(first_name="Dale", last_name="Hartley")
    from tests import factories
    factories.AddressFactory(case=w.case)
    recall = services.recall_start(case=w.case, by=w.po.user, sentence_id=w.sentence.pk, reason="One missed visit")
    recall = services.decide_not_to_recall(recall=recall, by=w.spo.user, expected_version=recall.version,
                                           reasons="You explained the missed visit: your child was in hospital.")
    text = text_of(not_recalled_pdf(recall.document, compress=False))
    for expected in ("Decision not to recall", w.case.crn, "Dear Dale Hartley", "We have decided not to recall you",
                     "You explained the missed visit: your child was in hospital.", w.spo.name,
                     recall.document["address"][0]):
        assert expected in text, expected


def test_no_document_for_a_recall_in_progress():
    w = make_world()
    recall = services.recall_start(case=w.case, by=w.po.user, sentence_id=w.sentence.pk, reason="x")
    assert pdf_for(recall) is None
