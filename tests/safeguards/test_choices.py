"""Stored codes are the engine's: same codes, same order, and words for people."""

from __future__ import annotations

from casework.rules.safeguard_deciders import DEFAULT_DECIDERS, Decider, NotRequiredDeciders
from casework.rules.safeguards import ChildrenContact, Safeguard, Trigger
from casework.safeguards.choices import SafeguardCode, TriggerCode
from casework.safeguards.explain import CLOSES, RULES


def test_safeguard_and_trigger_codes_are_the_engines():
    assert list(SafeguardCode.values) == [s.value for s in Safeguard]
    assert list(TriggerCode.values) == [t.value for t in Trigger]
    assert all("_" not in label for label in SafeguardCode.labels + TriggerCode.labels)
    assert set(RULES) == set(CLOSES) == set(SafeguardCode)


def test_default_deciders_are_the_spo_and_the_practitioner_only_without_children():
    assert DEFAULT_DECIDERS.deciders(Safeguard.HOME_VISIT, ChildrenContact.NO) == {Decider.SPO}
    assert DEFAULT_DECIDERS.deciders(Safeguard.SAFEGUARDING_ENQUIRY, ChildrenContact.NO) == {
        Decider.SPO, Decider.PRACTITIONER}
    assert DEFAULT_DECIDERS.deciders(Safeguard.SAFEGUARDING_ENQUIRY, ChildrenContact.UNKNOWN) == {Decider.SPO}
    assert DEFAULT_DECIDERS.deciders(Safeguard.DOMESTIC_ABUSE_ENQUIRY, ChildrenContact.NO) == set()
    assert NotRequiredDeciders.from_dict(DEFAULT_DECIDERS.to_dict()) == DEFAULT_DECIDERS
