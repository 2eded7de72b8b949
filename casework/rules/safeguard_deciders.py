"""Who may record a safeguard as not required (rules.md §4: "a recorded, attributable 'not required'").

Pure Python. rules.md §4.1 says which safeguards may never be waived and when the safeguarding
enquiry may be (``casework.rules.safeguards.refusals``); who decides is configuration (issue 12:
"configurable; default SPO, and the practitioner for the safeguarding enquiry where the person has no
contact with children"). ``DEFAULT_DECIDERS`` holds that default; a stored version replaces it
through ``NotRequiredDeciders.from_dict`` (the ``ruleset`` kind ``SAFEGUARD_DECIDERS``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, Field

from casework.rules.safeguards import NEVER_WAIVED, ChildrenContact, Safeguard
from casework.rules.schema import Choice, ContractModel, parse, problem

__all__ = ["DEFAULT_DECIDERS", "Decider", "NotRequiredDeciders", "Refusal", "not_required_refusal"]


class Decider(StrEnum):
    """The roles that can be entitled to decide a safeguard is not required."""

    PRACTITIONER = "PRACTITIONER"
    SPO = "SPO"
    HEAD_OF_PDU = "HEAD_OF_PDU"


class Refusal(StrEnum):
    """Why a not-required decision is refused."""

    NEVER_WAIVED = "NEVER_WAIVED"
    CHILDREN_CONTACT = "CHILDREN_CONTACT"
    NOT_ENTITLED = "NOT_ENTITLED"


#: The safeguards that may be recorded as not required at all (rules.md §4.1), in the engine's order.
WAIVABLE: tuple[Safeguard, ...] = tuple(s for s in Safeguard if s not in NEVER_WAIVED)


@dataclass(frozen=True)
class NotRequiredDeciders:
    """Per waivable safeguard, the roles that may decide it is not required."""

    home_visit: frozenset[Decider] = frozenset({Decider.SPO})
    risk_review: frozenset[Decider] = frozenset({Decider.SPO})
    safeguarding_enquiry: frozenset[Decider] = frozenset({Decider.SPO})
    practitioner_safeguarding_when_no_children_contact: bool = True
    """The practitioner may also decide the safeguarding enquiry when children contact is NO."""

    def deciders(self, safeguard: Safeguard, children_contact: ChildrenContact) -> frozenset[Decider]:
        """Who may decide ``safeguard`` is not required (empty for those never waived)."""
        if safeguard is Safeguard.HOME_VISIT:
            return self.home_visit
        if safeguard is Safeguard.RISK_REVIEW:
            return self.risk_review
        if safeguard is Safeguard.SAFEGUARDING_ENQUIRY:
            extra = ({Decider.PRACTITIONER} if self.practitioner_safeguarding_when_no_children_contact
                     and children_contact is ChildrenContact.NO else set())
            return self.safeguarding_enquiry | extra
        return frozenset()

    def to_dict(self) -> dict[str, Any]:
        order = list(Decider)
        return {
            "home_visit": sorted((d.value for d in self.home_visit), key=order.index),
            "risk_review": sorted((d.value for d in self.risk_review), key=order.index),
            "safeguarding_enquiry": sorted((d.value for d in self.safeguarding_enquiry), key=order.index),
            "practitioner_safeguarding_when_no_children_contact":
                self.practitioner_safeguarding_when_no_children_contact,
        }

    @classmethod
    def from_dict(cls, data: Any) -> NotRequiredDeciders:
        """Validate stored or edited data; ContractError names the bad field."""
        return parse(NotRequiredDecidersPolicy, data).to_deciders()


DEFAULT_DECIDERS = NotRequiredDeciders()


def not_required_refusal(*, safeguard: Safeguard, children_contact: ChildrenContact, roles: Iterable[Decider],
                         policy: NotRequiredDeciders = DEFAULT_DECIDERS) -> Refusal | None:
    """Why someone holding ``roles`` may not record ``safeguard`` as not required; None when they may."""
    if safeguard in NEVER_WAIVED:
        return Refusal.NEVER_WAIVED
    if safeguard is Safeguard.SAFEGUARDING_ENQUIRY and children_contact is not ChildrenContact.NO:
        return Refusal.CHILDREN_CONTACT
    if not set(roles) & policy.deciders(safeguard, children_contact):
        return Refusal.NOT_ENTITLED
    return None


def _distinct(values: list[Decider]) -> list[Decider]:
    if len(set(values)) != len(values):
        raise problem("repeats a role")
    return values


Deciders = Annotated[list[Choice[Decider]], AfterValidator(_distinct), Field(json_schema_extra={"uniqueItems": True})]


class NotRequiredDecidersPolicy(ContractModel):
    """Who may record each waivable safeguard as not required (the stored shape)."""

    home_visit: Deciders
    """Roles that may decide a home visit is not required (default SPO)."""
    risk_review: Deciders
    """Roles that may decide a risk review is not required (default SPO)."""
    safeguarding_enquiry: Deciders
    """Roles that may decide the safeguarding enquiry is not required (default SPO)."""
    practitioner_safeguarding_when_no_children_contact: bool
    """Whether the practitioner may also decide it when the person has no contact with children (default true)."""

    def to_deciders(self) -> NotRequiredDeciders:
        return NotRequiredDeciders(
            home_visit=frozenset(self.home_visit), risk_review=frozenset(self.risk_review),
            safeguarding_enquiry=frozenset(self.safeguarding_enquiry),
            practitioner_safeguarding_when_no_children_contact=self.practitioner_safeguarding_when_no_children_contact,
        )
