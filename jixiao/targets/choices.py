"""Choices of the target register, with their Chinese labels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TargetKind(models.TextChoices):
    """What kind of target an indicator value (指标值) is."""

    QUANTITATIVE = "quantitative", _("定量")
    QUALITATIVE = "qualitative", _("定性")
    DEADLINE = "deadline", _("时限")
    NOT_APPLICABLE = "not_applicable", _("不适用")


class Op(models.TextChoices):
    """The operator (计算符号) of a quantitative or deadline target."""

    GE = ">=", "≥"
    GT = ">", ">"
    EQ = "=", "="
    LT = "<", "<"
    LE = "<=", "≤"


class MoneyUnit(models.TextChoices):
    """The money unit a target table is written in; amounts are kept in it."""

    WAN_YUAN = "万元", _("万元")
    YUAN = "元", _("元")


class RevisionKind(models.TextChoices):
    """Which part of a unit's yearly targets a revision records."""

    UNIT_GOAL = "unit_goal", _("部门整体绩效目标")
    PROJECT = "project", _("项目绩效目标")


class ImportStatus(models.TextChoices):
    """What an import did to one object."""

    CREATED = "created", _("新建")
    UPDATED = "updated", _("更新")
    UNCHANGED = "unchanged", _("无变化")
