"""The forms behind the recall pages. The services check the workflow and the recall type; their messages
are put back on these fields (``casework.recall.services``)."""

from __future__ import annotations

from django import forms

from casework.recall import services
from casework.recall.facts import NO, UNKNOWN, YES, Answers, questions_for, sentence_words
from casework.recall.models import NEW_OFFENCE_CHOICES, TYPE_CHOICES, CustodyStatus
from casework.rules.recall import EXCLUSION_LABELS, YOUTH_LABELS, SentenceGroup
from casework.web.forms import GovukFormMixin, Radios

TEXT_MAX = services.TEXT_MAX
NOT_KNOWN = "NOT_KNOWN"  # a radio needs a value: "not known" is stored as "" (counts as yes)
YES_NO_UNKNOWN = [(YES, "Yes"), (NO, "No"), (NOT_KNOWN, "Not known")]


class Checkboxes(forms.CheckboxSelectMultiple):
    template_name = "web/recall/checkboxes.html"
    error_anchor_suffix = "_0"
    is_checkboxes = True


def _text(label: str, required: str, *, help_text: str = "", rows: int = 5) -> forms.CharField:
    return forms.CharField(label=label, max_length=TEXT_MAX, help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": rows}), error_messages={"required": required})


class StartForm(GovukFormMixin, forms.Form):
    sentence = forms.TypedChoiceField(label="Which sentence is the recall about?", coerce=int, widget=Radios,
                                      error_messages={"required": services.SENTENCE_REQUIRED})
    reason = _text("Why is recall being considered?", services.REASON_REQUIRED,
                   help_text="What happened, when, and the risk it shows")

    def __init__(self, *args, sentences=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sentence"].choices = [(s.pk, sentence_words(s)) for s in sentences]
        if len(sentences) == 1:
            self.fields["sentence"].initial = sentences[0].pk


class OversightForm(GovukFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    rationale = _text("Management oversight rationale", services.RATIONALE_REQUIRED,
                      help_text="Your view as SPO: whether recall should be recommended, and why")


class NotRecallForm(GovukFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reasons = _text("Reasons for not recalling", services.NOT_RECALL_REASONS_REQUIRED,
                    help_text="These go in the letter to the person")


class CountersignForm(GovukFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    comment = _text("Your comments", "Enter your comments on the recommendation", rows=3)


class IssueForm(GovukFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class RecommendForm(GovukFormMixin, forms.Form):
    """The recommendation. The recall-type questions asked depend on the sentence group."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    conditions = forms.TypedMultipleChoiceField(label="Licence conditions breached", coerce=int, widget=Checkboxes,
                                                error_messages={"required": services.CONDITIONS_REQUIRED})
    alternatives_tried = _text("Alternatives to recall already tried", services.ALTERNATIVES_REQUIRED,
                               help_text="For example, warnings, increased reporting, extra licence conditions")
    custody_status = forms.ChoiceField(label="Where is the person now?", choices=CustodyStatus.choices, widget=Radios,
                                       error_messages={"required": services.CUSTODY_REQUIRED})
    emergency = forms.TypedChoiceField(label="Is this an emergency recall?", choices=[(YES, "Yes"), (NO, "No")],
                                       coerce=lambda v: v == YES, widget=Radios,
                                       error_messages={"required": services.EMERGENCY_REQUIRED})
    recall_type = forms.ChoiceField(label="Recall type", choices=TYPE_CHOICES, widget=Radios,
                                    error_messages={"required": services.TYPE_REQUIRED})
    rationale = _text("Reasons for the recommendation", services.RECOMMENDATION_REQUIRED,
                      help_text="Why recall is needed to manage the risk")

    def __init__(self, *args, conditions=(), group: SentenceGroup, known: Answers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["conditions"].choices = [(c.pk, f"{c.get_kind_display()}: {c.description}") for c in conditions]
        self.group = group
        ask_offence, ask_adult, ask_youth = questions_for(group)
        self.question_names: list[str] = []
        if ask_offence:
            self.fields["new_offence"] = forms.ChoiceField(
                label="Has the person been charged with a further offence?", widget=Radios,
                choices=[*NEW_OFFENCE_CHOICES, (NOT_KNOWN, "Not known")], initial=known.new_offence or None,
                error_messages={"required": "Select whether the person has been charged with a further offence"})
            self.question_names.append("new_offence")
        for prefix, labels, answers, ask in (("exclusion", EXCLUSION_LABELS, dict(known.exclusions), ask_adult),
                                             ("youth", YOUTH_LABELS, dict(known.youth), ask_youth)):
            if not ask:
                continue
            for name, label in labels.items():
                field_name = f"{prefix}_{name}"
                known_answer = answers.get(name, UNKNOWN)
                self.fields[field_name] = forms.ChoiceField(
                    label=label, choices=YES_NO_UNKNOWN, widget=Radios(small=True),
                    initial=known_answer or NOT_KNOWN,
                    error_messages={"required": f"Select yes, no or not known: {label.lower()}"})
                self.question_names.append(field_name)
        # GovukFormMixin styled the fields it saw; the questions were added after.
        order = ["version", *self.question_names, "conditions", "alternatives_tried", "custody_status", "emergency",
                 "recall_type", "rationale"]
        self.order_fields(order)

    def questions(self):
        return [self[name] for name in self.question_names]

    def details(self):
        return [self[name] for name in ("conditions", "alternatives_tried", "custody_status", "emergency",
                                        "recall_type", "rationale")]

    def answers(self) -> Answers:
        """The answers to the recall-type questions (bound and valid, or the initial ones)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}

        def value(name):
            raw = data.get(name) if data else self[name].value()
            return "" if raw in (None, NOT_KNOWN) else raw

        exclusions = tuple((n, value(f"exclusion_{n}")) for n in EXCLUSION_LABELS if f"exclusion_{n}" in self.fields)
        youth = tuple((n, value(f"youth_{n}")) for n in YOUTH_LABELS if f"youth_{n}" in self.fields)
        new_offence = value("new_offence") if "new_offence" in self.fields else ""
        return Answers(new_offence=new_offence, exclusions=exclusions, youth=youth)
