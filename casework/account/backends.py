"""Authentication backends that load the person's staff record with their user, in one query.

Every signed-in request needs both (the staff record says who they are in the organisation and carries
the ``access_version`` that says whether the access scope kept in their session still holds), so the
user is fetched with its staff record joined instead of one query each.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class _UserWithStaff:
    def get_user(self, user_id):
        model = get_user_model()
        try:
            user = model._default_manager.select_related("staff").get(pk=user_id)
        except model.DoesNotExist:
            return None
        # As Django's ModelBackend: an inactive account is signed out.
        return user if user.is_active else None


class LockoutBackend(_UserWithStaff, AxesStandaloneBackend):
    """django-axes' lockout check (first in the list), loading users with their staff record."""


class PasswordBackend(_UserWithStaff, ModelBackend):
    """Django's username and password check, loading users with their staff record."""
