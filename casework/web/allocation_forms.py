"""Forms of the allocation pages: choose a practitioner, confirm (with an override reason when one is
needed), reallocate with a reason, change a proposal line, ask for a proposal."""

from __future__ import annotations

from django import forms

from casework.allocation.services import MAX_NOTE
from casework.record.choices import AllocationReason
from casework.web.forms import GovukFormMixin

NOTE_WIDGET = {"rows": 4}
REALLOCATION_REASONS = [(value, label) for value, label in AllocationReason.choices
                        if value != AllocationReason.INITIAL_ALLOCATION]


class ChooseForm(GovukFormMixin, forms.Form):
    """Step 1: which practitioner (radios in the ranked table; ``staff`` is their id)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    staff = forms.IntegerField(error_messages={"required": "Select the practitioner to allocate the case to",
                                               "invalid": "Select the practitioner to allocate the case to"},
                               widget=forms.HiddenInput)


class ConfirmForm(GovukFormMixin, forms.Form):
    """Step 2: the confirm step: workload before and after, and the override reason if one is needed."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    staff = forms.IntegerField(widget=forms.HiddenInput)
    confirm = forms.CharField(widget=forms.HiddenInput, initial="yes")
    override_note = forms.CharField(label="Why are you overriding?", required=False, max_length=MAX_NOTE,
                                    widget=forms.Textarea(attrs=NOTE_WIDGET),
                                    help_text="Your reason is recorded with the allocation and reported to "
                                              "the head of PDU.")
    notes = forms.CharField(label="Notes for the case record (optional)", required=False, max_length=MAX_NOTE,
                            widget=forms.Textarea(attrs=NOTE_WIDGET))


class ReallocateConfirmForm(ConfirmForm):
    reason = forms.ChoiceField(label="Why is the case moving?", choices=[("", "Select a reason"),
                                                                         *REALLOCATION_REASONS],
                               error_messages={"required": "Select the reason for the reallocation",
                                               "invalid_choice": "Select the reason for the reallocation"})

    field_order = ["version", "staff", "confirm", "reason", "override_note", "notes"]


class ProposalRequestForm(GovukFormMixin, forms.Form):
    """Ask for a proposal for one team's queue or (``team`` empty) the whole PDU's."""

    scope = forms.CharField(widget=forms.HiddenInput)


class LineForm(GovukFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    staff = forms.TypedChoiceField(label="Allocate to", coerce=int, empty_value=None, required=False)
    override_note = forms.CharField(label="Why are you overriding? (needed outside the grade matrix or over 110%)",
                                    required=False, max_length=MAX_NOTE, widget=forms.Textarea(attrs=NOTE_WIDGET))

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].choices = [("", "Leave unallocated"), *choices]


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
