"""Budget units in the admin."""

from __future__ import annotations

from django.contrib import admin

from jixiao.units.models import Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    """Units, searchable by code and name."""

    list_display = ["code", "name", "parent"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
