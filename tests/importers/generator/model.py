"""A generated document: its drawing (paragraphs and tables of spanned cells) and its truth."""

from __future__ import annotations

from dataclasses import dataclass, field

from jixiao.core.document import TargetDocument


@dataclass
class Put:
    """One cell of a drawn table: its anchor, spans, text, and for Excel a value and format."""

    row: int
    col: int
    text: str
    rows: int = 1
    cols: int = 1
    value: object = None
    fmt: str | None = None


@dataclass
class Canvas:
    """A table drawn as anchored cells with spans; every renderer draws from it."""

    width: int
    puts: list[Put] = field(default_factory=list)
    height: int = 0
    # Rows of the indicator grid's header (repeated on each printed page when asked).
    header_rows: list[int] = field(default_factory=list)
    # Rows before which a copied printout has the grid's header again (text formats only).
    page_rows: list[int] = field(default_factory=list)

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

    def line(self, row: int, cells: list[tuple[str, int]]) -> None:
        """Put a row left to right from (text, cols) pairs; the spans must fill the width."""
        col = 0
        for text, cols in cells:
            self.put(row, col, text, cols=cols)
            col += cols
        assert col == self.width, (row, col, self.width, cells)

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


@dataclass
class Para:
    """A paragraph outside tables (title, unit line, note)."""

    text: str
    page_break: bool = False  # a new page starts before it


@dataclass
class Grid:
    """A table; ``sheet`` names the Excel sheet it goes to (same name: stacked on one sheet)."""

    canvas: Canvas
    sheet: str
    page_break: bool = False


Block = Para | Grid


@dataclass
class Generated:
    """One generated document: how it looks, what it is, and what the importer should give."""

    ident: str
    family: str
    traits: dict[str, str]  # the layout choices, for the report (money unit place, merges …)
    blocks: list[Block]
    truth: TargetDocument
    landscape: bool = False
    # Excel: print options (gridlines printed, cell borders drawn).
    excel_gridlines: bool = False
    excel_borders: bool = True
    text_style: str = "tab"  # tab | pipe | lines (the flattened text layout)
