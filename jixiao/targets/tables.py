"""Target documents shaped for the web pages: merged cells, header blocks, change lines.

Pure functions over the document model, without Django, so the page and its tests need no
database. The header block comes from the exporters' layout: the page and the downloads draw
one picture.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from jixiao.core.document import IndicatorRow, ProjectTargets, TargetDocument
from jixiao.core.revisions import (
    ADDED_INDICATOR,
    ADDED_SUB_GOAL,
    REMOVED_INDICATOR,
    REMOVED_SUB_GOAL,
    RESTORED_INDICATOR,
    Change,
)
from jixiao.exporters.targets_layout import Cell, project_label, project_table


@dataclass(frozen=True)
class GridRow:
    """An indicator row with the rowspans of its level-1 and level-2 cells.

    A span of 0 means a cell above covers this row's position, so none is drawn there.
    """

    indicator: IndicatorRow
    level1_span: int
    level2_span: int


def _spans(keys: Sequence[tuple[str, ...]]) -> list[int]:
    """For runs of equal consecutive keys: the run's length at its first row, 0 below it."""
    spans = [0] * len(keys)
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            spans[start] = i - start
            start = i
    return spans


def level_spans(levels: Sequence[tuple[str, str]]) -> list[tuple[int, int]]:
    """Each row's (level-1, level-2) rowspans, from its (一级指标, 二级指标).

    A level-2 run never crosses a level-1 boundary: 数量指标 under 产出指标 and a following
    数量指标 under another level 1 stay two cells, as in the printed form.
    """
    level1 = _spans([(one,) for one, _two in levels])
    level2 = _spans(list(levels))
    return list(zip(level1, level2, strict=True))


def merge_levels(indicators: Sequence[IndicatorRow]) -> list[GridRow]:
    """Indicator rows with level-1 and level-2 cells merged down consecutive equal values."""
    spans = level_spans([(i.level1, i.level2) for i in indicators])
    return [GridRow(i, s1, s2) for i, (s1, s2) in zip(indicators, spans, strict=True)]


@dataclass
class ProjectBlock:
    """One project's 项目支出绩效目标表 as the page draws it."""

    number: int
    project: ProjectTargets
    title: str
    head: list[list[Cell]]  # the header block rows, spans and all, from the export layout
    widths: tuple[float, ...]  # relative column widths, summing to 100
    weighted: bool  # a 权重 column between 指标值 and 指标值确定依据
    rows: list[GridRow]
    history_url: str | None = None
    edit_url: str | None = None


def project_blocks(
    document: TargetDocument,
    history_urls: Mapping[int, str] | None = None,
    edit_urls: Mapping[int, str] | None = None,
) -> list[ProjectBlock]:
    """Every project of a document, numbered from 1; ``history_urls`` and ``edit_urls`` map
    numbers to links."""
    unit_cell = ""
    if document.unit is not None:
        unit_cell = f"{document.unit.code or ''}{document.unit.name or ''}"
    blocks = []
    for number, project in enumerate(document.projects, start=1):
        table = project_table(project, unit_cell)
        assert table.header_row is not None  # every target table has its grid header
        blocks.append(
            ProjectBlock(
                number=number,
                project=project,
                title=f"{project_label(number, project)}绩效目标表",
                head=table.rows[: table.header_row],
                widths=table.widths,
                weighted=table.columns == 7,
                rows=merge_levels(project.indicators),
                history_url=(history_urls or {}).get(number),
                edit_url=(edit_urls or {}).get(number),
            )
        )
    return blocks


@dataclass(frozen=True)
class ChangeLine:
    """One change of a revision: what changed, and its text before and after."""

    what: str
    before: str | None
    after: str | None


def change_line(change: Change) -> ChangeLine:
    """A stored change as a line of the history page, texts in full."""
    field = change.get("field") or ""
    after = change.get("after")
    if field == REMOVED_INDICATOR:
        what = f"{field}「{change.get('path') or change.get('indicator')}」"
        # The row is kept: say so, and what it held, where the new value would be.
        after = "已移除，可恢复" + (f"；带有{change['held']}" if change.get("held") else "")
    elif field in (ADDED_INDICATOR, RESTORED_INDICATOR):
        what = f"{field}「{change.get('path') or change.get('indicator')}」"
    elif field in (ADDED_SUB_GOAL, REMOVED_SUB_GOAL):
        what = f"{field}「{change.get('sub_goal')}」"
    elif change.get("indicator"):
        what = f"指标「{change.get('path') or change['indicator']}」的{field}"
    elif change.get("sub_goal"):
        what = f"分项绩效目标「{change['sub_goal']}」的{field}"
    elif change.get("item"):
        what = f"{field}{change['item']}"
    else:
        what = field
    return ChangeLine(what, change.get("before"), after)
