"""Why a safeguard task exists and what closes it, in words people read (rules.md §4).

Display only: the schedule itself is ``casework.rules.safeguards``; these sentences describe it for
the case page, ``/tasks/`` and the reminder email.
"""

from __future__ import annotations

import datetime as dt

from casework.rules.safeguards import SafeguardSchedule
from casework.safeguards.choices import SafeguardCode, TriggerCode

#: The rule of rules.md §4 behind each safeguard, with the numbers of ``policy``.
RULES = {
    SafeguardCode.DOMESTIC_ABUSE_ENQUIRY:
        "Every new order or licence needs a domestic abuse enquiry with the police (call-out history), "
        "due {initial} working days from the start.",
    SafeguardCode.SAFEGUARDING_ENQUIRY:
        "Every new order or licence needs a safeguarding enquiry with children's services where the person "
        "lives with, has contact with or may have contact with children; otherwise a recorded decision that it "
        "is not required. Due {initial} working days from the start.",
    SafeguardCode.INITIAL_ROSH_ASSESSMENT:
        "Every new order or licence needs an initial risk of serious harm assessment, due {initial} working "
        "days from the start.",
    SafeguardCode.HOME_VISIT:
        "A domestic abuse or child concerns registration needs a home visit, due {home_visit} working days "
        "from the registration or the start, whichever is later.",
    SafeguardCode.RISK_REVIEW:
        "Risk is reviewed every {high} weeks when the risk of serious harm is high or very high, otherwise "
        "every {other} weeks, and within {triggered} working days of an arrest, charge, call-out, move, change "
        "of household, failure to comply, breach or recall decision, release or new registration.",
    SafeguardCode.MANAGEMENT_OVERSIGHT:
        "A senior probation officer oversees a new high or very high risk case and every breach or recall "
        "decision, within {oversight} working days.",
}

#: What closes each safeguard.
CLOSES = {
    SafeguardCode.DOMESTIC_ABUSE_ENQUIRY:
        "Record the date and what the police said. It can never be recorded as not required.",
    SafeguardCode.SAFEGUARDING_ENQUIRY:
        "Record the date and what children's services said, or, only if the person has no contact with "
        "children, record that it is not required and why.",
    SafeguardCode.INITIAL_ROSH_ASSESSMENT:
        "Record a risk assessment, or the date and outcome here. It can never be recorded as not required.",
    SafeguardCode.HOME_VISIT:
        "Record an attended home visit, or the date and what the visit found here; or record that it is not "
        "required and why.",
    SafeguardCode.RISK_REVIEW:
        "Record a risk assessment, or the date and outcome of the review here: one review closes every earlier "
        "open review. Or record that it is not required and why.",
    SafeguardCode.MANAGEMENT_OVERSIGHT:
        "The senior probation officer records the oversight (a management oversight contact, or the date and "
        "outcome here). It can never be recorded as not required.",
}


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def rule_text(safeguard: str, policy: SafeguardSchedule) -> str:
    return RULES[SafeguardCode(safeguard)].format(
        initial=policy.initial_working_days, home_visit=policy.home_visit_working_days,
        high=policy.review_weeks_high, other=policy.review_weeks_other,
        triggered=policy.triggered_review_working_days, oversight=policy.oversight_working_days)


def trigger_text(trigger: str, created_on: dt.date) -> str:
    """What created the task, and when."""
    if trigger == TriggerCode.START:
        return f"The order or licence started on {_day(created_on)}"
    if trigger == TriggerCode.REGISTRATION:
        return f"A registration needing a home visit, from {_day(created_on)}"
    if trigger == TriggerCode.PERIODIC:
        return f"The periodic review cycle, counted from {_day(created_on)} (the start or the last review)"
    return f"{TriggerCode(trigger).label} on {_day(created_on)}"


def closes_text(safeguard: str) -> str:
    return CLOSES[SafeguardCode(safeguard)]
