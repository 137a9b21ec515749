"""The document of a target round's report: the unit's draft tables beside the tables in force.

A declaration or adjustment report is the unit's target tables, so its document (what the
report page, its submissions and its downloads show) is the official 项目支出绩效目标表 of
each project as the report holds it — live while the unit fills it, as frozen in a submission
after — with what differs from the table in force marked: rows changed (yellow), rows added
(green), rows removed (listed under the table), and the project's budget, plan or goal changed.

Drawn with the targets layout (``jixiao.exporters.targets_layout``) and any of its writers, so
the file the reviewer downloads is the table the unit will have in force, in the official shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from jixiao.core import document as doc
from jixiao.exporters.targets_layout import (
    Block,
    Cell,
    Layout,
    Paragraph,
    Table,
    build_layout,
    document_title,
    level_cells,
)

# Cell backgrounds of the marked rows (six hex digits, as the writers take them).
CHANGED_FILL = "fff2cc"
ADDED_FILL = "e2efda"

CHANGED, ADDED = "changed", "added"

ROW_FIELDS = (
    ("level1", "一级指标"),
    ("level2", "二级指标"),
    ("level3", "三级指标"),
    ("description", "绩效指标描述"),
    ("target", "指标值"),
    ("weight", "权重"),
    ("basis", "指标值确定依据"),
)
TARGET_LABEL = dict(ROW_FIELDS)["target"]
PROJECT_FIELDS = (
    ("budget", "预算数"),
    ("fund_use", "资金用途"),
    ("spending_plan", "资金支出计划"),
    ("goal", "绩效目标"),
)


def _row_values(row: doc.IndicatorRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name, _label in ROW_FIELDS}


@dataclass(frozen=True)
class RowChange:
    """One row of a draft that differs from the table in force."""

    kind: str  # "changed", "added" or "removed"
    path: str  # 一级 / 二级 / 三级
    target: str
    fields: tuple[str, ...] = ()  # Chinese labels of the fields changed ("changed" only)
    was: str = ""  # the target in force, when the draft changes it

    @property
    def text(self) -> str:
        """``产出指标/数量指标/舆情监测数（指标值 ≥200条→≥260条、指标值确定依据）``: the row and
        what changed in it, a changed target with its value before and after."""
        if self.kind == CHANGED:
            labels = [
                f"{label} {self.was}→{self.target}" if label == TARGET_LABEL else label
                for label in self.fields
            ]
            return f"{self.path}（{'、'.join(labels)}）"
        return f"{self.path}（{self.target}）"


@dataclass
class ProjectDraft:
    """A project's table as the report holds it, and the table in force it is compared with."""

    project_id: int
    targets: doc.ProjectTargets
    row_ids: list[int | None]
    base: doc.ProjectTargets
    base_ids: list[int | None]

    @property
    def name(self) -> str:
        """The project's name (downloads narrowed to one project are named after it)."""
        return self.targets.name or self.targets.code or ""

    def row_marks(self) -> list[str | None]:
        """Per row of the draft: "added", "changed" or None (as in force)."""
        held = {pk: row for pk, row in zip(self.base_ids, self.base.indicators, strict=True)}
        marks: list[str | None] = []
        for pk, row in zip(self.row_ids, self.targets.indicators, strict=True):
            before = held.get(pk) if pk is not None else None
            if before is None:
                marks.append(ADDED)
            elif _row_values(before) != _row_values(row):
                marks.append(CHANGED)
            else:
                marks.append(None)
        return marks

    def changes(self) -> list[RowChange]:
        """Every row changed, added or removed, in the draft's order, the removed last."""
        held = {pk: row for pk, row in zip(self.base_ids, self.base.indicators, strict=True)}
        out: list[RowChange] = []
        for pk, row, mark in zip(
            self.row_ids, self.targets.indicators, self.row_marks(), strict=True
        ):
            if mark is None:
                continue
            fields: tuple[str, ...] = ()
            if mark == CHANGED and pk is not None:
                before = _row_values(held[pk])
                after = _row_values(row)
                fields = tuple(label for name, label in ROW_FIELDS if before[name] != after[name])
                was = held[pk].target
            else:
                was = ""
            out.append(RowChange(mark, _path(row), row.target, fields, was))
        return out + [RowChange("removed", _path(row), row.target) for row in self.removed()]

    def removed(self) -> list[doc.IndicatorRow]:
        """Rows of the table in force the draft leaves out."""
        kept = {pk for pk in self.row_ids if pk is not None}
        return [
            row
            for pk, row in zip(self.base_ids, self.base.indicators, strict=True)
            if pk is None or pk not in kept
        ]

    def project_changes(self) -> list[str]:
        """Labels of the project's own parts (budget, plan, goal) the draft changes."""
        before, after = self.base.to_dict(), self.targets.to_dict()
        return [label for name, label in PROJECT_FIELDS if before.get(name) != after.get(name)]

    @property
    def changed(self) -> bool:
        """Whether the draft differs from the table in force at all."""
        return bool(self.changes() or self.project_changes())

    def summary(self) -> str:
        """What the draft changes, in one Chinese sentence ("" when nothing)."""
        parts = []
        if self.project_changes():
            parts.append("修改了" + "、".join(self.project_changes()))
        groups = {CHANGED: "修改", ADDED: "新增", "removed": "删除"}
        changes = self.changes()
        for kind, verb in groups.items():
            rows = [c.text for c in changes if c.kind == kind]
            if rows:
                parts.append(f"{verb} {len(rows)} 行：" + "；".join(rows))
        if not parts:
            return ""
        return "与现行目标表相比：" + "。".join(parts) + "。"


def _path(row: doc.IndicatorRow) -> str:
    return f"{row.level1}/{row.level2}/{row.level3}"


@dataclass
class TargetRoundDocument:
    """A target round's report as a document: each project's table, live or as submitted."""

    unit: doc.UnitRef
    year: int
    kind_label: str  # 目标申报 or 目标调整
    round_title: str  # 2021年绩效目标调整
    projects: list[ProjectDraft] = field(default_factory=list)
    unit_goal: doc.UnitGoalPart | None = None
    # The submission it was frozen in (None: live, as the unit is filling it).
    submission: int | None = None

    @property
    def changed(self) -> bool:
        """Whether any project's draft differs from its table in force."""
        return any(p.changed for p in self.projects)

    def target_document(self, project_id: int | None = None) -> doc.TargetDocument:
        """The tables as a target document (one project's alone with ``project_id``)."""
        projects = [
            p.targets for p in self.projects if project_id is None or p.project_id == project_id
        ]
        return doc.TargetDocument(
            year=self.year,
            unit=self.unit,
            unit_goal=self.unit_goal if project_id is None else None,
            projects=projects,
        )

    def state(self) -> str:
        """``填报中`` or ``第 2 次提交``: which version of the report this is."""
        if self.submission is None:
            return "填报中的草稿"
        return f"第 {self.submission} 次提交"

    def title(self) -> str:
        """The file's title: ``{unit}{year}年度预算绩效目标（目标调整·第 1 次提交）``."""
        return f"{document_title(self.target_document())}（{self.kind_label}·{self.state()}）"


def build_round_layout(document: TargetRoundDocument, project_id: int | None = None) -> Layout:
    """The official target tables of the report with the changes marked (see module doc)."""
    drafts = [p for p in document.projects if project_id is None or p.project_id == project_id]
    base = build_layout(document.target_document(project_id))
    blocks: list[Block] = []
    tables = iter(drafts)
    for block in base.blocks:
        if isinstance(block, Table):
            draft = next(tables)
            blocks.append(_marked(block, draft))
            note = draft.summary() or "与现行目标表相同，未修改。"
            blocks.append(Paragraph(note, "note", 0, block.section))
            continue
        blocks.append(block)
        if isinstance(block, Paragraph) and block.style == "title":
            legend = (
                f"{document.round_title}·{document.state()}。"
                "与现行目标表不同之处已标出：黄色为修改的行，绿色为新增的行，删除的行列在各表之后。"
            )
            blocks.append(Paragraph(legend, "note", 0, block.section))
    return Layout(document.title(), blocks, base.landscape)


def _marked(table: Table, draft: ProjectDraft) -> Table:
    """The project's table with its changed and added indicator rows filled and labelled."""
    if table.header_row is None:
        return table
    levels = [(i.level1, i.level2) for i in draft.targets.indicators]
    rows = list(table.rows)
    for n, mark in enumerate(draft.row_marks()):
        if mark is None:
            continue
        at = table.header_row + 1 + n
        merged = len(level_cells(levels, n))
        fill = ADDED_FILL if mark == ADDED else CHANGED_FILL
        label = "【新增】" if mark == ADDED else "【修改】"
        cells: list[Cell] = []
        for i, cell in enumerate(rows[at]):
            if i < merged:
                cells.append(cell)
            elif i == merged:
                cells.append(replace(cell, text=cell.text + label, fill=fill))
            else:
                cells.append(replace(cell, fill=fill))
        rows[at] = cells
    return replace(table, rows=rows)
