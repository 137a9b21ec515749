"""Layout -> HTML -> PDF through WeasyPrint: A4, Noto CJK fonts, ruled tables.

WeasyPrint is imported only when a PDF is made: it is heavy and needs system libraries.
"""

from __future__ import annotations

import base64
from dataclasses import replace
from html import escape

from jixiao.exporters.targets_layout import (
    Block,
    Cell,
    Image,
    Layout,
    PageBreak,
    Paragraph,
    Table,
    text_colour,
)
from jixiao.exporters.text import printable

# Chinese renders as empty boxes, with no error, when no CJK font is found: keep Noto first.
FONT_STACK = '"Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Micro Hei", sans-serif'

CSS = f"""
@page {{
  size: A4;
  margin: 20mm 18mm 18mm 18mm;
  @bottom-center {{ content: "第 " counter(page) " 页"; font-family: {FONT_STACK};
                    font-size: 9pt; }}
}}
@page wide {{ size: A4 landscape; margin: 15mm 15mm 15mm 15mm; }}
div.wide {{ page: wide; }}
div.new-page {{ break-before: page; }}
body {{ font-family: {FONT_STACK}; font-size: 11pt; line-height: 1.6; color: #000; }}
h1 {{ font-size: 18pt; margin: 0 0 12pt; }}
h2, h3, h4 {{ break-after: avoid; margin: 10pt 0 6pt; }}
h2 {{ font-size: 15pt; }}
h3 {{ font-size: 13pt; }}
h4 {{ font-size: 11.5pt; }}
p {{ text-indent: 2em; margin: 0 0 4pt; }}
table {{ width: 100%; border-collapse: collapse; table-layout: fixed;
         font-size: 9.5pt; line-height: 1.35; }}
/* The header block and the indicator grid are two tables drawn as one: the grid's top rule
   overlaps the block's bottom rule instead of doubling it. */
table.grid {{ margin-top: -0.75pt; }}
table.head + table.grid {{ break-before: avoid; }}
table.head, tbody {{ break-inside: avoid; }}
th, td {{ border: 0.75pt solid #000; padding: 3pt 4pt; vertical-align: middle;
          overflow-wrap: break-word; }}
th, td.b {{ font-weight: bold; }}
tr {{ break-inside: avoid; }}
thead {{ display: table-header-group; }}
.left {{ text-align: left; }}
p.left {{ text-align: justify; }}
p.note {{ text-indent: 0; font-size: 10pt; margin: 4pt 0; }}
p.figure {{ text-indent: 0; text-align: center; margin: 6pt 0 0; break-inside: avoid;
            break-after: avoid; }}
p.figure img {{ display: inline-block; }}
.center {{ text-align: center; }}
td.side-open, th.side-open {{ border-bottom: none; }}
/* A grid's foot: an empty row of no height, repeated at the bottom of each page the grid runs
   on. Its top rule closes the page's last row even where a merged cell or the side label goes
   on to the next page (a collapsed border beats "none"; WeasyPrint draws no rule where a box is
   cut, and box-decoration-break does not apply to collapsed borders). */
tfoot td {{ border-width: 0.75pt 0 0; padding: 0; height: 0; line-height: 0;
            font-size: 0; }}
td.side-cont, th.side-cont {{ border-top: none; }}
.right {{ text-align: right; }}
p.keep {{ break-before: avoid; }}
table.dense {{ font-size: 9pt; line-height: 1.25; }}
table.dense th, table.dense td {{ padding: 2pt 3pt; }}
"""


def _text(text: str) -> str:
    """Escape text and keep its line breaks."""
    return "<br>".join(escape(line) for line in printable(text).split("\n"))


def _paragraph(para: Paragraph) -> str:
    """A title, heading or body paragraph."""
    keep = " keep" if para.keep_with_previous else ""
    if para.style == "body":
        return f'<p class="{para.align}{keep}">{_text(para.text)}</p>'
    if para.style == "note":
        return f'<p class="note {para.align}{keep}">{_text(para.text)}</p>'
    tag = "h1" if para.style == "title" else f"h{min(max(para.level, 1), 3) + 1}"
    return f'<{tag} class="{para.align}">{_text(para.text)}</{tag}>'


def _cell(cell: Cell, tag: str, extra: str = "") -> str:
    """One cell with its spans, weight and alignment."""
    attrs = f' class="{cell.align}{" b" if cell.bold and tag == "td" else ""}{extra}"'
    if cell.fill:
        attrs += f' style="background:#{cell.fill};color:#{text_colour(cell.fill)}"'
    if cell.row_span > 1:
        attrs += f' rowspan="{cell.row_span}"'
    if cell.col_span > 1:
        attrs += f' colspan="{cell.col_span}"'
    if cell.vertical:
        text = "<br>".join(escape(ch) for ch in printable(cell.text) if not ch.isspace())
    else:
        text = _text(cell.text)
    return f"<{tag}{attrs}>{text}</{tag}>"


def _splits_cleanly(table: Table, at: int) -> bool:
    """True when no cell above row ``at`` spans down into it."""
    return all(r + cell.row_span <= at for r, _, cell in table.placed() if r < at)


def _bodies(table: Table, first: int, sides: list[tuple[int, Cell]]) -> str:
    """Rows from ``first`` on, one unbreakable ``tbody`` per group of tied rows."""
    out = []
    for group in table.row_groups():
        rows = [r for r in group if r >= first]
        if rows:
            out.append(f"<tbody>{_part(table, rows[0], rows[-1] + 1, sides)}</tbody>")
    return "".join(out)


def _sides(table: Table) -> list[tuple[int, Cell]]:
    """The side labels (first column) with the row each is anchored at."""
    return [(r, cell) for r, c, cell in table.placed() if cell.side and c == 0]


def _part(
    table: Table, start: int, end: int, sides: list[tuple[int, Cell]], tag: str = "td"
) -> str:
    """Rows ``start``..``end`` - 1; a side label spanning past either end is cut to them (its
    text on its first part, the parts joined without a rule between them)."""
    html = []
    for r in range(start, end):
        cells = []
        for anchor, side in sides:
            last = anchor + side.row_span  # one past the side label's last row
            if not (anchor <= r < last) or (r != anchor and r != start):
                continue
            span = min(last, end) - r
            piece = replace(side, row_span=span, text=side.text if r == anchor else "")
            extra = (" side-cont" if r != anchor else "") + (
                " side-open" if r + span < last else ""
            )
            cells.append(_cell(piece, tag, extra))
        cells += [_cell(c, tag) for c in table.rows[r] if not c.side]
        html.append("<tr>" + "".join(cells) + "</tr>")
    return "".join(html)


def _foot(table: Table) -> str:
    """The closing rule drawn under the grid's last row on every page (see the CSS)."""
    return f'<tfoot><tr><td colspan="{table.columns}"></td></tr></tfoot>'


def _table(table: Table) -> str:
    """The table; the indicator header becomes a ``thead`` repeated on every page."""
    total = sum(table.widths)
    cols = "<colgroup>" + "".join(
        f'<col style="width:{w * 100 / total:.3f}%">' for w in table.widths
    )
    cols += "</colgroup>"
    at = table.header_row
    dense = " dense" if table.dense else ""
    foot = _foot(table)
    sides = _sides(table)  # found once: every part of the table draws its share of them
    # HTML only repeats a thead that opens its table: cut the table in two at the header row.
    if at is None or not _splits_cleanly(table, at):
        return f'<table class="grid{dense}">{cols}{_bodies(table, 0, sides)}{foot}</table>'
    head = ""
    if at > 0:
        part = _part(table, 0, at, sides)
        head = f'<table class="head{dense}">{cols}<tbody>{part}</tbody></table>'
    below = at + table.header_rows
    grid = (
        f'<table class="grid{dense}">{cols}<thead>{_part(table, at, below, sides, "th")}</thead>'
        f"{_bodies(table, below, sides)}{foot}</table>"
    )
    return head + grid


def _image(image: Image) -> str:
    """The picture as an inline SVG data URL (vector, and its text needs no font)."""
    data = base64.b64encode(image.draw("svg")).decode("ascii")
    return (
        f'<p class="figure"><img src="data:image/svg+xml;base64,{data}" '
        f'alt="{escape(image.alt)}" style="width:{image.width_mm:g}mm"></p>'
    )


def _block(block: Block) -> str:
    """One block's HTML (a page break is handled by :func:`to_html`)."""
    if isinstance(block, Paragraph):
        return _paragraph(block)
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Image):
        return _image(block)
    return ""


def to_html(layout: Layout) -> str:
    """The layout as a standalone HTML page (also handy for a browser preview)."""
    # Each run of pages between breaks is a div; a landscape div uses the named page "wide".
    chunks: list[tuple[bool, list[str]]] = [(layout.landscape, [])]
    for block in layout.blocks:
        if isinstance(block, PageBreak):
            chunks.append((block.landscape, []))
        else:
            chunks[-1][1].append(_block(block))
    body = "\n".join(
        f'<div class="{"wide" if wide else "tall"}{" new-page" if n else ""}">'
        + "\n".join(parts)
        + "</div>"
        for n, (wide, parts) in enumerate(chunks)
    )
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(printable(layout.title))}</title><style>{CSS}</style></head>"
        f"<body>\n{body}\n</body></html>"
    )


def render(layout: Layout) -> bytes:
    """Render a layout as a PDF.

    The HTML needs nothing from outside (its pictures are data: URLs), so WeasyPrint may fetch
    nothing else: were markup ever to slip into the page, it could not read a local file or
    reach the network.
    """
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    data = HTML(string=to_html(layout), url_fetcher=fetcher).write_pdf()
    if not isinstance(data, bytes):  # write_pdf returns bytes when given no target
        raise RuntimeError("WeasyPrint produced no PDF")
    return data
