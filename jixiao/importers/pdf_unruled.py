"""Tables printed without rulings (Excel without gridlines): columns from text alignment.

Without rulings a table is still visible in the text: cells are runs of text separated by
wide gaps, and every column leaves a vertical gutter no text crosses. The grid's header row
(the line whose pieces name columns: 一级指标, 指标值 …) tells which lines are the grid; the
gutters under it place the columns, so a cell spanning columns in the header block above
(unit, project, budget) stays one merged cell. Lines are rows, except that a line whose every
shared column continues a wrapped cell of the line above is that row's next printed line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from jixiao.importers import vocab

if TYPE_CHECKING:
    from jixiao.importers.pdf import Box, Char, Line, Ruled

# Room between two cells' texts, in font sizes: wider than any gap inside a cell.
_CELL_GAP = 1.0
# Lines further apart than this (in line heights) are not one table.
_TABLE_GAP = 2.0


@dataclass
class _Piece:
    """A run of text inside one cell of one printed line."""

    line: Line
    row: int  # index of the printed line in the region


def tables(chars: list[Char], page: int) -> tuple[list[Ruled], list[Char]]:
    """Unruled tables among the characters, and the characters left for paragraphs."""
    from jixiao.importers.pdf import _lines, _split_line

    lines = _lines(chars)
    pieces = [_split_line(line, _CELL_GAP) for line in lines]
    found: list[Ruled] = []
    used: set[int] = set()
    for start, end in _regions(lines, pieces):
        table = _table(lines[start:end], pieces[start:end], page)
        if table is not None:
            found.append(table)
            used.update(range(start, end))
    rest = [c for i, line in enumerate(lines) if i not in used for c in line.chars]
    return found, rest


def _regions(lines: list[Line], pieces: list[list[Line]]) -> list[tuple[int, int]]:
    """Runs of close lines, at least two of which hold two or more pieces."""
    regions: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(lines) + 1):
        if i < len(lines) and lines[i].top - lines[i - 1].bottom < _TABLE_GAP * lines[i].size:
            continue
        multi = [j for j in range(start, i) if len(pieces[j]) >= 2]
        if len(multi) >= 2:
            # Prose before the first or after the last multi-piece line is not the table.
            regions.append((multi[0], multi[-1] + 1))
        start = i
    return regions


def _table(lines: list[Line], pieces: list[list[Line]], page: int) -> Ruled | None:
    from jixiao.importers.pdf import Box, Ruled

    header = next(
        (
            i
            for i, row in enumerate(pieces)
            if sum(1 for p in row if vocab.column_role(p.text)) >= 3
        ),
        None,
    )
    grid_lines = range(header or 0, len(lines))
    # Column edges: the gaps no grid piece crosses.
    spans = sorted((p.x0, p.x1) for i in grid_lines for p in pieces[i])
    edges: list[float] = []
    reach = spans[0][1]
    for x0, x1 in spans[1:]:
        if x0 > reach + 0.5:
            edges.append((reach + x0) / 2)
        reach = max(reach, x1)
    left = min(p.x0 for row in pieces for p in row) - 1
    right = max(p.x1 for row in pieces for p in row) + 1
    xs = [left, *edges, right]
    if len(xs) < 3:
        return None
    # Rows: a line continues the row above when each shared column wraps into it.
    rows: list[list[tuple[int, int, Line]]] = []  # (first col, last col, piece)
    previous: dict[int, tuple[int, Line]] = {}
    for row_pieces in pieces:
        placed = [(_col(xs, p.x0), _col(xs, p.x1 - 0.01), p) for p in row_pieces]
        shared = [(previous[c0], p) for c0, _, p in placed if c0 in previous]
        joins = bool(shared) and all(
            _wraps_into(above, xs[c + 1], p.text) for (c, above), p in shared
        )
        if rows and joins:
            rows[-1].extend(placed)
        else:
            rows.append(placed)
        previous = {c0: (c1, p) for c0, c1, p in placed}
    boxes: list[Box] = []
    top = lines[0].top
    heights = [top]
    for row in rows:
        bottom = max(p.bottom for _, _, p in row)
        heights.append(bottom)
    for r, row in enumerate(rows):
        by_cell: dict[tuple[int, int], list[Line]] = {}
        for c0, c1, p in row:
            by_cell.setdefault((c0, c1), []).append(p)
        for (c0, c1), cell_lines in by_cell.items():
            from jixiao.importers.pdf import _box_text

            text = _box_text(sorted(cell_lines, key=lambda ln: ln.top), xs[c1 + 1] - 1)
            boxes.append(Box(xs[c0], heights[r], xs[c1 + 1], heights[r + 1], text))
        covered = {c for c0, c1 in by_cell for c in range(c0, c1 + 1)}
        for c in range(len(xs) - 1):
            if c not in covered:
                boxes.append(Box(xs[c], heights[r], xs[c + 1], heights[r + 1], ""))
    table = Ruled(page, boxes, heights[0], heights[-1], xs[0], xs[-1])
    table.parts.append((heights[0], heights[-1]))
    table.last_page = page
    table.end = heights[-1]
    return table


def _col(xs: list[float], x: float) -> int:
    """The column holding x."""
    for i in range(len(xs) - 1):
        if x < xs[i + 1]:
            return i
    return len(xs) - 2


def _wraps_into(above: Line, edge: float, following: str) -> bool:
    from jixiao.importers.pdf import _wraps

    return _wraps(above, edge - 2, following)
