"""A PDF printed from Word or Excel imports to the same document as the file it was printed from.

Each Word layout of layouts.py is printed as Word prints it, each Excel layout with cell
borders, with the print-gridlines option, and bare (no rulings), all by LibreOffice in one
run. The whole document is compared (warnings aside), then with the seed's values.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from layouts import PDF_PRINTS, Built, build_printed
from office import available
from seed_expected import assert_document, differences

from jixiao.core.document import TargetDocument
from jixiao.importers import load_document, read_source

pytestmark = pytest.mark.skipif(not available(), reason="LibreOffice is not installed")

# Excel printed with no rulings at all: placed from text alignment (see docs/importing.md).
BARE = [name for name in PDF_PRINTS if name.endswith("_bare")]
RULED = [name for name in PDF_PRINTS if name not in BARE]


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Built, Built]]:
    return build_printed(tmp_path_factory.mktemp("printed"), list(PDF_PRINTS))


def _without_warnings(document: TargetDocument) -> dict[str, object]:
    tree = document.to_dict()
    tree.pop("warnings", None)
    return tree


@pytest.mark.parametrize("name", RULED + BARE)
def test_print_imports_as_its_source(printed: dict[str, tuple[Built, Built]], name: str) -> None:
    pdf, source = printed[name]
    from_pdf = load_document(pdf.path)
    from_source = load_document(source.path)
    assert differences(_without_warnings(from_pdf), _without_warnings(from_source)) == []
    assert_document(from_pdf, pdf.expected)
    assert from_pdf.warnings == []


def test_prints_are_real_office_pdfs(printed: dict[str, tuple[Built, Built]]) -> None:
    """The prints break tables across pages: the tests below would be empty otherwise."""
    import pdfplumber

    for name in ("pdf_word_a", "pdf_word_b", "pdf_excel_a_borders"):
        with pdfplumber.open(printed[name][0].path) as pdf:
            assert len(pdf.pages) >= 4, name
            assert "LibreOffice" in pdf.metadata.get("Producer", "")


def test_word_print_joins_each_table_across_pages(printed: dict[str, tuple[Built, Built]]) -> None:
    pdf, source = printed["pdf_word_a"]
    tables = read_source(pdf.path).tables
    assert [t.place for t in tables] == ["第 2 页第 1 个表格", "第 4 页第 1 个表格"]
    # The same grid as the Word file: rows, columns, texts and merges.
    word = read_source(source.path).tables
    assert [t.rows for t in tables] == [t.rows for t in word]


def test_basis_column_is_never_the_target(printed: dict[str, tuple[Built, Built]]) -> None:
    """The seed's 指标值确定依据 column sits beside 指标值; a print must not swap them."""
    document = load_document(printed["pdf_word_a"][0].path)
    indicators = [i for p in document.projects for i in p.indicators]
    assert all(not i.target.startswith("冀干考发") for i in indicators)
    assert {i.basis for i in indicators} == {"冀干考发[2020]2号、昌办字[2019]14号", "调查问卷"}


@pytest.mark.parametrize("repeat", [True, False], ids=["header-repeated", "header-once"])
def test_long_word_table_over_pages_is_one_grid(tmp_path: Path, repeat: bool) -> None:
    """Sixty indicator rows over three pages, Word's 重复标题行 on or off: one table, all rows."""
    from docx import Document
    from docx.oxml import OxmlElement
    from layouts import Canvas, to_docx_table
    from office import convert

    canvas = Canvas(5)
    canvas.line(0, "项目名称", ("网络安全和信息化经费", 2), "项目编码", "13032221C2GKIBLPDEWRQ")
    canvas.line(1, "一级指标", "二级指标", "三级指标", "指标值", "指标值确定依据")
    for i in range(60):
        basis = "冀干考发[2020]2号、昌办字[2019]14号" if i % 3 else "调查问卷"
        canvas.line(
            2 + i, "产出指标", "数量指标", f"舆情监测预警、研判分析数第{i}项", f"≥{i}条", basis
        )
    document = Document()
    document.add_paragraph("2021年度项目支出绩效目标表")
    to_docx_table(document, canvas)
    if repeat:
        for row in document.tables[0].rows[:2]:
            row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    document.add_paragraph("")
    source = tmp_path / "long.docx"
    document.save(str(source))
    (pdf,) = convert([source], tmp_path / "pdf")
    tables = read_source(pdf).tables
    assert len(tables) == 1 and len(tables[0].rows) == 62
    assert tables[0].rows == read_source(source).tables[0].rows
    imported = load_document(pdf)
    assert [i.target for i in imported.projects[0].indicators] == [f"≥{i}条" for i in range(60)]
    assert _without_warnings(imported) == _without_warnings(load_document(source))


def test_bare_print_of_another_layout(tmp_path: Path) -> None:
    """A third sheet printed bare: columns in another order (权重 before 依据 before 指标值), a
    指标值确定依据 wrapped over three lines, every cell centred vertically (the level-1 names
    printed once, between the rows they span) and a spending-plan label centred over its
    months and percents."""
    from layouts import LONG_BASIS, build_xlsx_bare_c
    from office import convert

    source = build_xlsx_bare_c(tmp_path)
    (pdf,) = convert([source.path], tmp_path / "pdf")
    from_pdf = load_document(pdf)
    assert from_pdf.warnings == []
    assert (
        differences(_without_warnings(from_pdf), _without_warnings(load_document(source.path)))
        == []
    )
    assert_document(from_pdf, source.expected)
    first = from_pdf.projects[0]
    assert [i.level1 for i in first.indicators] == ["产出指标"] * 4 + ["效益指标"] * 4 + [
        "满意度指标"
    ]
    assert first.indicators[0].basis == LONG_BASIS
    assert [str(i.weight) for i in first.indicators] == [
        "15",
        "10",
        "10",
        "10",
        "10",
        "10",
        "5",
        "5",
        "10",
    ]
    assert [(c.month, c.percent) for c in first.spending_plan] == [
        (3, 25),
        (6, 50),
        (10, 75),
        (12, 100),
    ]


# Every way an office aligns a sheet's cells: vertically (merged cells printed at the top, in
# the middle or at the bottom of the rows they span) and horizontally.
ALIGNMENTS = [(v, h) for v in ("top", "center", "bottom") for h in ("general", "center")]


@pytest.fixture(scope="module")
def aligned_prints(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """The three bare layouts with every alignment, printed in one run: name -> (pdf, xlsx)."""
    from layouts import build_xlsx_a, build_xlsx_b, build_xlsx_bare_c, print_setup
    from office import convert
    from openpyxl import load_workbook
    from openpyxl.styles import Alignment

    directory = tmp_path_factory.mktemp("aligned")
    sources = {"a": build_xlsx_a, "b": build_xlsx_b, "c": build_xlsx_bare_c}
    files: dict[str, tuple[Path, Path]] = {}
    for name, build in sources.items():
        source = build(directory).path
        for vertical, horizontal in ALIGNMENTS:
            workbook = load_workbook(source)
            print_setup(workbook, "bare")
            for sheet in workbook.worksheets:
                for row in sheet.iter_rows():
                    for cell in row:
                        cell.alignment = Alignment(
                            wrap_text=True, vertical=vertical, horizontal=horizontal
                        )
            path = directory / f"{name}_{vertical}_{horizontal}.xlsx"
            workbook.save(path)
            files[path.stem] = (path, source)
    pdfs = convert([p for p, _ in files.values()], directory / "pdf")
    return {
        stem: (pdf, source) for (stem, (_, source)), pdf in zip(files.items(), pdfs, strict=True)
    }


@pytest.mark.parametrize("layout", ["a", "b", "c"])
@pytest.mark.parametrize(("vertical", "horizontal"), ALIGNMENTS)
def test_bare_print_imports_whatever_the_alignment(
    aligned_prints: dict[str, tuple[Path, Path]], layout: str, vertical: str, horizontal: str
) -> None:
    pdf, source = aligned_prints[f"{layout}_{vertical}_{horizontal}"]
    from_pdf = load_document(pdf)
    assert from_pdf.warnings == []
    assert differences(_without_warnings(from_pdf), _without_warnings(load_document(source))) == []


def test_long_bare_sheet_over_pages_is_one_grid(tmp_path: Path) -> None:
    """Sixty rows printed bare over two pages, the header printed once and a level-1 cell
    merged down all of them: the second page's rows go on in the first page's columns."""
    from layouts import Canvas, print_setup, to_sheet
    from office import convert
    from openpyxl import Workbook

    canvas = Canvas(6)
    canvas.put(0, 0, "2021年度项目支出绩效目标表", cols=6)
    canvas.line(
        1, "项目名称", ("网络安全和信息化经费", 2), "项目编码", ("13032221C2GKIBLPDEWRQ", 2)
    )
    canvas.line(2, "一级指标", "二级指标", "三级指标", "指标值", "指标值确定依据", "权重")
    canvas.put(3, 0, "产出指标", rows=60)
    for i in range(60):
        basis = "冀干考发[2020]2号、昌办字[2019]14号" if i % 3 else "调查问卷"
        canvas.line(
            3 + i, "", "数量指标", f"舆情监测预警、研判分析数第{i}项", f"≥{i}条", basis, "1"
        )
    workbook = Workbook()
    to_sheet(workbook.active, canvas)
    print_setup(workbook, "bare")
    source = tmp_path / "long.xlsx"
    workbook.save(source)
    (pdf,) = convert([source], tmp_path / "pdf")
    import pdfplumber

    with pdfplumber.open(pdf) as document:
        assert len(document.pages) >= 2
    grids = [t for t in read_source(pdf).tables if len(t.rows) > 2]
    assert len(grids) == 1 and len(grids[0].rows) == 61
    imported = load_document(pdf)
    assert imported.warnings == []
    assert [i.target for i in imported.projects[0].indicators] == [f"≥{i}条" for i in range(60)]
    assert {i.level1 for i in imported.projects[0].indicators} == {"产出指标"}
    assert _without_warnings(imported) == _without_warnings(load_document(source))


def test_bare_sheets_with_several_projects(tmp_path: Path) -> None:
    """docx_b's table on a sheet printed bare (both projects one under the other with no gap,
    两行表头 指标值 over 符号 | 数值 | 单位, level names with line breaks, 元, 权重, the second grid
    going on over the next page), and the official layout of both projects on one sheet."""
    from layouts import docx_b_canvas, official_canvas, print_setup, to_sheet
    from office import convert
    from openpyxl import Workbook
    from seed_expected import PROJECTS

    stacked = Workbook()
    to_sheet(stacked.active, docx_b_canvas())
    official = Workbook()
    top = 1
    for project in PROJECTS:
        canvas, _ = official_canvas(project, numbers=True)
        to_sheet(official.active, canvas, top=top)
        top += canvas.height  # no blank row between the projects
    sources = []
    for name, workbook in (("stacked", stacked), ("official", official)):
        print_setup(workbook, "bare")
        sources.append(tmp_path / f"{name}.xlsx")
        workbook.save(sources[-1])
    for source, pdf in zip(sources, convert(sources, tmp_path / "pdf"), strict=True):
        from_pdf = load_document(pdf)
        assert from_pdf.warnings == [], source.name
        expected = _without_warnings(load_document(source))
        assert differences(_without_warnings(from_pdf), expected) == [], source.name
        assert [len(p.indicators) for p in from_pdf.projects] == [9, 9]
