"""The Django admin is for administrators only, and only for reference data.

Case data is never edited here: writes to cases go through services so they are validated and
audited. The admin site itself checks the administrator role on every request.
"""

from __future__ import annotations

from django.contrib import admin

from casework.access.viewer import request_viewer

admin.site.site_header = "Casework administration"
admin.site.site_title = "Casework administration"
admin.site.index_title = "Reference data"

_default_has_permission = admin.site.has_permission


def _admins_only(request) -> bool:
    return _default_has_permission(request) and request_viewer(request).is_admin


admin.site.has_permission = _admins_only
