"""API URLs: cases, the rule engines and the OpenAPI schema."""

from django.urls import path

from casework.api.cases import case_detail_view, case_list, case_lookup
from casework.api.schema import schema
from casework.api.views import rule_view
from casework.rules import registry

urlpatterns = [
    path("schema/", schema, name="api-schema"),
    path("cases/", case_list, name="api-case-list"),
    path("cases/lookup", case_lookup, name="api-case-lookup"),
    path("cases/<str:crn>", case_detail_view, name="api-case-detail"),
    *[path(f"rules/{name}", rule_view(name), name=f"api-rules-{name}") for name in registry.names()],
]
