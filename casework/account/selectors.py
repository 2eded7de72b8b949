"""Reads about sign-in accounts."""

from __future__ import annotations

from django_otp.plugins.otp_totp.models import TOTPDevice


def has_authenticator(user) -> bool:
    """Whether ``user`` has set up an authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def work_email(user) -> str:
    """Where enrolment codes go: the staff record's email, else the account's (empty if neither)."""
    staff = getattr(user, "staff", None)
    return (getattr(staff, "email", "") or user.email or "").strip()


def masked_email(address: str) -> str:
    """``jo.smith@probation.example`` → ``j…@probation.example``: enough to recognise, not to harvest."""
    name, _, domain = address.partition("@")
    return f"{name[:1]}…@{domain}" if domain else ""
