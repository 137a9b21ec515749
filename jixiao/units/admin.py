"""Budget units in the admin."""

from __future__ import annotations

from django.contrib import admin

from jixiao.units.models import FinanceBureau, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    """Units, searchable by code and name."""

    list_display = ["code", "name", "parent", "finance_bureau"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent", "finance_bureau"]
    list_select_related = ["parent"]


@admin.register(FinanceBureau)
class FinanceBureauAdmin(admin.ModelAdmin):
    """Finance bureaus and their rule settings (checked when saved)."""

    list_display = ["name"]
    search_fields = ["name"]
