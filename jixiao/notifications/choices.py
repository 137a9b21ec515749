"""Choices of notifications: what happened, and how a person wants to hear of it by e-mail."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What a notification is about."""

    REPORT_SUBMITTED = "report_submitted", _("填报待审核")
    REPORT_RETURNED = "report_returned", _("填报被退回")
    REPORT_APPROVED = "report_approved", _("填报审核通过")
    ROUND_OPENED = "round_opened", _("填报轮次开启")
    ROUND_DUE = "round_due", _("填报即将截止")
    CASE_OVERDUE = "case_overdue", _("台账事项逾期")
    JOB_DONE = "job_done", _("后台任务完成")
    JOB_FAILED = "job_failed", _("后台任务失败")


class EmailMode(models.TextChoices):
    """How a person gets their notifications by e-mail (when the server sends e-mail)."""

    IMMEDIATE = "immediate", _("每条即时发送")
    DIGEST = "digest", _("每日汇总一封")
    NONE = "none", _("不发邮件")
