"""The unit-wide goal (部门整体绩效目标) in a target round: a draft of the report like the tables.

The goal often restates the targets (“研判分析数200条以上”), so an adjustment that raises a
target must be able to change it too, and the reviewer must see both. While the report is
being filled the unit edits the goal as the report's :class:`GoalDraft` (the goal in force is
unchanged); a submission freezes it (or the goal in force when there is no draft) beside the
goal in force it is compared with; approval writes it through the register's goal write path
(``targets.services.adopt_unit_goal``) in the approval's transaction, refused when the goal in
force was changed after the draft was started (as the tables' base-version check is).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.access.perms import require
from jixiao.audit.choices import Action as Log
from jixiao.audit.log import Entry, record_many
from jixiao.audit.versions import bump, check_version
from jixiao.core import document as doc
from jixiao.lib.actor import Actor
from jixiao.rounds.choices import EDITABLE, TARGET_KINDS, Action
from jixiao.rounds.models import GoalDraft, Report, ReportEvent
from jixiao.rounds.target_document import goal_summary
from jixiao.targets.models import UnitGoal
from jixiao.targets.services import (
    ObjectResult,
    adopt_unit_goal,
    check_unit_goal,
    describe_revisions,
    unit_goal_revisions_since,
    unit_goal_version,
)

__all__ = [
    "GOAL_COMMENT",
    "ReportGoal",
    "adopt_goal_draft",
    "goal_moved_since_draft",
    "goal_snapshot",
    "merge_goals",
    "rebase_goal_draft",
    "report_goal",
    "save_goal_draft",
]


# The review form's comment box on the unit-wide goal.
GOAL_COMMENT = "rc-goal"


@dataclass
class ReportGoal:
    """The unit-wide goal in a target report: the draft (else the goal in force) and the goal
    in force it is compared with."""

    goal: UnitGoal
    part: doc.UnitGoalPart
    base: doc.UnitGoalPart
    draft: GoalDraft | None

    @property
    def version(self) -> int:
        """The draft's version a form reads (0: no draft yet)."""
        return 0 if self.draft is None else self.draft.version

    @property
    def changed(self) -> bool:
        """Whether the draft differs from the goal in force."""
        return self.part.to_dict() != self.base.to_dict()

    def summary(self) -> str:
        """What the draft changes, one Chinese sentence ("" when nothing)."""
        return goal_summary(self.base, self.part)


def _goal(report: Report) -> UnitGoal | None:
    return (
        UnitGoal.objects.filter(unit_id=report.unit_id, year=report.round.year)
        .select_related("unit")
        .prefetch_related("sub_goals", "safeguards")
        .first()
    )


def report_goal(report: Report) -> ReportGoal | None:
    """The unit-wide goal as the report holds it; None when the unit has none for the year
    (a round does not create one: it is imported with the targets)."""
    goal = _goal(report)
    if goal is None:
        return None
    in_force = goal.as_part()
    draft = GoalDraft.objects.filter(report=report).first()
    if draft is None:
        return ReportGoal(goal, in_force, in_force, None)
    return ReportGoal(goal, doc.UnitGoalPart.from_dict(draft.part), in_force, draft)


@transaction.atomic
def save_goal_draft(
    report: Report, part: doc.UnitGoalPart, *, version: int | None, actor: Actor
) -> GoalDraft:
    """Save the unit's edited unit-wide goal as the report's draft; the goal in force is
    unchanged. Checked as the goal editor checks it (``ImportRejected`` lists problems);
    ``version`` is the draft's version the form read (0: none yet), a draft saved since is
    refused (``StaleEdit``)."""
    require(actor, "edit", report)
    locked = Report.objects.select_for_update().select_related("round", "unit").get(pk=report.pk)
    if locked.round.kind not in TARGET_KINDS:
        raise ValidationError(_("只有目标申报和目标调整的填报可以编辑部门整体绩效目标。"))
    if locked.status not in EDITABLE:
        raise ValidationError(
            _("本填报当前状态为“%(s)s”，不能修改。") % {"s": locked.get_status_display()}
        )
    goal = _goal(locked)
    if goal is None:
        raise ValidationError(_("本单位本年度没有部门整体绩效目标，无法编辑。"))
    check_unit_goal(goal, part)
    data = part.to_dict()
    draft = GoalDraft.objects.select_for_update().filter(report=locked).first()
    user = actor.user
    before: dict[str, Any] | None
    if draft is None:
        draft = GoalDraft.objects.create(
            report=locked,
            goal=goal,
            part=data,
            base_version=unit_goal_version(goal),
            base_part=goal.as_part().to_dict(),
            updated_by=user,
        )
        before = None
    else:
        check_version(draft, version)
        if draft.part == data:
            return draft
        before = {"part": draft.part}
        draft.part = data
        draft.updated_at, draft.updated_by = timezone.now(), user
        bump(draft)
        draft.save()
    locked.updated_at = timezone.now()
    locked.save(update_fields=["updated_at"])
    ReportEvent.objects.create(
        report=locked,
        action=Action.DRAFT_SAVED,
        actor=user,
        comment=_("部门整体绩效目标"),
        detail={"unit_goal": goal.pk},
    )
    record_many(
        actor,
        [
            Entry.of(
                Log.CREATE if before is None else Log.UPDATE,
                draft,
                unit=locked.unit_id,
                before=before,
                after={"part": draft.part},
                object_repr=f"{locked.unit} · {goal.year} 年部门整体绩效目标草稿"[:300],
            )
        ],
    )
    return draft


def goal_snapshot(report: Report) -> dict[str, Any]:
    """The goal's part of a submission's snapshot: the draft (or the goal in force) as
    ``unit_goal``, the goal in force it is compared with (``unit_goal_base``), whether the
    unit changed it and the version it was started from."""
    found = report_goal(report)
    if found is None:
        return {"unit_goal": None}
    return {
        "unit_goal": found.part.to_dict(),
        "unit_goal_base": found.base.to_dict(),
        "unit_goal_changed": found.changed,
        "unit_goal_base_version": found.draft.base_version
        if found.draft is not None
        else unit_goal_version(found.goal),
    }


def goal_moved_since_draft(draft: GoalDraft) -> list[str]:
    """What was written to the goal in force after the draft was started (its revisions since
    ``base_version``), one Chinese line each; empty when nothing."""
    later = unit_goal_revisions_since(draft.goal, draft.base_version)
    return describe_revisions(later, name=_("部门整体绩效目标"))


GOAL_PARTS = {"overall": "总体绩效目标", "sub_goals": "分项绩效目标", "safeguards": "工作保障措施"}


def merge_goals(
    base: dict[str, Any], ours: dict[str, Any], theirs: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """Three-way merge of the unit-wide goal (dicts of ``UnitGoalPart``): the unit's draft
    (ours) and the goal in force (theirs), both from the goal the draft started from (base).
    A part (总体目标, the sub-goals, the safeguards) only one side changed takes that side's;
    one both changed differently keeps the unit's and is named in the conflicts."""
    merged: dict[str, Any] = {}
    conflicts: list[str] = []
    for key, label in GOAL_PARTS.items():
        mine, was, now = ours.get(key), base.get(key), theirs.get(key)
        if mine == was:
            merged[key] = now
        else:
            merged[key] = mine
            if now not in (was, mine):
                conflicts.append(
                    _("部门整体绩效目标的“%(part)s”双方都修改了，保留草稿中的内容")
                    % {"part": label}
                )
    return merged, conflicts


@transaction.atomic
def rebase_goal_draft(report: Report, *, actor: Actor) -> tuple[GoalDraft, list[str]]:
    """Bring the unit's goal draft up to the goal in force as it is now (更新草稿到现行整体
    目标): the unit's edits applied to the current goal (:func:`merge_goals`), the draft's base
    moved to it. Returns the draft and the parts both sides changed (the unit's kept)."""
    require(actor, "edit", report)
    locked = Report.objects.select_for_update().select_related("unit").get(pk=report.pk)
    if locked.status not in EDITABLE:
        raise ValidationError(
            _("本填报当前状态为“%(s)s”，不能修改。") % {"s": locked.get_status_display()}
        )
    draft = GoalDraft.objects.select_for_update().filter(report=locked).first()
    if draft is None:
        raise ValidationError(_("部门整体绩效目标没有草稿，无需更新。"))
    goal = UnitGoal.objects.select_related("unit").get(pk=draft.goal_id)
    theirs = goal.as_part()
    merged, conflicts = merge_goals(draft.base_part, draft.part, theirs.to_dict())
    part = doc.UnitGoalPart.from_dict(merged)
    check_unit_goal(goal, part)
    before = {"part": draft.part, "base": draft.base_version}
    draft.part = part.to_dict()
    draft.base_version = unit_goal_version(goal)
    draft.base_part = theirs.to_dict()
    draft.updated_at, draft.updated_by = timezone.now(), actor.user
    bump(draft)
    draft.save()
    ReportEvent.objects.create(
        report=locked,
        action=Action.DRAFT_SAVED,
        actor=actor.user,
        comment=_("部门整体绩效目标：草稿已更新到现行整体目标（第 %(v)s 版）")
        % {"v": draft.base_version},
        detail={"unit_goal": goal.pk, "rebased": draft.base_version, "conflicts": conflicts},
    )
    record_many(
        actor,
        [
            Entry.of(
                Log.UPDATE,
                draft,
                unit=locked.unit_id,
                before=before,
                after={"part": draft.part, "base": draft.base_version},
                object_repr=f"{locked.unit} · {goal.year} 年部门整体绩效目标草稿"[:300],
                comment=_("草稿更新到现行整体目标"),
            )
        ],
    )
    return draft, conflicts


def adopt_goal_draft(report: Report, *, actor: Actor, source: str) -> ObjectResult | None:
    """Put the report's goal draft in force (called by the approval inside its transaction,
    after its permission check and the check that nothing moved since the draft); None when
    the unit did not draft the goal or left it as in force."""
    draft = GoalDraft.objects.filter(report=report).select_related("goal__unit").first()
    if draft is None or draft.part == draft.goal.as_part().to_dict():
        return None
    return adopt_unit_goal(
        draft.goal,
        doc.UnitGoalPart.from_dict(draft.part),
        actor=actor,
        version=draft.base_version,
        source=source,
    )
