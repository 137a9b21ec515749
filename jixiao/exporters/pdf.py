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
/* The pieces of a merge cut at page breaks (a label column) read as one cell on a page. */
.cut-top {{ border-top-style: hidden; }}
p.keep {{ break-before: avoid; }}
table.dense {{ font-size: 9pt; line-height: 1.25; }}
table.dense th, table.dense td {{ padding: 2pt 3pt; }}
.right {{ text-align: right; }}
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
    """One cell with its spans, weight and alignment; ``extra`` adds classes."""
    classes = f"{cell.align}{' b' if cell.bold and tag == 'td' else ''}{extra}"
    attrs = f' class="{classes}"'
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


# A table's rows as (column, cell, extra classes) per row, ready to write.
Placed = list[list[tuple[int, Cell, str]]]


def _placed_rows(table: Table, segments: list[range]) -> Placed:
    """Every row's anchors; a ``breakable`` merge is cut into one piece per segment it crosses.

    The pieces hide the rules between them, so the column reads as one cell on a page; the
    text goes in the piece holding the merge's middle row.
    """
    out: Placed = [[] for _ in table.rows]
    for r, c, cell in table.placed():
        if not cell.breakable or cell.row_span == 1:
            out[r].append((c, cell, ""))
            continue
        last = r + cell.row_span - 1
        middle = r + cell.row_span // 2
        for segment in segments:
            top, bottom = max(r, segment.start), min(last, segment.stop - 1)
            if top > bottom:
                continue
            # Hiding its top rule hides the rule it shares with the piece above (a collapsed
            # border); its bottom rule stays and closes the table where a page ends.
            extra = " cut-top" if top > r else ""
            text = cell.text if top <= middle <= bottom else ""
            piece = replace(cell, text=text, row_span=bottom - top + 1)
            out[top].append((c, piece, extra))
    for row in out:
        row.sort(key=lambda item: item[0])
    return out


def _rows(placed: Placed, rows: range, tag: str = "td") -> str:
    """Table rows."""
    return "".join(
        "<tr>" + "".join(_cell(cell, tag, extra) for _, cell, extra in placed[r]) + "</tr>"
        for r in rows
    )


def _splits_cleanly(table: Table, at: int) -> bool:
    """True when no cell above row ``at`` spans down into it."""
    return all(r + cell.row_span <= at for r, _, cell in table.placed() if r < at)


def _table(table: Table) -> str:
    """The table; the indicator header becomes a ``thead`` repeated on every page.

    The rows after the header go in one unbreakable ``tbody`` per group of tied rows.
    """
    total = sum(table.widths)
    cols = "<colgroup>" + "".join(
        f'<col style="width:{w * 100 / total:.3f}%">' for w in table.widths
    )
    cols += "</colgroup>"
    at = table.header_row
    groups = table.row_groups()
    dense = " dense" if table.dense else ""
    # HTML only repeats a thead that opens its table: cut the table in two at the header row.
    if at is None or not _splits_cleanly(table, at):
        placed = _placed_rows(table, groups)
        bodies = "".join(f"<tbody>{_rows(placed, g)}</tbody>" for g in groups)
        return f'<table class="grid{dense}">{cols}{bodies}</table>'
    segments = [range(0, at), range(at, at + 1)]
    for group in groups:
        rows = range(max(group.start, at + 1), group.stop)
        if rows:
            segments.append(rows)
    placed = _placed_rows(table, segments)
    head = ""
    if at > 0:
        head = (
            f'<table class="head{dense}">{cols}<tbody>{_rows(placed, segments[0])}</tbody></table>'
        )
    bodies = "".join(f"<tbody>{_rows(placed, s)}</tbody>" for s in segments[2:])
    grid = (
        f'<table class="grid{dense}">{cols}<thead>{_rows(placed, segments[1], "th")}</thead>'
        f"{bodies}</table>"
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
