"""The target register in the admin; revisions are history and can only be read."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from jixiao.core.revisions import describe_change
from jixiao.targets.models import (
    Indicator,
    Project,
    Revision,
    Safeguard,
    SpendingCheckpoint,
    SubGoal,
    UnitGoal,
)


class SubGoalInline(admin.StackedInline):
    model = SubGoal
    extra = 0


class SafeguardInline(admin.TabularInline):
    model = Safeguard
    extra = 0


@admin.register(UnitGoal)
class UnitGoalAdmin(admin.ModelAdmin):
    """Department-wide goals with their sub-goals and safeguards."""

    list_display = ["unit", "year"]
    list_filter = ["year", "unit"]
    search_fields = ["unit__code", "unit__name", "overall"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]
    inlines = [SubGoalInline, SafeguardInline]


class SpendingCheckpointInline(admin.TabularInline):
    model = SpendingCheckpoint
    extra = 0


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ["position", "level1", "level2", "level3", "target", "weight"]
    show_change_link = True


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    """Budget projects with their spending plan and indicator table."""

    list_display = ["name", "code", "unit", "year", "budget_total", "money_unit"]
    list_filter = ["year", "unit"]
    search_fields = ["code", "name", "unit__code", "unit__name"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]
    inlines = [SpendingCheckpointInline, IndicatorInline]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    """Indicators across projects, to find one by name."""

    list_display = ["level3", "level2", "level1", "target", "project"]
    list_filter = ["project__year", "project__unit", "level1", "target_kind"]
    search_fields = ["level3", "description", "project__name", "project__code"]
    list_select_related = ["project"]
    autocomplete_fields = ["project"]


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    """Imported versions: who imported what and when, and what changed."""

    list_display = ["__str__", "unit", "year", "kind", "created_at", "created_by", "source"]
    list_filter = ["year", "unit", "kind"]
    search_fields = ["unit__code", "unit__name", "project__name", "project__code", "source"]
    list_select_related = ["unit", "created_by"]
    fields = [
        "unit",
        "year",
        "kind",
        "project",
        "number",
        "created_at",
        "created_by",
        "source",
        "changes_list",
        "snapshot_json",
    ]
    readonly_fields = fields

    @admin.display(description=_("变化"))
    def changes_list(self, revision: Revision) -> SafeString:
        if not revision.changes:
            return format_html("{}", _("（首个版本）"))
        lines = format_html_join(
            "", "<li>{}</li>", ((describe_change(c),) for c in revision.changes)
        )
        return format_html("<ul>{}</ul>", lines)

    @admin.display(description=_("内容快照"))
    def snapshot_json(self, revision: Revision) -> SafeString:
        return format_html(
            "<pre>{}</pre>", json.dumps(revision.snapshot, ensure_ascii=False, indent=2)
        )

    # History is written only by imports: nobody adds, edits or deletes it by hand.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
