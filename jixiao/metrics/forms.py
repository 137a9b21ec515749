"""Forms of the actuals pages: unit, year and as-of date; a hand-entered actual with evidence."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from jixiao.lib.picker import UnitYearForm


class DateInput(forms.DateInput):
    """The browser's date picker; the value is ISO (2021-06-30)."""

    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class ActualsForm(UnitYearForm):
    """Pick a unit, a year and the as-of date (统计日)."""

    as_of = forms.DateField(label=_("统计日"), widget=DateInput())


class MultipleFileInput(forms.ClearableFileInput):
    """A file input that takes several files at once."""

    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several uploaded files (佐证材料), none required."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[Any]]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ManualActualForm(forms.Form):
    """An actual entered by hand, with its evidence text and files."""

    as_of = forms.DateField(label=_("截至日期"), widget=DateInput())
    value = forms.CharField(
        label=_("实际完成值"),
        max_length=100,
        help_text=_(
            "如实填写：数量写数字和单位（如“1年”“230条”），定性指标写“达成”“部分达成”“未达成”或“是”。"
        ),
    )
    evidence = forms.CharField(
        label=_("佐证说明"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("数据来源和依据的材料，如工作总结、会议纪要、平台后台截图。"),
    )
    # The metaclass moves declared fields into base_fields, so this does not hide form.files.
    files = MultipleFileField(label=_("佐证材料"), required=False)  # type: ignore[assignment]
    reading = forms.ChoiceField(
        label=_("请确认实际完成值"),
        required=False,
        widget=forms.RadioSelect,
        help_text=_("所填的数可以有两种理解，请选择一种；保存时按所选写出（如“95%”）。"),
    )

    def __init__(self, *args: Any, readings: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Offered only when an entry was ambiguous (0.95 against ≥90%): 95% or 0.95%.
        if readings:
            field = self.fields["reading"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(r, _("即 %(reading)s") % {"reading": r}) for r in readings]
        else:
            del self.fields["reading"]

    def clean_files(self) -> list[UploadedFile[Any]]:
        files: list[UploadedFile[Any]] = self.cleaned_data.get("files") or []
        limit = settings.ATTACHMENT_MAX_BYTES
        for upload in files:
            if (upload.size or 0) > limit:
                raise forms.ValidationError(
                    _("文件“%(name)s”过大，上限为 %(limit)s MB。"),
                    params={"name": upload.name, "limit": limit // (1024 * 1024)},
                    code="too_big",
                )
        return files


class BindingForm(forms.Form):
    """An indicator's metric (口径): a preset, or a definition written as JSON, with its note."""

    preset = forms.ChoiceField(label=_("常用口径"), required=False)
    definition = forms.CharField(
        label=_("口径定义（JSON）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "class": "code", "spellcheck": "false"}),
        help_text=_("选择了常用口径时以常用口径为准；否则按这里的 JSON 保存。"),
    )
    note = forms.CharField(
        label=_("口径说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("留空且选择了常用口径时，使用常用口径的说明。"),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, presets: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["preset"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("（自定义，填写下方 JSON）")), *[(p, p) for p in presets]]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("preset") and not (data.get("definition") or "").strip():
            raise forms.ValidationError(_("请选择常用口径，或填写口径定义。"))
        return data
