"""Choices of the review loop."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RoundKind(models.TextChoices):
    """What a round collects."""

    MONITORING = "monitoring", _("绩效运行监控")
    SELF_EVALUATION = "self_evaluation", _("绩效自评")
    # The unit edits its target tables in the round; approval puts them in force.
    DECLARATION = "declaration", _("目标申报")
    ADJUSTMENT = "adjustment", _("目标调整")


# Rounds whose report is the unit's target tables (drafts), not computed actuals.
TARGET_KINDS = (RoundKind.DECLARATION, RoundKind.ADJUSTMENT)


class ReportStatus(models.TextChoices):
    """Where a unit's report is in the loop."""

    DRAFT = "draft", _("填报中")
    # Submitted by the officer: the unit's head reviews it before it goes to the bureau.
    UNIT_REVIEW = "unit_review", _("待单位审核")
    # Endorsed by the unit's head: the bureau's reviewer returns or approves it.
    SUBMITTED = "submitted", _("待财政审核")
    RETURNED = "returned", _("已退回修改")
    APPROVED = "approved", _("已审核通过")


class Decision(models.TextChoices):
    """A reviewer's decision on a submission."""

    RETURNED = "returned", _("退回")
    APPROVED = "approved", _("通过")


class Action(models.TextChoices):
    """What an audit row records."""

    OPENED = "opened", _("开启填报")
    SAVED = "saved", _("保存填报内容")
    SUBMITTED = "submitted", _("提交")
    ENDORSED = "endorsed", _("单位审核通过")
    UNIT_RETURNED = "unit_returned", _("单位退回")
    RETURNED = "returned", _("财政退回")
    APPROVED = "approved", _("财政审核通过")
    OVERRIDDEN = "overridden", _("调整得分")
    OVERRIDE_WITHDRAWN = "override_withdrawn", _("撤销得分调整")
    DRAFT_SAVED = "draft_saved", _("保存目标表草稿")
    TARGETS_ADOPTED = "targets_adopted", _("目标表生效")


class Stage(models.TextChoices):
    """Who decides on a submission: the unit's head first, then the finance bureau."""

    UNIT = "unit", _("单位审核")
    BUREAU = "bureau", _("财政审核")


EDITABLE = (ReportStatus.DRAFT, ReportStatus.RETURNED)
# The status a submission waits in at each stage of review.
AWAITING = {Stage.UNIT: ReportStatus.UNIT_REVIEW, Stage.BUREAU: ReportStatus.SUBMITTED}
