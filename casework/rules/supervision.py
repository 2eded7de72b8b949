"""What kind of supervision a case is under, and the risk events the safeguard and enforcement rules read.

Shared by the safeguards (rules.md §4.1) and enforcement (§5.5) engines, so both contracts use one list
of kinds (one ``SupervisionKindCode`` in the OpenAPI schema) and one list of risk event codes (the
enforcement contract also accepts, and ignores, codes outside it). Pure.
"""

from __future__ import annotations

from enum import StrEnum


class SupervisionKind(StrEnum):
    """The kind of sentence a case is supervised on."""

    COMMUNITY_ORDER = "COMMUNITY_ORDER"
    SUSPENDED_SENTENCE_ORDER = "SUSPENDED_SENTENCE_ORDER"
    LICENCE = "LICENCE"
    POST_SENTENCE_SUPERVISION = "POST_SENTENCE_SUPERVISION"


#: Orders (rules.md §5.5): only the court can add to them, and their failures go back to court.
ORDERS: frozenset[SupervisionKind] = frozenset({SupervisionKind.COMMUNITY_ORDER,
                                                SupervisionKind.SUSPENDED_SENTENCE_ORDER})
#: Licences (rules.md §5.5); of them only a ``LICENCE`` can be recalled.
LICENCES: frozenset[SupervisionKind] = frozenset({SupervisionKind.LICENCE,
                                                  SupervisionKind.POST_SENTENCE_SUPERVISION})


class RiskEventType(StrEnum):
    """Events that change the risk picture (rules.md §4's risk-review triggers)."""

    ARREST = "ARREST"
    CHARGE = "CHARGE"
    DOMESTIC_ABUSE_CALLOUT = "DOMESTIC_ABUSE_CALLOUT"
    CHANGE_OF_ADDRESS = "CHANGE_OF_ADDRESS"
    CHANGE_OF_HOUSEHOLD = "CHANGE_OF_HOUSEHOLD"
    FAILURE_TO_COMPLY = "FAILURE_TO_COMPLY"
    BREACH_DECISION = "BREACH_DECISION"
    RECALL_DECISION = "RECALL_DECISION"
    RELEASE = "RELEASE"
    REGISTRATION_ADDED = "REGISTRATION_ADDED"
