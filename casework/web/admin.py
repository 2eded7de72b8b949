"""The Django admin is for administrators only, and only for reference data and access settings.

Case data is never edited here: writes to cases go through services so they are validated and
audited. The admin site checks the administrator role on every request, and signing in and out
goes through Casework's own pages (lockout, security code and audit included).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from casework.access.viewer import request_viewer
from casework.web.views.general import sign_out

admin.site.site_header = "Casework administration"
admin.site.site_title = "Casework administration"
admin.site.index_title = "Reference data and access"

_default_has_permission = admin.site.has_permission


def _admins_only(request) -> bool:
    """Administrators only. Anyone else who is signed in gets the 403 page straight away: the admin
    would otherwise send them to sign in, and signing in (they already are) sends them back here."""
    if _default_has_permission(request) and request_viewer(request).is_admin:
        return True
    if request.user.is_authenticated:
        raise PermissionDenied("Only administrators can use Casework administration")
    return False


def _sign_in(request, extra_context=None):
    """Someone not signed in goes to Casework's sign-in page; someone signed in but not an
    administrator sees the 403 page (sending them to sign in again would bring them straight back)."""
    if request.user.is_authenticated:
        raise PermissionDenied("Only administrators can use Casework administration")
    return redirect_to_login(request.GET.get("next") or "/admin/")


def _sign_out(request, extra_context=None):
    return sign_out(request)


admin.site.has_permission = _admins_only
admin.site.login = _sign_in
admin.site.logout = _sign_out
