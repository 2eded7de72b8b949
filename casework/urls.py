"""Top-level URLs. Every view declares its permission (see casework.access.policy)."""

from django.contrib import admin
from django.urls import include, path

from casework.core import health

urlpatterns = [
    # Answered by casework.core.health.HealthCheckMiddleware before the session; listed for the URL walk.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/", include("casework.api.urls")),
    path("", include("casework.web.urls")),
]

# A database that cannot be reached answers 503 wherever the error is raised (casework/core/outage.py).
handler500 = "casework.core.outage.server_error"
