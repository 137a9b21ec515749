"""The 项目支出绩效自评表: layout, files, and the xlsx read back by jixiao.importers.selfeval."""

from __future__ import annotations

import io
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import docx
import docx.table
import openpyxl
import pdfplumber
import pytest
from docx.oxml.ns import qn
from reports import GOAL_2, NAME_1, NAME_2, UNIT, office_pdfs, pdf_pages, selfeval_report
from test_targets_export import docx_table_grid, grid_of, xlsx_grid

from jixiao.core.reports import FundRow, ProjectEvaluation
from jixiao.exporters import export_selfeval, selfeval_layout
from jixiao.exporters.selfeval_layout import SIGNATURES, build_selfeval_layout
from jixiao.exporters.targets_layout import Paragraph, Table
from jixiao.importers.doc import soffice_path
from jixiao.importers.grid import ImportFailure
from jixiao.importers.selfeval import SelfEvalSheet, read_selfeval_xlsx

D = Decimal
DEPT = "中共昌黎县委员会"
GRID_HEADER = [
    "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
    "偏差原因分析及改进措施",
]  # fmt: skip


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    """The unit file in every format, rendered once."""
    report = selfeval_report()
    return {fmt: export_selfeval(report, fmt) for fmt in ("xlsx", "docx", "pdf")}


def project_table_of(project: ProjectEvaluation) -> Table:
    """The table of one project as laid out."""
    return selfeval_layout.project_table(project)


def project_table(project_id: int) -> Table:
    """The single table of one project's layout."""
    (table,) = [
        b
        for b in build_selfeval_layout(selfeval_report(), project_id).blocks
        if isinstance(b, Table)
    ]
    return table


# --- layout --------------------------------------------------------------------------------


FUNDS = "项目资金（万元）"
SPINE = "绩效指标"
# Project 2's table: 0-1 header, 2-6 funds, 7-8 goal, 9 grid header, 10-18 indicators, 19-20
# total and grade.
HEADER_AT = 9


def test_header_fund_block_and_goal() -> None:
    grid = grid_of(project_table(2))
    assert grid[0] == ["项目名称"] * 3 + [NAME_2] * 6
    assert grid[1] == ["主管部门"] * 3 + [DEPT] * 2 + ["实施单位"] * 2 + [UNIT.name] * 2
    # 项目资金 runs down the left of the fund block, as in the official form.
    assert grid[2] == [FUNDS, "", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率",
                       "得分"]  # fmt: skip
    # 3.90 / 5.00 = 78.00%; 10 × 0.78 = 7.80. 分值 and 得分 belong to 年度资金总额 alone.
    assert grid[3] == [FUNDS] + ["年度资金总额"] * 2 + [
        "5.00", "5.00", "3.90", "10.00", "78.00%", "7.80",
    ]  # fmt: skip
    assert grid[4] == [FUNDS] + ["其中：当年财政拨款"] * 2 + [
        "5.00", "5.00", "3.90", "—", "78.00%", "—",
    ]  # fmt: skip
    # No carry-over is recorded: every cell says so.
    assert grid[5] == [FUNDS] + ["上年结转资金"] * 2 + ["—"] * 6
    # No other money: budget 0, spent 0, and no rate of a zero budget.
    assert grid[6] == [FUNDS] + ["其他资金"] * 2 + ["0.00", "0.00", "0.00", "—", "—", "—"]
    assert grid[7] == ["年度总体目标"] + ["预期目标"] * 4 + ["实际完成情况"] * 4
    assert grid[8][1:5] == [GOAL_2] * 4 and grid[8][0] == "年度总体目标"
    assert grid[HEADER_AT] == [SPINE, *GRID_HEADER]


def test_the_label_column_runs_down_the_grid_and_its_header() -> None:
    table = project_table(2)
    assert table.header_row == HEADER_AT and table.repeat_header and table.keep_tail == 2
    grid = grid_of(table)
    assert [row[0] for row in grid[HEADER_AT:19]] == [SPINE] * 10
    assert grid[19][0] == "总分"
    (spine,) = [cell for r, c, cell in table.placed() if cell.text == SPINE]
    assert (spine.row_span, spine.vertical, spine.side) == (10, True, True)


def test_the_totals_stay_with_the_last_rows() -> None:
    table = project_table(2)
    groups = table.row_groups()
    # The header block goes with the first level-1 run (产出指标, rows 10-13), 效益指标 is a run
    # (14-17); the spine down the whole grid ties nothing; the last run (满意度指标, one row)
    # keeps 总分 and 自评等级 with it.
    assert groups == [range(0, 14), range(14, 18), range(18, 21)]


def test_unknown_split_of_spending_is_a_dash() -> None:
    """A project with fiscal and other money: the ledger does not say which paid what."""
    report = selfeval_report()
    project = report.projects[1]
    mixed = replace(
        project,
        funds=(
            project.funds[0],
            FundRow("其中：当年财政拨款", D(4), D(4), None, None, None, None),
            project.funds[2],
            FundRow("其他资金", D(1), D(1), None, None, None, None),
        ),
    )
    rows = grid_of(project_table_of(mixed))
    assert rows[4][3:] == ["4.00", "4.00", "—", "—", "—", "—"]
    assert rows[6][3:] == ["1.00", "1.00", "—", "—", "—", "—"]


def test_grid_shows_overrides_and_not_applicable_rows() -> None:
    grid = grid_of(project_table(2))
    assert grid[12] == [
        SPINE, "产出指标", "时效指标", "工作及时完成率", "100%", "96%", "12.50", "12.00",
        "个别工作因人员调整延期，已完善工作台账",
    ]  # fmt: skip
    assert grid[16] == [
        SPINE, "效益指标", "生态效益指标", "达到绿色产业标准", "达到", "不适用", "不适用",
        "不适用", "",
    ]  # fmt: skip
    # 10 × 88.6 / 90 = 9.84 computed, 9.00 after the reviewer's change: both shown.
    assert grid[18][5:8] == ["88.6%", "10.00", "9.00（计算 9.84）"]


def test_total_and_grade_rows_say_when_the_cap_applied() -> None:
    grid = grid_of(project_table(2))
    # Points 4 × 12.50 + 3 × 10.00 + 10.00 + 10 (execution) = 100; the total 92.30 was
    # capped at 89.00 because the execution rate 78% is under 80%.
    assert grid[19] == ["总分"] * 6 + ["100.00", "89.00", "（按执行率封顶，原 92.30）"]
    assert grid[20] == ["自评等级"] * 6 + ["良"] * 3
    assert grid_of(project_table(1))[19] == ["总分"] * 6 + ["100.00", "98.56", ""]


def test_notes_and_signature_follow_the_table() -> None:
    blocks = build_selfeval_layout(selfeval_report(), 2).blocks
    notes = [b.text for b in blocks if isinstance(b, Paragraph) and b.style == "note"]
    assert notes == [
        "调整说明：服务对象满意度得分由 9.84 调整为 9.00，满意度调查样本不足，按抽查结果调整"
        "（调整人 县财政局 李明）。",
        "预算执行偏差原因：部分设备采购延至下年度",
        SIGNATURES,
    ]
    first = build_selfeval_layout(selfeval_report(), 1).blocks
    assert [b.text for b in first if isinstance(b, Paragraph)][1:] == [SIGNATURES]


def test_unit_layout_opens_with_the_summary() -> None:
    layout = build_selfeval_layout(selfeval_report())
    assert layout.title == f"{UNIT.name}2021年度项目支出绩效自评表"
    assert not layout.landscape
    table = layout.blocks[3]
    assert isinstance(table, Table)
    assert grid_of(table) == [
        ["序号", "项目名称", "全年预算数", "全年执行数", "执行率", "序时进度", "总分", "自评等级"],
        ["1", NAME_1, "15.00", "14.20", "94.67%", "100.00%", "98.56", "优"],
        ["2", NAME_2, "5.00", "3.90", "78.00%", "100.00%", "89.00", "良"],
        # 14.20 + 3.90 = 18.10; 18.10 / 20 = 90.50%.
        ["合计", "合计", "20.00", "18.10", "90.50%", "100.00%", "", ""],
    ]


def test_unknown_project_is_refused() -> None:
    with pytest.raises(ValueError, match="7"):
        export_selfeval(selfeval_report(), "pdf", project_id=7)


# --- files ---------------------------------------------------------------------------------


def test_xlsx_sheets_and_grid(files: dict[str, bytes]) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(files["xlsx"]))
    assert wb.sheetnames == ["汇总", f"1.{NAME_1}", f"2.{NAME_2}"]
    assert len(wb["汇总"]._images) == 2
    ws = wb[f"2.{NAME_2}"]
    assert ws["A1"].value == "项目支出绩效自评表（2021年度）"
    assert xlsx_grid(ws, top=2)[: len(project_table(2).rows)] == grid_of(project_table(2))
    assert ws.page_setup.orientation == "portrait"


def test_docx_tables_and_charts(files: dict[str, bytes]) -> None:
    document = docx.Document(io.BytesIO(files["docx"]))
    # The summary, then each project's table in two parts: Word repeats only header rows that
    # open a table, so the grid (from its header row) is a table of its own.
    assert len(document.tables) == 5
    head, grid = document.tables[3:5]
    expected = grid_of(project_table(2))
    # The label column is stacked, one character under another.
    expected[HEADER_AT:19] = [["绩\n效\n指\n标", *row[1:]] for row in expected[HEADER_AT:19]]
    assert docx_table_grid(head) + docx_table_grid(grid) == expected
    assert docx_table_grid(head)[5] == [FUNDS] + ["上年结转资金"] * 2 + ["—"] * 6
    rows = grid._tbl.tr_lst
    assert rows[0].trPr.find(qn("w:tblHeader")) is not None
    assert all(tr.trPr.find(qn("w:tblHeader")) is None for tr in rows[1:])
    assert all(tr.trPr.find(qn("w:cantSplit")) is not None for tr in rows)
    # The header block keeps with the grid; the last indicator row with 总分 and 自评等级,
    # and those with the notes and the signature line under the table.
    assert all(keeps_with_next(row) for row in head.rows)
    assert [keeps_with_next(row) for row in grid.rows[-3:]] == [True, True, True]
    assert len(document.inline_shapes) == 2
    assert all(round(s.page_width.mm) == 210 for s in document.sections)
    assert SIGNATURES in [p.text for p in document.paragraphs]


def keeps_with_next(row: docx.table._Row) -> bool:
    """True when every paragraph of the row keeps with the next."""
    return all(p.paragraph_format.keep_with_next for cell in row.cells for p in cell.paragraphs)


def test_pdf_reads_back_labels_numbers_and_has_charts(files: dict[str, bytes]) -> None:
    pages = pdf_pages(files["pdf"])
    assert len(pages) == 3
    assert "2021年度项目支出绩效自评汇总" in pages[0]
    flat = [page.replace("\n", "").replace(" ", "") for page in pages]
    for page in flat[1:]:
        # (Texts that wrap inside a cell interleave with their neighbours: check whole ones.)
        for label in ("项目支出绩效自评表（2021年度）", "年度资金总额", "偏差原因分析及改进措施"):
            assert label in page
        assert "自评等级" in page
        assert "项目负责人：" in page
    for value in ("98.56", "94.67%", "9.47", "优"):
        assert value in flat[1]
    for value in ("89.00", "不适用", "调整说明：服务对象满意度得分由9.84调整为9.00", "良"):
        assert value in flat[2]
    with pdfplumber.open(io.BytesIO(files["pdf"])) as pdf:
        assert len(pdf.pages[0].curves) > 100  # the two charts
        assert len(pdf.pages[1].curves) == 0


@pytest.mark.skipif(soffice_path() is None, reason="LibreOffice not installed")
def test_libreoffice_opens_xlsx_and_docx(files: dict[str, bytes], tmp_path: Path) -> None:
    pdfs = office_pdfs({"xlsx": files["xlsx"], "docx": files["docx"]}, tmp_path)
    for fmt, data in pdfs.items():
        flat = "".join(pdf_pages(data)).replace("\n", "").replace(" ", "")
        for label in ("绩效自评表", "年度资金总额", "三级指标", "自评等级", "不适用", "98.56"):
            assert label in flat, (fmt, label)


# --- reading the xlsx back -----------------------------------------------------------------


def assert_same(sheet: SelfEvalSheet, project: ProjectEvaluation) -> None:
    """Every number and text the sheet carries equals the report's."""
    assert sheet.name == project.name
    assert (sheet.department, sheet.implementer) == (project.department, project.implementer)
    assert (sheet.goal, sheet.achievement) == (project.goal, project.achievement)
    assert [
        (f.label, f.budget_initial, f.budget_full_year, f.executed, f.points, f.rate, f.score)
        for f in sheet.funds
    ] == [
        (f.label, f.budget_initial, f.budget_full_year, f.executed, f.points, f.rate, f.score)
        for f in project.funds
    ]
    assert [
        (i.level1, i.level2, i.level3, i.target, i.actual, i.points, i.score, i.explanation)
        for i in sheet.indicators
    ] == [
        (r.level1, r.level2, r.level3, r.target, r.actual, r.points, r.score, r.explanation)
        for r in project.rows
    ]
    assert [i.not_applicable for i in sheet.indicators] == [r.not_applicable for r in project.rows]
    assert (sheet.total, sheet.grade) == (project.total, project.grade)


def test_exported_xlsx_reads_back_the_same_values(files: dict[str, bytes]) -> None:
    report = selfeval_report()
    sheets = read_selfeval_xlsx(files["xlsx"])
    # The summary sheet is no self-evaluation table and is skipped.
    assert [s.sheet for s in sheets] == [f"1.{NAME_1}", f"2.{NAME_2}"]
    for sheet, project in zip(sheets, report.projects, strict=True):
        assert_same(sheet, project)
    assert sheets[1].indicators[8].computed == D("9.84")
    assert sheets[0].indicators[8].computed is None


def test_one_project_xlsx_reads_back_too() -> None:
    report = selfeval_report()
    (sheet,) = read_selfeval_xlsx(export_selfeval(report, "xlsx", project_id=2))
    assert_same(sheet, report.projects[1])


def workbook(rows: list[list[str | float | None]], title: str = "自评表") -> bytes:
    """An xlsx with one sheet of the given rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_differently_laid_out_sheet_reads_by_its_labels() -> None:
    """A hand-made sheet: other columns, 全年实际值, broken headers, numbers as numbers."""
    data = workbook(
        [
            ["项目支出绩效自评表"],
            [None, "项目名称", "某项目"],
            [None, "项目资金", None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率",
             "得分"],
            [None, "年度资金总额", None, 20, 20, 19, 10, "95%", 9.5],
            [None, "一级\n指标", "二级指标", "三级指标", "年度指标值", "全年实际值", "分值", "得分",
             "偏差原因分析及改进措施"],
            [None, "产出指标", "数量指标", "培训人数", "≥100人", "90", 50, 45, "报名不足"],
            [None, "满意度指标", "服务对象满意度指标", "满意度", "≥90%", "不适用", None, None],
            [None, "总分", None, None, None, None, 100, 54.5],
            [None, "自评等级", "差"],
        ]
    )  # fmt: skip
    (sheet,) = read_selfeval_xlsx(data)
    assert sheet.name == "某项目"
    (fund,) = sheet.funds
    assert (fund.budget_full_year, fund.executed, fund.rate, fund.score) == (
        D(20), D(19), D(95), D("9.5"),
    )  # fmt: skip
    first, second = sheet.indicators
    assert (first.level3, first.actual, first.points, first.score) == ("培训人数", "90", 50, 45)
    assert first.explanation == "报名不足"
    assert second.not_applicable and second.actual is None and second.points == 0
    assert (sheet.total, sheet.grade) == (D("54.5"), "差")


def test_a_table_sheet_without_the_grid_header_is_refused() -> None:
    data = workbook(
        [["项目名称", "某项目"], ["一级指标", "二级指标", "三级指标", "指标值", "完成值"]],
        title="项目一",
    )
    with pytest.raises(ImportFailure, match=r"项目一.*缺少"):
        read_selfeval_xlsx(data)


def test_a_workbook_without_any_self_evaluation_is_refused() -> None:
    with pytest.raises(ImportFailure, match="没有项目支出绩效自评表"):
        read_selfeval_xlsx(workbook([["说明"], ["本表为汇总"]]))


# --- whole pages ---------------------------------------------------------------------------


def flat_pages(data: bytes) -> list[str]:
    """Each PDF page's text without spaces or line breaks."""
    return [page.replace("\n", "").replace(" ", "") for page in pdf_pages(data)]


def test_xlsx_prints_the_grid_header_on_every_page_and_stacks_the_label(
    files: dict[str, bytes],
) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(files["xlsx"]))
    for name in (f"1.{NAME_1}", f"2.{NAME_2}"):
        ws = wb[name]
        # The title is row 1, so the table's header row 9 (0-based) is sheet row 11.
        header = HEADER_AT + 2
        assert ws.print_title_rows == f"${header}:${header}"
        assert ws.cell(header, 1).value == SPINE
        assert ws.cell(header, 1).alignment.textRotation == 255
        assert f"A{header}:A{header + 9}" in {str(r) for r in ws.merged_cells.ranges}
        assert [ws.cell(header, c).value for c in range(2, 10)] == GRID_HEADER
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    dashes = xlsx_grid(wb[f"2.{NAME_2}"], top=2)[4:7]
    assert [row[6] for row in dashes] == ["—"] * 3  # 分值 of the fund sub-rows
    assert [row[8] for row in dashes] == ["—"] * 3  # 得分


def test_pdf_gives_each_project_its_own_whole_page(files: dict[str, bytes]) -> None:
    pages = flat_pages(files["pdf"])
    assert len(pages) == 3
    for page, name in zip(pages[1:], (NAME_1, NAME_2), strict=True):
        assert page.startswith("项目支出绩效自评表（2021年度）项目名称" + name)
        # The grid header, the last indicator, the total, the grade and the signatures.
        for text in (
            "偏差原因分析及改进措施",
            "服务对象满意度",
            "总分",
            "自评等级",
            "项目负责人：",
        ):
            assert text in page


def long_report() -> tuple[ProjectEvaluation, bytes]:
    """Project 2 with its nine indicators four times over: its grid needs two pages."""
    report = selfeval_report()
    project = report.projects[1]
    rows = tuple(
        replace(row, level1=f"{row.level1}{n}" if n else row.level1, level3=f"{row.level3}{n}")
        for n in range(4)
        for row in project.rows
    )
    longer = replace(project, rows=rows)
    report = replace(report, projects=(report.projects[0], longer))
    return longer, export_selfeval(report, "pdf", project_id=2)


def test_a_long_grid_repeats_its_header_and_keeps_the_total_with_its_last_rows() -> None:
    project, data = long_report()
    pages = flat_pages(data)
    assert len(pages) >= 2
    # Every page of the grid opens with the grid's header row (the PDF's thead; the texts
    # that wrap in their cells come out interleaved).
    for page in pages[1:]:
        top = page[:60]
        assert "一级指标二级指标三级指标" in top and "偏差原因分析及改进措施" in top, top
    # The total is on the last page with the last indicator rows and the signature line.
    last = pages[-1]
    assert "总分" in last and "自评等级" in last and "项目负责人：" in last
    assert "服务对象满意度3" in last and "总分" not in "".join(pages[:-1])
    # No row is lost or repeated at the break: the four 满意度 rows (target ≥90%) are there once.
    assert [r.target for r in project.rows].count("≥90%") == 4
    assert sum(page.count("≥90%") for page in pages) == 4
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        labels = [
            "".join(c["text"] for c in page.chars if c["x0"] < page.width * 0.12)
            for page in pdf.pages
        ]
    # The stacked 绩效指标 label heads the left column of the grid on each of its pages (part
    # of the repeated header), once per page.
    assert [label.count("绩效指标") for label in labels] == [1] * len(pages)
