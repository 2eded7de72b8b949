"""Values every template needs: the service name, the viewer and its navigation."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from casework.access.policy import Perm, has_perm, second_factor_required
from casework.access.viewer import request_viewer
from casework.account.middleware import SECOND_FACTOR_PENDING


def casework(request) -> dict:
    nav = []
    viewer = None
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        viewer = request_viewer(request)
        # Someone who still has to enter a security code gets no navigation, only "Sign out".
        verified = getattr(request.user, "is_verified", lambda: False)()
        needs_code = (request.session.get(SECOND_FACTOR_PENDING) or second_factor_required(viewer)) and not verified
        items = [] if needs_code else [
            (Perm.CASELOAD_OWN, "My caseload", "caseload"),
            (Perm.TASKS_VIEW, "Tasks", "tasks"),
            (Perm.ENFORCEMENT_VIEW, "Enforcement", "enforcement"),
            (Perm.RECALL_COUNTERSIGN, "Recalls", "recalls"),
            (Perm.TEAM_VIEW, "Teams", "team-list"),
            (Perm.ALLOCATE, "Allocations", "allocation-queue"),
            (Perm.OVERSIGHT_VIEW, "Oversight", "oversight"),
            (Perm.WORKLOAD_VIEW, "Workload", "workload"),
            (Perm.QUALITY_VIEW, "Quality", "quality"),
            (Perm.STAFF_VIEW, "Staff", "staff-list"),
            (Perm.CASE_SEARCH, "Search", "search"),
            (Perm.AUDIT_VIEW, "Audit log", "audit-log"),
            (Perm.ADMIN, "Administration", "admin:index"),
        ]
        path = request.path
        for perm, label, name in items:
            if has_perm(viewer, perm):
                url = reverse(name)
                nav.append({"text": label, "href": url, "active": path.startswith(url)})
    return {"service_name": "Casework", "viewer": viewer, "service_nav": nav, "demo_mode": settings.DEMO_MODE}
