"""A generated document: its drawing (paragraphs and tables of spanned cells) and its truth."""

from __future__ import annotations

from dataclasses import dataclass, field

from canvas import Canvas as BaseCanvas
from canvas import Put

from jixiao.core.document import TargetDocument

__all__ = ["Canvas", "Put"]


@dataclass
class Canvas(BaseCanvas):
    """The layouts' canvas with what the generator's renderers need besides."""

    # Rows of the indicator grid's header (repeated on each printed page when asked).
    header_rows: list[int] = field(default_factory=list)
    # Rows before which a copied printout has the grid's header again (text formats only).
    page_rows: list[int] = field(default_factory=list)

    def fill(self, row: int, cells: list[tuple[str, int]]) -> None:
        """Put a row left to right from (text, cols) pairs; the spans must fill the width."""
        col = 0
        for text, cols in cells:
            self.put(row, col, text, cols=cols)
            col += cols
        assert col == self.width, (row, col, self.width, cells)


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
