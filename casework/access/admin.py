"""Administrators manage access here; every save goes through an audited service, never ``.save()``."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casework.access import services
from casework.access.models import ApiClient, ApiToken, InspectionExercise, ScopeGrant
from casework.core.errors import DomainValidationError, NotPermittedError
from casework.record.models import CaseAccess


class _DryRun(Exception):
    pass


class ServiceAdmin(admin.ModelAdmin):
    """An admin whose saves go through a service: ``call_service(request, obj, data, change)``.

    The form's validation runs the same service in a transaction that is then rolled back, so the
    service's own messages show on the form; the real call happens in ``save_model``.
    """

    audited_by_service = True

    def call_service(self, request, obj, data: dict, change: bool):
        raise NotImplementedError

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        admin_site_model = self

        class ServiceForm(form_class):
            def clean(self):
                data = super().clean()
                if self.errors:
                    return data
                try:
                    with transaction.atomic():
                        admin_site_model.call_service(request, obj, data, change)
                        raise _DryRun
                except _DryRun:
                    pass
                except DomainValidationError as exc:
                    for field, message in exc.errors.items():
                        self.add_error(field if field in self.fields else None, message)
                except NotPermittedError as exc:
                    self.add_error(None, str(exc))
                return data

        return form_class if request.method != "POST" else ServiceForm

    def save_form(self, request, form, change):
        # Never let the admin save the form's instance itself: save_model calls the service.
        return form.save(commit=False)

    def save_model(self, request, obj, form, change):
        saved = self.call_service(request, obj, form.cleaned_data, change)
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False


class ScopeGrantForm(forms.ModelForm):
    # Checked by the service, which gives an inspector the exercise's end date when left blank.
    ends_on = forms.DateField(required=False, label="Ends on",
                              help_text="At most a year after the start. An inspector's defaults to the exercise's")
    change_reason = forms.CharField(required=False, max_length=300, label="Reason for the change",
                                    help_text="When changing the end date: why (kept in the audit log)")

    class Meta:
        model = ScopeGrant
        fields = ["staff", "role", "exercise", "team", "pdu", "region", "national", "starts_on", "ends_on",
                  "reason"]


@admin.register(ScopeGrant)
class ScopeGrantAdmin(ServiceAdmin):
    """Asking for grants (they wait for a second person's approval on the approvers' page) and ending them."""

    form = ScopeGrantForm
    list_display = ["staff", "role", "scope_label", "exercise", "starts_on", "ends_on", "status_today", "created_by",
                    "decided_by"]
    list_filter = ["status", "role"]
    raw_id_fields = ["staff", "team", "pdu", "region", "exercise"]
    DECISION_FIELDS = ["status_today", "created_by", "created_at", "decided_by", "decided_at", "decision_reason"]

    @admin.display(description="Status")
    def status_today(self, obj):
        return obj.status_on(timezone.localdate()).label

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("staff", "exercise", "team", "pdu", "region",
                                                            "created_by", "decided_by")

    def get_readonly_fields(self, request, obj=None):
        # An existing grant can only be ended (or its end brought forward); anything else is a new grant.
        if obj is not None:
            return ["staff", "role", "exercise", "team", "pdu", "region", "national", "starts_on", "reason",
                    *self.DECISION_FIELDS]
        return []

    def get_fields(self, request, obj=None):
        fields = list(ScopeGrantForm.Meta.fields)
        return [*fields, "change_reason", *self.DECISION_FIELDS] if obj is not None else fields

    def call_service(self, request, obj, data, change):
        if change:
            return services.scope_grant_end(grant=obj, ends_on=data.get("ends_on") or obj.starts_on,
                                            by=request.user, reason=data.get("change_reason", ""))
        return services.scope_grant_create(
            staff=data["staff"], role=data["role"], by=request.user, reason=data["reason"],
            starts_on=data["starts_on"], ends_on=data["ends_on"], team=data["team"], pdu=data["pdu"],
            region=data["region"], national=data["national"], exercise=data["exercise"])


@admin.register(InspectionExercise)
class InspectionExerciseAdmin(ServiceAdmin):
    list_display = ["name", "scope_label", "starts_on", "ends_on"]
    raw_id_fields = ["team", "pdu", "region"]
    fields = ["name", "team", "pdu", "region", "national", "starts_on", "ends_on"]

    def get_readonly_fields(self, request, obj=None):
        return ["name", "team", "pdu", "region", "national", "starts_on"] if obj is not None else []

    def call_service(self, request, obj, data, change):
        if change:
            return services.inspection_exercise_end(exercise=obj, ends_on=data["ends_on"], by=request.user)
        return services.inspection_exercise_create(
            name=data["name"], starts_on=data["starts_on"], ends_on=data["ends_on"], by=request.user,
            team=data["team"], pdu=data["pdu"], region=data["region"], national=data["national"])


class CrnOnlyRawIdWidget(ForeignKeyRawIdWidget):
    """The case box of a limited-access rule: next to the id it shows the CRN, never the person's name.

    Django's own widget shows the case's ``str()`` (name and CRN) for any id typed in or put in the
    URL; administrators see no case data, so this one reads the CRN alone.
    """

    def label_and_url_for_value(self, value):
        try:
            crn = self.rel.model._default_manager.using(self.db).filter(pk=value).values_list("crn", flat=True).first()
        except (ValueError, TypeError, ValidationError):
            crn = None
        return (crn or ""), ""


class CaseAccessForm(forms.ModelForm):
    class Meta:
        model = CaseAccess
        fields = ["case", "staff", "kind", "reason"]


@admin.register(CaseAccess)
class CaseAccessAdmin(ServiceAdmin):
    """Limited access: exclusions and permissions on single cases. Shows only CRNs, never case details."""

    form = CaseAccessForm
    list_display = ["case_crn", "staff", "kind", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["case", "staff"]
    search_fields = ["case__crn", "staff__code", "staff__last_name"]
    actions = ["remove_rules"]

    @admin.display(description="CRN", ordering="case__crn")
    def case_crn(self, obj):
        return obj.case.crn

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("case", "staff")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "case":
            kwargs["widget"] = CrnOnlyRawIdWidget(db_field.remote_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def call_service(self, request, obj, data, change):
        return services.case_access_set(case=data["case"], staff=data["staff"], kind=data["kind"],
                                        reason=data["reason"], by=request.user)

    @admin.action(description="Remove the selected exclusions or permissions")
    def remove_rules(self, request, queryset):
        for rule in queryset:
            try:
                services.case_access_remove(rule=rule, by=request.user, reason="Removed in administration")
            except (DomainValidationError, NotPermittedError) as exc:
                self.message_user(request, f"{rule}: {exc}", messages.ERROR)


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Registered systems. Tokens are issued with ``casework manage apitoken issue`` (shown once there)."""

    audited_by_service = True

    list_display = ["name", "user", "scope_label", "created_at"]
    readonly_fields = ["name", "user", "team", "pdu", "region", "national", "created_at", "created_by"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    audited_by_service = True
    list_display = ["prefix", "client", "scopes", "expires_at", "revoked_at"]
    list_filter = ["client"]
    readonly_fields = ["client", "prefix", "scopes", "expires_at", "revoked_at", "created_at", "created_by"]
    exclude = ["digest"]
    actions = ["revoke"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke the selected tokens now")
    def revoke(self, request, queryset):
        for token in queryset:
            services.api_token_revoke(token=token, by=request.user)
        self.message_user(request, "Revoked")
