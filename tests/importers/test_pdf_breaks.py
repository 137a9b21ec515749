"""Word tables printed to PDF where the printer breaks text: lines wrapped inside a cell, and
rows cut by a page break. The PDF must give the grid the Word file gives, cell by cell.

The Word files are built here (python-docx) and printed by LibreOffice in one run:

* narrow columns whose texts wrap at punctuation, inside numbers and units (``宁晋政办发〔2017〕
  27号``, ``200元/年``, ``=120元/人``) beside cells with real paragraph breaks, which stay;
* long descriptions in rows allowed to break across pages (Word's default), with the header
  row repeated on each page (``tblHeader``) or not;
* the same rows marked ``cantSplit``, which move whole to the next page.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from office import available

from jixiao.importers import load_document, read_source

pytestmark = pytest.mark.skipif(not available(), reason="LibreOffice is not installed")

HEADER = ["一级指标", "二级指标", "三级指标", "指标描述", "指标值", "指标值确定依据"]
LONG = (
    "{name}=完成数/应完成数×100%，该指标反映项目实施后对服务对象产生的直接影响，数据来源于"
    "年度统计报表及抽样调查结果，按照上级有关文件要求和本年度工作计划，结合上年度实际完成"
    "情况综合测算确定，第{i}项。"
)
BASES = ["宁晋政办发〔2017〕27号", "河北财预〔2020〕5号", "冀干考发[2020]2号、昌办字[2019]14号"]
TARGETS = ["200元/年", "=120元/人", "≥98%", "3000元/亩", "8.56万元", "≤100%"]
NAMES = ["资金发放准确率", "补助标准", "项目成本控制率", "服务对象满意度", "政策知晓率"]


def _rows(count: int, long: bool) -> list[list[str]]:
    rows = []
    for i in range(count):
        name = NAMES[i % len(NAMES)]
        description = LONG.format(name=name, i=i) * (2 if long and i % 3 == 0 else 1)
        if not long:
            description = f"预算控制率=实际支出/预算安排数×100%，第{i}项"
        rows.append(
            [
                "产出指标" if i < count // 2 else "效益指标",
                "数量指标" if i % 2 else "社会效益指标",
                f"{name}{i}",
                description,
                TARGETS[i % len(TARGETS)],
                BASES[i % len(BASES)],
            ]
        )
    return rows


def _word(
    path: Path,
    rows: list[list[str]],
    widths_cm: list[float],
    *,
    repeat: bool = False,
    cant_split: bool = False,
) -> Path:
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.shared import Cm, Pt

    document = Document()
    document.styles["Normal"].font.size = Pt(9)
    document.add_paragraph("2021年度项目支出绩效目标表")
    document.add_paragraph("项目名称：舆情监测服务经费")
    table = document.add_table(rows=len(rows) + 1, cols=len(HEADER))
    table.style = "Table Grid"
    table.autofit = False
    for r, texts in enumerate([HEADER, *rows]):
        row = table.rows[r]
        for c, text in enumerate(texts):
            cell = row.cells[c]
            cell.width = Cm(widths_cm[c])
            first, *rest = text.split("\n")
            cell.text = first
            for line in rest:
                cell.add_paragraph(line)
        tr_pr = row._tr.get_or_add_trPr()
        if repeat and r == 0:
            tr_pr.append(OxmlElement("w:tblHeader"))
        if cant_split:
            tr_pr.append(OxmlElement("w:cantSplit"))
    document.add_paragraph("")
    document.save(str(path))
    return path


def _projects_word(path: Path, projects: list[tuple[str, int, list[float]]]) -> Path:
    """Each project one table (header block above the grid), the tables touching: no paragraph
    between them, each with its own column widths, as a unit pastes one table per project."""
    from docx import Document
    from docx.shared import Cm, Pt

    document = Document()
    document.styles["Normal"].font.size = Pt(9)
    document.add_paragraph("2021年度项目支出绩效目标表")
    for number, (name, count, widths_cm) in enumerate(projects):
        rows = [
            [f"{texts[0]}", *texts[1:3], f"{texts[3][:12]}", *texts[4:]]
            for texts in _rows(count, long=False)
        ]
        for i, row in enumerate(rows):
            row[2] = f"{NAMES[i % len(NAMES)]}{number}{i}"
        table = document.add_table(rows=len(rows) + 3, cols=len(HEADER))
        table.style = "Table Grid"
        table.autofit = False
        for column, width in zip(table.columns, widths_cm, strict=True):
            column.width = Cm(width)
        total = 100 * (number + 1)
        # The header block splits the table's columns otherwise than the grid below it.
        block = [
            ["项目名称", name, name, name, name, name],
            ["资金总额", str(total), str(total), "其中：财政拨款", str(total - 20), ""],
        ]
        for r, texts in enumerate([*block, HEADER, *rows]):
            for c, text in enumerate(texts):
                cell = table.rows[r].cells[c]
                cell.width = Cm(widths_cm[c])
                cell.text = text
        table.cell(0, 1).merge(table.cell(0, 5)).text = name
        table.cell(1, 1).merge(table.cell(1, 2)).text = str(total)
        table.cell(1, 4).merge(table.cell(1, 5)).text = str(total - 20)
    document.add_paragraph("")
    document.save(str(path))
    return path


GROUPS = [
    ("产出指标", "数量指标", 6),
    ("效益指标", "社会效益指标", 6),
    ("满意度指标", "服务对象满意度指标", 4),
]


def _sheet(path: Path, break_after: int) -> Path:
    """An Excel sheet with level cells merged over their rows, its header row printed on
    every page and a page break set after row ``break_after``."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Side
    from openpyxl.worksheet.pagebreak import Break

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER[:3] + HEADER[4:])
    for level1, level2, count in GROUPS:
        for i in range(count):
            sheet.append([level1, level2, f"{level2[:2]}考核{i}", f"≥{90 + i}%", "计划标准"])
    thin = Side(style="thin")
    for row in sheet.iter_rows():
        for cell in row:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            cell.alignment = Alignment(vertical="center", wrap_text=True)
    start = 2
    for _, _, count in GROUPS:
        for column in (1, 2):
            sheet.merge_cells(
                start_row=start, start_column=column, end_row=start + count - 1, end_column=column
            )
        start += count
    for letter, width in zip("ABCDE", (10, 14, 12, 8, 12), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.print_title_rows = "1:1"
    sheet.row_breaks.append(Break(id=break_after))
    workbook.save(path)
    return path


NARROW = [1.6, 1.6, 2.0, 5.2, 1.5, 2.2]
WIDE_DESCRIPTION = [1.8, 1.8, 2.4, 6.0, 1.8, 2.2]


def _cases(directory: Path) -> dict[str, Path]:
    narrow = _rows(12, long=False)
    # Real paragraph breaks, which must stay: a short first paragraph and a numbered list.
    narrow[0][3] = "反映资金发放情况。\n数据来源于年度统计报表"
    narrow[1][3] = "1.按时发放；\n2.足额发放。"
    long = _rows(30, long=True)
    return {
        "narrow": _word(directory / "narrow.docx", narrow, NARROW),
        "break_once": _word(directory / "break_once.docx", long, WIDE_DESCRIPTION),
        "break_repeat": _word(directory / "break_repeat.docx", long, WIDE_DESCRIPTION, repeat=True),
        "cant_split": _word(
            directory / "cant_split.docx", long, WIDE_DESCRIPTION, repeat=True, cant_split=True
        ),
        "cant_split_once": _word(
            directory / "cant_split_once.docx", long, WIDE_DESCRIPTION, cant_split=True
        ),
        # The second group's merged cells cut after its second row, and between groups.
        "sheet_cut_merge": _sheet(directory / "sheet_cut_merge.xlsx", 9),
        "sheet_cut_groups": _sheet(directory / "sheet_cut_groups.xlsx", 10),
        "one_project": _projects_word(
            directory / "one_project.docx",
            [("舆情监测服务经费", 12, [2.0, 2.2, 3.0, 5.0, 1.8, 2.5])],
        ),
        "touching": _projects_word(
            directory / "touching.docx",
            [
                ("舆情监测服务经费", 12, [2.0, 2.2, 3.0, 5.0, 1.8, 2.5]),
                ("网络宣传管理经费", 40, [2.2, 2.0, 3.2, 4.8, 2.0, 2.3]),
                ("新闻宣传及媒体融合经费", 8, [1.9, 2.3, 2.9, 5.1, 1.7, 2.6]),
            ],
        ),
    }


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    from office import convert

    directory = tmp_path_factory.mktemp("breaks")
    cases = _cases(directory)
    pdfs = convert(list(cases.values()), directory / "pdf")
    return {name: (pdf, cases[name]) for name, pdf in zip(cases, pdfs, strict=True)}


def _texts(path: Path) -> list[list[list[str]]]:
    return [[[c.text for c in row] for row in t.rows] for t in read_source(path).tables]


def _pages(path: Path) -> int:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return len(pdf.pages)


@pytest.mark.parametrize(
    "name", ["narrow", "break_once", "break_repeat", "cant_split", "cant_split_once"]
)
def test_print_gives_the_word_grid(printed: dict[str, tuple[Path, Path]], name: str) -> None:
    pdf, word = printed[name]
    assert _texts(pdf) == _texts(word)
    from_pdf, from_word = load_document(pdf).to_dict(), load_document(word).to_dict()
    assert from_pdf == from_word
    assert from_pdf.get("warnings", []) == []


def test_wrapped_cells_are_joined_and_paragraphs_kept(
    printed: dict[str, tuple[Path, Path]],
) -> None:
    """The narrow print wraps inside 〔2017〕27号 and 200元/年; real breaks stay breaks."""
    (table,) = read_source(printed["narrow"][0]).tables
    texts = {c.text for row in table.rows for c in row}
    assert {"宁晋政办发〔2017〕27号", "200元/年", "=120元/人", "8.56万元"} <= texts
    assert "反映资金发放情况。\n数据来源于年度统计报表" in texts
    assert "1.按时发放；\n2.足额发放。" in texts
    assert not any("\n" in t for t in texts if t.startswith("预算控制率"))


@pytest.mark.parametrize("name", ["break_once", "break_repeat", "cant_split"])
def test_long_rows_run_over_pages(printed: dict[str, tuple[Path, Path]], name: str) -> None:
    """The rows really are printed over several pages, as one table of every row."""
    pdf, _ = printed[name]
    assert _pages(pdf) >= 3
    (table,) = read_source(pdf).tables
    assert len(table.rows) == 31
    indicators = load_document(pdf).projects[0].indicators
    assert [i.level3 for i in indicators] == [f"{NAMES[i % len(NAMES)]}{i}" for i in range(30)]
    assert all((i.description or "").endswith(f"第{n}项。") for n, i in enumerate(indicators))


def test_touching_tables_are_read_apart(printed: dict[str, tuple[Path, Path]]) -> None:
    """Three projects' tables printed without a gap, each with its own column widths, the
    second running over a page: one table each, as in the Word file, every row in place."""
    pdf, word = printed["touching"]
    assert _pages(pdf) >= 2
    tables = read_source(pdf).tables
    assert [t.rows[0][1].text for t in tables] == [
        "舆情监测服务经费",
        "网络宣传管理经费",
        "新闻宣传及媒体融合经费",
    ]
    assert [len(t.rows) for t in tables] == [15, 43, 11]
    assert _texts(pdf) == _texts(word)
    projects = load_document(pdf).projects
    assert [len(p.indicators) for p in projects] == [12, 40, 8]
    assert projects[1].indicators[-1].level3 == f"{NAMES[39 % len(NAMES)]}139"
    assert load_document(pdf).to_dict() == load_document(word).to_dict()


def test_header_block_split_otherwise_stays_in_its_table(
    printed: dict[str, tuple[Path, Path]],
) -> None:
    """A budget block whose cells split the columns otherwise than the grid is one table
    with it, as in the Word file."""
    pdf, word = printed["one_project"]
    (table,) = read_source(pdf).tables
    assert [c.text for c in table.rows[1]] == [
        "资金总额",
        "100",
        "100",
        "其中：财政拨款",
        "80",
        "80",
    ]
    assert _texts(pdf) == _texts(word)
    assert load_document(pdf).to_dict() == load_document(word).to_dict()


@pytest.mark.parametrize("name", ["sheet_cut_merge", "sheet_cut_groups"])
def test_sheet_merged_levels_cut_by_a_page_break(
    printed: dict[str, tuple[Path, Path]], name: str
) -> None:
    """Excel prints a merged cell the page break cut at the whole cell's middle (under the
    part above, or in the part below) and repeats the header: one table, every row's levels."""
    pdf, sheet = printed[name]
    assert _pages(pdf) == 2
    (table,) = read_source(pdf).tables
    assert len(table.rows) == 17
    indicators = load_document(pdf).projects[0].indicators
    expected = [(l1, l2) for l1, l2, count in GROUPS for _ in range(count)]
    assert [(i.level1, i.level2) for i in indicators] == expected
    assert load_document(pdf).to_dict() == load_document(sheet).to_dict()


def _chars(text: str, x: float, top: float, size: float = 8.0) -> list:  # type: ignore[type-arg]
    from jixiao.importers.pdf import Char

    return [
        Char(ch, x + i * size, x + (i + 1) * size, top, top + size) for i, ch in enumerate(text)
    ]


def test_cut_merged_text_over_a_repeated_header_goes_to_the_box_below() -> None:
    """As a spreadsheet prints a merged level cell the page break cut: its name drawn at the
    whole cell's middle, across the repeated header's bottom rule or over the header's own
    text (drawn after it); the box under the header is blank but for it."""
    from jixiao.importers.pdf import _held

    header, below = (0.0, 0.0, 60.0, 20.0), (0.0, 20.0, 60.0, 60.0)

    def texts(chars: list) -> tuple[str, str]:  # type: ignore[type-arg]
        held = _held([header, below], chars)
        return "".join(c.text for c in held[header]), "".join(c.text for c in held[below])

    # Across the rule: 满意度指标 from 16 to 24, the header's bottom rule at 20.
    assert texts(_chars("一级指标", 2, 4) + _chars("满意度指", 2, 16)) == ("一级指标", "满意度指")
    # Over the header's text, a little lower, drawn after it.
    assert texts(_chars("二级指标", 2, 6) + _chars("经济成本指", 2, 7.2)) == (
        "二级指标",
        "经济成本指",
    )
    # A cell's own second line, under its first, stays.
    assert texts(_chars("一级指标", 2, 2) + _chars("名称", 2, 11)) == ("一级指标名称", "")
