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
    chinese_numeral,
    document_title,
    level_cells,
)

# Cell backgrounds of the marked rows (six hex digits, as the writers take them).
CHANGED_FILL = "fff2cc"
ADDED_FILL = "e2efda"

CHANGED, ADDED = "changed", "added"

# The heading the targets layout opens the unit-wide goal with; its change note goes under it.
UNIT_GOAL_HEADING = "第一部分 部门整体绩效目标"

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


def _sub_label(n: int, sub: doc.SubGoal) -> str:
    return f"（{chinese_numeral(n)}）“{sub.title}”"


SUB_GOAL_FIELDS = (("title", "标题"), ("goal", "绩效目标"), ("indicators", "绩效指标"))


def goal_changes(base: doc.UnitGoalPart, part: doc.UnitGoalPart) -> list[str]:
    """What ``part`` changes in ``base``, one short Chinese phrase each (in the goal's order);
    a sub-goal's changed fields are given with their new text."""
    out: list[str] = []
    if (base.overall or "") != (part.overall or ""):
        out.append("修改了总体绩效目标")
    for n in range(1, max(len(base.sub_goals), len(part.sub_goals)) + 1):
        was = base.sub_goals[n - 1] if n <= len(base.sub_goals) else None
        now = part.sub_goals[n - 1] if n <= len(part.sub_goals) else None
        if now is None and was is not None:
            out.append(f"删除分项目标{_sub_label(n, was)}")
        elif was is None and now is not None:
            out.append(f"新增分项目标{_sub_label(n, now)}")
        elif was is not None and now is not None and was != now:
            fields = [
                f"{label}改为“{getattr(now, name) or ''}”"
                for name, label in SUB_GOAL_FIELDS
                if (getattr(was, name) or "") != (getattr(now, name) or "")
            ]
            out.append(f"修改分项目标{_sub_label(n, was)}（{'，'.join(fields)}）")
    if base.safeguards != part.safeguards:
        out.append("修改了工作保障措施")
    return out


def goal_summary(base: doc.UnitGoalPart, part: doc.UnitGoalPart) -> str:
    """``与现行部门整体绩效目标相比：修改了总体绩效目标；…。`` ("" when nothing changed)."""
    changes = goal_changes(base, part)
    if not changes:
        return ""
    return "与现行部门整体绩效目标相比：" + "；".join(changes) + "。"


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
    # The unit-wide goal in force the report's goal is compared with (None: as unit_goal).
    unit_goal_base: doc.UnitGoalPart | None = None

    @property
    def goal_changed(self) -> bool:
        """Whether the report's unit-wide goal differs from the goal in force."""
        if self.unit_goal is None or self.unit_goal_base is None:
            return False
        return self.unit_goal.to_dict() != self.unit_goal_base.to_dict()

    def goal_summary(self) -> str:
        """What the report changes in the unit-wide goal, one sentence ("" when nothing)."""
        if not self.goal_changed:
            return ""
        assert self.unit_goal is not None and self.unit_goal_base is not None
        return goal_summary(self.unit_goal_base, self.unit_goal)

    @property
    def changed(self) -> bool:
        """Whether any project's draft, or the unit-wide goal, differs from the one in force."""
        return self.goal_changed or any(p.changed for p in self.projects)

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
        if (
            isinstance(block, Paragraph)
            and block.text == UNIT_GOAL_HEADING
            and project_id is None
            and document.unit_goal is not None
        ):
            note = (
                f"【已修改】{document.goal_summary()}"
                if document.goal_changed
                else "与现行部门整体绩效目标相同，未修改。"
            )
            blocks.append(Paragraph(note, "note", 0, block.section))
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
