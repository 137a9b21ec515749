"""A piece of long work someone asked for, with its progress and the file it made."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jixiao.jobs.choices import FINISHED, JobStatus
from jixiao.units.models import Unit


class Job(models.Model):
    """One run of a job kind (``jixiao.jobs.kinds``) for a person: queued → running → done.

    The task library (django-tasks) keeps its own row of the queued call; this row is ours:
    what was asked, by whom, for which unit (who else may see it: anyone who reaches the
    unit), how far it got, and the file it produced.
    """

    kind = models.CharField(_("任务类型"), max_length=40)
    params = models.JSONField(_("参数"), default=dict)
    title = models.CharField(_("标题"), max_length=300)
    unit = models.ForeignKey(
        Unit, verbose_name=_("预算单位"), null=True, blank=True, on_delete=models.CASCADE
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    done = models.PositiveIntegerField(_("已完成步数"), default=0)
    total = models.PositiveIntegerField(_("总步数"), default=1)
    message = models.CharField(_("进度说明"), max_length=300, blank=True)
    error = models.TextField(_("失败原因"), blank=True)
    task_id = models.CharField(_("队列任务号"), max_length=64, blank=True)
    # The file under settings.JOB_FILES_DIR, and the name it downloads as.
    result_path = models.CharField(_("结果文件"), max_length=200, blank=True)
    result_name = models.CharField(_("下载文件名"), max_length=300, blank=True)
    content_type = models.CharField(_("文件类型"), max_length=120, blank=True)
    # A job that makes no file (an import): what it did, for its page (kinds.Outcome).
    result = models.JSONField(_("结果"), default=dict, blank=True)
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="job_by_person")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=JobStatus.values), name="job_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(done__lte=models.F("total")), name="job_done_le_total"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def finished(self) -> bool:
        """Done or failed: the page stops asking."""
        return self.status in FINISHED

    @property
    def percent(self) -> int:
        """How far it got, 0–100."""
        return 100 if self.status == JobStatus.DONE else int(100 * self.done / max(self.total, 1))
