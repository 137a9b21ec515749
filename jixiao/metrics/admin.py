"""Metrics and hand-entered actuals in the admin; every save goes through the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from jixiao.core import metrics as m
from jixiao.metrics.evaluate import catalog_for
from jixiao.metrics.models import Evidence, ManualActual, Metric
from jixiao.metrics.services import (
    add_evidence,
    bind_metric,
    check_definition,
    enter_manual_actual,
    manual_entry_errors,
    unbind_metric,
)


class MetricForm(forms.ModelForm):
    """The definition as JSON, checked against the ledgers of the indicator's unit."""

    class Meta:
        model = Metric
        fields = ["indicator", "definition", "note"]
        widgets = {"definition": forms.Textarea(attrs={"rows": 14, "cols": 90})}
        help_texts = {
            "definition": _(
                '口径的 JSON 定义，见 docs/metrics.md。例：{"kind": "count", "ledger": "post", '
                '"scope": "unit"}'
            )
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        indicator, definition = data.get("indicator"), data.get("definition")
        if indicator is not None and definition is not None:
            try:
                check_definition(indicator, definition)
            except ValidationError as exc:
                self.add_error("definition", exc)
        return data


@admin.register(Metric)
class MetricAdmin(admin.ModelAdmin):
    """The metric (口径) bound to each indicator, with what it counts in words."""

    form = MetricForm
    list_display = ["indicator", "project", "kind", "words"]
    list_filter = ["indicator__project__year", "indicator__project__unit"]
    search_fields = ["indicator__level3", "indicator__project__name", "indicator__project__code"]
    list_select_related = ["indicator__project"]
    autocomplete_fields = ["indicator"]
    readonly_fields = ["words", "updated_at", "updated_by"]
    fields = ["indicator", "definition", "words", "note", "updated_at", "updated_by"]

    @admin.display(description=_("预算项目"))
    def project(self, obj: Metric) -> str:
        return str(obj.indicator.project)

    @admin.display(description=_("统计方式"))
    def kind(self, obj: Metric) -> str:
        return str(obj.definition.get("kind", "")) if isinstance(obj.definition, dict) else ""

    @admin.display(description=_("口径说明"))
    def words(self, obj: Metric) -> str:
        if obj.pk is None:
            return "—"
        try:
            definition = m.parse(obj.definition)
        except m.MetricError as exc:
            return format_html('<span style="color:#b3261e">{}</span>', str(exc))
        return m.describe(definition, catalog_for(obj.indicator.project.unit_id))

    def save_model(self, request: HttpRequest, obj: Metric, form: Any, change: bool) -> None:
        saved = bind_metric(obj.indicator, obj.definition, actor=request.user, note=obj.note)
        # The admin logs and redirects with this object: make it the saved one.
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request: HttpRequest, obj: Metric) -> None:
        unbind_metric(obj.indicator, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for metric in queryset.select_related("indicator"):
            unbind_metric(metric.indicator, actor=request.user)


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 1
    can_delete = False  # evidence is history, like the entry it backs
    fields = ["file", "name", "uploaded_at"]
    readonly_fields = ["name", "uploaded_at"]


class ManualActualForm(forms.ModelForm):
    """A hand entry, checked by the same rules as the service."""

    class Meta:
        model = ManualActual
        fields = ["indicator", "as_of", "value", "evidence"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        indicator = data.get("indicator")
        if self.instance.pk is None and indicator is not None:
            errors = manual_entry_errors(
                indicator, data.get("value") or "", data.get("evidence") or ""
            )
            for field, message in errors.items():
                self.add_error(field, message)
        return data


@admin.register(ManualActual)
class ManualActualAdmin(admin.ModelAdmin):
    """Hand-entered actuals; an entry is history, corrected by a newer one, never edited."""

    form = ManualActualForm
    list_display = ["indicator", "as_of", "value", "entered_by", "entered_at"]
    list_filter = ["as_of", "indicator__project__year", "indicator__project__unit"]
    search_fields = ["indicator__level3", "value", "evidence"]
    list_select_related = ["indicator", "entered_by"]
    autocomplete_fields = ["indicator"]
    inlines = [EvidenceInline]
    fields = ["indicator", "as_of", "value", "evidence", "number", "entered_by", "entered_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        base = ["number", "entered_by", "entered_at"]
        return base if obj is None else [*base, "indicator", "as_of", "value", "evidence"]

    def save_model(self, request: HttpRequest, obj: ManualActual, form: Any, change: bool) -> None:
        if change:
            return  # entries are not edited; only evidence files may be added
        saved = enter_manual_actual(
            obj.indicator,
            as_of=obj.as_of,
            value=obj.value,
            evidence=obj.evidence,
            actor=request.user,
        )
        # The admin logs and redirects with this object: make it the saved one.
        obj.pk = saved.pk
        obj.refresh_from_db()

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        added = []
        for inline in formset.forms:
            data = inline.cleaned_data or {}
            if inline.instance.pk is None and data.get("file"):
                added.append(add_evidence(form.instance, data["file"], actor=request.user))
        # What formset.save() would have set; the admin's change message reads it.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = added, [], []
