"""API URLs: the rule engines and the OpenAPI schema."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from casework.access.policy import Perm
from casework.api.views import rule_view
from casework.rules import registry

schema = SpectacularAPIView.as_view()
schema.casework_permission = Perm.SIGNED_IN

urlpatterns = [
    path("schema/", schema, name="api-schema"),
    *[path(f"rules/{name}", rule_view(name), name=f"api-rules-{name}") for name in registry.names()],
]
