from django.contrib import admin

from casework.organisation.models import Pdu, Provider, Region, Team


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "provider"]
    search_fields = ["code", "name"]


@admin.register(Pdu)
class PduAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    search_fields = ["code", "name"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "pdu", "active"]
    list_filter = ["pdu__region", "active"]
    search_fields = ["code", "name"]
