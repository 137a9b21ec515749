"""Where a warning points, in the Chinese a person reads: 第 1 个表格第 14 行“二级指标”列.

Readers name their tables (``Table.place``) and the interpreter adds the row and the column,
so every format gives its places the same way: a Word or text table is ``第 1 个表格``, an Excel
sheet ``工作表“目标表”``, a PDF table ``第 3 页第 1 个表格`` (the page where it starts), a
paragraph ``第 5 段``, a PDF page ``第 3 页``.
"""

from __future__ import annotations

import re

_SHEET = re.compile(r"^工作表“(.*)”$")


def table(number: int) -> str:
    """The n-th table of a Word document or a text (1-based)."""
    return f"第 {number} 个表格"


def sheet(title: str) -> str:
    """A worksheet of a workbook, by its title."""
    return f"工作表“{title}”"


def page(number: int) -> str:
    """A page of a PDF (1-based)."""
    return f"第 {number} 页"


def page_table(page_number: int, number: int) -> str:
    """The n-th table starting on a PDF page."""
    return f"{page(page_number)}第 {number} 个表格"


def paragraph(number: int) -> str:
    """The n-th paragraph outside tables (1-based)."""
    return f"第 {number} 段"


def row(table_place: str, number: int) -> str:
    """A row of a table (1-based): ``第 1 个表格第 14 行``."""
    return f"{table_place}第 {number} 行"


def column(row_place: str, name: str) -> str:
    """A cell by its row and its column's header: ``第 1 个表格第 14 行“二级指标”列``."""
    return f"{row_place}“{name}”列"


def sheet_title(place: str) -> str | None:
    """The worksheet title of a sheet's place, None for any other place."""
    m = _SHEET.match(place)
    return m.group(1) if m else None


def is_sheet(place: str) -> bool:
    """True for a worksheet's place (a new sheet never continues the grid of the one before)."""
    return sheet_title(place) is not None
