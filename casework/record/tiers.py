"""Working out each case's tier: gather the inputs from the record and run the tiering engine.

Storing the answer is a write, so the audited services do it (``tier_recalculate``,
``tier_recalculate_many`` and ``tier_recalculate_all`` in ``casework.record.services``). Every
calculation is stored (``TierCalculation``) with the exact contract request it was made from, so
the case page can answer "why is this case B2?" from stored inputs, and an auditor can re-run
``casework rules tier`` on the same line and get the same answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Prefetch

from casework.record.choices import (
    CustodialType,
    ProgressStatus,
    RegistrationGroup,
    SentenceStatus,
)
from casework.record.models import Case, Offence, Registration, RiskAssessment, Sentence
from casework.rules import sentences as sentences_rules
from casework.rules import tiering

# RoSH and MAPPA reach the engine through their own fields, not as registration codes.
_FIELD_GROUPS = {RegistrationGroup.ROSH, RegistrationGroup.MAPPA}
_TIER_CODES = {code.value for code in tiering.Registration}


def _number(value) -> float | None:
    return None if value is None else float(value)


def tier_request(
    *,
    case: Case,
    as_of: dt.date,
    sentences: Iterable[Sentence],
    registrations: Iterable[Registration],
    assessment: RiskAssessment | None,
    breach_or_recall_last_year: bool = False,
) -> dict[str, Any]:
    """The ``tier`` contract request for a case, from its record (rules.md §1).

    ``breach_or_recall_last_year``: a breach decided or a recall recorded in the 12 months before ``as_of``
    (``casework.enforcement.selectors.breach_or_recall_case_ids``), read for women only.
    """
    sentences = list(sentences)
    current = [s for s in sentences if s.status != SentenceStatus.ENDED]
    active = [r for r in registrations if r.end_date is None and not r.historic and r.start_date <= as_of]
    # Where a flag has several registrations, the latest counts (rules.md §1.2).
    latest: dict[str, Registration] = {}
    for reg in sorted(active, key=lambda r: (r.start_date, r.pk or 0)):
        latest[reg.type.code] = reg
    mappa = latest.get("MAPP")
    codes = sorted(
        code for code, reg in latest.items() if reg.type.group not in _FIELD_GROUPS and code in _TIER_CODES
    )
    mandate = sentences_rules.mandate_for_change(
        current_sentence_kinds=[s.kind for s in current],
        active_requirement_kinds=[
            r.kind for s in current for r in s.requirements.all() if r.status == ProgressStatus.ACTIVE
        ],
    )
    lifer_release = None
    if "INLL" in latest:
        releases = [
            s.release_date for s in sentences
            if s.custodial_type in (CustodialType.LIFE, CustodialType.IPP) and s.release_date
        ]
        lifer_release = max(releases).isoformat() if releases else None

    request: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "gender": case.gender,
        "active_sentence": bool(current),
        "rosh": (assessment.rosh_overall or None) if assessment else None,
        "rsr": _number(assessment.rsr) if assessment else None,
        "mappa": {"level": mappa.level, "category": mappa.category}
        if mappa and mappa.level and mappa.category else None,
        "registrations": codes,
        "ogrs": assessment.ogrs if assessment else None,
        "assessment": {"needs": dict(assessment.needs)} if assessment else None,
        "mandate_for_change": mandate,
        "predictors": {
            "arp": _number(assessment.arp),
            "arp_static": assessment.arp_static,
            "csrp": _number(assessment.csrp),
            "csrp_static": assessment.csrp_static,
            "dc_srp": {"band": assessment.dc_srp_band, "score": _number(assessment.dc_srp_score)}
            if assessment.dc_srp_band else None,
        } if assessment else None,
        "lifer_release_date": lifer_release,
        "sexual_offence_history": any(o.offence_type.sexual for s in sentences for o in s.offences.all()),
        "unsupervised": False,
    }
    if case.gender == "FEMALE":
        request["women"] = {
            "parenting": bool(assessment and assessment.parenting_responsibilities),
            "impulsivity_or_temper": bool(assessment and assessment.impulsivity_or_temper),
            "breach_or_recall_last_year": breach_or_recall_last_year,
        }
    return request


def tier_inputs(case_ids: list[int]) -> Iterator[tuple[Case, list, list, RiskAssessment | None]]:
    """Each case in ``case_ids`` with its sentences, registrations and latest risk assessment (four queries)."""
    cases = Case.objects.filter(pk__in=case_ids).prefetch_related(
        Prefetch(
            "sentences",
            queryset=Sentence.objects.prefetch_related(
                "requirements", Prefetch("offences", queryset=Offence.objects.select_related("offence_type"))
            ),
        ),
        Prefetch("registrations", queryset=Registration.objects.select_related("type")),
    )
    latest: dict[int, RiskAssessment] = {}
    for assessment in RiskAssessment.objects.filter(case_id__in=case_ids).order_by("case_id", "assessed_on", "id"):
        latest[assessment.case_id] = assessment
    for case in cases:
        yield case, list(case.sentences.all()), list(case.registrations.all()), latest.get(case.pk)


def tier_outcome(request: dict[str, Any]) -> tuple[str, str, str, dict[str, Any]]:
    """``(tier, tier_single, rosh, result)`` for a request: what a case stores from its calculation.

    The one place the engine's answer becomes the case's tier: the audited recalculation
    (``casework.record.services.tier_recalculate_many``) and the national generator both use it.
    """
    result = tiering.handle(request)
    tier = result["two_axis"]["tier"] if request["active_sentence"] else ""
    return tier, result["single"]["tier"], request["rosh"] or "", result


# In-memory inputs for generated data (casework generate), shaped as ``tier_request`` reads records.


class _Related:
    """Stands in for a prefetched related manager: ``.all()`` returns the records given."""

    __slots__ = ("items",)

    def __init__(self, items: list):
        self.items = items

    def all(self) -> list:
        return self.items


class SentenceInputs:
    """A sentence with its requirements and offences in memory, shaped as ``tier_request`` reads it."""

    __slots__ = ("custodial_type", "kind", "offences", "release_date", "requirements", "status")

    def __init__(self, sentence: Sentence, requirements: list, offences: list):
        self.status, self.kind = sentence.status, sentence.kind
        self.custodial_type, self.release_date = sentence.custodial_type, sentence.release_date
        self.requirements, self.offences = _Related(requirements), _Related(offences)
