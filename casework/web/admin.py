"""The Django admin is for administrators only, and only for reference data and access settings.

Case data is never edited here: writes to cases go through services so they are validated and
audited. The admin site checks the administrator role on every request, and signing in and out
goes through Casework's own pages (lockout, security code and audit included).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login

from casework.access.viewer import request_viewer
from casework.web.views.general import sign_out

admin.site.site_header = "Casework administration"
admin.site.site_title = "Casework administration"
admin.site.index_title = "Reference data and access"

_default_has_permission = admin.site.has_permission


def _admins_only(request) -> bool:
    return _default_has_permission(request) and request_viewer(request).is_admin


def _sign_in(request, extra_context=None):
    return redirect_to_login(request.GET.get("next") or "/admin/")


def _sign_out(request, extra_context=None):
    return sign_out(request)


admin.site.has_permission = _admins_only
admin.site.login = _sign_in
admin.site.logout = _sign_out
