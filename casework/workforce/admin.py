from django import forms
from django.contrib import admin

from casework.access.admin import CrnOnlyRawIdWidget, ServiceAdmin
from casework.core.errors import ConcurrentEditError, DomainValidationError
from casework.workforce import services
from casework.workforce.models import CourtReport, Reduction, Staff, TeamMembership


class MembershipForm(forms.ModelForm):
    class Meta:
        model = TeamMembership
        fields = ["team", "role", "start_date", "end_date"]

    def clean(self):
        data = super().clean()
        problems = services.membership_problems(team=data.get("team"), start_date=data.get("start_date"),
                                                end_date=data.get("end_date"))
        for field, message in problems.items():
            if field not in self.errors:  # a field's own error (a missing date) says it already
                self.add_error(field, message)
        return data


class MembershipInline(admin.TabularInline):
    """Team memberships: added, changed, ended (an end date) or removed through the audited services."""

    model = TeamMembership
    form = MembershipForm
    extra = 0
    autocomplete_fields = ["team"]


@admin.register(Staff)
class StaffAdmin(ServiceAdmin):
    """Staff records and their team memberships, written only through the audited workforce services."""

    list_display = ["code", "last_name", "first_name", "grade", "started_in_post", "ended"]
    list_filter = ["grade"]
    search_fields = ["code", "last_name", "first_name"]
    raw_id_fields = ["user"]
    fields = services.STAFF_FIELDS
    inlines = [MembershipInline]

    def call_service(self, request, obj, data, change):
        values = {name: data[name] for name in services.STAFF_FIELDS if name in data}
        if change:
            return services.staff_change(staff=obj, by=request.user, **values)
        return services.staff_add(by=request.user, **values)

    def save_formset(self, request, form, formset, change):
        """Each membership row through its service (never ``formset.save()``), then what the admin's history needs."""
        if formset.model is not TeamMembership:
            raise TypeError(f"no audited service saves {formset.model._meta.verbose_name_plural} here")
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        staff = formset.instance
        for row in formset.initial_forms:
            if formset.can_delete and formset._should_delete_form(row):
                services.membership_remove(membership=row.instance, by=request.user)
                formset.deleted_objects.append(row.instance)
            elif row.has_changed():
                new = {name: row.cleaned_data[name] for name in row.changed_data if name in services.MEMBERSHIP_FIELDS}
                saved = services.membership_change(membership=row.instance, by=request.user, **new)
                formset.changed_objects.append((saved, row.changed_data))
        for row in formset.extra_forms:
            if not row.has_changed() or (formset.can_delete and formset._should_delete_form(row)):
                continue
            data = row.cleaned_data
            saved = services.membership_add(staff=staff, team=data["team"], role=data["role"], by=request.user,
                                            start_date=data["start_date"], end_date=data.get("end_date"))
            formset.new_objects.append(saved)


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


class CourtReportForm(forms.ModelForm):
    # The version the form was opened at, so a change made meanwhile by someone else is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = CourtReport
        fields = ["staff", "kind", "court", "case", "requested_on", "due_on", "completed_on", "version"]


@admin.register(CourtReport)
class CourtReportAdmin(ServiceAdmin):
    """Court reports: added, then completed, through the audited services; never deleted. The case box
    shows its CRN only (administrators see no case data)."""

    form = CourtReportForm
    list_display = ["staff", "kind", "requested_on", "due_on", "completed_on", "case_crn"]
    list_filter = ["kind"]
    search_fields = ["staff__code", "staff__last_name", "staff__first_name", "case__crn"]
    raw_id_fields = ["staff", "case"]
    date_hierarchy = "requested_on"

    @admin.display(description="CRN", ordering="case__crn")
    def case_crn(self, obj):
        return obj.case.crn if obj.case_id else ""

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("staff", "case")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "case":
            kwargs["widget"] = CrnOnlyRawIdWidget(db_field.remote_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # Once given, a report is only completed: anything else is a new report.
        if obj is not None:
            return ["staff", "kind", "court", "case_crn", "requested_on", "due_on", "created_at", "created_by"]
        return []

    def get_fields(self, request, obj=None):
        if obj is not None:
            return ["staff", "kind", "court", "case_crn", "requested_on", "due_on", "completed_on", "version",
                    "created_at", "created_by"]
        return ["staff", "kind", "court", "case", "requested_on", "due_on"]

    def call_service(self, request, obj, data, change):
        try:
            if change:
                if data.get("completed_on") is None:
                    raise DomainValidationError({"completed_on": services.COMPLETED_REQUIRED})
                stored = CourtReport.objects.get(pk=obj.pk)
                return services.complete_court_report(report=stored, by=request.user,
                                                      completed_on=data["completed_on"],
                                                      expected_version=data.get("version") or stored.version)
            return services.add_court_report(staff=data["staff"], kind=data["kind"], court=data.get("court") or "",
                                             case=data.get("case"), requested_on=data["requested_on"],
                                             due_on=data["due_on"], by=request.user)
        except ConcurrentEditError as exc:
            raise DomainValidationError({"": exc.message}) from exc
