"""The target register in the admin, read-only: targets change only through an import (or a
restore), which parses the target, writes a revision and the change log."""

from __future__ import annotations

import json

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from jixiao.core.revisions import describe_change
from jixiao.lib.admin import ReadOnlyAdmin, ReadOnlyInline
from jixiao.targets.models import (
    Indicator,
    Project,
    RecordedEvaluation,
    RecordedResult,
    Revision,
    Safeguard,
    SpendingCheckpoint,
    SubGoal,
    UnitGoal,
)


class SubGoalInline(ReadOnlyInline):
    model = SubGoal


class SafeguardInline(ReadOnlyInline):
    model = Safeguard


@admin.register(UnitGoal)
class UnitGoalAdmin(ReadOnlyAdmin):
    """Department-wide goals with their sub-goals and safeguards."""

    list_display = ["unit", "year"]
    list_filter = ["year", "unit"]
    search_fields = ["unit__code", "unit__name", "overall"]
    list_select_related = ["unit"]
    inlines = [SubGoalInline, SafeguardInline]


class SpendingCheckpointInline(ReadOnlyInline):
    model = SpendingCheckpoint


class IndicatorInline(ReadOnlyInline):
    model = Indicator
    fields = ["position", "level1", "level2", "level3", "target", "weight"]
    show_change_link = True


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    """Budget projects with their spending plan and indicator table."""

    list_display = ["name", "code", "unit", "year", "budget_total", "money_unit"]
    list_filter = ["year", "unit"]
    search_fields = ["code", "name", "unit__code", "unit__name"]
    list_select_related = ["unit"]
    inlines = [SpendingCheckpointInline, IndicatorInline]


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    """Indicators across projects, to find one by name; removed ones too, marked."""

    list_display = ["level3", "level2", "level1", "target", "project", "removed_at"]
    list_filter = ["project__year", "project__unit", "level1", "target_kind"]
    search_fields = ["level3", "description", "project__name", "project__code"]
    list_select_related = ["project"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Indicator]:
        # The history shows what a re-import removed; the pages show only what is in force.
        return Indicator.all_objects.select_related("project")


@admin.register(Revision)
class RevisionAdmin(ReadOnlyAdmin):
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
    readonly_fields = fields  # type: ignore[assignment]

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


@admin.register(RecordedEvaluation)
class RecordedEvaluationAdmin(ReadOnlyAdmin):
    """Past years' self-evaluations as imported tables recorded them (导入的自评结果)."""

    list_display = ["project", "total_score", "execution_rate", "source", "imported_at"]
    list_filter = ["project__year", "project__unit"]
    search_fields = ["project__name", "project__code", "source"]
    list_select_related = ["project"]


@admin.register(RecordedResult)
class RecordedResultAdmin(ReadOnlyAdmin):
    """Each indicator's imported 实际完成值, 分值 and 得分 of a past year."""

    list_display = ["indicator", "actual", "points", "score"]
    list_filter = ["indicator__project__year", "indicator__project__unit"]
    search_fields = ["indicator__level3", "indicator__project__name"]
    list_select_related = ["indicator"]
