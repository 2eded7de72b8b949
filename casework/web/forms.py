"""GOV.UK-styled form building blocks: widgets, a date field and a mixin that marks errors."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError


def _too_long(label: str, max_length: int) -> str:
    """GOV.UK wording for too much text: "Enter the location in 200 characters or fewer"."""
    noun = label.removesuffix(" (optional)")
    if not noun[:2].isupper():  # "PNC number" keeps its capitals; "Location" does not
        noun = noun[0].lower() + noun[1:]
    return f"Enter the {noun} in {max_length:,} characters or fewer"


class GovukFormMixin:
    """Adds GOV.UK classes to widgets, and error classes and descriptions once validated."""

    input_classes = {
        forms.TextInput: "govuk-input",
        forms.EmailInput: "govuk-input",
        forms.NumberInput: "govuk-input",
        forms.PasswordInput: "govuk-input",
        forms.Textarea: "govuk-textarea",
        forms.Select: "govuk-select",
    }
    error_classes = {
        "govuk-input": "govuk-input--error",
        "govuk-textarea": "govuk-textarea--error",
        "govuk-select": "govuk-select--error",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            css = self.input_classes.get(type(widget))
            if type(widget) is forms.Select:
                # Options written inline (``Select.option_inherits_attrs`` is False, so an option's only
                # attribute is ``selected``), not one template include per option.
                widget.template_name = "widgets/select.html"
            if css:
                existing = widget.attrs.get("class", "")
                widget.attrs["class"] = f"{css} {existing}".strip()
            if field.help_text:
                widget.attrs["aria-describedby"] = f"id_{name}-hint"
            max_length = getattr(field, "max_length", None)
            if max_length and field.label:
                field.error_messages.setdefault("max_length", _too_long(str(field.label), max_length))

    def full_clean(self):
        super().full_clean()
        self._mark_errors()

    def add_error(self, field, error):
        # Errors a service finds after the form's own checks (a contact dated before the person's birth)
        # mark their field too: the red border and aria-describedby, as the form's own errors do.
        super().add_error(field, error)
        if hasattr(self, "cleaned_data"):
            self._mark_errors()

    def _mark_errors(self):
        for name in self.errors:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            if isinstance(widget, DateInput):
                widget.has_error = True
                continue
            css = widget.attrs.get("class", "")
            base = css.split(" ")[0] if css else ""
            error_class = self.error_classes.get(base)
            if error_class and error_class not in css.split():
                widget.attrs["class"] = f"{css} {error_class}"
            described = [f"id_{name}-hint"] if self.fields[name].help_text else []
            widget.attrs["aria-describedby"] = " ".join([*described, f"id_{name}-error"])


class Radios(forms.RadioSelect):
    template_name = "widgets/radios.html"
    error_anchor_suffix = "_0"

    def __init__(self, *args, small: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.small = small

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["small"] = self.small
        return context


class DateInput(forms.MultiWidget):
    """The GOV.UK date input: day, month and year boxes."""

    template_name = "widgets/date_input.html"
    is_date_input = True
    error_anchor_suffix = "_0"

    def __init__(self, attrs=None, *, birthday: bool = False):
        super().__init__([forms.TextInput(), forms.TextInput(), forms.TextInput()], attrs)
        self.has_error = False
        self.birthday = birthday

    def decompress(self, value):
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["has_error"] = self.has_error
        context["widget"]["autocomplete_bday"] = self.birthday
        return context


# The dates any date box accepts: a person's birth, a contact, a filter. Also keeps a day added to
# the latest date (the end of a "to" filter) inside what Python and the databases can hold.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2099, 12, 31)
_DIGITS = re.compile(r"[0-9]+")


def _long(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


class DateField(forms.MultiValueField):
    """A date typed into three boxes, with GOV.UK error messages naming the field."""

    def __init__(self, *, label: str, required: bool = True, birthday: bool = False,
                 earliest: dt.date = EARLIEST_DATE, latest: dt.date = LATEST_DATE, **kwargs):
        self.noun = label[0].lower() + label[1:]
        self.earliest, self.latest = earliest, latest
        fields = (forms.CharField(), forms.CharField(), forms.CharField())
        super().__init__(
            fields=fields,
            require_all_fields=False,
            required=required,
            label=label,
            widget=DateInput(birthday=birthday),
            error_messages={"required": f"Enter the {self.noun}", "incomplete": f"Enter the {self.noun}"},
            **kwargs,
        )

    def clean(self, value):
        parts = [str(p).strip() if p is not None else "" for p in (value or ["", "", ""])]
        if not any(parts):
            if self.required:
                raise ValidationError(f"Enter the {self.noun}", code="required")
            return None
        names = ("day", "month", "year")
        missing = [n for n, p in zip(names, parts, strict=True) if not p]
        if missing:
            raise ValidationError(f"The {self.noun} must include a {' and a '.join(missing)}", code="incomplete")
        # Bounded before any arithmetic: ASCII digits only, at most two for the day and the month (after
        # leading zeros) and four for the year, so no typed number reaches ``date()`` or a date sum too big.
        not_real = ValidationError(f"The {self.noun} must be a real date", code="invalid")
        if not all(_DIGITS.fullmatch(p) for p in parts):
            raise not_real
        if len(parts[2]) != 4:
            raise ValidationError("Year must include 4 numbers", code="invalid")
        if any(len(p.lstrip("0")) > 2 for p in parts[:2]):
            raise not_real
        day, month, year = (int(p) for p in parts)
        try:
            value = dt.date(year, month, day)
        except ValueError:
            raise not_real from None
        if not self.earliest <= value <= self.latest:
            raise ValidationError(f"The {self.noun} must be between {_long(self.earliest)} and {_long(self.latest)}",
                                  code="out_of_range")
        return value

    def compress(self, data_list):  # clean() above does the work
        return data_list
