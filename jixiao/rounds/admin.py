"""Rounds and reports in the admin: read mostly; the loop itself runs through the pages."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from jixiao.rounds.models import (
    IndicatorEntry,
    ProjectEntry,
    Report,
    ReportEvent,
    Round,
    ScoreOverride,
    Submission,
)


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    """Rounds opened by finance bureaus."""

    list_display = ["__str__", "kind", "year", "as_of", "due_on", "bureau"]
    list_filter = ["kind", "year", "bureau"]
    readonly_fields = ["opened_at", "opened_by"]


class ReadOnlyInline(admin.TabularInline):
    """History rows: shown, never edited here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SubmissionInline(ReadOnlyInline):
    model = Submission
    fields = ["number", "submitted_at", "submitted_by", "decision", "comment", "decided_by"]


class OverrideInline(ReadOnlyInline):
    model = ScoreOverride
    fields = ["project", "indicator", "computed", "score", "reason", "created_by", "created_at"]


class EventInline(ReadOnlyInline):
    model = ReportEvent
    fields = ["at", "action", "actor", "comment"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Units' reports with their submissions, score overrides and history."""

    list_display = ["unit", "round", "status", "updated_at"]
    list_filter = ["status", "round__kind", "round__year"]
    search_fields = ["unit__code", "unit__name"]
    readonly_fields = ["round", "unit", "status", "updated_at"]
    inlines = [SubmissionInline, OverrideInline, EventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting a report would take its submissions, overrides and history with it.
        return False


class EntryAdmin(admin.ModelAdmin):
    """What units wrote, shown only: edits go through the report page, which records them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(IndicatorEntry)
class IndicatorEntryAdmin(EntryAdmin):
    """Units' reasons and explanations per indicator."""

    list_display = ["indicator", "report", "likelihood", "deviation_category", "updated_at"]
    list_filter = ["report__round"]


@admin.register(ProjectEntry)
class ProjectEntryAdmin(EntryAdmin):
    """Units' budget notes and achievements per project."""

    list_display = ["project", "report", "executed", "updated_at"]
    list_filter = ["report__round"]
