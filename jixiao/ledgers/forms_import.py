"""Forms of the ledger import: the upload with its ledger type and mapping, the column mapping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q, QuerySet

from jixiao import importers
from jixiao.access.perms import can
from jixiao.access.scope import units_for
from jixiao.ledgers.importing import Plan, mappings_for, target_choices
from jixiao.ledgers.models import LedgerType
from jixiao.units.models import Unit

ACCEPTED_SUFFIXES = (".xlsx", ".xlsm", ".csv", ".txt", ".tsv")
AUTO = ""


def editable_units(who: Any) -> QuerySet[Unit]:
    """The units in reach whose records ``who`` may write (import into, add to)."""
    ids = [u.pk for u in units_for(who) if can(who, "edit", u)]
    return Unit.objects.filter(pk__in=ids)


class UploadForm(forms.Form):
    """A ledger file to import, into which unit and ledger, through which saved mapping."""

    file = forms.FileField(
        label="文件",
        help_text="Excel（.xlsx）或 CSV 文件；第一个工作表中有表头的一行之下每行一条记录。",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_SUFFIXES)}),
    )
    unit = forms.ModelChoiceField(Unit.objects.all(), label="预算单位", empty_label=None)
    ledger_type = forms.ModelChoiceField(
        LedgerType.objects.select_related("unit"), label="台账", empty_label=None
    )
    mapping = forms.ChoiceField(
        label="列对应方式",
        required=False,
        help_text="其他系统导出的文件（如舆情监测服务、财务软件）请选择对应的映射。",
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the units the person keeps, their ledger types and the mappings they may use.
        units = editable_units(user)
        unit_field: Any = self.fields["unit"]
        unit_field.queryset = units
        ledger_field: Any = self.fields["ledger_type"]
        ledger_field.queryset = LedgerType.objects.filter(
            Q(unit__isnull=True) | Q(unit__in=units)
        ).select_related("unit")
        ledger_field.label_from_instance = lambda t: f"{t.name}（{t.unit}）" if t.unit else t.name
        self.mappings = {
            str(m.pk): m
            for m in mappings_for(user)
            .select_related("ledger_type")
            .order_by("ledger_type__position", "ledger_type__code", "name")
        }
        mapping_field: Any = self.fields["mapping"]
        mapping_field.choices = [(AUTO, "按表头自动对应")] + [
            (key, f"{m.ledger_type.name} · {m.name}") for key, m in self.mappings.items()
        ]

    def clean_file(self) -> UploadedFile[Any]:
        upload: UploadedFile[Any] = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() not in ACCEPTED_SUFFIXES:
            raise forms.ValidationError("请上传 .xlsx 或 .csv 文件（旧版 .xls 请先另存为 .xlsx）。")
        limit = importers.MAX_FILE_BYTES
        if (upload.size or 0) > limit:
            raise forms.ValidationError(f"文件过大，上限为 {limit // 1024 // 1024} MB。")
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unit, ledger_type = data.get("unit"), data.get("ledger_type")
        if unit is not None and ledger_type is not None:
            if ledger_type.unit_id not in (None, unit.pk):
                self.add_error("ledger_type", f"“{ledger_type.name}”台账属于其他单位。")
            chosen = data.get("mapping") or AUTO
            if chosen != AUTO:
                mapping = self.mappings.get(chosen)
                if mapping is None or mapping.ledger_type_id != ledger_type.pk:
                    self.add_error("mapping", f"所选映射不是“{ledger_type.name}”台账的映射。")
        return data

    def mapping_id(self) -> int | None:
        """The chosen saved mapping's id, None for the automatic mapping."""
        chosen = self.cleaned_data.get("mapping") or AUTO
        return None if chosen == AUTO else int(chosen)


class MappingForm(forms.Form):
    """One select per source column (what it feeds), and a name to save the mapping under."""

    save_as = forms.CharField(
        label="保存为映射",
        required=False,
        max_length=60,
        help_text="填写名称即可保存这套对应关系，下次导入同样的文件时直接选用。",
    )

    def __init__(self, ledger_type: LedgerType, plan: Plan, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        choices = target_choices(ledger_type)
        for column in plan.columns:
            self.fields[f"col_{column.index}"] = forms.ChoiceField(
                label=column.header, choices=choices, required=False, initial=column.target
            )
        # Keep the name field after the columns.
        self.fields["save_as"] = self.fields.pop("save_as")

    def columns(self) -> dict[str, str]:
        """Source header -> target as chosen (every header, imported or not)."""
        chosen: dict[str, str] = {}
        for column in self.plan.columns:
            chosen.setdefault(column.header, self.cleaned_data.get(f"col_{column.index}") or "")
        return chosen

    def column_fields(self) -> list[tuple[Any, Any]]:
        """(plan column, bound field) pairs, for the template's table."""
        return [(c, self[f"col_{c.index}"]) for c in self.plan.columns]
