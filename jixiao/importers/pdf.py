"""PDF reader: the same grid a Word or Excel file gives, rebuilt from the printed page.

A page holds characters, rulings (lines and thin rectangles) and nothing else; this module
puts them back together:

* **Ruled tables** are found from the rulings (pdfplumber's table finder). Their column and
  row lines come from the cell boxes, never from counting cells, and a box spanning several
  lines is a merged cell (``Cell.origin``). Each character goes to the box holding its centre.
  Tables printed touching (one project's table under another's) are found as one: they are
  split where the column rulings move a few points from one band of rows to the next.
* **Cell text**: characters make lines, lines a box's width wrapped are joined (Chinese
  without spaces), real line breaks stay. Spacing a printer puts between Chinese and Latin
  text is not a space.
* **Tables continued on the next page** (same columns) are one table: a repeated header is
  dropped, a merged cell cut by the page break is one cell again (wherever the printer drew
  its text: above the break, below it, or over the repeated header).
* **Tables without rulings** (Excel printed without borders or gridlines) are placed from
  text alignment: one column per word of the header row, each edge where the texts align in
  the gap no text crosses; rows from the key column's cells (``pdf_unruled``). Such a grid
  goes on in the same columns on the next page. Text drawn off the page is not read.
* **Text outside tables** becomes paragraphs in reading order (lines a page wrapped joined);
  page numbers and running headers/footers are dropped.

Tables are named by the page where they start: ``第 3 页第 1 个表格``.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jixiao.importers import docx as office
from jixiao.importers import limits, pdf_unruled
from jixiao.importers.grid import Block, Cell, ImportFailure, Paragraph, Source, Table
from jixiao.importers.pages import tell

__all__ = ["read"]

_LABEL = "PDF"
# Cell edges closer than this (in points) are the same grid line.
_EDGE_TOLERANCE = 2.0
_TABLE_SETTINGS = {"snap_tolerance": 2, "join_tolerance": 2, "intersection_tolerance": 2}
# A cell box as the table finder gives it: x0, top, x1, bottom.
BoxEdges = tuple[float, float, float, float]


# --- characters, lines -----------------------------------------------------------------------


@dataclass
class Char:
    """One printed character (pdfplumber's dict reduced to what is used)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def size(self) -> float:
        return max(self.bottom - self.top, 1.0)


@dataclass
class Line:
    """Characters on one baseline, left to right, with their text (spaces from gaps)."""

    chars: list[Char]
    text: str = ""

    def __post_init__(self) -> None:
        self.text = _line_text(self.chars)

    @property
    def x0(self) -> float:
        return self.chars[0].x0

    @property
    def x1(self) -> float:
        return self.chars[-1].x1

    @property
    def top(self) -> float:
        return min(c.top for c in self.chars)

    @property
    def bottom(self) -> float:
        return max(c.bottom for c in self.chars)

    @property
    def size(self) -> float:
        return max(c.size for c in self.chars)


def _is_wide(ch: str) -> bool:
    """A CJK character or full-width punctuation: text in which a gap is never a space."""
    code = ord(ch[:1]) if ch else 0
    return (
        0x2E80 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0xFF00 <= code <= 0xFFEF
        or 0x3000 <= code <= 0x303F
        or ch in "“”‘’…—·"
    )


def _line_text(chars: list[Char]) -> str:
    """Characters joined; a gap becomes a space only where a typed space would be.

    Printers put a little room between Chinese and Latin text (LibreOffice's autospacing, about
    a fifth of the font size): that is not a space. Between Latin characters a gap of a quarter
    of the font size is a space; next to Chinese, only a gap of half the size.
    """
    out: list[str] = []
    previous: Char | None = None
    for char in chars:
        if previous is not None:
            gap = char.x0 - previous.x1
            size = min(char.size, previous.size)
            wide = _is_wide(previous.text[-1]) or _is_wide(char.text[:1])
            if gap > (0.5 if wide else 0.2) * size:
                out.append(" ")
        out.append(char.text)
        previous = char
    return "".join(out)


def _lines(chars: list[Char]) -> list[Line]:
    """Characters grouped into lines top to bottom (by their vertical centre)."""
    groups: list[list[Char]] = []
    centres: list[float] = []
    for char in sorted(chars, key=lambda c: (c.cy, c.x0)):
        if groups and abs(char.cy - centres[-1]) <= 0.4 * char.size:
            groups[-1].append(char)
            continue
        groups.append([char])
        centres.append(char.cy)
    return [Line(sorted(g, key=lambda c: c.x0)) for g in groups]


def _split_line(line: Line, gap: float) -> list[Line]:
    """A line cut where its characters leave more room than ``gap`` times the font size."""
    parts: list[list[Char]] = [[line.chars[0]]]
    for previous, char in itertools.pairwise(line.chars):
        if char.x0 - previous.x1 > gap * min(char.size, previous.size):
            parts.append([char])
        else:
            parts[-1].append(char)
    return [Line(p) for p in parts]


# --- wrapped lines -----------------------------------------------------------------------------

# A line starting like this begins a new item, not the wrapped rest of the line above.
_ITEM_START = re.compile(
    r"^\s*(（[一二三四五六七八九十\d]+）|\([一二三四五六七八九十\d]+\)|[一二三四五六七八九十]+、"
    r"|\d+\s*[.、．](?!\d)|第[一二三四五六七八九十]+部分|绩效目标[:：]|绩效指标[:：])"
)
_NO_LINE_START = "，。、；：？！）》」』】〕,.;:?!)]%％"
# What cannot be split from the start of the next line: a run of Latin letters and digits, or
# one character with the closing marks (and the number) that must stay with it.
_FIRST_UNIT = re.compile(r"[\x21-\x7e]+|.[，。、；：？！）》」』】〕%％]*[\x21-\x7e]*")


_OPENING = "（《「『【〔〈“‘([{"
_CLOSING = "，。、；：？！）》」』】〕〉”’,.;:?!)]}%％…"
_QUOTES = "“”‘’"


def _glued(left: Char, right: Char) -> bool:
    """True if a line may not break between two neighbouring characters.

    Closing marks never start a line and opening marks never end one; Latin letters, digits
    and ASCII signs stay with what touches them (``2020〕5号``, ``200元/年``, ``=120元``): office
    line breaking keeps those together, or at least may, so a wrap there is taken as a wrap.
    Latin words break at spaces (a gap between the characters). Quotation marks may stick to
    both sides: Unicode line breaking (WeasyPrint's Pango) breaks neither before nor after
    them, so ``增强“四`` moves to the next line whole.
    """
    a, b = left.text[-1:], right.text[:1]
    if b in _CLOSING or a in _OPENING or a in _QUOTES or b in _QUOTES:
        return True
    if a.isascii() and b.isascii():
        return right.x0 - left.x1 <= 0.2 * min(left.size, right.size)
    return a.isascii() or b.isascii()


def _first_unit(lines: list[Line]) -> float:
    """Width of the first unbreakable run of characters of ``lines[0]`` (what had to go on a
    new line). A line that is all one run glued to the next line's start was itself broken by
    force (a run longer than the box is wide): the run goes on there."""
    width = 0.0
    for k, line in enumerate(lines):
        chars = line.chars
        end = 0
        while end + 1 < len(chars) and _glued(chars[end], chars[end + 1]):
            end += 1
        width += chars[end].x1 - chars[0].x0
        last = end == len(chars) - 1
        if not last or k + 1 == len(lines) or not _glued_across(chars[-1], lines[k + 1].chars[0]):
            break
    return width


def _glued_across(left: Char, right: Char) -> bool:
    """True if a line break between two characters cannot be a break the author typed: a
    closing mark starting the line, an opening mark ending the one above, a Latin word or
    a number cut, a number parted from its unit (``8.56`` / ``万元``)."""
    a, b = left.text[-1:], right.text[:1]
    if b in _CLOSING or a in _OPENING:
        return True
    word = a.isascii() and (a.isalnum() or a in ".%/-") and b.isascii() and b.isalnum()
    return word or (a.isdigit() and _is_wide(b) and b not in _OPENING)


def _wraps(line: Line, right: float, following: str | Line | list[Line]) -> bool:
    """True if a line runs up to the right edge, so its text goes on in the next line.

    ``right`` is where a line's text may end (a box's edge less its padding). CJK line breaking
    leaves room at a line's end when the next line's first unit could not fit there: a run of
    Latin letters and digits, or a character with the marks that must stay with it. A line
    ending short of the edge by more than that unit is a real line break. Given the next lines
    themselves (not just their text), the unit is measured; otherwise estimated from the line's
    character width.
    """
    if isinstance(following, Line):
        following = [following]
    text = following if isinstance(following, str) else following[0].text.strip()
    if isinstance(following, list) and len(following) > 1:
        ends, starts = following[0].chars, following[1].chars
        if ends and starts and _glued_across(ends[-1], starts[0]):
            # A number a narrow box cut over lines (`9` / `2.` / `5`) is no numbered item `2.`.
            text += following[1].text.strip()
    if _ITEM_START.match(text):
        return False
    if isinstance(following, list):
        if not following[0].chars:
            return False
        if _glued_across(line.chars[-1], following[0].chars[0]):
            return True
        return right - line.x1 < _first_unit(following) + 0.1 * line.size
    width = (line.x1 - line.x0) / max(len(line.text), 1)
    unit = _FIRST_UNIT.match(text)
    needed = sum(0.6 if ch.isascii() else 1.0 for ch in unit.group(0)) if unit else 1.0
    return right - line.x1 <= (needed + 1.5) * width + 1


def _join(text: str, line: str) -> str:
    """Join a wrapped line to the text before it: no space between Chinese, one between words."""
    if not text:
        return line
    # Latin prose wraps at a space; a code or number wraps anywhere and keeps no gap.
    joint = text[-1].isascii() and text[-1].isalnum() and line[:1].isascii() and line[:1].isalnum()
    return text + (" " if joint and " " in text else "") + line


def _box_text(lines: list[Line], right: float, full: float | None = None) -> str:
    """A box's lines as its text: lines the width wrapped joined, real breaks kept.

    ``full`` is the width of the widest line its column prints, when known. Centred lines
    (their middles aligned) stop short of both edges, so their right end says nothing: such a
    line was full when its width, not its end, comes within the next unit of ``full``.
    """
    parts: list[str] = []
    previous: Line | None = None
    lines = [ln for ln in lines if ln.text.strip()]
    centred = full is not None and len(lines) > 1 and _centred(lines)
    for i, line in enumerate(lines):
        text = line.text.strip()
        if previous is not None:
            edge = right
            if centred and full is not None:
                edge = previous.x1 + max(full - (previous.x1 - previous.x0), 0.0)
            if _wraps(previous, edge, lines[i:]):
                parts[-1] = _join(parts[-1], text)
                previous = line
                continue
        parts.append(text)
        previous = line
    return "\n".join(parts)


def _centred(lines: list[Line]) -> bool:
    """True if lines share their middle (centred text), not just their start."""
    middles = [(ln.x0 + ln.x1) / 2 for ln in lines]
    size = max(ln.size for ln in lines)
    return max(middles) - min(middles) <= max(1.0, 0.3 * size)


# --- ruled tables ------------------------------------------------------------------------------


@dataclass
class Box:
    """A cell box of a ruled table, in document coordinates (``top`` counts earlier pages)."""

    x0: float
    top: float
    x1: float
    bottom: float
    text: str = ""
    # The box's last printed line, to tell whether its text runs on below a page break.
    tail: Line | None = None
    # Room left under the last line, down to the box's bottom rule.
    room: float = 0.0
    # The box's first printed line, and the room its text keeps from the box's sides.
    head: Line | None = None
    pad: float = 2.0


@dataclass
class Ruled:
    """A table as its cell boxes; a grid is made of it once every page's part is joined."""

    page: int
    boxes: list[Box]
    # Where the part on each page begins and ends (document coordinates), for joining.
    top: float = 0.0
    bottom: float = 0.0
    x0: float = 0.0
    x1: float = 0.0
    parts: list[tuple[float, float]] = field(default_factory=list)
    last_page: int = 0
    # Where the last page's part ends, in document coordinates (``bottom`` is the joined
    # table's, whose later parts are moved up to follow on).
    end: float = 0.0
    # The first band of the printed table this one was split from (``_bands``): the rows a
    # printer repeats at the top of the next page are that band's.
    printed: Ruled | None = None
    # True if another band of the printed table follows this one on the page.
    followed: bool = False

    def xs(self) -> list[float]:
        return _grid_lines([v for b in self.boxes for v in (b.x0, b.x1)])

    def ys(self) -> list[float]:
        return _grid_lines([v for b in self.boxes for v in (b.top, b.bottom)])


def _grid_lines(values: list[float]) -> list[float]:
    """Distinct edge positions, merging those within the tolerance (their mean is kept)."""
    groups: list[list[float]] = []
    for value in sorted(values):
        if groups and value - groups[-1][-1] <= _EDGE_TOLERANCE:
            groups[-1].append(value)
        else:
            groups.append([value])
    return [sum(g) / len(g) for g in groups]


def _index(lines: list[float], value: float) -> int:
    """Index of the grid line nearest to a coordinate."""
    i = bisect.bisect_left(lines, value)
    if i == 0:
        return 0
    if i == len(lines):
        return len(lines) - 1
    return i if lines[i] - value < value - lines[i - 1] else i - 1


def _grid(boxes: list[Box], xs: list[float], ys: list[float]) -> list[list[Cell]]:
    """The full grid of a table's boxes: positions a box covers share its origin and text."""
    grid: list[list[Cell | None]] = [[None] * (len(xs) - 1) for _ in range(len(ys) - 1)]
    for box in sorted(boxes, key=lambda b: (b.top, b.x0)):
        r0, r1 = _index(ys, box.top), _index(ys, box.bottom)
        c0, c1 = _index(xs, box.x0), _index(xs, box.x1)
        for r in range(r0, max(r1, r0 + 1)):
            for c in range(c0, max(c1, c0 + 1)):
                if r < len(grid) and c < len(grid[r]) and grid[r][c] is None:
                    grid[r][c] = Cell(box.text, (r0, c0))
    return [[cell or Cell("", (r, c)) for c, cell in enumerate(row)] for r, row in enumerate(grid)]


def _page_ruled(page: Any, number: int, offset: float, chars: list[Char]) -> list[Ruled]:
    """The ruled tables of one page, each character in the box holding its centre."""
    tables: list[tuple[BoxEdges, list[BoxEdges]]] = []
    # For a band split from a printed table, the index of the table's first band.
    printed: list[int | None] = []
    for table in page.find_tables(_TABLE_SETTINGS):
        cells = sorted({tuple(c) for c in table.cells}, key=lambda b: (b[1], b[0]))
        if len(cells) < 2:
            continue
        first = len(tables)
        for band in _bands(cells):
            printed.append(first if len(tables) > first else None)
            bbox = (
                min(b[0] for b in band),
                min(b[1] for b in band),
                max(b[2] for b in band),
                max(b[3] for b in band),
            )
            tables.append((bbox, band + _uncovered(band)))
    found = []
    for (x0, top, x1, bottom), cells in tables:
        inside = [c for c in chars if x0 <= c.cx <= x1 and top <= c.cy <= bottom]
        held = _held(cells, inside)
        boxes = []
        box_lines = {b: _lines(held[b]) for b in cells}
        pad = _padding([(b[0], ln) for b in cells for ln in box_lines[b]])
        rules = _grid_lines([b[2] for b in cells])
        rights = _right_padding([(_index(rules, b[2]), b[2], box_lines[b]) for b in cells], pad)
        for b in cells:
            lines = box_lines[b]
            right_pad = rights.get(_index(rules, b[2]), pad)
            text = _box_text(lines, b[2] - right_pad)
            tail = lines[-1] if lines else None
            room = b[3] - tail.bottom if tail else b[3] - b[1]
            head = lines[0] if lines else None
            boxes.append(
                Box(b[0], b[1] + offset, b[2], b[3] + offset, text, tail, room, head, right_pad)
            )
        ruled = Ruled(number, boxes, top + offset, bottom + offset, x0, x1)
        ruled.parts.append((top + offset, bottom + offset))
        ruled.last_page = number
        ruled.end = bottom + offset
        for char in inside:
            char.text = ""  # taken: not part of any paragraph
        found.append(ruled)
    for i, (ruled, origin) in enumerate(zip(found, printed, strict=True)):
        ruled.printed = found[origin] if origin is not None else None
        ruled.followed = i + 1 < len(printed) and printed[i + 1] is not None
    return found


def _bands(cells: list[BoxEdges]) -> list[list[BoxEdges]]:
    """A found table's cells, split where one table ends and another, touching it, begins.

    Two tables printed without a gap (or a row of one and the next) share their outer rules,
    so the finder takes them as one. Their columns give them away: a table's rows all sit on
    its own column lines, and another table's lines for the same columns are drawn a few
    points off (each table sizes its columns for itself). So a row whose column lines moved
    against the rows above (a line above not in the row, one of the row close beside it, and
    no cell crossing between them) starts a table. It starts higher at a row above whose
    lines are all among the new table's and not all among the old one's (with the rows
    between, which could be either's).
    """
    ys = _grid_lines([v for b in cells for v in (b[1], b[3])])
    if len(ys) < 4:
        return [cells]
    left, right = min(b[0] for b in cells), max(b[2] for b in cells)
    rows: list[list[float]] = []
    for top, bottom in itertools.pairwise(ys):
        middle = (top + bottom) / 2
        rows.append(
            _grid_lines(
                [
                    x
                    for b in cells
                    if b[1] < middle < b[3]
                    for x in (b[0], b[2])
                    if x - left > _EDGE_TOLERANCE and right - x > _EDGE_TOLERANCE
                ]
            )
        )
    cuts: list[int] = []
    start = 0
    for r in range(1, len(rows)):
        above = [x for k in range(start, r) for x in rows[k]]
        crossed = any(
            b[1] < ys[r] - _EDGE_TOLERANCE and b[3] > ys[r] + _EDGE_TOLERANCE for b in cells
        )
        # One row is too little to tell a table by: a header repeated at a page's top, or
        # the rest of a row the page break cut, has the rulings of its own band.
        if not crossed and _shifted(above, rows[r]):
            cuts.append(r)
            start = r
    if not cuts:
        return [cells]
    for i, cut in enumerate(cuts):
        start = cuts[i - 1] if i else 0
        end = cuts[i + 1] if i + 1 < len(cuts) else len(rows)
        below = [x for k in range(cut, end) for x in rows[k]]
        k = cut
        while k - 1 > start and _on(rows[k - 1], below):
            k -= 1
            if not _on(rows[k], [x for j in range(start, k) for x in rows[j]]):
                cut = k
        cuts[i] = cut
    bounds = [ys[0], *(ys[c] for c in cuts), ys[-1]]
    return [
        [b for b in cells if top <= (b[1] + b[3]) / 2 < bottom]
        for top, bottom in itertools.pairwise(bounds)
    ]


# Lines this close are one line drawn twice; a table's own column lines never are.
_SAME_LINE = 0.3
# Two tables' lines for the same column differ by less than this (about a character and a
# half); one table's columns are farther apart.
_NEAR_LINE = 15.0


def _on(xs: list[float], lines: list[float]) -> bool:
    """True if every line of ``xs`` is one of ``lines`` (drawn at the same place)."""
    return all(any(abs(x - y) <= _SAME_LINE for y in lines) for x in xs)


def _shifted(above: list[float], row: list[float]) -> bool:
    """True if a column line of the rows above is not in ``row`` and ``row`` has one of its
    own close beside it: the same column, drawn by another table."""
    gone = [x for x in above if not any(abs(x - y) <= _SAME_LINE for y in row)]
    new = [y for y in row if not any(abs(x - y) <= _SAME_LINE for x in above)]
    return any(abs(x - y) < _NEAR_LINE for x in gone for y in new)


def _held(cells: list[BoxEdges], chars: list[Char]) -> dict[BoxEdges, list[Char]]:
    """The characters each box holds: those with their centre in it.

    Text a rule cuts through was not drawn in a box: a spreadsheet prints a merged cell the
    page break cut at the whole cell's middle, over the rule at the part's top (across the
    header repeated there). Such a character goes to the box across the rule when that box
    holds no text of its own and its own box does (the header's).
    """
    # Smallest box first, so a box drawn inside another (rare) takes its own text.
    ordered = sorted(cells, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))

    def box_at(x: float, y: float) -> BoxEdges | None:
        return next((b for b in ordered if b[0] <= x <= b[2] and b[1] <= y <= b[3]), None)

    held: dict[BoxEdges, list[Char]] = {b: [] for b in cells}
    cut: list[tuple[Char, BoxEdges, BoxEdges]] = []
    for char in chars:
        box = box_at(char.cx, char.cy)
        if box is None:
            continue
        margin = 0.25 * char.size
        across = None
        for rule, side in ((box[1], -1.0), (box[3], 1.0)):
            if char.top + margin < rule < char.bottom - margin:
                across = box_at(char.cx, rule + side * _EDGE_TOLERANCE)
        if across is not None and across != box:
            cut.append((char, box, across))
        else:
            held[box].append(char)
    texted = {b for b, held_chars in held.items() if held_chars}
    for char, box, across in cut:
        held[across if box in texted and across not in texted else box].append(char)
    # Or printed over the header's own text, in the same box: the text drawn later (the
    # header rows are printed first) goes to the blank box under it.
    order = {id(char): i for i, char in enumerate(chars)}
    for box in [b for b in texted if len(held[b]) > 1]:
        later = _overprinted(held[box], order)
        below = box_at((box[0] + box[2]) / 2, box[3] + _EDGE_TOLERANCE)
        if later and below is not None and below not in texted:
            held[box] = [c for c in held[box] if id(c) not in later]
            held[below].extend(c for c in chars if id(c) in later)
    return held


def _overprinted(chars: list[Char], order: dict[int, int]) -> set[int]:
    """The characters (by id) of text printed over text drawn before it in the same place:
    each run of characters drawn one after the other rightwards on one line, one of which
    covers most of a character drawn earlier."""

    def covers(a: Char, b: Char) -> bool:
        wide = min(a.x1, b.x1) - max(a.x0, b.x0) > 0.5 * min(a.x1 - a.x0, b.x1 - b.x0)
        high = min(a.bottom, b.bottom) - max(a.top, b.top) > 0.5 * min(a.size, b.size)
        return wide and high

    drawn = sorted(chars, key=lambda c: order[id(c)])
    over = {id(b) for i, b in enumerate(drawn) if any(covers(a, b) for a in drawn[:i] if a.text)}
    if not over:
        return set()
    # Runs: characters drawn in succession on one line.
    runs: list[list[Char]] = []
    for char in drawn:
        last = runs[-1][-1] if runs else None
        if (
            last is not None
            and order[id(char)] == order[id(last)] + 1
            and char.x0 > last.x0  # a text goes on rightwards; a new one starts back left
            and abs(char.cy - last.cy) <= 0.4 * char.size
        ):
            runs[-1].append(char)
        else:
            runs.append([char])
    return {id(c) for run in runs if any(id(c) in over for c in run) for c in run}


def _padding(lines: list[tuple[float, Line]]) -> float:
    """The room a table's cells keep between their left rule and their text (and so on the
    right): the most common room lines keep, as left-aligned text starts at the padding."""
    insets = Counter(round(line.x0 - left, 1) for left, line in lines if line.x0 - left > 0)
    if not insets:
        return 2.0
    most = max(insets.values())
    return min(min(inset for inset, n in insets.items() if n == most), 8.0)


def _right_padding(boxes: list[tuple[int, float, list[Line]]], pad: float) -> dict[int, float]:
    """The room cells keep from their right rule, per right rule (``boxes``: the rule's index,
    its position and a box's lines), where the lines show it; else ``pad`` (the left room).

    A line followed by another in its box ended where the next unit would not fit: at most a
    unit short of the edge. One ending nearer the rule than ``pad`` shows that the right room
    is smaller. Several ending at the same place a little farther than ``pad`` (less than half
    a character) show a wider right room; farther than that, they are lines of the same text
    cut short by the same unit, and the left room stands.
    """
    gaps: dict[int, list[tuple[float, float]]] = {}
    for rule, right, lines in boxes:
        lines = [ln for ln in lines if ln.text.strip()]
        for line in lines[:-1]:
            gap = right - line.x1
            if 0 <= gap <= pad + 1.5 * line.size:
                gaps.setdefault(rule, []).append((gap, line.size))
    found: dict[int, float] = {}
    for rule, seen in gaps.items():
        seen.sort()
        least, size = seen[0]
        same = sum(1 for gap, _ in seen if gap - least <= 0.5)
        if least < pad or (same >= 3 and least <= pad + 0.5 * size):
            found[rule] = least
    return found


def _uncovered(
    cells: list[tuple[float, float, float, float]],
) -> list[tuple[float, float, float, float]]:
    """Boxes for grid positions no cell box covers, one per vertical run in a column.

    A merged cell cut by a page break has no bottom rule, so the finder gives it no box: the
    run of boxless positions in a column is that cell.
    """
    xs = _grid_lines([v for b in cells for v in (b[0], b[2])])
    ys = _grid_lines([v for b in cells for v in (b[1], b[3])])
    covered = [[False] * (len(xs) - 1) for _ in range(len(ys) - 1)]
    for x0, top, x1, bottom in cells:
        for r in range(_index(ys, top), _index(ys, bottom)):
            for c in range(_index(xs, x0), _index(xs, x1)):
                covered[r][c] = True
    extra = []
    for c in range(len(xs) - 1):
        r = 0
        while r < len(covered):
            if covered[r][c]:
                r += 1
                continue
            end = r
            while end + 1 < len(covered) and not covered[end + 1][c]:
                end += 1
            extra.append((xs[c], ys[r], xs[c + 1], ys[end + 1]))
            r = end + 1
    return extra


# --- pages -------------------------------------------------------------------------------------


@dataclass
class Page:
    """One page read: its ruled tables and the lines of text outside them."""

    number: int
    top: float  # where the page begins in document coordinates
    height: float
    tables: list[Ruled]
    lines: list[Line]


def read(path: Path) -> Source:
    """Read a PDF's tables and text, in reading order, as a Word file's grid would be.

    The pages are counted (from the page tree, no content parsed) and refused past the limit
    before any text is extracted; the time limit is checked before each page.
    """
    path = Path(path)
    name = path.name
    kind = office.sniff(path)
    if kind != "pdf":
        raise office.failure(_LABEL, name, _mismatch(kind))
    try:
        import pdfplumber

        pages: list[Page] = []
        chars = unmapped = 0
        with pdfplumber.open(path) as pdf:
            count = _page_count(pdf.doc, limits.current().pdf_pages)
            if reason := limits.check_pages(count):
                raise office.failure(_LABEL, name, reason)
            offset = 0.0
            columns: pdf_unruled.Columns | None = None  # an unruled grid going on
            for page in pdf.pages:
                limits.check_time(f"第 {page.page_number} 页")
                tell(page.page_number, count)
                read_page, columns = _read_page(page, offset, columns)
                chars += read_page[1]
                unmapped += read_page[2]
                pages.append(read_page[0])
                offset += float(page.height)
                page.close()  # free the page's parsed objects
    except ImportFailure:
        raise
    except Exception as exc:  # any library error means the file cannot be read
        if _is_password_error(exc):
            raise office.failure(
                _LABEL, name, "文件已加密（设置了密码），请去掉密码后再导入"
            ) from exc
        raise office.failure(_LABEL, name, "文件已损坏或不是 PDF 格式") from exc
    if chars == 0:  # no text layer: a scan, read by OCR
        from jixiao.importers import ocr

        return ocr.read_pdf(path, name)
    if unmapped * 2 > chars:
        raise office.failure(
            _LABEL, name, "PDF 的文字无法提取（字体缺少编码信息），请上传 Word/Excel 版本"
        )
    _drop_furniture(pages)
    return Source(name, _blocks(pages))


def _read_page(
    page: Any, offset: float, columns: pdf_unruled.Columns | None = None
) -> tuple[tuple[Page, int, int], pdf_unruled.Columns | None]:
    """A page's tables and outside lines; also its count of characters and unmapped ones.

    ``columns`` are those of an unruled grid the page before ended with (it may go on here);
    the columns of this page's last unruled grid are returned with the page.
    """
    # Text drawn off the page is not printed (an office draws a merged cell cut by a page
    # break again on the next page, above its top edge).
    height = float(page.height)
    raw = [
        c
        for c in page.dedupe_chars().chars
        if c.get("text", "").strip()
        and c.get("upright", True)
        and 0 <= (float(c["top"]) + float(c["bottom"])) / 2 <= height
    ]
    unmapped = sum(1 for c in raw if c["text"].startswith("(cid:"))
    chars = [
        Char(c["text"], float(c["x0"]), float(c["x1"]), float(c["top"]), float(c["bottom"]))
        for c in raw
    ]
    tables: list[Ruled] = []
    if chars:
        tables = _page_ruled(page, page.page_number, offset, chars)
    rest = [Char(c.text, c.x0, c.x1, c.top + offset, c.bottom + offset) for c in chars if c.text]
    carry = None
    if rest:
        previous = columns if not tables else None  # a ruled table between: not going on
        unruled, rest, carry = pdf_unruled.tables(rest, page.page_number, previous)
        tables.extend(unruled)
        tables.sort(key=lambda t: t.top)
    return (
        Page(page.page_number, offset, float(page.height), tables, _lines(rest)),
        len(raw),
        unmapped,
    ), carry


# Page numbers as offices print them.
_PAGE_NUMBER = re.compile(
    r"^(第\s*\d+\s*页(\s*[,，/]?\s*共\s*\d+\s*页)?|共\s*\d+\s*页\s*第\s*\d+\s*页"
    r"|[-—–]\s*\d+\s*[-—–]|\d+\s*/\s*\d+|(page|Page|PAGE)\s*\d+(\s*of\s*\d+)?|\d{1,4})$"
)

_NUMBERED = re.compile(r"第\d+页|共\d+页|[Pp]age\d+|^[-—–]\d+[-—–]$|^\d+/\d+$")


def _drop_furniture(pages: list[Page]) -> None:
    """Drop page numbers and running headers/footers: lines above or below all of a page's
    content that are page numbers, or that repeat at the same height on several pages."""
    margins: list[tuple[Page, Line]] = []
    for page in pages:
        tops = [t.top for t in page.tables]
        bottoms = [t.bottom for t in page.tables]
        first = min([*tops, *(ln.top for ln in page.lines)], default=0.0)
        last = max([*bottoms, *(ln.bottom for ln in page.lines)], default=0.0)
        for line in page.lines:
            # Only the first and last lines of a page can be furniture.
            if line.top <= first + 0.5 or line.bottom >= last - 0.5:
                margins.append((page, line))

    def key(page: Page, line: Line) -> tuple[str, int]:
        text = line.text.replace(" ", "")
        if _NUMBERED.search(text):  # 第 3 页 / Page 3 / - 3 -: the number changes per page
            text = re.sub(r"\d+", "#", text)
        return text, round(line.top - page.top)

    seen = Counter(key(p, ln) for p, ln in margins)
    for page, line in margins:
        alone = len(page.lines) == 1 and not page.tables
        repeated = seen[key(page, line)] > 1 and not alone
        if repeated or _PAGE_NUMBER.match(line.text.replace(" ", "")):
            page.lines.remove(line)


def _blocks(pages: list[Page]) -> list[Block]:
    """Every page's tables and paragraphs in reading order, tables joined across pages."""
    items: list[tuple[float, Ruled | str, list[Line]]] = []
    right = _right_margin([ln for p in pages for ln in p.lines])
    for page in pages:
        placed: list[tuple[float, Ruled | str, list[Line]]] = [(t.top, t, []) for t in page.tables]
        for group in _paragraph_groups(page.lines, right):
            placed.append((group[0].top, _box_text(group, right), group))
        placed.sort(key=lambda item: item[0])
        items.extend(placed)
    # Where the page body ends: a table reaching it may go on on the next page.
    # (Not counting the text of a merged cell cut by the break, drawn below the table.)
    body = max(
        [t.bottom - p.top for p in pages for t in p.tables if t.last_page == p.number]
        + [
            ln.bottom - p.top
            for p in pages
            for ln in p.lines
            if not (p.tables and _in_column(p.tables[-1], [ln]))
        ],
        default=0.0,
    )
    page_tops = {p.number: p.top for p in pages}
    # Where the page body begins: a table going on from the page before starts there.
    start = min(
        [t.top - p.top for p in pages for t in p.tables]
        + [ln.top - p.top for p in pages for ln in p.lines],
        default=0.0,
    )
    joined: list[Ruled | str] = []
    # Lines in one column of the table before, between it and the next page's part: the text
    # of a merged cell a page break cut, drawn at the whole cell's middle (outside the part
    # printed on the page). Dropped if the table goes on, kept as paragraphs if not.
    held: list[str] = []
    for _, item, lines in items:
        previous = joined[-1] if joined else None
        if isinstance(item, str) and isinstance(previous, Ruled) and _in_column(previous, lines):
            held.append(item)
            continue
        if (
            isinstance(item, Ruled)
            and isinstance(previous, Ruled)
            and _continues(
                previous, item, body + page_tops[previous.last_page], start + page_tops[item.page]
            )
        ):
            _append(previous, item, body + page_tops[previous.last_page])
            held = []
            continue
        joined.extend(held)
        held = []
        joined.append(item)
    joined.extend(held)
    blocks: list[Block] = []
    per_page: Counter[int] = Counter()
    for item in joined:
        if isinstance(item, str):
            blocks.append(Paragraph(item))
            continue
        per_page[item.page] += 1
        place = f"第 {item.page} 页第 {per_page[item.page]} 个表格"
        blocks.append(Table(place, _grid(item.boxes, item.xs(), item.ys())))
    return blocks


def _in_column(table: Ruled, lines: list[Line]) -> bool:
    """True if short lines printed past a table's last part, on its page or the next page,
    fit in its columns (where merged cells the page break cut draw their text): every
    character within one column, none across a column rule."""
    if not lines or len(lines) > 2:
        return False
    xs = table.xs()
    columns = list(itertools.pairwise(xs))
    return all(
        all(
            any(
                x0 - _EDGE_TOLERANCE <= ch.x0 and ch.x1 <= x1 + _EDGE_TOLERANCE
                for x0, x1 in columns
            )
            for ch in ln.chars
        )
        and xs[0] - _EDGE_TOLERANCE <= ln.x0
        and ln.x1 <= xs[-1] + _EDGE_TOLERANCE
        and ln.top >= table.end - _EDGE_TOLERANCE
        for ln in lines
    )


def _right_margin(lines: list[Line]) -> float:
    """Where body lines end: the most common right edge (a centred title is not the margin)."""
    ends = Counter(round(ln.x1) for ln in lines)
    if not ends:
        return 0.0
    top = max(ends.values())
    return float(max(x for x, n in ends.items() if n == top))


def _paragraph_groups(lines: list[Line], right: float) -> list[list[Line]]:
    """Printed lines grouped into paragraphs: a full line continues in the next one."""
    groups: list[list[Line]] = []
    for line in lines:
        if groups:
            last = groups[-1][-1]
            close = line.top - last.bottom < last.size
            if close and _wraps(last, right, line):
                groups[-1].append(line)
                continue
        groups.append([line])
    return groups


# --- tables across pages -------------------------------------------------------------------


def _continues(table: Ruled, part: Ruled, body_end: float, body_start: float = 0.0) -> bool:
    """True if ``part`` goes on with ``table``: it starts the next page, the table ran to the
    page's end (its next row would not fit there) or the part repeats its header, and the
    columns are the same."""
    if part.page != table.last_page + 1:
        return False
    first_row = min((b.bottom - b.top for b in part.boxes if abs(b.top - part.top) < 1), default=0)
    repeated = _repeats(table, part)
    if not repeated and table.end + first_row < body_end - _EDGE_TOLERANCE:
        # The next row would have fit: a new table that starts a page, unless the page was
        # broken on purpose and the part repeats the table's header.
        return False
    if repeated:
        # A repeated header alone does not tell a table going on from a new one with the
        # same grid header: a new table may sit lower than the body's top (a title or a
        # page-break paragraph above it, dropped as a running line), and the table may end
        # with the new table's header block, printed above the break: the part's row under
        # its header is a row of that header's grid, and has not the rulings of the row
        # the table ends with.
        if part.top - body_start > _EDGE_TOLERANCE + first_row:
            return False
        ys = part.ys()
        if repeated < len(ys) - 1:
            following = [b for b in part.boxes if abs(b.top - ys[repeated]) <= _EDGE_TOLERANCE]
            # (Not counting the merged cells a narrower part leaves open beside it.)
            beside = {id(b) for b in _open_columns(table, part)}
            last = [
                b
                for b in table.boxes
                if abs(b.bottom - table.bottom) <= _EDGE_TOLERANCE and id(b) not in beside
            ]
            header = [b for b in part.boxes if b.top < ys[repeated] - _EDGE_TOLERANCE]
            theirs = _edges(following)
            if _within(theirs, _edges(header)) and not _within(_edges(last), theirs):
                return False
    if repeated and repeated == len(part.ys()) - 1:
        return True  # the header alone, dropped; the band below it goes on with the table
    mine, theirs = table.xs(), part.xs()
    if abs(table.x0 - part.x0) > _EDGE_TOLERANCE or abs(table.x1 - part.x1) > _EDGE_TOLERANCE:
        # A part narrower than the table goes on with it only where a merged cell the break
        # cut fills the columns it lacks: those have no closed box, so the part's edges are
        # some of the table's, its sides among them.
        return bool(_open_columns(table, part)) and _within(theirs, mine)
    near = all(any(abs(x - y) <= _EDGE_TOLERANCE for y in mine) for x in theirs)
    return near or all(any(abs(x - y) <= _EDGE_TOLERANCE for y in theirs) for x in mine)


def _open_columns(table: Ruled, part: Ruled) -> list[Box]:
    """The boxes of the table's last row beside a narrower part (left of or right of it): the
    merged cells a page break cut, going on down the part's side. None if such a box is
    not merged over rows above (a plain cell ends at the break) or the sides don't match."""
    last = [b for b in table.boxes if abs(b.bottom - table.bottom) <= _EDGE_TOLERANCE]
    beside = [
        b for b in last if b.x1 <= part.x0 + _EDGE_TOLERANCE or b.x0 >= part.x1 - _EDGE_TOLERANCE
    ]
    left = [b for b in beside if b.x1 <= part.x0 + _EDGE_TOLERANCE]
    right = [b for b in beside if b.x0 >= part.x1 - _EDGE_TOLERANCE]
    if part.x0 > table.x0 + _EDGE_TOLERANCE and (
        not left or abs(min(b.x0 for b in left) - table.x0) > _EDGE_TOLERANCE
    ):
        return []
    if part.x1 < table.x1 - _EDGE_TOLERANCE and (
        not right or abs(max(b.x1 for b in right) - table.x1) > _EDGE_TOLERANCE
    ):
        return []
    ys = table.ys()
    if not beside or not all(_spans_rows(b, ys) for b in beside):
        return []
    return beside


def _edges(boxes: list[Box]) -> list[float]:
    return _grid_lines([v for b in boxes for v in (b.x0, b.x1)])


def _within(xs: list[float], lines: list[float]) -> bool:
    """True if every edge of ``xs`` is one of ``lines`` (within the tolerance)."""
    return all(any(abs(x - y) <= _EDGE_TOLERANCE for y in lines) for x in xs)


def _append(table: Ruled, part: Ruled, body_end: float) -> None:
    """Join the next page's part to a table: drop a repeated header, rejoin cut merges."""
    shift = part.top - table.bottom
    boxes = [_moved(b, shift) for b in part.boxes]
    ys = _grid_lines([v for b in boxes for v in (b.top, b.bottom)])
    own_ys = table.ys()
    repeated = _repeats(table, part)
    if repeated:
        cut = ys[repeated]
        boxes = [b for b in boxes if b.top >= cut - _EDGE_TOLERANCE]
        if not boxes:
            # The header alone, repeated above another band of the page: the table goes on
            # there (the printed table's next band was split off, see ``_bands``).
            return
        lift = cut - table.bottom
        boxes = [_moved(b, lift) for b in boxes]
    last_row = [b for b in table.boxes if abs(b.bottom - table.bottom) <= _EDGE_TOLERANCE]
    first_row = [b for b in boxes if abs(b.top - table.bottom) <= _EDGE_TOLERANCE]
    row_height = min((b.bottom - b.top for b in first_row), default=0.0)
    pairs = [(box, _above(box, last_row)) for box in first_row]
    # The part above the break reaches the page's end (a line more would not fit).
    size = max((b.tail.size for b in last_row if b.tail), default=10.0)
    at_bottom = table.end >= body_end - 1.5 * size - 4
    single = [not _spans_rows(above, own_ys) if above else False for _, above in pairs]
    if _split_row(pairs, at_bottom, single):
        # One row the page break cut in two: each cell's text goes on in the part below.
        for box, above in pairs:
            assert above is not None
            above.text = _join(above.text, box.text) if above.text else box.text
            above.tail, above.room = (box.tail, box.room) if box.tail else (above.tail, box.room)
            above.bottom = box.bottom
            boxes.remove(box)
        pairs = []
    for box, above in pairs:
        if above is None or not (box.text or above.text):
            continue
        spans_above = _spans_rows(above, own_ys)
        spans_here = box.bottom - box.top > row_height + _EDGE_TOLERANCE
        if box.text:
            if not above.text and (spans_above or spans_here):
                # A merged cell left blank above the break, its text in the part below: a
                # spreadsheet prints a merged cell's text at the whole cell's middle.
                above.text, above.tail, above.room = box.text, box.tail, box.room
                above.bottom = box.bottom
                boxes.remove(box)
            continue
        # A blank box under a merged one, or itself merged down: the merged cell the page
        # break cut (a one-row blank under a one-row cell could be a blank cell, and stays).
        if spans_above or spans_here:
            above.bottom = box.bottom
            boxes.remove(box)
    for above in _open_columns(table, part):
        above.bottom = max([above.bottom, *(b.bottom for b in boxes)])
    table.boxes.extend(boxes)
    bottom = max(b.bottom for b in table.boxes)
    table.parts.append((table.bottom, bottom))
    table.bottom = bottom
    table.last_page = part.page
    table.end = part.end


def _page_count(document: Any, limit: int) -> int:
    """The document's pages, counted by walking its page tree up to one past ``limit``.

    The walk reads page dictionaries only (no content streams), and the page tree's own
    /Count is not trusted: a crafted file can state any number there.
    """
    from pdfminer.pdfpage import PDFPage

    pages = sum(1 for _ in itertools.islice(PDFPage.create_pages(document), limit + 1))
    if pages <= limit:
        return pages
    # Over the limit: the stated count says how far over, for the message.
    try:
        from pdfminer.pdftypes import resolve1

        stated = resolve1(resolve1(document.catalog["Pages"])["Count"])
    except Exception:  # no or broken page tree root: report what was counted
        return pages
    return stated if isinstance(stated, int) and stated > limit else pages


def _mismatch(kind: str) -> str:
    """Why a non-PDF file named .pdf cannot be read."""
    if kind == "image":
        return "这是图片文件，不是 PDF 格式；请先进行文字识别（OCR）或上传 Word/Excel 版本"
    if kind in ("zip", "ole"):
        return "这是 Office 文件，不是 PDF；请把扩展名改为 .docx/.xlsx/.doc 后再导入"
    return "文件已损坏或不是 PDF 格式"


def _is_password_error(exc: BaseException) -> bool:
    """True if the exception (or one it wraps) is pdfminer's encryption/password error."""
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    seen: set[int] = set()
    pending: list[object] = [exc]
    while pending:
        item = pending.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, PDFPasswordIncorrect | PDFEncryptionError):
            return True
        pending.extend([item.__cause__, item.__context__, *item.args])
    return False


def _repeats(table: Ruled, part: Ruled) -> int:
    """How many of the part's first rows repeat rows of the table, or of the printed table
    the table was split from (whose header the printer repeats)."""
    for source in (table, table.printed):
        if source is None:
            continue
        xs = _grid_lines([*source.xs(), *part.xs()])
        mine, theirs = _grid(source.boxes, xs, source.ys()), _grid(part.boxes, xs, part.ys())
        if repeated := _repeated_rows(mine, theirs, whole=part.followed):
            return repeated
    return 0


def _repeated_rows(mine: list[list[Cell]], theirs: list[list[Cell]], whole: bool = False) -> int:
    """How many of the part's first rows repeat rows of the table (a header printed again).

    Word repeats a table's first rows; an HTML or report printer repeats the grid's header,
    which may sit under a header block. Rows with fewer than three texts (a lone level name)
    are too plain to tell a repeat from data. The part is all repeated rows only where
    another band of its printed table follows it (``whole``).
    """
    texts = [[c.text for c in row] for row in mine]
    for k in range(min(len(texts), len(theirs) - (0 if whole else 1)), 0, -1):
        head = [[c.text for c in row] for row in theirs[:k]]
        if sum(1 for t in head[0] if t) < 3 and k < len(texts) and head != texts[:k]:
            continue
        if any(texts[j : j + k] == head for j in range(len(texts) - k + 1)):
            return k
    return 0


def _moved(box: Box, up: float) -> Box:
    return dataclasses.replace(box, top=box.top - up, bottom=box.bottom - up)


def _above(box: Box, row: list[Box]) -> Box | None:
    """The box of ``row`` with the same column span as ``box``."""
    for other in row:
        if abs(other.x0 - box.x0) <= _EDGE_TOLERANCE and abs(other.x1 - box.x1) <= _EDGE_TOLERANCE:
            return other
    return None


def _spans_rows(box: Box, ys: list[float]) -> bool:
    """True if a box spans several rows of a table whose row lines are ``ys`` (merged)."""
    return any(box.top + 1 < y < box.bottom - 1 for y in ys)


def _split_row(pairs: list[tuple[Box, Box | None]], at_bottom: bool, single: list[bool]) -> bool:
    """True if the part's first row is the rest of the table's last row (a row the page cut).

    Word and LibreOffice let a row break across pages: the part above the break fills the page
    to its bottom, each cell's text goes on below where it was cut, and a cell whose text was
    all printed above is blank below. Reaching the page's end is not enough (a printer that
    never splits rows, WeasyPrint, ends a page with whole rows that may nearly fill it), so
    the break must show: some cell of that row alone (``single``: not merged over rows above,
    whose blank rest below is just the merged cell going on) had text above and is blank
    here, and every cell with text here goes on from a cell above whose text was cut: lines
    filling the cell's width (its last line could not take the next word) down to the cell's
    bottom. A new row that did not fit (or may not be split) starts with its own short texts
    (names, values), which continue nothing; a row cut in narrow columns may go on in most
    cells, but its short names and values were printed whole above.
    """
    if not at_bottom or not pairs or any(above is None for _, above in pairs):
        return False
    ended = any(
        alone and above is not None and above.text and not box.text
        for (box, above), alone in zip(pairs, single, strict=True)
    )
    if not ended:
        return False
    texted = [(box, above) for box, above in pairs if box.text]
    if not texted:
        return False
    return all(_cut(box, above) for box, above in texted if above is not None)


def _cut(box: Box, above: Box) -> bool:
    """True if ``box`` holds the rest of ``above``'s text, cut by a page break.

    The box may be merged down over more rows: a merged level cell whose first row the
    break cut prints the rest of its name at its top (``效益指`` / ``标``).
    """
    tail, head = above.tail, box.head
    if tail is None or head is None or not head.chars or not above.text:
        return False
    if above.room > tail.size:
        return False  # the text above ends before the box does
    if _ITEM_START.match(head.text.strip()):
        return False
    right = above.x1 - above.pad
    full = above.head is not tail or tail.x1 - tail.x0 >= 0.5 * (right - tail.x0)
    return full and right - tail.x1 < _first_unit([head]) + 0.1 * tail.size
