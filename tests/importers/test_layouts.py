"""Every importer reads the family of target-table layouts: Word, Excel, PDF and legacy .doc.

The seed's content is written in many layouts (layouts.py) and read back with
``load_document``; each must give the seed (seed_expected.py) field by field, with no warnings.
Focused tests below pin one rule each on a minimal file: level names normalised, blank cells
filled down, the annual set over the long-term one, 实际完成值 never the target, fractions as
percents, a repeated header not an indicator, warnings with their place, clean failures.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from layouts import (
    BUILDERS,
    PDF_CSS,
    UNIT_CELL,
    Built,
    Canvas,
    to_docx_table,
    to_sheet,
)
from seed_expected import OVERALL, PROJECTS, assert_document

from jixiao.core.document import TargetDocument, validate_dict
from jixiao.importers import ImportFailure, load_document, read_source
from jixiao.importers.docx import sniff
from jixiao.importers.grid import Table

CJK = re.compile(r"[\u4e00-\u9fff]")
Loaded = tuple[Built, TargetDocument]


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Loaded]:
    """Build a layout's file once per module and import it."""
    directory = tmp_path_factory.mktemp("layouts")
    cache: dict[str, Loaded] = {}

    def get(name: str) -> Loaded:
        if name not in cache:
            built = BUILDERS[name](directory)
            cache[name] = (built, load_document(built.path))
        return cache[name]

    return get


# --- every layout gives the seed ----------------------------------------------------------------


@pytest.mark.parametrize("name", list(BUILDERS))
def test_layout_reads_every_field(layout: Callable[[str], Loaded], name: str) -> None:
    built, document = layout(name)
    assert_document(document, built.expected)
    validate_dict(document.to_dict())  # every importer's output is a valid jixiao.targets/1


@pytest.mark.parametrize("name", list(BUILDERS))
def test_layout_gives_no_warnings(layout: Callable[[str], Loaded], name: str) -> None:
    _, document = layout(name)
    assert document.warnings == [], "\n".join(f"{w.where}: {w.message}" for w in document.warnings)


# --- the builders make what they claim ----------------------------------------------------------


def _header_rows(tables: list[Table]) -> int:
    """How many grid headers the tables hold (merged copies of a 一级指标 cell not counted)."""
    return sum(
        1
        for t in tables
        for r, row in enumerate(t.rows)
        if row and row[0].text == "一级指标" and t.is_anchor(r, 0)
    )


def test_pdf_grid_across_pages_is_one_table_without_the_repeated_header(
    layout: Callable[[str], Loaded],
) -> None:
    built, _ = layout("pdf_a")
    tables = read_source(built.path).tables
    # One table per project: project 2's grid goes on over the page break under its header
    # printed again, which is dropped; the table is named by the page where it starts.
    assert len(tables) == 2 and _header_rows(tables) == 2
    assert [t.place for t in tables] == ["第 2 页第 1 个表格", "第 3 页第 1 个表格"]
    levels = [row[0].text for row in tables[1].rows]
    assert levels[-1] == "满意度指标" and "效益指标" in levels


def test_doc_is_a_word_97_file(layout: Callable[[str], Loaded]) -> None:
    built, _ = layout("doc")
    assert built.path.suffix == ".doc" and sniff(built.path) == "ole"


def test_docx_b_holds_both_projects_in_one_table(layout: Callable[[str], Loaded]) -> None:
    built, _ = layout("docx_b")
    tables = read_source(built.path).tables
    assert len(tables) == 1 and _header_rows(tables) == 2


def test_docx_c_repeats_its_header_mid_table(layout: Callable[[str], Loaded]) -> None:
    built, _ = layout("docx_c")
    tables = read_source(built.path).tables
    assert len(tables) == 2 and _header_rows(tables) == 4


# --- minimal files for single rules -------------------------------------------------------------

GRID = ["一级指标", "二级指标", "三级指标", "指标值"]


def _docx(path: Path, rows: list[list[str]], title: str = "2021年度项目支出绩效目标表") -> Path:
    """A Word file: a title paragraph and one table of the given texts (no merges)."""
    from docx import Document

    canvas = Canvas(max(len(r) for r in rows))
    for r, cells in enumerate(rows):
        canvas.line(r, *cells)
    canvas.height = len(rows)
    document = Document()
    if title:
        document.add_paragraph(title)
    to_docx_table(document, canvas)
    document.add_paragraph("")
    document.save(str(path))
    return path


def _xlsx(path: Path, canvas: Canvas) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    to_sheet(workbook.active, canvas)
    workbook.save(path)
    return path


def _levels(document: TargetDocument) -> list[tuple[str, str, str]]:
    return [(i.level1, i.level2, i.level3) for p in document.projects for i in p.indicators]


def _targets(document: TargetDocument) -> list[tuple[str, str, str | None, str | None]]:
    return [
        (i.level3, i.target, i.parsed.value, i.parsed.unit)
        for p in document.projects
        for i in p.indicators
    ]


def _project_rows(name: str = "网络安全和信息化经费") -> list[list[str]]:
    return [["项目名称", name, "项目编码", PROJECTS[0].code]]


def test_level_names_are_normalised(tmp_path: Path) -> None:
    rows = [
        *_project_rows(),
        GRID,
        ["产出指标(50分)", "数量指标（20分）", "a", "≥1个"],
        ["产出指标（50分）", "质量\n指标", "b", "100%"],
        ["效益\n指标", "经济效益\n指标", "c", "是"],
        ["满意度指标 (10分)", "服务对象\n满意度指标", "d", "≥90%"],
    ]
    document = load_document(_docx(tmp_path / "levels.docx", rows))
    assert _levels(document) == [
        ("产出指标", "数量指标", "a"),
        ("产出指标", "质量指标", "b"),
        ("效益指标", "经济效益指标", "c"),
        ("满意度指标", "服务对象满意度指标", "d"),
    ]
    assert document.warnings == []


def test_blank_continuation_cells_are_filled_down(tmp_path: Path) -> None:
    rows = [
        *_project_rows(),
        GRID,
        ["产出指标", "数量指标", "a", "≥1个"],
        ["", "", "b", "≥2个"],
        ["", "质量指标", "c", "100%"],
        ["效益指标", "社会效益指标", "d", "是"],
        ["", "", "e", "达到"],
    ]
    document = load_document(_docx(tmp_path / "blank.docx", rows))
    assert _levels(document) == [
        ("产出指标", "数量指标", "a"),
        ("产出指标", "数量指标", "b"),
        ("产出指标", "质量指标", "c"),
        ("效益指标", "社会效益指标", "d"),
        ("效益指标", "社会效益指标", "e"),
    ]
    assert document.warnings == []


def test_merged_level_cells_are_filled_down_in_excel(tmp_path: Path) -> None:
    canvas = Canvas(4)
    canvas.line(0, *_project_rows()[0])
    canvas.line(1, *GRID)
    canvas.put(2, 0, "产出指标", rows=3)
    canvas.put(2, 1, "数量指标", rows=2)
    canvas.line(2, "", "", "a", "≥1个")
    canvas.line(3, "", "", "b", "≥2个")
    canvas.line(4, "", "质量指标", "c", "100%")
    document = load_document(_xlsx(tmp_path / "merged.xlsx", canvas))
    assert _levels(document) == [
        ("产出指标", "数量指标", "a"),
        ("产出指标", "数量指标", "b"),
        ("产出指标", "质量指标", "c"),
    ]
    assert document.warnings == []


@pytest.mark.parametrize(
    "header",
    [
        ["实施期指标值", "年度指标值"],
        ["中长期指标值", "年度指标值"],
        ["年度指标值", "实施期指标值"],
    ],
    ids=["long-annual", "medium-annual", "annual-long"],
)
def test_annual_value_wins_over_long_term(tmp_path: Path, header: list[str]) -> None:
    annual_first = header[0] == "年度指标值"

    def values(annual: str, long_term: str) -> list[str]:
        return [annual, long_term] if annual_first else [long_term, annual]

    rows = [
        *_project_rows(),
        ["一级指标", "二级指标", "三级指标", *header],
        ["产出指标", "数量指标", "a", *values("≥200条", "≥600条")],
        ["产出指标", "质量指标", "b", *values("100%", "≥95%")],
        ["效益指标", "社会效益指标", "c", *values("是", "持续提升")],
    ]
    document = load_document(_docx(tmp_path / "annual.docx", rows))
    assert [i.target for i in document.projects[0].indicators] == ["≥200条", "100%", "是"]
    assert document.warnings == []


def test_annual_goal_wins_over_long_term_goal(tmp_path: Path) -> None:
    """绩效目标 | 实施期目标 | 年度目标 on one row, the two texts on the row below."""
    canvas = Canvas(4)
    canvas.line(0, *_project_rows()[0])
    canvas.put(1, 0, "绩效目标", rows=2)
    canvas.line(1, "", "实施期目标", ("年度目标", 2))
    canvas.line(2, "", "三年内建成全县网络安全保障体系。", ("2021年完成网络安全检查2次。", 2))
    canvas.line(3, *GRID)
    canvas.line(4, "产出指标", "数量指标", "网络安全检查次数", "≥2次")
    path = tmp_path / "goal.docx"
    from docx import Document

    document = Document()
    document.add_paragraph("2021年度项目支出绩效目标表")
    to_docx_table(document, canvas)
    document.add_paragraph("")
    document.save(str(path))
    imported = load_document(path)
    assert imported.projects[0].goal == "2021年完成网络安全检查2次。"
    assert imported.warnings == []


@pytest.mark.parametrize("fmt", ["excel", "word"])
def test_actual_value_is_not_taken_as_target(tmp_path: Path, fmt: str) -> None:
    rows = [
        *_project_rows(),
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
        ["产出指标", "数量指标", "a", "≥200条", "236条", "20", "20"],
        ["产出指标", "质量指标", "b", "100%", "98%", "20", "18"],
        ["效益指标", "社会效益指标", "c", "是", "基本达到", "10", "8"],
    ]
    if fmt == "excel":
        canvas = Canvas(len(rows[1]))
        for r, cells in enumerate(rows):
            canvas.line(r, *cells)
        path = _xlsx(tmp_path / "actual.xlsx", canvas)
    else:
        path = _docx(tmp_path / "actual.docx", rows)
    document = load_document(path)
    assert [i.target for i in document.projects[0].indicators] == ["≥200条", "100%", "是"]
    assert [i.weight for i in document.projects[0].indicators] == [Decimal(20)] * 2 + [Decimal(10)]
    assert document.warnings == []


def test_fractions_are_read_as_percents(tmp_path: Path) -> None:
    """Spreadsheet fractions shown by a percent format: 0.25 as 25.00%, 0.9 as 90%."""
    canvas = Canvas(6)
    canvas.line(0, "项目名称", "网络安全和信息化经费")
    canvas.put(1, 0, "资金支出计划（%）", rows=2)
    for i, (month, fraction) in enumerate([(3, 0.25), (6, 0.5), (10, 0.75), (12, 1)]):
        canvas.put(1, 1 + i, f"{month}月底")
        canvas.put(2, 1 + i, "", value=fraction, fmt="0.00%")
    canvas.line(3, "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "计量单位")
    canvas.line(4, "产出指标", "质量指标", "网络舆情处置率", "=")
    canvas.put(4, 4, "", value=1, fmt="0%")
    canvas.line(5, "满意度指标", "服务对象满意度指标", "服务对象满意度", "≥")
    canvas.put(5, 4, "", value=0.9, fmt="0%")
    document = load_document(_xlsx(tmp_path / "fractions.xlsx", canvas))
    project = document.projects[0]
    assert [(c.month, c.percent) for c in project.spending_plan] == [
        (3, Decimal(25)),
        (6, Decimal(50)),
        (10, Decimal(75)),
        (12, Decimal(100)),
    ]
    parsed = [(i.parsed.op, i.parsed.value, i.parsed.unit) for i in project.indicators]
    assert parsed == [("=", "100", "%"), (">=", "90", "%")]
    assert document.warnings == []


def test_repeated_header_is_not_an_indicator(tmp_path: Path) -> None:
    rows = [
        *_project_rows(),
        GRID,
        ["产出指标", "数量指标", "a", "≥1个"],
        ["产出指标", "质量指标", "b", "100%"],
        GRID,  # printed again at the top of the next page
        ["效益指标", "社会效益指标", "c", "是"],
        ["满意度指标", "服务对象满意度指标", "d", "≥90%"],
    ]
    document = load_document(_docx(tmp_path / "repeat.docx", rows))
    assert len(document.projects) == 1
    assert [i.level3 for i in document.projects[0].indicators] == ["a", "b", "c", "d"]
    assert document.warnings == []


def test_repeated_header_in_a_second_table_continues_the_grid(tmp_path: Path) -> None:
    """A grid split into two tables (as Word does at a page break) with the header repeated."""
    from docx import Document

    document = Document()
    document.add_paragraph("2021年度项目支出绩效目标表")
    for rows in (
        [*_project_rows(), GRID, ["产出指标", "数量指标", "a", "≥1个"]],
        [GRID, ["效益指标", "社会效益指标", "b", "是"]],
    ):
        canvas = Canvas(4)
        for i, cells in enumerate(rows):
            canvas.line(i, *cells)
        to_docx_table(document, canvas)
    document.add_paragraph("")
    path = tmp_path / "split.docx"
    document.save(str(path))
    imported = load_document(path)
    assert len(imported.projects) == 1
    assert [i.level3 for i in imported.projects[0].indicators] == ["a", "b"]
    assert imported.warnings == []


def test_code_and_name_in_one_cell_and_money_in_yuan(tmp_path: Path) -> None:
    rows = [
        ["项目名称", "13032221C2GKIBLPDEWRQ-网络安全和信息化经费", "单位：元", ""],
        ["预算数", "150,000.00", "其中：财政资金", "150,000.00"],
        GRID,
        ["产出指标", "数量指标", "a", "≥200条"],
    ]
    document = load_document(_docx(tmp_path / "yuan.docx", rows))
    project = document.projects[0]
    assert (project.code, project.name) == ("13032221C2GKIBLPDEWRQ", "网络安全和信息化经费")
    assert (project.budget.unit, project.budget.total, project.budget.fiscal) == (
        "元",
        Decimal("150000.00"),
        Decimal("150000.00"),
    )
    assert document.warnings == []


def _where(document: TargetDocument, place: str) -> list[str]:
    pattern = re.compile(re.escape(place) + r"\b")
    return [f"{w.where}: {w.message}" for w in document.warnings if pattern.search(w.where)]


def test_unreadable_cells_warn_with_their_place(tmp_path: Path) -> None:
    rows = [
        *_project_rows(),  # row 1
        ["预算数", "十五万元整", "其中：财政资金", "15.00"],  # row 2: money not a number
        GRID,  # row 3
        ["产出指标", "数量指标", "a", "≥200条"],  # row 4
        ["产出指标", "质量指标", "b", ""],  # row 5: no target
        ["产出指标", "时效指标", "c", "290%"],  # row 6: ≥ read as 2 by OCR
        ["效益指标", "社会效益指标", "d", "是"],  # row 7
    ]
    document = load_document(_docx(tmp_path / "unreadable.docx", rows))
    assert _where(document, "第 1 个表格第 2 行"), document.warnings
    assert _where(document, "第 1 个表格第 5 行"), document.warnings
    assert _where(document, "第 1 个表格第 6 行"), document.warnings
    assert all(CJK.search(w.message) for w in document.warnings)
    # Nothing silently dropped or guessed: the readable rows stay, 290% as written.
    indicators = document.projects[0].indicators
    assert [(i.level3, i.target) for i in indicators] == [
        ("a", "≥200条"),
        ("c", "290%"),
        ("d", "是"),
    ]
    assert document.projects[0].budget.total is None
    assert document.projects[0].budget.fiscal == Decimal("15.00")


def test_table_without_indicator_columns_fails(tmp_path: Path) -> None:
    rows = [["姓名", "职务", "电话"], ["张某", "主任", "0335-1234567"]]
    path = _docx(tmp_path / "contacts.docx", rows, title="联系人名单")
    with pytest.raises(ImportFailure) as failure:
        load_document(path)
    assert CJK.search(str(failure.value)), str(failure.value)
    assert "指标" in str(failure.value)


def test_empty_docx_fails(tmp_path: Path) -> None:
    from docx import Document

    path = tmp_path / "empty.docx"
    Document().save(str(path))
    with pytest.raises(ImportFailure) as failure:
        load_document(path)
    assert CJK.search(str(failure.value)), str(failure.value)


# --- several projects per file ------------------------------------------------------------------


def _project_block(canvas: Canvas, r: int, name: str, code: str, level3: str) -> int:
    """A small header block and grid for one project from row r; returns the next row."""
    canvas.line(r, "预算单位", (UNIT_CELL, 3))
    canvas.line(r + 1, "项目名称", name, "项目编码", code)
    canvas.line(r + 2, *GRID)
    canvas.line(r + 3, "产出指标", "数量指标", level3, "≥1个")
    return r + 4


def test_each_sheet_starts_its_own_table(tmp_path: Path) -> None:
    """One sheet per project, each with a title row: the second sheet is not the first's grid."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for project in PROJECTS:
        canvas = Canvas(4)
        canvas.put(0, 0, f"{project.name}绩效目标表", cols=4)
        _project_block(canvas, 1, project.name, project.code, f"{project.name}指标")
        to_sheet(workbook.create_sheet(project.name), canvas)
    path = tmp_path / "sheets.xlsx"
    workbook.save(path)
    document = load_document(path)
    assert [(p.code, p.name) for p in document.projects] == [(p.code, p.name) for p in PROJECTS]
    assert [[i.level3 for i in p.indicators] for p in document.projects] == [
        [f"{p.name}指标"] for p in PROJECTS
    ]
    _assert_no_warnings(document)


def test_second_header_block_in_the_same_table(tmp_path: Path) -> None:
    """Both projects in one Word table; the second block starts with its 预算单位 row."""
    from docx import Document

    canvas = Canvas(4)
    r = 0
    for project in PROJECTS:
        r = _project_block(canvas, r, project.name, project.code, f"{project.name}指标")
    document = Document()
    document.add_paragraph("2021年度项目支出绩效目标表")
    to_docx_table(document, canvas)
    document.add_paragraph("")
    path = tmp_path / "one-table.docx"
    document.save(str(path))
    imported = load_document(path)
    assert [(p.code, p.name) for p in imported.projects] == [(p.code, p.name) for p in PROJECTS]
    assert [[i.level3 for i in p.indicators] for p in imported.projects] == [
        [f"{p.name}指标"] for p in PROJECTS
    ]
    _assert_no_warnings(imported)


def _assert_no_warnings(document: TargetDocument) -> None:
    assert document.warnings == [], "\n".join(f"{w.where}: {w.message}" for w in document.warnings)


# --- PDF: lines wrapped by the page are one text ----------------------------------------------


def _pdf(path: Path, body: str) -> Path:
    from weasyprint import HTML

    page = f"<html><head><meta charset='utf-8'><style>{PDF_CSS}</style></head><body>{body}</body>"
    HTML(string=page + "</html>").write_pdf(str(path))
    return path


def test_pdf_cell_lines_wrapped_by_the_column_are_joined(tmp_path: Path) -> None:
    """A 20 mm column wraps 舆情监测预警、研判分析数; the wrap is not part of the text."""
    row = PROJECTS[0].rows[1]  # 网络舆情处置率, a long description
    cols = "".join(f'<col style="width: {w}mm">' for w in (20, 20, 20, 40, 20))
    body = (
        "<p>2021年度项目支出绩效目标表</p>"
        f"<table><colgroup>{cols}</colgroup>"
        f"<tr><td>项目名称</td><td colspan=4>{PROJECTS[0].name}</td></tr>"
        "<tr><td>一级指标</td><td>二级指标</td><td>三级指标</td><td>绩效指标描述</td>"
        "<td>指标值</td></tr>"
        "<tr><td>产出指标</td><td>数量指标</td><td>舆情监测预警、研判分析数</td>"
        f"<td>{row.description}</td><td>≥200条</td></tr></table>"
    )
    document = load_document(_pdf(tmp_path / "wrapped-cells.pdf", body))
    indicator = document.projects[0].indicators[0]
    assert (indicator.level3, indicator.description) == (
        "舆情监测预警、研判分析数",
        row.description,
    )


def test_pdf_paragraph_lines_wrapped_by_the_page_are_joined(tmp_path: Path) -> None:
    """The overall goal fills several printed lines; it is still one paragraph of text."""
    body = (
        "<p>一、总体绩效目标</p>"
        f"<p>{OVERALL}</p>"
        "<p>二、分项绩效目标</p>"
        f"<table><tr><td>项目名称</td><td colspan=3>{PROJECTS[0].name}</td></tr>"
        "<tr><td>一级指标</td><td>二级指标</td><td>三级指标</td><td>指标值</td></tr>"
        "<tr><td>产出指标</td><td>数量指标</td><td>舆情监测预警、研判分析数</td>"
        "<td>≥200条</td></tr></table>"
    )
    document = load_document(_pdf(tmp_path / "wrapped-paragraphs.pdf", body))
    assert document.unit_goal is not None
    assert document.unit_goal.overall == OVERALL


# --- column names and extra columns -------------------------------------------------------------


VALUE_HEADERS = ["指标值", "指标值及单位", "年度指标值", "当年预期实现值", "预期实现值"]


@pytest.mark.parametrize(
    "value_header",
    [*VALUE_HEADERS, "指标值（或计划水平）"],
    ids=["plain", "with-unit", "annual", "this-year-expected", "expected", "or-plan-level"],
)
def test_value_column_synonyms(tmp_path: Path, value_header: str) -> None:
    rows = [
        *_project_rows(),
        ["一级指标", "二级指标", "三级指标", value_header],
        ["产出指标", "数量指标", "a", "≥200条"],
        ["效益指标", "社会效益指标", "b", "是"],
    ]
    document = load_document(_docx(tmp_path / "synonym.docx", rows))
    assert _targets(document) == [("a", "≥200条", "200", "条"), ("b", "是", None, None)]
    _assert_no_warnings(document)


def test_extra_columns_are_kept_where_the_model_has_a_place(tmp_path: Path) -> None:
    """指标性质 (operator) + 指标值 + 度量单位 read together; 权重 kept; 绩效标准 kept as text;
    实际完成值 and 得分 ignored."""
    header = ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "权重"]
    header += ["绩效标准", "实际完成值", "得分"]
    rows = [
        *_project_rows(),
        header,
        ["产出指标", "数量指标", "a", "≥", "200", "条", "20", "计划标准", "236", "20"],
        ["效益指标", "社会效益指标", "b", "定性", "是", "", "10", "行业标准", "基本达到", "8"],
    ]
    document = load_document(_docx(tmp_path / "extra.docx", rows))
    indicators = document.projects[0].indicators
    assert [(i.parsed.kind, i.parsed.op, i.parsed.value, i.parsed.unit) for i in indicators] == [
        ("quantitative", ">=", "200", "条"),
        ("qualitative", None, None, None),
    ]
    assert [i.target for i in indicators] == ["≥200条", "是"]
    assert [i.weight for i in indicators] == [Decimal(20), Decimal(10)]
    standards = [{i.description, i.basis} for i in indicators]
    assert "计划标准" in standards[0] and "行业标准" in standards[1]
    _assert_no_warnings(document)
