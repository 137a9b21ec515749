"""Rounds and reports in the admin, read only: the loop runs through the pages and services,
which check who may act and write the change log (an approved round's cut-off date moved here
once left no trace)."""

from __future__ import annotations

from django.contrib import admin

from jixiao.lib.admin import ReadOnlyAdmin, ReadOnlyInline
from jixiao.rounds.models import (
    IndicatorEntry,
    ProjectEntry,
    Report,
    ReportEvent,
    ReviewComment,
    Round,
    ScoreOverride,
    Submission,
)


@admin.register(Round)
class RoundAdmin(ReadOnlyAdmin):
    """Rounds opened by finance bureaus."""

    list_display = ["__str__", "kind", "year", "as_of", "due_on", "bureau"]
    list_filter = ["kind", "year", "bureau"]


class SubmissionInline(ReadOnlyInline):
    model = Submission
    fields = [
        "number",
        "submitted_at",
        "submitted_by",
        "endorsed_at",
        "endorsed_by",
        "decision",
        "decided_stage",
        "comment",
        "decided_by",
    ]


class OverrideInline(ReadOnlyInline):
    model = ScoreOverride
    fields = ["project", "indicator", "computed", "score", "reason", "created_by", "created_at"]


class EventInline(ReadOnlyInline):
    model = ReportEvent
    fields = ["at", "action", "actor", "comment"]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    """Units' reports with their submissions, score overrides and history."""

    list_display = ["unit", "round", "status", "updated_at"]
    list_filter = ["status", "round__kind", "round__year"]
    search_fields = ["unit__code", "unit__name"]
    inlines = [SubmissionInline, OverrideInline, EventInline]


@admin.register(IndicatorEntry)
class IndicatorEntryAdmin(ReadOnlyAdmin):
    """Units' reasons and explanations per indicator."""

    list_display = ["indicator", "report", "likelihood", "deviation_category", "updated_at"]
    list_filter = ["report__round"]


@admin.register(ProjectEntry)
class ProjectEntryAdmin(ReadOnlyAdmin):
    """Units' budget notes and achievements per project."""

    list_display = ["project", "report", "executed", "updated_at"]
    list_filter = ["report__round"]


@admin.register(ReviewComment)
class ReviewCommentAdmin(ReadOnlyAdmin):
    """Comments on single rows made when a submission was returned."""

    list_display = ["__str__", "submission", "stage", "created_by", "created_at"]
    list_filter = ["stage"]
