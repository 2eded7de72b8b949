"""The forms behind the enforcement pages. The services check the rules and their messages are put back
on these fields (``casework.enforcement.services``)."""

from __future__ import annotations

from django import forms

from casework.enforcement.choices import DecisionKind
from casework.web.forms import DateField, GovukFormMixin, Radios

TEXT_MAX = 4000
DATE_HINT = "For example, 27 11 2026"


class DecisionForm(GovukFormMixin, forms.Form):
    """A warning, a breach or a licence decision; ``kinds`` are those the sentence and signal allow."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31 - 1)
    sentence = forms.TypedChoiceField(label="Sentence", coerce=int, widget=Radios,
                                      error_messages={"required": "Select the sentence the decision is about"})
    kind = forms.ChoiceField(label="Decision", widget=Radios, error_messages={"required": "Select the decision"})
    decided_on = DateField(label="Date of the decision", help_text=DATE_HINT)
    rationale = forms.CharField(
        label="Reasons", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What you considered (the failures, the risk, what has been tried) and why you decided this. "
                  "For a warning, this paragraph goes into the letter",
        error_messages={"required": "Enter the reasons for the decision"})
    requirement = forms.CharField(
        label="Requirement not complied with (breach only)", max_length=TEXT_MAX, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, “Rehabilitation activity requirement: attend appointments as instructed”")
    recommendation = forms.CharField(
        label="Recommendation to the court (breach only)", max_length=TEXT_MAX, required=False,
        widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, kinds: list[str], sentences: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, DecisionKind(k).label) for k in kinds]
        self.fields["sentence"].choices = sentences
        if len(sentences) == 1:
            self.fields["sentence"].widget = forms.HiddenInput()
            self.fields["sentence"].initial = sentences[0][0]


class OversightForm(GovukFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)
    agreed = forms.TypedChoiceField(
        label="Do you agree with the decision?", widget=Radios, coerce=lambda v: v == "yes",
        choices=[("yes", "Yes, I agree"), ("no", "No, I do not agree")],
        error_messages={"required": "Select whether you agree with the decision"})
    note = forms.CharField(label="Your oversight", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5}),
                           help_text="What you considered and why; if you do not agree, what must happen now",
                           error_messages={"required": "Enter your oversight: what you considered and why"})
