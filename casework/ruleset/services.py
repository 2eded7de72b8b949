"""Changing rule configuration: validated by the engine's own loader, versioned, audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max

from casework.audit.services import audit_record
from casework.core.errors import DomainValidationError, NotPermittedError
from casework.organisation.models import Pdu
from casework.rules.contract import ContractError
from casework.ruleset.kinds import SPECS, Source
from casework.ruleset.models import RuleConfig

UNKNOWN_KEY = "There is no {kind} called {key!r}"
REASON_REQUIRED = "Enter the reason for the change"


@transaction.atomic
def rule_config_change(*, kind: str, key: str, data: Any, by, reason: str, pdu: Pdu | None = None) -> RuleConfig:
    """Put a new version of rule data in force; ``DomainValidationError`` if the engine rejects it.

    With ``pdu`` the version is that PDU's own: it replaces the national configuration there only
    (its versions are numbered on their own).
    """
    from casework.access.viewer import viewer_for

    if not viewer_for(by).is_admin:
        raise NotPermittedError("Only administrators change rule configuration")
    spec = SPECS.get(kind)
    if spec is None or key not in spec.defaults:
        raise DomainValidationError({"key": UNKNOWN_KEY.format(kind=kind, key=key)})
    if not reason.strip():
        raise DomainValidationError({"reason": REASON_REQUIRED})
    try:
        loaded = spec.load(data)
    except (ContractError, ValueError, TypeError, KeyError) as exc:
        raise DomainValidationError({"data": str(exc)}) from None
    canonical = loaded.to_dict()
    scope = {"pdu__isnull": True} if pdu is None else {"pdu": pdu}
    current = RuleConfig.objects.select_for_update().filter(kind=kind, key=key, **scope).order_by("-version").first()
    latest = RuleConfig.objects.filter(kind=kind, key=key, **scope).aggregate(v=Max("version"))["v"] or 0
    source = Source.RULES_DEFAULT if canonical == spec.defaults[key].to_dict() else Source.LOCAL_POLICY
    config = RuleConfig.objects.create(kind=kind, key=key, version=latest + 1, data=canonical, source=source,
                                       reason=reason.strip(), created_by=by, pdu=pdu)
    audit_record(actor=by, action="rules.config_change", obj=config, detail=f"{config.label}: {reason.strip()}",
                 before={"version": current.version, "data": current.data} if current else None,
                 after={"version": config.version, "data": canonical})
    return config
