"""Forms of the target pages: the upload and the confirmation (the picker is jixiao.lib.picker)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from jixiao import importers
from jixiao.access.lookups import get_unit_by_pk_for_user
from jixiao.access.perms import can
from jixiao.core.document import UnitRef
from jixiao.core.unit_names import is_short_form
from jixiao.lib.params import YEAR_MAX, YEAR_MIN
from jixiao.targets.questions import Questions
from jixiao.units.models import Unit

ACCEPTED_SUFFIXES = ".docx,.xlsx,.pdf,.txt,.doc,.png,.jpg,.jpeg"
PASTED_NAME = "粘贴文本.txt"


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
        help_text=_(
            "支持 Word（.docx、.doc）、Excel（.xlsx）、PDF、文本（.txt）和扫描图片（.png、.jpg）。"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_SUFFIXES}),
    )
    text = forms.CharField(
        label=_("或粘贴文本"),
        required=False,
        strip=False,
        help_text=_("从 Word 或网页复制的绩效目标表文字，每个单元格一行也可以。"),
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def clean_file(self) -> UploadedFile[Any] | None:
        upload: UploadedFile[Any] | None = self.cleaned_data.get("file")
        if upload is not None:
            _check_size(upload.size or 0, str(_("文件")))
        return upload

    def clean_text(self) -> str:
        text: str = self.cleaned_data.get("text") or ""
        if text.strip():
            _check_size(len(text.encode("utf-8")), str(_("粘贴的文本")))
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


NEW_UNIT = "new"
# The answers the preview keeps when a confirmation is refused (see uploads.keep_choice).
CHOICE_FIELDS = ("unit", "new_code", "new_name", "create_unit", "year", "checked")


class ConfirmForm(forms.Form):
    """Confirm the import of a previewed upload, named by its token, with the answers the
    preview asked for: the unit and year the file lacks (a unit picked among those the person
    may import into, or — a superuser only — a new unit by its full name), that the OCR'd
    values were checked, and, when it removes indicators holding data, that they may go (they
    are kept and can be restored)."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    unit = forms.CharField(label=_("预算单位"), required=False, max_length=20, widget=forms.Select)
    new_code = forms.CharField(
        label=_("新单位的单位编码"),
        required=False,
        max_length=32,
        help_text=_("预算单位编码，如 224001；没有编码可不填。"),
    )
    new_name = forms.CharField(
        label=_("新单位的全称"),
        required=False,
        max_length=200,
        help_text=_("请填写单位全称，如“某县卫生健康委员会”，不要用“卫健委”这样的简称。"),
    )
    create_unit = forms.BooleanField(
        label=_("确认按上面填写的全称和编码新建预算单位"), required=False
    )
    year = forms.IntegerField(
        label=_("预算年度"), required=False, min_value=YEAR_MIN, max_value=YEAR_MAX
    )
    checked = forms.BooleanField(label=_("我已逐项核对识别结果"), required=False)
    confirm_removals = forms.BooleanField(
        label=_("确认移除以上指标（指标及其口径、实际完成值、佐证材料和填报内容仍保留，可恢复）"),
        required=False,
    )

    def __init__(
        self, *args: Any, questions: Questions | None = None, who: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions or Questions(file_unit="")
        self.who = who
        q = self.questions
        if q.ask_unit:
            others = [(str(u.pk), str(u)) for u in q.others]
            choices: list[Any] = [("", _("请选择预算单位"))]
            if q.matches:
                label = _("与文件中的「%(name)s」相近") % {"name": q.file_unit}
                choices.append((label, [(str(u.pk), str(u)) for u in q.matches]))
                if others:
                    choices.append((_("其他单位"), others))
            else:
                choices += others
            if q.may_create:
                # A code identifies a unit; a name read from a file may be a short form, so
                # only the code is filled in for the person to confirm.
                self.fields["new_code"].initial = q.file_code or None
                choices.append((NEW_UNIT, _("新建预算单位（在下面填写全称和编码）")))
            cast(forms.Select, self.fields["unit"].widget).choices = choices
            self.fields["unit"].required = True
        if q.ask_year and q.default_year is not None:
            self.fields["year"].required = True
            self.fields["year"].initial = q.default_year
        if q.to_confirm:
            self.fields["checked"].required = True
            self.fields["checked"].error_messages["required"] = _(
                "请逐项核对上面的识别结果，并勾选“我已逐项核对识别结果”。"
            )
        self.fields["unit"].error_messages["required"] = _("文件中没有可用的预算单位，请选择。")
        self.fields["year"].error_messages["required"] = _("文件中没有预算年度，请填写。")

    def clean_unit(self) -> Unit | str | None:
        """The unit chosen, looked up within the person's reach (404 outside it), or NEW_UNIT."""
        value = str(self.cleaned_data.get("unit") or "")
        if not self.questions.ask_unit or not value:
            return None
        if value == NEW_UNIT:
            if not self.questions.may_create:
                raise forms.ValidationError(_("只有系统管理员可以新建预算单位，请选择已有单位。"))
            return NEW_UNIT
        unit = get_unit_by_pk_for_user(self.who, value)
        if not can(self.who, "edit", unit):
            raise forms.ValidationError(
                _("您不能向「%(unit)s」导入绩效目标，请选择本单位。") % {"unit": unit}
            )
        return unit

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("unit") == NEW_UNIT:
            self._check_new_unit(data)
        return data

    def _check_new_unit(self, data: dict[str, Any]) -> None:
        code = (data.get("new_code") or "").strip()
        name = (data.get("new_name") or "").strip()
        if not name:
            self.add_error("new_name", _("请填写新单位的全称。"))
        elif is_short_form(name):
            self.add_error(
                "new_name",
                _("「%(name)s」是简称，请填写单位全称（如“某县卫生健康委员会”）。")
                % {"name": name},
            )
        elif Unit.objects.filter(name=name).exists():
            self.add_error(
                "new_name", _("已有名为「%(name)s」的预算单位，请在上面选择它。") % {"name": name}
            )
        if code and Unit.objects.filter(code=code).exists():
            self.add_error(
                "new_code", _("已有编码为 %(code)s 的预算单位，请在上面选择它。") % {"code": code}
            )
        if not data.get("create_unit"):
            self.add_error("create_unit", _("新建预算单位须勾选确认。"))

    def answers(self) -> tuple[UnitRef | None, int | None]:
        """The unit (as the document names it) and the year the person gave; None for what
        the preview did not ask. Call after is_valid()."""
        chosen = self.cleaned_data.get("unit")
        unit: UnitRef | None = None
        if isinstance(chosen, Unit):
            unit = UnitRef(chosen.code, chosen.name)
        elif chosen == NEW_UNIT:
            code = (self.cleaned_data.get("new_code") or "").strip() or None
            unit = UnitRef(code, self.cleaned_data["new_name"].strip())
        year = self.cleaned_data.get("year") if self.questions.ask_year else None
        return unit, year
