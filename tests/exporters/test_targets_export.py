"""Target table exporters: the seed's first project written to xlsx, docx and pdf and read back."""

from __future__ import annotations

import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pdfplumber
import pytest

from jixiao.core.document import (
    Budget,
    Checkpoint,
    IndicatorRow,
    ParsedTarget,
    ProjectTargets,
    SubGoal,
    TargetDocument,
    UnitGoalPart,
    UnitRef,
)
from jixiao.exporters import CONTENT_TYPES, EXPORTERS, SUFFIXES, export_targets
from jixiao.exporters.targets_layout import (
    Table,
    build_layout,
    chinese_numeral,
    format_weight,
)
from jixiao.exporters.xlsx import sheet_title

UNIT_NAME = "中共昌黎县委网络安全和信息化委员会办公室本级"
BASIS = "冀干考发[2020]2号、昌办字[2019]14号"
OVERALL = (
    "以习近平新时代中国特色社会主义思想为指导，深入学习贯彻习近平总书记关于网信工作的重要论述。"
    "2021年度工作目标为，一是营造网络正面舆论强势，官方网宣平台发布信息数量500条以上，"
    "市级及以上网络媒体采稿率达到30%以上；二是强化网络舆情监控处置，舆情监测预警、研判分析数"
    "200条以上，网络舆情处置率达到100%；三是提升网络安全防护能力和信息化水平，开展网络安全检查"
    "2次以上，加强信息化工作的研究。"
)
FUND_USE = (
    "预算数15万元。其中：财政资金15万元，其他资金0万元。主要用于舆情小秘书经费10万元，"
    "网络安全检查及服务保障4万元，培训费1万元。"
)
GOAL = (
    "1.牢牢把握正确导向，为全县经济社会发展提供有力的舆论支持；提升网信从业人员的政治意识、"
    "责任意识和职业素养；提高舆情研判能力和信息服务水平，及时化解、妥善处理有关负面舆情。\n"
    "2.完善互联网管理领导体制，加强网上舆论引导，营造良好网络舆论氛围，发展健康向上网络文化。"
)
HEADER = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]


def quant(op: str, value: str, unit: str) -> ParsedTarget:
    """A parsed quantitative target."""
    return ParsedTarget("quantitative", op, value, unit)


QUAL = ParsedTarget("qualitative")

# (level1, level2, level3, description, target, parsed, basis): the seed's first project.
SEED_ROWS = [
    ("产出指标", "数量指标", "舆情监测预警、研判分析数", "舆情监测预警、研判分析数",
     "≥200条", quant(">=", "200", "条"), BASIS),
    ("产出指标", "质量指标", "网络舆情处置率",
     "网络舆情处置率=已处置的网络舆情数量/应处置的网络舆情数量",
     "100%", quant("=", "100", "%"), BASIS),
    ("产出指标", "时效指标", "工作及时完成率", "工作及时完成率=实际完成的工作/应该完成的工作",
     "100%", quant("=", "100", "%"), BASIS),
    ("产出指标", "成本指标", "预算控制率", "预算控制率=实际支出/预算安排数",
     "≤100%", quant("<=", "100", "%"), BASIS),
    ("效益指标", "经济效益指标", "避免经济损失",
     "是否提升广大网民依法、文明、安全上网的意识，避免经济损失", "是", QUAL, BASIS),
    ("效益指标", "社会效益指标", "构建清朗网络空间",
     "是否提高网络管理和建设水平，加强网络安全宣传引导，构建清朗网络空间", "是", QUAL, BASIS),
    ("效益指标", "生态效益指标", "达到绿色产业标准",
     "不进行基础设施建设，不对生态环境产生坏的影响，属于绿色生态产业", "达到", QUAL, BASIS),
    ("效益指标", "可持续影响指标", "网络安全稳定运行期限", "网络安全稳定运行期限",
     "1年", quant("=", "1", "年"), BASIS),
    ("满意度指标", "服务对象满意度指标", "服务对象满意度",
     "对服务对象进行满意度调查，满意度=满意份数/有效问卷数",
     "≥90%", quant(">=", "90", "%"), "调查问卷"),
]  # fmt: skip


def seed_indicators(weights: list[Decimal | None] | None = None) -> list[IndicatorRow]:
    """The seed's nine indicator rows, optionally weighted."""
    rows = []
    for n, (l1, l2, l3, desc, target, parsed, basis) in enumerate(SEED_ROWS):
        weight = None if weights is None else weights[n]
        rows.append(IndicatorRow(l1, l2, l3, target, parsed, desc, basis, weight))
    return rows


def seed_project(**changes: object) -> ProjectTargets:
    """网络安全和信息化经费 as in the seed."""
    project = ProjectTargets(
        code="13032221C2GKIBLPDEWRQ",
        name="网络安全和信息化经费",
        budget=Budget("万元", Decimal("15"), Decimal("15"), Decimal("0")),
        fund_use=FUND_USE,
        spending_plan=[
            Checkpoint(3, Decimal("25")),
            Checkpoint(6, Decimal("50")),
            Checkpoint(10, Decimal("75")),
            Checkpoint(12, Decimal("100")),
        ],
        goal=GOAL,
        indicators=seed_indicators(),
    )
    for key, value in changes.items():
        setattr(project, key, value)
    return project


def seed_unit_goal() -> UnitGoalPart:
    """The seed's department-wide part (sub-goals complete, two of the safeguards)."""
    return UnitGoalPart(
        overall=OVERALL,
        sub_goals=[
            SubGoal(
                "营造网络正面舆论强势",
                "充分利用微信、抖音、今日头条等3个官方网宣平台，做好网络宣传引导工作，凝聚正能量。",
                "官方网宣平台发布信息数量500条以上，市级及以上网络媒体采稿率达到30%以上。",
            ),
            SubGoal(
                "强化网络舆情监控处置",
                "提高舆情研判能力和信息服务水平，及时化解、妥善处理有关负面舆情，构建清朗网络环境。",
                "舆情监测预警、研判分析数200条以上，网络舆情处置率达到100%。",
            ),
            SubGoal("提升网络安全防护能力", None, "开展网络安全检查2次以上。"),
        ],
        safeguards=[
            "完善制度建设。制定完善内部制度二十余个，为全年预算绩效目标的实现奠定制度基础。",
            "加强支出管理。优化支出结构，编细编实预算，尽快启动项目，及时支付资金。",
        ],
    )


def seed_document(**changes: object) -> TargetDocument:
    """The seed: unit goal part and the first project."""
    doc = TargetDocument(
        year=2021,
        unit=UnitRef("224001", UNIT_NAME),
        unit_goal=seed_unit_goal(),
        projects=[seed_project()],
    )
    for key, value in changes.items():
        setattr(doc, key, value)
    return doc


EXPECTED_PARAGRAPHS = [
    f"{UNIT_NAME}2021年度预算绩效目标",
    "第一部分 部门整体绩效目标",
    "一、总体绩效目标",
    OVERALL,
    "二、分项绩效目标",
    "（一）营造网络正面舆论强势",
    "绩效目标：充分利用微信、抖音、今日头条等3个官方网宣平台，做好网络宣传引导工作，凝聚正能量。",
    "绩效指标：官方网宣平台发布信息数量500条以上，市级及以上网络媒体采稿率达到30%以上。",
    "（二）强化网络舆情监控处置",
    "绩效目标：提高舆情研判能力和信息服务水平，及时化解、妥善处理有关负面舆情，构建清朗网络环境。",
    "绩效指标：舆情监测预警、研判分析数200条以上，网络舆情处置率达到100%。",
    "（三）提升网络安全防护能力",
    "绩效指标：开展网络安全检查2次以上。",
    "三、工作保障措施",
    "（一）完善制度建设。制定完善内部制度二十余个，为全年预算绩效目标的实现奠定制度基础。",
    "（二）加强支出管理。优化支出结构，编细编实预算，尽快启动项目，及时支付资金。",
    "第二部分 预算项目绩效目标",
]

# The seed table as a grid of texts, merged positions repeating their anchor's text.
EXPECTED_GRID = [
    ["224001" + UNIT_NAME] * 4 + ["单位：万元"] * 2,
    ["项目编码", "13032221C2GKIBLPDEWRQ", "13032221C2GKIBLPDEWRQ", "项目名称"]
    + ["网络安全和信息化经费"] * 2,
    ["预算数", "15.00", "其中：财政资金", "15.00", "其他资金", "0.00"],
    ["资金用途"] + [FUND_USE] * 5,
    ["资金支出计划（%）", "3月底", "6月底", "10月底", "12月底", "12月底"],
    ["资金支出计划（%）", "25.00%", "50.00%", "75.00%", "100.00%", "100.00%"],
    ["绩效目标"] + [GOAL] * 5,
    HEADER,
    *[[r[0], r[1], r[2], r[3], r[4], r[6]] for r in SEED_ROWS],
]

# Merged regions of the seed table as (first row, first col, last row, last col), 0-based.
EXPECTED_MERGES = {
    (0, 0, 0, 3),
    (0, 4, 0, 5),
    (1, 1, 1, 2),
    (1, 4, 1, 5),
    (3, 1, 3, 5),
    (4, 0, 5, 0),
    (4, 4, 4, 5),
    (5, 4, 5, 5),
    (6, 1, 6, 5),
    (8, 0, 11, 0),  # 产出指标 over four rows
    (12, 0, 15, 0),  # 效益指标 over four rows
}


@pytest.fixture(scope="module")
def seed_files() -> dict[str, bytes]:
    """The seed document in every format, rendered once."""
    doc = seed_document()
    return {fmt: export_targets(doc, fmt) for fmt in EXPORTERS}


def grid_of(table: Table) -> list[list[str]]:
    """A layout table as texts, merged positions repeating their anchor's text."""
    grid = [[""] * table.columns for _ in table.rows]
    for r, c, cell in table.placed():
        for dr in range(cell.row_span):
            for dc in range(cell.col_span):
                grid[r + dr][c + dc] = cell.text
    return grid


def xlsx_grid(ws: openpyxl.worksheet.worksheet.Worksheet, top: int) -> list[list[str]]:
    """Sheet rows from ``top`` as texts, merged positions repeating their anchor's text."""
    anchors = {}
    for rng in ws.merged_cells.ranges:
        for row in range(rng.min_row, rng.max_row + 1):
            for col in range(rng.min_col, rng.max_col + 1):
                anchors[row, col] = (rng.min_row, rng.min_col)
    return [
        [ws.cell(*anchors.get((r, c), (r, c))).value or "" for c in range(1, ws.max_column + 1)]
        for r in range(top, ws.max_row + 1)
    ]


def xlsx_merges(ws: openpyxl.worksheet.worksheet.Worksheet, top: int) -> set[tuple[int, ...]]:
    """Merged ranges from row ``top`` on, 0-based relative to ``top``."""
    return {
        (r.min_row - top, r.min_col - 1, r.max_row - top, r.max_col - 1)
        for r in ws.merged_cells.ranges
        if r.min_row >= top
    }


def docx_table_grid(table: docx.table.Table) -> list[list[str]]:
    """A Word table as texts (python-docx repeats merged cells by itself)."""
    return [[cell.text for cell in row.cells] for row in table.rows]


def pdf_text(data: bytes) -> str:
    """All text of a PDF."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


# --- layout ---------------------------------------------------------------------------------


def test_layout_mirrors_the_seed_table() -> None:
    layout = build_layout(seed_document())
    tables = [b for b in layout.blocks if isinstance(b, Table)]
    assert len(tables) == 1
    assert grid_of(tables[0]) == EXPECTED_GRID
    assert tables[0].header_row == 7


def test_layout_merges_level1_over_runs_and_leaves_level2_single() -> None:
    table = build_layout(seed_document()).blocks[-1]
    assert isinstance(table, Table)
    spans = {(r, c): (cell.row_span, cell.col_span) for r, c, cell in table.placed() if r >= 8}
    assert spans[8, 0] == (4, 1)
    assert spans[12, 0] == (4, 1)
    assert spans[16, 0] == (1, 1)
    assert all(spans[r, 1] == (1, 1) for r in range(8, 17))


def test_layout_merges_level2_only_over_consecutive_equal_rows() -> None:
    rows = seed_indicators()
    rows[1].level2 = rows[2].level2 = "数量指标"  # rows 0..2 now share 产出指标/数量指标
    table = build_layout(seed_document(projects=[seed_project(indicators=rows)])).blocks[-1]
    assert isinstance(table, Table)
    spans = {(r, c): cell.row_span for r, c, cell in table.placed()}
    assert spans[8, 1] == 3
    assert spans[11, 1] == 1


def test_chinese_numerals() -> None:
    assert [chinese_numeral(n) for n in (1, 9, 10, 11, 20, 23)] == [
        "一", "九", "十", "十一", "二十", "二十三",
    ]  # fmt: skip


def test_weight_is_a_plain_decimal() -> None:
    assert format_weight(Decimal("10.00")) == "10"
    assert format_weight(Decimal("12.5")) == "12.5"
    assert format_weight(Decimal("1E+1")) == "10"
    assert format_weight(None) == ""


def test_title_leaves_out_missing_parts() -> None:
    layout = build_layout(TargetDocument(year=None, unit=UnitRef("1", None)))
    assert layout.title == "预算绩效目标"
    assert [getattr(b, "text", None) for b in layout.blocks] == ["预算绩效目标"]


# --- registry -------------------------------------------------------------------------------


def test_registry_knows_each_format_with_suffix_and_content_type() -> None:
    assert set(EXPORTERS) == {"xlsx", "docx", "pdf"}
    assert set(CONTENT_TYPES) == set(SUFFIXES) == set(EXPORTERS)
    assert SUFFIXES["pdf"] == ".pdf"


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="csv"):
        export_targets(seed_document(), "csv")


# --- xlsx -----------------------------------------------------------------------------------


def test_xlsx_has_a_unit_goal_sheet_and_a_sheet_per_project(seed_files: dict[str, bytes]) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(seed_files["xlsx"]))
    assert wb.sheetnames == ["部门整体绩效目标", "1.网络安全和信息化经费"]
    front = wb["部门整体绩效目标"]
    assert [front.cell(r, 1).value for r in range(1, front.max_row + 1)] == EXPECTED_PARAGRAPHS
    assert front.max_column == 1


def test_xlsx_project_sheet_holds_title_and_table(seed_files: dict[str, bytes]) -> None:
    ws = openpyxl.load_workbook(io.BytesIO(seed_files["xlsx"]))["1.网络安全和信息化经费"]
    assert ws["A1"].value == "1.网络安全和信息化经费绩效目标表"
    assert "A1:F1" in {str(r) for r in ws.merged_cells.ranges}
    assert xlsx_grid(ws, top=2) == EXPECTED_GRID
    assert xlsx_merges(ws, top=2) == EXPECTED_MERGES


def test_xlsx_writes_numbers_as_the_text_shown(seed_files: dict[str, bytes]) -> None:
    ws = openpyxl.load_workbook(io.BytesIO(seed_files["xlsx"]))["1.网络安全和信息化经费"]
    assert (ws["B4"].value, ws["B4"].data_type) == ("15.00", "s")
    assert (ws["F4"].value, ws["F4"].data_type) == ("0.00", "s")
    assert (ws["B7"].value, ws["B7"].data_type) == ("25.00%", "s")
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert ws["A10"].border.left.style == "thin"


def test_sheet_names_are_cleaned_truncated_and_unique() -> None:
    taken: set[str] = set()
    assert sheet_title("1.a/b:c*d?[e]", taken) == "1.abcde"
    long = "2." + "很长的项目名称" * 6
    first = sheet_title(long, taken)
    second = sheet_title(long, taken)
    assert len(first) == len(second) == 31
    assert first != second


# --- docx -----------------------------------------------------------------------------------


def test_docx_paragraphs_come_in_the_seed_order(seed_files: dict[str, bytes]) -> None:
    document = docx.Document(io.BytesIO(seed_files["docx"]))
    texts = [p.text for p in document.paragraphs]
    assert texts == [*EXPECTED_PARAGRAPHS, "1.网络安全和信息化经费绩效目标表"]


def test_docx_table_cells_and_merges(seed_files: dict[str, bytes]) -> None:
    document = docx.Document(io.BytesIO(seed_files["docx"]))
    (table,) = document.tables
    assert docx_table_grid(table) == EXPECTED_GRID
    # Vertically merged 产出指标 is one cell over four rows; each 二级指标 stands alone.
    assert table.cell(8, 0)._tc is table.cell(11, 0)._tc
    assert table.cell(11, 0)._tc is not table.cell(12, 0)._tc
    assert len({table.cell(r, 1)._tc for r in range(8, 12)}) == 4
    assert len(table.rows[0].cells[0]._tc.xpath("./w:tcPr/w:gridSpan")) == 1


def test_docx_sets_east_asian_font_and_a4(seed_files: dict[str, bytes]) -> None:
    document = docx.Document(io.BytesIO(seed_files["docx"]))
    run = document.tables[0].cell(8, 0).paragraphs[0].runs[0]
    east_asia = run._element.rPr.rFonts.get(docx.oxml.ns.qn("w:eastAsia"))
    assert east_asia == "宋体"
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


# --- pdf ------------------------------------------------------------------------------------


def test_pdf_text_reads_back_in_chinese(seed_files: dict[str, bytes]) -> None:
    text = pdf_text(seed_files["pdf"])
    flat = text.replace("\n", "")
    assert "舆情监测预警、研判分析数" in flat
    assert "1.网络安全和信息化经费绩效目标表" in text
    for needle in ("项目编码", "15.00", "25.00%", "100.00%", "指标值确定依据", "≥200条"):
        assert needle in text


def test_pdf_repeats_the_indicator_header_on_every_page() -> None:
    many = seed_indicators() * 8
    doc = seed_document(unit_goal=None, projects=[seed_project(indicators=many)])
    data = export_targets(doc, "pdf")
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        pages = [page.extract_text() or "" for page in pdf.pages]
    assert len(pages) >= 2
    assert all("指标值确定依据" in page for page in pages)


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")
def test_pdf_embeds_a_cjk_font(seed_files: dict[str, bytes], tmp_path: Path) -> None:
    path = tmp_path / "targets.pdf"
    path.write_bytes(seed_files["pdf"])
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    cjk = [line for line in out.stdout.splitlines() if "CJK" in line]
    assert cjk
    # Columns: name type encoding emb sub uni object ID; "emb" is the fourth from the end.
    assert all(line.split()[-5] == "yes" for line in cjk)


# --- variants: weights, long spending plans, missing values ---------------------------------


@pytest.fixture(scope="module")
def weighted_files() -> dict[str, bytes]:
    """A project with weighted indicators in every format."""
    weights: list[Decimal | None] = [Decimal("10")] * 8 + [Decimal("12.50")]
    project = seed_project(indicators=seed_indicators(weights))
    doc = seed_document(unit_goal=None, projects=[project])
    return {fmt: export_targets(doc, fmt) for fmt in EXPORTERS}


def test_weights_add_a_seventh_column(weighted_files: dict[str, bytes]) -> None:
    ws = openpyxl.load_workbook(io.BytesIO(weighted_files["xlsx"])).worksheets[0]
    # With no unit-goal sheet, the document title (it carries the year) heads the first sheet.
    assert ws["A1"].value == "中共昌黎县委网络安全和信息化委员会办公室本级2021年度预算绩效目标"
    grid = xlsx_grid(ws, top=3)
    assert ws.max_column == 7
    assert grid[7] == [*HEADER[:5], "权重", "指标值确定依据"]
    assert grid[8][4:] == ["≥200条", "10", BASIS]
    assert grid[16][5] == "12.5"
    assert grid[2] == ["预算数", "15.00", "其中：财政资金", "15.00", "其他资金", "0.00", "0.00"]
    (table,) = docx.Document(io.BytesIO(weighted_files["docx"])).tables
    assert docx_table_grid(table) == grid
    assert "权重" in pdf_text(weighted_files["pdf"])


def test_xlsx_without_unit_goal_has_only_project_sheets(weighted_files: dict[str, bytes]) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(weighted_files["xlsx"]))
    assert wb.sheetnames == ["1.网络安全和信息化经费"]


def test_too_many_checkpoints_become_one_text_row() -> None:
    plan = [Checkpoint(2 * n, Decimal(10 * n)) for n in range(1, 7)]
    doc = seed_document(unit_goal=None, projects=[seed_project(spending_plan=plan)])
    text = "2月底10.00%；4月底20.00%；6月底30.00%；8月底40.00%；10月底50.00%；12月底60.00%"
    ws = openpyxl.load_workbook(io.BytesIO(export_targets(doc, "xlsx"))).worksheets[0]
    grid = xlsx_grid(ws, top=3)
    assert grid[4] == ["资金支出计划（%）"] + [text] * 5
    assert grid[5][0] == "绩效目标"
    (table,) = docx.Document(io.BytesIO(export_targets(doc, "docx"))).tables
    assert docx_table_grid(table)[4] == grid[4]


def test_missing_values_render_empty_in_every_format() -> None:
    bare = ProjectTargets(
        code=None,
        name=None,
        indicators=[IndicatorRow("产出指标", "数量指标", "培训人数", "≥10人", QUAL)],
    )
    doc = TargetDocument(projects=[bare])
    files = {fmt: export_targets(doc, fmt) for fmt in EXPORTERS}
    ws = openpyxl.load_workbook(io.BytesIO(files["xlsx"])).worksheets[0]
    grid = xlsx_grid(ws, top=3)
    assert ws.title == "1."
    assert grid[0] == [""] * 4 + ["单位：万元"] * 2
    assert grid[1] == ["项目编码", "", "", "项目名称", "", ""]
    assert grid[2] == ["预算数", "", "其中：财政资金", "", "其他资金", ""]
    assert grid[3] == ["资金用途"] + [""] * 5
    assert grid[4] == ["绩效目标"] + [""] * 5  # no spending plan rows at all
    assert grid[6] == ["产出指标", "数量指标", "培训人数", "", "≥10人", ""]
    document = docx.Document(io.BytesIO(files["docx"]))
    assert [p.text for p in document.paragraphs] == ["预算绩效目标", "1.绩效目标表"]
    assert "培训人数" in pdf_text(files["pdf"])


def test_an_empty_document_still_makes_valid_files() -> None:
    files = {fmt: export_targets(TargetDocument(), fmt) for fmt in EXPORTERS}
    assert openpyxl.load_workbook(io.BytesIO(files["xlsx"])).sheetnames == ["预算绩效目标"]
    assert docx.Document(io.BytesIO(files["docx"])).paragraphs[0].text == "预算绩效目标"
    assert "预算绩效目标" in pdf_text(files["pdf"])
