"""The forms behind the workforce pages (staff, reductions, team memberships, establishment).

The forms check what a form can (something entered, a real date or number); the services check the
rules (``casework.workforce.services``, ``casework.organisation.services``, rules.md §2.3) and their
messages are put back on these fields. Messages follow the GOV.UK style guide.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms

from casework.organisation.establishment import fte_problem
from casework.organisation.models import PostGrade
from casework.rules import workload
from casework.web.forms import DateField, GovukFormMixin, Radios
from casework.workforce.models import Grade, ReductionReason, TeamMembership

DATE_HINT = "For example, 27 11 2026"


def _number(label: str, name: str, *, max_digits: int, hint: str = "", required: bool = False) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=required, max_digits=max_digits, decimal_places=2, help_text=hint,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "decimal"}),
        error_messages={"required": f"Enter the {name}",
                        "invalid": f"Enter the {name} as a number, like 7.5",
                        "max_digits": f"Enter a smaller number for the {name}",
                        "max_whole_digits": f"Enter a smaller number for the {name}",
                        "max_decimal_places": f"Enter the {name} with no more than 2 decimal places"})


def team_choices(teams, empty: str) -> list:
    """Teams as select options grouped by PDU (``teams`` ordered by PDU), after an ``empty`` option."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for team in teams:
        groups.setdefault(team.pdu.name, []).append((team.pk, team.name))
    return [("", empty), *groups.items()]


class StaffFilterForm(GovukFormMixin, forms.Form):
    team = forms.TypedChoiceField(label="Team", required=False, coerce=int, empty_value=None,
                                  error_messages={"invalid_choice": "Select a team from the list"})
    grade = forms.ChoiceField(label="Grade", required=False, choices=[("", "All grades"), *Grade.choices],
                              error_messages={"invalid_choice": "Select a grade from the list"})

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = team_choices(teams, "All teams")


REASON_CHOICES = [("", "Select a reason"), *ReductionReason.choices]
REASON_HINT = ("Reasons with a standard percentage and length (maternity or adoption leave, PQiP, newly "
               "qualified officer, PSO learning and development) work out the hours and the end date")


class ReductionForm(GovukFormMixin, forms.Form):
    """Add or change a workload reduction (rules.md §2.3). ``version`` is there only when changing."""

    reason = forms.ChoiceField(label="Reason", choices=REASON_CHOICES, help_text=REASON_HINT,
                               error_messages={"required": "Select the reason for the reduction",
                                               "invalid_choice": "Select the reason for the reduction"})
    hours = _number("Hours taken off each week (optional)", "hours", max_digits=4,
                    hint="Leave empty to give a percentage instead, or to use the reason's standard percentage")
    percent = _number("Percentage of contracted hours (optional)", "percentage", max_digits=5,
                      hint="For example, 20 for a fifth of their contracted hours")
    start = DateField(label="Start date", help_text=DATE_HINT)
    end = DateField(label="End date (optional)", required=False,
                    help_text="The last day of the reduction. Leave empty for the reason's standard length, "
                              "or for no end date where the reason allows it")
    notes = forms.CharField(label="Notes (optional)", required=False, max_length=workload.MAX_NOTES_LENGTH,
                            widget=forms.Textarea(attrs={"rows": 4}),
                            help_text="For \"Other\", say what the reduction is for")

    def __init__(self, *args, changing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if changing:
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput)

    def added_values(self) -> dict:
        """The cleaned form as ``add_reduction``'s arguments."""
        data = self.cleaned_data
        return {name: data[name] for name in ("reason", "hours", "percent", "start", "end")} | {
            "notes": data["notes"] or ""}

    def changed_values(self) -> dict:
        """What the person changed, as ``change_reduction``'s arguments (hours or percentage, whichever
        they changed, leads)."""
        data = self.cleaned_data
        changed = {name: data[name] for name in ("reason", "hours", "percent", "start", "end", "notes")
                   if name in self.changed_data}
        if "notes" in changed:
            changed["notes"] = changed["notes"] or ""
        return changed


class EndReductionForm(GovukFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    end = DateField(label="Last day of the reduction", help_text=DATE_HINT)


class StaffRecordForm(GovukFormMixin, forms.Form):
    """An administrator's change to a member of staff's grade, hours, dates in post and core training."""

    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)
    grade = forms.ChoiceField(label="Grade", choices=Grade.choices,
                              error_messages={"required": "Select the grade",
                                              "invalid_choice": "Select the grade"})
    contracted_hours = _number("Contracted hours a week", "contracted hours", max_digits=4, required=True,
                               hint="37 is full time")
    started_in_post = DateField(label="Started in post", help_text=DATE_HINT)
    core_training_completed = DateField(label="Core training completed (optional)", required=False,
                                        help_text="Leave empty if they have not completed core training")
    ended = DateField(label="Left the role (optional)", required=False,
                      help_text="Their last day. Leave empty while they are in post")

    FIELDS = ("grade", "contracted_hours", "started_in_post", "core_training_completed", "ended")

    def clean_contracted_hours(self):
        hours = self.cleaned_data["contracted_hours"]
        if hours is not None and not Decimal(0) < hours <= workload.FULL_TIME_HOURS:
            raise forms.ValidationError("Contracted hours must be more than 0 and no more than 37")
        return hours

    def clean(self):
        data = super().clean()
        started = data.get("started_in_post")
        for name, words in (("core_training_completed", "The date core training was completed"),
                            ("ended", "The date they left the role")):
            if started and data.get(name) and data[name] < started:
                self.add_error(name, f"{words} must be the same as or after the date they started in post")
        return data

    def changed_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS if name in self.changed_data}


ROLE_CHOICES = TeamMembership.Role.choices


class MembershipForm(GovukFormMixin, forms.Form):
    """Change a team membership's role and dates (``MembershipAddForm`` puts someone in a team)."""

    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)
    role = forms.ChoiceField(label="Role in the team", choices=ROLE_CHOICES, widget=Radios(small=True),
                             initial=TeamMembership.Role.MEMBER,
                             error_messages={"required": "Select their role in the team",
                                             "invalid_choice": "Select their role in the team"})
    start_date = DateField(label="Date they joined the team", help_text=DATE_HINT)
    end_date = DateField(label="Date they left the team (optional)", required=False,
                         help_text="Their last day in the team. Leave empty while they are in it")

    FIELDS = ("role", "start_date", "end_date")

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The date they left the team must be the same as or after the date they "
                                       "joined")
        return data

    def changed_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS if name in self.changed_data}


class MembershipAddForm(MembershipForm):
    """Put a member of staff in one of ``teams``."""

    fingerprint = None
    team = forms.TypedChoiceField(label="Team", coerce=int,
                                  error_messages={"required": "Select the team", "invalid_choice": "Select the team"})
    field_order = ["team", "role", "start_date", "end_date"]

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = team_choices(teams, "Select a team")


class EstablishmentForm(GovukFormMixin, forms.Form):
    """A team's funded posts, full-time equivalent, one box per grade; each with the version it was read at."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for grade, label in PostGrade.choices:
            self.fields[f"fte_{grade}"] = forms.CharField(
                label=f"{label} posts (FTE)", max_length=10,
                widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-5", "inputmode": "decimal"}),
                error_messages={"required": fte_problem(None, label)})
            self.fields[f"version_{grade}"] = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def clean(self):
        data = super().clean()
        for grade, label in PostGrade.choices:
            value = data.get(f"fte_{grade}")
            if value is not None:
                problem = fte_problem(value, label)
                if problem:
                    self.add_error(f"fte_{grade}", problem)
        return data

    def posts(self) -> dict[str, str]:
        return {grade: self.cleaned_data[f"fte_{grade}"] for grade in PostGrade.values}

    def versions(self) -> dict[str, int]:
        return {grade: self.cleaned_data[f"version_{grade}"] for grade in PostGrade.values}

    def grade_fields(self):
        return [self[f"fte_{grade}"] for grade in PostGrade.values]
