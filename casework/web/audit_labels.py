"""Words for what the audit log stores as codes: actions, field names and coded values.

The log keeps stable codes (``contact.record_outcome``, ``date_of_birth``, ``ACCEPTABLE_ABSENCE``)
so it can be searched and exported; pages show these words instead. A code added later without a
label here is still shown as words, made from the code itself.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps

from casework.access.models import GrantStatus, Role
from casework.record.choices import (
    AbsenceReason,
    AccessKind,
    ContactKind,
    ContactOutcome,
    Gender,
    RiskLevel,
    YesNoUnknown,
)
from casework.web.templatetags.govuk import govuk_date, govuk_datetime, single_tier_label
from casework.workforce.models import ReductionReason, TeamMembership

ACTION_LABELS = {
    "access.api_client_create": "API client registered",
    "access.api_token_issue": "API token issued",
    "access.api_token_revoke": "API token revoked",
    "access.case_restriction_lift": "Case restriction lifted",
    "access.case_rule_remove": "Case access rule removed",
    "access.case_rule_set": "Case access rule set",
    "access.exercise_create": "Inspection exercise created",
    "access.exercise_end": "Inspection exercise ended",
    "access.grant_create": "Access granted",
    "access.grant_end": "Access ended",
    "access.grant_request": "Access requested",
    "access.grant_approve": "Access request approved",
    "access.grant_reject": "Access request rejected",
    "account.administrator_create": "Administrator account created",
    "admin.add": "Added in administration",
    "admin.change": "Changed in administration",
    "admin.delete": "Deleted in administration",
    "audit.export": "Audit log downloaded",
    "auth.enrolment_code_failed": "Wrong enrolment code",
    "auth.enrolment_code_issued": "Enrolment code issued by an administrator",
    "auth.enrolment_code_sent": "Enrolment code emailed",
    "auth.locked_out": "Account locked after failed sign-ins",
    "auth.second_factor_enrolled": "Authenticator app set up",
    "auth.second_factor_failed": "Wrong security code",
    "auth.second_factor_reset": "Authenticator app reset",
    "auth.second_factor_verified": "Security code accepted",
    "auth.sign_in": "Signed in",
    "auth.sign_in_failed": "Sign-in failed",
    "auth.sign_in_refused_locked": "Sign-in refused: account locked",
    "auth.sign_out": "Signed out",
    "case.export": "Case list downloaded",
    "case.tier_recalculated": "Tier recalculated",
    "case.update_personal_details": "Personal details changed",
    "case.view_restricted": "Restricted case viewed",
    "contact.record": "Contact recorded",
    "contact.record_outcome": "Appointment outcome recorded",
    "appointment.arrange": "Appointment arranged",
    "appointment.reschedule": "Appointment rescheduled",
    "case_event.record": "Risk event recorded",
    "enforcement_decision.oversee": "Enforcement decision overseen by the SPO",
    "enforcement_decision.record": "Enforcement decision recorded",
    "enforcement_signal.close_answered": "Enforcement signal closed by a decision or review",
    "enforcement_signal.raise": "Enforcement signal raised",
    "enforcement_signal.update": "Enforcement signal due date changed",
    "organisation.establishment_change": "Funded posts changed",
    "recall.consider": "Recall considered",
    "recall.oversight": "Recall: SPO oversight recorded",
    "recall.not_recall_at_oversight": "Recall: SPO decided not to recall",
    "recall.recommend": "Recall recommended",
    "recall.not_recall_at_recommendation": "Recall: decided not to recall",
    "recall.spo_countersign": "Recall countersigned by the SPO",
    "recall.aco_countersign": "Recall countersigned by the head of PDU",
    "recall.issue": "Recall document issued",
    "registration.add": "Registration added",
    "registration.review": "Registration reviewed",
    "registration.deregister": "Registration ended",
    "risk_assessment.record": "Risk assessment recorded",
    "risk_management_plan.record": "Risk management plan saved",
    "rules.config_change": "Rules configuration changed",
    "safeguard_reminder.send": "Safeguard reminder emailed",
    "safeguard_task.close_by_schedule": "Safeguard task closed by other work",
    "safeguard_task.close_done": "Safeguard task recorded as done",
    "safeguard_task.create": "Safeguard task created",
    "safeguard_task.mark_not_required": "Safeguard task recorded as not required",
    "safeguard_task.reschedule": "Safeguard task due date changed",
    "workforce.court_report_add": "Court report given",
    "workforce.court_report_complete": "Court report completed",
    "workforce.membership_add": "Team membership added",
    "workforce.membership_change": "Team membership changed",
    "workforce.membership_remove": "Team membership ended",
    "workforce.reduction_add": "Workload reduction added",
    "workforce.reduction_change": "Workload reduction changed",
    "workforce.reduction_end": "Workload reduction ended",
    "workforce.staff_add": "Member of staff added",
    "workforce.staff_change": "Member of staff changed",
    "workforce.workload_snapshot": "Weekly workload snapshots taken",
}

FIELD_LABELS = {
    "pnc": "PNC number",
    "crn": "CRN",
    "pdu": "PDU",
    "rosh": "RoSH",
    "date_of_birth": "Date of birth",
    "children_contact": "Contact with children",
    "starts_at": "Date and time",
    "kind": "Type",
    "sensitive": "Sensitive notes",
    "tier_single": "Single-scale tier",
    # A team's funded posts (organisation.establishment_change), FTE by grade.
    "PO": "Probation officer posts (FTE)",
    "PQIP": "PQiP posts (FTE)",
    "PSO": "Probation services officer posts (FTE)",
    "SPO": "Senior probation officer posts (FTE)",
}

# Fields whose values are codes from a list of choices.
_VALUE_LABELS: dict[str, dict[str, str]] = {
    "gender": dict(Gender.choices),
    "kind": {**dict(ContactKind.choices), **dict(AccessKind.choices)},
    "status": dict(GrantStatus.choices),
    "role": {**dict(Role.choices), **dict(TeamMembership.Role.choices)},
    "reason": dict(ReductionReason.choices),
    "outcome": dict(ContactOutcome.choices),
    "absence_reason": dict(AbsenceReason.choices),
    "children_contact": dict(YesNoUnknown.choices),
    "rosh": dict(RiskLevel.choices),
    # A to G read as they are; the two codes that are not tiers are said in words.
    "tier_single": {code: single_tier_label(code).capitalize() for code in ("MISSING", "NOT_SUPERVISED")},
}


def _words(code: str) -> str:
    text = code.replace("_", " ").replace(".", ": ").strip()
    return text[:1].upper() + text[1:]


def known_actions() -> list[str]:
    """Every action Casework writes to the audit log (the audit filter's choices)."""
    return sorted(ACTION_LABELS)


def action_label(code: str) -> str:
    """``auth.sign_in`` → ``Signed in``."""
    return ACTION_LABELS.get(code) or _words(code)


def object_label(object_type: str) -> str:
    """``record.contact`` → ``Contact`` (the model's own name for itself)."""
    if not object_type:
        return ""
    try:
        name = str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return _words(object_type.rpartition(".")[2])
    return name[:1].upper() + name[1:]


def field_label(name: str) -> str:
    """``date_of_birth`` → ``Date of birth``."""
    return FIELD_LABELS.get(name) or _words(name)


def value_text(name: str, value: Any) -> str:
    """A stored value as people read it: labels for codes, Yes/No, dates in GOV.UK style."""
    if value is None or value == "":
        return "Not recorded"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        labels = _VALUE_LABELS.get(name)
        if labels and value in labels:
            return labels[value]
        if len(value) == 10 and value[4:5] == "-" and value[7:8] == "-":
            try:
                return govuk_date(dt.date.fromisoformat(value))
            except ValueError:
                return value
        if len(value) > 10 and value[4:5] == "-" and "T" in value:
            try:
                return govuk_datetime(dt.datetime.fromisoformat(value))
            except ValueError:
                return value
        return value
    if isinstance(value, list):
        return ", ".join(value_text(name, v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{field_label(k)}: {value_text(k, v)}" for k, v in value.items())
    return str(value)


def recorded(after: Any) -> list[dict[str, str]]:
    """The rows of a field / value list for something new (an entry with no ``before``): blanks left out."""
    if not isinstance(after, dict):
        return [] if after in (None, "") else [{"field": "Value", "value": value_text("value", after)}]
    return [{"field": field_label(name), "value": value_text(name, value)}
            for name, value in after.items() if value not in (None, "", [], {})]


def changes(before: Any, after: Any) -> list[dict[str, str]]:
    """The rows of a field / before / after table for an audit entry's ``before`` and ``after``."""
    before = before if isinstance(before, dict) else ({} if before is None else {"value": before})
    after = after if isinstance(after, dict) else ({} if after is None else {"value": after})
    names = list(dict.fromkeys([*before, *after]))
    return [
        {"field": field_label(name),
         "before": value_text(name, before[name]) if name in before else "",
         "after": value_text(name, after[name]) if name in after else ""}
        for name in names
    ]
