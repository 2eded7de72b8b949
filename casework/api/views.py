"""HTTP API: ``POST /api/rules/NAME`` runs the same adapters as ``casework rules NAME``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.access.policy import Perm, has_perm
from casework.access.viewer import request_viewer
from casework.api.errors import error_body
from casework.api.parsers import JSONBodyParser
from casework.rules import registry
from casework.rules.contract import ContractError
from casework.ruleset.handlers import answer_configured


class HasCaseworkPerm(BasePermission):
    """Checks the ``casework_permission`` the view declares (deny by default)."""

    def has_permission(self, request, view):
        perm = getattr(view, "casework_permission", None)
        return perm is not None and has_perm(request_viewer(request), perm)


class StrictJSONParser(JSONBodyParser):
    """JSON bodies only; a malformed, too deep or non-finite body is a 400 with the structured error."""


class RuleView(APIView):
    """Run one rule engine on one request body."""

    parser_classes = [StrictJSONParser]
    permission_classes = [HasCaseworkPerm]
    casework_permission = Perm.RULES_USE
    rule_name = ""

    def post(self, request):
        body = request.data
        if not isinstance(body, dict):
            return Response(error_body("", "must be a JSON object"), status=400)
        try:
            return Response(answer_configured(self.rule_name, body))
        except ContractError as exc:
            return Response(exc.as_json(), status=400)


def _post_for(cls):
    def post(self, request):
        return RuleView.post(self, request)

    post.__qualname__ = f"{cls.__name__}.post"
    return post


def rule_view(name: str):
    """A view class for contract ``name``, documented in the OpenAPI schema."""
    # The contract's own pydantic models: what is validated and answered is what is documented.
    handler = registry.handler(name)
    described = extend_schema(
        operation_id=f"rules_{name.replace('-', '_')}",
        summary=f"Run the {name} rule engine",
        description=(f"Same request and response as `casework rules {name}`; every field, code and error "
                     "is described in docs/contracts.md. Unknown fields are refused."),
        request=handler.request_model,
        responses={
            200: OpenApiResponse(handler.response_model, description="The result"),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="The request broke the contract",
                                 examples=[OpenApiExample("error", value=error_body("field", "message"))]),
            413: OpenApiResponse(OpenApiTypes.OBJECT, description="The body is too large",
                                 examples=[OpenApiExample("too large", value=error_body("", "The request body is too "
                                                                                            "large"))]),
        },
        tags=["rules"],
    )
    cls = type(f"Rule_{name.replace('-', '_')}", (RuleView,), {"rule_name": name})
    cls.post = described(_post_for(cls))
    # DRF answers unauthenticated requests itself (401/403 JSON), so the page middleware must not
    # redirect them to the sign-in page.
    return login_not_required(cls.as_view())
