"""The forms behind the supervision-cycle pages. Messages follow the GOV.UK style guide.

The forms check what a form can (something entered, a real date or number); the services check the
rules (``casework.supervision.services``) and their messages are put back on these fields.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from casework.record.choices import ContactKind, DcSrpBand, Need, NeedSeverity, RiskLevel, RiskSource
from casework.rules import contacts
from casework.supervision.choices import RECORDED_BY_HAND, CaseEventType
from casework.web.forms import DateField, GovukFormMixin, Radios

TEXT_MAX = 4000
DATE_HINT = "For example, 27 11 2026"


def _text(label: str, *, required: bool = True, rows: int = 4, hint: str = "", message: str = "") -> forms.CharField:
    return forms.CharField(label=label if required else f"{label} (optional)", required=required, max_length=TEXT_MAX,
                           help_text=hint, widget=forms.Textarea(attrs={"rows": rows}),
                           error_messages={"required": message or f"Enter the {label[0].lower()}{label[1:]}"})


def _time_field() -> forms.TimeField:
    return forms.TimeField(
        label="Time", help_text="Use the 24-hour clock, for example 14:30", input_formats=["%H:%M", "%H.%M", "%H%M"],
        error_messages={"required": "Enter the time", "invalid": "Enter a real time, like 09:30 or 14:30"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}))


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


class CaseEventForm(GovukFormMixin, forms.Form):
    type = forms.ChoiceField(label="What happened?", widget=Radios(small=True),
                             choices=[(code.value, CaseEventType(code).label) for code in RECORDED_BY_HAND],
                             error_messages={"required": "Select the type of event",
                                             "invalid_choice": "Select the type of event"})
    occurred_on = DateField(label="Date of the event", help_text=DATE_HINT)
    notes = _text("Details", rows=5, hint="For example, who told you, what the police said, the new address",
                  message="Enter what happened")


APPOINTMENT_KINDS = [(kind.value, kind.label) for kind in ContactKind if contacts.is_appointment(kind)]


class AppointmentForm(GovukFormMixin, forms.Form):
    kind = forms.ChoiceField(label="Type of appointment", choices=APPOINTMENT_KINDS, widget=Radios(small=True),
                             error_messages={"required": "Select the type of appointment",
                                             "invalid_choice": "Select the type of appointment"})
    date = DateField(label="Date", help_text=DATE_HINT)
    time = _time_field()
    location = forms.CharField(label="Location (optional)", required=False, max_length=200,
                               help_text="For a home visit, leave this empty to use their current address")
    notes = _text("Notes", required=False)

    def starts_at(self) -> dt.datetime:
        return _at(self.cleaned_data["date"], self.cleaned_data["time"])


class RescheduleForm(GovukFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    date = DateField(label="New date", help_text=DATE_HINT)
    time = _time_field()
    location = forms.CharField(label="Location (optional)", required=False, max_length=200)
    reason = _text("Reason for rescheduling", rows=3, message="Enter why the appointment is being rescheduled")

    def starts_at(self) -> dt.datetime:
        return _at(self.cleaned_data["date"], self.cleaned_data["time"])


MAPPA_LEVELS = [("", "Not MAPPA"), ("1", "Level 1"), ("2", "Level 2"), ("3", "Level 3")]
MAPPA_CATEGORIES = [("", "Not MAPPA"), ("1", "Category 1"), ("2", "Category 2"), ("3", "Category 3"),
                    ("4", "Category 4")]


def _optional_int(label: str, choices, message: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, choices=choices, coerce=int, empty_value=None, required=False,
                                  error_messages={"invalid_choice": message})


class RegistrationAddForm(GovukFormMixin, forms.Form):
    type_code = forms.ChoiceField(label="Type of registration",
                                  error_messages={"required": "Select the type of registration",
                                                  "invalid_choice": "Select the type of registration"})
    start_date = DateField(label="Registration date", help_text=DATE_HINT)
    level = _optional_int("MAPPA level (MAPPA only)", MAPPA_LEVELS, "Select the MAPPA level")
    category = _optional_int("MAPPA category (MAPPA only)", MAPPA_CATEGORIES, "Select the MAPPA category")
    next_review_date = DateField(label="Next review date (optional)", required=False,
                                 help_text="Leave empty to use the usual review period for this type")
    reason = _text("Reason for registering", message="Enter the reason for registering")

    def __init__(self, *args, types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type_code"].choices = [("", "Select a type"), *[(t.code, t.name) for t in types]]


class RegistrationReviewForm(GovukFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reviewed_on = DateField(label="Date of the review", help_text=DATE_HINT)
    next_review_date = DateField(label="Next review date", help_text=DATE_HINT)
    level = _optional_int("MAPPA level", MAPPA_LEVELS[1:], "Select the MAPPA level")
    category = _optional_int("MAPPA category", MAPPA_CATEGORIES[1:], "Select the MAPPA category")
    notes = _text("What the review found", message="Enter what the review found")

    def __init__(self, *args, mappa: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not mappa:
            del self.fields["level"], self.fields["category"]


class DeregisterForm(GovukFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    ended_on = DateField(label="Date the registration ended", help_text=DATE_HINT)
    reason = _text("Reason for ending the registration", message="Enter the reason for ending the registration")


ROSH_CHOICES = [("", "Not assessed"), *RiskLevel.choices]
SCORE_MESSAGES = {"invalid": "Enter the {name} as a number, like 4.25", "max_digits": "Enter a smaller {name}",
                  "max_decimal_places": "Enter the {name} with no more than 2 decimal places",
                  "max_whole_digits": "Enter a smaller {name}"}


def _score(label: str, name: str) -> forms.DecimalField:
    return forms.DecimalField(label=f"{label} (optional)", required=False, max_digits=5, decimal_places=2,
                              widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "decimal"}),
                              error_messages={k: v.format(name=name) for k, v in SCORE_MESSAGES.items()})


YES_NO_NOT_ASSESSED = [("", "Not assessed"), ("yes", "Yes"), ("no", "No")]
STATIC_DYNAMIC = [("dynamic", "Dynamic"), ("static", "Static")]


class RiskAssessmentForm(GovukFormMixin, forms.Form):
    assessed_on = DateField(label="Date of the assessment", help_text=DATE_HINT)
    source = forms.ChoiceField(label="Type of assessment", choices=RiskSource.choices, widget=Radios(small=True),
                               error_messages={"required": "Select the type of assessment",
                                               "invalid_choice": "Select the type of assessment"})
    rosh_overall = forms.ChoiceField(label="Overall risk of serious harm", choices=[("", "Select a level"),
                                                                                   *RiskLevel.choices],
                                     error_messages={"required": "Select the overall risk of serious harm"})
    rosh_public = forms.ChoiceField(label="Risk to the public", choices=ROSH_CHOICES, required=False)
    rosh_known_adult = forms.ChoiceField(label="Risk to a known adult", choices=ROSH_CHOICES, required=False)
    rosh_children = forms.ChoiceField(label="Risk to children", choices=ROSH_CHOICES, required=False)
    rosh_staff = forms.ChoiceField(label="Risk to staff", choices=ROSH_CHOICES, required=False)
    rosh_prisoners = forms.ChoiceField(label="Risk to prisoners", choices=ROSH_CHOICES, required=False)
    ogrs = forms.IntegerField(label="OGRS, % (optional)", required=False, min_value=0, max_value=100,
                              widget=forms.TextInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
                              error_messages={"invalid": "Enter the OGRS as a whole number, like 45",
                                              "min_value": "The OGRS must be a number from 0 to 100",
                                              "max_value": "The OGRS must be a number from 0 to 100"})
    rsr = _score("RSR, %", "RSR")
    arp = _score("ARP, %", "ARP")
    arp_static = forms.ChoiceField(label="ARP is", choices=STATIC_DYNAMIC, initial="dynamic")
    csrp = _score("CSRP, %", "CSRP")
    csrp_static = forms.ChoiceField(label="CSRP is", choices=STATIC_DYNAMIC, initial="dynamic")
    dc_srp_band = forms.ChoiceField(label="DC-SRP band", choices=[("", "Not assessed"), *DcSrpBand.choices],
                                    required=False)
    dc_srp_score = _score("DC-SRP score", "DC-SRP score")
    parenting_responsibilities = forms.ChoiceField(label="Parenting responsibilities (women only)",
                                                   choices=YES_NO_NOT_ASSESSED, required=False)
    impulsivity_or_temper = forms.ChoiceField(label="Impulsivity or temper control a problem (women only)",
                                              choices=YES_NO_NOT_ASSESSED, required=False)

    def need_fields(self):
        return [self[f"need_{need.value}"] for need in Need]

    def service_values(self) -> dict:
        """The cleaned form as ``risk_assessment_record``'s arguments."""
        data = self.cleaned_data

        def yes_no(value: str) -> bool | None:
            return {"yes": True, "no": False}.get(value)

        values = {name: data[name] for name in (
            "assessed_on", "source", "rosh_overall", "rosh_public", "rosh_known_adult", "rosh_children", "rosh_staff",
            "rosh_prisoners", "ogrs", "rsr", "arp", "csrp", "dc_srp_band", "dc_srp_score")}
        values["arp_static"] = data["arp_static"] == "static"
        values["csrp_static"] = data["csrp_static"] == "static"
        values["parenting_responsibilities"] = yes_no(data["parenting_responsibilities"])
        values["impulsivity_or_temper"] = yes_no(data["impulsivity_or_temper"])
        values["needs"] = {need.value: data[f"need_{need.value}"] for need in Need if data[f"need_{need.value}"]}
        return values


# One "severity" box per criminogenic need (rules.md §1.2), named need_<CODE>.
for _need in Need:
    RiskAssessmentForm.base_fields[f"need_{_need.value}"] = forms.ChoiceField(
        label=_need.label, choices=[("", "Not assessed"), *NeedSeverity.choices], required=False,
        error_messages={"invalid_choice": f"Select a severity for the {_need.label.lower()} need"})
# Django's own "Select a valid choice. X is not one of the available choices." repeats a code to people.
for _name, _message in {
    "rosh_public": "Select a level for the risk to the public",
    "rosh_known_adult": "Select a level for the risk to a known adult",
    "rosh_children": "Select a level for the risk to children",
    "rosh_staff": "Select a level for the risk to staff",
    "rosh_prisoners": "Select a level for the risk to prisoners",
    "arp_static": "Select whether the ARP is static or dynamic",
    "csrp_static": "Select whether the CSRP is static or dynamic",
    "dc_srp_band": "Select a DC-SRP band",
    "parenting_responsibilities": "Select whether they have parenting responsibilities",
    "impulsivity_or_temper": "Select whether impulsivity or temper control is a problem",
}.items():
    RiskAssessmentForm.base_fields[_name].error_messages["invalid_choice"] = _message
RiskAssessmentForm.base_fields["rosh_overall"].error_messages["invalid_choice"] = (
    "Select the overall risk of serious harm")


class RiskManagementPlanForm(GovukFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    agreed_on = DateField(label="Date the plan was agreed", help_text=DATE_HINT)
    next_review_on = DateField(label="Review the plan by", help_text=DATE_HINT)
    risks = _text("Who is at risk, from what, and when", rows=5,
                  message="Enter who is at risk, from what, and when")
    supervision = _text("Supervision and monitoring", rows=5, message="Enter how they will be supervised")
    interventions = _text("Interventions and treatment", required=False)
    victim_safety = _text("Victim safety planning", required=False)
    contingency = _text("Contingency", rows=4, hint="What will be done if the risk rises",
                        message="Enter what will be done if the risk rises")

