"""Every add, change and delete made in the Django admin is audited, in the same transaction.

Django's admin saves (and deletes) each object inside one ``transaction.atomic`` and then calls
``log_addition``, ``log_change`` or ``log_deletions``; wrapping those puts the audit row in that
transaction. Admins whose saves go through an audited service (access settings, rule
configuration) are left alone so each change is recorded once. Bulk delete is switched off, so
every deletion goes through the confirmed, atomic delete page.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from casework.audit.services import admin_change_record

# Never copied into the audit log: password hashes, one-time-password secrets, token digests.
SECRET_FIELDS = {"password", "key", "digest"}
# Models whose admin saves go through a service that writes its own audit row.
AUDITED_BY_SERVICE = {"ruleset.ruleconfig", "audit.auditevent"}


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The object's stored values (foreign keys as ids), without secrets."""
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields
            if field.name not in SECRET_FIELDS}


def _audit(model_admin) -> None:
    get_object, log_addition = model_admin.get_object, model_admin.log_addition
    log_change, log_deletions = model_admin.log_change, model_admin.log_deletions

    def get_object_remembering(request, object_id, from_field=None):
        obj = get_object(request, object_id, from_field)
        if obj is not None:
            request._casework_admin_before = snapshot(obj)
        return obj

    def audited_addition(request, obj, message):
        entry = log_addition(request, obj, message)
        admin_change_record(by=request.user, obj=obj, verb="add", message=entry.get_change_message(), before=None,
                            after=snapshot(obj))
        return entry

    def audited_change(request, obj, message):
        entry = log_change(request, obj, message)
        admin_change_record(by=request.user, obj=obj, verb="change", message=entry.get_change_message(),
                            before=getattr(request, "_casework_admin_before", None), after=snapshot(obj))
        return entry

    def audited_deletions(request, queryset):
        entries = log_deletions(request, queryset)
        for obj in queryset:
            admin_change_record(by=request.user, obj=obj, verb="delete", message=f"Deleted {obj}",
                                before=snapshot(obj), after=None)
        return entries

    model_admin.get_object = get_object_remembering
    model_admin.log_addition = audited_addition
    model_admin.log_change = audited_change
    model_admin.log_deletions = audited_deletions


def audit_admin_site(site) -> None:
    """Wrap every registered model admin that is not already audited by a service."""
    site.disable_action("delete_selected")
    for model, model_admin in site._registry.items():
        if model._meta.label_lower in AUDITED_BY_SERVICE or getattr(model_admin, "audited_by_service", False):
            continue
        _audit(model_admin)
