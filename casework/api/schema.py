"""The OpenAPI schema, for signed-in people and for API clients with any valid token.

The rule contracts are documented from their pydantic models (``casework.rules.schema``): requests in
pydantic's validation mode, responses in its serialisation mode. Their code lists (enumerations) are
named ``<Name>Code`` in ``components`` (``RoshCode``, ``RegistrationCode``), so they can never take
the name of a case-data serializer (the case API has its own ``Registration`` object).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.views import SpectacularAPIView
from pydantic.json_schema import model_json_schema

from casework.access.policy import Perm
from casework.api.views import HasCaseworkPerm

_REF = "#/components/schemas/"


def _renamed(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, dict):
        out = {key: _renamed(item, names) for key, item in value.items()}
        ref = out.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF) and ref[len(_REF):] in names:
            out["$ref"] = _REF + names[ref[len(_REF):]]
        return out
    if isinstance(value, list):
        return [_renamed(item, names) for item in value]
    return value


#: What answers given with a local policy in force carry besides the contract's response (the ruleset
#: app's ``answer_configured``).
CONFIG_PROPERTY = {
    "type": "array",
    "items": {"type": "string"},
    "description": "Present only when a local policy produced the answer: the configuration versions used, "
                   "such as POINTS_TABLE/default/v2.",
}


def contract_schema(model: type, direction: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """``(schema, components)`` of a contract model as the API documents it."""
    mode = "validation" if direction == "request" else "serialization"
    schema = model_json_schema(model, ref_template=_REF + "{model}", mode=mode)
    defs = schema.pop("$defs", {})
    names = {name: f"{name}Code" for name, sub in defs.items() if "enum" in sub}
    components = {names.get(name, name): _renamed(sub, names) for name, sub in defs.items()}
    schema = _renamed(schema, names)
    if direction == "response":
        schema["properties"]["config"] = CONFIG_PROPERTY
    return schema, components


class ContractModelExtension(OpenApiSerializerExtension):
    """Documents a rule contract's pydantic model (ahead of drf-spectacular's generic pydantic support)."""

    target_class = "casework.rules.schema.ContractModel"
    match_subclasses = True
    priority = 1

    def get_name(self, auto_schema, direction):
        return self.target.__name__

    def map_serializer(self, auto_schema, direction):
        schema, components = contract_schema(self.target, direction)
        for name, sub in components.items():
            auto_schema.registry.register_on_missing(
                ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name, schema=sub)
            )
        return schema


class SchemaView(SpectacularAPIView):
    permission_classes = [HasCaseworkPerm]
    casework_permission = Perm.API_SCHEMA


schema = login_not_required(SchemaView.as_view())
