"""Target document -> format-free layout: the one picture the xlsx, docx and pdf writers draw.

The layout mirrors the official 项目支出绩效目标表 (see the seed document): a title, the
department-wide part as paragraphs, then one heading and one table per project. Importers read
this shape back, so the texts and merges below are a contract, not a suggestion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from jixiao.core.document import (
    Checkpoint,
    IndicatorRow,
    ProjectTargets,
    TargetDocument,
    UnitGoalPart,
)
from jixiao.core.numbers import round2

# "note": a short unindented line (captions, remarks, signature lines).
Style = Literal["title", "heading", "body", "note"]
Align = Literal["left", "center", "right"]

# The sheet (xlsx) holding the department-wide paragraphs.
UNIT_GOAL_SECTION = "部门整体绩效目标"
DEFAULT_MONEY_UNIT = "万元"

HEADER_LABELS = ("一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值")
WEIGHT_LABEL = "权重"
BASIS_LABEL = "指标值确定依据"

# Relative column widths (sum 100); the same proportions in every format.
WIDTHS_6 = (11.0, 12.0, 16.0, 26.0, 11.0, 24.0)
# The weight column is as wide as 指标值: in a 7-column table it also holds a month of the plan.
WIDTHS_7 = (10.0, 11.0, 14.0, 22.0, 10.0, 10.0, 23.0)

_DIGITS = "零一二三四五六七八九"


@dataclass(frozen=True)
class Paragraph:
    """A paragraph; ``level`` orders headings (1 = part, 2 = chapter, 3 = item)."""

    text: str
    style: Style = "body"
    level: int = 0
    # Groups blocks into sheets for the xlsx writer; None: flowing formats only.
    section: str | None = None
    align: Align = "left"
    # The paged formats keep it on the page of the block before it (a signature line under
    # its table).
    keep_with_previous: bool = False


@dataclass(frozen=True)
class Cell:
    """A table cell anchored at its top-left grid position."""

    text: str
    row_span: int = 1
    col_span: int = 1
    bold: bool = False
    align: Align = "left"
    # Background colour as six hex digits ("d9363e"): a warning light's cell.
    fill: str | None = None
    # A side label down the first column (the 绩效指标 of the official grids): its span does
    # not tie its rows to one page; a paged format draws its part on each page.
    side: bool = False
    # Written top to bottom, one character under another (the 绩效指标 label column).
    vertical: bool = False


def text_colour(fill: str) -> str:
    """Black or white, whichever reads better on the background ``fill`` (six hex digits)."""
    red, green, blue = (int(fill[i : i + 2], 16) for i in (0, 2, 4))
    # Perceived brightness (ITU-R BT.601 weights): yellow takes black text, red/green/blue white.
    return "000000" if 0.299 * red + 0.587 * green + 0.114 * blue > 160 else "ffffff"


@dataclass
class Table:
    """A grid of cells; ``rows`` hold only the anchors, covered positions are left out."""

    columns: int
    widths: tuple[float, ...]
    rows: list[list[Cell]] = field(default_factory=list)
    # Index of the row the paged formats repeat on every page (the indicator grid header).
    header_row: int | None = None
    section: str | None = None
    # How many rows from header_row make the repeated header (a two-row header: 2).
    header_rows: int = 1
    # docx and xlsx repeat the header rows on each page the grid runs on too (docx: tblHeader,
    # xlsx: print titles; the PDF always repeats them).
    repeat_header: bool = False
    # The last ``keep_tail`` rows (a total, a grade) stay on the page of the rows before them.
    keep_tail: int = 0
    # Smaller type and padding, so a long one-page form still fits its page.
    dense: bool = False

    def placed(self) -> Iterator[tuple[int, int, Cell]]:
        """Yield ``(row, col, cell)`` for every anchor, checking the grid is exactly filled."""
        taken: set[tuple[int, int]] = set()
        for r, row in enumerate(self.rows):
            c = 0
            for cell in row:
                while (r, c) in taken:
                    c += 1
                covered = {
                    (r + dr, c + dc) for dr in range(cell.row_span) for dc in range(cell.col_span)
                }
                if c + cell.col_span > self.columns or covered & taken:
                    raise ValueError(f"cell {cell.text!r} at row {r} overflows the grid")
                taken |= covered
                yield r, c, cell
                c += cell.col_span
        expected = {(r, c) for r in range(len(self.rows)) for c in range(self.columns)}
        if taken != expected:
            raise ValueError("table grid has holes or overhangs")

    def row_groups(self) -> list[range]:
        """Row ranges the paged formats keep on one page.

        Rows tied by a vertical merge stay together (unless it is a ``side`` label), and so
        does the header block from the top through the header row and the first row under it;
        the ``keep_tail`` last rows stay with the group before them.
        """
        reach = list(range(len(self.rows)))  # the last row each row is tied to
        for r, _, cell in self.placed():
            if not cell.side:
                reach[r] = max(reach[r], r + cell.row_span - 1)
        if self.header_row is not None and self.rows:
            below = self.header_row + self.header_rows
            reach[0] = max(reach[0], min(below, len(self.rows) - 1))
        if self.keep_tail and len(self.rows) > self.keep_tail:
            reach[-self.keep_tail - 1] = len(self.rows) - 1
        groups: list[range] = []
        start = end = 0
        for r in range(len(self.rows)):
            end = max(end, reach[r])
            if r == end:
                groups.append(range(start, r + 1))
                start = r + 1
        return groups


@dataclass(frozen=True)
class Image:
    """A picture (a chart) ``width_mm`` wide; ``draw("svg" | "png")`` renders it on demand."""

    draw: Callable[[str], bytes]
    width_mm: float
    alt: str
    section: str | None = None


@dataclass(frozen=True)
class PageBreak:
    """Start a new page in the paged formats; pages from here on are landscape or portrait.

    The xlsx writer ignores the break itself (sections make sheets) but gives each sheet the
    orientation in force where its section begins.
    """

    landscape: bool = False
    section: None = None


Block = Paragraph | Table | Image | PageBreak


@dataclass
class Layout:
    """An ordered list of blocks plus the document title (for file metadata)."""

    title: str
    blocks: list[Block] = field(default_factory=list)
    # Orientation of the first page; a PageBreak may change it.
    landscape: bool = False


def chinese_numeral(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 21 -> 二十一 (enough for list numbering, 1..99)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + ("" if ones == 0 else _DIGITS[ones])


def format_money(value: Decimal | None) -> str:
    """Two decimals, no thousands separator; None -> empty."""
    if value is None:
        return ""
    return str(round2(value))


def format_percent(value: Decimal | None) -> str:
    """``25`` -> ``25.00%``; None -> empty."""
    return "" if value is None else format_money(value) + "%"


def format_weight(value: Decimal | None) -> str:
    """A weight as a plain decimal without exponent or trailing zeros (``10``, ``12.5``)."""
    if value is None:
        return ""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_date(day: dt.date) -> str:
    """``2021-06-30`` -> ``2021年6月30日``."""
    return f"{day.year}年{day.month}月{day.day}日"


def document_title(doc: TargetDocument) -> str:
    """``{unit name}{year}年度预算绩效目标``, leaving out what is unknown."""
    name = doc.unit.name if doc.unit is not None and doc.unit.name else ""
    year = f"{doc.year}年度" if doc.year is not None else ""
    return f"{name}{year}预算绩效目标"


def project_label(n: int, project: ProjectTargets) -> str:
    """``{n}.{project name}``: the project's number and name (xlsx uses it as the sheet name)."""
    return f"{n}.{project.name or ''}"


def build_layout(doc: TargetDocument) -> Layout:
    """Lay out a whole target document."""
    title = document_title(doc)
    has_goal = doc.unit_goal is not None
    # Without a unit-goal sheet the title (which carries the year) heads the first project's.
    first = project_label(1, doc.projects[0]) if doc.projects else None
    blocks: list[Block] = [
        Paragraph(title, "title", 0, UNIT_GOAL_SECTION if has_goal else first, "center"),
    ]
    if doc.unit_goal is not None:
        blocks += _unit_goal_paragraphs(doc.unit_goal)
        blocks.append(
            Paragraph("第二部分 预算项目绩效目标", "heading", 1, UNIT_GOAL_SECTION, "center")
        )
    unit_cell = ""
    if doc.unit is not None:
        unit_cell = f"{doc.unit.code or ''}{doc.unit.name or ''}"
    for n, project in enumerate(doc.projects, start=1):
        section = project_label(n, project)
        blocks.append(Paragraph(f"{section}绩效目标表", "heading", 2, section, "center"))
        table = project_table(project, unit_cell)
        table.section = section
        blocks.append(table)
    return Layout(title, blocks)


def _unit_goal_paragraphs(goal: UnitGoalPart) -> list[Paragraph]:
    """The department-wide part, one paragraph per line as in the seed."""
    s = UNIT_GOAL_SECTION

    def heading(text: str, level: int) -> Paragraph:
        return Paragraph(text, "heading", level, s, "center" if level == 1 else "left")

    out = [heading("第一部分 部门整体绩效目标", 1), heading("一、总体绩效目标", 2)]
    if goal.overall is not None:
        out.append(Paragraph(goal.overall, "body", 0, s))
    out.append(heading("二、分项绩效目标", 2))
    for i, sub in enumerate(goal.sub_goals, start=1):
        out.append(heading(f"（{chinese_numeral(i)}）{sub.title}", 3))
        if sub.goal is not None:
            out.append(Paragraph(f"绩效目标：{sub.goal}", "body", 0, s))
        if sub.indicators is not None:
            out.append(Paragraph(f"绩效指标：{sub.indicators}", "body", 0, s))
    out.append(heading("三、工作保障措施", 2))
    for i, text in enumerate(goal.safeguards, start=1):
        out.append(Paragraph(f"（{chinese_numeral(i)}）{text}", "body", 0, s))
    return out


def label_cell(text: str, row_span: int = 1, col_span: int = 1) -> Cell:
    """A caption cell (项目编码, 预算数, ...): bold and centred."""
    return Cell(text, row_span, col_span, bold=True, align="center")


def project_table(project: ProjectTargets, unit_cell: str) -> Table:
    """The 6-column (7 with weights) target table of one project."""
    weighted = any(i.weight is not None for i in project.indicators)
    cols = 7 if weighted else 6
    rest = cols - 1
    budget = project.budget
    rows: list[list[Cell]] = [
        [
            Cell(unit_cell, col_span=4),
            Cell(f"单位：{budget.unit or DEFAULT_MONEY_UNIT}", col_span=cols - 4, align="right"),
        ],
        [
            label_cell("项目编码"),
            Cell(project.code or "", col_span=2),
            label_cell("项目名称"),
            Cell(project.name or "", col_span=cols - 4),
        ],
        [
            label_cell("预算数"),
            Cell(format_money(budget.total), align="center"),
            label_cell("其中：财政资金"),
            Cell(format_money(budget.fiscal), align="center"),
            label_cell("其他资金"),
            Cell(format_money(budget.other), col_span=cols - 5, align="center"),
        ],
        [label_cell("资金用途"), Cell(project.fund_use or "", col_span=rest)],
    ]
    rows += _spending_rows(project.spending_plan, rest)
    rows.append([label_cell("绩效目标"), Cell(project.goal or "", col_span=rest)])
    header = [*HEADER_LABELS, *((WEIGHT_LABEL,) if weighted else ()), BASIS_LABEL]
    header_row = len(rows)
    rows.append([label_cell(text) for text in header])
    rows += _indicator_rows(project.indicators, weighted)
    return Table(cols, WIDTHS_7 if weighted else WIDTHS_6, rows, header_row)


def _spending_rows(plan: list[Checkpoint], room: int) -> list[list[Cell]]:
    """Month labels over percents; one text row when the checkpoints don't fit."""
    label = "资金支出计划（%）"
    if not plan:
        return []
    if len(plan) > room:
        text = "；".join(f"{c.month}月底{format_percent(c.percent)}" for c in plan)
        return [[label_cell(label), Cell(text, col_span=room)]]
    # The last checkpoint stretches to the right edge so no empty boxes are left.
    spans = [1] * (len(plan) - 1) + [room - len(plan) + 1]
    months = [
        Cell(f"{c.month}月底", col_span=s, align="center") for c, s in zip(plan, spans, strict=True)
    ]
    percents = [
        Cell(format_percent(c.percent), col_span=s, align="center")
        for c, s in zip(plan, spans, strict=True)
    ]
    return [[label_cell(label, row_span=2), *months], percents]


def _run_length(keys: Sequence[tuple[str, ...]], start: int) -> int:
    """How many consecutive rows from ``start`` share the key at ``start``."""
    end = start
    while end < len(keys) and keys[end] == keys[start]:
        end += 1
    return end - start


def level_cells(levels: Sequence[tuple[str, str]], n: int) -> list[Cell]:
    """The level-1 and level-2 cells row ``n`` of an indicator grid starts, if any.

    ``levels`` holds every row's (一级指标, 二级指标); each is merged down its run of
    consecutive equal rows, so only the run's first row carries the cell.
    """
    level1 = [(one,) for one, _ in levels]
    level2 = list(levels)
    cells: list[Cell] = []
    if n == 0 or level1[n] != level1[n - 1]:
        cells.append(Cell(levels[n][0], row_span=_run_length(level1, n), align="center"))
    if n == 0 or level2[n] != level2[n - 1]:
        cells.append(Cell(levels[n][1], row_span=_run_length(level2, n), align="center"))
    return cells


def _indicator_rows(indicators: list[IndicatorRow], weighted: bool) -> list[list[Cell]]:
    """Indicator rows with level-1 and level-2 cells merged down consecutive equal runs."""
    levels = [(i.level1, i.level2) for i in indicators]
    rows: list[list[Cell]] = []
    for n, ind in enumerate(indicators):
        row = level_cells(levels, n)
        row += [
            Cell(ind.level3),
            Cell(ind.description or ""),
            Cell(ind.target, align="center"),
        ]
        if weighted:
            row.append(Cell(format_weight(ind.weight), align="center"))
        row.append(Cell(ind.basis or ""))
        rows.append(row)
    return rows
