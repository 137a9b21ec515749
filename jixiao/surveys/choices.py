"""Choices of surveys: question kinds, how a survey is answered, where it is."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionKind(models.TextChoices):
    """What a question asks for."""

    SINGLE = "single", _("单选")
    MULTIPLE = "multiple", _("多选")
    RATING = "rating", _("满意度评价")
    TEXT = "text", _("文字")


class Access(models.TextChoices):
    """Who may answer: anyone with the link (one answer per device), or invitation holders."""

    OPEN = "open", _("公开链接（每台设备一份）")
    INVITATION = "invitation", _("邀请码（每个邀请码一份）")


class SurveyStatus(models.TextChoices):
    """Where a survey is: built, collecting answers, or closed."""

    DRAFT = "draft", _("编辑中")
    OPEN = "open", _("收集中")
    CLOSED = "closed", _("已结束")
