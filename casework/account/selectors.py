"""Reads about sign-in accounts."""

from __future__ import annotations

from django_otp.plugins.otp_totp.models import TOTPDevice


def has_authenticator(user) -> bool:
    """Whether ``user`` has set up an authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()
