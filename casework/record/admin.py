from django.contrib import admin

from casework.record.models import OffenceType, RegistrationType


@admin.register(OffenceType)
class OffenceTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "description", "category", "sexual", "violent", "domestic_abuse_related"]
    list_filter = ["category", "sexual", "violent"]
    search_fields = ["code", "description"]


@admin.register(RegistrationType)
class RegistrationTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "group", "review_period_weeks"]
    list_filter = ["group"]
    search_fields = ["code", "name"]
