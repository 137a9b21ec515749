"""Ledgers in the admin: an administrator defines a unit's own record types (fields, choices,
workflow) without code, saved through ``services.save_ledger_type`` (permission checked,
change-logged); records, their workflow steps, attachments and import mappings are shown,
not edited, here (the pages and imports change them through the services)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from jixiao.core import metrics as m
from jixiao.ledgers import consistency, services
from jixiao.ledgers.forms import config_problems, workflow_problems
from jixiao.ledgers.models import (
    Attachment,
    ImportMapping,
    LedgerEntry,
    LedgerField,
    LedgerTransition,
    LedgerType,
)
from jixiao.lib.actor import ADMIN, Actor
from jixiao.lib.admin import ReadOnlyAdmin, ReadOnlyInline

WORKFLOW_HELP = _(
    "不需要流程时留空 {}。格式："
    '{"states": ["监测", "预警", "办结"], "initial": "监测", '
    '"transitions": [["监测", "预警"], ["预警", "办结"]], "final": ["办结"], '
    '"overdue_field": "deadline"}。'
    "states 为状态（按顺序），initial 为新记录的状态，transitions 为允许的流转，"
    "final 为终结状态，overdue_field 为期限字段（日期类型，过期未终结即为逾期，可省略），"
    'step_fields 为各环节要填写的字段（如 {"预警": "alert_note"}，可省略）。'
)


class LedgerFieldForm(forms.ModelForm):  # type: ignore[type-arg]
    """One field row of a ledger type, with its choices typed as a short JSON list."""

    class Meta:
        model = LedgerField
        fields = ["position", "code", "label", "kind", "choices", "required", "help_text"]
        # Narrow inputs keep the tabular inline inside the page.
        widgets = {
            "code": forms.TextInput(attrs={"size": 14}),
            "label": forms.TextInput(attrs={"size": 12}),
            "choices": forms.TextInput(attrs={"size": 26}),
            "help_text": forms.TextInput(attrs={"size": 16}),
            "position": forms.NumberInput(attrs={"style": "width: 4em"}),
        }
        help_texts = {
            "choices": _('单选、多选字段的选项，JSON 列表，如 ["一般", "较大"]'),
            "code": _("英文字母、数字、下划线，如 deadline；导入映射和口径用它，定义后不要改"),
        }

    def clean_choices(self) -> list[str]:
        choices = self.cleaned_data.get("choices") or []
        if not isinstance(choices, list) or not all(
            isinstance(c, str) and c.strip() for c in choices
        ):
            raise ValidationError(_('选项应为文字的列表，如 ["一般", "较大"]'))
        if len(set(choices)) != len(choices):
            raise ValidationError(_("选项有重复"))
        return choices


class LedgerFieldFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    """The fields of a type, checked together with the type's settings that name them."""

    def clean(self) -> None:
        super().clean()
        if any(form.errors for form in self.forms):
            return  # each row says what is wrong with it first
        kinds: dict[str, str] = {}
        infos: dict[str, m.FieldInfo] = {}
        required: set[str] = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("code"):
                continue
            if data["code"] in kinds:
                raise ValidationError(_("字段代码“%(code)s”重复") % {"code": data["code"]})
            kinds[data["code"]] = data["kind"]
            infos[data["code"]] = m.FieldInfo(
                data.get("label") or data["code"], data["kind"], tuple(data.get("choices") or ())
            )
            if data.get("required"):
                required.add(data["code"])
        ledger_type: LedgerType = self.instance
        if workflow_problems(ledger_type.workflow):
            return  # the type's own form reports these beside the workflow
        problems = config_problems(
            date_field=ledger_type.date_field,
            amount_field=ledger_type.amount_field,
            natural_key=ledger_type.natural_key,
            workflow=ledger_type.workflow,
            kinds=kinds,
            required=required,
        )
        if problems:
            raise ValidationError(problems)
        # The rules and repeat groups name these fields and the workflow's states.
        schema = m.LedgerSchema(
            code=ledger_type.code,
            name=ledger_type.name,
            fields=infos,
            states=tuple((ledger_type.workflow or {}).get("states", [])),
            amount_field=ledger_type.amount_field,
            has_project=ledger_type.has_project,
        )
        problems = consistency.type_problems(ledger_type.rules, ledger_type.repeats, schema)
        if problems:
            raise ValidationError(problems)


class LedgerFieldInline(admin.TabularInline):  # type: ignore[type-arg]
    model = LedgerField
    form = LedgerFieldForm
    formset = LedgerFieldFormSet
    extra = 3
    ordering = ["position", "id"]


class LedgerTypeForm(forms.ModelForm):  # type: ignore[type-arg]
    """A ledger type; the workflow's own shape is checked here, its field codes with the fields."""

    class Meta:
        model = LedgerType
        fields = [
            "unit",
            "code",
            "name",
            "description",
            "date_field",
            "amount_field",
            "natural_key",
            "has_project",
            "workflow",
            "rules",
            "repeats",
            "position",
        ]
        widgets = {
            "workflow": forms.Textarea(attrs={"rows": 6, "cols": 90}),
            "rules": forms.Textarea(attrs={"rows": 8, "cols": 90}),
            "repeats": forms.TextInput(attrs={"size": 60}),
            "natural_key": forms.TextInput(attrs={"size": 40}),
            "description": forms.Textarea(attrs={"rows": 2, "cols": 90}),
        }
        help_texts = {
            "workflow": WORKFLOW_HELP,
            "code": _("英文字母、数字、下划线，如 complaint；出现在网址中"),
            "date_field": _("下方某个日期字段的代码；按它确定记录属于哪一年"),
            "amount_field": _("下方某个“金额（元）”字段的代码，可空"),
            "natural_key": _(
                '字段代码的列表，如 ["voucher"]；这些字段的值相同即视为同一条记录，可为 []'
            ),
        }

    def clean_workflow(self) -> dict[str, Any]:
        workflow = self.cleaned_data.get("workflow")
        if workflow in (None, ""):
            return {}
        problems = workflow_problems(workflow)
        if problems:
            raise ValidationError(problems)
        return dict(workflow)

    def clean_rules(self) -> list[Any]:
        rules = self.cleaned_data.get("rules")
        if rules in (None, ""):
            return []
        if not isinstance(rules, list):
            raise ValidationError(_("应为规则的列表，写法见 docs/ledgers.md"))
        return rules

    def clean_repeats(self) -> list[Any]:
        repeats = self.cleaned_data.get("repeats")
        return [] if repeats in (None, "") else repeats  # checked with the fields

    def clean_natural_key(self) -> list[str]:
        key = self.cleaned_data.get("natural_key")
        if key in (None, ""):
            return []
        if not isinstance(key, list) or not all(isinstance(c, str) for c in key):
            raise ValidationError(_('应为字段代码的列表，如 ["voucher"]'))
        return key

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code, unit = data.get("code"), data.get("unit")
        if code:
            # The database allows one preset per code and one type per unit and code; say so
            # in Chinese before the constraint does.
            clash = LedgerType.objects.filter(code=code, unit=unit).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("code", _("已有代码为“%(code)s”的台账类型") % {"code": code})
        return data


@admin.register(LedgerType)
class LedgerTypeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Record types: presets shared by all units, and the types a unit defines for itself."""

    form = LedgerTypeForm
    inlines = [LedgerFieldInline]
    list_display = ["name", "code", "unit", "preset", "has_project", "state_list", "field_count"]
    list_filter = ["preset", "unit"]
    search_fields = ["name", "code", "description"]
    autocomplete_fields = ["unit"]
    list_select_related = ["unit"]

    @admin.display(description=_("流程"))
    def state_list(self, obj: LedgerType) -> str:
        return " → ".join(obj.states) or "—"

    def get_queryset(self, request: HttpRequest) -> QuerySet[LedgerType]:
        queryset: QuerySet[LedgerType] = super().get_queryset(request)
        return queryset.annotate(n_fields=Count("fields"))

    @admin.display(description=_("字段数"), ordering="n_fields")
    def field_count(self, obj: LedgerType) -> int:
        return int(getattr(obj, "n_fields", 0))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # records point at their type; a type is never deleted from under them

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        # The admin would take initial values from the query string unchecked; a malformed
        # one (``?unit=%00``) broke the add page with a 500. A new type starts empty.
        return {}

    def save_model(self, request: HttpRequest, obj: LedgerType, form: Any, change: bool) -> None:
        """Nothing yet: the type is written with its fields in ``save_related``, by the service."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The type and its field rows, written by ``services.save_ledger_type`` in one go."""
        save_fields: list[LedgerField] = []
        delete_fields: list[LedgerField] = []
        for formset in formsets:
            save_fields += formset.save(commit=False)
            delete_fields += formset.deleted_objects
        services.save_ledger_type(
            form.instance,
            actor=Actor.from_request(request, via=ADMIN),
            save_fields=save_fields,
            delete_fields=delete_fields,
        )


class LedgerTransitionInline(ReadOnlyInline):
    model = LedgerTransition
    fields = ["from_state", "to_state", "on", "by", "note", "at"]
    readonly_fields = fields  # type: ignore[assignment]


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["name", "uploaded_at", "uploaded_by", "removed_at", "removed_by"]
    readonly_fields = fields  # type: ignore[assignment]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    """Records, to find and inspect; they are written through the ledger pages and imports."""

    list_display = ["__str__", "ledger_type", "unit", "project", "date", "state"]
    list_filter = ["ledger_type", "unit", "state"]
    search_fields = ["natural_key", "unit__code", "unit__name", "project__name"]
    list_select_related = ["ledger_type", "unit", "project"]
    date_hierarchy = "date"
    inlines = [LedgerTransitionInline, AttachmentInline]
    fields = [
        "ledger_type",
        "unit",
        "project",
        "date",
        "amount_cents",
        "state",
        "state_dates",
        "values",
        "natural_key",
        "created_at",
        "created_by",
        "updated_at",
        "version",
    ]
    readonly_fields = fields  # type: ignore[assignment]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[LedgerEntry], search_term: str
    ) -> tuple[QuerySet[LedgerEntry], bool]:
        found, duplicates = super().get_search_results(request, queryset, search_term)
        if search_term:
            # Titles and summaries live in the JSON data, which the plain search can't read.
            found = found | queryset.filter(data__title__icontains=search_term)
            found = found | queryset.filter(data__summary__icontains=search_term)
        return found, duplicates

    @admin.display(description=_("内容"))
    def values(self, obj: LedgerEntry) -> SafeString:
        labels = {f.code: f.label for f in obj.ledger_type.fields.all()}
        rows = [
            (
                labels.get(code, code),
                value if isinstance(value, str) else json.dumps(value, ensure_ascii=False),
            )
            for code, value in obj.data.items()
        ]
        return format_html(
            "<table>{}</table>",
            format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows),
        )


@admin.register(ImportMapping)
class ImportMappingAdmin(ReadOnlyAdmin):
    """Saved column mappings for importing vendor and system exports into a ledger; they are
    saved on the import pages (``importing.save_mapping``), each change in the change log."""

    list_display = ["name", "ledger_type", "unit", "header_row", "preset"]
    list_filter = ["ledger_type", "preset"]
    search_fields = ["name"]
    list_select_related = ["ledger_type", "unit"]
