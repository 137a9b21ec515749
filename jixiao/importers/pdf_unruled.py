"""Tables printed without rulings (Excel without borders or gridlines): placed from the text.

Without rulings a table is still visible in the text, but an office leaves as little as a fifth
of the font size between two cells (a right-aligned number touches the next column's text), so
gaps alone do not place columns. The grid's header row does: the line whose words name at least
three columns (一级指标, 指标值 …) and the lines printed in the same header row (each header cell
is centred in its row, so a wrapped header cell or 指标值 over 符号 | 数值 | 单位 prints above and
below the one-line cells) give one column per header cell, in order (words over one another are
one cell; a line of 符号 / 数值 / 单位 words splits the title above them). Texts wholly left of
the first column's header are a heading merged down the grid's side (绩效指标), a column of
their own, kept under a repeated header on the next page. Between two header words the column
edge is the
gap no character of the grid crosses and that the texts align on: the right-aligned ends of one
column, the left-aligned starts of the next. Every character goes to the column holding its
centre.

Rows: each column's lines make cell blocks (a line joins the one above when that one filled
the column's width). The key column's blocks (三级指标) are the rows; every other block goes to
the row it aligns with: the cells of a row share their top, middle or bottom, whichever the
wrapped cells show. A cell merged down several rows is printed once (at the top, in the middle
or at the bottom of its rows): it goes to the first of its rows and the others stay blank (the
interpreter fills level cells down). Centred cells interleave their lines with the row's other
cells: a cell's next line may follow another column's line, a name broken over two lines (经济效益
/ 指标) is one cell, and tight rows' cells that run together are cut where each part is centred
on its row. A merged cell a page break cut is drawn at the whole cell's middle: centred over no
rows of its page, it names the unclaimed rows around it.

The header block above the grid (unit, project, budget, spending plan, goal) is its own table:
label and value pieces placed by x, a number ending a piece at any gap; the unit's line just
above it (its code and name, 预算单位：…) is its first row. A line starting another
project's header block ends the grid above it; a page whose first lines fit the columns of the
grid the page before ended with goes on with that grid. A table with no header row is placed
from its gutters alone.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from jixiao.importers import vocab

if TYPE_CHECKING:
    from jixiao.importers.pdf import Box, Char, Line, Ruled

# Room between two cells' texts, in font sizes: wider than any gap inside a cell.
_CELL_GAP = 1.0
# Header words of adjacent columns are further apart than this (in font sizes).
_WORD_GAP = 0.6
# The least room an office leaves between two cells' texts (in font sizes).
_MIN_GAP = 0.12
# Lines further apart than this (in line heights) are not one table.
_TABLE_GAP = 2.0
# Texts ending or starting within this (points) of a column edge are aligned on it.
_ALIGNED = 0.6


@dataclass
class _Row:
    """One table row: per column, the printed lines of its cell."""

    cells: dict[int, list[Line]] = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)
    # The parts printed on a line of their own (no other column's text beside them).
    lone: set[int] = field(default_factory=set)

    @property
    def top(self) -> float:
        return min(ln.top for ln in self.lines)

    @property
    def bottom(self) -> float:
        return max(ln.bottom for ln in self.lines)


@dataclass
class Columns:
    """A grid's columns, carried to the next page: a grid printed over pages repeats no header
    unless the sheet asks for it."""

    xs: list[float]
    roles: list[str | None]
    key: int | None
    mode: str | None


def tables(
    chars: list[Char], page: int, previous: Columns | None = None
) -> tuple[list[Ruled], list[Char], Columns | None]:
    """Unruled tables among the characters, and the characters left for paragraphs.

    ``previous`` is the last grid of the page before; a page whose first table has no header
    row but fits those columns goes on with it. Returns the columns of this page's last grid.
    """
    from jixiao.importers.pdf import _lines, _split_line

    lines = _lines(chars)
    pieces = [_split_line(line, _CELL_GAP) for line in lines]
    found: list[Ruled] = []
    used: set[int] = set()
    carry: Columns | None = None
    for n, (start, last, end) in enumerate(_regions(lines, pieces)):
        header = _header_line(lines[start:end])
        if n == 0 and previous is not None:
            # The page goes on with the grid the page before ended with, up to another
            # project's header block or grid header; from its first line (a wrapped cell's
            # first line may be alone on it).
            stop = end if header is None else start + _band(lines[start:end], header)[0]
            stop = next((i for i in range(start, stop) if _starts_block(pieces[i])), stop)
            first = start
            while (
                start < stop
                and first > 0
                and lines[first].top - lines[first - 1].bottom < _TABLE_GAP * lines[first].size
                and _fits(lines[first - 1], previous.xs)
            ):
                first -= 1
            region = lines[first:stop]
            if start < stop and all(_fits(ln, previous.xs) for ln in region):
                table, taken = _continued(region, previous, page)
                found.append(table)
                used.update(first + i for i in taken)
                carry = previous
                if header is None:
                    continue
                start = stop
                header = _header_line(lines[start:end])
        if header is None:
            plain = _table_by_gutters(lines[start:last], pieces[start:last], page)
            if plain is not None:
                found.append(plain)
                used.update(range(start, last))
            continue
        while header is not None:
            # Another project's header block under the grid ends it (no gap between them).
            stop = next(
                (i for i in range(start + header + 2, end) if _starts_block(pieces[i])), end
            )
            made, taken, carry = _table_by_header(lines[start:stop], header, page, previous)
            found.extend(made)
            used.update(start + i for i in taken)
            start = stop
            header = _header_line(lines[start:end]) if start < end else None
    rest = [c for i, line in enumerate(lines) if i not in used for c in line.chars]
    return found, rest, carry


def _fits(line: Line, xs: list[float]) -> bool:
    """True if a line lies within a grid's columns; the last column's text may run further
    (nothing to its right says where the column ends)."""
    if line.x0 < xs[0] - 2:
        return False
    return line.x1 <= xs[-1] + 2 or _words(line)[-1].x0 >= xs[-2] - 2


_BLOCK_STARTS = {vocab.LABEL_CODE, vocab.LABEL_NAME, vocab.LABEL_UNIT, vocab.LABEL_TOTAL}


def _starts_block(pieces: list[Line]) -> bool:
    """True for a line starting a header block: 预算单位, 项目名称 … or a unit's code and name
    as its first cell."""
    if len(pieces) < 2:
        return False
    first = pieces[0].text.strip()
    return vocab.label_kind(first) in _BLOCK_STARTS or bool(vocab.UNIT_CODE_NAME.match(first))


def _continued(lines: list[Line], columns: Columns, page: int) -> tuple[Ruled, list[int]]:
    """A grid's part on a later page, placed in the columns of its first part."""
    rows, rest, mode = _rows(lines, columns.xs, columns.key)
    left = {id(ln) for ln in rest}
    taken = [i for i, ln in enumerate(lines) if id(ln) not in left]
    _merged_down(rows, columns.roles, mode or columns.mode)
    return _ruled(rows, columns.xs, page), taken


def _regions(lines: list[Line], pieces: list[list[Line]]) -> list[tuple[int, int, int]]:
    """Runs of close lines, at least two of which hold two or more pieces.

    Each is (first multi-piece line, one past the last multi-piece line, end of the run): the
    lines after the last multi-piece one may still be a wrapped cell's rest.
    """
    regions: list[tuple[int, int, int]] = []
    start = 0
    for i in range(1, len(lines) + 1):
        if i < len(lines) and lines[i].top - lines[i - 1].bottom < _TABLE_GAP * lines[i].size:
            continue
        multi = [j for j in range(start, i) if len(pieces[j]) >= 2]
        if len(multi) >= 2:
            # Prose before the first multi-piece line is not the table; a line overlapping
            # it in height is (a header cell printed higher than the others), and so is the
            # unit's line above it (the header block's first row).
            first = multi[0]
            while first > start and (
                lines[first - 1].bottom > lines[first].top or _unit_line(lines[first - 1].text)
            ):
                first -= 1
            regions.append((first, multi[-1] + 1, i))
        start = i
    return regions


def _unit_line(text: str) -> bool:
    """True for a line naming the budget unit: its code and name, or 预算单位：… / 填报单位：…"""
    text = text.strip()
    if vocab.UNIT_CODE_NAME.match(text):
        return True
    label, colon, value = text.partition("：") if "：" in text else text.partition(":")
    return bool(
        colon
        and value.strip()
        and len(label) <= 10
        and vocab.label_kind(label.strip()) == vocab.LABEL_UNIT
        and not vocab.MONEY_UNIT.match(value.strip())
    )


def _words(line: Line) -> list[Line]:
    """A line's words: pieces apart by more than a header's gap between columns."""
    from jixiao.importers.pdf import _split_line

    return _split_line(line, _WORD_GAP)


def _header_line(lines: list[Line]) -> int | None:
    """The first line naming at least three columns of an indicator grid."""
    for i, line in enumerate(lines):
        roles = [vocab.column_role(w.text) for w in _words(line)]
        named = {r for r in roles if r}
        if len(named) >= 3 and named & {vocab.LEVEL1, vocab.LEVEL2, vocab.LEVEL3}:
            return i
    return None


# --- the grid, placed from its header ---------------------------------------------------------


def _table_by_header(
    lines: list[Line], header: int, page: int, previous: Columns | None = None
) -> tuple[list[Ruled], list[int], Columns]:
    """The header block (if any) and the grid of a region; the lines they use; the columns.

    ``previous`` are the columns of the grid the page before ended with: a side heading of
    that grid printed on its page only (an office draws a cut merged cell's text once) still
    has its column on this one when the header repeats the others."""
    first, last = _band(lines, header)
    heads, header_rows = _heads(lines[first:last], header - first)
    grid_lines = lines[last:]
    side = _side(heads, grid_lines)
    if side is not None:
        heads.insert(0, side)
        header_rows = [[[], *row] for row in header_rows]
    chars = [c for h in heads for ln in h.lines for c in ln.chars]
    xs = _edges(heads, chars + [c for ln in grid_lines for c in ln.chars])
    key = _key_column(heads)
    roles = [vocab.column_role(h.text) for h in heads]
    if (
        side is None
        and previous is not None
        and previous.roles[:1] == [None]
        and previous.roles[1:] == roles
        and previous.xs[1] <= xs[0] + 2
    ):
        xs = [previous.xs[0], min(previous.xs[1], xs[0]), *xs[1:]]
        roles = [None, *roles]
        key = None if key is None else key + 1
        header_rows = [[[], *row] for row in header_rows]
    rows, rest, mode = _rows(grid_lines, xs, key)
    head = len(header_rows)
    if side is not None:  # the side heading is the header row's (as merged from there)
        for row in rows:
            header_rows[0][0].extend(row.cells.pop(0, []))
        rows = [row for row in rows if row.cells]
    rows[0:0] = [
        _Row({c: cell for c, cell in enumerate(row) if cell}, [ln for cell in row for ln in cell])
        for row in header_rows
    ]
    # A header cell's lines sit beside the other cells' (at different heights): no merges.
    for row in rows[:head]:
        for cell in row.cells.values():
            cell.sort(key=lambda ln: ln.top)
        if not row.lines:
            row.lines = list(lines[first:last])
    left = {id(ln) for ln in rest}
    taken = [
        *range(first, last),
        *(last + i for i, ln in enumerate(grid_lines) if id(ln) not in left),
    ]
    _merged_down(rows[head:], roles, mode)
    made: list[Ruled] = []
    if first > 0:
        block = _header_block(lines[:first], xs, page, mode)
        if block is not None:
            made.append(block)
            taken.extend(range(first))
    made.append(_ruled(rows, xs, page))
    return made, taken, Columns(xs, roles, key, mode)


@dataclass
class _Head:
    """One column's header: its words, top to bottom (a wrapped header cell has several)."""

    lines: list[Line]

    @property
    def x0(self) -> float:
        return min(ln.x0 for ln in self.lines)

    @property
    def x1(self) -> float:
        return max(ln.x1 for ln in self.lines)

    @property
    def text(self) -> str:
        return "".join(ln.text.strip() for ln in sorted(self.lines, key=lambda ln: ln.top))


def _side(heads: list[_Head], lines: list[Line]) -> _Head | None:
    """A heading merged down the grid's side (绩效指标 left of 一级指标): texts printed wholly left
    of the first column's header, apart from every text reaching it, and no level names."""
    from jixiao.importers.pdf import Line as LineType

    edge = heads[0].x0
    chars = [c for ln in lines for c in ln.chars]
    left = [c for c in chars if c.x1 < edge]
    if not left:
        return None
    reach = max(c.x1 for c in left)
    if any(c.x0 < reach + 0.5 * c.size for c in chars if c.x1 >= edge):
        return None
    parts = [LineType(p) for ln in lines if (p := [c for c in ln.chars if c.x1 < edge])]
    if any(_families(p.text) for p in parts):
        return None
    return _Head(parts)


def _band(lines: list[Line], header: int) -> tuple[int, int]:
    """The header's printed lines: the header line and the lines of the same header row.

    An office centres each header cell in its row: a cell of two lines (a wrapped word, 指标值
    over 符号 | 数值 | 单位) prints its lines above and below the one-line cells' line, so the
    lines overlap in height. A line touching the band that only names columns is a header
    line too (a second header row printed apart).
    """

    def joins(above: Line, below: Line, named: Line) -> bool:
        words = _words(named)
        if any(_families(w.text) for w in words):  # a level name: a cell, not a header
            return False
        if below.top < above.bottom:  # overlapping: printed in the same row
            return True
        if below.top - above.bottom > 0.6 * min(above.size, below.size):
            return False
        return all(vocab.column_role(w.text) or vocab.subheader_role(w.text) for w in words)

    first, last = header, header + 1
    while first > 0 and joins(lines[first - 1], lines[first], lines[first - 1]):
        first -= 1
    while last < len(lines) and joins(lines[last - 1], lines[last], lines[last]):
        last += 1
    return first, last


def _heads(band: list[Line], header: int) -> tuple[list[_Head], list[list[list[Line]]]]:
    """A header band's columns, left to right, and the header rows as the interpreter reads
    them (per row, per column, the words printed there).

    A band line below the header line with two or more words naming parts of a target (符号 |
    数值 | 单位) splits the header: each of its words is a column, and the words above them (指标值,
    指标值及单位) are the spanning title, given as a first header row over the split columns.
    The other words go into columns by their overlap in x: words over one another are one
    header cell's wrapped lines.
    """
    lines_words = [_words(ln) for ln in band]
    sub = next(
        (
            j
            for j in range(header + 1, len(band))
            if len(lines_words[j]) >= 2
            and sum(1 for w in lines_words[j] if vocab.subheader_role(w.text)) >= 2
        ),
        None,
    )
    subs = lines_words[sub] if sub is not None else []
    others = [w for j, ws in enumerate(lines_words) if j != sub for w in ws]
    spanning: list[Line] = []
    if subs:
        lo, hi = subs[0].x0, subs[-1].x1
        spanning = [w for w in others if w.x0 < hi and lo < w.x1]
        others = [w for w in others if not (w.x0 < hi and lo < w.x1)]
    clusters: list[_Head] = []
    for word in sorted(others, key=lambda w: w.x0):
        if clusters and word.x0 < clusters[-1].x1:
            clusters[-1].lines.append(word)
        else:
            clusters.append(_Head([word]))
    heads = sorted([*clusters, *(_Head([w]) for w in subs)], key=lambda h: h.x0)
    mine = {id(h) for h in clusters}
    top: list[list[Line]] = [list(h.lines) if id(h) in mine else [] for h in heads]
    if not subs:
        return heads, [top]
    split = [i for i, h in enumerate(heads) if id(h) not in mine]
    for word in spanning:
        # The spanning title goes to the split column under its middle.
        c = min(split, key=lambda i: abs((heads[i].x0 + heads[i].x1) / 2 - (word.x0 + word.x1) / 2))
        top[c].append(word)
    below: list[list[Line]] = [list(h.lines) if i in split else [] for i, h in enumerate(heads)]
    return heads, [top, below]


def _edges(words: list[_Head], chars: list[Char]) -> list[float]:
    """Column edges: one column per header word, edges where the grid's texts align."""
    left = min(c.x0 for c in chars) - 1
    right = max(c.x1 for c in chars) + 1
    xs = [min(left, words[0].x0 - 1)]
    for before, after in itertools.pairwise(words):
        lo, hi = before.x1, after.x0
        # Gaps no character crosses between the two header words.
        spans = sorted((max(c.x0, lo), min(c.x1, hi)) for c in chars if c.x1 > lo and c.x0 < hi)
        free: list[tuple[float, float]] = []
        reach = lo
        # Characters of a word touch (or nearly): a gap is room an office left between cells.
        least = max(0.5, _MIN_GAP * min(c.size for c in chars) * 0.8)
        for x0, x1 in spans:
            if x0 > reach + least:
                free.append((reach, x0))
            reach = max(reach, x1)
        if hi > reach + least or not free:
            free.append((reach, max(hi, reach)))
        if not free:  # a text crosses (should not happen): the middle
            xs.append((lo + hi) / 2)
            continue

        def aligned(gap: tuple[float, float]) -> tuple[int, float]:
            ends = sum(1 for c in chars if abs(c.x1 - gap[0]) <= _ALIGNED)
            starts = sum(1 for c in chars if abs(c.x0 - gap[1]) <= _ALIGNED)
            return ends + starts, gap[1]

        a, b = max(free, key=aligned)
        # The edge goes next to the side the texts align on: a later page's longer text on
        # the other side still falls in its own column.
        ends = sum(1 for c in chars if abs(c.x1 - a) <= _ALIGNED)
        starts = sum(1 for c in chars if abs(c.x0 - b) <= _ALIGNED)
        pad = min(1.0, (b - a) / 2)
        xs.append(b - pad if starts >= ends else a + pad)
    xs.append(max(right, words[-1].x1 + 1))
    return xs


def _key_column(words: list[_Head]) -> int | None:
    """The column every indicator row fills (三级指标, else the target)."""
    roles = [vocab.column_role(w.text) for w in words]
    for role in (vocab.LEVEL3, vocab.TARGET):
        if role in roles:
            return roles.index(role)
    return None


def _col(xs: list[float], x: float) -> int:
    """The column holding x."""
    for i in range(1, len(xs) - 1):
        if x < xs[i]:
            return i - 1
    return len(xs) - 2


def _cut(line: Line, xs: list[float]) -> dict[int, Line]:
    """A printed line cut at the column edges: its text in each column."""
    from jixiao.importers.pdf import Line as LineType

    parts: dict[int, list[Char]] = {}
    for char in line.chars:
        parts.setdefault(_col(xs, char.cx), []).append(char)
    return {c: LineType(chars) for c, chars in parts.items()}


@dataclass
class _Block:
    """One cell's text in a column: printed lines, the later ones wrapped from the first."""

    column: int
    lines: list[Line]

    @property
    def top(self) -> float:
        return self.lines[0].top

    @property
    def bottom(self) -> float:
        return self.lines[-1].bottom

    def anchor(self, mode: str) -> float:
        if mode == "top":
            return self.top
        if mode == "bottom":
            return self.bottom
        return (self.top + self.bottom) / 2


_MODES = ("top", "middle", "bottom")


def _rows(
    lines: list[Line], xs: list[float], key: int | None
) -> tuple[list[_Row], list[Line], str | None]:
    """Printed lines grouped into rows; also the lines under the grid and how cells align.

    Each column's lines make cell blocks (a line the width wrapped joins the one above). The
    key column's blocks are the rows. The other blocks go to the row they align with: cells
    of a row share their top, middle or bottom, whichever fits the page best (None when no
    cell wraps, so the three cannot be told apart). Blocks of one column that go to the same
    row are one cell with a line break.
    """

    blocks: list[_Block] = []
    open_blocks: dict[int, tuple[int, _Block]] = {}  # column -> (index of its last line, block)
    owner: dict[int, Line] = {}
    lone: set[int] = set()  # parts printed on a line of their own
    for n, line in enumerate(lines):
        cut = _cut(line, xs)
        # A part continues its column's cell when that cell's text ran to the column's edge
        # on the line just above. On a line with a key cell (a row may start there), one part
        # that does not (a new cell right under a cell) makes the whole line new cells. Cells
        # centred in their rows interleave their lines: a cell's next line may come after
        # another column's line, when close enough to be its next line.
        joins: dict[int, _Block] = {}
        for c, part in cut.items():
            last, block = open_blocks.get(c, (-1, None))
            if block is None or last < n - 2:
                continue
            tail = block.lines[-1]
            adjacent = part.top - tail.bottom < part.size
            if adjacent and _fills(tail, xs[c], xs[c + 1], part.text.strip()):
                joins[c] = block
                continue
            if (last == n - 1 or adjacent) and key in cut:
                joins = {}
                break
        for c, part in cut.items():
            owner[id(part)] = line
            if len(cut) == 1:
                lone.add(id(part))
            if c in joins:
                joins[c].lines.append(part)
                open_blocks[c] = (n, joins[c])
                continue
            block = _Block(c, [part])
            open_blocks[c] = (n, block)
            blocks.append(block)
    if key is None or not any(b.column == key for b in blocks):
        counts = {c: sum(1 for b in blocks if b.column == c) for c in range(len(xs) - 1)}
        key = max(counts, key=lambda c: counts[c])
    keys = [b for b in blocks if b.column == key]
    others = [b for b in blocks if b.column != key]
    end = keys[-1].bottom + 0.5 * keys[-1].lines[-1].size
    below = [b for b in others if b.top > end]
    others = _centred_cells([b for b in others if b.top <= end], keys, key)
    # Cells that may be merged over rows (before the key) tell nothing of the alignment.
    mode = _mode(keys, [b for b in others if b.column > key])
    if mode in ("top", "bottom"):
        others = [part for block in others for part in _split_at_rows(block, keys, mode)]
    elif mode == "middle":  # (the columns before the key may merge rows)
        others = [
            part
            for block in others
            for part in (_split_centred(block, keys) if block.column > key else [block])
        ]
    rows = [_Row({key: list(k.lines)}) for k in keys]
    for block in sorted(others, key=lambda b: b.top):
        rows[_row_of(block, keys, mode)].cells.setdefault(block.column, []).extend(block.lines)
    for row in rows:
        for cell_lines in row.cells.values():
            cell_lines.sort(key=lambda ln: ln.top)
            row.lines.extend(cell_lines)
            if all(id(ln) in lone for ln in cell_lines):
                row.lone.add(id(cell_lines[0]))
    rest = sorted(
        {id(owner[id(ln)]): owner[id(ln)] for b in below for ln in b.lines}.values(),
        key=lambda ln: ln.top,
    )
    return rows, rest, mode


def _centred_cells(blocks: list[_Block], keys: list[_Block], key: int) -> list[_Block]:
    """Blocks of a column joined where their lines are one cell centred in its rows.

    A cell broken over two lines (经济成本 / 指标) centred in its row prints its lines above
    and below the row's one-line cells: neither line lines up with a row, the two together
    are centred on one (or on the middle of the rows a merged cell spans). Lines that close
    (less than half a line apart) are one cell's lines. In the level columns (before the
    key), a line as close that names no kind of level (指标, 度指标) is the rest of the name
    above it even when each line lines up with a row (a name over two one-line rows)."""
    middles = [(k.top + k.bottom) / 2 for k in keys]
    spans = [
        (keys[i].top + keys[j].bottom) / 2
        for i in range(len(keys))
        for j in range(i, min(i + 30, len(keys)))
    ]

    def on(middle: float, targets: list[float], size: float) -> bool:
        return any(abs(middle - t) <= 0.25 * size for t in targets)

    out: list[_Block] = []
    last: dict[int, _Block] = {}
    for block in sorted(blocks, key=lambda b: b.top):
        above = last.get(block.column)
        if above is not None:
            size = block.lines[0].size
            joined = (above.top + block.bottom) / 2
            close = block.top - above.bottom < 0.6 * size
            rest = (
                block.column < key
                and len(block.lines) == 1
                and len(above.lines) == 1
                and len(_text(block.lines).strip()) <= 4
                and not _families(_text(block.lines))
                and bool(_families(_text(above.lines)))
            )
            if close and (
                rest
                or (
                    len(above.lines) == len(block.lines) == 1
                    and not on((above.top + above.bottom) / 2, middles, size)
                    and not on((block.top + block.bottom) / 2, middles, size)
                    and on(joined, spans, size)
                )
            ):
                above.lines.extend(block.lines)
                continue
        out.append(block)
        last[block.column] = block
    return out


def _row_of(block: _Block, keys: list[_Block], mode: str | None) -> int:
    """The row a cell's block belongs to: the last row begun above it (top-aligned), the first
    row ending below it (bottom-aligned), else the row whose middle is nearest."""
    size = block.lines[0].size
    if mode is None and len(block.lines) > 1:  # centred on a row (see _centred_cells)
        middle = block.anchor("middle")
        near = min(range(len(keys)), key=lambda i: abs(keys[i].anchor("middle") - middle))
        if abs(keys[near].anchor("middle") - middle) <= 0.25 * size:
            return near
    if mode in (None, "top"):
        above = [i for i, k in enumerate(keys) if k.top <= block.top + 0.5 * size]
        if above:
            return above[-1]
    if mode == "bottom":
        below = [i for i, k in enumerate(keys) if k.bottom >= block.bottom - 0.5 * size]
        if below:
            return below[0]
    anchor = mode or "top"
    return min(range(len(keys)), key=lambda i: abs(block.anchor(anchor) - keys[i].anchor(anchor)))


def _fills(line: Line, left: float, right: float, following: str) -> bool:
    """True if a line fills its column so that ``following`` had to go on the next line.

    The room left is counted on both sides: a centred cell's lines stop short of either edge.
    """
    from jixiao.importers.pdf import _wraps

    room = (right - left - 2) - (line.x1 - line.x0)
    return _wraps(line, line.x1 + room, following)


def _split_at_rows(block: _Block, keys: list[_Block], mode: str) -> list[_Block]:
    """A block cut where a row begins (top-aligned) or ends (bottom-aligned) inside it.

    A cell's last line that runs to the column's edge looks wrapped into the next cell below;
    the rows (the key column's cells) tell where one cell ends.
    """

    def at(line: Line, key_line: Line) -> bool:
        return abs((line.top + line.bottom) - (key_line.top + key_line.bottom)) <= line.size

    parts = [_Block(block.column, [block.lines[0]])]
    for previous, line in itertools.pairwise(block.lines):
        if mode == "top":
            cut = any(at(line, k.lines[0]) for k in keys)
        else:
            cut = any(at(previous, k.lines[-1]) for k in keys)
        if cut:
            parts.append(_Block(block.column, [line]))
        else:
            parts[-1].lines.append(line)
    return parts


def _split_centred(block: _Block, keys: list[_Block]) -> list[_Block]:
    """A block of centred cells cut into one cell per row whose middle it covers.

    Cells of tight rows, each running to the column's edge, look like one wrapped cell; each
    row's cell is centred on the row's middle, so the cut that centres every part best on
    its row is where one cell ends."""
    inside = [k.anchor("middle") for k in keys if block.top <= k.anchor("middle") <= block.bottom]
    lines = block.lines
    n, m = len(lines), len(inside)
    if m < 2 or n < m:
        return [block]

    def cost(p: int, i: int, k: int) -> float:
        return abs((lines[p].top + lines[i - 1].bottom) / 2 - inside[k])

    # best[(i, j)]: the least miss splitting lines[:i] into j parts centred on inside[:j].
    best: dict[tuple[int, int], tuple[float, int]] = {(0, 0): (0.0, 0)}
    for j in range(1, m + 1):
        for i in range(j, n - (m - j) + 1):
            options = [
                (best[(p, j - 1)][0] + cost(p, i, j - 1), p)
                for p in range(j - 1, i)
                if (p, j - 1) in best
            ]
            if options:
                best[(i, j)] = min(options)
    cuts = [n]
    for j in range(m, 0, -1):
        cuts.append(best[(cuts[-1], j)][1])
    cuts.reverse()
    return [_Block(block.column, lines[a:b]) for a, b in itertools.pairwise(cuts)]


def _mode(keys: list[_Block], others: list[_Block]) -> str | None:
    """How the grid's cells align vertically: top, middle or bottom (None: cannot tell)."""
    misses = {}
    for mode in _MODES:
        total = 0.0
        for block in others:
            size = block.lines[0].size
            miss = min(abs(block.anchor(mode) - k.anchor(mode)) for k in keys)
            total += min(miss, 2 * size)
        misses[mode] = total
    best = min(_MODES, key=lambda m: misses[m])
    size = keys[0].lines[0].size
    if all(misses[m] - misses[best] > 0.5 * size for m in _MODES if m != best):
        return best
    return None


def _merged_down(rows: list[_Row], roles: list[str | None], mode: str | None) -> None:
    """A cell printed once over the blank cells of its column goes to the first of them.

    An office prints a merged cell's text at the top, the middle or the bottom of the rows it
    spans, as the grid's other cells when they wrap (``mode``). When no cell wraps, rows of
    single lines make the three look alike (a level-1 name over 4 + 4 rows printed at their
    tops is also centred over rows 2 to 8); then the level columns tell: each way of reading
    the level-1 column gives it spans, and the way under whose spans the level-2 names are
    of their level-1 name's kind (数量指标 under 产出指标) wins. Without level names, a
    column whose first rows are blank is centred. A text printed between two rows (a line of
    its own) is centred over its rows whatever the grid's alignment. Only the columns before
    the indicator's own (三级指标) group rows; a blank cell after it is blank.
    """
    if not rows:
        return
    # Merged cells group rows: only the columns before the indicator's own (三级指标) do.
    key = next((roles.index(r) for r in (vocab.LEVEL3, vocab.TARGET) if r in roles), len(roles))
    # Row edges: halfway between two rows' texts (those of the columns that merge no rows);
    # the first and last rows have as much room.
    spans = [_extent(row, key) for row in rows]
    gaps = sorted(below[0] - above[1] for above, below in itertools.pairwise(spans))
    pad = max(gaps[len(gaps) // 2] / 2, 0.0) if gaps else 0.0
    ys = [spans[0][0] - pad]
    for above, below in itertools.pairwise(spans):
        ys.append((above[1] + below[0]) / 2)
    ys.append(spans[-1][1] + pad)
    if mode is None:
        mode = _guess_mode(rows, roles, ys)
    merges = False  # a level column merges rows
    # The level-2 names go to their rows first: a level-1 name's span is checked against the
    # level-2 name each row then has (filled down, as the interpreter reads them).
    for c in reversed(range(key)):
        fits = _kinds_fit(rows, c, roles.index(vocab.LEVEL2)) if roles[c] == vocab.LEVEL1 else None
        if vocab.LEVEL2 not in roles:
            fits = None
        if mode == "middle" and _own_rows(rows, c, ys):
            continue
        read = _spans(rows, c, mode, ys, fits, merges)
        merges = merges or any(first < i or last > i for i, first, last in read)
        for i, first, _ in read:
            if first < i:
                rows[first].cells[c] = rows[i].cells.pop(c)


def _own_rows(rows: list[_Row], c: int, ys: list[float]) -> bool:
    """True if column c names its groups only in their first rows, unmerged: the first row has
    its text and every text is centred in its own row. (A merged cell over an odd number of
    rows is centred in one row too, but a column of merges spans an even number somewhere.)"""
    filled = [i for i, row in enumerate(rows) if c in row.cells]
    if not filled or filled[0] != 0:
        return False
    for i in filled:
        cell = rows[i].cells[c]
        middle = (cell[0].top + cell[-1].bottom) / 2
        if abs(middle - (ys[i] + ys[i + 1]) / 2) > cell[0].size / 2:
            return False
    return True


def _extent(row: _Row, key: int) -> tuple[float, float]:
    """Top and bottom of a row's texts in the columns from ``key`` on (else all of them)."""
    lines = [ln for c, cell in row.cells.items() if c >= key for ln in cell] or row.lines
    return min(ln.top for ln in lines), max(ln.bottom for ln in lines)


def _kinds_fit(rows: list[_Row], level1: int, level2: int) -> Callable[[int, int, int], bool]:
    """Whether a level-1 name read as spanning rows first..last has under it no level-2 name
    of another kind (产出指标 over 满意度指标 is not a merge); a row without a level-2 name has
    the one above it."""

    def fits(i: int, first: int, last: int) -> bool:
        mine = _families(_text(rows[i].cells[level1]))
        if not mine:
            return True
        for r in range(first, last + 1):
            named = next((k for k in range(r, -1, -1) if level2 in rows[k].cells), None)
            if named is None:
                continue
            kind = _families(_text(rows[named].cells[level2]))
            if kind and not kind & mine:
                return False
        return True

    return fits


def _spans(
    rows: list[_Row],
    c: int,
    mode: str,
    ys: list[float],
    fits: Callable[[int, int, int], bool] | None = None,
    merges: bool = False,
) -> list[tuple[int, int, int]]:
    """(row of the text, first row, last row) of each text of column c read in ``mode``.

    A centred text spans the rows it is centred over (to within half its size); ``fits`` may
    refuse a span (level names of another kind under it). A text centred over no rows of the
    page is a merged cell the page break cut, unless it is centred in its own row and the
    level columns show no merges (``merges``, or a text above centred over several rows)."""
    filled = [i for i, row in enumerate(rows) if c in row.cells]
    out: list[tuple[int, int, int]] = []
    start = 0  # the first row no text above spans
    for n, i in enumerate(filled):
        last = filled[n + 1] - 1 if n + 1 < len(filled) else len(rows) - 1
        cell = rows[i].cells[c]
        between = id(cell[0]) in rows[i].lone
        if mode == "bottom" and not between:
            out.append((i, start, i))
            start = i + 1
            continue
        if mode == "top" and not between:
            out.append((i, i, last))
            start = last + 1
            continue
        middle = (cell[0].top + cell[-1].bottom) / 2
        first = min(start, i)
        ends = [
            (abs((ys[first] + ys[e + 1]) / 2 - middle), e)
            for e in range(i, last + 1)
            if fits is None or fits(i, first, e)
        ]
        miss, end = min(ends, default=(float("inf"), i))
        own = abs((ys[i] + ys[i + 1]) / 2 - middle) <= cell[0].size / 2
        if miss <= cell[0].size / 2:
            merges = merges or first < i or end > i
        elif own and not merges:
            first, end = i, i  # centred in its own row: a group's first row, unmerged
        else:
            # Centred over no rows of this page: a merged cell the page break cut, centred
            # over rows on the other page too. It names the rows no other text claims
            # around it (but no names of another kind).
            first = next((f for f in range(first, i + 1) if fits is None or fits(i, f, last)), i)
            end = last if fits is None or fits(i, first, last) else i
        out.append((i, first, end))
        start = end + 1
    return out


def _guess_mode(rows: list[_Row], roles: list[str | None], ys: list[float]) -> str:
    """How merged cells are printed when no wrapped cell shows it (see _merged_down)."""
    if vocab.LEVEL1 in roles and vocab.LEVEL2 in roles:
        level1, level2 = roles.index(vocab.LEVEL1), roles.index(vocab.LEVEL2)
        scores: dict[str, int] = {}
        for mode in _MODES:
            score = 0
            for i, first, last in _spans(rows, level1, mode, ys):
                mine = _families(_text(rows[i].cells[level1]))
                for r in range(first, last + 1):
                    if level2 in rows[r].cells:
                        kind = _families(_text(rows[r].cells[level2]))
                        score += 1 if kind & mine else -1 if kind else 0
            scores[mode] = score
        best = max(_MODES, key=lambda m: (scores[m], m == "top", m == "middle"))
        if scores[best] > min(scores.values()):
            return best
    for c in range(len(roles)):
        filled = [i for i, row in enumerate(rows) if c in row.cells]
        if filled and filled[0] > 0 and len(filled) < len(rows):
            return "middle"
    return "top"


def _text(lines: list[Line]) -> str:
    return "".join(ln.text for ln in lines)


def _families(name: str) -> set[str]:
    """The level-1 kinds a level name belongs to (产出, 效益, 满意度, 成本)."""
    name = vocab.normalize_level(name)
    if "满意" in name:
        return {"满意度"}
    if re.search(r"经济成本|社会成本|生态环境成本", name):
        return {"成本"}
    if "成本" in name:
        return {"产出", "成本"}
    if re.search(r"产出|数量|质量|时效|进度|规模", name):
        return {"产出"}
    if re.search(r"效益|效果|影响", name):
        return {"效益"}
    return set()


def _ruled(rows: list[_Row], xs: list[float], page: int) -> Ruled:
    """Rows of cells as a table of boxes, one per cell, the pdf reader's ``Ruled``."""
    from jixiao.importers.pdf import Box, _box_text

    ys = [rows[0].top - 1]
    for above, below in itertools.pairwise(rows):
        ys.append(max((above.bottom + below.top) / 2, ys[-1] + 3))
    ys.append(max(rows[-1].bottom + 1, ys[-1] + 3))
    # The widest line each column prints: a centred cell's wrapped lines are about as wide.
    full = [
        max((ln.x1 - ln.x0 for row in rows for ln in row.cells.get(c, [])), default=0.0)
        for c in range(len(xs) - 1)
    ]
    boxes: list[Box] = []
    for r, row in enumerate(rows):
        for c in range(len(xs) - 1):
            lines = sorted(row.cells.get(c, []), key=lambda ln: ln.top)
            text = _box_text(lines, xs[c + 1] - 1, full[c]) if lines else ""
            boxes.append(Box(xs[c], ys[r], xs[c + 1], ys[r + 1], text))
    return _table(page, boxes)


def _table(page: int, boxes: list[Box]) -> Ruled:
    from jixiao.importers.pdf import Ruled

    top = min(b.top for b in boxes)
    bottom = max(b.bottom for b in boxes)
    table = Ruled(page, boxes, top, bottom, min(b.x0 for b in boxes), max(b.x1 for b in boxes))
    table.parts.append((top, bottom))
    table.last_page = page
    table.end = bottom
    return table


# --- the header block ---------------------------------------------------------------------------

_NUMBER_END = set("0123456789%％")


def _pieces(line: Line, xs: list[float]) -> list[Line]:
    """A header-block line's label and value pieces.

    Cut at wide gaps, at any gap after a number (a right-aligned amount touches the label
    beside it), and at a gap where the grid below has a column edge.
    """
    from jixiao.importers.pdf import Line as LineType

    parts: list[list[Char]] = [[line.chars[0]]]
    for previous, char in zip(line.chars, line.chars[1:], strict=False):
        gap = char.x0 - previous.x1
        size = min(char.size, previous.size)
        cut = gap > _CELL_GAP * size or (
            gap > _MIN_GAP * size
            and (
                previous.text[-1:] in _NUMBER_END
                or any(previous.x1 < x < char.x0 for x in xs[1:-1])
            )
        )
        if cut:
            parts.append([char])
        else:
            parts[-1].append(char)
    return [LineType(p) for p in parts]


@dataclass
class _Piece:
    x0: float
    x1: float
    lines: list[Line]


def _header_block(lines: list[Line], xs: list[float], page: int, mode: str | None) -> Ruled | None:
    """The lines above the grid as a table: a row per line, wrapped lines joined.

    When the grid's cells sit at the bottom of their rows, so do the header block's: a label
    merged down beside two rows (预算规模及资金用途, 资金支出计划) or beside a value of several
    lines (绩效目标) is printed on the last one; it goes back to the first."""
    from jixiao.importers.pdf import Box, _box_text, _wraps

    right = max(xs[-1], max(ln.x1 for ln in lines) + 1)
    rows: list[list[_Piece]] = []
    for line in lines:
        pieces = _pieces(line, xs)
        row = rows[-1] if rows else None
        joins = row is not None
        matched: list[tuple[_Piece, Line]] = []
        if row is not None:
            bottom = max(ln.bottom for p in row for ln in p.lines)
            for piece in pieces:
                over = [p for p in row if p.x0 < piece.x1 and piece.x0 < p.x1]
                if not over:
                    continue  # beside the row: a label centred over its wrapped value
                if len(over) != 1:
                    joins = False
                    break
                above = over[0]
                edge = min([p.x0 for p in row if p.x0 > above.x1] or [right]) - 1
                tail = above.lines[-1]
                # A wrapped line starts where the cell's text does (or is centred under it).
                aligned = (
                    abs(piece.x0 - above.x0) <= 1
                    or abs((piece.x0 + piece.x1) - (tail.x0 + tail.x1)) <= 2 * piece.size
                )
                if not (
                    aligned
                    and piece.top - tail.bottom < piece.size
                    and _wraps(tail, edge, piece.text.strip())
                ):
                    joins = False
                    break
                matched.append((above, piece))
            # A line beside the row's cells (none above it) joins it only when it is close:
            # a label centred over two lines of values, values beside labels printed higher.
            # A line of labels only is a row of its own, and so is a line of values only
            # beside a line with a label and its value (the next row's values, its label
            # printed lower).
            if joins and not matched:
                labels = sum(1 for p in pieces if vocab.label_kind(p.text.strip()))
                kinds = [bool(vocab.label_kind(_text(p.lines).strip())) for p in row]
                one_line = max(p.lines[0].top for p in row) - min(p.lines[0].top for p in row) < 1
                complete = one_line and any(kinds) and not all(kinds)
                joins = line.top - bottom < line.size and (
                    len(pieces) == 1 or (0 < labels < len(pieces)) or (not labels and not complete)
                )
        if row is not None and joins:
            for above, piece in matched:
                above.lines.append(piece)
                above.x0 = min(above.x0, piece.x0)
                above.x1 = max(above.x1, piece.x1)
            taken = {id(piece) for _, piece in matched}
            row.extend(_Piece(p.x0, p.x1, [p]) for p in pieces if id(p) not in taken)
            row.sort(key=lambda p: p.x0)
            continue
        rows.append([_Piece(p.x0, p.x1, [p]) for p in pieces])
    if not rows:
        return None
    if mode == "bottom":
        _labels_up(rows)
    tops = [min(ln.top for p in row for ln in p.lines) for row in rows]
    bottoms = [max(ln.bottom for p in row for ln in p.lines) for row in rows]
    ys = [tops[0] - 1]
    for r in range(1, len(rows)):
        ys.append(max((bottoms[r - 1] + tops[r]) / 2, ys[-1] + 3))
    ys.append(max(bottoms[-1] + 1, ys[-1] + 3))
    boxes: list[Box] = []
    for r, row in enumerate(rows):
        # A piece's box reaches the next piece: one grid column per label or value.
        for i, cell in enumerate(row):
            edge = row[i + 1].x0 if i + 1 < len(row) else right
            text = _box_text(cell.lines, edge - 1)
            boxes.append(Box(cell.x0, ys[r], edge, ys[r + 1], text))
    return _table(page, boxes)


def _labels_up(rows: list[list[_Piece]]) -> None:
    """Bottom-aligned labels back to the first row beside them (see _header_block)."""
    donors: set[int] = set()  # rows whose label went up: theirs is the row above
    for r in range(1, len(rows)):
        above, row = rows[r - 1], rows[r]
        if r - 1 in donors or not row:
            continue
        if any(p.x0 < row[0].x1 for p in above):  # the row above has text beside the label
            continue
        if len(row) < 2 or not _merged_label(row[0], above):
            continue
        above.insert(0, row.pop(0))
        donors.add(r)


def _merged_label(label: _Piece, above: list[_Piece]) -> bool:
    """True for a label an office merges down beside the row above and its own.

    The spending plan beside its months (percents in its own row), a goal beside a goal of
    several paragraphs, 预算规模及资金用途 beside the budget row (the fund use in its own).
    """
    kind = vocab.label_kind("".join(ln.text for ln in label.lines))
    texts = ["".join(ln.text for ln in p.lines) for p in above]
    if kind == vocab.LABEL_PLAN:
        return all(vocab.MONTH.match(t.replace(" ", "")) for t in texts)
    if kind in (vocab.LABEL_GOAL, vocab.LABEL_GOAL_ANNUAL, vocab.LABEL_GOAL_LONG):
        return len(texts) == 1 and len(texts[0]) >= 8 and vocab.label_kind(texts[0]) is None
    if kind == vocab.LABEL_FUND_USE:
        return vocab.label_kind(texts[0]) == vocab.LABEL_TOTAL
    return False


# --- no header: gutters alone ---------------------------------------------------------------------


def _table_by_gutters(lines: list[Line], pieces: list[list[Line]], page: int) -> Ruled | None:
    """A table without a header row: its columns are the gaps no piece crosses."""
    from jixiao.importers.pdf import Box, _box_text, _wraps

    spans = sorted((p.x0, p.x1) for row in pieces for p in row)
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
            _wraps(above, xs[c + 1] - 2, p.text) for (c, above), p in shared
        )
        if rows and joins:
            rows[-1].extend(placed)
        else:
            rows.append(placed)
        previous = {c0: (c1, p) for c0, c1, p in placed}
    boxes: list[Box] = []
    heights = [lines[0].top]
    for row in rows:
        heights.append(max(p.bottom for _, _, p in row))
    for r, row in enumerate(rows):
        by_cell: dict[tuple[int, int], list[Line]] = {}
        for c0, c1, p in row:
            by_cell.setdefault((c0, c1), []).append(p)
        for (c0, c1), cell_lines in by_cell.items():
            text = _box_text(sorted(cell_lines, key=lambda ln: ln.top), xs[c1 + 1] - 1)
            boxes.append(Box(xs[c0], heights[r], xs[c1 + 1], heights[r + 1], text))
        covered = {c for c0, c1 in by_cell for c in range(c0, c1 + 1)}
        for c in range(len(xs) - 1):
            if c not in covered:
                boxes.append(Box(xs[c], heights[r], xs[c + 1], heights[r + 1], ""))
    return _table(page, boxes)
