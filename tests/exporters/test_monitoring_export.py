"""The 绩效运行监控表: layout, xlsx, docx and pdf of the demo unit at 2021-06-30."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import docx
import openpyxl
import pdfplumber
import pytest
from docx.oxml.ns import qn
from reports import (
    GOAL_1,
    NAME_1,
    NAME_2,
    UNIT,
    monitoring_report,
    office_pdfs,
    pdf_pages,
)
from test_targets_export import docx_table_grid, grid_of, xlsx_grid

from jixiao.exporters import export_monitoring
from jixiao.exporters.monitoring_layout import TICK, build_monitoring_layout
from jixiao.exporters.targets_layout import (
    Image,
    PageBreak,
    Paragraph,
    Table,
    format_date,
    text_colour,
)
from jixiao.importers.doc import soffice_path

DEPT = "中共昌黎县委员会"
GRID_HEADER = [
    "绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "1-6月执行情况",
    "全年预计完成情况", "偏差原因分析", "偏差原因分析", "偏差原因分析", "偏差原因分析",
    "偏差原因分析", "完成目标可能性", "完成目标可能性", "完成目标可能性", "备注",
]  # fmt: skip
GRID_HEADER_2 = [
    *GRID_HEADER[:7],
    "经费保障", "制度保障", "人员保障", "硬件条件保障", "其他", "确定能", "有可能", "完全不可能",
    "备注",
]  # fmt: skip


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    """The unit file in every format, rendered once."""
    report = monitoring_report()
    return {fmt: export_monitoring(report, fmt) for fmt in ("xlsx", "docx", "pdf")}


def project_table(project_id: int) -> Table:
    """The single table of one project's layout."""
    (table,) = [
        b
        for b in build_monitoring_layout(monitoring_report(), project_id).blocks
        if isinstance(b, Table)
    ]
    return table


# --- layout --------------------------------------------------------------------------------


def test_project_table_header_fund_block_and_goal() -> None:
    grid = grid_of(project_table(1))
    assert grid[0] == ["项目名称"] * 3 + [NAME_1] * 13
    assert grid[1] == ["主管部门及代码"] * 3 + [DEPT] * 5 + ["实施单位"] * 2 + [UNIT.name] * 6
    assert grid[2] == ["项目资金（万元）"] * 3 + [""] * 2 + [
        "年初预算数", "年初预算数", "年初预算数", "全年预算数", "全年预算数",
        "1-6月执行数", "1-6月执行数", "1-6月执行率", "1-6月执行率",
        "全年预计执行数", "全年预计执行数",
    ]  # fmt: skip
    # 6.954046 万元 shows as 6.95; 全年预计执行数 6.954046 + 15 × 50% = 14.45.
    assert dedup(grid[3][3:]) == ["年度资金总额", "15.00", "6.95", "46.36%", "14.45"]
    assert dedup(grid[4][3:]) == ["其中：财政拨款", "15.00", "6.95", "46.36%", "14.45"]
    # No other money: 0.00 and no rate (—).
    assert dedup(grid[5][3:]) == ["其他资金", "0.00", "—", "0.00"]
    assert grid[6][3:9] == ["全年预期目标"] * 6 and grid[6][9:] == ["1-6月执行情况"] * 7
    assert (
        grid[7][3] == GOAL_1 and grid[7][9] == "上半年共监测预警、研判分析舆情93条，处置率92.31%。"
    )


def dedup(cells: list[str]) -> list[str]:
    """Merged cells read once each (consecutive repeats dropped)."""
    return [c for i, c in enumerate(cells) if i == 0 or c != cells[i - 1]]


def test_an_unknown_split_of_spending_by_source_is_a_dash() -> None:
    grid = grid_of(project_table(2))
    # Project 2 has fiscal and other money: spending by source is not known.
    assert dedup(grid[4][3:]) == ["其中：财政拨款", "4.00", "—"]
    assert dedup(grid[5][3:]) == ["其他资金", "1.00", "—"]
    # The unit entered 4.00 as its 全年预计执行数.
    assert dedup(grid[3][3:]) == ["年度资金总额", "5.00", "1.20", "24.00%", "4.00"]


def test_the_grid_header_is_the_national_one_on_two_rows() -> None:
    table = project_table(1)
    grid = grid_of(table)
    assert (table.header_row, table.header_rows) == (8, 2)
    assert grid[8] == GRID_HEADER
    assert grid[9] == GRID_HEADER_2
    # The 绩效指标 label runs down the left from the header to the last row.
    assert [row[0] for row in grid[8:]] == ["绩效指标"] * (len(grid) - 8)
    (side,) = [cell for _, _, cell in table.placed() if cell.side]
    assert side.row_span == 2 + 9


def test_indicator_rows_tick_reasons_and_likelihoods() -> None:
    grid = grid_of(project_table(1))
    assert grid[10][1:] == [
        "产出指标", "数量指标", "舆情监测预警、研判分析数", "≥200条", "93", "187.54",
        "", "", "", "", "", "", TICK, "", "",
    ]  # fmt: skip
    # 备注 in its own column.
    assert grid[11][-1] == "1起涉及跨部门协调"
    # A reason goes under its category (人员保障) ...
    assert grid[12][7:12] == ["", "", "上半年人员调整，部分工作延期完成", "", ""]
    # ... and one without a category under 其他; the likelihood is ticked.
    assert grid[17][7:15] == ["", "", "", "", "运行期限按年度计算，年中仅满半年", "", TICK, ""]
    # No current value yet: no projection, reason or likelihood.
    assert (
        grid[18][1:] == ["满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90%"] + [""] * 11
    )
    # Our own analysis (lights, 纠偏措施) is not in the official grid.
    flat = [text for row in grid for text in row]
    assert "绿灯" not in flat and "纠偏措施" not in flat


def test_level1_and_level2_merge_down_their_runs() -> None:
    spans = {(r, c): cell.row_span for r, c, cell in project_table(1).placed()}
    assert spans[10, 1] == 4  # 产出指标
    assert spans[14, 1] == 4  # 效益指标
    assert spans[18, 1] == 1
    assert all(spans[r, 2] == 1 for r in range(10, 19))


def test_hubei_layout_has_one_likelihood_column_and_notes_under_the_grid() -> None:
    report = replace(monitoring_report(), settings={"monitoring_layout": "hubei"})
    (table,) = [b for b in build_monitoring_layout(report, 2).blocks if isinstance(b, Table)]
    grid = grid_of(table)
    assert grid[table.header_row] == [
        "绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "1-6月执行情况",
        "全年预计完成情况", "完成目标可能性", "备注",
    ]  # fmt: skip
    assert table.header_rows == 1
    assert grid[table.header_row + 1][7] == "确定能"
    assert dedup(grid[-2]) == [
        "偏差原因分析",
        "预算执行：经费保障：设备购置尚未完成政府采购\n"
        "市级及以上网络媒体采稿率：其他：上半年重大活动集中，采稿率高于预期\n"
        "网络宣传影响力持续期限：影响力持续期限按年度计算",
    ]
    assert dedup(grid[-1])[0] == "相关建议或举措"
    assert "预算执行：加快采购进度，8月底前完成支付" in grid[-1][-1]


def test_the_analysis_table_lists_lights_reasons_and_measures() -> None:
    layout = build_monitoring_layout(monitoring_report())
    analysis = [b for b in layout.blocks if isinstance(b, Table) and b.section == "偏差分析"]
    (table,) = analysis
    grid = grid_of(table)
    assert grid[0] == ["序号", "项目", "指标", "预警", "偏差原因", "纠偏措施"]
    assert grid[1] == [
        "1", NAME_1, "工作及时完成率", "黄灯", "人员保障：上半年人员调整，部分工作延期完成",
        "充实工作力量，9月底前完成积压工作",
    ]  # fmt: skip
    assert grid[4][:4] == ["4", NAME_2, "预算执行", "红灯"]
    fills = {cell.text: cell.fill for _, _, cell in table.placed() if cell.fill}
    assert fills == {"黄灯": "f0b400", "红灯": "d9363e", "蓝灯": "2f6fd6"}
    # Black on yellow, white on the darker colours.
    assert text_colour("f0b400") == "000000"
    assert text_colour("d9363e") == text_colour("2f6fd6") == "ffffff"


def test_unit_layout_is_a_portrait_summary_then_landscape_projects() -> None:
    layout = build_monitoring_layout(monitoring_report())
    kinds = [type(b).__name__ for b in layout.blocks]
    assert kinds == [
        "Paragraph", "Paragraph", "Paragraph", "Table", "Image", "Paragraph", "Image", "Paragraph",
        "PageBreak", "Paragraph", "Table",  # 偏差原因及纠偏措施, portrait
        "PageBreak", "Paragraph", "Table", "PageBreak", "Paragraph", "Table",
    ]  # fmt: skip
    assert not layout.landscape
    breaks = [b.landscape for b in layout.blocks if isinstance(b, PageBreak)]
    assert breaks == [False, True, True]
    assert layout.title == f"{UNIT.name}项目支出绩效目标执行监控表（2021年度）"
    lines = [b.text for b in layout.blocks[:3] if isinstance(b, Paragraph)]
    assert lines == [
        "2021年项目支出绩效运行监控汇总",
        f"预算单位：224001 {UNIT.name}",
        "截至日期：2021年6月30日　　序时进度：49.59%　　金额单位：万元",
    ]
    assert [b.width_mm for b in layout.blocks if isinstance(b, Image)] == [160.0, 160.0]


def test_summary_table_totals_the_projects() -> None:
    table = build_monitoring_layout(monitoring_report()).blocks[3]
    assert isinstance(table, Table)
    assert grid_of(table) == [
        ["序号", "项目名称", "调整后预算", "实际执行数", "执行率", "序时进度", "预警"],
        ["1", NAME_1, "15.00", "6.95", "46.36%", "49.59%", "绿灯"],
        ["2", NAME_2, "5.00", "1.20", "24.00%", "49.59%", "红灯"],
        # 6.954046 + 1.20 = 8.154046 → 8.15; 8.154046 / 20 = 40.77%.
        ["合计", "合计", "20.00", "8.15", "40.77%", "49.59%", ""],
    ]


def test_one_project_layout_is_landscape_without_summary() -> None:
    layout = build_monitoring_layout(monitoring_report(), 2)
    assert layout.landscape
    assert [type(b).__name__ for b in layout.blocks] == ["Paragraph", "Table"]
    assert layout.blocks[0].section == f"2.{NAME_2}"
    assert layout.title == f"{NAME_2}项目支出绩效目标执行监控表（2021年度）"


def test_unknown_project_and_format_are_refused() -> None:
    with pytest.raises(ValueError, match="3"):
        export_monitoring(monitoring_report(), "xlsx", project_id=3)
    with pytest.raises(ValueError, match="csv"):
        export_monitoring(monitoring_report(), "csv")


def test_dates_print_the_chinese_way() -> None:
    assert format_date(monitoring_report().as_of) == "2021年6月30日"


# --- xlsx ----------------------------------------------------------------------------------


def test_xlsx_has_a_summary_sheet_with_charts_then_a_sheet_per_project(
    files: dict[str, bytes],
) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(files["xlsx"]))
    assert wb.sheetnames == ["汇总", "偏差分析", f"1.{NAME_1}", f"2.{NAME_2}"]
    summary, _, first, _ = wb.worksheets
    assert len(summary._images) == 2
    assert summary["A1"].value == "2021年项目支出绩效运行监控汇总"
    assert [ws.page_setup.orientation for ws in wb.worksheets] == [
        "portrait", "portrait", "landscape", "landscape",
    ]  # fmt: skip
    assert first["A1"].value == "项目支出绩效目标执行监控表（2021年度）"
    assert xlsx_grid(first, top=2) == grid_of(project_table(1))


def test_xlsx_fills_light_cells(files: dict[str, bytes]) -> None:
    ws = openpyxl.load_workbook(io.BytesIO(files["xlsx"]))["偏差分析"]
    lights = {
        cell.value: (cell.fill.fgColor.rgb, cell.font.color.rgb)
        for row in ws.iter_rows()
        for cell in row
        if cell.value in ("红灯", "黄灯", "绿灯")
    }
    assert lights == {
        "黄灯": ("FFF0B400", "FF000000"),
        "红灯": ("FFD9363E", "FFFFFFFF"),
    }


def test_xlsx_of_one_project_has_one_landscape_sheet() -> None:
    data = export_monitoring(monitoring_report(), "xlsx", project_id=2)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == [f"2.{NAME_2}"]
    assert wb.active.page_setup.orientation == "landscape"
    assert xlsx_grid(wb.active, top=2) == grid_of(project_table(2))


# --- docx ----------------------------------------------------------------------------------


def test_docx_has_portrait_summary_and_landscape_project_sections(files: dict[str, bytes]) -> None:
    document = docx.Document(io.BytesIO(files["docx"]))
    sizes = [(round(s.page_width.mm), round(s.page_height.mm)) for s in document.sections]
    assert sizes == [(210, 297), (210, 297), (297, 210), (297, 210)]
    assert len(document.inline_shapes) == 2  # the two charts
    # Each project's table in two parts: Word repeats only header rows that open a table, so
    # the grid (from its two header rows) is a table of its own.
    summary, analysis, *parts = document.tables
    assert docx_table_grid(analysis)[1][3] == "黄灯"
    for n, (head, grid) in enumerate(zip(parts[::2], parts[1::2], strict=True), start=1):
        assert docx_table_grid(head) + docx_table_grid(grid) == grid_of(project_table(n))
        header = [tr.trPr.find(qn("w:tblHeader")) is not None for tr in grid._tbl.tr_lst]
        assert header[:3] == [True, True, False] and not any(header[2:])
        assert docx_table_grid(grid)[0][1:3] == ["一级指标", "二级指标"]
    assert docx_table_grid(summary)[3][0] == "合计"


def test_docx_shades_light_cells(files: dict[str, bytes]) -> None:
    table = docx.Document(io.BytesIO(files["docx"])).tables[1]
    cell = table.cell(4, 3)  # project 2's budget light in the analysis
    assert cell.text == "红灯"
    shading = cell._tc.tcPr.find(qn("w:shd"))
    assert shading.get(qn("w:fill")) == "D9363E"


# --- pdf -----------------------------------------------------------------------------------


def test_pdf_reads_back_labels_and_numbers(files: dict[str, bytes]) -> None:
    pages = pdf_pages(files["pdf"])
    assert "2021年项目支出绩效运行监控汇总" in pages[0]
    assert "40.77%" in pages[0]
    assert "偏差原因及纠偏措施" in pages[1] and "纠偏措施" in pages[1]
    tables = [page for page in pages[2:] if "项目支出绩效目标执行监控表（2021年度）" in page]
    assert len(tables) >= 2  # each project starts on a page of its own
    for page in tables:
        flat = page.replace("\n", "").replace(" ", "")
        for label in ("主管部门及代码", "全年预计执行数", "偏差原因分析", "完成目标可能性"):
            assert label in flat
    flat = pages[2].replace("\n", "").replace(" ", "")
    # (Texts that wrap inside a cell interleave with their neighbours: check short ones.)
    for value in ("46.36%", "14.45", "187.54", "✓", "其中：财政拨款"):
        assert value in flat


def test_pdf_summary_draws_the_charts_and_projects_are_landscape(files: dict[str, bytes]) -> None:
    with pdfplumber.open(io.BytesIO(files["pdf"])) as pdf:
        first, *rest = pdf.pages
        analysis, *projects = rest
        assert first.width < first.height and analysis.width < analysis.height
        assert all(page.width > page.height for page in projects)
        # The SVG charts become vector paths: hundreds of curves on the summary page only.
        assert len(first.curves) > 100
        assert all(len(page.curves) == 0 for page in rest)


# --- LibreOffice ---------------------------------------------------------------------------


@pytest.mark.skipif(soffice_path() is None, reason="LibreOffice not installed")
def test_libreoffice_opens_xlsx_and_docx(files: dict[str, bytes], tmp_path: Path) -> None:
    pdfs = office_pdfs({"xlsx": files["xlsx"], "docx": files["docx"]}, tmp_path)
    for fmt, data in pdfs.items():
        flat = "".join(pdf_pages(data)).replace("\n", "").replace(" ", "")
        labels = ("执行监控表", "三级指标", "偏差原因分析", "纠偏措施", "红灯", NAME_2, "40.77%")
        for label in labels:
            assert label in flat, (fmt, label)
