"""Administrators change rule data here; each save is a new version through the service."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from casework.core.errors import DomainValidationError, NotPermittedError
from casework.organisation.models import Pdu
from casework.rules.contract import ContractError
from casework.ruleset.kinds import SPECS, ConfigKind
from casework.ruleset.models import RuleConfig
from casework.ruleset.selectors import config_in_force
from casework.ruleset.services import rule_config_change


class NewVersionForm(forms.ModelForm):
    class Meta:
        model = RuleConfig
        fields = ["kind", "key", "pdu", "data", "reason"]
        widgets = {"data": forms.Textarea(attrs={"rows": 30, "cols": 100, "style": "font-family: monospace"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A stored version opens read-only (its fields are not on the form): versions are never edited.
        if "kind" in self.fields:
            self.fields["kind"].choices = ConfigKind.choices
        if "reason" in self.fields:
            self.fields["reason"].help_text = ("Why the rule data is changing: kept with the version and in the "
                                               "audit log")

    def clean(self):
        data = super().clean()
        spec = SPECS.get(data.get("kind", ""))
        if spec is not None and data.get("key") not in spec.defaults:
            self.add_error("key", f"Enter one of: {', '.join(spec.defaults)}")
        elif spec is not None and "data" in data:
            try:
                spec.load(data["data"])
            except (ContractError, ValueError, TypeError, KeyError) as exc:
                self.add_error("data", str(exc))
        return data


@admin.register(RuleConfig)
class RuleConfigAdmin(admin.ModelAdmin):
    list_display = ["kind", "key", "pdu", "version", "source", "created_at", "created_by", "reason"]
    list_filter = ["kind", "source", "pdu"]
    form = NewVersionForm
    readonly_fields = ["version", "source", "created_at", "created_by"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        kind, key = request.GET.get("kind"), request.GET.get("key", "default")
        if kind:
            pdu_id = request.GET.get("pdu", "")
            pdu = Pdu.objects.filter(pk=int(pdu_id)).first() if pdu_id.isascii() and pdu_id.isdigit() else None
            current = config_in_force(kind, key, pdu)
            if current is not None:
                initial["data"] = json.dumps(current.data, indent=2)
        return initial

    def save_model(self, request, obj, form, change):
        # Never obj.save(): the service validates with the engine, versions and audits the change.
        try:
            created = rule_config_change(kind=obj.kind, key=obj.key, data=obj.data, by=request.user,
                                         reason=obj.reason, pdu=obj.pdu)
        except (DomainValidationError, NotPermittedError) as exc:
            raise ValidationError(str(exc)) from exc
        obj.pk = created.pk
        messages.info(request, f"{created} is now in force ({created.get_source_display().lower()})")
