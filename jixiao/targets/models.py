"""The target register: department-wide goals, budget projects with indicators, revisions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jixiao.core import document as doc
from jixiao.targets.choices import MoneyUnit, Op, RevisionKind, TargetKind
from jixiao.units.models import Unit

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]
PERCENT_VALIDATORS = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


def plain(value: Decimal | None) -> Decimal | None:
    """The value without the zeros a fixed-scale column pads it with (15.000000 -> 15)."""
    if value is None:
        return None
    value = value.normalize()
    # normalize() writes whole numbers with an exponent (1E+1); quantize gives plain 10 back.
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def _or_none(text: str) -> str | None:
    # The document model says None where the database keeps "" for an empty text.
    return text or None


def year_field() -> models.PositiveSmallIntegerField[Any, Any]:
    """The fiscal year (预算年度) column every target row carries."""
    return models.PositiveSmallIntegerField(_("预算年度"), validators=YEAR_VALIDATORS)


def money_field(verbose_name: Any) -> models.DecimalField[Any, Any]:
    """An amount in the table's money unit; six places keep 元 cents and 万元 fractions exact."""
    return models.DecimalField(verbose_name, max_digits=18, decimal_places=6, null=True, blank=True)


class UnitGoal(models.Model):
    """A unit's department-wide targets (部门整体绩效目标) for one year."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("预算单位"), on_delete=models.PROTECT, related_name="goals"
    )
    year = year_field()
    overall = models.TextField(_("总体绩效目标"), blank=True)

    class Meta:
        verbose_name = _("部门整体绩效目标")
        verbose_name_plural = _("部门整体绩效目标")
        ordering = ["-year", "unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="unitgoal_unique_unit_year"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year} 年部门整体绩效目标"

    def as_part(self) -> doc.UnitGoalPart:
        """This goal as the document model has it."""
        return doc.UnitGoalPart(
            overall=_or_none(self.overall),
            sub_goals=[s.as_part() for s in self.sub_goals.all()],
            safeguards=[s.text for s in self.safeguards.all()],
        )


class SubGoal(models.Model):
    """A sub-goal (分项绩效目标) with its goal text and indicator lines."""

    unit_goal = models.ForeignKey(
        UnitGoal,
        verbose_name=_("部门整体绩效目标"),
        on_delete=models.CASCADE,
        related_name="sub_goals",
    )
    position = models.PositiveIntegerField(_("顺序"), default=0)
    title = models.CharField(_("标题"), max_length=200)
    goal = models.TextField(_("绩效目标"), blank=True)
    indicators = models.TextField(_("绩效指标"), blank=True)

    class Meta:
        verbose_name = _("分项绩效目标")
        verbose_name_plural = _("分项绩效目标")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title

    def as_part(self) -> doc.SubGoal:
        """This sub-goal as the document model has it."""
        return doc.SubGoal(self.title, _or_none(self.goal), _or_none(self.indicators))


class Safeguard(models.Model):
    """A work-guarantee measure (工作保障措施) of the department-wide targets."""

    unit_goal = models.ForeignKey(
        UnitGoal,
        verbose_name=_("部门整体绩效目标"),
        on_delete=models.CASCADE,
        related_name="safeguards",
    )
    position = models.PositiveIntegerField(_("顺序"), default=0)
    text = models.TextField(_("内容"))

    class Meta:
        verbose_name = _("工作保障措施")
        verbose_name_plural = _("工作保障措施")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class Project(models.Model):
    """A budget project (预算项目) of a unit and year, known by its code or, lacking one, name."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("预算单位"), on_delete=models.PROTECT, related_name="projects"
    )
    year = year_field()
    position = models.PositiveIntegerField(_("顺序"), default=0)
    code = models.CharField(_("项目编码"), max_length=64, null=True, blank=True)
    name = models.CharField(_("项目名称"), max_length=200, blank=True)
    money_unit = models.CharField(
        _("金额单位"), max_length=8, choices=MoneyUnit.choices, blank=True
    )
    budget_total = money_field(_("预算数"))
    budget_fiscal = money_field(_("财政资金"))
    budget_other = money_field(_("其他资金"))
    # 上年结转资金: money carried over from last year, a part of the total beside 财政资金 and
    # 其他资金; set by importing a table that states it (the self-evaluation fund block's row).
    budget_carryover = money_field(_("上年结转资金"))
    fund_use = models.TextField(_("资金用途"), blank=True)
    goal = models.TextField(_("绩效目标"), blank=True)

    class Meta:
        verbose_name = _("预算项目")
        verbose_name_plural = _("预算项目")
        ordering = ["-year", "unit_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "code"],
                condition=Q(code__isnull=False),
                name="project_unique_code",
            ),
            # Some tables print no project code; the name is then the project's identity.
            models.UniqueConstraint(
                fields=["unit", "year", "name"],
                condition=Q(code__isnull=True),
                name="project_unique_name_without_code",
            ),
            models.CheckConstraint(
                condition=Q(code__isnull=False) | ~Q(name=""), name="project_code_or_name"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name users know the project by."""
        return self.name or self.code or ""

    def clean(self) -> None:
        if self.code == "":
            self.code = None
        if self.code is None and not self.name:
            raise ValidationError(_("项目编码和项目名称至少要填一项。"))

    def as_targets(self) -> doc.ProjectTargets:
        """This project as the document model has it."""
        return doc.ProjectTargets(
            code=self.code,
            name=_or_none(self.name),
            budget=doc.Budget(
                _or_none(self.money_unit),
                plain(self.budget_total),
                plain(self.budget_fiscal),
                plain(self.budget_other),
                plain(self.budget_carryover),
            ),
            fund_use=_or_none(self.fund_use),
            spending_plan=[c.as_checkpoint() for c in self.checkpoints.all()],
            goal=_or_none(self.goal),
            indicators=[i.as_row() for i in self.indicators.all()],
        )


class SpendingCheckpoint(models.Model):
    """A spending-plan checkpoint (资金支出计划): the cumulative percent due by a month's end."""

    project = models.ForeignKey(
        Project, verbose_name=_("预算项目"), on_delete=models.CASCADE, related_name="checkpoints"
    )
    month = models.PositiveSmallIntegerField(
        _("月份"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    percent = models.DecimalField(
        _("累计支出比例（%）"), max_digits=9, decimal_places=4, validators=PERCENT_VALIDATORS
    )

    class Meta:
        verbose_name = _("资金支出计划")
        verbose_name_plural = _("资金支出计划")
        ordering = ["month"]
        constraints = [
            models.UniqueConstraint(fields=["project", "month"], name="checkpoint_unique_month"),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="checkpoint_month_range"
            ),
            models.CheckConstraint(
                condition=Q(percent__gte=0, percent__lte=100), name="checkpoint_percent_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month}月底 {plain(self.percent)}%"

    def as_checkpoint(self) -> doc.Checkpoint:
        """This checkpoint as the document model has it."""
        percent = plain(self.percent)
        assert percent is not None  # the column is NOT NULL
        return doc.Checkpoint(self.month, percent)


class LiveIndicatorManager(models.Manager["Indicator"]):
    """Indicators in force: those a re-import removed are hidden (``Indicator.all_objects``
    has them)."""

    def get_queryset(self) -> models.QuerySet[Indicator]:
        return super().get_queryset().filter(removed_at__isnull=True)


class Indicator(models.Model):
    """A row of a project's indicator table (绩效指标), with its target as written and parsed.

    Re-imports update rows in place, matched by (level1, level2, level3) and the occurrence
    among equal triples, so an indicator keeps its id across revisions of the table. A row
    the table no longer has is kept, marked removed (with its metric, actuals, evidence and
    report entries), until it is restored or a later table brings it back.
    """

    project = models.ForeignKey(
        Project, verbose_name=_("预算项目"), on_delete=models.CASCADE, related_name="indicators"
    )
    position = models.PositiveIntegerField(_("顺序"), default=0)
    level1 = models.CharField(_("一级指标"), max_length=50, blank=True)
    level2 = models.CharField(_("二级指标"), max_length=50, blank=True)
    level3 = models.CharField(_("三级指标"), max_length=200)
    description = models.TextField(_("绩效指标描述"), blank=True)
    target = models.CharField(_("指标值"), max_length=200, blank=True)
    target_kind = models.CharField(_("指标值类型"), max_length=16, choices=TargetKind.choices)
    target_op = models.CharField(_("计算符号"), max_length=2, choices=Op.choices, blank=True)
    target_value = models.DecimalField(
        _("指标数值"), max_digits=18, decimal_places=6, null=True, blank=True
    )
    target_date = models.DateField(_("指标时限"), null=True, blank=True)
    target_unit = models.CharField(_("计量单位"), max_length=32, blank=True)
    basis = models.TextField(_("指标值确定依据"), blank=True)
    weight = models.DecimalField(_("权重"), max_digits=9, decimal_places=4, null=True, blank=True)
    # 0.95 against ≥90% is 95% or 0.95%: refused as ambiguous unless the table says its
    # actuals are written as fractions (this flag) or the person picks a reading on entry.
    fraction_actuals = models.BooleanField(
        _("实际值按小数填写"),
        default=False,
        help_text=_("勾选后，百分比指标的实际值 0–1 之间的数按小数读（0.95 即 95%）。"),
    )
    removed_at = models.DateTimeField(_("移除时间"), null=True, blank=True, editable=False)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("移除人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    removed_in_revision = models.ForeignKey(
        "Revision",
        verbose_name=_("移除于版本"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="removed_indicators",
    )

    # The default manager hides removed rows, so every list, report, export and evaluation
    # (and ``project.indicators``) sees only the table in force; history reads all_objects.
    # Django reaches a row through a foreign key (a report entry's indicator) with the plain
    # base manager, so such links keep working while the indicator is removed.
    objects = LiveIndicatorManager()
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("绩效指标")
        verbose_name_plural = _("绩效指标")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.level3

    @property
    def removed(self) -> bool:
        """True while a re-import has removed the indicator (it can be restored)."""
        return self.removed_at is not None

    @property
    def triple(self) -> tuple[str, str, str]:
        """The three level names, the base of the indicator's identity."""
        return (self.level1, self.level2, self.level3)

    def clean(self) -> None:
        numeric = self.target_kind in (TargetKind.QUANTITATIVE, TargetKind.DEADLINE)
        if not numeric and (self.target_op or self.target_value is not None or self.target_date):
            raise ValidationError(_("定性和不适用的指标值没有计算符号和数值。"))
        if self.target_kind != TargetKind.DEADLINE and self.target_date is not None:
            raise ValidationError({"target_date": _("只有时限指标有指标时限。")})
        if self.target_kind == TargetKind.DEADLINE and self.target_value is not None:
            raise ValidationError({"target_value": _("时限指标的数值是日期，填在指标时限中。")})

    @property
    def parsed(self) -> doc.ParsedTarget:
        """The target as the parser understood it."""
        if self.target_date is not None:
            value: str | None = self.target_date.isoformat()
        else:
            number = plain(self.target_value)
            value = None if number is None else str(number)
        return doc.ParsedTarget(
            self.target_kind, _or_none(self.target_op), value, _or_none(self.target_unit)
        )

    def as_row(self) -> doc.IndicatorRow:
        """This indicator as the document model has it."""
        return doc.IndicatorRow(
            level1=self.level1,
            level2=self.level2,
            level3=self.level3,
            target=self.target,
            parsed=self.parsed,
            description=_or_none(self.description),
            basis=_or_none(self.basis),
            weight=plain(self.weight),
        )


class Revision(models.Model):
    """One imported version of a unit goal or a project: its snapshot and what changed."""

    unit = models.ForeignKey(
        Unit,
        verbose_name=_("预算单位"),
        on_delete=models.PROTECT,
        related_name="target_revisions",
    )
    year = year_field()
    kind = models.CharField(_("类别"), max_length=16, choices=RevisionKind.choices)
    # SET_NULL: the history outlives a deleted project; its snapshot still names it.
    project = models.ForeignKey(
        Project,
        verbose_name=_("预算项目"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="revisions",
    )
    number = models.PositiveIntegerField(_("版本号"))
    created_at = models.DateTimeField(_("导入时间"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    source = models.CharField(_("来源文件"), max_length=255, blank=True)
    snapshot = models.JSONField(_("内容快照"))
    changes = models.JSONField(_("变化"), default=list, blank=True)

    class Meta:
        verbose_name = _("目标版本")
        verbose_name_plural = _("目标版本")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "number"],
                condition=Q(kind=RevisionKind.UNIT_GOAL),
                name="revision_unique_unit_goal_number",
            ),
            models.UniqueConstraint(
                fields=["project", "number"],
                condition=Q(kind=RevisionKind.PROJECT),
                name="revision_unique_project_number",
            ),
            models.CheckConstraint(
                condition=Q(kind=RevisionKind.PROJECT) | Q(project__isnull=True),
                name="revision_project_only_for_projects",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} 第 {self.number} 版"

    @property
    def label(self) -> str:
        """What the revision is of, read from its snapshot so no query is needed."""
        if self.kind == RevisionKind.UNIT_GOAL:
            return f"{self.year} 年部门整体绩效目标"
        return str(self.snapshot.get("name") or self.snapshot.get("code") or "")


class RecordedEvaluation(models.Model):
    """A past year's self-evaluation of a project as an imported table recorded it (导入的自评
    结果): the fund line and the total, with the file it came from.

    These are the scores the unit (or its evaluator) gave that year, kept as history; they are
    never mixed with the scores the system computes from ledgers. A re-import of the year's
    table replaces them in place (the change log keeps before → after).
    """

    project = models.OneToOneField(
        Project,
        verbose_name=_("预算项目"),
        on_delete=models.CASCADE,
        related_name="recorded_evaluation",
    )
    executed = money_field(_("全年执行数"))
    execution_rate = models.DecimalField(
        _("执行率（%）"), max_digits=9, decimal_places=4, null=True, blank=True
    )
    execution_points = models.DecimalField(
        _("预算执行分值"), max_digits=9, decimal_places=4, null=True, blank=True
    )
    execution_score = models.DecimalField(
        _("预算执行得分"), max_digits=9, decimal_places=4, null=True, blank=True
    )
    total_score = models.DecimalField(
        _("总分"), max_digits=9, decimal_places=4, null=True, blank=True
    )
    source = models.CharField(_("来源文件"), max_length=255, blank=True)
    imported_at = models.DateTimeField(_("导入时间"), default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("导入的项目自评结果")
        verbose_name_plural = _("导入的项目自评结果")
        ordering = ["project_id"]

    def __str__(self) -> str:
        return f"{self.project} 导入的自评结果"

    def as_results(self) -> doc.ProjectResults:
        """The fund line and total as the document model has them."""
        return doc.ProjectResults(
            plain(self.executed),
            plain(self.execution_rate),
            plain(self.execution_points),
            plain(self.execution_score),
            plain(self.total_score),
        )


class RecordedResult(models.Model):
    """A past year's self-evaluation result of one indicator as an imported table recorded it:
    the actual as written (实际完成值), its points (分值), score (得分) and the explanation
    (偏差原因). Its project's :class:`RecordedEvaluation` names the file and the import."""

    indicator = models.OneToOneField(
        Indicator,
        verbose_name=_("绩效指标"),
        on_delete=models.CASCADE,
        related_name="recorded_result",
    )
    actual = models.CharField(_("实际完成值"), max_length=200, blank=True)
    points = models.DecimalField(_("分值"), max_digits=9, decimal_places=4, null=True, blank=True)
    score = models.DecimalField(_("得分"), max_digits=9, decimal_places=4, null=True, blank=True)
    explanation = models.TextField(_("偏差原因分析及改进措施"), blank=True)

    class Meta:
        verbose_name = _("导入的指标自评结果")
        verbose_name_plural = _("导入的指标自评结果")
        ordering = ["indicator_id"]

    def __str__(self) -> str:
        return f"{self.indicator}：{self.actual}"
