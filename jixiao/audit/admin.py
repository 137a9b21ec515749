"""The change log in the admin: read-only, like every page of it (rows are append-only)."""

from __future__ import annotations

from django.contrib import admin

from jixiao.audit.models import ChangeLog
from jixiao.lib.admin import ReadOnlyAdmin


@admin.register(ChangeLog)
class ChangeLogAdmin(ReadOnlyAdmin):
    """Every row, newest first; searchable by person, object and comment."""

    list_display = ["seq", "at", "username", "action", "object_type", "object_repr", "ip"]
    list_filter = ["action", "via", "object_type"]
    search_fields = ["username", "object_repr", "object_id", "comment"]
    date_hierarchy = "at"
    show_full_result_count = False  # no COUNT(*) over the whole log on each page
