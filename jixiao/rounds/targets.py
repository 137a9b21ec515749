"""Target rounds (目标申报, 目标调整): the unit's target tables as drafts in its report.

The loop is the one of every round (``jixiao.rounds.services``: submit, endorse, return with
comments per row, approve); what differs is the report's content. While the report is being
filled, each project's table is a :class:`TargetDraft` the unit edits in the grid; the tables
in force stay as they are. A submission freezes the drafts (the tables the reviewer saw). On
approval every draft is written through the target register's one write path as a revision
named ``目标调整（审核通过）`` (or ``目标申报（审核通过）``), so monitoring and scoring use it.
"""

from __future__ import annotations

from collections.abc import Sequence
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
from jixiao.rounds.models import Report, ReportEvent, TargetDraft
from jixiao.targets.models import Project
from jixiao.targets.services import (
    ObjectResult,
    adopt_targets,
    check_project_targets,
    table_version,
)

__all__ = [
    "DraftTable",
    "adopt_drafts",
    "draft_table",
    "is_target_round",
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
        draft = TargetDraft.objects.create(
            report=locked,
            project=project,
            targets=data,
            row_ids=list(row_ids),
            base_version=table_version(project),
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
    with its row ids and whether the unit changed it."""
    return {
        "kind": report.round.kind,
        "year": report.round.year,
        "projects": [
            {
                "project": table.project.pk,
                "changed": table.changed,
                "row_ids": table.row_ids,
                "targets": table.targets.to_dict(),
            }
            for table in draft_tables(report)
        ],
    }


def adopted_source(report: Report) -> str:
    """How the revision an approval writes is named: ``目标调整（审核通过）``."""
    return _("%(kind)s（审核通过）") % {"kind": RoundKind(report.round.kind).label}


def adopt_drafts(report: Report, *, actor: Actor) -> list[ObjectResult]:
    """Put every draft of an approved target report in force (called by ``approve_report``
    inside its transaction, after its permission check). Tables the unit did not change are
    left alone."""
    results = []
    source = adopted_source(report)
    for draft in TargetDraft.objects.filter(report=report).select_related("project"):
        targets = doc.ProjectTargets.from_dict(draft.targets)
        results.append(
            adopt_targets(
                draft.project, targets, actor=actor, row_ids=list(draft.row_ids), source=source
            )
        )
    if results:
        ReportEvent.objects.create(
            report=report,
            action=Action.TARGETS_ADOPTED,
            actor=actor.user,
            comment=source,
            detail={"revisions": [r.revision for r in results]},
        )
    return results
