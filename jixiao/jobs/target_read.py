"""Reading an uploaded target document as a job (kind ``read_targets``): step 1 of the target
import, for files whose read is slow (a scan read by OCR page by page, a picture, a .doc, a PDF
of many pages — ``jixiao.importers.pages.slow_to_read``).

The upload view keeps the file under its ``uploads`` token (the person who uploaded it is its
owner) and queues the job. The worker reads it with the same ``importers.load_document`` the
page uses (with the job's longer time limit), keeps the document beside the upload, and ends
with a link to the preview, where the person checks the reading and confirms the import as
after an immediate read. A file that cannot be read ends the job with the message the page
would have shown, and the upload is deleted. Progress: each page the reader begins
(第 n / N 页), else the steps.

The job concerns no unit yet (the file names it, the preview asks), so only the person who
asked sees it (``jobs_for``); the preview itself answers only to the upload's owner.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jixiao.jobs.kinds import Checked, Kind, Outcome, Progress, register
from jixiao.lib.actor import Actor

logger = logging.getLogger(__name__)

KIND = "read_targets"
EXPIRED = gettext_lazy("上传的文件已过期，请重新上传。")


def unreadable(name: str) -> str:
    """What the import page says when a reader trips over a file in an unforeseen way."""
    return _("无法读取文件「%(name)s」，请检查文件内容，或另存为其他格式后重试。") % {"name": name}


def _id(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _check(params: Mapping[str, Any], actor: Actor) -> Checked:
    """A read is asked by the person who uploaded the file, for themselves."""
    from jixiao.targets import uploads
    from jixiao.targets.services import may_import

    if actor.user is None or params.get("by") != actor.user.pk:
        raise PermissionDenied(_("只能由上传文件的人发起。"))
    if not may_import(actor):
        raise PermissionDenied(_("只有预算单位的填报员或单位负责人可以导入绩效目标。"))
    try:
        path = uploads.stored_file(str(params.get("upload", "")), owner=actor.user.pk)
    except uploads.UploadExpired:
        raise ValidationError(str(EXPIRED)) from None
    title = _("读取“%(name)s”中的绩效目标") % {"name": path.name}
    return Checked(unit=None, title=title, back=reverse("targets:import"))


def _run(params: Mapping[str, Any], progress: Progress) -> Outcome:
    from jixiao import importers
    from jixiao.targets import uploads
    from jixiao.targets.services import may_import

    token = str(params.get("upload", ""))
    person = get_user_model().objects.filter(pk=_id(params.get("by")), is_active=True).first()
    if person is None or not may_import(Actor(user=person)):
        uploads.discard(token)
        raise PermissionDenied(_("发起读取的账号已停用或不再可以导入绩效目标。"))
    try:
        path = uploads.stored_file(token, owner=person.pk)
    except uploads.UploadExpired:
        return _failed(str(EXPIRED))

    progress(0, 3, _("正在读取文件……"))

    def page(number: int, pages: int, ocr: bool) -> None:
        counts = {"page": number, "pages": pages}
        if ocr:
            message = _("正在识别第 %(page)s / %(pages)s 页（文字识别）……") % counts
        else:
            message = _("正在读取第 %(page)s / %(pages)s 页……") % counts
        # The last step is the interpretation after the last page.
        progress(number - 1, pages + 1, message)

    try:
        document = importers.load_document(
            path, seconds=settings.TARGET_READ_JOB_SECONDS, pages=page
        )
    except importers.ImportFailure as exc:
        uploads.discard(token)
        return _failed(str(exc))
    except Exception:
        # A reader tripping over a strange file: the page's message, the trace in the log.
        logger.exception("reading upload %s failed", path.name)
        uploads.discard(token)
        return _failed(unreadable(path.name))
    uploads.keep_document(token, document)
    return Outcome(
        ok=True,
        summary=_summary(path.name, document),
        link=reverse("targets:preview", kwargs={"token": token}),
        link_label=_("查看识别结果并导入"),
    )


def _failed(reason: str) -> Outcome:
    """The job ends with why the file could not be read, and a way to upload another."""
    return Outcome(
        ok=False, summary=reason, link=reverse("targets:import"), link_label=_("重新上传")
    )


def _summary(name: str, document: Any) -> str:
    indicators = sum(len(p.indicators) for p in document.projects)
    text = _("已读取“%(name)s”：%(projects)s 个项目，%(indicators)s 条绩效指标") % {
        "name": name,
        "projects": len(document.projects),
        "indicators": indicators,
    }
    if document.to_confirm:
        text += _("；%(count)s 处文字识别结果待核对") % {"count": len(document.to_confirm)}
    return text + _("。导入前请在预览中核对。")


register(
    KIND,
    Kind(
        gettext_lazy("读取绩效目标文件"),
        _check,
        _run,
        hint=gettext_lazy(
            "文件在后台读取（扫描件逐页文字识别，每页约 4 秒），您可以离开本页继续工作；"
            "读完后“消息”中会通知您，再从这里查看识别结果并导入。"
        ),
    ),
)
