"""The filter forms of the safeguard oversight pages. Validation messages follow the GOV.UK style guide."""

from __future__ import annotations

import datetime as dt

from django import forms

from casework.safeguards.oversight import NO_CASE_MANAGER, Measure, Period, default_period
from casework.web.forms import DateField, GovukFormMixin


class OversightFilterForm(GovukFormMixin, forms.Form):
    """Which new cases (by their start date) and which team; empty dates mean the last three months."""

    date_from = DateField(label="Earliest start date", required=False, help_text="For example, 1 9 2026")
    date_to = DateField(label="Latest start date", required=False, help_text="For example, 30 11 2026")
    team = forms.ChoiceField(label="Team", required=False)

    def __init__(self, *args, teams=(), today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.teams = {t.code: t for t in teams}
        self.fields["team"].choices = [("", "All teams"), *[(t.code, t.name) for t in teams]]
        self.fields["team"].error_messages["invalid_choice"] = "Select a team from the list"

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if "date_from" in self.errors or "date_to" in self.errors:
            return data
        default = default_period(self.today)
        start = start or (min(default.start, end) if end else default.start)
        end = end or max(default.end, start)
        if end < start:
            self.add_error("date_to", "The latest start date must be the same as or after the earliest start date")
            return data
        data["period"] = Period(start, end)
        data["team_obj"] = self.teams.get(data.get("team") or "")
        return data


class OversightCasesForm(OversightFilterForm):
    """The list behind one figure: the page's filters, the measure and a case manager."""

    measure = forms.ChoiceField(label="Figure", required=False, choices=[(m.value, m.label) for m in Measure])
    # A case manager's staff number from the figure's link, or NO_CASE_MANAGER; kept in a hidden field.
    practitioner = forms.IntegerField(
        label="Case manager", required=False, min_value=NO_CASE_MANAGER, max_value=2**31 - 1,
        widget=forms.HiddenInput,
        error_messages={"invalid": "Choose a case manager from the oversight page",
                        "min_value": "Choose a case manager from the oversight page",
                        "max_value": "Choose a case manager from the oversight page"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].error_messages["invalid_choice"] = "Select a figure from the list"

    def clean_measure(self):
        return Measure(self.cleaned_data.get("measure") or Measure.NEW_CASES)
