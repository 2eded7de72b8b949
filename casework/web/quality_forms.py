"""The forms behind the quality assurance pages. The services check the rules (``casework.quality.services``)
and their messages are put back on these fields."""

from __future__ import annotations

from django import forms

from casework.quality.choices import Answer, Rating
from casework.rules import rating as rating_rules
from casework.web.forms import DateField, GovukFormMixin, Radios
from casework.web.recall_forms import Checkboxes

TEXT_MAX = 4000
DATE_HINT = "For example, 27 11 2026"
VERSION = {"widget": forms.HiddenInput, "required": False, "min_value": 0, "max_value": 2**31 - 1}


class ExerciseForm(GovukFormMixin, forms.Form):
    name = forms.CharField(label="Name of the exercise", max_length=200,
                           help_text="For example, “North Tyneside PDU self-inspection, winter 2026”",
                           error_messages={"required": "Enter a name for the exercise"})
    framework = forms.ChoiceField(label="Inspection framework", widget=Radios,
                                  choices=[(f.key, f.name) for f in rating_rules.FRAMEWORKS.values()],
                                  initial="PROBATION_2018",
                                  error_messages={"required": "Select the inspection framework"})
    scope = forms.ChoiceField(label="What to inspect", help_text="A team, a PDU or a region within your scope",
                              error_messages={"required": "Select the team, PDU or region to inspect"})
    window_start = DateField(label="Sampling window: cases that started from", help_text=DATE_HINT)
    window_end = DateField(label="Sampling window: to", help_text=DATE_HINT)
    as_of = DateField(label="Reference date",
                      help_text="Eligibility, workload bands and the record's evidence are judged on this date. "
                                + DATE_HINT)
    requested_size = forms.IntegerField(
        label="Sample size (optional)", required=False, min_value=1, max_value=10_000,
        help_text="Leave empty for the Inspectorate's calculation: 80% confidence, ±5% margin, corrected for the "
                  "number of eligible cases",
        error_messages={"min_value": "Sample size must be at least 1",
                        "max_value": "Sample size must be 10,000 or less",
                        "invalid": "Sample size must be a whole number"})
    buffer_percent = forms.IntegerField(
        label="Reserves, as a percentage of the sample", initial=20, min_value=0, max_value=100,
        error_messages={"required": "Enter the percentage of reserves", "invalid": "Reserves must be a whole number",
                        "min_value": "Reserves must be 0% or more", "max_value": "Reserves must be 100% or less"})
    case_standards = forms.MultipleChoiceField(
        label="Standards assessed case by case", widget=Checkboxes,
        help_text="The others (organisational standards, and any provider standard you leave out) are entered as "
                  "ratings with their evidence",
        error_messages={"required": "Select at least one standard to assess case by case"})

    def __init__(self, *args, scopes: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = [("", "Select"), *scopes]
        case = {}
        for fw in rating_rules.FRAMEWORKS.values():
            for s in fw.standards:
                if s.key_questions:
                    case.setdefault(s.key, s.title if fw.key == "PROBATION_2018" else case.get(s.key, s.title))
        self.fields["case_standards"].choices = [(k, f"{k} {t}") for k, t in sorted(case.items())]
        self.fields["case_standards"].initial = ["2.1", "2.2", "2.3", "2.4"]
        self.fields["buffer_percent"].widget.attrs.update({"class": "govuk-input govuk-input--width-3"})
        self.fields["requested_size"].widget.attrs.update({"class": "govuk-input govuk-input--width-5"})


class ShareForm(GovukFormMixin, forms.Form):
    assessors = forms.MultipleChoiceField(label="Assessors", widget=Checkboxes,
                                          error_messages={"required": "Select at least one assessor"})

    def __init__(self, *args, assessors: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessors"].choices = [(str(pk), name) for pk, name in assessors]


class AssessorForm(GovukFormMixin, forms.Form):
    version = forms.IntegerField(**VERSION)
    assessor = forms.ChoiceField(label="Assessor", required=False)

    def __init__(self, *args, assessors: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessor"].choices = [("", "No assessor")] + [(str(pk), n) for pk, n in assessors]


class ReplaceForm(GovukFormMixin, forms.Form):
    version = forms.IntegerField(**VERSION)
    reserve = forms.ChoiceField(label="Reserve to take its place", widget=Radios,
                                help_text="Reserves from the same stratum (like for like)",
                                error_messages={"required": "Select a reserve from the same stratum"})
    reason = forms.CharField(label="Why is this case being replaced?", max_length=TEXT_MAX,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="For example, the person died, or the case transferred out before the window",
                             error_messages={"required": "Enter why this case is being replaced"})

    def __init__(self, *args, reserves: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reserve"].choices = [(str(pk), label) for pk, label in reserves]


def answer_field_names(std: str, kq: str) -> tuple[str, str]:
    """The form field names of one key question's answer and its evidence note."""
    slug = f"{std.replace('.', '_')}__{kq}"
    return f"a__{slug}", f"e__{slug}"


class AnswersForm(GovukFormMixin, forms.Form):
    """One answer and one evidence note per key question; none required here: a draft may be partial (the
    service requires every answer on submitting)."""

    version = forms.IntegerField(**VERSION)

    def __init__(self, *args, questions: list[tuple[str, str, str]], evidence_label: str = "Evidence", **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for std, kq, text in questions:
            answer, note = answer_field_names(std, kq)
            self.fields[answer] = forms.ChoiceField(label=text, required=False, widget=Radios(small=True),
                                                    choices=Answer.choices)
            self.fields[note] = forms.CharField(label=evidence_label, required=False, max_length=TEXT_MAX,
                                                widget=forms.Textarea(attrs={"rows": 2}))

    def given(self) -> dict[tuple[str, str], tuple[str, str]]:
        out = {}
        for std, kq, _ in self.questions:
            answer, note = answer_field_names(std, kq)
            out[(std, kq)] = (self.cleaned_data.get(answer) or "", self.cleaned_data.get(note) or "")
        return out

    def field_for(self, std: str, kq: str, service_field: str) -> str | None:
        return answer_field_names(std, kq)[0] if service_field == f"{std}-{kq}" else None


class ModerationForm(AnswersForm):
    note = forms.CharField(label="How was any disagreement resolved?", required=False, max_length=TEXT_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="Needed when you change an answer: what you and the assessor agreed")


class RatingForm(GovukFormMixin, forms.Form):
    rating = forms.ChoiceField(label="Rating", widget=Radios, choices=Rating.choices,
                               error_messages={"required": "Select a rating"})
    evidence = forms.CharField(label="Evidence", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 6}),
                               help_text="What the rating rests on: interviews, documents, data",
                               error_messages={"required": "Enter the evidence for this rating"})


class OverrideForm(GovukFormMixin, forms.Form):
    rating = forms.ChoiceField(label="Rating that counts", widget=Radios, choices=Rating.choices,
                               error_messages={"required": "Select a rating"})
    reason = forms.CharField(label="Reason for the override", max_length=TEXT_MAX,
                             widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="Published with the results, beside the computed rating",
                             error_messages={"required": "Enter the reason for overriding the computed rating"})
