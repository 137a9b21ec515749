"""A layout (the exporters' format-free document) as plain rows for an HTML template.

The public page shows the very layout the PDF draws, so the two cannot differ: paragraphs,
and tables with their merged cells. Charts are left to the PDF (drawing them on every visit
would let anyone make the server draw pictures).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jixiao.exporters.targets_layout import Image, Layout, Paragraph, Table


@dataclass
class HtmlCell:
    """One anchored cell: its text, spans and the classes for its look."""

    text: str
    rowspan: int
    colspan: int
    classes: str
    # A marked cell's background (six hex digits), e.g. a changed row of a draft table.
    fill: str | None = None


@dataclass
class HtmlBlock:
    """A paragraph (``kind`` "p"), a table ("table") or a chart left to the PDF ("image")."""

    kind: str
    text: str = ""
    classes: str = ""
    rows: list[list[HtmlCell]] = field(default_factory=list)


def html_blocks(layout: Layout) -> list[HtmlBlock]:
    """The layout's blocks in order, page breaks dropped."""
    blocks: list[HtmlBlock] = []
    for block in layout.blocks:
        if isinstance(block, Paragraph):
            classes = " ".join(c for c in (block.style, block.align) if c and c != "left")
            blocks.append(HtmlBlock("p", text=block.text, classes=classes))
        elif isinstance(block, Table):
            rows = []
            for row in block.rows:
                cells = []
                for cell in row:
                    classes = " ".join(
                        name
                        for name, on in (
                            ("bold", cell.bold),
                            ("center", cell.align == "center"),
                            ("right", cell.align == "right"),
                            ("label", cell.side or cell.vertical),
                        )
                        if on
                    )
                    cells.append(
                        HtmlCell(cell.text, cell.row_span, cell.col_span, classes, cell.fill)
                    )
                rows.append(cells)
            blocks.append(HtmlBlock("table", rows=rows))
        elif isinstance(block, Image):
            blocks.append(HtmlBlock("image", text=block.alt))
    return blocks
