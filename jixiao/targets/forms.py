"""Forms of the target pages: the unit and year picker, the upload, the confirmation."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from jixiao import importers
from jixiao.targets.models import Project
from jixiao.units.models import Unit

ACCEPTED_SUFFIXES = ".docx,.xlsx,.pdf,.txt,.doc"
PASTED_NAME = "粘贴文本.txt"


def unit_key(unit: Unit) -> str:
    """How URLs name a unit: its budget code, or its name when it has none."""
    return unit.code or unit.name


@dataclass
class UnitYearChoice:
    """A page's unit and year, from the query string or the defaults, and what was asked."""

    units: list[Unit]
    unit: Unit | None
    years: list[int]
    asked: int | None  # the year the query string asked for (it may not exist for the unit)
    year: int | None


def project_years_by_unit() -> dict[int, list[int]]:
    """Each unit's years with projects, latest first (what the report pages offer)."""
    years: dict[int, list[int]] = defaultdict(list)
    pairs = Project.objects.values_list("unit_id", "year").distinct().order_by("-year")
    for unit_id, year in pairs:
        if year not in years[unit_id]:
            years[unit_id].append(year)
    return years


def choose_unit_year(
    query: Mapping[str, str], years_by_unit: Mapping[int, list[int]]
) -> UnitYearChoice:
    """The unit named in ``query`` (else the first unit with years) and its asked or latest year.

    ``years_by_unit`` gives each unit's years, latest first; pages differ in what makes a year.
    """
    units = list(Unit.objects.all())
    key = query.get("unit", "")
    unit = next((u for u in units if unit_key(u) == key), None)
    if unit is None:
        # Without a choice (or with a stale one), start from the first unit that has data.
        unit = next((u for u in units if u.pk in years_by_unit), units[0] if units else None)
    years = list(years_by_unit.get(unit.pk, [])) if unit else []
    try:
        asked: int | None = int(query.get("year", ""))
    except ValueError:
        asked = None
    year = asked if asked in years else (years[0] if years else None)
    return UnitYearChoice(units, unit, years, asked, year)


def unit_for_key(key: str) -> Unit | None:
    """The unit a URL names (see unit_key), None when there is none."""
    if not key:
        return None
    return (
        Unit.objects.filter(code=key).first()
        or Unit.objects.filter(code__isnull=True, name=key).first()
    )


class UnitYearForm(forms.Form):
    """Pick a unit and a year (a GET form; the view decides what a missing choice means)."""

    unit = forms.ChoiceField(label=_("预算单位"))
    year = forms.TypedChoiceField(label=_("预算年度"), coerce=int)

    def __init__(self, units: list[Unit], years: list[int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fields["unit"].choices = [(unit_key(u), str(u)) for u in units]
        self.fields["year"].choices = [(y, f"{y} 年") for y in years]


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0")


def _check_size(size: int, what: str) -> None:
    # Read at call time: the limit is one setting for the form and the importers alike.
    limit = importers.MAX_FILE_BYTES
    if size > limit:
        raise forms.ValidationError(
            _("%(what)s过大（%(size)s MB），上限为 %(limit)s MB。"),
            params={"what": what, "size": _megabytes(size), "limit": _megabytes(limit)},
            code="too_big",
        )


class UploadForm(forms.Form):
    """A target document to preview: a file, or text pasted from one."""

    file = forms.FileField(
        label=_("上传文件"),
        required=False,
        help_text=_("支持 Word（.docx、.doc）、Excel（.xlsx）、PDF 和文本（.txt）。"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_SUFFIXES}),
    )
    text = forms.CharField(
        label=_("或粘贴文本"),
        required=False,
        strip=False,
        help_text=_("从 Word 或网页复制的绩效目标表文字，每个单元格一行也可以。"),
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def clean_file(self) -> UploadedFile | None:
        upload: UploadedFile | None = self.cleaned_data.get("file")
        if upload is not None:
            _check_size(upload.size or 0, _("文件"))
        return upload

    def clean_text(self) -> str:
        text: str = self.cleaned_data.get("text") or ""
        if text.strip():
            _check_size(len(text.encode("utf-8")), _("粘贴的文本"))
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_file = data.get("file") is not None
        has_text = bool((data.get("text") or "").strip())
        if has_file and has_text:
            raise forms.ValidationError(_("请只选择一种方式：上传文件，或粘贴文本。"))
        if not has_file and not has_text and not self.errors:
            raise forms.ValidationError(_("请选择要导入的文件，或粘贴文本。"))
        return data

    def upload_name(self) -> str:
        """The name the upload is stored and reported under."""
        upload = self.cleaned_data.get("file")
        return upload.name if upload is not None else PASTED_NAME

    def upload_chunks(self) -> Iterable[bytes]:
        """The upload's bytes, in chunks."""
        upload = self.cleaned_data.get("file")
        if upload is not None:
            chunks: Iterable[bytes] = upload.chunks()
            return chunks
        return [self.cleaned_data["text"].encode("utf-8")]


class ConfirmForm(forms.Form):
    """Confirm the import of a previewed upload, named by its token."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
