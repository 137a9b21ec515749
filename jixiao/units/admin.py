"""Budget units and finance bureaus in the admin, read-only: they change through the services
(the accounts pages, ``jixiao`` commands), which check permissions and write the change log."""

from __future__ import annotations

from django.contrib import admin

from jixiao.lib.admin import ReadOnlyAdmin
from jixiao.units.models import FinanceBureau, Unit


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    """Units, searchable by code and name."""

    list_display = ["code", "name", "parent", "finance_bureau"]
    search_fields = ["code", "name"]
    list_select_related = ["parent", "finance_bureau"]


@admin.register(FinanceBureau)
class FinanceBureauAdmin(ReadOnlyAdmin):
    """Finance bureaus and their rule settings."""

    list_display = ["name"]
    search_fields = ["name"]
