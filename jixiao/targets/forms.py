"""Forms of the target pages: the upload and the confirmation (the picker is jixiao.lib.picker)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from jixiao import importers

ACCEPTED_SUFFIXES = ".docx,.xlsx,.pdf,.txt,.doc"
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


class ConfirmForm(forms.Form):
    """Confirm the import of a previewed upload, named by its token; and, when it removes
    indicators holding data, that they may go (they are kept and can be restored)."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    confirm_removals = forms.BooleanField(
        label=_("确认移除以上指标（指标及其口径、实际完成值、佐证材料和填报内容仍保留，可恢复）"),
        required=False,
    )
