"""The forms behind the safeguard task pages. The services check the rules and their messages are put
back on these fields (``casework.safeguards.services``)."""

from __future__ import annotations

from django import forms

from casework.safeguards.choices import SafeguardCode
from casework.safeguards.selectors import STATUS_FILTERS
from casework.web.forms import DateField, GovukFormMixin

TEXT_MAX = 4000
DATE_HINT = "For example, 27 11 2026"


class TaskDoneForm(GovukFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    done_on = DateField(label="Date it was done", help_text=DATE_HINT)
    outcome = forms.CharField(
        label="Outcome", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What was done or found. For an enquiry, what came back: for example, "
                  "“Police: 3 call-outs in 2 years, latest 4 January 2026”",
        error_messages={"required": "Enter the outcome: what was done or found, and for an enquiry what came back"})


class TaskNotRequiredForm(GovukFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label="Why is it not required?", max_length=TEXT_MAX,
                             widget=forms.Textarea(attrs={"rows": 5}),
                             error_messages={"required": "Enter why it is not required"})


class TeamTaskFilterForm(GovukFormMixin, forms.Form):
    safeguard = forms.ChoiceField(label="Safeguard", required=False,
                                  choices=[("", "All safeguards"), *SafeguardCode.choices])
    practitioner = forms.TypedChoiceField(label="Case manager", required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label="Status", required=False, choices=list(STATUS_FILTERS.items()))

    def __init__(self, *args, practitioners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].choices = [("", "Everyone"), *((s.pk, s.name) for s in practitioners)]
