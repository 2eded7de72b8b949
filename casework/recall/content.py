"""What the recall document and the not-to-recall letter say, kept with the recall when it is issued or
decided (``Recall.document``); ``casework.recall.documents`` draws the PDFs from it."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from casework.recall.facts import sentence_words
from casework.recall.models import CustodyStatus
from casework.record.models import Address, Case, Sentence
from casework.rules.recall import RecallType
from casework.rules.recall_workflow import STEP_WORDS, Step

TYPE_WORDS = {RecallType.FIXED_TERM: "fixed-term", RecallType.STANDARD: "standard", RecallType.NO_RECALL: "no"}


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _at(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%-d %B %Y at %H:%M")


def person(case: Case, sentence: Sentence) -> dict:
    return {"name": case.name, "crn": case.crn, "pnc": case.pnc or "", "date_of_birth": long_date(case.date_of_birth),
            "sentence": sentence_words(sentence)}


def address_lines(address: Address | None) -> list[str]:
    if address is None:
        return []
    return [line for line in (address.line_1, address.line_2, address.town, address.postcode) if line]


def current_address(case: Case) -> Address | None:
    return (Address.objects.filter(case=case, end_date__isnull=True, no_fixed_abode=False)
            .order_by("-start_date", "-pk").first())


def recall_document(*, case: Case, sentence: Sentence, recall, steps: list, issued_by: str,
                    issued_at: dt.datetime) -> dict:
    """The recall document: ``steps`` are the steps taken so far (with ``step``, ``by_name``, ``at``, ``text``)."""
    return {
        **person(case, sentence),
        "recall_type": TYPE_WORDS[RecallType(recall.recall_type)],
        "emergency": bool(recall.emergency),
        "custody_status": CustodyStatus(recall.custody_status).label if recall.custody_status else "",
        "conditions": recall.conditions_breached,
        "alternatives_tried": recall.alternatives_tried,
        "engine_reasons": recall.engine.get("reasons", []),
        "rules_version": recall.engine.get("rules_version", ""),
        "steps": [{"step": row.step, "words": STEP_WORDS[Step(row.step)], "name": row.by_name, "at": _at(row.at),
                   "text": row.text} for row in steps],
        "issued_by": issued_by,
        "issued_at": _at(issued_at),
        "issued_on": timezone.localdate(issued_at).isoformat(),
    }


def not_recalled_letter(*, case: Case, sentence: Sentence, reasons: str, decided_by: str, decided_on: dt.date,
                        address: Address | None) -> dict:
    return {**person(case, sentence), "reasons": reasons, "decided_by": decided_by,
            "decided_on": decided_on.isoformat(), "decided_on_words": long_date(decided_on),
            "address": address_lines(address)}
