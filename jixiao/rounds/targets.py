"""Target rounds (目标申报, 目标调整): the unit's target tables as drafts in its report.

The loop is the one of every round (``jixiao.rounds.services``: submit, endorse, return with
comments per row, approve); what differs is the report's content. While the report is being
filled, each project's table is a :class:`TargetDraft` the unit edits in the grid; the tables
in force stay as they are. A submission freezes the drafts (the tables the reviewer saw). On
approval every draft is written through the target register's one write path as a revision
named ``目标调整（审核通过）`` (or ``目标申报（审核通过）``), so monitoring and scoring use it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
from jixiao.rounds.choices import EDITABLE, TARGET_KINDS, Action, RoundKind
from jixiao.rounds.models import GoalDraft, Report, ReportEvent, Submission, TargetDraft
from jixiao.rounds.target_document import ProjectDraft, TargetRoundDocument
from jixiao.rounds.target_goal import (
    adopt_goal_draft,
    goal_moved_since_draft,
    goal_snapshot,
    report_goal,
)
from jixiao.targets.models import Project
from jixiao.targets.services import (
    ObjectResult,
    adopt_targets,
    check_project_targets,
    describe_revisions,
    project_revisions_since,
    table_version,
)

__all__ = [
    "DraftTable",
    "adopt_drafts",
    "draft_table",
    "frozen_targets_document",
    "is_target_round",
    "live_targets_document",
    "merge_tables",
    "moved_since_draft",
    "new_row_comment_name",
    "new_row_comments",
    "new_rows",
    "rebase_target_draft",
    "save_target_draft",
    "targets_snapshot",
]


def is_target_round(report: Report) -> bool:
    """Whether the report holds target tables (a declaration or adjustment round)."""
    return report.round.kind in TARGET_KINDS


@dataclass
class DraftTable:
    """A project's table in a target round: the draft, else the table in force."""

    project: Project
    targets: doc.ProjectTargets
    row_ids: list[int | None]
    draft: TargetDraft | None

    @property
    def version(self) -> int:
        """The draft's version a form reads (0: no draft yet)."""
        return 0 if self.draft is None else self.draft.version

    @property
    def changed(self) -> bool:
        """Whether the draft differs from the table in force."""
        if self.draft is None:
            return False
        return bool(self.draft.targets != _in_force(self.project)[0].to_dict())


def _in_force(project: Project) -> tuple[doc.ProjectTargets, list[int | None]]:
    rows = list(project.indicators.all())
    return project.as_targets(), [i.pk for i in rows]


def _projects(report: Report) -> list[Project]:
    return list(
        Project.objects.filter(unit_id=report.unit_id, year=report.round.year)
        .order_by("position", "id")
        .prefetch_related("checkpoints", "indicators")
    )


def draft_table(report: Report, project: Project) -> DraftTable:
    """The project's table in the report: its draft, or the table in force when none."""
    if project.unit_id != report.unit_id or project.year != report.round.year:
        raise ValidationError(_("该预算项目不属于本填报。"))
    draft = TargetDraft.objects.filter(report=report, project=project).first()
    if draft is None:
        targets, ids = _in_force(project)
        return DraftTable(project, targets, ids, None)
    return DraftTable(
        project, doc.ProjectTargets.from_dict(draft.targets), list(draft.row_ids), draft
    )


def draft_tables(report: Report) -> list[DraftTable]:
    """Every project of the unit and year, each as the report holds it."""
    drafts = {d.project_id: d for d in TargetDraft.objects.filter(report=report)}
    tables = []
    for project in _projects(report):
        draft = drafts.get(project.pk)
        if draft is None:
            targets, ids = _in_force(project)
            tables.append(DraftTable(project, targets, ids, None))
        else:
            targets = doc.ProjectTargets.from_dict(draft.targets)
            tables.append(DraftTable(project, targets, list(draft.row_ids), draft))
    return tables


@transaction.atomic
def save_target_draft(
    report: Report,
    project: Project,
    targets: doc.ProjectTargets,
    *,
    row_ids: Sequence[int | None],
    version: int | None,
    actor: Actor,
) -> TargetDraft:
    """Save the unit's edited table as the report's draft; the table in force is unchanged.

    Checked as the register checks a table (``ImportRejected`` lists problems); ``version`` is
    the draft's version the form read (0: none yet), a draft saved since is refused.
    """
    require(actor, "edit", report)
    locked = Report.objects.select_for_update().select_related("round").get(pk=report.pk)
    if not is_target_round(locked):
        raise ValidationError(_("只有目标申报和目标调整的填报可以编辑目标表。"))
    if locked.status not in EDITABLE:
        raise ValidationError(
            _("本填报当前状态为“%(s)s”，不能修改。") % {"s": locked.get_status_display()}
        )
    if project.unit_id != locked.unit_id or project.year != locked.round.year:
        raise ValidationError(_("该预算项目不属于本填报。"))
    if len(row_ids) != len(targets.indicators):
        raise ValueError("row_ids must give one id per indicator row")
    check_project_targets(project, targets)
    data = doc.ProjectTargets(
        code=project.code,
        name=project.name or None,
        budget=targets.budget,
        fund_use=targets.fund_use,
        spending_plan=targets.spending_plan,
        goal=targets.goal,
        indicators=targets.indicators,
    ).to_dict()
    draft = TargetDraft.objects.select_for_update().filter(report=locked, project=project).first()
    user = actor.user
    if draft is None:
        base, base_ids = _in_force(project)
        draft = TargetDraft.objects.create(
            report=locked,
            project=project,
            targets=data,
            row_ids=list(row_ids),
            base_version=table_version(project),
            base_targets=base.to_dict(),
            base_row_ids=base_ids,
            updated_by=user,
        )
        before = None
    else:
        check_version(draft, version)
        before = {"targets": draft.targets, "row_ids": draft.row_ids}
        if draft.targets == data and draft.row_ids == list(row_ids):
            return draft
        draft.targets, draft.row_ids = data, list(row_ids)
        draft.updated_at, draft.updated_by = timezone.now(), user
        bump(draft)
        draft.save()
    locked.updated_at = timezone.now()
    locked.save(update_fields=["updated_at"])
    ReportEvent.objects.create(
        report=locked,
        action=Action.DRAFT_SAVED,
        actor=user,
        comment=project.label,
        detail={"project": project.pk},
    )
    record_many(
        actor,
        [
            Entry.of(
                Log.CREATE if before is None else Log.UPDATE,
                draft,
                unit=locked.unit_id,
                before=before,
                after={"targets": draft.targets, "row_ids": draft.row_ids},
                object_repr=f"{locked.unit} · {project.label}"[:300],
            )
        ],
    )
    return draft


def targets_snapshot(report: Report) -> dict[str, Any]:
    """The report's tables as frozen in a submission: each project's draft (or table in force)
    with its row ids and whether the unit changed it, and the table in force it was compared
    with then (``base``), so the submission shows its changes as the reviewer saw them."""
    projects = []
    for table in draft_tables(report):
        base, base_ids = _in_force(table.project)
        projects.append(
            {
                "project": table.project.pk,
                "changed": table.changed,
                "row_ids": table.row_ids,
                "targets": table.targets.to_dict(),
                "base": base.to_dict(),
                "base_ids": base_ids,
                "base_version": table.draft.base_version
                if table.draft is not None
                else table_version(table.project),
            }
        )
    return {
        "kind": report.round.kind,
        "year": report.round.year,
        **goal_snapshot(report),
        "projects": projects,
    }


def _round_document(
    report: Report, projects: list[ProjectDraft], **extra: Any
) -> TargetRoundDocument:
    unit = report.unit
    return TargetRoundDocument(
        unit=doc.UnitRef(unit.code, unit.name or None),
        year=report.round.year,
        kind_label=str(RoundKind(report.round.kind).label),
        round_title=str(report.round),
        projects=projects,
        **extra,
    )


def live_targets_document(report: Report) -> TargetRoundDocument:
    """The report's tables as the unit holds them now, each beside its table in force."""
    projects = []
    for table in draft_tables(report):
        base, base_ids = _in_force(table.project)
        projects.append(
            ProjectDraft(table.project.pk, table.targets, list(table.row_ids), base, base_ids)
        )
    goal = report_goal(report)
    return _round_document(
        report,
        projects,
        unit_goal=None if goal is None else goal.part,
        unit_goal_base=None if goal is None else goal.base,
    )


def frozen_targets_document(report: Report, submission: Submission) -> TargetRoundDocument:
    """The tables as frozen in a submission, beside the tables in force when it was made.

    (A snapshot made before the table in force was frozen with it is compared with the
    table in force now.)
    """
    data = submission.snapshot
    found = {
        p.pk: p
        for p in Project.objects.filter(
            pk__in=[p["project"] for p in data.get("projects", [])]
        ).prefetch_related("checkpoints", "indicators")
    }
    projects = []
    for item in data.get("projects", []):
        targets = doc.ProjectTargets.from_dict(item["targets"])
        if "base" in item:
            base = doc.ProjectTargets.from_dict(item["base"])
            base_ids = list(item["base_ids"])
        elif item["project"] in found:
            base, base_ids = _in_force(found[item["project"]])
        else:
            base, base_ids = targets, list(item["row_ids"])
        projects.append(
            ProjectDraft(item["project"], targets, list(item["row_ids"]), base, base_ids)
        )
    goal = data.get("unit_goal")
    # A snapshot made before goals were drafted in rounds froze the goal in force alone.
    base = data.get("unit_goal_base", goal)
    return _round_document(
        report,
        projects,
        unit_goal=None if goal is None else doc.UnitGoalPart.from_dict(goal),
        unit_goal_base=None if base is None else doc.UnitGoalPart.from_dict(base),
        submission=submission.number,
    )


def moved_since_draft(draft: TargetDraft) -> list[str]:
    """What was written to the project's table in force after the draft was started (its
    revisions since ``base_version``), one Chinese line each; empty when nothing."""
    later = project_revisions_since(draft.project, draft.base_version)
    return describe_revisions(later, name=f"「{draft.project.label}」")


ROW_KEYS = ("level1", "level2", "level3", "description", "target", "weight", "basis", "parsed")
PROJECT_KEYS = {
    "budget": "预算数",
    "fund_use": "资金用途",
    "spending_plan": "资金支出计划",
    "goal": "绩效目标",
}


@dataclass
class Rebased:
    """What bringing a draft up to the table in force did: the draft, and the rows and parts
    both sides changed (the unit's version kept), one Chinese line each."""

    draft: TargetDraft
    conflicts: list[str]


def _row_key(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row.get(k) for k in ROW_KEYS}


def merge_tables(
    base: dict[str, Any],
    base_ids: Sequence[int | None],
    ours: dict[str, Any],
    our_ids: Sequence[int | None],
    theirs: dict[str, Any],
    their_ids: Sequence[int | None],
) -> tuple[dict[str, Any], list[int | None], list[str]]:
    """Three-way merge of a project's table (dicts of ``ProjectTargets``): the unit's draft
    (ours) and the table in force (theirs), both from the table the draft started from (base).

    Rows are matched by indicator id. A row or part only one side changed takes that side's
    version (field by field within a row); a field both changed keeps the unit's and the row
    is named in the conflicts; rows the table
    in force gained since are added at the end, rows it lost are dropped unless the unit
    changed them (then they stay as new rows, named in the conflicts).
    """
    held_base = {pk: r for pk, r in zip(base_ids, base["indicators"], strict=True) if pk}
    held_theirs = {pk: r for pk, r in zip(their_ids, theirs["indicators"], strict=True) if pk}
    merged: dict[str, Any] = {**theirs}
    conflicts: list[str] = []
    for key in PROJECT_KEYS:
        mine, was, now = ours.get(key), base.get(key), theirs.get(key)
        if mine != was:
            merged[key] = mine
            if now != was and now != mine:
                conflicts.append(
                    _("项目的“%(part)s”双方都修改了，保留草稿中的内容")
                    % {"part": PROJECT_KEYS[key]}
                )
    rows: list[dict[str, Any]] = []
    ids: list[int | None] = []
    for pk, row in zip(our_ids, ours["indicators"], strict=True):
        path = f"{row['level1']}/{row['level2']}/{row['level3']}"
        if pk is None or pk not in held_base:
            rows.append(row)
            ids.append(pk if pk in held_theirs else None)
            continue
        mine_changed = _row_key(row) != _row_key(held_base[pk])
        if pk not in held_theirs:
            if mine_changed:
                rows.append(row)
                ids.append(None)
                conflicts.append(
                    _("“%(path)s”在现行目标表中已删除，草稿中修改过，作为新增行保留")
                    % {"path": path}
                )
            continue
        now = held_theirs[pk]
        was = held_base[pk]
        # Field by field: a field only one side changed takes that side's value; one both
        # changed (differently) keeps the unit's.
        row = {**row}
        clashed = False
        for key in ROW_KEYS:
            if now.get(key) == was.get(key):
                continue
            if row.get(key) == was.get(key):
                row[key] = now.get(key)
            elif row.get(key) != now.get(key):
                clashed = True
        if clashed:
            conflicts.append(_("“%(path)s”双方都修改了，保留草稿中的内容") % {"path": path})
        rows.append(row)
        ids.append(pk)
    kept = {pk for pk in ids if pk is not None}
    removed_by_unit = set(held_base) - {pk for pk in our_ids if pk is not None}
    for pk, row in zip(their_ids, theirs["indicators"], strict=True):
        if pk is not None and pk not in kept and pk not in removed_by_unit:
            rows.append(row)
            ids.append(pk)
    merged["indicators"] = rows
    return merged, ids, conflicts


@transaction.atomic
def rebase_target_draft(report: Report, project: Project, *, actor: Actor) -> Rebased:
    """Bring the unit's draft up to the table in force as it is now (更新草稿到现行目标表):
    the unit's edits are applied to the current table (``merge_tables``) and the draft's
    base moves to it, so approval no longer finds the table changed since the draft."""
    require(actor, "edit", report)
    locked = Report.objects.select_for_update().select_related("round").get(pk=report.pk)
    if locked.status not in EDITABLE:
        raise ValidationError(
            _("本填报当前状态为“%(s)s”，不能修改。") % {"s": locked.get_status_display()}
        )
    draft = TargetDraft.objects.select_for_update().filter(report=locked, project=project).first()
    if draft is None:
        raise ValidationError(_("这个项目没有草稿，无需更新。"))
    if draft.base_targets is None:
        raise ValidationError(
            _("这份草稿没有记下起草时的目标表，无法自动更新；请对照现行目标表重新编辑。")
        )
    theirs, their_ids = _in_force(project)
    before = {"targets": draft.targets, "row_ids": draft.row_ids, "base": draft.base_version}
    merged, ids, conflicts = merge_tables(
        draft.base_targets,
        draft.base_row_ids,
        draft.targets,
        draft.row_ids,
        theirs.to_dict(),
        their_ids,
    )
    targets = doc.ProjectTargets.from_dict(merged)
    check_project_targets(project, targets)
    draft.targets, draft.row_ids = targets.to_dict(), ids
    draft.base_version = table_version(project)
    draft.base_targets, draft.base_row_ids = theirs.to_dict(), their_ids
    draft.updated_at, draft.updated_by = timezone.now(), actor.user
    bump(draft)
    draft.save()
    ReportEvent.objects.create(
        report=locked,
        action=Action.DRAFT_SAVED,
        actor=actor.user,
        comment=_("%(p)s：草稿已更新到现行目标表（第 %(v)s 版）")
        % {"p": project.label, "v": draft.base_version},
        detail={"project": project.pk, "rebased": draft.base_version, "conflicts": conflicts},
    )
    record_many(
        actor,
        [
            Entry.of(
                Log.UPDATE,
                draft,
                unit=locked.unit_id,
                before=before,
                after={"targets": draft.targets, "row_ids": ids, "base": draft.base_version},
                object_repr=f"{locked.unit} · {project.label}"[:300],
                comment=_("草稿更新到现行目标表"),
            )
        ],
    )
    return Rebased(draft, conflicts)


def row_path(row: doc.IndicatorRow | dict[str, Any]) -> str:
    """A row's 一级/二级/三级 path: how a comment names a row the draft adds."""
    if isinstance(row, dict):
        return f"{row['level1']}/{row['level2']}/{row['level3']}"
    return f"{row.level1}/{row.level2}/{row.level3}"


def new_rows(submission: Submission) -> set[tuple[int, str]]:
    """(project id, path) of every row a target round's submission adds (no indicator yet)."""
    found = set()
    for item in submission.snapshot.get("projects", []):
        for pk, row in zip(item["row_ids"], item["targets"]["indicators"], strict=True):
            if pk is None:
                found.add((item["project"], row_path(row)))
    return found


def new_row_comment_name(project_id: int, index: int) -> str:
    """The review form's comment box of a new row: the row's place in the submitted table."""
    return f"rc-n{project_id}-{index}"


def new_row_comments(submission: Submission, data: Mapping[str, Any]) -> dict[tuple[int, str], str]:
    """The comments typed on the submission's new rows, by (project id, path)."""
    out: dict[tuple[int, str], str] = {}
    for item in submission.snapshot.get("projects", []):
        rows = zip(item["row_ids"], item["targets"]["indicators"], strict=True)
        for index, (pk, row) in enumerate(rows):
            text = str(data.get(new_row_comment_name(item["project"], index)) or "").strip()
            if pk is None and text:
                out[(item["project"], row_path(row))] = text.replace("\r\n", "\n")
    return out


def adopted_source(report: Report) -> str:
    """How the revision an approval writes is named: ``目标调整（审核通过）``."""
    return _("%(kind)s（审核通过）") % {"kind": RoundKind(report.round.kind).label}


def adopt_drafts(report: Report, *, actor: Actor) -> list[ObjectResult]:
    """Put every draft of an approved target report in force (called by ``approve_report``
    inside its transaction, after its permission check), the unit-wide goal's draft with
    them (``target_goal.adopt_goal_draft``). Tables the unit did not change are left alone."""
    drafts = list(TargetDraft.objects.filter(report=report).select_related("project"))
    moved = [line for draft in drafts for line in moved_since_draft(draft)]
    goal_draft = GoalDraft.objects.filter(report=report).select_related("goal").first()
    goal_moved = [] if goal_draft is None else goal_moved_since_draft(goal_draft)
    if moved or goal_moved:
        head = (
            _("现行目标表在草稿起草之后被直接修改过，审核通过会覆盖这些修改，本次未通过：")
            if moved
            else _(
                "部门整体绩效目标在草稿起草之后被直接修改过，审核通过会覆盖这些修改，本次未通过："
            )
        )
        raise ValidationError(
            [
                head,
                *moved,
                *goal_moved,
                _(
                    "请退回修改：填报人在填报页点“更新草稿到现行目标表”"
                    "（部门整体绩效目标为“更新草稿到现行整体目标”），核对后重新提交；"
                    "或先与单位核实这些修改是否应保留。"
                ),
            ]
        )
    results = []
    source = adopted_source(report)
    for draft in drafts:
        targets = doc.ProjectTargets.from_dict(draft.targets)
        results.append(
            adopt_targets(
                draft.project, targets, actor=actor, row_ids=list(draft.row_ids), source=source
            )
        )
    goal = adopt_goal_draft(report, actor=actor, source=source)
    if results or goal is not None:
        detail: dict[str, Any] = {"revisions": [r.revision for r in results]}
        if goal is not None:
            detail["unit_goal_revision"] = goal.revision
        ReportEvent.objects.create(
            report=report,
            action=Action.TARGETS_ADOPTED,
            actor=actor.user,
            comment=source,
            detail=detail,
        )
    return results + ([] if goal is None else [goal])
