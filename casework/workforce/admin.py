from django import forms
from django.contrib import admin

from casework.access.admin import ServiceAdmin
from casework.core.errors import ConcurrentEditError, DomainValidationError
from casework.workforce import services
from casework.workforce.models import Reduction, Staff, TeamMembership


class MembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["team"]


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ["code", "last_name", "first_name", "grade", "started_in_post", "ended"]
    list_filter = ["grade"]
    search_fields = ["code", "last_name", "first_name"]
    raw_id_fields = ["user"]
    inlines = [MembershipInline]


class ReductionForm(forms.ModelForm):
    # Hours may be left blank when a percentage is entered, or when the reason has a standard one.
    hours = forms.DecimalField(required=False, max_digits=4, decimal_places=2, min_value=0,
                               help_text="Hours taken off each week. Leave blank to use the percentage.")
    # The version the form was opened at, so a change made meanwhile by someone else is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Reduction
        fields = ["staff", "reason", "hours", "percent", "start", "end", "notes", "version"]


@admin.register(Reduction)
class ReductionAdmin(ServiceAdmin):
    """Workload reductions (rules.md §2.3): added, changed and ended through the audited services, never deleted."""

    form = ReductionForm
    list_display = ["staff", "reason", "hours", "percent", "start", "end", "created_at"]
    list_filter = ["reason"]
    search_fields = ["staff__code", "staff__last_name", "staff__first_name"]
    raw_id_fields = ["staff"]
    date_hierarchy = "start"

    def get_readonly_fields(self, request, obj=None):
        # Who the reduction is for never changes: a reduction for someone else is a new one.
        return ["staff", "created_at", "created_by"] if obj is not None else []

    def get_fields(self, request, obj=None):
        fields = ["staff", "reason", "hours", "percent", "start", "end", "notes", "version"]
        return [*fields, "created_at", "created_by"] if obj is not None else fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("staff")

    def call_service(self, request, obj, data, change):
        values = {name: data.get(name) for name in ("reason", "hours", "percent", "start", "end")}
        values["notes"] = data.get("notes") or ""
        try:
            if change:
                stored = Reduction.objects.get(pk=obj.pk)
                # The form shows both hours and percentage: whichever was changed leads.
                if values["hours"] is not None and values["percent"] is not None:
                    if values["hours"] == stored.hours:
                        values.pop("hours")
                    elif values["percent"] == stored.percent:
                        values["percent"] = None
                version = data.get("version") or stored.version
                return services.change_reduction(reduction=obj, by=request.user, expected_version=version,
                                                 **values)
            return services.add_reduction(staff=data["staff"], by=request.user, **values)
        except ConcurrentEditError as exc:
            raise DomainValidationError({"": exc.message}) from exc
