"""Small hand-made Word and Excel files for the interpreter tests (test_interp_*.py).

A table is given as rows of cells; a cell is a text, a number (a number cell in Excel), or
``(text, rows, cols)`` for a merged region, and ``None`` for a position a merge covers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import docx
import openpyxl
from layouts import Canvas, to_docx_table, to_sheet

Cell = str | int | float | tuple[str, int, int] | None
GRID = ["一级指标", "二级指标", "三级指标", "指标值"]
GRID_ROWS = [
    ["产出指标", "数量指标", "培训人次", "≥300人次"],
    ["效益指标", "社会效益指标", "培训合格率", "≥95%"],
]


def canvas(rows: list[list[Cell]]) -> Canvas:
    """The rows as a canvas with their merges."""
    width = max(len(r) for r in rows)
    out = Canvas(width)
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if cell is None:
                continue
            if isinstance(cell, int | float):
                out.put(r, c, str(cell), value=cell)  # a number cell in Excel
                continue
            text, n_rows, n_cols = cell if isinstance(cell, tuple) else (cell, 1, 1)
            out.put(r, c, text, rows=n_rows, cols=n_cols)
    out.height = len(rows)
    return out


def word(path: Path, *blocks: str | list[list[Cell]]) -> Path:
    """A .docx of paragraphs (str) and tables (rows), in order."""
    document: Any = docx.Document()
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
        else:
            to_docx_table(document, canvas(block))
    document.save(str(path))
    return path


def excel(path: Path, sheets: dict[str, list[list[Cell]]]) -> Path:
    """An .xlsx with one sheet per entry, each holding its rows from A1."""
    book = openpyxl.Workbook()
    first = True
    for title, rows in sheets.items():
        sheet: Any = book.active if first else book.create_sheet()
        sheet.title = title
        to_sheet(sheet, canvas(rows))
        first = False
    book.save(path)
    return path
