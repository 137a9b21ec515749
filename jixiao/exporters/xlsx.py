"""Layout -> xlsx: front-matter paragraphs on one sheet, each table section on its own sheet."""

from __future__ import annotations

import io
import math
import re
import unicodedata

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from jixiao.exporters.targets_layout import Block, Layout, Paragraph, Table

FONT_NAME = "宋体"
# Characters Excel refuses in sheet names.
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX = 31
# Widths in Excel character units (about 7 px each). A4 portrait between 0.5-inch margins
# holds about 98 of them (about 80 where LibreOffice lacks Calibri metrics). LibreOffice never
# scales a one-column sheet to fit, so the paragraph column must fit unscaled.
TABLE_WIDTH_CHARS = 96
PARAGRAPH_WIDTH_CHARS = 80
LINE_HEIGHT_PT = 14.0

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_SIZES = {"title": 16, "heading": 12, "body": 11}


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


def _sections(layout: Layout) -> list[tuple[str, list[Block]]]:
    """Consecutive blocks grouped by section; blocks without a section are not on any sheet."""
    groups: list[tuple[str, list[Block]]] = []
    for block in layout.blocks:
        if block.section is None:
            continue
        if groups and groups[-1][0] == block.section:
            groups[-1][1].append(block)
        else:
            groups.append((block.section, [block]))
    return groups


def _setup_page(ws: Worksheet) -> None:
    """A4 portrait, fit all columns on the page width, centred, narrow margins."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_PORTRAIT
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6


def _write_paragraphs(ws: Worksheet, paragraphs: list[Paragraph]) -> None:
    """One paragraph per row in column A."""
    ws.column_dimensions["A"].width = PARAGRAPH_WIDTH_CHARS
    for r, para in enumerate(paragraphs, start=1):
        cell = ws.cell(row=r, column=1, value=para.text)
        cell.data_type = "s"
        cell.number_format = "@"
        cell.font = Font(name=FONT_NAME, size=_SIZES[para.style], bold=para.style != "body")
        cell.alignment = Alignment(horizontal=para.align, vertical="center", wrap_text=True)
        lines = _lines(para.text, PARAGRAPH_WIDTH_CHARS * 11 / _SIZES[para.style])
        ws.row_dimensions[r].height = lines * LINE_HEIGHT_PT * _SIZES[para.style] / 11 + 4


def _write_table(ws: Worksheet, table: Table, top: int) -> None:
    """Write ``table`` with its first row at sheet row ``top``."""
    widths = [w * TABLE_WIDTH_CHARS / sum(table.widths) for w in table.widths]
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
        target.value = cell.text
        target.data_type = "s"
        target.number_format = "@"
        target.font = Font(name=FONT_NAME, size=10, bold=cell.bold)
        target.alignment = Alignment(horizontal=cell.align, vertical="center", wrap_text=True)
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


def _write_section(ws: Worksheet, blocks: list[Block]) -> None:
    """Fill one sheet: either plain paragraphs, or a heading row over a table."""
    tables = [b for b in blocks if isinstance(b, Table)]
    if not tables:
        _write_paragraphs(ws, [b for b in blocks if isinstance(b, Paragraph)])
        return
    table = tables[0]
    row = 1
    for block in blocks:
        if isinstance(block, Paragraph):
            cell = ws.cell(row=row, column=1, value=block.text)
            cell.data_type = "s"
            cell.font = Font(name=FONT_NAME, size=14, bold=True)
            cell.alignment = Alignment(horizontal=block.align, vertical="center", wrap_text=True)
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=table.columns)
            ws.row_dimensions[row].height = 30
            row += 1
        else:
            _write_table(ws, block, row)
            row += len(block.rows)


def render(layout: Layout) -> bytes:
    """Render a layout as an xlsx workbook."""
    wb = Workbook()
    wb.properties.title = layout.title
    default = wb.active
    taken: set[str] = set()
    for label, blocks in _sections(layout):
        ws = wb.create_sheet(sheet_title(label, taken))
        _setup_page(ws)
        _write_section(ws, blocks)
    if len(wb.worksheets) > 1:
        wb.remove(default)
    else:
        # Nothing to tabulate: keep one sheet that at least names the document.
        default.title = sheet_title(layout.title or "绩效目标", taken)
        _write_paragraphs(default, [Paragraph(layout.title, "title")])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
