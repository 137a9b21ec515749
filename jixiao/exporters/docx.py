"""Layout -> docx: A4 pages, Chinese fonts on East Asian text, grid tables with real merges."""

from __future__ import annotations

import io
from dataclasses import replace

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.table import CT_Row, CT_Tbl, CT_Tc
from docx.section import Section
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run

from jixiao.exporters.targets_layout import (
    Cell,
    Image,
    Layout,
    PageBreak,
    Paragraph,
    Table,
    text_colour,
)
from jixiao.exporters.text import printable

# Fonts every Chinese Windows install has; LibreOffice substitutes elsewhere.
BODY_FONT = "宋体"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"

PAGE_WIDTH = Mm(210)
PAGE_HEIGHT = Mm(297)
MARGIN_SIDE = Mm(20)
MARGIN_TOP = Mm(25)
MARGIN_BOTTOM = Mm(20)

_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}
# Font size per heading level; the title is larger still.
_TITLE_SIZE = Pt(18)
_HEADING_SIZES = {1: Pt(16), 2: Pt(14), 3: Pt(12)}
_BODY_SIZE = Pt(12)
_NOTE_SIZE = Pt(10.5)
_CELL_SIZE = Pt(9.5)
_DENSE_CELL_SIZE = Pt(8.5)
# The paragraph between a header block and its grid: the least exact line height Word offers.
JOINT_HEIGHT = Pt(0.7)


def _set_fonts(run: Run, east_asia: str, size: Pt, bold: bool = False) -> None:
    """Set Latin and East Asian fonts; python-docx's ``font.name`` leaves w:eastAsia unset."""
    run.font.name = LATIN_FONT
    run.font.size = size
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), east_asia)


def _style_normal(doc: DocxDocument) -> None:
    """Default text: 宋体 for Chinese, Times New Roman for Latin, black, compact spacing."""
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = _BODY_SIZE
    rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), BODY_FONT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)


def _setup_page(section: Section, landscape: bool = False) -> None:
    """A4, portrait or landscape, with official-document margins."""
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width = PAGE_HEIGHT if landscape else PAGE_WIDTH
    section.page_height = PAGE_WIDTH if landscape else PAGE_HEIGHT
    section.left_margin = section.right_margin = MARGIN_SIDE
    # A landscape page is short: the top margin shrinks to the bottom one.
    section.top_margin = MARGIN_BOTTOM if landscape else MARGIN_TOP
    section.bottom_margin = MARGIN_BOTTOM


def _add_paragraph(doc: DocxDocument, para: Paragraph) -> None:
    """A title, heading or body paragraph, formatted directly (no theme colours)."""
    out = doc.add_paragraph()
    fmt = out.paragraph_format
    if para.style == "note":
        out.alignment = _ALIGN[para.align]
        fmt.space_before = fmt.space_after = Pt(3)
        _set_fonts(out.add_run(printable(para.text)), BODY_FONT, _NOTE_SIZE)
        return
    if para.style == "body":
        fmt.first_line_indent = Pt(24)  # two characters, as in official documents
        fmt.line_spacing = 1.3
        _set_fonts(out.add_run(printable(para.text)), BODY_FONT, _BODY_SIZE)
        return
    size = _TITLE_SIZE if para.style == "title" else _HEADING_SIZES.get(para.level, Pt(12))
    out.alignment = _ALIGN[para.align]
    fmt.space_before = Pt(12 if para.style == "title" else 8)
    fmt.space_after = Pt(12 if para.style == "title" else 6)
    fmt.keep_with_next = True
    _set_fonts(out.add_run(printable(para.text)), HEADING_FONT, size, bold=para.style == "title")


def _forbid_row_split(row_element: CT_Row) -> None:
    """Keep each table row on one page."""
    tr_pr = row_element.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))


def _set_cell_margins(table_element: CT_Tbl) -> None:
    """Give cells a little air above and below; Word's default has none."""
    margins = OxmlElement("w:tblCellMar")
    for side, twips in (("top", 30), ("left", 85), ("bottom", 30), ("right", 85)):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), str(twips))
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    # Schema order matters to Word: tblCellMar comes before tblLook.
    table_element.tblPr.insert_element_before(
        margins, "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange"
    )


def _shade(tc: CT_Tc, fill: str) -> None:
    """Fill a cell's background with ``fill`` (six hex digits)."""
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill.upper())
    tc.get_or_add_tcPr().append(shd)


def _fill_cell(paragraph: DocxParagraph, cell: Cell, size: Pt = _CELL_SIZE) -> None:
    """Write cell text; python-docx turns each newline into a line break (w:br)."""
    paragraph.alignment = _ALIGN[cell.align]
    run = paragraph.add_run(printable(cell.text))
    _set_fonts(run, BODY_FONT, size, cell.bold)
    if cell.fill:
        run.font.color.rgb = RGBColor.from_string(text_colour(cell.fill).upper())


def _add_table(doc: DocxDocument, table: Table, usable: int) -> None:
    """The table ``usable`` wide; with ``repeat_header``, in two parts (see below)."""
    at = table.header_row
    cut = (
        table.repeat_header
        and at is not None
        and at > 0
        and all(r + cell.row_span <= at for r, _, cell in table.placed() if r < at)
    )
    if not cut or at is None:
        _add_grid(doc, table, usable)
        return
    # Word repeats only header rows that open a table: the block above the grid header becomes
    # a table of its own, joined to the grid by an empty hairline paragraph; all of it keeps
    # with the grid's first rows.
    head = Table(table.columns, table.widths, table.rows[:at], dense=table.dense)
    grid = Table(
        table.columns,
        table.widths,
        table.rows[at:],
        header_row=0,
        header_rows=table.header_rows,
        keep_tail=table.keep_tail,
        dense=table.dense,
    )
    top = _add_grid(doc, head, usable, keep_all=True)
    # The grid's top rule closes the block: the block's own bottom rule would double it.
    _set_table_border(top._tbl, "bottom", None)
    _add_joint(doc)
    out = _add_grid(doc, grid, usable)
    for row in out.rows[: table.header_rows]:
        row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def _add_joint(doc: DocxDocument) -> None:
    """The paragraph Word needs between two tables, as thin as Word draws one.

    Exactly ``JOINT_HEIGHT`` high, no space before or after, its mark (which sets the line's
    font) at the smallest size and off the document grid, kept with the grid below it.
    """
    joint = doc.add_paragraph()
    fmt = joint.paragraph_format
    fmt.keep_with_next = True
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = JOINT_HEIGHT  # a Length: w:lineRule="exact"
    ppr = joint._p.get_or_add_pPr()
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    ppr.insert_element_before(snap, "w:spacing", "w:ind", "w:jc", "w:rPr")
    mark = OxmlElement("w:rPr")
    for tag in ("w:sz", "w:szCs"):
        size = OxmlElement(tag)
        size.set(qn("w:val"), "1")  # half-points: the smallest size
        mark.append(size)
    ppr.append(mark)


def _set_table_border(tbl: CT_Tbl, side: str, size: int | None) -> None:
    """Override one of the table style's outer borders: a single rule ``size`` eighths of a
    point wide, or none."""
    tbl_pr = tbl.tblPr
    borders = tbl_pr.find(qn("w:tblBorders"))
    if borders is None:
        borders = OxmlElement("w:tblBorders")
        tbl_pr.insert_element_before(
            borders,
            "w:shd",
            "w:tblLayout",
            "w:tblCellMar",
            "w:tblLook",
            "w:tblCaption",
            "w:tblDescription",
            "w:tblPrChange",
        )
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), "nil" if size is None else "single")
    if size is not None:
        edge.set(qn("w:sz"), str(size))
        edge.set(qn("w:space"), "0")
        edge.set(qn("w:color"), "000000")
    borders.append(edge)


def _add_grid(doc: DocxDocument, table: Table, usable: int, keep_all: bool = False) -> DocxTable:
    """A grid-bordered table with merged cells; ``keep_all`` keeps every row with the next."""
    widths = [int(usable * w / sum(table.widths)) for w in table.widths]
    out = doc.add_table(rows=len(table.rows), cols=table.columns)
    out.style = doc.styles["Table Grid"]
    out.alignment = WD_TABLE_ALIGNMENT.CENTER
    out.autofit = False
    for c, width in enumerate(widths):
        out.columns[c].width = width
        for cell in out.columns[c].cells:
            cell.width = width
    for row in out.rows:
        _forbid_row_split(row._tr)
    _set_cell_margins(out._tbl)
    for r, c, cell in table.placed():
        target = out.cell(r, c)
        if cell.row_span > 1 or cell.col_span > 1:
            target = target.merge(out.cell(r + cell.row_span - 1, c + cell.col_span - 1))
        target.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        if cell.fill:
            _shade(target._tc, cell.fill)
        if cell.vertical:
            cell = replace(cell, text="\n".join(ch for ch in cell.text if not ch.isspace()))
        _fill_cell(target.paragraphs[0], cell, _DENSE_CELL_SIZE if table.dense else _CELL_SIZE)
    # Word keeps rows together through "keep with next" on their paragraphs.
    kept = [range(len(table.rows))] if keep_all else table.row_groups()
    for group in kept:
        for r in group if keep_all else list(group)[:-1]:
            _keep_row_with_next(out, r)
    return out


def _keep_row_with_next(out: DocxTable, r: int) -> None:
    """Keep row ``r`` on the page of the block after it."""
    for docx_cell in out.rows[r].cells:
        for paragraph in docx_cell.paragraphs:
            paragraph.paragraph_format.keep_with_next = True


def _add_image(doc: DocxDocument, image: Image) -> None:
    """The picture's PNG, centred in a paragraph of its own."""
    doc.add_picture(io.BytesIO(image.draw("png")), width=Mm(image.width_mm))
    picture = doc.paragraphs[-1]
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.paragraph_format.keep_with_next = True  # with its caption


def _keep_last_with_next(doc: DocxDocument) -> None:
    """Keep what the document ends with (a paragraph, a table's last row) with what follows."""
    last = doc.element.body[-2] if len(doc.element.body) > 1 else None  # before w:sectPr
    if isinstance(last, CT_Tbl):
        table = doc.tables[-1]
        _keep_row_with_next(table, len(table.rows) - 1)
    elif doc.paragraphs:
        doc.paragraphs[-1].paragraph_format.keep_with_next = True


def render(layout: Layout) -> bytes:
    """Render a layout as a Word document."""
    doc = Document()
    doc.core_properties.title = printable(layout.title)
    _style_normal(doc)
    section = doc.sections[0]
    _setup_page(section, layout.landscape)
    for block in layout.blocks:
        if isinstance(block, Paragraph):
            if block.keep_with_previous:
                _keep_last_with_next(doc)
            _add_paragraph(doc, block)
        elif isinstance(block, Table):
            _add_table(doc, block, (section.page_width or PAGE_WIDTH) - 2 * MARGIN_SIDE)
        elif isinstance(block, Image):
            _add_image(doc, block)
        elif isinstance(block, PageBreak):
            section = doc.add_section(WD_SECTION.NEW_PAGE)
            _setup_page(section, block.landscape)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
