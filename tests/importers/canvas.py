"""Tables drawn as anchored cells with spans: what the layout builders and the generator draw
and every renderer (Word, Excel, HTML, text) reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# --- the canvas ---------------------------------------------------------------------------------


@dataclass
class Put:
    """One cell of a drawing: its anchor, spans, text, and (for Excel) a value and format."""

    row: int
    col: int
    text: str
    rows: int = 1
    cols: int = 1
    value: object = None
    fmt: str | None = None


@dataclass
class Canvas:
    """A table drawn as anchored cells with spans; rendered as Word, Excel or HTML."""

    width: int
    puts: list[Put] = field(default_factory=list)
    height: int = 0
    row_styles: dict[int, str] = field(default_factory=dict)

    def put(
        self,
        row: int,
        col: int,
        text: str,
        rows: int = 1,
        cols: int = 1,
        value: object = None,
        fmt: str | None = None,
    ) -> None:
        assert col >= 0 and col + cols <= self.width, (row, col, cols, self.width, text)
        assert rows >= 1 and cols >= 1
        self.puts.append(Put(row, col, text, rows, cols, value, fmt))
        self.height = max(self.height, row + rows)

    def line(self, row: int, *cells: str | tuple[str, int]) -> None:
        """Put a row left to right; a (text, cols) pair spans columns."""
        col = 0
        for cell in cells:
            text, cols = cell if isinstance(cell, tuple) else (cell, 1)
            if text:
                self.put(row, col, text, cols=cols)
            col += cols

    def anchors(self) -> dict[tuple[int, int], Put]:
        return {(p.row, p.col): p for p in self.puts}

    def covered(self) -> dict[tuple[int, int], Put]:
        """Every position a merged cell covers, anchor included."""
        out: dict[tuple[int, int], Put] = {}
        for p in self.puts:
            for r in range(p.row, p.row + p.rows):
                for c in range(p.col, p.col + p.cols):
                    assert (r, c) not in out, f"overlapping cells at {(r, c)}: {p.text!r}"
                    out[(r, c)] = p
        return out


def merge_spans(sheet: Any, canvas: Canvas, top: int) -> None:
    """Merge the sheet's cells under every spanning cell of the canvas drawn from row ``top``."""
    for p in canvas.puts:
        if p.rows > 1 or p.cols > 1:
            sheet.merge_cells(
                start_row=top + p.row,
                start_column=1 + p.col,
                end_row=top + p.row + p.rows - 1,
                end_column=p.col + p.cols,
            )
