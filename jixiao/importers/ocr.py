"""Scans: pages with no text layer, read by OCR into the same grid the other readers give.

A page is straightened (the angle of its long rulings), the table's rulings are found by
morphology (long horizontal and vertical runs of dark pixels), and the grid is built from them:
a cell whose ruling is missing on one side is merged with its neighbour (``Cell.origin``).
Text is found and read once per page by RapidOCR (PP-OCR models shipped inside the
``rapidocr-onnxruntime`` wheel: nothing is downloaded), each text line cut where a ruling crosses
it, and given to the cell holding its centre; lines outside any table become paragraphs.

A table cut by a page break is joined to its start when the columns match, and a row split by
the break is put back together. Every value read this way carries its engine confidence, and
is listed in ``Source.confirmations`` for a person to check, least sure first.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import os
import re
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jixiao.core.document import Confirmation
from jixiao.importers import limits
from jixiao.importers import vocab as v
from jixiao.importers.docx import failure
from jixiao.importers.grid import Cell, ImportFailure, Paragraph, Source, Table
from jixiao.importers.pages import tell

if TYPE_CHECKING:
    from numpy.typing import NDArray

    Image = NDArray[Any]  # a page: rows x columns of grey levels (uint8)

__all__ = ["RENDER_DPI", "read_pages", "read_pdf", "render_pdf"]

# Pages of a PDF are rendered at this resolution: enough for 5-pt text, and what scanners use.
RENDER_DPI = 200
# A page larger than this (pixels) is scaled down before reading: an A3 page at 200 dpi is
# 7.8 M pixels; a crafted PDF page of 200 x 200 inches would be 1.6 G.
MAX_PAGE_PIXELS = 12_000_000
# Text is found on a copy of the page scaled to at most this long side (detection is the
# costly part and needs no more), and read from the full-resolution page.
DETECT_SIDE = 1600
# Deskew: never turn a page by more than this (a page on its side is not a slight rotation).
MAX_SKEW_DEGREES = 8.0
# Text read with a lower score is dropped (noise, bits of rulings); anything above waits for
# a person's check with its score, so a faint lone digit is kept.
MIN_SCORE = 0.3


# --- the engine ----------------------------------------------------------------------------


@functools.cache
def _engine() -> Any:
    """The OCR engine, loaded once per process (about 0.1 s and 15 MB of models)."""
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        raise ImportFailure("文字识别组件（rapidocr-onnxruntime）未安装，无法读取扫描件") from exc
    # One thread per import: web workers import side by side, and on a shared machine one
    # thread each was faster than two contending (measured, benchmarks/README.md).
    threads = int(os.environ.get("JIXIAO_OCR_THREADS", "1"))
    return RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1)


# --- reading pages -------------------------------------------------------------------------


def render_pdf(path: Path, name: str) -> Iterator[tuple[int, Image]]:
    """The PDF's pages as images (page number from 1), within the page and time limits."""
    import numpy as np
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        reason = "文件已损坏或不是 PDF 格式"
        if "password" in str(exc).lower():
            reason = "文件已加密（设置了密码），请去掉密码后再导入"
        raise failure("PDF", name, reason) from exc
    try:
        if too_many := limits.check_pages(len(document)):
            raise failure("PDF", name, too_many)
        for index in range(len(document)):
            limits.check_time(f"第 {index + 1} 页")
            tell(index + 1, len(document), ocr=True)
            page = document[index]
            width, height = page.get_size()  # points
            scale = RENDER_DPI / 72
            pixels = width * height * scale * scale
            if pixels > MAX_PAGE_PIXELS:
                scale *= (MAX_PAGE_PIXELS / pixels) ** 0.5
            bitmap = page.render(scale=scale, grayscale=True)
            image = np.array(bitmap.to_pil().convert("L"))
            page.close()
            yield index + 1, image
    finally:
        document.close()


def read_pdf(path: Path, name: str) -> Source:
    """Read a PDF without a text layer by OCR, page by page."""
    return read_pages(name, render_pdf(path, name), label="PDF")


def read_pages(name: str, pages: Iterable[tuple[int, Image]], label: str = "图片") -> Source:
    """Read page images (grayscale arrays, numbered from 1) into a Source with confirmations.

    ``label`` names the file's kind in messages (图片, PDF).
    """
    source = Source(name)
    previous: _PageTable | None = None
    tables_found = 0
    read: list[Confirmation] = []
    for number, image in pages:
        limits.check_time(f"第 {number} 页")
        page = _read_page(number, image)
        tables_found += len(page.tables)
        for index, (paragraph, score) in enumerate(page.paragraphs, start=1):
            read.append(
                Confirmation(
                    f"第 {number} 页第 {index} 段", "正文", paragraph.text, _decimal(score)
                )
            )
        joined: _PageTable | None = None
        for block in page.blocks:
            if isinstance(block, _PageTable):
                if previous is not None and block is page.first and _continues(previous, block):
                    _append(previous, block)
                    joined = previous  # a table may run over many pages
                    continue
                source.blocks.append(block.table)
            else:
                source.blocks.append(block)
        last = page.last
        previous = joined if last is not None and last is page.first and joined else last
    if tables_found == 0:
        scanned = "PDF 没有文字层，按扫描件进行了文字识别（OCR），但" if label == "PDF" else ""
        raise failure(
            label,
            name,
            f"{scanned}没有找到带框线的表格（文字识别只读有表格线的绩效目标表）；"
            "请上传 Word/Excel 版本，或更清晰、端正的扫描件",
        )
    read.extend(_cell_confirmations(source))
    source.confirmations = sorted(read, key=lambda item: item.confidence)
    return source


# --- one page ------------------------------------------------------------------------------


@dataclass
class _Piece:
    """A run of text as read: its box on the page (after deskew), text and score."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    score: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass
class _PageTable:
    """A table found on a page, with the geometry needed to join it to the next page's."""

    table: Table
    xs: list[float]  # column rulings, page pixels


@dataclass
class _Page:
    """One page read: its blocks in reading order (tables still with their geometry)."""

    blocks: list[Paragraph | _PageTable]
    paragraphs: list[tuple[Paragraph, float]]  # in reading order, with their confidence

    @property
    def tables(self) -> list[_PageTable]:
        return [b for b in self.blocks if isinstance(b, _PageTable)]

    @property
    def first(self) -> Paragraph | _PageTable | None:
        body = [b for b in self.blocks if not _is_furniture(b)]
        return body[0] if body else None

    @property
    def last(self) -> _PageTable | None:
        body = [b for b in self.blocks if not _is_furniture(b)]
        return body[-1] if body and isinstance(body[-1], _PageTable) else None


_PAGE_NUMBER = re.compile(
    r"^\s*(第\s*\d+\s*页(\s*[,，/]?\s*共\s*\d+\s*页)?|[-—–\s]*\d+[-—–\s]*)\s*$"
)


def _is_furniture(block: Paragraph | _PageTable) -> bool:
    """A page number line: not content, so a table above it still ends its page."""
    return isinstance(block, Paragraph) and bool(_PAGE_NUMBER.match(block.text))


def _read_page(number: int, gray: Image) -> _Page:
    """Straighten, find rulings and tables, read the text and place it."""
    import cv2

    gray = _limit_size(gray)
    gray = _deskew(gray)
    pieces = _detect(gray)
    gray, pieces = _upright(gray, pieces)
    limits.check_time(f"第 {number} 页")
    text_height = statistics.median(p.height for p in pieces) if pieces else 30.0
    rulings = _Rulings.find(gray, text_height)
    grids = rulings.tables()
    pieces = _distinct([q for p in pieces for q in _cut(p, grids)])
    colour = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    _recognise(colour, pieces, grids)
    pieces = [p for p in pieces if p.text.strip() and p.score >= MIN_SCORE]

    placed: list[tuple[float, Paragraph | _PageTable]] = []
    inside: set[int] = set()
    held = [[i for i, p in enumerate(pieces) if grid.holds(p.cx, p.cy)] for grid in grids]
    # A grid with no text is a frame or a shaded box, not a table.
    found = [(grid, members) for grid, members in zip(grids, held, strict=True) if members]
    for t, (grid, members) in enumerate(found, start=1):
        inside.update(members)
        place = f"第 {number} 页第 {t} 个表格"
        placed.append((grid.ys[0], grid.build(place, [pieces[i] for i in members])))
    outside = [p for i, p in enumerate(pieces) if i not in inside]
    paragraphs = []
    for top, text, score in _paragraphs(outside):
        paragraph = Paragraph(text)
        placed.append((top, paragraph))
        paragraphs.append((paragraph, score))
    placed.sort(key=lambda item: item[0])  # stable: paragraphs keep their order
    return _Page([block for _, block in placed], paragraphs)


def _upright(gray: Image, pieces: list[_Piece]) -> tuple[Image, list[_Piece]]:
    """The page the right way up: a landscape table scanned sideways, or a page fed upside down.

    Text lines standing taller than wide mean the page lies on its side; the engine's angle
    classifier on the widest lines tells upright from upside down.
    """
    import cv2

    def standing(found: list[_Piece]) -> float:
        return statistics.median(p.height / max(p.x1 - p.x0, 1.0) for p in found)

    # Upright text lines lie (a page of them measures about 0.4); a page on its side has its
    # lines standing or, short, cut into squarish runs. When unsure, the turned page is tried.
    if len(pieces) >= 3 and standing(pieces) > 0.8:
        turned = _deskew(cv2.rotate(gray, cv2.ROTATE_90_CLOCKWISE))
        found = _detect(turned)
        if len(found) >= 3 and standing(found) < standing(pieces):
            gray, pieces = turned, found
    widest = sorted(pieces, key=lambda p: p.x1 - p.x0, reverse=True)[:12]
    crops = [
        cv2.cvtColor(gray[int(p.y0) : int(p.y1), max(0, int(p.x0)) : int(p.x1)], cv2.COLOR_GRAY2BGR)
        for p in widest
        if p.x1 - p.x0 > 2 * p.height
    ]
    if crops:
        _, labels, _ = _engine().text_cls(crops)
        down = sum(1 for label, score in labels if label == "180" and score > 0.9)
        if down * 2 > len(crops):
            gray = cv2.rotate(gray, cv2.ROTATE_180)
            pieces = _detect(gray)
    return gray, pieces


def _limit_size(gray: Image) -> Image:
    import cv2

    h, w = gray.shape[:2]
    if h * w <= MAX_PAGE_PIXELS:
        return gray
    scale = (MAX_PAGE_PIXELS / (h * w)) ** 0.5
    return cv2.resize(gray, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA)


def _ink(gray: Image) -> Image:
    """Dark pixels as 255 on 0: a local threshold, so shading and uneven light do not matter."""
    import cv2

    return cv2.adaptiveThreshold(
        gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15
    )


def _deskew(gray: Image) -> Image:
    """The page turned so its long rulings (or, lacking them, text lines) are level."""
    import cv2
    import numpy as np

    h, w = gray.shape[:2]
    ink = _ink(gray)
    angles: list[tuple[float, float]] = []
    # Thicken vertically so a tilted thin line still forms long horizontal runs; a page turned
    # further needs more thickening and shorter runs (then text lines count too: as level).
    for thicken, run in ((3, w // 25), (9, w // 60)):
        thick = cv2.dilate(ink, np.ones((thicken, 1), np.uint8))
        long_runs = cv2.morphologyEx(thick, cv2.MORPH_OPEN, np.ones((1, max(20, run)), np.uint8))
        lines = cv2.HoughLinesP(
            long_runs, 1, np.pi / 1800, threshold=w // 8, minLineLength=w // 5, maxLineGap=w // 100
        )
        for x1, y1, x2, y2 in [] if lines is None else lines.reshape(-1, 4):
            length = float(np.hypot(x2 - x1, y2 - y1))
            angle = float(np.degrees(np.arctan2(y2 - y1, x2 - x1)))
            if abs(angle) <= MAX_SKEW_DEGREES:
                angles.append((angle, length))
        if len(angles) >= 2:
            break
    if not angles:
        return gray
    angle = _weighted_median(angles)
    if abs(angle) < 0.05:
        return gray
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=(255,))


def _weighted_median(values: list[tuple[float, float]]) -> float:
    ordered = sorted(values)
    half = sum(weight for _, weight in ordered) / 2
    total = 0.0
    for value, weight in ordered:
        total += weight
        if total >= half:
            return value
    return ordered[-1][0]


def _detect(gray: Image) -> list[_Piece]:
    """Text line boxes, found on a scaled-down copy and given in page pixels."""
    import cv2

    h, w = gray.shape[:2]
    scale = min(1.0, DETECT_SIDE / max(h, w))
    small = gray if scale == 1.0 else cv2.resize(gray, (int(w * scale), int(h * scale)))
    boxes, _ = _engine().text_det(cv2.cvtColor(small, cv2.COLOR_GRAY2BGR))
    pieces = []
    for box in [] if boxes is None else boxes:
        xs = [float(p[0]) / scale for p in box]
        ys = [float(p[1]) / scale for p in box]
        # A little room at the ends: a box found on the scaled copy can clip a thin last
        # mark (the ``)`` of ``(50分)``); a ruling is kept out by the cell's bounds later.
        pad = (max(ys) - min(ys)) * 0.15
        pieces.append(_Piece(min(xs) - pad, min(ys), max(xs) + pad, max(ys), "", 0.0))
    return pieces


def _recognise(colour: Image, pieces: list[_Piece], grids: list[_Grid]) -> None:
    """Read every piece from the full-resolution page, in one batch run."""
    h, w = colour.shape[:2]
    crops = []
    for p in pieces:
        x0, x1 = max(0, int(p.x0)), min(w, int(p.x1 + 0.999))
        y0, y1 = max(0, int(p.y0)), min(h, int(p.y1 + 0.999))
        crops.append(colour[y0:y1, x0:x1] if x1 - x0 > 2 and y1 - y0 > 2 else None)
    todo = [i for i, crop in enumerate(crops) if crop is not None]
    if not todo:
        return
    results, _ = _engine().text_rec([crops[i] for i in todo])
    for i, (text, score) in zip(todo, results, strict=True):
        pieces[i].text = _clean(text)
        pieces[i].score = float(score)
    _reread_lone_marks(crops, pieces)


# A piece no wider than this many heights is one or two marks: read alone, the engine often
# fails on them (a lone ≥ in a 符号 column reads as N), though it reads them in a word.
_LONE_WIDTH = 1.6
_SURE = 0.98


def _reread_lone_marks(crops: list[Image | None], pieces: list[_Piece]) -> None:
    """Read again each unsure lone mark, set before a word the page read surely (``500``).

    The engine reads the pair; when it gives back the word at the end, the rest is the mark.
    """
    import numpy as np

    unsure = [
        i
        for i, (p, crop) in enumerate(zip(pieces, crops, strict=True))
        if crop is not None and p.x1 - p.x0 <= _LONE_WIDTH * p.height and p.score < 0.9
    ]
    words = [
        i
        for i, p in enumerate(pieces)
        if crops[i] is not None
        and p.score >= _SURE
        and 2 <= len(p.text) <= 6
        and p.text.isascii()
        and p.text.isalnum()
    ]
    if not unsure or not words:
        return
    import cv2

    word = max(words, key=lambda i: pieces[i].score)
    reference = crops[word]
    assert reference is not None
    pairs = []
    for i in unsure:
        crop = crops[i]
        assert crop is not None
        height = crop.shape[0]
        scaled = cv2.resize(
            reference, (max(1, reference.shape[1] * height // reference.shape[0]), height)
        )
        gap = np.full((height, height // 3, 3), 255, dtype=crop.dtype)
        pairs.append(np.hstack([crop, gap, scaled]))
    results, _ = _engine().text_rec(pairs)
    for i, (text, score) in zip(unsure, results, strict=True):
        text = _clean(text)
        mark = text.removesuffix(pieces[word].text).strip()
        if text.endswith(pieces[word].text) and mark and float(score) > pieces[i].score:
            pieces[i].text, pieces[i].score = mark, float(score)


# Marks the engine reads for others that look alike at 200 dpi: 丶 (a radical, never
# written alone) for the enumeration comma, a middle dot between Chinese for the full stop.
_LOOKALIKES = [
    (re.compile("丶"), "、"),
    (re.compile(r"(?<=[\u4e00-\u9fff])[·•](?=[\u4e00-\u9fff])"), "。"),
    (re.compile(r"^\(([一二三四五六七八九十]+)[)）]"), r"（\1）"),
]


def _clean(text: str) -> str:
    """The engine's text with look-alike marks put right; a bar at either end is a ruling."""
    text = text.strip().strip("|丨｜").strip()
    for pattern, replacement in _LOOKALIKES:
        text = pattern.sub(replacement, text)
    return text


# --- rulings and grids ---------------------------------------------------------------------


@dataclass
class _Segment:
    """A straight run of a ruling: ``at`` is its position across, [lo, hi] along."""

    at: float
    lo: float
    hi: float


def _segments(mask: Image, horizontal: bool) -> list[_Segment]:
    import cv2

    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    found = []
    for i in range(1, count):
        x, y, w, h = (int(s) for s in stats[i][:4])
        if horizontal:
            found.append(_Segment(y + h / 2, x, x + w))
        else:
            found.append(_Segment(x + w / 2, y, y + h))
    return found


def _cluster(positions: list[float], tolerance: float) -> list[float]:
    """Distinct line positions: values within ``tolerance`` of the previous are the same."""
    groups: list[list[float]] = []
    for value in sorted(positions):
        if groups and value - groups[-1][-1] <= tolerance:
            groups[-1].append(value)
        else:
            groups.append([value])
    return [statistics.median(g) for g in groups]


@dataclass
class _Rulings:
    """The page's ruling masks (one per direction) and the segments accepted as rulings."""

    horizontal: Image
    vertical: Image
    h_segments: list[_Segment]
    v_segments: list[_Segment]
    tolerance: float

    @classmethod
    def find(cls, gray: Image, text_height: float) -> _Rulings:
        """Horizontal and vertical rulings of a (straightened) page.

        A horizontal ruling is a run far longer than any character stroke. A vertical one may be
        as short as a one-line row, little more than a character, so a short vertical run is
        accepted only when both of its ends meet horizontal rulings, as a cell's side does.
        """
        import cv2
        import numpy as np

        h, w = gray.shape[:2]
        ink = _ink(gray)
        # Bridge the pixel gaps JPEG leaves in a thin vertical line (a horizontal one is long
        # enough to be found in pieces; closing it would join characters' strokes instead).
        down = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((3, 1), np.uint8))
        long_h = max(20, int(text_height * 3))
        hmask = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, long_h), np.uint8))
        short_v = max(8, int(text_height * 0.5))
        vmask = cv2.morphologyEx(down, cv2.MORPH_OPEN, np.ones((short_v, 1), np.uint8))
        tolerance = max(4.0, text_height * 0.25)
        h_segments = [s for s in _segments(hmask, True) if s.hi - s.lo >= long_h]
        # A cell side runs through the rulings above and below it (past their middle, by up
        # to their thickness); a character's stroke, even one touching a ruling, stops short.
        reach = max(3.0, text_height * 0.12)

        def meets(y: float, x: float, down: bool) -> bool:
            return any(
                (s.at - 1.5 <= y <= s.at + reach if down else s.at - reach <= y <= s.at + 1.5)
                and s.lo - tolerance <= x <= s.hi + tolerance
                for s in h_segments
            )

        v_segments = []
        keep = np.zeros_like(vmask)
        for s in _segments(vmask, False):
            long_enough = s.hi - s.lo >= text_height * 2.5
            if long_enough or (meets(s.lo, s.at, False) and meets(s.hi, s.at, True)):
                v_segments.append(s)
        for s in v_segments:
            x = round(s.at)
            keep[int(s.lo) : int(s.hi), max(0, x - 1) : min(w, x + 2)] = 255
        hkeep = np.zeros_like(hmask)
        for s in h_segments:
            y = round(s.at)
            hkeep[max(0, y - 1) : min(h, y + 2), int(s.lo) : int(s.hi)] = 255
        return cls(hkeep, keep, h_segments, v_segments, tolerance)

    def tables(self) -> list[_Grid]:
        """One grid per connected set of rulings with at least two lines each way."""
        import cv2
        import numpy as np

        both = cv2.dilate(cv2.bitwise_or(self.horizontal, self.vertical), np.ones((5, 5), np.uint8))
        count, _, stats, _ = cv2.connectedComponentsWithStats(both, connectivity=8)
        grids = []
        t = self.tolerance
        for i in range(1, count):
            x, y, w, h = (int(s) for s in stats[i][:4])

            def inside(
                s: _Segment, horizontal: bool, x: int = x, y: int = y, w: int = w, h: int = h
            ) -> bool:
                if horizontal:
                    return y - t <= s.at <= y + h + t and s.lo >= x - t and s.hi <= x + w + t
                return x - t <= s.at <= x + w + t and s.lo >= y - t and s.hi <= y + h + t

            hs = [s for s in self.h_segments if inside(s, True)]
            vs = [s for s in self.v_segments if inside(s, False)]
            ys = _cluster([s.at for s in hs], t)
            xs = _cluster([s.at for s in vs], t)
            if not xs or not ys:
                continue
            # A table printed without its outer sides: the horizontal rulings end its row.
            left, right = min(s.lo for s in hs), max(s.hi for s in hs)
            if left < xs[0] - 3 * t:
                xs.insert(0, left)
            if right > xs[-1] + 3 * t:
                xs.append(right)
            if len(ys) < 2 or len(xs) < 2 or len(ys) + len(xs) < 5:
                continue  # one frame is not a table
            grids.append(_Grid(xs, ys, self, t))
        grids.sort(key=lambda g: (g.ys[0], g.xs[0]))
        return grids


@dataclass
class _Grid:
    """A table's grid lines; which cell sides are ruled says which positions are merged."""

    xs: list[float]
    ys: list[float]
    rulings: _Rulings
    tolerance: float

    def holds(self, x: float, y: float) -> bool:
        return self.xs[0] < x < self.xs[-1] and self.ys[0] < y < self.ys[-1]

    def covered(self, mask: Image, at: float, lo: float, hi: float, horizontal: bool) -> float:
        """How much of the stretch [lo, hi] at ``at`` the ruling mask covers (0..1)."""
        band = max(2, int(self.tolerance / 2))
        a, b = int(lo + self.tolerance), int(hi - self.tolerance)
        if b <= a:
            return 1.0
        p = round(at)
        strip = (
            mask[max(0, p - band) : p + band + 1, a:b]
            if horizontal
            else (mask[a:b, max(0, p - band) : p + band + 1].T)
        )
        return float((strip.max(axis=0) > 0).mean())

    def _ruled_right(self, r: int, c: int) -> bool:
        return (
            self.covered(self.rulings.vertical, self.xs[c + 1], self.ys[r], self.ys[r + 1], False)
            >= 0.5
        )

    def _ruled_below(self, r: int, c: int) -> bool:
        return (
            self.covered(self.rulings.horizontal, self.ys[r + 1], self.xs[c], self.xs[c + 1], True)
            >= 0.5
        )

    @functools.cached_property
    def origins(self) -> list[list[tuple[int, int]]]:
        """Each position's region origin: positions joined where no ruling separates them."""
        rows, cols = len(self.ys) - 1, len(self.xs) - 1
        parent = {(r, c): (r, c) for r in range(rows) for c in range(cols)}

        def find(p: tuple[int, int]) -> tuple[int, int]:
            while parent[p] != p:
                parent[p] = parent[parent[p]]
                p = parent[p]
            return p

        def union(a: tuple[int, int], b: tuple[int, int]) -> None:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)

        for r in range(rows):
            for c in range(cols):
                if c + 1 < cols and not self._ruled_right(r, c):
                    union((r, c), (r, c + 1))
                if r + 1 < rows and not self._ruled_below(r, c):
                    union((r, c), (r + 1, c))
        members: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for p in parent:
            members.setdefault(find(p), []).append(p)
        origin = {}
        for group in members.values():
            top_left = (min(r for r, _ in group), min(c for _, c in group))
            for p in group:
                origin[p] = top_left
        return [[origin[(r, c)] for c in range(cols)] for r in range(rows)]

    @functools.cached_property
    def bounds(self) -> dict[tuple[int, int], tuple[float, float, float, float]]:
        """Each region's box (x0, y0, x1, y1), by its origin."""
        found: dict[tuple[int, int], tuple[float, float, float, float]] = {}
        for r, row in enumerate(self.origins):
            for c, origin in enumerate(row):
                box = (self.xs[c], self.ys[r], self.xs[c + 1], self.ys[r + 1])
                if origin in found:
                    old = found[origin]
                    box = (
                        min(old[0], box[0]),
                        min(old[1], box[1]),
                        max(old[2], box[2]),
                        max(old[3], box[3]),
                    )
                found[origin] = box
        return found

    def region_box(self, x: float, y: float) -> tuple[float, float, float, float]:
        """The box of the region holding a point."""
        r, c = self.position(x, y)
        return self.bounds[self.origins[r][c]]

    def position(self, x: float, y: float) -> tuple[int, int]:
        r = min(max(bisect.bisect(self.ys, y) - 1, 0), len(self.ys) - 2)
        c = min(max(bisect.bisect(self.xs, x) - 1, 0), len(self.xs) - 2)
        return r, c

    def build(self, place: str, pieces: list[_Piece]) -> _PageTable:
        """The table: each region's text from the pieces whose centres fall in it."""
        origins = self.origins
        held: dict[tuple[int, int], list[_Piece]] = {}
        for p in pieces:
            r, c = self.position(p.cx, p.cy)
            held.setdefault(origins[r][c], []).append(p)
        texts = {o: _join_lines(ps) for o, ps in held.items()}
        scores = {o: min(p.score for p in ps) for o, ps in held.items()}
        rows = [
            [Cell(texts.get(o, ""), o, scores.get(o) if texts.get(o) else None) for o in row]
            for row in origins
        ]
        return _PageTable(Table(place, rows), self.xs)


def _cut(piece: _Piece, grids: list[_Grid]) -> list[_Piece]:
    """A detected text line split where a ruling crosses it, each part kept inside its cell.

    The detector may run one box over two cells whose texts nearly touch (`≥200条冀干考发`).
    """
    for grid in grids:
        if not grid.holds(piece.cx, piece.cy):
            continue
        margin = grid.tolerance / 2
        cuts = [
            x
            for x in grid.xs[1:-1]
            if piece.x0 + piece.height * 0.4 < x < piece.x1 - piece.height * 0.4
            and grid.covered(grid.rulings.vertical, x, piece.y0, piece.y1, False) >= 0.5
        ]
        edges = [piece.x0, *cuts, piece.x1]
        parts = []
        for left, right in itertools.pairwise(edges):
            # Keep each part inside its cell, off the rulings around it.
            x0, y0, x1, y1 = grid.region_box((left + right) / 2, piece.cy)
            lo, hi = max(left, x0 + margin), min(right, x1 - margin)
            top, bottom = max(piece.y0, y0 + margin), min(piece.y1, y1 - margin)
            if bottom - top < piece.height * 0.5:
                top, bottom = piece.y0, piece.y1
            if hi - lo > piece.height * 0.3:
                parts.append(_Piece(lo, top, hi, bottom, "", 0.0))
        return parts
    return [piece]


def _distinct(pieces: list[_Piece]) -> list[_Piece]:
    """The pieces without those mostly inside a wider one: the detector can box a text both on
    its own and together with its neighbour across a ruling, and the cut leaves a copy."""

    def overlap(a0: float, a1: float, b0: float, b1: float) -> float:
        return max(0.0, min(a1, b1) - max(a0, b0)) / max(min(a1 - a0, b1 - b0), 1e-6)

    kept: list[_Piece] = []
    for p in sorted(pieces, key=lambda p: p.x1 - p.x0, reverse=True):
        if not any(
            overlap(p.x0, p.x1, q.x0, q.x1) > 0.5 and overlap(p.y0, p.y1, q.y0, q.y1) > 0.5
            for q in kept
        ):
            kept.append(p)
    return kept


# --- text in reading order -----------------------------------------------------------------

# A line starting like this begins a new item, not the wrapped rest of the line above.
_ITEM_START = re.compile(
    r"^\s*(（[一二三四五六七八九十\d]+）|\([一二三四五六七八九十\d]+\)|[一二三四五六七八九十]+、"
    r"|\d+\s*[.、．](?!\d)|第[一二三四五六七八九十]+部分)"
)


def _lines(pieces: list[_Piece]) -> list[list[_Piece]]:
    """Pieces grouped into lines (overlapping vertically), top to bottom, each left to right."""
    lines: list[list[_Piece]] = []
    for p in sorted(pieces, key=lambda p: p.cy):
        if lines:
            last = lines[-1]
            top = statistics.median(q.y0 for q in last)
            bottom = statistics.median(q.y1 for q in last)
            overlap = min(bottom, p.y1) - max(top, p.y0)
            if overlap > 0.5 * min(bottom - top, p.height):
                last.append(p)
                continue
        lines.append([p])
    return [sorted(line, key=lambda p: p.x0) for line in lines]


def _glue(left: str, right: str) -> str:
    """Two texts joined: nothing between Chinese or a code's parts, a space in Latin prose."""
    if not left:
        return right
    latin = left[-1].isascii() and left[-1].isalpha() and right[:1].isascii()
    if latin and right[:1].isalpha() and " " in left:
        return f"{left} {right}"
    return left + right


def _join_lines(pieces: list[_Piece]) -> str:
    """A cell's text: its lines joined in reading order; a numbered item starts a new line."""
    text = ""
    for line in _lines(pieces):
        line_text = ""
        for p in line:
            line_text = _glue(line_text, p.text)
        if text and _ITEM_START.match(line_text):
            text += "\n" + line_text
        else:
            text = _glue(text, line_text)
    return text


def _paragraphs(pieces: list[_Piece]) -> list[tuple[float, str, float]]:
    """Text outside tables as paragraphs (top, text, lowest score): a full line continues."""
    lines = _lines(pieces)
    if not lines:
        return []
    right = max(line[-1].x1 for line in lines)
    found: list[tuple[float, str, float]] = []
    previous: list[_Piece] | None = None
    for line in lines:
        text = ""
        for p in line:
            text = _glue(text, p.text)
        height = statistics.median(p.height for p in line)
        score = min(p.score for p in line)
        if previous is not None and found:
            gap = line[0].y0 - max(p.y1 for p in previous)
            full = previous[-1].x1 >= right - 2.5 * height
            if gap < height and full and not _ITEM_START.match(text):
                top, joined, low = found[-1]
                found[-1] = (top, _glue(joined, text), min(low, score))
                previous = line
                continue
        found.append((line[0].y0, text, score))
        previous = line
    return found


# --- tables across pages -------------------------------------------------------------------


def _continues(above: _PageTable, below: _PageTable) -> bool:
    """True if ``below`` (first on its page) goes on with ``above`` (last on the page before).

    The columns must match: every ruling of ``below`` lies where ``above`` has one (relative to
    the table's left edge, scans shift), and both span the same width.
    """
    if not above.xs or not below.xs:
        return False
    width = above.xs[-1] - above.xs[0]
    tolerance = max(6.0, width * 0.01)
    if abs((below.xs[-1] - below.xs[0]) - width) > tolerance:
        return False
    left_a, left_b = above.xs[0], below.xs[0]
    return all(
        any(abs((x - left_b) - (y - left_a)) <= tolerance for y in above.xs) for x in below.xs
    )


def _append(above: _PageTable, below: _PageTable) -> None:
    """Join ``below`` onto ``above``: columns mapped by position, merges and a split row mended.

    A region blank at the top of ``below`` under a merged region of ``above`` is that merge,
    cut by the page break. The first row of ``below`` is the rest of ``above``'s last row when
    it leaves blank an unmerged cell that the last row has filled (a row broken by the page):
    its texts are added to the last row's.
    """
    table = above.table
    left_a, left_b = above.xs[0], below.xs[0]

    def column(x: float) -> int:
        return min(range(len(above.xs)), key=lambda i: abs((above.xs[i] - left_a) - (x - left_b)))

    # below's column c covers above's columns [start[c], start[c + 1]).
    start = [column(x) for x in below.xs]
    width = table.width
    rows: list[list[Cell]] = []
    for row in below.table.rows:
        cells: list[Cell] = []
        for c, cell in enumerate(row):
            span = max(1, start[c + 1] - start[c])
            origin = (cell.origin[0], start[cell.origin[1]])
            cells.extend(Cell(cell.text, origin, cell.confidence) for _ in range(span))
        rows.append((cells + [Cell("", (len(rows), k)) for k in range(len(cells), width)])[:width])
    if not rows:
        return
    last = table.rows[-1]
    n = len(table.rows)

    def merged_down(grid: list[list[Cell]], r: int, k: int) -> bool:
        """True if the position's region reaches another row."""
        origin = grid[r][k].origin
        return any(0 <= i < len(grid) and grid[i][k].origin == origin for i in (r - 1, r + 1))

    split = any(
        not rows[0][k].text
        and last[k].text
        and not merged_down(rows, 0, k)
        and not merged_down(table.rows, n - 1, k)
        for k in range(width)
    )
    remap: dict[tuple[int, int], tuple[int, int]] = {}
    grown: dict[tuple[int, int], Cell] = {}
    for k, cell in enumerate(rows[0]):
        if cell.origin[0] != 0 or cell.origin in remap or not last[k].text:
            continue
        if split or (
            not cell.text and merged_down(rows, 0, k) and merged_down(table.rows, n - 1, k)
        ):
            target = last[k].origin
            remap[cell.origin] = target
            if cell.text:
                before = grown.get(target, last[k])
                scores = [s for s in (before.confidence, cell.confidence) if s is not None]
                grown[target] = Cell(
                    _glue(before.text, cell.text), target, min(scores) if scores else None
                )
    shift = n - (1 if split else 0)
    for r, row in enumerate(rows):
        if split and r == 0:
            continue
        out = []
        for cell in row:
            if cell.origin in remap:
                target = remap[cell.origin]
                out.append(grown.get(target, table.rows[target[0]][target[1]]))
            else:
                out.append(
                    Cell(cell.text, (cell.origin[0] + shift, cell.origin[1]), cell.confidence)
                )
        table.rows.append(out)
    for row in table.rows:
        for k, cell in enumerate(row):
            if cell.origin in grown:
                row[k] = grown[cell.origin]


# --- confirmations -------------------------------------------------------------------------


def _header_rows(table: Table) -> list[int]:
    """The rows naming the grid's columns (one per project the table holds), each followed by
    its second header row when it has one (符号 | 值 | 单位 under a spanning 指标值)."""
    found = []
    for r, row in enumerate(table.rows):
        anchors = [cell.text for c, cell in enumerate(row) if cell.origin == (r, c)]
        roles = [v.column_role(t.replace("\n", "")) for t in anchors if len(t) <= 30]
        named = [role for role in roles if role]
        if len(named) >= 3 and {v.LEVEL1, v.LEVEL2, v.LEVEL3} & set(named):
            found.append(r)
        elif found and found[-1] == r - 1:
            subs = [t for t in anchors if v.subheader_role(t.replace("\n", ""))]
            if len(subs) >= 2:
                found.append(r)
    return found


def _field(table: Table, headers: list[int], r: int, c: int) -> str:
    """What a cell holds, for the person checking it: the label left of it (a header block's
    预算数 | 15.00), else its column's header, the lowest header row naming it."""
    for left in range(c - 1, -1, -1):
        cell = table.rows[r][left]
        if cell.origin[1] == left and cell.text:
            label = cell.text.replace("\n", "")
            if v.label_kind(label):
                return label
            break
    above = [h for h in headers if h < r]
    for h in reversed(above):
        name = table.rows[h][c].text.replace("\n", "")
        if name and (h == above[-1] or h + 1 == above[-1]):
            return name
    return ""


def _cell_confirmations(source: Source) -> list[Confirmation]:
    """Every table cell read, with its place, column name and confidence."""
    found: list[Confirmation] = []
    for table in source.tables:
        headers = _header_rows(table)
        for r, row in enumerate(table.rows):
            for c, cell in enumerate(row):
                if cell.origin != (r, c) or not cell.text or cell.confidence is None:
                    continue
                name = _field(table, headers, r, c)
                where = f"{table.place}第 {r + 1} 行" + (
                    f"“{name}”列" if name else f"第 {c + 1} 列"
                )
                found.append(
                    Confirmation(where, name or "表格文字", cell.text, _decimal(cell.confidence))
                )
    return found


def _decimal(score: float) -> Decimal:
    return Decimal(str(round(score, 2))).quantize(Decimal("0.01"))
