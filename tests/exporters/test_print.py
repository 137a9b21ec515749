"""Printing the official tables over several pages: rules closed at page feet, one table in
Word where the grid's header repeats, and the total kept with the last rows in Excel."""

from __future__ import annotations

import io
from dataclasses import replace

import pdfplumber
from reports import monitoring_report, selfeval_report

from jixiao.core.reports import SelfEvaluationReport
from jixiao.exporters import export_monitoring, export_selfeval, pdf
from jixiao.exporters.targets_layout import Cell, Layout, Table, label_cell, level_cells

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
