"""Metrics and hand-entered actuals in the admin; every save and delete goes through the
services, as the person logged in to the admin (``via=admin``): the same permission checks and
the same change-log rows as the pages. Hand entries are history and are never deleted here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from jixiao.access.lookups import scoped
from jixiao.access.perms import DENIED, can
from jixiao.audit.versions import check_version
from jixiao.core import metrics as m
from jixiao.lib.actor import ADMIN, Actor
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


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request, via=ADMIN)


def _with_user(form: type[Any], request: HttpRequest) -> type[Any]:
    """The admin's form class for this request, knowing who saves (for its permission check)."""
    return type(form.__name__, (form,), {"user": request.user})


class MetricForm(forms.ModelForm):  # type: ignore[type-arg]
    """The definition as JSON, checked against the ledgers of the indicator's unit.

    ``seen_version`` carries the version the page was read at (0 for a new binding), so a
    binding changed by someone else meanwhile is refused instead of overwritten.
    """

    # Set by MetricAdmin.get_form: who is saving (their permission is checked here, for a
    # form error, and again by the service).
    user: Any = None

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seen_version"].initial = self.instance.version if self.instance.pk else 0

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        indicator = data.get("indicator") or (self.instance.indicator if self.instance.pk else None)
        definition = data.get("definition")
        if indicator is None:
            return data
        if self.user is not None and not can(self.user, "edit", indicator):
            raise ValidationError(DENIED["edit"], code="permission")
        if definition is not None:
            try:
                check_definition(indicator, definition)
            except ValidationError as exc:
                self.add_error("definition", exc)
        seen = data.get("seen_version")
        if self.instance.pk and seen is not None:
            # A friendly early answer; the service checks again with the row locked.
            current = Metric.objects.filter(pk=self.instance.pk).first()
            if current is not None:
                check_version(current, seen)
        return data


@admin.register(Metric)
class MetricAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The metric (口径) bound to each indicator, with what it counts in words."""

    form = MetricForm
    list_display = ["indicator", "project", "kind", "words"]
    list_filter = ["indicator__project__year", "indicator__project__unit"]
    search_fields = ["indicator__level3", "indicator__project__name", "indicator__project__code"]
    list_select_related = ["indicator__project"]
    autocomplete_fields = ["indicator"]
    fields = [
        "indicator",
        "definition",
        "words",
        "note",
        "version",
        "updated_at",
        "updated_by",
        "seen_version",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Metric]:
        return scoped(super().get_queryset(request), request.user)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        base = ["words", "version", "updated_at", "updated_by"]
        # A binding belongs to its indicator: moving it would rebind another indicator.
        return base if obj is None else [*base, "indicator"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        return _with_user(super().get_form(request, obj, change=change, **kwargs), request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can(request.user, "edit", obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or can(request.user, "edit", obj))

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
        saved = bind_metric(
            obj.indicator,
            obj.definition,
            actor=_actor(request),
            note=obj.note,
            version=form.cleaned_data.get("seen_version"),
        )
        # The admin logs and redirects with this object: make it the saved one.
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request: HttpRequest, obj: Metric) -> None:
        unbind_metric(obj.indicator, actor=_actor(request))

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        actor = _actor(request)
        for metric in queryset.select_related("indicator__project"):
            unbind_metric(metric.indicator, actor=actor)


class EvidenceInline(admin.TabularInline):  # type: ignore[type-arg]
    """The entry's files; a file is added here, removed (kept, restorable) on the entry's page."""

    model = Evidence
    extra = 1
    can_delete = False  # evidence is history, like the entry it backs
    fields = ["file", "name", "uploaded_at", "removed_at"]
    readonly_fields = ["name", "uploaded_at", "removed_at"]


class ManualActualForm(forms.ModelForm):  # type: ignore[type-arg]
    """A hand entry, checked by the same rules as the service."""

    user: Any = None

    class Meta:
        model = ManualActual
        fields = ["indicator", "as_of", "value", "evidence"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        indicator = data.get("indicator")
        if self.instance.pk is None and indicator is not None:
            if self.user is not None and not can(self.user, "edit", indicator):
                raise ValidationError(DENIED["edit"], code="permission")
            errors = manual_entry_errors(
                indicator, data.get("value") or "", data.get("evidence") or ""
            )
            for field, message in errors.items():
                self.add_error(field, message)
        return data


@admin.register(ManualActual)
class ManualActualAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Hand-entered actuals; an entry is history, corrected by a newer one, never edited."""

    form = ManualActualForm
    list_display = ["indicator", "as_of", "value", "entered_by", "entered_at"]
    list_filter = ["as_of", "indicator__project__year", "indicator__project__unit"]
    search_fields = ["indicator__level3", "value", "evidence"]
    list_select_related = ["indicator", "entered_by"]
    autocomplete_fields = ["indicator"]
    inlines = [EvidenceInline]
    fields = ["indicator", "as_of", "value", "evidence", "number", "entered_by", "entered_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ManualActual]:
        return scoped(super().get_queryset(request), request.user)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        base = ["number", "entered_by", "entered_at"]
        return base if obj is None else [*base, "indicator", "as_of", "value", "evidence"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        return _with_user(super().get_form(request, obj, change=change, **kwargs), request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Changing an entry only adds evidence files to it.
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can(request.user, "edit", obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an entry and its evidence are history: a newer entry corrects it

    def save_model(self, request: HttpRequest, obj: ManualActual, form: Any, change: bool) -> None:
        if change:
            return  # entries are not edited; only evidence files may be added
        saved = enter_manual_actual(
            obj.indicator,
            as_of=obj.as_of,
            value=obj.value,
            evidence=obj.evidence,
            actor=_actor(request),
        )
        # The admin logs and redirects with this object: make it the saved one.
        obj.pk = saved.pk
        obj.refresh_from_db()

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        added = []
        actor = _actor(request)
        for inline in formset.forms:
            data = inline.cleaned_data or {}
            if inline.instance.pk is None and data.get("file"):
                added.append(add_evidence(form.instance, data["file"], actor=actor))
        # What formset.save() would have set; the admin's change message reads it.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = added, [], []
