"""The format-free intermediate every reader produces: paragraphs and tables of cells.

Readers (docx, xlsx, pdf, text) only say how cells are stored; they never guess meaning.
The interpreter turns a :class:`Source` into a target document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jixiao.core.document import Confirmation


class ImportFailure(Exception):
    """A file that cannot be imported at all; the message is Chinese and shown to the user."""


@dataclass(frozen=True)
class Cell:
    """One grid position of a table.

    ``origin`` is the (row, col) of the top-left position of the merged region this position
    belongs to; for an unmerged cell it is the cell's own position. Positions covered by a merge
    repeat the anchor's text, so a reader that knows merges states them and the interpreter
    can tell a merged copy (same origin) from a blank cell.
    """

    text: str
    origin: tuple[int, int]
    # Set by the OCR reader only: how sure the engine is of ``text`` (0..1). Every value read
    # from such a cell is listed in the document's ``to_confirm`` for a person to check.
    confidence: float | None = None


@dataclass
class Table:
    """A rectangular table; ``place`` names it for warnings (``第 2 个表格``, ``工作表“表”``)."""

    place: str
    rows: list[list[Cell]] = field(default_factory=list)

    @classmethod
    def from_texts(cls, place: str, rows: list[list[str]]) -> Table:
        """Build an unmerged table from rows of texts, padding short rows with blanks."""
        width = max((len(r) for r in rows), default=0)
        return cls(
            place,
            [
                [Cell(r[c] if c < len(r) else "", (i, c)) for c in range(width)]
                for i, r in enumerate(rows)
            ],
        )

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def texts(self) -> list[list[str]]:
        """The table as rows of texts (merged copies included)."""
        return [[c.text for c in row] for row in self.rows]

    def is_anchor(self, row: int, col: int) -> bool:
        """True where the position is its merged region's top-left (or not merged)."""
        return self.rows[row][col].origin == (row, col)


@dataclass(frozen=True)
class Paragraph:
    """A run of text outside tables (a title, a heading, a goal text)."""

    text: str


Block = Paragraph | Table


@dataclass
class Source:
    """A file read into ordered blocks, with the name it is reported under."""

    name: str
    blocks: list[Block] = field(default_factory=list)
    # (where, message) notes a reader has about the file itself, e.g. text that ends mid-row.
    notes: list[tuple[str, str]] = field(default_factory=list)
    # Values an OCR reader read, each to be confirmed by a person (least confident first);
    # ``load_document`` hands them to the document's ``to_confirm``.
    confirmations: list[Confirmation] = field(default_factory=list)

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]
