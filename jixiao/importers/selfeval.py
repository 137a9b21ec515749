"""Read a 项目支出绩效自评表 workbook back: per project sheet, funds, indicator scores and total.

Cells are found by their labels (the grid header 一级指标 … 得分, the fund rows 年度资金总额 …),
never by coordinates, so a real self-evaluation sheet with the same headers reads too, also when
it says 全年实际值 for 实际完成值 or breaks a header over two lines. The exported unit workbook's
summary sheet carries none of these labels and is skipped.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from jixiao.importers import places, xlsx
from jixiao.importers.grid import ImportFailure, Table

__all__ = ["FundLine", "IndicatorLine", "SelfEvalSheet", "read_selfeval_xlsx"]

NOT_APPLICABLE = "不适用"
# Grid columns by key: the header texts that name them (whitespace ignored), first match wins.
GRID_HEADERS: dict[str, tuple[str, ...]] = {
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "level3": ("三级指标",),
    "target": ("年度指标值", "指标值"),
    "actual": ("实际完成值", "全年实际值", "实际值", "全年完成值"),
    "points": ("分值",),
    "score": ("得分",),
}
EXPLANATION_PREFIX = "偏差原因"
FUND_HEADERS = {
    "budget_initial": "年初预算数",
    "budget_full_year": "全年预算数",
    "executed": "全年执行数",
    "points": "分值",
    "rate": "执行率",
    "score": "得分",
}
FUND_NAMES = ("年度资金总额", "当年财政拨款", "上年结转资金", "其他资金")
END_LABELS = ("总分", "自评等级")
# Texts that mark a sheet as a self-evaluation table (it must then have the grid header).
_MARKERS = ("一级指标", "三级指标", "年度资金总额")

_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_SUBTOTAL = re.compile(r"^其中[：:]")


@dataclass(frozen=True)
class FundLine:
    """A fund row (年度资金总额, 其中：当年财政拨款 …) with its numbers, None where blank."""

    label: str
    budget_initial: Decimal | None
    budget_full_year: Decimal | None
    executed: Decimal | None
    points: Decimal | None
    rate: Decimal | None  # percent
    score: Decimal | None


@dataclass(frozen=True)
class IndicatorLine:
    """An indicator row; a not-applicable row has actual None and points and score 0."""

    level1: str
    level2: str
    level3: str
    target: str
    actual: str | None
    points: Decimal | None
    score: Decimal | None
    computed: Decimal | None  # from "9.00（计算 9.84）": the score before a reviewer's change
    explanation: str | None
    not_applicable: bool = False


@dataclass(frozen=True)
class SelfEvalSheet:
    """One project's self-evaluation table as read."""

    sheet: str
    name: str | None
    department: str | None
    implementer: str | None
    funds: tuple[FundLine, ...]
    goal: str | None
    achievement: str | None
    indicators: tuple[IndicatorLine, ...]
    total: Decimal | None
    grade: str | None


def read_selfeval_xlsx(data: bytes, name: str = "自评表.xlsx") -> list[SelfEvalSheet]:
    """Every self-evaluation sheet of a workbook; ImportFailure (Chinese) when there is none."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(name).name
        path.write_bytes(data)
        source = xlsx.read(path)
    sheets = [s for table in source.tables if (s := _read_sheet(table)) is not None]
    if not sheets:
        raise ImportFailure(
            f"{name} 中没有项目支出绩效自评表：未找到含“一级指标、二级指标、三级指标、"
            "年度指标值、实际完成值、分值、得分”表头的工作表。"
        )
    return sheets


def _norm(text: str) -> str:
    return _SPACE.sub("", text)


def _number(text: str) -> Decimal | None:
    match = _NUMBER.search(text)
    return Decimal(match.group()) if match else None


def _sheet_name(table: Table) -> str:
    return places.sheet_title(table.place) or table.place


def _read_sheet(table: Table) -> SelfEvalSheet | None:
    """The sheet's table, None for a sheet that is no self-evaluation table at all."""
    texts = [[_norm(t) for t in row] for row in table.texts()]
    header = _grid_header(texts)
    if header is None:
        if any(t in _MARKERS for row in texts for t in row):
            raise ImportFailure(
                f"{table.place}不是完整的项目支出绩效自评表：缺少"
                "“一级指标、二级指标、三级指标、年度指标值、实际完成值、分值、得分”表头行。"
            )
        return None
    row_at, columns = header
    indicators, end = _indicators(table, row_at, columns)
    total_row = _row_with(texts, END_LABELS[0], end)
    return SelfEvalSheet(
        sheet=_sheet_name(table),
        name=_right_of(table, "项目名称"),
        department=_right_of(table, "主管部门"),
        implementer=_right_of(table, "实施单位"),
        funds=_funds(table, texts, row_at),
        goal=_under(table, texts, "预期目标"),
        achievement=_under(table, texts, "实际完成情况"),
        indicators=indicators,
        total=None if total_row is None else _number(table.rows[total_row][columns["score"]].text),
        grade=_right_of(table, END_LABELS[1]),
    )


def _grid_header(texts: list[list[str]]) -> tuple[int, dict[str, int]] | None:
    """The grid header row and each column's index, or None if no row has them all."""
    for r, row in enumerate(texts):
        columns: dict[str, int] = {}
        for key, names in GRID_HEADERS.items():
            found = next((row.index(n) for n in names if n in row), None)
            if found is not None:
                columns[key] = found
        if len(columns) == len(GRID_HEADERS):
            explanation = [c for c, t in enumerate(row) if t.startswith(EXPLANATION_PREFIX)]
            if explanation:
                columns["explanation"] = explanation[0]
            return r, columns
    return None


def _indicators(
    table: Table, header: int, columns: dict[str, int]
) -> tuple[tuple[IndicatorLine, ...], int]:
    """Indicator rows under the header up to the 总分 row; and the row where they end."""
    lines: list[IndicatorLine] = []
    r = header + 1
    while r < len(table.rows):
        row = [cell.text for cell in table.rows[r]]
        if any(_norm(text) in END_LABELS for text in row):
            break
        r += 1
        if not any(row):
            continue

        def at(key: str, row: list[str] = row) -> str:
            return row[columns[key]] if key in columns else ""

        actual = at("actual")
        not_applicable = _norm(actual) == NOT_APPLICABLE
        score_text = at("score")
        computed = None
        if "计算" in score_text:
            computed = _number(score_text.split("计算", 1)[1])
        lines.append(
            IndicatorLine(
                level1=at("level1"),
                level2=at("level2"),
                level3=at("level3"),
                target=at("target"),
                actual=None if not_applicable else actual,
                points=Decimal(0) if not_applicable else _number(at("points")),
                score=Decimal(0) if not_applicable else _number(score_text),
                computed=computed,
                explanation=at("explanation") or None,
                not_applicable=not_applicable,
            )
        )
    return tuple(lines), r


def _row_with(texts: list[list[str]], label: str, start: int = 0) -> int | None:
    return next((r for r in range(start, len(texts)) if label in texts[r]), None)


def _right_of(table: Table, label: str) -> str | None:
    """The text of the first cell right of the cell labelled ``label`` (merges skipped)."""
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row):
            if _norm(cell.text) != label or not table.is_anchor(r, c):
                continue
            for other in row[c + 1 :]:
                if other.origin != cell.origin:
                    return other.text
            return None
    return None


def _under(table: Table, texts: list[list[str]], label: str) -> str | None:
    """The text in the row under the cell labelled ``label``, same column."""
    r = _row_with(texts, label)
    if r is None or r + 1 >= len(table.rows):
        return None
    return table.rows[r + 1][texts[r].index(label)].text or None


def _funds(table: Table, texts: list[list[str]], stop: int) -> tuple[FundLine, ...]:
    """The fund rows above the grid header, read under the fund block's column labels."""
    header = next((r for r in range(stop) if {"全年预算数", "全年执行数"} <= set(texts[r])), None)
    if header is None:
        return ()
    columns = {
        key: texts[header].index(label)
        for key, label in FUND_HEADERS.items()
        if label in texts[header]
    }
    lines = []
    for r in range(header + 1, stop):
        label = next((table.rows[r][c].text for c, t in enumerate(texts[r]) if _fund_name(t)), None)
        if label is None:
            continue

        def value(key: str, r: int = r) -> Decimal | None:
            return _number(table.rows[r][columns[key]].text) if key in columns else None

        lines.append(FundLine(label, *(value(key) for key in FUND_HEADERS)))
    return tuple(lines)


def _fund_name(text: str) -> bool:
    return _SUBTOTAL.sub("", text) in FUND_NAMES
