"""The 绩效运行监控表: layout, xlsx, docx and pdf of the demo unit at 2021-06-30."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import openpyxl
import pdfplumber
import pytest
from docx.oxml.ns import qn
from reports import CODE_1, NAME_1, NAME_2, UNIT, monitoring_report, office_pdfs, pdf_pages
from test_targets_export import docx_table_grid, grid_of, xlsx_grid

from jixiao.exporters import export_monitoring
from jixiao.exporters.monitoring_layout import build_monitoring_layout
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
    "一级指标", "二级指标", "三级指标", "指标值", "当前完成值", "全年预计完成", "完成可能性",
    "偏差原因", "纠偏措施", "预警",
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


def test_project_table_header_and_budget_block() -> None:
    grid = grid_of(project_table(1))
    assert grid[0] == ["主管部门"] * 2 + [DEPT] * 3 + ["实施单位"] * 2 + [UNIT.name] * 3
    assert grid[1] == ["项目名称"] * 2 + [NAME_1] * 3 + ["项目编码"] * 2 + [CODE_1] * 3
    assert grid[2] == ["截至日期"] * 2 + ["2021年6月30日"] * 3 + ["单位：万元"] * 5
    assert grid[3][2:] == [
        "年初预算", "调整后预算", "实际执行数", "执行率", "序时进度", "计划进度", "计划执行数",
        "预警",
    ]  # fmt: skip
    # 6.954046 万元 shows as 6.95; plan 15 × 50% = 7.50.
    assert grid[4] == ["预算执行情况"] * 2 + [
        "15.00", "15.00", "6.95", "46.36%", "49.59%", "50.00%", "7.50", "绿灯",
    ]  # fmt: skip
    assert grid[5] == GRID_HEADER


def test_budget_deviation_row_appears_only_with_a_reason() -> None:
    table = project_table(2)
    grid = grid_of(table)
    assert grid[4][-1] == "红灯"
    assert (
        grid[5]
        == ["执行偏差原因"] * 2
        + ["经费保障：设备购置尚未完成政府采购"] * 3
        + ["纠偏措施"] * 2
        + ["加快采购进度，8月底前完成支付"] * 3
    )
    assert table.header_row == 6
    assert project_table(1).header_row == 5


def test_indicator_rows_show_values_reasons_and_lights() -> None:
    grid = grid_of(project_table(1))
    assert grid[6] == [
        "产出指标", "数量指标", "舆情监测预警、研判分析数", "≥200条", "93", "187.54", "有可能",
        "", "", "绿灯",
    ]  # fmt: skip
    assert grid[8] == [
        "产出指标", "时效指标", "工作及时完成率", "100%", "75", "75", "有可能",
        "人员保障：上半年人员调整，部分工作延期完成", "充实工作力量，9月底前完成积压工作", "黄灯",
    ]  # fmt: skip
    # A reason without a category is shown alone.
    assert grid[13][7:] == ["运行期限按年度计算，年中仅满半年", "持续保障系统稳定运行", "红灯"]
    # No current value yet: no projection, likelihood or light.
    assert grid[14] == [
        "满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90%", "", "", "", "", "", "",
    ]  # fmt: skip


def test_level1_and_level2_merge_down_their_runs() -> None:
    spans = {(r, c): cell.row_span for r, c, cell in project_table(1).placed()}
    assert spans[6, 0] == 4  # 产出指标
    assert spans[10, 0] == 4  # 效益指标
    assert spans[14, 0] == 1
    assert all(spans[r, 1] == 1 for r in range(6, 15))


def test_light_cells_carry_their_colour() -> None:
    fills = {cell.text: cell.fill for _, _, cell in project_table(1).placed() if cell.fill}
    assert fills == {"绿灯": "2e9d4f", "黄灯": "f0b400", "红灯": "d9363e"}
    # Black on yellow, white on the darker colours.
    assert text_colour("f0b400") == "000000"
    assert text_colour("d9363e") == text_colour("2f6fd6") == "ffffff"


def test_unit_layout_is_a_portrait_summary_then_landscape_projects() -> None:
    layout = build_monitoring_layout(monitoring_report())
    kinds = [type(b).__name__ for b in layout.blocks]
    assert kinds == [
        "Paragraph", "Paragraph", "Paragraph", "Table", "Image", "Paragraph", "Image", "Paragraph",
        "PageBreak", "Paragraph", "Table", "PageBreak", "Paragraph", "Table",
    ]  # fmt: skip
    assert not layout.landscape
    assert all(b.landscape for b in layout.blocks if isinstance(b, PageBreak))
    assert layout.title == f"{UNIT.name}2021年项目支出绩效运行监控表"
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
    assert layout.title == f"{NAME_2}2021年项目支出绩效运行监控表"


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
    assert wb.sheetnames == ["汇总", f"1.{NAME_1}", f"2.{NAME_2}"]
    summary, first, _ = wb.worksheets
    assert len(summary._images) == 2
    assert summary["A1"].value == "2021年项目支出绩效运行监控汇总"
    assert [ws.page_setup.orientation for ws in wb.worksheets] == [
        "portrait", "landscape", "landscape",
    ]  # fmt: skip
    assert first["A1"].value == "2021年项目支出绩效运行监控表"
    assert xlsx_grid(first, top=2) == grid_of(project_table(1))


def test_xlsx_fills_light_cells(files: dict[str, bytes]) -> None:
    ws = openpyxl.load_workbook(io.BytesIO(files["xlsx"]))[f"1.{NAME_1}"]
    lights = {
        cell.value: (cell.fill.fgColor.rgb, cell.font.color.rgb)
        for row in ws.iter_rows()
        for cell in row
        if cell.value in ("红灯", "黄灯", "绿灯")
    }
    assert lights == {
        "绿灯": ("FF2E9D4F", "FFFFFFFF"),
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
    assert sizes == [(210, 297), (297, 210), (297, 210)]
    assert len(document.inline_shapes) == 2  # the two charts
    summary, first, second = document.tables
    assert docx_table_grid(first) == grid_of(project_table(1))
    assert docx_table_grid(second) == grid_of(project_table(2))
    assert docx_table_grid(summary)[3][0] == "合计"


def test_docx_shades_light_cells(files: dict[str, bytes]) -> None:
    table = docx.Document(io.BytesIO(files["docx"])).tables[2]
    cell = table.cell(4, 9)  # project 2's budget light
    assert cell.text == "红灯"
    shading = cell._tc.tcPr.find(qn("w:shd"))
    assert shading.get(qn("w:fill")) == "D9363E"


# --- pdf -----------------------------------------------------------------------------------


def test_pdf_reads_back_labels_and_numbers(files: dict[str, bytes]) -> None:
    pages = pdf_pages(files["pdf"])
    assert len(pages) == 3  # the summary, then one page per project
    assert "2021年项目支出绩效运行监控汇总" in pages[0]
    assert "40.77%" in pages[0]
    for page in pages[1:]:
        assert "2021年项目支出绩效运行监控表" in page
        flat = page.replace("\n", "").replace(" ", "")
        for label in ("主管部门", "序时进度", "计划进度", "完成可能性", "纠偏措施", "单位：万元"):
            assert label in flat
    flat = pages[1].replace("\n", "").replace(" ", "")
    # (Texts that wrap inside a cell interleave with their neighbours: check short ones.)
    for value in ("46.36%", "49.59%", "187.54", "黄灯", "人员保障："):
        assert value in flat
    assert "经费保障：设备购置尚未完成政府采购" in pages[2].replace("\n", "")


def test_pdf_summary_draws_the_charts_and_projects_are_landscape(files: dict[str, bytes]) -> None:
    with pdfplumber.open(io.BytesIO(files["pdf"])) as pdf:
        first, *rest = pdf.pages
        assert first.width < first.height
        assert all(page.width > page.height for page in rest)
        # The SVG charts become vector paths: hundreds of curves on the summary page only.
        assert len(first.curves) > 100
        assert all(len(page.curves) == 0 for page in rest)


# --- LibreOffice ---------------------------------------------------------------------------


@pytest.mark.skipif(soffice_path() is None, reason="LibreOffice not installed")
def test_libreoffice_opens_xlsx_and_docx(files: dict[str, bytes], tmp_path: Path) -> None:
    pdfs = office_pdfs({"xlsx": files["xlsx"], "docx": files["docx"]}, tmp_path)
    for fmt, data in pdfs.items():
        flat = "".join(pdf_pages(data)).replace("\n", "").replace(" ", "")
        labels = ("运行监控表", "三级指标", "偏差原因", "纠偏措施", "红灯", NAME_2, "40.77%")
        for label in labels:
            assert label in flat, (fmt, label)
