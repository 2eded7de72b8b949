"""The OpenAPI schema, for signed-in people and for API clients with any valid token."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from drf_spectacular.views import SpectacularAPIView

from casework.access.policy import Perm
from casework.api.views import HasCaseworkPerm


class SchemaView(SpectacularAPIView):
    permission_classes = [HasCaseworkPerm]
    casework_permission = Perm.API_SCHEMA


schema = login_not_required(SchemaView.as_view())
