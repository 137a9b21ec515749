"""A questionnaire, its questions, its one-time invitations and the answers it received."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jixiao.ledgers.models import LedgerEntry
from jixiao.surveys.answers import QuestionSpec
from jixiao.surveys.choices import Access, QuestionKind, SurveyStatus
from jixiao.targets.models import Indicator, Project
from jixiao.units.models import Unit


def new_token() -> str:
    """A random, unguessable URL token (128 bits, URL-safe)."""
    return secrets.token_urlsafe(16)


class Survey(models.Model):
    """A unit's questionnaire, answered on a public page reached by its token (never its id)."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("预算单位"), on_delete=models.PROTECT, related_name="surveys"
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("预算项目"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="surveys",
        help_text=_("答卷记入该项目的满意度调查台账。"),
    )
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("对应指标"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="surveys",
    )
    title = models.CharField(_("标题"), max_length=200)
    intro = models.TextField(_("说明"), blank=True)
    template = models.CharField(_("模板"), max_length=32, blank=True)
    access = models.CharField(
        _("填写方式"), max_length=16, choices=Access.choices, default=Access.OPEN
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    token = models.CharField(_("公开链接码"), max_length=32, unique=True, default=new_token)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("开始收集时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("满意度调查")
        verbose_name_plural = _("满意度调查")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SurveyStatus.values), name="survey_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(access__in=Access.values), name="survey_access_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        """Whether the public form takes answers."""
        return self.status == SurveyStatus.OPEN

    def clean(self) -> None:
        if self.project is not None and self.project.unit_id != self.unit_id:
            raise ValidationError({"project": _("项目不属于本单位。")})
        if self.indicator is not None and self.indicator.project_id != self.project_id:
            raise ValidationError({"indicator": _("指标应属于所选项目。")})


class Question(models.Model):
    """One question, in its place in the questionnaire."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("问卷"), on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(_("序号"), default=0)
    kind = models.CharField(_("题型"), max_length=16, choices=QuestionKind.choices)
    text = models.CharField(_("题目"), max_length=300)
    choices = models.JSONField(_("选项"), default=list, blank=True)
    required = models.BooleanField(_("必答"), default=True)
    feeds_rating = models.BooleanField(
        _("计入满意度"),
        default=False,
        help_text=_("该题的回答作为满意度调查台账的“评价”（每份问卷一题）。"),
    )

    class Meta:
        verbose_name = _("问卷题目")
        verbose_name_plural = _("问卷题目")
        ordering = ["survey_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=QuestionKind.values), name="survey_question_kind_valid"
            ),
            models.UniqueConstraint(
                fields=["survey"],
                condition=Q(feeds_rating=True),
                name="survey_one_rating_question",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def key(self) -> str:
        """The form field's name and the key of its answer."""
        return f"q{self.pk}"

    def spec(self) -> QuestionSpec:
        """The question as the pure checks and counts take it."""
        return QuestionSpec(self.key, self.text, self.kind, tuple(self.choices), self.required)


class Invitation(models.Model):
    """A one-time link (and QR code) for one respondent: answered once, then spent."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("问卷"), on_delete=models.CASCADE, related_name="invitations"
    )
    number = models.PositiveIntegerField(_("邀请码序号"))
    token = models.CharField(_("邀请码"), max_length=32, unique=True, default=new_token)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("问卷邀请码")
        verbose_name_plural = _("问卷邀请码")
        ordering = ["survey_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "number"], name="survey_invitation_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} 邀请码 {self.number}"

    @property
    def unit_id(self) -> int:
        """The survey's unit (for the permission seam and the change log)."""
        return self.survey.unit_id


class Response(models.Model):
    """One submitted questionnaire and the ledger record it wrote."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("问卷"), on_delete=models.CASCADE, related_name="responses"
    )
    sequence = models.PositiveIntegerField(_("序号"))
    number = models.CharField(_("问卷编号"), max_length=40)
    invitation = models.OneToOneField(
        Invitation,
        verbose_name=_("邀请码"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="response",
    )
    # A keyed hash of the device's signed cookie and the survey: one answer per device.
    device = models.CharField(_("设备标识"), max_length=64, blank=True)
    answers = models.JSONField(_("回答"), default=dict)
    valid = models.BooleanField(_("有效问卷"), default=True)
    rating = models.CharField(_("评价"), max_length=16, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    answered_on = models.DateField(_("填写日期"))
    entry = models.ForeignKey(
        LedgerEntry,
        verbose_name=_("台账记录"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A voided answer is kept (and shown as voided) but counted nowhere: not in the results,
    # the export, or (its ledger record marked not valid) the satisfaction indicator.
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作废人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    void_reason = models.CharField(_("作废原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("问卷答卷")
        verbose_name_plural = _("问卷答卷")
        ordering = ["survey_id", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "sequence"], name="survey_response_unique_sequence"
            ),
            models.UniqueConstraint(
                fields=["survey", "device"],
                condition=~Q(device=""),
                name="survey_response_one_per_device",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def voided(self) -> bool:
        """Whether a survey manager voided the answer."""
        return self.voided_at is not None

    @property
    def unit_id(self) -> int:
        """The survey's unit (for the permission seam and the change log)."""
        return self.survey.unit_id
