"""Deployment check: production must ask for the second factor."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Warning as CheckWarning


def second_factor_enforced(app_configs, **kwargs) -> list[CheckWarning]:
    """``manage.py check --deploy``: warn if SPOs, heads of PDU and administrators could sign in without a code."""
    if settings.DEBUG or settings.DEMO_MODE or settings.SECOND_FACTOR_ENFORCED:
        return []
    return [CheckWarning(
        "SECOND_FACTOR_ENFORCED is off outside demo mode",
        hint="Senior probation officers, heads of PDU and administrators must confirm a one-time password.",
        id="casework.W001",
    )]
