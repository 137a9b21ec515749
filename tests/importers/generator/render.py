"""Render a generated document as Word, Excel, flattened text, and (through LibreOffice) PDF.

* ``docx`` — python-docx tables with real merges; a grid whose header should repeat on every
  printed page is its own table with the header rows marked ``tblHeader`` (Word repeats only a
  table's first rows), separated from the header block by an empty paragraph.
* ``xlsx`` — one sheet per project table (or all stacked on one sheet), merges, numbers with
  their number formats, wrapped text, column widths; cell borders drawn or not, gridlines
  printed or not (print options), the grid header as print titles when it repeats; fitted to the
  page width as offices set it.
* ``text`` — three flattened layouts: ``tab`` (Word text, the seed's: a tab-indented line per
  cell, blank continuation cells of vertical merges, rows separated by empty lines), ``pipe``
  (web page, a row per line ``| a | b |``, merged positions dropped), ``lines`` (web page, a cell
  per line ``a |``, a row closed by a run of pipes). A printout copied as text repeats the grid
  header where a page began.
* ``pdf-word`` / ``pdf-excel`` — the docx and xlsx printed to PDF by LibreOffice in one batch
  (:func:`print_pdfs`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from canvas import merge_spans

from .model import Canvas, Generated, Grid, Para, Put

FORMATS = ("docx", "xlsx", "pdf-word", "pdf-excel", "text")
SUFFIX = {"docx": ".docx", "xlsx": ".xlsx", "pdf-word": ".pdf", "pdf-excel": ".pdf", "text": ".txt"}


def file_name(doc: Generated, fmt: str) -> str:
    stem = {
        "docx": "word",
        "pdf-word": "word",
        "xlsx": "excel",
        "pdf-excel": "excel",
        "text": "text",
    }
    return f"{doc.ident}-{stem[fmt]}{SUFFIX[fmt]}"


# ------------------------------------------------------------------------------------ Word


def _split_for_repeat(canvas: Canvas) -> list[Canvas]:
    """The header block and the grid as two tables, so the grid's header rows come first."""
    if not canvas.header_rows or canvas.header_rows[0] == 0:
        return [canvas]
    cut = canvas.header_rows[0]
    if any(p.row < cut < p.row + p.rows for p in canvas.puts):
        return [canvas]
    top, grid = Canvas(canvas.width), Canvas(canvas.width)
    for p in canvas.puts:
        if p.row < cut:
            top.put(p.row, p.col, p.text, p.rows, p.cols, p.value, p.fmt)
        else:
            grid.put(p.row - cut, p.col, p.text, p.rows, p.cols, p.value, p.fmt)
    grid.header_rows = [r - cut for r in canvas.header_rows]
    return [top, grid]


def write_docx(doc: Generated, path: Path) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.size = Pt(9)
    if doc.landscape:
        section = document.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    repeat = doc.traits.get("page_header") == "repeated"
    for block in doc.blocks:
        if isinstance(block, Para):
            paragraph = document.add_paragraph(block.text)
            paragraph.paragraph_format.page_break_before = block.page_break
            continue
        parts = _split_for_repeat(block.canvas) if repeat else [block.canvas]
        for i, canvas in enumerate(parts):
            if i:
                document.add_paragraph("")
            table = _docx_table(document, canvas, 24.7 if doc.landscape else 16.0)
            if repeat and canvas.header_rows and canvas.header_rows[0] == 0:
                for r in canvas.header_rows:
                    tr_pr = table.rows[r]._tr.get_or_add_trPr()
                    mark = OxmlElement("w:tblHeader")
                    mark.set(qn("w:val"), "true")
                    tr_pr.append(mark)
    document.add_paragraph("")
    document.save(str(path))


def _docx_table(document: Any, canvas: Canvas, page_cm: float) -> Any:
    from docx.shared import Cm

    table = document.add_table(rows=canvas.height, cols=canvas.width)
    table.style = "Table Grid"
    table.autofit = False
    # Column widths as an author sizes them: wider for long texts, filling the page width.
    wanted = [_column_width(canvas, c) for c in range(canvas.width)]
    widths = [Cm(page_cm * w / sum(wanted)) for w in wanted]
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    # Text first into the unmerged grid (table.cell() rescans the whole table on each call),
    # then the merges, which keep the anchor's text.
    cells = table._cells
    for i, cell in enumerate(cells):
        cell.width = widths[i % canvas.width]
    for p in canvas.puts:
        cell = cells[p.row * canvas.width + p.col]
        first, *rest = p.text.split("\n")
        cell.text = first
        for line in rest:
            cell.add_paragraph(line)
    for p in canvas.puts:
        if p.rows > 1 or p.cols > 1:
            table.cell(p.row, p.col).merge(table.cell(p.row + p.rows - 1, p.col + p.cols - 1))
    return table


# ------------------------------------------------------------------------------------ Excel


def write_xlsx(doc: Generated, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Side
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    first_sheet = workbook.active
    used: dict[str, Any] = {}
    pending: list[str] = []
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")
    repeat = doc.traits.get("page_header") == "repeated"
    for block in doc.blocks:
        if isinstance(block, Para):
            pending.append(block.text)
            continue
        assert isinstance(block, Grid)
        canvas = block.canvas
        if block.sheet in used:
            sheet = used[block.sheet]
            top = sheet.max_row + 2
        else:
            if not used:
                sheet = first_sheet
                sheet.title = _sheet_title(block.sheet)
            else:
                sheet = workbook.create_sheet(_sheet_title(block.sheet))
            used[block.sheet] = sheet
            top = 1
            _setup_sheet(sheet, doc, canvas)
        for text in pending:
            sheet.cell(row=top, column=1, value=text)
            if canvas.width > 1:
                sheet.merge_cells(
                    start_row=top, start_column=1, end_row=top, end_column=canvas.width
                )
            top += 1
        pending = []
        covered = canvas.covered()
        for (r, c), p in covered.items():
            cell = sheet.cell(row=top + r, column=1 + c)
            if (r, c) == (p.row, p.col):
                cell.value = p.value if p.value is not None else p.text
                if p.fmt:
                    cell.number_format = p.fmt
            cell.alignment = wrap
            if doc.excel_borders:
                cell.border = border
        if doc.excel_borders:  # blank positions of the table get borders too
            for r in range(canvas.height):
                for c in range(canvas.width):
                    if (r, c) not in covered:
                        sheet.cell(row=top + r, column=1 + c).border = border
        merge_spans(sheet, canvas, top)
        if repeat and canvas.header_rows and sheet.print_title_rows is None:
            first, last = top + canvas.header_rows[0], top + canvas.header_rows[-1]
            sheet.print_title_rows = f"{first}:{last}"
        widths = [_column_width(canvas, c) for c in range(canvas.width)]
        for c, width in enumerate(widths):
            sheet.column_dimensions[get_column_letter(c + 1)].width = width
        # Excel stores the height it fitted each wrapped row to; LibreOffice prints with it.
        for r, height in _row_heights(canvas, widths).items():
            sheet.row_dimensions[top + r].height = height
    workbook.save(path)


def _sheet_title(name: str) -> str:
    for bad in "[]:*?/\\：":
        name = name.replace(bad, "")
    return name[:31] or "Sheet"


def _setup_sheet(sheet: Any, doc: Generated, canvas: Canvas) -> None:
    sheet.page_setup.orientation = "landscape" if doc.landscape else "portrait"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_options.gridLines = doc.excel_gridlines


def _units(text: str) -> float:
    """Width of a line in Excel's units (a digit's width); a Chinese character is about two."""
    return sum(2.1 if ord(ch) > 0x2E80 else 1.1 for ch in text)


def _row_heights(canvas: Canvas, widths: list[float]) -> dict[int, float]:
    """The height (points) each row needs for its wrapped text, as Excel fits it."""
    import math

    lines: dict[int, float] = {}
    for p in canvas.puts:
        width = max(1.0, sum(widths[p.col : p.col + p.cols]) - 1)
        needed = sum(max(1, math.ceil(_units(part) / width)) for part in p.text.split("\n"))
        per_row = needed / p.rows
        for r in range(p.row, p.row + p.rows):
            lines[r] = max(lines.get(r, 1.0), per_row)
    return {r: round(14.5 * math.ceil(n) + 3, 1) for r, n in lines.items()}


def _column_width(canvas: Canvas, col: int) -> float:
    longest = 4
    for p in canvas.puts:
        if p.col == col and p.cols == 1:
            longest = max(longest, max(len(line) for line in p.text.split("\n")))
    return min(36.0, 4.0 + longest * 1.9)


# ------------------------------------------------------------------------------------ text


def write_text(doc: Generated, path: Path) -> None:
    path.write_text(render_text(doc), encoding="utf-8")


def render_text(doc: Generated) -> str:
    lines: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Para):
            lines.append(block.text)
            continue
        assert isinstance(block, Grid)
        rows = _text_rows(block.canvas, doc.text_style)
        if doc.text_style == "tab":
            for row in rows:
                for text in row:
                    first, *rest = text.split("\n")
                    lines.append("\t" + first)
                    lines += rest
                lines.append("")
        elif doc.text_style == "pipe":
            for row, pad in _padded(rows, block.canvas.width):
                lines.append("| " + " | ".join(t.replace("\n", "") for t in row) + " |" + "|" * pad)
        else:
            for row, pad in _padded(rows, block.canvas.width):
                lines.append("|")
                lines += [f"{t.replace(chr(10), '')} |" for t in row]
                lines.append("|" * (pad + 2))
    return "\n".join(lines) + "\n"


def _padded(rows: list[list[str]], width: int) -> list[tuple[list[str], int]]:
    return [(row, max(0, width - len(row))) for row in rows]


def _text_rows(canvas: Canvas, style: str) -> list[list[str]]:
    """The table's rows as flattened text gives them, the grid header repeated at page rows."""
    covered = canvas.covered()
    out: list[list[str]] = []
    header = [_row_cells(canvas, covered, r, style) for r in canvas.header_rows]
    for r in range(canvas.height):
        if r in canvas.page_rows:
            out += [list(h) for h in header]
        out.append(_row_cells(canvas, covered, r, style))
    return [row for row in out if any(t.strip() for t in row) or style == "tab"]


def _row_cells(
    canvas: Canvas, covered: dict[tuple[int, int], Put], r: int, style: str
) -> list[str]:
    cells: list[str] = []
    for c in range(canvas.width):
        p = covered.get((r, c))
        if p is None:
            cells.append("")
        elif (p.row, p.col) == (r, c):
            cells.append(p.text)
        elif p.row < r and p.col == c and style == "tab":
            cells.append("")  # Word text: a vertically merged cell continues as a blank cell
        # else: a position a merge covers — web text has no cell there
    if style != "tab":
        while cells and not cells[-1]:
            cells.pop()
    return cells


# ------------------------------------------------------------------------------------ PDF


def print_pdfs(sources: list[Path], outdir: Path, chunk: int = 40, workers: int = 2) -> list[Path]:
    """Print docx and xlsx files to PDF through LibreOffice; returns the PDFs it wrote.

    One soffice process prints a batch (start-up is most of the cost), but a process stops
    converting after a few hundred files, so a large run goes in chunks, two at a time, and
    what a chunk left out is tried once more on its own process. A file still not printed is
    left out of the result (the runner reports it).
    """
    import contextlib
    from concurrent.futures import ThreadPoolExecutor

    from office import convert

    def target(source: Path) -> Path:
        return outdir / (source.stem + ".pdf")

    def batch(files: list[Path]) -> None:
        with contextlib.suppress(RuntimeError):  # the outputs are checked below
            convert(files, outdir, "pdf", timeout=600)

    chunks = [sources[i : i + chunk] for i in range(0, len(sources), chunk)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(batch, chunks))
    missing = [s for s in sources if not _printed(target(s))]
    if missing:
        batch(missing)
    return [target(s) for s in sources if _printed(target(s))]


def _printed(path: Path) -> bool:
    return path.is_file() and path.stat().st_size > 0


def write(doc: Generated, fmt: str, directory: Path) -> Path:
    """Write one non-PDF format of a document; returns the path."""
    path = directory / file_name(doc, fmt)
    {"docx": write_docx, "xlsx": write_xlsx, "text": write_text}[fmt](doc, path)
    return path
