"""The username django-axes counts failed sign-ins under (``AXES_USERNAME_CALLABLE``)."""

from __future__ import annotations

import unicodedata

USERNAME_FIELD = "username"
USERNAME_MAX = 150


def normalise_username(value: object) -> str:
    """A typed username as lockout counts it: compatibility-normalised (as the sign-in form does),
    trimmed and lower-case, so `` JSmith`` and ``jsmith`` share one count and one lock."""
    text = value if isinstance(value, str) else ""
    return unicodedata.normalize("NFKC", text).strip().lower()[:USERNAME_MAX]


def axes_username(request, credentials: dict | None = None) -> str:
    """The username of a sign-in attempt, from the credentials given to ``authenticate`` or the form post."""
    source = credentials or getattr(request, "POST", {})
    return normalise_username(source.get(USERNAME_FIELD, ""))
