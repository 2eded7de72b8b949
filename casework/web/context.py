"""Values every template needs: the service name, the viewer and its navigation."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from casework.access.policy import Perm, has_perm
from casework.access.viewer import request_viewer


def casework(request) -> dict:
    nav = []
    viewer = None
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        viewer = request_viewer(request)
        items = [
            (Perm.CASELOAD_OWN, "My caseload", "caseload"),
            (Perm.TEAM_VIEW, "Teams", "team-list"),
            (Perm.CASE_SEARCH, "Search", "search"),
            (Perm.ADMIN, "Administration", "admin:index"),
        ]
        path = request.path
        for perm, label, name in items:
            if has_perm(viewer, perm):
                url = reverse(name)
                nav.append({"text": label, "href": url, "active": path.startswith(url)})
    return {"service_name": "Casework", "viewer": viewer, "service_nav": nav, "demo_mode": settings.DEMO_MODE}
