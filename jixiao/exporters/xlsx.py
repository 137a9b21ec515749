"""Layout -> xlsx: front-matter paragraphs on one sheet, each table section on its own sheet."""

from __future__ import annotations

import io
import math
import re
import unicodedata

from openpyxl import Workbook
from openpyxl.cell import Cell as SheetCell
from openpyxl.drawing.image import Image as SheetImage
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from jixiao.exporters.targets_layout import (
    Block,
    Image,
    Layout,
    PageBreak,
    Paragraph,
    Table,
    text_colour,
)
from jixiao.exporters.text import is_formula_like, printable

FONT_NAME = "宋体"
# Characters Excel refuses in sheet names.
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX = 31
# Widths in Excel character units (about 7 px each). A4 portrait between 0.5-inch margins
# holds about 98 of them (about 80 where LibreOffice lacks Calibri metrics). LibreOffice never
# scales a one-column sheet to fit, so the paragraph column must fit unscaled.
TABLE_WIDTH_CHARS = 96
# A4 landscape between the same margins holds about 1.45 times as much.
LANDSCAPE_WIDTH_CHARS = 140
PARAGRAPH_WIDTH_CHARS = 80
LINE_HEIGHT_PT = 14.0
# Excel's default row is 15 pt = 20 px; pictures are measured at 96 px per inch.
_ROW_PX = 20
_PX_PER_MM = 96 / 25.4

# A4 in points (portrait) and the margins _setup_page sets, in inches.
A4_POINTS = (595.28, 841.89)
MARGIN_SIDE_IN = 0.5
MARGIN_END_IN = 0.6  # top and bottom
# A column one character unit wide is about 7 px of Excel's default font; 96 px per inch.
_PT_PER_CHAR = 7 * 0.75
# The share of a page the computed breaks fill: renderers round row heights and scale a little
# differently, and a page that is too full would push a kept row to the next page on its own.
PAGE_FILL = 0.985

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_SIZES = {"title": 16, "heading": 12, "body": 11, "note": 10}


def sheet_title(label: str, taken: set[str]) -> str:
    """A valid, unique sheet name: bad characters removed, at most 31 characters."""
    base = _BAD_SHEET_CHARS.sub("", label).strip("'").strip() or "Sheet"
    name = base[:SHEET_NAME_MAX]
    n = 2
    while name.lower() in taken:
        suffix = f"({n})"
        name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
        n += 1
    taken.add(name.lower())
    return name


def _display_width(text: str) -> int:
    """Width in Excel character units: East Asian wide characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _lines(text: str, width_chars: float) -> int:
    """Estimated wrapped line count of ``text`` in a column ``width_chars`` wide."""
    usable = max(width_chars - 1, 1)
    return sum(max(1, math.ceil(_display_width(part) / usable)) for part in text.split("\n"))


def _sections(layout: Layout) -> list[tuple[str, list[Block], bool]]:
    """Consecutive blocks grouped by section, with the orientation where each section begins.

    Blocks without a section are not on any sheet.
    """
    groups: list[tuple[str, list[Block], bool]] = []
    landscape = layout.landscape
    for block in layout.blocks:
        if isinstance(block, PageBreak):
            landscape = block.landscape
            continue
        if block.section is None:
            continue
        if groups and groups[-1][0] == block.section:
            groups[-1][1].append(block)
        else:
            groups.append((block.section, [block], landscape))
    return groups


def _setup_page(ws: Worksheet, landscape: bool = False) -> None:
    """A4, fit all columns on the page width, centred, narrow margins."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE if landscape else ws.ORIENTATION_PORTRAIT
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = MARGIN_SIDE_IN
    ws.page_margins.top = ws.page_margins.bottom = MARGIN_END_IN


def _put_text(cell: SheetCell, text: str) -> None:
    """Write text as text: never a number, never a formula, nothing a sheet cannot hold.

    openpyxl would store a string starting with "=" as a formula: the cell is typed as a string
    instead, and formatted "@". A formula-like text also gets Excel's quote prefix (the hidden
    apostrophe), so it stays text when someone edits the cell.
    """
    text = printable(text)
    cell.value = text
    cell.data_type = "s"
    cell.number_format = "@"
    if is_formula_like(text):
        cell.quotePrefix = True


def _write_paragraphs(ws: Worksheet, paragraphs: list[Paragraph]) -> None:
    """One paragraph per row in column A."""
    ws.column_dimensions["A"].width = PARAGRAPH_WIDTH_CHARS
    for r, para in enumerate(paragraphs, start=1):
        cell = ws.cell(row=r, column=1)
        _put_text(cell, para.text)
        cell.font = Font(
            name=FONT_NAME, size=_SIZES[para.style], bold=para.style in ("title", "heading")
        )
        cell.alignment = Alignment(horizontal=para.align, vertical="center", wrap_text=True)
        lines = _lines(para.text, PARAGRAPH_WIDTH_CHARS * 11 / _SIZES[para.style])
        ws.row_dimensions[r].height = lines * LINE_HEIGHT_PT * _SIZES[para.style] / 11 + 4


def _column_widths(table: Table, total_chars: float) -> list[float]:
    """The table's relative widths scaled to ``total_chars`` Excel character units."""
    return [w * total_chars / sum(table.widths) for w in table.widths]


def _write_table(ws: Worksheet, table: Table, top: int, total_chars: float) -> None:
    """Write ``table`` with its first row at sheet row ``top``."""
    widths = _column_widths(table, total_chars)
    for c, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = round(w, 1)
    # Every grid position gets a border first, so merged regions are fully outlined.
    for r in range(len(table.rows)):
        for c in range(table.columns):
            ws.cell(row=top + r, column=c + 1).border = _BORDER
    line_counts = [1] * len(table.rows)
    for r, c, cell in table.placed():
        target = ws.cell(row=top + r, column=c + 1)
        # Text typed, never a number: a re-import must read back the very string shown.
        _put_text(target, cell.text)
        # Colours as opaque ARGB: openpyxl would make six digits "00…", which some readers
        # take as transparent.
        colour = "FF" + text_colour(cell.fill).upper() if cell.fill else None
        target.font = Font(name=FONT_NAME, size=10, bold=cell.bold, color=colour)
        if cell.fill:
            target.fill = PatternFill("solid", fgColor="FF" + cell.fill.upper())
        target.alignment = Alignment(
            horizontal=cell.align,
            vertical="center",
            wrap_text=True,
            # 255: Excel's stacked text, one character under another.
            textRotation=255 if cell.vertical else 0,
        )
        if cell.row_span > 1 or cell.col_span > 1:
            ws.merge_cells(
                start_row=top + r,
                start_column=c + 1,
                end_row=top + r + cell.row_span - 1,
                end_column=c + cell.col_span,
            )
        if cell.row_span == 1:
            span_width = sum(widths[c : c + cell.col_span])
            line_counts[r] = max(line_counts[r], _lines(cell.text, span_width))
    for r, lines in enumerate(line_counts):
        # openpyxl cannot measure text and Excel never auto-fits merged cells: estimate heights.
        ws.row_dimensions[top + r].height = max(20.0, lines * LINE_HEIGHT_PT + 6)
    if table.repeat_header and table.header_row is not None:
        # Printed over several pages, each page repeats the grid's header rows.
        first = top + table.header_row
        ws.print_title_rows = f"{first}:{first + table.header_rows - 1}"


def _write_line(ws: Worksheet, para: Paragraph, row: int, columns: int, chars: float) -> None:
    """A paragraph as one row merged across the table's width (a title, a note)."""
    cell = ws.cell(row=row, column=1)
    _put_text(cell, para.text)
    if para.style in ("title", "heading"):
        cell.font = Font(name=FONT_NAME, size=14, bold=True)
        height = 30.0
    else:
        cell.font = Font(name=FONT_NAME, size=_SIZES[para.style])
        height = _lines(para.text, chars) * LINE_HEIGHT_PT + 6
    cell.alignment = Alignment(horizontal=para.align, vertical="center", wrap_text=True)
    if columns > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
    ws.row_dimensions[row].height = height


def _place_image(ws: Worksheet, image: Image, row: int) -> int:
    """Anchor the picture's PNG at column A of ``row``; return the rows it covers."""
    picture = SheetImage(io.BytesIO(image.draw("png")))
    width = image.width_mm * _PX_PER_MM
    height: int = round(picture.height * width / picture.width)
    picture.width, picture.height = round(width), height
    ws.add_image(picture, f"A{row}")
    # The rows under the picture get Excel's default height explicitly (other programs'
    # defaults differ), so the picture's extent in rows is known and the next block is close.
    rows = math.ceil(height / _ROW_PX) + 1
    for r in range(row, row + rows):
        ws.row_dimensions[r].height = _ROW_PX * 0.75
    return rows


def _write_section(ws: Worksheet, blocks: list[Block], landscape: bool) -> None:
    """Fill one sheet: plain paragraphs, or lines, tables and pictures one under another."""
    tables = [b for b in blocks if isinstance(b, Table)]
    if not tables:
        _write_paragraphs(ws, [b for b in blocks if isinstance(b, Paragraph)])
        return
    total_chars = LANDSCAPE_WIDTH_CHARS if landscape else TABLE_WIDTH_CHARS
    columns = tables[0].columns
    row = 1
    # Runs of sheet rows that print on one page, in order; a title sticks to the next run.
    kept: list[range] = []
    glue = False
    titles: range | None = None
    for block in blocks:
        if isinstance(block, Paragraph):
            _write_line(ws, block, row, columns, total_chars)
            runs = [range(row, row + 1)]
            glue = glue or block.keep_with_previous
            row += 1
        elif isinstance(block, Table):
            _write_table(ws, block, row, total_chars)
            room = _page_room(ws, columns, landscape)
            heights = [_height(ws, row + r) for r in range(len(block.rows))]
            runs = [range(row + g.start, row + g.stop) for g in print_groups(block, heights, room)]
            if block.repeat_header and block.header_row is not None:
                first = row + block.header_row
                titles = range(first, first + block.header_rows)
            row += len(block.rows)
        elif isinstance(block, Image):
            rows = _place_image(ws, block, row)
            runs = [range(row, row + rows)]
            row += rows
        else:
            continue
        if glue and kept:
            runs[0] = range(kept.pop().start, runs[0].stop)
        kept += runs
        glue = isinstance(block, Paragraph) and block.style in ("title", "heading")
    break_pages(ws, kept, _page_room(ws, columns, landscape), titles)


def _height(ws: Worksheet, row: int) -> float:
    """A sheet row's height in points (every row the writer fills has one set)."""
    height = ws.row_dimensions[row].height
    return float(height) if height is not None else _ROW_PX * 0.75


def _page_room(ws: Worksheet, columns: int, landscape: bool) -> float:
    """How many points of rows one printed page holds, at the scale that fits the columns to
    the page's width (fit to width shrinks a sheet, never enlarges it)."""
    width, height = A4_POINTS[::-1] if landscape else A4_POINTS
    used = sum(
        float(ws.column_dimensions[get_column_letter(c)].width or 0) * _PT_PER_CHAR
        for c in range(1, columns + 1)
    )
    scale = min(1.0, (width - 2 * 72 * MARGIN_SIDE_IN) / used) if used else 1.0
    return (height - 2 * 72 * MARGIN_END_IN) * PAGE_FILL / scale


def print_groups(table: Table, heights: list[float], room: float) -> list[range]:
    """The table's rows in runs that print on one page.

    The layout's row groups, except that a group taller than a page is cut into rows (the
    printer would cut it anyway); the ``keep_tail`` last rows and the row before them stay
    one run even then, so a total never opens a page alone.
    """
    runs: list[range] = []
    for group in table.row_groups():
        if sum(heights[r] for r in group) <= room:
            runs.append(group)
        else:
            runs += [range(r, r + 1) for r in group]
    end = len(table.rows)
    if table.keep_tail and end > table.keep_tail:
        tail = end - table.keep_tail - 1
        start = min(run.start for run in runs if run.stop > tail)
        runs = [run for run in runs if run.stop <= start] + [range(start, end)]
    return runs


def break_pages(ws: Worksheet, kept: list[range], room: float, titles: range | None) -> None:
    """Put a manual page break before each run that would not fit on the page it starts on.

    Every page boundary is set by hand, so where the pages end does not depend on the
    program printing the sheet; the print titles take their room on each page after theirs.
    """
    repeated = sum(_height(ws, r) for r in titles) if titles else 0.0
    used = 0.0
    for run in kept:
        height = sum(_height(ws, r) for r in run)
        if used and used + height > room:
            ws.row_breaks.append(Break(id=run.start - 1))  # the break follows row ``id``
            used = repeated if titles and run.start > titles.stop - 1 else 0.0
        used += height


def render(layout: Layout) -> bytes:
    """Render a layout as an xlsx workbook."""
    wb = Workbook()
    wb.properties.title = printable(layout.title)
    default = wb.active
    taken: set[str] = set()
    for label, blocks, landscape in _sections(layout):
        ws = wb.create_sheet(sheet_title(label, taken))
        _setup_page(ws, landscape)
        _write_section(ws, blocks, landscape)
    if len(wb.worksheets) > 1:
        wb.remove(default)
    else:
        # Nothing to tabulate: keep one sheet that at least names the document.
        default.title = sheet_title(layout.title or "绩效目标", taken)
        _write_paragraphs(default, [Paragraph(layout.title, "title")])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
