"""The forms behind Casework's pages. Validation messages follow the GOV.UK style guide."""

from __future__ import annotations

import datetime as dt
import uuid

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone

from casework.record import identifiers
from casework.record.choices import (
    AbsenceReason,
    ContactKind,
    ContactOutcome,
    Gender,
    RiskLevel,
    YesNoUnknown,
)
from casework.web.audit_labels import action_label
from casework.web.forms import DateField, GovukFormMixin, Radios

NOTES_MAX = 4000


class SignInForm(GovukFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is inactive.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["username"].widget.attrs.update({"spellcheck": "false", "autocomplete": "username"})
        # GOV.UK advises against moving focus on load: it skips the page's context for screen readers.
        self.fields["username"].widget.attrs.pop("autofocus", None)


class SearchForm(GovukFormMixin, forms.Form):
    q = forms.CharField(
        label="Name, CRN or PNC number",
        max_length=100,
        required=False,
        help_text="For example, Smith, John, John Smith, X123456 or 2001/0012345H",
    )


class ContactFilterForm(GovukFormMixin, forms.Form):
    kind = forms.ChoiceField(label="Type", required=False, choices=[("", "Any type"), *ContactKind.choices])
    outcome = forms.ChoiceField(
        label="Outcome",
        required=False,
        choices=[("", "Any outcome"), ("NONE", "Outcome not recorded"), *ContactOutcome.choices],
    )
    date_from = DateField(label="From date", required=False)
    date_to = DateField(label="To date", required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The to date must be the same as or after the from date")
        return data


class TeamFilterForm(GovukFormMixin, forms.Form):
    manager = forms.TypedChoiceField(label="Case manager", required=False, coerce=int, empty_value=None)
    tier = forms.ChoiceField(
        label="Protect level",
        required=False,
        choices=[("", "Any"), ("A", "A"), ("B", "B"), ("C", "C"), ("D", "D")],
    )
    rosh = forms.ChoiceField(label="RoSH", required=False, choices=[("", "Any"), *RiskLevel.choices])
    unallocated = forms.BooleanField(label="Only cases without a case manager", required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].choices = [("", "Anyone"), *[(m.staff.pk, m.staff.name) for m in members]]


def _as_uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value).strip())
    except ValueError:
        return None


class SubmissionKeyMixin:
    """A hidden one-time key, new each time the form is shown, so sending it twice writes once.

    The service stores the key with what it wrote (``casework.record.models.SubmissionKey``); the
    same key again (a double click, or the back button and send) is answered with the first write.
    A form sent without a usable key is given a new one, so re-showing it with errors keeps one.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["submission_key"] = forms.UUIDField(widget=forms.HiddenInput, required=False)
        name = self.add_prefix("submission_key")
        if not self.is_bound:
            self.initial["submission_key"] = uuid.uuid4()
        elif _as_uuid(self.data.get(name)) is None:
            self.data = self.data.copy()
            self.data[name] = str(uuid.uuid4())


class ContactForm(SubmissionKeyMixin, GovukFormMixin, forms.Form):
    kind = forms.ChoiceField(label="Type of contact", choices=ContactKind.choices, widget=Radios(small=True),
                             error_messages={"required": "Select the type of contact"})
    date = DateField(label="Date", help_text="For example, 27 11 2026")
    time = forms.TimeField(
        label="Time",
        help_text="Use the 24-hour clock, for example 14:30",
        input_formats=["%H:%M", "%H.%M", "%H%M"],
        error_messages={"required": "Enter the time", "invalid": "Enter a real time, like 09:30 or 14:30"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
    )
    location = forms.CharField(label="Location (optional)", required=False, max_length=200)
    outcome = forms.ChoiceField(
        label="Outcome (if it has happened)",
        required=False,
        choices=[("", "Not yet known"), *ContactOutcome.choices],
    )
    absence_reason = forms.ChoiceField(
        label="Reason the absence was acceptable",
        required=False,
        choices=[("", "Not applicable"), *AbsenceReason.choices],
    )
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=NOTES_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"max_length": f"Notes must be {NOTES_MAX:,} characters or fewer"},
    )
    sensitive = forms.BooleanField(label="These notes are sensitive", required=False)

    def starts_at(self) -> dt.datetime:
        day, time = self.cleaned_data["date"], self.cleaned_data["time"]
        return timezone.make_aware(dt.datetime.combine(day, time))


class OutcomeForm(SubmissionKeyMixin, GovukFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label="What happened?",
        choices=ContactOutcome.choices,
        widget=Radios(small=True),
        error_messages={"required": "Select the outcome of the appointment"},
    )
    absence_reason = forms.ChoiceField(
        label="Reason the absence was acceptable",
        required=False,
        choices=[("", "Not applicable"), *AbsenceReason.choices],
    )
    notes = forms.CharField(label="Notes (optional)", required=False, max_length=NOTES_MAX,
                            widget=forms.Textarea(attrs={"rows": 4}))


class PersonalDetailsForm(GovukFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    first_name = forms.CharField(label="First name", max_length=100,
                                 error_messages={"required": "Enter the first name"})
    middle_names = forms.CharField(label="Middle names (optional)", max_length=200, required=False)
    last_name = forms.CharField(label="Last name", max_length=100, error_messages={"required": "Enter the last name"})
    preferred_name = forms.CharField(label="Preferred name (optional)", max_length=100, required=False)
    date_of_birth = DateField(label="Date of birth", help_text="For example, 31 3 1990", birthday=True)
    gender = forms.ChoiceField(label="Gender", choices=Gender.choices, widget=Radios(small=True),
                               error_messages={"required": "Select the gender"})
    pnc = forms.CharField(label="PNC number (optional)", max_length=20, required=False,
                          help_text="For example, 2001/0012345H or 01/12345H")
    phone = forms.CharField(label="Phone (optional)", max_length=30, required=False)
    mobile = forms.CharField(label="Mobile (optional)", max_length=30, required=False)
    email = forms.EmailField(
        label="Email (optional)",
        required=False,
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.com"},
    )
    children_contact = forms.ChoiceField(
        label="Do they live with, have contact with, or might they have contact with children?",
        choices=YesNoUnknown.choices,
        widget=Radios(small=True),
        error_messages={"required": "Select whether they have contact with children"},
    )

    def _phone(self, field: str) -> str:
        value = self.cleaned_data[field]
        if not value:
            return ""
        try:
            return identifiers.normalise_phone(value, noun=field)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_phone(self) -> str:
        return self._phone("phone")

    def clean_mobile(self) -> str:
        return self._phone("mobile")

    def clean_pnc(self) -> str:
        value = self.cleaned_data["pnc"].strip()
        if not value:
            return ""
        try:
            return identifiers.normalise_pnc(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class SecurityCodeForm(GovukFormMixin, forms.Form):
    """The 6-digit code from an authenticator app."""

    code = forms.CharField(
        label="Security code",
        max_length=20,
        help_text="The 6-digit code your authenticator app shows for Casework",
        error_messages={"required": "Enter the 6-digit security code from your authenticator app"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "autocomplete": "one-time-code",
                                      "inputmode": "numeric", "spellcheck": "false"}),
    )


class AuditFilterForm(GovukFormMixin, forms.Form):
    actor = forms.CharField(label="Username", max_length=150, required=False,
                            help_text="Exactly as shown in the log, for example jsmith")
    action = forms.ChoiceField(label="Action", required=False)
    crn = forms.CharField(label="CRN", max_length=7, required=False, help_text="For example, X123456")
    date_from = DateField(label="From date", required=False)
    date_to = DateField(label="To date", required=False)

    def __init__(self, *args, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        labelled = sorted(((a, action_label(a)) for a in actions), key=lambda choice: choice[1])
        self.fields["action"].choices = [("", "Any action"), *labelled]

    def clean_crn(self):
        crn = identifiers.normalise_crn(self.cleaned_data["crn"]) if self.cleaned_data["crn"] else ""
        if crn and not identifiers.is_valid_crn(crn):
            raise forms.ValidationError(identifiers.CRN_ERROR)
        return crn

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The to date must be the same as or after the from date")
        return data


class GrantDecisionForm(GovukFormMixin, forms.Form):
    """Approve or reject a request for access to cases."""

    decision = forms.ChoiceField(
        label="Do you approve this access?",
        choices=[("approve", "Approve"), ("reject", "Reject")],
        widget=Radios(small=True),
        error_messages={"required": "Select approve or reject"},
    )
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        required=False,
        help_text="Needed when you reject. It is kept in the audit log.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Reason must be 300 characters or fewer"},
    )


class EnrolmentForm(SecurityCodeForm):
    """Setting up an authenticator app: the one-time enrolment code, then the app's first code."""

    enrolment_code = forms.CharField(
        label="Enrolment code",
        max_length=40,
        help_text="From the email we sent to your work address, or from your administrator. For example, ABCDE-23456",
        error_messages={"required": "Enter the enrolment code from the email we sent you, or from your administrator"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "autocomplete": "off",
                                      "spellcheck": "false", "autocapitalize": "characters"}),
    )
    field_order = ["enrolment_code", "code"]
