"""Sign-in accounts. A member of staff (workforce.Staff) links to at most one account."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person who can sign in to Casework."""

    class Meta:
        db_table = "account_user"


class EnrolmentCode(models.Model):
    """A one-time code that lets a person set up their authenticator app (their second factor).

    Sent to their work email, or issued by an administrator and passed on out of band. The password
    alone never enrols a second factor: whoever holds a stolen password has no code. Only a slow,
    salted hash of the code is kept (Django's password hasher); a code works once, for a limited time
    and for a limited number of tries. Written only by ``casework.account.services`` (audited).
    """

    class Channel(models.TextChoices):
        EMAIL = "EMAIL", "Sent to their work email"
        ADMINISTRATOR = "ADMINISTRATOR", "Issued by an administrator"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolment_codes")
    digest = models.CharField(max_length=200, help_text="Salted hash of the code; the code itself is never kept")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "used_at"])]

    def __str__(self) -> str:
        return f"Enrolment code for {self.user} ({self.get_channel_display().lower()})"

    def is_usable_at(self, moment: dt.datetime, *, max_attempts: int) -> bool:
        return self.used_at is None and moment < self.expires_at and self.failed_attempts < max_attempts
