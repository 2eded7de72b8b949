"""Top-level URLs. Every view declares its permission (see casework.access.policy)."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("casework.api.urls")),
    path("", include("casework.web.urls")),
]
