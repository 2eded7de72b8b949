"""Template helpers for GOV.UK-style display: dates, tags, field ids. Display only, no rules."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html

register = template.Library()

_ROSH_CLASSES = {
    "VERY_HIGH": "govuk-tag--red",
    "HIGH": "govuk-tag--orange",
    "MEDIUM": "govuk-tag--yellow",
    "LOW": "govuk-tag--green",
}
_ROSH_LABELS = {"VERY_HIGH": "Very high", "HIGH": "High", "MEDIUM": "Medium", "LOW": "Low"}


@register.filter
def govuk_date(value) -> str:
    """``27 November 2026`` (GOV.UK style); empty for no date."""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return f"{value.day} {value:%B %Y}"


@register.filter
def govuk_datetime(value) -> str:
    """``27 November 2026, 2:30pm``; empty for no value."""
    if not value:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    time = f"{hour}{suffix}" if local.minute == 0 else f"{hour}:{local.minute:02d}{suffix}"
    return f"{local.day} {local:%B %Y}, {time}"


@register.filter
def govuk_time(value) -> str:
    """``2:30pm``."""
    if not value:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{hour}{suffix}" if local.minute == 0 else f"{hour}:{local.minute:02d}{suffix}"


@register.simple_tag
def rosh_tag(level: str):
    """A RoSH tag whose words carry the meaning (the colour only repeats it)."""
    if not level:
        return format_html('<strong class="govuk-tag govuk-tag--grey">{}</strong>', "Not assessed")
    return format_html(
        '<strong class="govuk-tag {}">{} RoSH</strong>', _ROSH_CLASSES.get(level, ""), _ROSH_LABELS.get(level, level)
    )


@register.filter
def rosh_label(level: str) -> str:
    return _ROSH_LABELS.get(level, "Not assessed")


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def need_label(code: str) -> str:
    """The readable name of a criminogenic need code (``THINKING_AND_BEHAVIOUR`` → ``Thinking and behaviour``)."""
    from casework.record.choices import Need

    try:
        return Need(code).label
    except ValueError:
        return code.replace("_", " ").capitalize()


_SENTENCE_LABELS = {
    "COMMUNITY_ORDER": "Community order",
    "SUSPENDED_SENTENCE_ORDER": "Suspended sentence order",
    "POST_SENTENCE_SUPERVISION": "Post-sentence supervision",
}


@register.simple_tag
def sentence_label(kind: str, status: str) -> str:
    """How case lists name the current sentence (a tag, not an include: lists render it 50 times a page)."""
    if kind == "CUSTODY":
        return "Custody (pre-release)" if status == "PRE_RELEASE" else "Licence"
    return _SENTENCE_LABELS.get(kind, "")


_SINGLE_TIER_WORDS = {
    "MISSING": "not worked out (predictor scores missing)",
    "NOT_SUPERVISED": "not supervised",
}


@register.filter
def single_tier_label(code: str) -> str:
    """The single-scale tier in words: a letter A to G as it is; ``MISSING`` and ``NOT_SUPERVISED`` said."""
    if not code:
        return "not calculated"
    return _SINGLE_TIER_WORDS.get(code, code)


_RATING = {"OUTSTANDING": ("Outstanding", "govuk-tag--green"), "GOOD": ("Good", "govuk-tag--blue"),
           "REQUIRES_IMPROVEMENT": ("Requires improvement", "govuk-tag--orange"),
           "INADEQUATE": ("Inadequate", "govuk-tag--red")}
_ANSWER = {"SUFFICIENT": "Sufficient", "NOT_SUFFICIENT": "Not sufficient", "NOT_APPLICABLE": "Not applicable"}


@register.filter
def rating_tag(rating: str | None):
    """An inspection rating as a tag whose words carry the meaning."""
    if not rating:
        return format_html('<strong class="govuk-tag govuk-tag--grey">{}</strong>', "Not rated")
    label, css = _RATING.get(rating, (rating, ""))
    return format_html('<strong class="govuk-tag {}">{}</strong>', css, label)


@register.filter
def rating_label(rating: str | None) -> str:
    return _RATING.get(rating or "", ("Not rated", ""))[0]


@register.filter
def answer_label(answer: str | None) -> str:
    return _ANSWER.get(answer or "", "Not answered")


@register.filter
def percent(value) -> str:
    return "–" if value is None else f"{value}%"
