"""Two-line grid headers whose second line splits 指标值 into 符号 | 数值 | 单位, where the grid
has more columns than the header has words.

An office table's column lines are the union of every band's cell edges: a budget row above the
grid whose cells end elsewhere (资金总额 | 100 | 其中：财政拨款 …) splits the grid's columns, so
符号 or 单位 covers two grid columns, merged. Word keeps the merge, Excel is built with it, and a
PDF print rebuilds it from the rulings, finer still when another table touches the grid. Each
value sits in the first column of its merge; the sub-header names that column only, never its
copy (which would read as a second, long-term set of 符号 and 单位, losing `≥` and `户`).

Beside it, a number a narrow 指标值 column cuts over lines (``9`` / ``2.`` / ``5``): the ``2.``
line looks like a numbered item starting, yet a digit glued to it on the next line makes it part
of a number; it joins to ``92.5``.

And a row of nothing but merge copies (a page break cut a row beside a 绩效指标 heading merged
down the grid's side, as two of the generator's seed-2026 apply layouts print) adds no indicator.

The Word and Excel files are built here and printed by LibreOffice in one run.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from generator import generate, render
from generator.model import Generated
from office import available

from jixiao.importers import load_document, read_source

pytestmark = pytest.mark.skipif(not available(), reason="LibreOffice is not installed")

# (level 1, level 2, level 3, sign, number, unit, basis)
ROWS = [
    ("产出指标", "数量指标", "走访慰问数", "≥", "1470", "户", "行业标准"),
    ("产出指标", "数量指标", "养护农村公路里程", "=", "980", "公里", "计划标准"),
    ("产出指标", "质量指标", "验收合格率", "≧", "90", "%", "历史标准"),
    ("产出指标", "成本指标", "补助标准", "=", "200", "元/亩", "山西财预〔2023〕113号"),
    ("效益指标", "社会效益指标", "群众受益率", "≥", "90", "%", "历史标准"),
    ("效益指标", "可持续影响指标", "项目效益持续期限", "≥", "3", "年", "项目实施方案"),
    ("效益指标", "社会效益指标", "保障道路安全畅通", "定性", "有效提升", "", "行业标准"),
    ("满意度指标", "服务对象满意度指标", "群众满意度", "≤", "100", "%", "其他标准"),
]
TARGETS = ["≥1470户", "=980公里", "≧90%", "=200元/亩", "≥90%", "≥3年", "有效提升", "≤100%"]

# Nine columns: 符号 covers columns 3–4 and 单位 columns 6–7, split by the budget row's edges.
WIDTH = 9
BLOCK = [
    [(0, 1, "部门名称"), (2, 8, "845037-霞浦县交通运输局")],
    [(0, 1, "项目名称"), (2, 8, "农村公路养护经费")],
    [
        (0, 0, "资金总额（万元）"),
        (1, 3, "3269.97"),
        (4, 5, "其中：财政拨款（万元）"),
        (6, 6, "2942.97"),
        (7, 7, "其他资金（万元）"),
        (8, 8, "327"),
    ],
    [(0, 1, "年度目标"), (2, 8, "2025年通过实施农村公路养护经费，提升道路安全畅通水平。")],
]
HEAD = [(0, 0, "一级指标"), (1, 1, "二级指标"), (2, 2, "三级指标"), (3, 7, "指标值")]
HEAD += [(8, 8, "指标值确定依据")]
SUB = [(3, 4, "符号"), (5, 5, "数值"), (6, 7, "单位")]
SPANS = [(0, 0), (1, 1), (2, 2), (3, 4), (5, 5), (6, 7), (8, 8)]


def _bands() -> tuple[list[list[tuple[int, int, str]]], int]:
    """Every row as (first column, last column, text) cells; and the header's first row."""
    data = [[(a, b, text) for (a, b), text in zip(SPANS, row, strict=True)] for row in ROWS]
    return [*BLOCK, HEAD, SUB, *data], len(BLOCK)


def _word(path: Path) -> Path:
    from docx import Document
    from docx.shared import Pt

    document = Document()
    document.styles["Normal"].font.size = Pt(9)
    document.add_paragraph("项目支出绩效目标申报表（2025年度）")
    rows, head = _bands()
    table = document.add_table(rows=len(rows), cols=WIDTH)
    table.style = "Table Grid"
    for r, cells in enumerate(rows):
        for first, last, text in cells:
            cell = table.cell(r, first)
            if last > first:
                cell = cell.merge(table.cell(r, last))
            cell.text = text
    for c in (0, 1, 2, 8):  # the header's level and basis cells span both its rows
        top = table.cell(head, c)
        text = top.text
        top.merge(table.cell(head + 1, c)).text = text
    document.save(str(path))
    return path


NARROW = [
    ("产出指标", "质量指标", "资金发放准确率", "92.5", "%", "行业标准"),
    ("产出指标", "成本指标", "补助标准", "12.5", "元/人", "行业标准"),
    ("产出指标", "数量指标", "维修路灯数", "1470", "盏", "行业标准"),
]


def _narrow_word(path: Path) -> Path:
    """A one-line header whose 指标值 column is a digit and a point wide (0.7 cm)."""
    from docx import Document
    from docx.shared import Cm, Pt

    document = Document()
    document.styles["Normal"].font.size = Pt(9)
    document.add_paragraph("项目支出绩效目标表（2024年度）")
    header = ("一级指标", "二级指标", "三级指标", "指标值", "计量单位", "指标值确定依据")
    table = document.add_table(rows=len(NARROW) + 1, cols=len(header))
    table.style = "Table Grid"
    table.autofit = False
    for c in range(len(header)):
        width = Cm(0.7 if c == 3 else 3)
        table.columns[c].width = width
        for r, texts in enumerate([header, *NARROW]):
            table.cell(r, c).width = width
            table.cell(r, c).text = texts[c]
    document.save(str(path))
    return path


def _excel(path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Border, Side

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "绩效目标表"
    sheet.append(["项目支出绩效目标申报表（2025年度）"])
    rows, head = _bands()
    thin = Side(style="thin")
    for r, cells in enumerate(rows, start=2):
        for first, last, text in cells:
            sheet.cell(r, first + 1, text)
            if last > first:
                sheet.merge_cells(
                    start_row=r, start_column=first + 1, end_row=r, end_column=last + 1
                )
        for c in range(1, WIDTH + 1):
            sheet.cell(r, c).border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for c in (1, 2, 3, 9):
        sheet.merge_cells(start_row=head + 2, start_column=c, end_row=head + 3, end_column=c)
    for c, width in enumerate([18, 18, 18, 5, 5, 12, 9, 16, 24], start=1):
        sheet.column_dimensions[chr(64 + c)].width = width
    sheet.page_setup.orientation = "landscape"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True  # one page wide, as offices print
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    book.save(str(path))
    return path


SIDE_HEADING = ("doc0061", "doc0256")


def _side_heading_documents() -> list[Generated]:
    """Two seed-2026 documents whose Word print cuts a row beside the merged 绩效指标 heading."""
    return [d for d in generate(2026, 257) if d.ident in SIDE_HEADING]


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    from office import convert

    directory = tmp_path_factory.mktemp("heads")
    sources = {
        "word": _word(directory / "heads-word.docx"),
        "excel": _excel(directory / "heads-excel.xlsx"),
        "narrow": _narrow_word(directory / "narrow-word.docx"),
    }
    for doc in _side_heading_documents():
        sources[doc.ident] = render.write(doc, "docx", directory)
    pdfs = convert(list(sources.values()), directory / "pdf")
    return {kind: (pdf, sources[kind]) for kind, pdf in zip(sources, pdfs, strict=True)}


@pytest.mark.parametrize("kind", ["word", "excel"])
def test_sub_header_merged_over_two_columns_keeps_sign_and_unit(
    printed: dict[str, tuple[Path, Path]], kind: str
) -> None:
    pdf, office_file = printed[kind]
    for path in (office_file, pdf):
        document = load_document(path)
        (project,) = document.projects
        indicators = project.indicators
        assert [i.level3 for i in indicators] == [r[2] for r in ROWS], path.name
        assert [i.target for i in indicators] == TARGETS, path.name
        assert [i.basis for i in indicators] == [r[6] for r in ROWS], path.name
        first = indicators[0].parsed
        assert (first.op, str(first.value), first.unit) == (">=", "1470", "户")
        assert document.warnings == []


def test_the_print_really_splits_the_sub_header_cells(
    printed: dict[str, tuple[Path, Path]],
) -> None:
    """The PDF grid has the sub-header cells merged over two columns, as the Word file has."""
    pdf, word = printed["word"]
    for path in (word, pdf):
        grid = read_source(path).tables[-1]
        sub = next(r for r, row in enumerate(grid.rows) if any(c.text == "符号" for c in row))
        row = grid.rows[sub]
        sign = [c for c, cell in enumerate(row) if cell.text == "符号"]
        unit = [c for c, cell in enumerate(row) if cell.text == "单位"]
        assert len(sign) == 2 and len(unit) == 2, path.name
        assert row[sign[1]].origin == (sub, sign[0])
        assert row[unit[1]].origin == (sub, unit[0])


def test_a_number_cut_over_lines_is_joined_not_taken_for_a_numbered_item(
    printed: dict[str, tuple[Path, Path]],
) -> None:
    import pdfplumber

    pdf, word = printed["narrow"]
    with pdfplumber.open(pdf) as document:
        digits = [c for c in document.pages[0].chars if c["text"] in "92.5" and c["top"] > 100]
    # The print really cuts 92.5 as 9 / 2. / 5: three lines in one narrow column.
    assert len({round(c["top"]) for c in digits[:4]}) == 3
    for path in (word, pdf):
        indicators = load_document(path).projects[0].indicators
        assert [i.target for i in indicators] == ["92.5%", "12.5元/人", "1470盏"], path.name
        assert [str(i.parsed.value) for i in indicators] == ["92.5", "12.5", "1470"]


@pytest.mark.parametrize("ident", SIDE_HEADING)
def test_a_row_of_merge_copies_cut_by_a_page_break_adds_no_indicator(
    printed: dict[str, tuple[Path, Path]], ident: str
) -> None:
    pdf, word = printed[ident]
    (doc,) = [d for d in _side_heading_documents() if d.ident == ident]
    want = [(i.level1, i.level2, i.level3, i.target) for i in doc.truth.projects[0].indicators]
    grid = read_source(pdf).tables[-1]
    copies = [
        r
        for r, row in enumerate(grid.rows)
        if all(c.origin[0] < r for c in row if c.text) and any(c.text for c in row)
    ]
    assert copies, "the print no longer cuts the row: the case is not tested"
    for path in (word, pdf):
        (project,) = load_document(path).projects
        got = [(i.level1, i.level2, i.level3, i.target) for i in project.indicators]
        assert got == want, path.name
