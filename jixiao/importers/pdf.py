"""PDF reader: ruled tables per page (merges recovered from cell boxes) and lines of text."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from pathlib import Path
from typing import Any

from jixiao.importers import docx as office
from jixiao.importers import limits
from jixiao.importers.grid import Block, Cell, ImportFailure, Paragraph, Source, Table

__all__ = ["read"]

_LABEL = "PDF"
# Cell edges closer than this (in points) are the same grid line.
_EDGE_TOLERANCE = 1.5
_TEXT_STRATEGY = {"vertical_strategy": "text", "horizontal_strategy": "text"}


def read(path: Path) -> Source:
    """Read a PDF's tables and text, page by page, in reading order.

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

        blocks: list[Block] = []
        chars = unmapped = 0
        with pdfplumber.open(path) as pdf:
            if reason := limits.check_pages(_page_count(pdf.doc, limits.current().pdf_pages)):
                raise office.failure(_LABEL, name, reason)
            for page in pdf.pages:
                limits.check_time(f"第 {page.page_number} 页")
                page_chars = [c for c in page.chars if c.get("text", "").strip()]
                chars += len(page_chars)
                unmapped += sum(1 for c in page_chars if c["text"].startswith("(cid:"))
                if page_chars:
                    blocks.extend(_page_blocks(page))
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
    return Source(name, blocks)


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


def _page_blocks(page: Any) -> list[Block]:
    """One page's tables and outside-table text lines, sorted top to bottom."""
    found = []
    for number, table in enumerate(page.find_tables(), start=1):
        limits.check_time(f"第 {page.page_number} 页第 {number} 个表格")
        found.append((table.bbox, _ruled_grid(table)))
    found = [(bbox, rows) for bbox, rows in found if any(c.text for row in rows for c in row)]
    if not found:
        found = _text_tables(page)
    bboxes = [bbox for bbox, _ in found]

    def outside(obj: dict[str, Any]) -> bool:
        if obj.get("object_type") != "char":
            return True
        return not any(_contains(bbox, obj) for bbox in bboxes)

    placed: list[tuple[float, float, Block]] = []
    lines = [ln for ln in page.filter(outside).extract_text_lines() if ln["text"].strip()]
    right = _right_margin(lines)
    for group in _paragraph_groups(lines, right):
        text = _join_wrapped([(ln["text"].strip(), float(ln["x1"])) for ln in group], right)
        placed.append((group[0]["top"], group[0]["x0"], Paragraph(text)))
    found.sort(key=lambda item: (item[0][1], item[0][0]))
    for number, (bbox, rows) in enumerate(found, start=1):
        table = Table(f"page {page.page_number} table {number}", rows)
        placed.append((bbox[1], bbox[0], table))
    placed.sort(key=lambda item: (item[0], item[1]))
    return [block for _, _, block in placed]


# A line starting like this begins a new item, not the wrapped rest of the line above.
_ITEM_START = re.compile(
    r"^\s*(（[一二三四五六七八九十\d]+）|\([一二三四五六七八九十\d]+\)|[一二三四五六七八九十]+、"
    r"|\d+\s*[.、．](?!\d)|第[一二三四五六七八九十]+部分|绩效目标[:：]|绩效指标[:：])"
)


def _right_margin(lines: list[dict[str, Any]]) -> float:
    """Where body lines end: the most common right edge (a centred title is not the margin)."""
    ends = Counter(round(float(ln["x1"])) for ln in lines)
    if not ends:
        return 0.0
    top = max(ends.values())
    return float(max(x for x, n in ends.items() if n == top))


def _char_width(text: str, x0: float, x1: float) -> float:
    return (x1 - x0) / max(len(text), 1)


_LEADING_LATIN = re.compile(r"[\x21-\x7e]+")
_NO_LINE_START = "，。、；：？！）》」』】〕,.;:?!)]%％"


def _wraps(text: str, x0: float, x1: float, right: float, following: str = "") -> bool:
    """True if a line runs up to the right edge, so its text goes on in the next line.

    CJK line breaking leaves room at a line's end when the next line's first word could not
    fit there: a run of Latin letters and digits (`[2019]14号`) or a closing punctuation mark.
    """
    width = _char_width(text, x0, x1)
    if following[:1] in _NO_LINE_START and following:
        return True
    slack = 2.5 * width
    if m := _LEADING_LATIN.match(following):
        slack = max(slack, (len(m.group(0)) * 0.6 + 1) * width)
    return x1 >= right - slack - 1


def _paragraph_groups(lines: list[dict[str, Any]], right: float) -> list[list[dict[str, Any]]]:
    """Printed lines grouped into paragraphs: a full line continues in the next one."""
    groups: list[list[dict[str, Any]]] = []
    for line in lines:
        if groups:
            last = groups[-1][-1]
            height = float(last["bottom"]) - float(last["top"])
            close = float(line["top"]) - float(last["bottom"]) < height
            text = last["text"].strip()
            if (
                close
                and _wraps(text, float(last["x0"]), float(last["x1"]), right, line["text"].strip())
                and not _ITEM_START.match(line["text"])
            ):
                groups[-1].append(line)
                continue
        groups.append([line])
    return groups


def _join_wrapped(lines: list[tuple[str, float]], right: float) -> str:
    """Join lines a box wrapped: no space between Chinese, one between Latin words."""
    text = ""
    for i, (line, _) in enumerate(lines):
        if i and text:
            # Latin prose wraps at a space; a code or number wraps anywhere and keeps no gap.
            joint = text[-1].isascii() and text[-1].isalnum() and line[:1].isascii()
            text += (" " if joint and line[:1].isalnum() and " " in text else "") + line
        else:
            text = line
    return text


def _cell_text(page: Any, bbox: tuple[float, float, float, float]) -> str:
    """A cell's text with the lines its width wrapped joined; real breaks stay as newlines."""
    try:
        lines = page.crop(bbox, strict=False).extract_text_lines()
    except ValueError:
        return ""
    parts: list[str] = []
    previous: dict[str, Any] | None = None
    for line in lines:
        text = line["text"].strip()
        if not text:
            continue
        if previous is not None:
            prev_text = previous["text"].strip()
            x0, x1 = float(previous["x0"]), float(previous["x1"])
            wrapped = _wraps(prev_text, x0, x1, bbox[2] - 2, text)
            if wrapped and not _ITEM_START.match(text):
                parts[-1] = _join_wrapped([(parts[-1], 0.0), (text, 0.0)], 0.0)
                previous = line
                continue
        parts.append(text)
        previous = line
    return "\n".join(parts)


def _contains(bbox: tuple[float, float, float, float], obj: dict[str, Any]) -> bool:
    """True if the object's centre lies inside the box."""
    x = (float(obj["x0"]) + float(obj["x1"])) / 2
    y = (float(obj["top"]) + float(obj["bottom"])) / 2
    return bbox[0] <= x <= bbox[2] and bbox[1] <= y <= bbox[3]


def _ruled_grid(table: Any) -> list[list[Cell]]:
    """A ruled table's full grid; a cell box spanning several grid lines is a merge."""
    texts: dict[tuple[float, float, float, float], str] = {}
    for row in table.rows:
        for bbox in row.cells:
            if bbox is not None:
                texts[bbox] = _cell_text(table.page, bbox)
    xs = _grid_lines([v for b in texts for v in (b[0], b[2])])
    ys = _grid_lines([v for b in texts for v in (b[1], b[3])])
    grid: list[list[Cell | None]] = [[None] * (len(xs) - 1) for _ in range(len(ys) - 1)]
    for (x0, top, x1, bottom), text in sorted(texts.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        r0, r1 = _nearest(ys, top), _nearest(ys, bottom)
        c0, c1 = _nearest(xs, x0), _nearest(xs, x1)
        for r in range(r0, r1):
            for c in range(c0, c1):
                if grid[r][c] is None:
                    grid[r][c] = Cell(text, (r0, c0))
    # A merged cell cut by a page break has no bottom rule, so it comes without a box: the run
    # of boxless positions in a column is that cell, read from the area the grid lines give it.
    for c in range(len(xs) - 1):
        r = 0
        while r < len(grid):
            if grid[r][c] is not None:
                r += 1
                continue
            end = r
            while end + 1 < len(grid) and grid[end + 1][c] is None:
                end += 1
            text = _cell_text(table.page, (xs[c], ys[r], xs[c + 1], ys[end + 1]))
            for row in range(r, end + 1):
                grid[row][c] = Cell(text, (r, c))
            r = end + 1
    return [[cell or Cell("", (r, c)) for c, cell in enumerate(row)] for r, row in enumerate(grid)]


def _grid_lines(values: list[float]) -> list[float]:
    """Distinct edge positions, merging those within the tolerance."""
    lines: list[float] = []
    for value in sorted(values):
        if not lines or value - lines[-1] > _EDGE_TOLERANCE:
            lines.append(value)
    return lines


def _nearest(lines: list[float], value: float) -> int:
    """Index of the grid line nearest to a coordinate."""
    return min(range(len(lines)), key=lambda i: abs(lines[i] - value))


def _text_tables(page: Any) -> list[tuple[tuple[float, float, float, float], list[list[Cell]]]]:
    """Unruled tables by text alignment, kept only where no word straddles two cells.

    On prose the text strategy cuts lines into fake columns; a real unruled table has each
    word inside one cell, so any straddling word means the region is left as text lines.
    """
    words = page.extract_words()
    found = []
    for table in page.find_tables(_TEXT_STRATEGY):
        rows = [[(t or "").strip() for t in row] for row in table.extract()]
        rows = [row for row in rows if any(row)]  # the strategy adds blank rows between lines
        if len(rows) < 2 or sum(1 for row in rows if sum(1 for t in row if t) >= 2) < 2:
            continue
        if any(_straddles(word, table.cells) for word in words if _contains(table.bbox, word)):
            continue
        found.append((table.bbox, Table.from_texts("", rows).rows))
    return found


def _straddles(word: dict[str, Any], cells: list[tuple[float, float, float, float]]) -> bool:
    """True if the word does not fit inside the cell that holds its centre."""
    for x0, top, x1, bottom in cells:
        if _contains((x0, top, x1, bottom), word):
            return bool(word["x0"] < x0 - _EDGE_TOLERANCE or word["x1"] > x1 + _EDGE_TOLERANCE)
    return True
