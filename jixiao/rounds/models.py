"""Rounds of the review loop (rules.md §6) for monitoring and self-evaluation.

The finance bureau opens a :class:`Round`; each unit fills a :class:`Report` (reasons per
indicator in :class:`IndicatorEntry`, budget notes in :class:`ProjectEntry`) and submits it.
A :class:`Submission` freezes the computed tables as a snapshot; the unit's head endorses or
returns it, then the bureau's reviewer returns or approves it, with :class:`ReviewComment` rows
on single rows. :class:`ScoreOverride` rows and :class:`ReportEvent` rows are only ever added,
so the history of who changed what and why can always be read back (every change also has its
row in the change log, ``jixiao.audit``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jixiao.core.reports import DEVIATION_CATEGORIES, LIKELIHOODS
from jixiao.rounds.choices import (
    EDITABLE,
    TARGET_KINDS,
    Action,
    Decision,
    ReportStatus,
    RoundKind,
    Stage,
)
from jixiao.targets.models import YEAR_VALIDATORS, Indicator, Project, UnitGoal
from jixiao.units.models import FinanceBureau, Unit

LIKELIHOOD_CHOICES = [(v, v) for v in LIKELIHOODS]
CATEGORY_CHOICES = [(v, v) for v in DEVIATION_CATEGORIES]


def _user() -> models.ForeignKey[object, object]:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class Round(models.Model):
    """A round the finance bureau opens: monitoring at a date, or the year's self-evaluation."""

    bureau = models.ForeignKey(
        FinanceBureau,
        verbose_name=_("财政局"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rounds",
        help_text=_("开启本轮的财政局；不填时面向所有单位。"),
    )
    kind = models.CharField(_("类别"), max_length=16, choices=RoundKind.choices)
    year = models.PositiveSmallIntegerField(_("预算年度"), validators=YEAR_VALIDATORS)
    as_of = models.DateField(_("数据截至日期"))
    due_on = models.DateField(_("填报截止日期"))
    title = models.CharField(_("名称"), max_length=200, blank=True)
    opened_at = models.DateTimeField(_("开启时间"), default=timezone.now)
    opened_by = _user()

    class Meta:
        verbose_name = _("填报轮次")
        verbose_name_plural = _("填报轮次")
        ordering = ["-year", "-as_of", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=RoundKind.values), name="round_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.title or self.default_title

    @property
    def default_title(self) -> str:
        """The title a round gets when none is given."""
        if self.kind == RoundKind.SELF_EVALUATION:
            return f"{self.year}年度绩效自评"
        if self.kind in TARGET_KINDS:
            return f"{self.year}年绩效{RoundKind(self.kind).label}"
        return f"{self.year}年绩效运行监控（截至{self.as_of:%m月%d日}）"

    def clean(self) -> None:
        if self.as_of is None or self.year is None:
            return
        if self.as_of.year != self.year:
            raise ValidationError({"as_of": _("数据截至日期应在预算年度内。")})
        if self.kind == RoundKind.SELF_EVALUATION and self.as_of != dt.date(self.year, 12, 31):
            raise ValidationError({"as_of": _("绩效自评的数据截至日期应为 12 月 31 日。")})
        # A target round's as-of date is the year's first day; a declaration is due before it.
        if self.due_on is not None and self.due_on < self.as_of and self.kind not in TARGET_KINDS:
            raise ValidationError({"due_on": _("填报截止日期不能早于数据截至日期。")})


class Report(models.Model):
    """A unit's report in a round: its inputs, status and submissions."""

    round = models.ForeignKey(
        Round, verbose_name=_("填报轮次"), on_delete=models.CASCADE, related_name="reports"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("预算单位"), on_delete=models.PROTECT, related_name="reports"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        verbose_name = _("单位填报")
        verbose_name_plural = _("单位填报")
        ordering = ["round_id", "unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "unit"], name="report_unique_round_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.round}"

    @property
    def editable(self) -> bool:
        """Whether the unit may still change its inputs."""
        return self.status in EDITABLE

    @property
    def is_self_evaluation(self) -> bool:
        """Whether this report is a self-evaluation (scored) rather than monitoring."""
        return self.round.kind == RoundKind.SELF_EVALUATION

    def latest_submission(self) -> Submission | None:
        """The last submission, if any."""
        return self.submissions.order_by("-number").first()


class IndicatorEntry(models.Model):
    """What the unit wrote for one indicator: likelihood, deviation reason, correction, notes."""

    report = models.ForeignKey(
        Report, verbose_name=_("单位填报"), on_delete=models.CASCADE, related_name="indicators"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("绩效指标"), on_delete=models.CASCADE, related_name="+"
    )
    likelihood = models.CharField(
        _("完成目标可能性"), max_length=8, choices=LIKELIHOOD_CHOICES, blank=True
    )
    deviation_category = models.CharField(
        _("偏差原因类别"), max_length=8, choices=CATEGORY_CHOICES, blank=True
    )
    deviation_reason = models.TextField(_("偏差原因"), blank=True)
    correction = models.TextField(_("纠偏措施"), blank=True)
    remark = models.TextField(_("备注"), blank=True)
    explanation = models.TextField(_("偏差原因分析及改进措施"), blank=True)
    score = models.DecimalField(
        _("定性指标得分"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("定性指标可在等级对应的分数区间内填写得分；不填时按默认。"),
    )
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    updated_by = _user()
    # No lost work: a save names the version its page was read at (jixiao.audit.versions).
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("指标填报")
        verbose_name_plural = _("指标填报")
        ordering = ["report_id", "indicator_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "indicator"], name="indicatorentry_unique_indicator"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}"


class ProjectEntry(models.Model):
    """What the unit wrote for one project: executed amount, budget notes, achievements."""

    report = models.ForeignKey(
        Report, verbose_name=_("单位填报"), on_delete=models.CASCADE, related_name="projects"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("预算项目"), on_delete=models.CASCADE, related_name="+"
    )
    executed = models.DecimalField(
        _("实际执行数"),
        max_digits=18,
        decimal_places=6,
        null=True,
        blank=True,
        help_text=_("按项目的金额单位填写；不填时按支出台账计算。"),
    )
    projected_spending = models.DecimalField(
        _("全年预计执行数"),
        max_digits=18,
        decimal_places=6,
        null=True,
        blank=True,
        help_text=_("按项目的金额单位填写；不填时按资金支出计划预计。"),
    )
    deviation_category = models.CharField(
        _("偏差原因类别"), max_length=8, choices=CATEGORY_CHOICES, blank=True
    )
    deviation_reason = models.TextField(_("预算执行偏差原因"), blank=True)
    correction = models.TextField(_("纠偏措施"), blank=True)
    achievement = models.TextField(_("年度总体目标实际完成情况"), blank=True)
    explanation = models.TextField(_("预算执行偏差原因分析及改进措施"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    updated_by = _user()
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("项目填报")
        verbose_name_plural = _("项目填报")
        ordering = ["report_id", "project_id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "project"], name="projectentry_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.project}"


class ScoreOverride(models.Model):
    """A reviewer's change of a computed score, with the reason; rows are never edited.

    ``indicator`` empty means the project's budget-execution score. ``score`` empty withdraws
    the previous override. The latest row per (report, project, indicator) is in force.
    """

    report = models.ForeignKey(
        Report, verbose_name=_("单位填报"), on_delete=models.CASCADE, related_name="overrides"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("预算项目"), on_delete=models.CASCADE, related_name="+"
    )
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("绩效指标"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    computed = models.DecimalField(_("计算得分"), max_digits=7, decimal_places=2)
    score = models.DecimalField(
        _("调整后得分"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    reason = models.TextField(_("调整理由"))
    created_at = models.DateTimeField(_("调整时间"), default=timezone.now)
    created_by = _user()

    class Meta:
        verbose_name = _("得分调整")
        verbose_name_plural = _("得分调整")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        target = self.indicator or _("预算执行率")
        return f"{target}：{self.computed} → {self.score}"


class Submission(models.Model):
    """A submitted report frozen as the tables the reviewers saw, and the decisions on it.

    A submission passes two steps: the unit's head endorses it (``endorsed_*``) or returns it;
    once endorsed, the bureau's reviewer returns or approves it. ``decision`` is the decision
    that ended it, at the stage in ``decided_stage``: a submission meets at most one return,
    so one set of fields per step is enough and the whole path reads from one row.
    """

    report = models.ForeignKey(
        Report, verbose_name=_("单位填报"), on_delete=models.CASCADE, related_name="submissions"
    )
    number = models.PositiveIntegerField(_("提交次数"))
    snapshot = models.JSONField(_("提交内容快照"))
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    submitted_by = _user()
    endorsed_at = models.DateTimeField(_("单位审核时间"), null=True, blank=True)
    endorsed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("单位审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    endorse_comment = models.TextField(_("单位审核意见"), blank=True)
    decision = models.CharField(_("审核结果"), max_length=16, choices=Decision.choices, blank=True)
    decided_stage = models.CharField(_("审核环节"), max_length=8, choices=Stage.choices, blank=True)
    comment = models.TextField(_("审核意见"), blank=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("提交记录")
        verbose_name_plural = _("提交记录")
        ordering = ["report_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="submission_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.report} 第 {self.number} 次提交"

    @property
    def unit_id(self) -> int:
        """The unit of the report (for the permission seam and the change log)."""
        return self.report.unit_id


class ReviewComment(models.Model):
    """A comment on one row (or a project's budget block) of a submission, made on returning it.

    Kept with the submission it was made on: the unit sees it beside the row while correcting,
    and the snapshot of that submission shows it for good.
    """

    submission = models.ForeignKey(
        Submission,
        verbose_name=_("提交记录"),
        on_delete=models.CASCADE,
        related_name="row_comments",
    )
    stage = models.CharField(_("审核环节"), max_length=8, choices=Stage.choices)
    # Empty for a comment on a target round's unit-wide goal (部门整体绩效目标).
    project = models.ForeignKey(
        Project,
        verbose_name=_("预算项目"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("绩效指标"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("不填时为项目的预算执行。"),
    )
    # A row a target round's draft adds has no indicator yet: the comment names it by its
    # path (一级/二级/三级) as submitted; empty for every other comment.
    new_row = models.CharField(_("新增行"), max_length=300, blank=True)
    text = models.TextField(_("意见"))
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    created_by = _user()

    class Meta:
        verbose_name = _("逐行审核意见")
        verbose_name_plural = _("逐行审核意见")
        # One comment per row and return: the service writes them all at once.
        ordering = ["submission_id", "id"]

    def __str__(self) -> str:
        if self.project_id is None:
            return f"{_('部门整体绩效目标')}：{self.text[:40]}"
        target = self.indicator or self.new_row or _("预算执行")
        return f"{target}：{self.text[:40]}"

    @property
    def unit_id(self) -> int:
        """The unit of the report (for the permission seam and the change log)."""
        return self.submission.report.unit_id


class ReportEvent(models.Model):
    """One step of a report's history: who did what, when, and why."""

    report = models.ForeignKey(
        Report, verbose_name=_("单位填报"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = _user()
    comment = models.TextField(_("说明"), blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class TargetDraft(models.Model):
    """A project's target table as the unit edits it in a declaration or adjustment round.

    The tables in force are untouched until the bureau approves the report; then each draft
    is written through the target register's one write path (``adopt_targets``).
    """

    report = models.ForeignKey(
        Report, verbose_name=_("单位填报"), on_delete=models.CASCADE, related_name="target_drafts"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("预算项目"), on_delete=models.CASCADE, related_name="+"
    )
    # The table as the document model has it (ProjectTargets.to_dict()), and each indicator
    # row's id in force (None for a row the draft adds).
    targets = models.JSONField(_("目标表草稿"))
    row_ids = models.JSONField(_("指标行"), default=list)
    # The version of the table in force the draft was started from (its latest revision).
    base_version = models.PositiveIntegerField(_("起草时的目标表版本"), default=0)
    # That table itself (ProjectTargets.to_dict()) and its row ids: what the unit's edits are
    # measured from when the draft is brought up to a table in force changed since.
    base_targets = models.JSONField(_("起草时的目标表"), null=True, blank=True)
    base_row_ids = models.JSONField(_("起草时的指标行"), default=list, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    updated_by = _user()

    class Meta:
        verbose_name = _("目标表草稿")
        verbose_name_plural = _("目标表草稿")
        ordering = ["report_id", "project_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "project"], name="targetdraft_unique_report_project"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.report}"

    @property
    def unit_id(self) -> int:
        """The unit of the report (for the permission seam and the change log)."""
        return self.report.unit_id


class GoalDraft(models.Model):
    """The unit-wide goal (部门整体绩效目标) as the unit edits it in a declaration or
    adjustment round, one per report. The goal in force is untouched until the bureau approves
    the report; then the draft is written through the target register's goal write path."""

    report = models.OneToOneField(
        Report, verbose_name=_("单位填报"), on_delete=models.CASCADE, related_name="goal_draft"
    )
    goal = models.ForeignKey(
        UnitGoal, verbose_name=_("部门整体绩效目标"), on_delete=models.CASCADE, related_name="+"
    )
    # The goal as the document model has it (UnitGoalPart.to_dict()).
    part = models.JSONField(_("整体目标草稿"))
    # The goal in force the draft was started from: its version (latest revision) and text.
    base_version = models.PositiveIntegerField(_("起草时的整体目标版本"), default=0)
    base_part = models.JSONField(_("起草时的整体目标"))
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    updated_by = _user()

    class Meta:
        verbose_name = _("整体目标草稿")
        verbose_name_plural = _("整体目标草稿")
        ordering = ["report_id"]

    def __str__(self) -> str:
        return f"{self.goal} · {self.report}"

    @property
    def unit_id(self) -> int:
        """The unit of the report (for the permission seam and the change log)."""
        return self.report.unit_id
