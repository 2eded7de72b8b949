"""What the rules read from a case's sentences: sentence kinds, requirement kinds, and the mandate
for change (rules.md §1.2).

Pure, no Django. The record's ``SentenceKind`` and ``RequirementKind`` choices hold exactly these
codes (``tests/record/test_enums.py``); ``casework.record.tiers`` builds the tier request with
``mandate_for_change``.

rules.md §1.2: a case has no mandate for change when no current sentence is custodial and no
current requirement is a rehabilitative (non-restrictive) one, ignoring unpaid work and "order
extended" requirements. Reading: custody and post-sentence supervision sentences are custodial;
the rehabilitative requirements are the rehabilitation activity requirement, accredited
programmes and drug, alcohol and mental health treatment; curfew, exclusion and residence are
restrictive.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum

from casework.rules import calendar, tiering


class SentenceKind(StrEnum):
    COMMUNITY_ORDER = "COMMUNITY_ORDER"
    SUSPENDED_SENTENCE_ORDER = "SUSPENDED_SENTENCE_ORDER"
    CUSTODY = "CUSTODY"
    POST_SENTENCE_SUPERVISION = "POST_SENTENCE_SUPERVISION"


class RequirementKind(StrEnum):
    """Requirements of a community or suspended sentence order."""

    REHABILITATION_ACTIVITY = "REHABILITATION_ACTIVITY"
    UNPAID_WORK = "UNPAID_WORK"
    ACCREDITED_PROGRAMME = "ACCREDITED_PROGRAMME"
    CURFEW = "CURFEW"
    DRUG_TREATMENT = "DRUG_TREATMENT"
    ALCOHOL_TREATMENT = "ALCOHOL_TREATMENT"
    MENTAL_HEALTH_TREATMENT = "MENTAL_HEALTH_TREATMENT"
    EXCLUSION = "EXCLUSION"
    RESIDENCE = "RESIDENCE"
    ORDER_EXTENDED = "ORDER_EXTENDED"


CUSTODIAL_KINDS: frozenset[SentenceKind] = frozenset({SentenceKind.CUSTODY, SentenceKind.POST_SENTENCE_SUPERVISION})

#: Rehabilitative (non-restrictive) requirements: each gives a mandate for change.
REHABILITATIVE: frozenset[RequirementKind] = frozenset({
    RequirementKind.REHABILITATION_ACTIVITY,
    RequirementKind.ACCREDITED_PROGRAMME,
    RequirementKind.DRUG_TREATMENT,
    RequirementKind.ALCOHOL_TREATMENT,
    RequirementKind.MENTAL_HEALTH_TREATMENT,
})

_TIER_CLASSES = {
    RequirementKind.UNPAID_WORK: tiering.RequirementKind.UNPAID_WORK,
    RequirementKind.ORDER_EXTENDED: tiering.RequirementKind.ORDER_EXTENDED,
    **dict.fromkeys(REHABILITATIVE, tiering.RequirementKind.REHABILITATIVE),
}


def is_rehabilitative(kind: str) -> bool:
    return kind in REHABILITATIVE


def tier_requirement_class(kind: str) -> tiering.RequirementKind:
    """How the tier rules classify a requirement: rehabilitative, restrictive, unpaid work or order extended."""
    return _TIER_CLASSES.get(RequirementKind(kind), tiering.RequirementKind.RESTRICTIVE)


def mandate_for_change(*, current_sentence_kinds: Iterable[str], active_requirement_kinds: Iterable[str]) -> bool:
    """A custodial current sentence, or an active rehabilitative requirement of a current one, gives a mandate."""
    return tiering.has_mandate_for_change(
        any_custodial_sentence=any(kind in CUSTODIAL_KINDS for kind in current_sentence_kinds),
        requirements=[tier_requirement_class(kind) for kind in active_requirement_kinds],
    )


# --- The first appointment (shown to the allocator, rules.md §3.1) ----------------------------------

_COMMUNITY = "COMMUNITY"
_ON_LICENCE = frozenset({"LICENCE", "POST_SENTENCE_SUPERVISION"})

#: Working days after the start of a community sentence by which the first (induction) appointment is due.
FIRST_APPOINTMENT_COMMUNITY_WORKING_DAYS = 5
#: Working days after release by which a person on licence must first report.
FIRST_APPOINTMENT_LICENCE_WORKING_DAYS = 1


def first_appointment_due(status: str, start: dt.date, release: dt.date | None) -> dt.date | None:
    """When the first appointment of the current sentence is due (shown on the allocation queue).

    Reading (docs/rules.md, Allocation): 5 working days after a community sentence starts; the first
    working day after release for a licence or post-sentence supervision; none while in custody.
    """
    if status == _COMMUNITY:
        return calendar.working_days_after(start, FIRST_APPOINTMENT_COMMUNITY_WORKING_DAYS)
    if status in _ON_LICENCE:
        return calendar.working_days_after(release or start, FIRST_APPOINTMENT_LICENCE_WORKING_DAYS)
    return None
