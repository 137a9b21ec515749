"""Printing the official tables over several pages: rules closed at page feet, one table in
Word where the grid's header repeats, and the total kept with the last rows in Excel."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import docx
import openpyxl
import pdfplumber
import pytest
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tbl
from docx.oxml.text.paragraph import CT_P
from openpyxl.worksheet.worksheet import Worksheet
from reports import monitoring_report, office_pdfs, pdf_pages, selfeval_report
from test_targets_export import grid_of

from jixiao.core.reports import SelfEvaluationReport
from jixiao.exporters import export_monitoring, export_selfeval, pdf, xlsx
from jixiao.exporters.monitoring_layout import build_monitoring_layout
from jixiao.exporters.targets_layout import (
    Cell,
    Layout,
    Paragraph,
    Table,
    label_cell,
    level_cells,
)
from jixiao.importers.doc import soffice_path

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

# --- helpers --------------------------------------------------------------------------------


def open_feet(data: bytes) -> list[tuple[int, float, float]]:
    """Each page whose table does not end in one rule: (page, first uncovered x, its end).

    The table's foot on a page is the lowest end of its vertical rulings; a ruled foot is
    covered by horizontal strokes from the leftmost to the rightmost ruling without a gap.
    """
    gaps = []
    with pdfplumber.open(io.BytesIO(data)) as doc:
        for page in doc.pages:
            upright = [e for e in page.edges if e["orientation"] == "v"]
            if not upright:
                continue
            foot = max(e["bottom"] for e in upright)
            left = min(e["x0"] for e in upright)
            right = max(e["x1"] for e in upright)
            across = sorted(
                (e["x0"], e["x1"])
                for e in page.edges
                if e["orientation"] == "h" and abs(e["top"] - foot) < 1
            )
            reach = left
            for x0, x1 in across:
                if x0 > reach + 1:
                    break
                reach = max(reach, x1)
            if reach < right - 1:
                gaps.append((page.page_number, reach, right))
    return gaps


def pages_of(data: bytes) -> int:
    """How many pages a PDF has."""
    with pdfplumber.open(io.BytesIO(data)) as doc:
        return len(doc.pages)


def one_long_run(report: SelfEvaluationReport, count: int) -> SelfEvaluationReport:
    """Project 2 with ``count`` indicators all under one 一级/二级 pair: its merged level cells
    and the side label are cut by the page break."""
    project = report.projects[1]
    rows = tuple(replace(project.rows[0], level3=f"信息发布{n}") for n in range(count))
    return replace(report, projects=(report.projects[0], replace(project, rows=rows)))


def synthetic_grid(count: int) -> Table:
    """A bare grid: a side label down the left, a level-1 cell merged down every row."""
    levels = [("产出指标", f"二级{n // 7}") for n in range(count)]
    rows: list[list[Cell]] = [
        [
            Cell("绩效指标", row_span=count + 1, side=True, vertical=True, bold=True),
            *(label_cell(t) for t in ("一级指标", "二级指标", "三级指标", "指标值")),
        ]
    ]
    rows += [[*level_cells(levels, n), Cell(f"指标{n}"), Cell(f"≥{n}条")] for n in range(count)]
    return Table(5, (5.0, 20.0, 20.0, 35.0, 20.0), rows, header_row=0)


# --- PDF: the rule at the foot of each page ------------------------------------------------


def test_pdf_grid_has_a_foot_row_that_draws_the_closing_rule() -> None:
    html = pdf.to_html(Layout("表", [synthetic_grid(3)]))
    assert '<tfoot><tr><td colspan="5"></td></tr></tfoot></table>' in html
    assert "tfoot td { border-width: 0.75pt 0 0;" in html


def test_pdf_page_feet_are_ruled_where_merged_cells_run_on() -> None:
    data = pdf.render(Layout("表", [synthetic_grid(60)]))
    assert pages_of(data) >= 2
    assert open_feet(data) == []


def test_pdf_self_evaluation_cut_through_its_level_cells_is_ruled_on_every_page() -> None:
    report = one_long_run(selfeval_report(), 45)
    data = export_selfeval(report, "pdf", project_id=2)
    assert pages_of(data) == 2
    assert open_feet(data) == []


def test_pdf_monitoring_table_cut_over_pages_is_ruled_on_every_page() -> None:
    report = monitoring_report()
    project = report.projects[0]
    rows = tuple(replace(row, level3=f"{row.level3}{n}") for n in range(6) for row in project.rows)
    report = replace(report, projects=(replace(project, rows=rows), report.projects[1]))
    data = export_monitoring(report, "pdf", project_id=project.project_id)
    assert pages_of(data) >= 2
    assert open_feet(data) == []


# --- docx: the header block and its grid print as one table --------------------------------


def joints(data: bytes) -> list[tuple[CT_Tbl, CT_P, CT_Tbl]]:
    """Every (table, paragraph, table) run in the document body."""
    body = list(docx.Document(io.BytesIO(data)).element.body)
    return [
        (a, b, c)
        for a, b, c in zip(body, body[1:], body[2:], strict=False)
        if isinstance(a, CT_Tbl) and isinstance(b, CT_P) and isinstance(c, CT_Tbl)
    ]


def test_docx_joint_between_block_and_grid_is_a_sliver_and_one_rule() -> None:
    data = export_selfeval(selfeval_report(), "docx")
    found = joints(data)
    assert len(found) == 2  # one per project
    for head, joint, grid in found:
        ppr = joint.pPr
        spacing = ppr.find(qn("w:spacing"))
        # Exactly 0.7 pt (14 twentieths), nothing before or after, off the document grid.
        assert {k.removeprefix(W): v for k, v in spacing.attrib.items()} == {
            "before": "0",
            "after": "0",
            "line": "14",
            "lineRule": "exact",
        }
        assert ppr.find(qn("w:snapToGrid")).get(qn("w:val")) == "0"
        assert ppr.find(qn("w:keepNext")) is not None
        # The paragraph mark (which sets the line's font) at half a point; no text.
        assert ppr.find(qn("w:rPr")).find(qn("w:sz")).get(qn("w:val")) == "1"
        assert joint.xpath("string(.)") == ""
        # The block drops its bottom rule: the grid's top rule is the one line between them.
        bottom = head.tblPr.find(qn("w:tblBorders")).find(qn("w:bottom"))
        assert bottom.get(qn("w:val")) == "nil"
        assert grid.tblPr.find(qn("w:tblBorders")) is None
        # The grid still opens with its header row, which Word repeats on each page.
        assert grid.tr_lst[0].trPr.find(qn("w:tblHeader")) is not None


@pytest.mark.skipif(soffice_path() is None, reason="LibreOffice not installed")
def test_docx_block_and_grid_print_as_one_table(tmp_path: Path) -> None:
    data = office_pdfs({"docx": export_selfeval(selfeval_report(), "docx")}, tmp_path)["docx"]
    with pdfplumber.open(io.BytesIO(data)) as doc:
        for page in doc.pages[1:]:
            words = page.extract_words()
            (header,) = [w for w in words if w["text"] == "一级指标"]
            # The horizontal rules just above the grid header: one, not the block's bottom
            # rule and the grid's top rule a paragraph apart.
            above = sorted(
                e["top"]
                for e in page.edges
                if e["orientation"] == "h" and header["top"] - 30 < e["top"] < header["top"]
            )
            assert above and above[-1] - above[0] < 0.5, above
            seam = above[0]
            # The block's vertical rules reach down to that rule: no gap wider than 1 pt.
            ends = [
                e["bottom"]
                for e in page.edges
                if e["orientation"] == "v" and seam - 40 < e["bottom"] < seam + 1
            ]
            assert ends and all(seam - end <= 1 for end in ends), (seam, ends)


# --- xlsx: page breaks that keep the total with the last rows -------------------------------


def tall_grid(count: int, keep_tail: int) -> Layout:
    """A title, then a grid of one-line rows (20 pt each): header, ``count`` indicators (no
    merges, so any row may open a page), 总分 and 自评等级, and a note kept under them."""
    rows: list[list[Cell]] = [[label_cell(t) for t in ("一级指标", "三级指标", "指标值")]]
    rows += [[Cell(f"一级{n}"), Cell(f"指标{n}"), Cell("≥1条")] for n in range(count)]
    rows += [[label_cell("总分", col_span=2), Cell("90.00")]]
    rows += [[label_cell("自评等级", col_span=2), Cell("优")]]
    table = Table(3, (30.0, 40.0, 30.0), rows, 0, section="表", repeat_header=True)
    table.keep_tail = keep_tail
    return Layout(
        "表",
        [
            Paragraph("项目支出绩效自评表", "title", 0, "表", "center"),
            table,
            Paragraph("项目负责人：", "note", 0, "表", keep_with_previous=True),
        ],
    )


def sheet_of(layout: Layout) -> Worksheet:
    """The one sheet of the layout's workbook."""
    (ws,) = openpyxl.load_workbook(io.BytesIO(xlsx.render(layout))).worksheets
    return ws


def test_xlsx_breaks_before_the_last_indicator_so_the_total_is_not_alone() -> None:
    # A4 portrait: 841.89 − 2 × 0.6 × 72 = 755.49 pt between the margins, 96 character units
    # (504 pt) fit its width unscaled; the breaks fill 98.5% of it: 744.16 pt. The title row
    # (30) and the header (20) leave room for 33 indicators (660): 710; the 34th indicator
    # (730) would fit but 总分 (750) would not, so it would open page 2 alone.
    ws = sheet_of(tall_grid(34, keep_tail=2))
    assert [ws.row_dimensions[r].height for r in (1, 2, 3, 37, 38, 39)] == [30, 20, 20, 20, 20, 20]
    assert ws.print_title_rows == "$2:$2"
    # Sheet rows: title 1, header 2, indicators 3-36, 总分 37, 自评等级 38, note 39. The break
    # follows row 35: the last indicator (36) opens page 2 with 总分, 自评等级 and the note.
    assert [b.id for b in ws.row_breaks.brk] == [35]
    assert ws.cell(36, 2).value == "指标33" and ws.cell(37, 1).value == "总分"


def test_xlsx_without_a_kept_tail_breaks_where_the_page_is_full() -> None:
    ws = sheet_of(tall_grid(34, keep_tail=0))
    # 总分 is a row like any other: the page holds through the last indicator (730 pt), and
    # 总分 (20 pt more) opens the next page; the note stays with 自评等级 only.
    assert [b.id for b in ws.row_breaks.brk] == [36]


def test_xlsx_a_table_that_fits_its_page_gets_no_break() -> None:
    assert list(sheet_of(tall_grid(30, keep_tail=2)).row_breaks.brk) == []
    wb = openpyxl.load_workbook(io.BytesIO(export_selfeval(selfeval_report(), "xlsx")))
    assert [len(ws.row_breaks.brk) for ws in wb.worksheets] == [0, 0, 0]


def test_xlsx_a_later_page_gives_the_repeated_header_its_room() -> None:
    # 80 indicators: page 1 holds title, header and 34 indicators (rows 3-36, 730 pt); each
    # later page repeats the header (20 pt) and holds 36 rows (740 pt): page 2 is rows 37-72.
    # Page 3 takes indicators 73-82, the tail and the note (280 pt): no third break.
    ws = sheet_of(tall_grid(80, keep_tail=2))
    assert [b.id for b in ws.row_breaks.brk] == [36, 72]


def four_times_over() -> SelfEvaluationReport:
    """Project 2 with its nine indicators four times over (its xlsx needs three pages)."""
    report = selfeval_report()
    project = report.projects[1]
    rows = tuple(
        replace(row, level1=f"{row.level1}{n}", level3=f"{row.level3}{n}")
        for n in range(4)
        for row in project.rows
    )
    return replace(report, projects=(report.projects[0], replace(project, rows=rows)))


def test_xlsx_self_evaluation_over_pages_keeps_level_runs_and_the_total() -> None:
    data = export_selfeval(four_times_over(), "xlsx", project_id=2)
    (ws,) = openpyxl.load_workbook(io.BytesIO(data)).worksheets
    breaks = [b.id for b in ws.row_breaks.brk]
    # Each page ends with a 满意度 run (the end of a 一级指标 run), never inside one.
    assert [ws.cell(r, 2).value for r in breaks] == ["满意度指标0", "满意度指标2"]
    assert ws.cell(breaks[-1] + 1, 2).value == "产出指标3"


@pytest.mark.skipif(soffice_path() is None, reason="LibreOffice not installed")
def test_libreoffice_prints_the_xlsx_on_the_computed_pages(tmp_path: Path) -> None:
    data = export_selfeval(four_times_over(), "xlsx", project_id=2)
    pages = [
        page.replace("\n", "").replace(" ", "")
        for page in pdf_pages(office_pdfs({"xlsx": data}, tmp_path)["xlsx"])
    ]
    assert len(pages) == 3
    # Each page repeats the grid header; the last carries the last run with the total, the
    # grade and the signature line.
    assert all("偏差原因分析及改进措施" in page for page in pages)
    assert "服务对象满意度0" in pages[0] and "产出指标1" in pages[1]
    for text in ("产出指标3", "服务对象满意度3", "总分", "自评等级", "项目负责人："):
        assert text in pages[2]


def test_monitoring_grid_repeats_its_two_header_rows_and_keeps_hubei_notes() -> None:
    report = monitoring_report()
    wb = openpyxl.load_workbook(io.BytesIO(export_monitoring(report, "xlsx", project_id=1)))
    (ws,) = wb.worksheets
    # Title row 1, then the table: header 2 rows, funds 4, goal 2, so the grid header is its
    # rows 8 and 9 (0-based), sheet rows 10 and 11.
    assert ws.print_title_rows == "$10:$11"
    assert [ws.cell(r, 8).value for r in (10, 11)] == ["偏差原因分析", "经费保障"]
    hubei = replace(report, settings={**report.settings, "monitoring_layout": "hubei"})
    layout = build_monitoring_layout(hubei, 1)
    (table,) = [b for b in layout.blocks if isinstance(b, Table)]
    assert (table.repeat_header, table.header_rows, table.keep_tail) == (True, 1, 2)
    assert grid_of(table)[-2][0] == "偏差原因分析" and grid_of(table)[-1][0] == "相关建议或举措"
