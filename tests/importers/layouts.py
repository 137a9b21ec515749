"""Builders that write the seed's content (seed_expected) as files in many target-table layouts.

Each builder takes a directory, writes one file and returns a :class:`Built`: the path and the
document the importers should read from it (``seed_expected.expected_document`` with the parts
the layout holds). A layout is first drawn on a :class:`Canvas` (cells with row and column
spans), which is then rendered as a Word table, an Excel sheet or an HTML table, so the same
drawing tests every format.

Layouts:

* ``docx_a`` — the official layout of the seed: department-wide part as paragraphs, then per
  project a title paragraph and one table (header block with merged cells, then the grid
  一级 | 二级 | 三级 | 绩效指标描述 | 指标值 | 指标值确定依据 with level-1 cells merged down).
* ``docx_b`` — variants: a two-line header where 指标值 (指标值及单位) spans 符号 | 值 | 单位, level
  names with notes and line breaks (``产出指标(50分)``, ``经济效益\\n指标``), blank continuation
  cells instead of merges, a 权重 column, ``code-name`` in the 项目名称 cell, money in 元 with
  thousands separators, the plan as ``3月底：25%；…`` text, both projects in one table.
* ``docx_c`` — long-term and annual sets side by side (实施期指标值 | 年度指标值, 实施期目标 |
  年度目标): the annual must win; the grid header repeated mid-table (as after a page break).
* ``xlsx_a`` — the official layout, one sheet per project, real spreadsheet numbers (budget
  ``15`` as ``0.00``, plan ``0.25`` as ``0.00%``), the department-wide part on a first sheet.
* ``xlsx_b`` — all projects on one sheet as a flat list (项目名称 | 预算数 | 一级 | 二级 | 三级 |
  指标性质 | 年度指标值 | 度量单位 | 权重 | 实际完成值), project cells merged down their rows.
* ``pdf_a`` — the official layout printed by WeasyPrint; the second project's grid breaks across
  pages with its header row repeated.
* ``doc`` — ``docx_a`` converted to Word 97-2003 by LibreOffice.
"""

from __future__ import annotations

import html
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from canvas import Canvas, merge_spans
from seed_expected import (
    NUMERALS,
    OVERALL,
    PROJECTS,
    SAFEGUARDS,
    SUB_GOALS,
    UNIT_CODE,
    UNIT_NAME,
    OneOf,
    Project,
    Row,
    expected_document,
)

UNIT_CELL = f"{UNIT_CODE}{UNIT_NAME}"
OFFICIAL_HEADER = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]
# Weights of the nine rows of each project, for the layouts with a 权重 column.
ROW_WEIGHTS = [Decimal(w) for w in ("15", "10", "10", "10", "10", "10", "5", "5", "10")]
WEIGHTS = ROW_WEIGHTS * len(PROJECTS)
OP_SYMBOLS = {">=": "≥", "<=": "≤", "=": "=", ">": ">", "<": "<"}
# The long-term (实施期 / 中长期) values written beside the annual ones in docx_c: all differ.
LONG_TERM = {
    "≥200条": "≥600条",
    "≥500条": "≥1500条",
    "100%": "≥95%",
    "≤100%": "≤98%",
    "是": "持续提升",
    "达到": "长期达到",
    "1年": "3年",
    "≥90%": "≥95%",
    "≥30%": "≥35%",
}
LONG_TERM_GOALS = [
    "实施期内建成覆盖全县的网络舆情监测和网络安全保障体系，网信队伍能力全面提升。",
    "实施期内形成具有全县影响力的新媒体矩阵，网络宣传阵地全面巩固。",
]


@dataclass
class Built:
    """A written file and the document its import should give."""

    name: str
    path: Path
    expected: dict[str, object]


def to_docx_table(document: Any, canvas: Canvas) -> None:
    """Append the canvas to a python-docx document as a bordered table with real merges."""
    table = document.add_table(rows=canvas.height, cols=canvas.width)
    table.style = "Table Grid"
    for p in canvas.puts:
        cell = table.cell(p.row, p.col)
        if p.rows > 1 or p.cols > 1:
            cell = cell.merge(table.cell(p.row + p.rows - 1, p.col + p.cols - 1))
        _docx_text(cell, p.text)


def _docx_text(cell: Any, text: str) -> None:
    """Cell text, one paragraph per line (as Word stores a cell typed with Enter)."""
    first, *rest = text.split("\n")
    cell.text = first
    for line in rest:
        cell.add_paragraph(line)


def to_sheet(sheet: Any, canvas: Canvas, top: int = 1) -> None:
    """Write the canvas to an openpyxl worksheet from row ``top``, merging spans."""
    from openpyxl.styles import Alignment

    for p in canvas.puts:
        cell = sheet.cell(row=top + p.row, column=1 + p.col)
        cell.value = p.value if p.value is not None else p.text
        if p.fmt:
            cell.number_format = p.fmt
        if "\n" in p.text:
            cell.alignment = Alignment(wrap_text=True)
    merge_spans(sheet, canvas, top)


def to_html(canvas: Canvas, start: int, end: int, head: int = 0, cols: str = "") -> str:
    """Rows start..end of the canvas as an HTML table; the first ``head`` rows in <thead>."""
    rows: list[str] = []
    for r in range(start, end):
        cells = "".join(
            f'<td rowspan="{p.rows}" colspan="{p.cols}">'
            + "<br>".join(html.escape(t) for t in p.text.split("\n"))
            + "</td>"
            for p in sorted(canvas.puts, key=lambda p: p.col)
            if p.row == r
        )
        style = f' style="{canvas.row_styles[r]}"' if r in canvas.row_styles else ""
        rows.append(f"<tr{style}>{cells}</tr>")
    thead = f"<thead>{''.join(rows[:head])}</thead>" if head else ""
    return f"<table>{cols}{thead}<tbody>{''.join(rows[head:])}</tbody></table>"


# --- shared pieces ------------------------------------------------------------------------------


def department_paragraphs() -> list[str]:
    """The department-wide part as the seed's paragraphs (numbered titles, labelled lines)."""
    lines = ["第一部分", "部门整体绩效目标", "一、总体绩效目标", OVERALL, "二、分项绩效目标"]
    for numeral, goal in zip(NUMERALS, SUB_GOALS, strict=False):
        lines += [
            f"（{numeral}）{goal.title}",
            f"绩效目标：{goal.goal}",
            f"绩效指标：{goal.indicators}",
        ]
    lines.append("三、工作保障措施")
    lines += [f"（{n}）{text}" for n, text in zip(NUMERALS, SAFEGUARDS, strict=True)]
    return [*lines, "第二部分", "预算项目绩效目标"]


def split_target(row: Row) -> tuple[str, str, str]:
    """A target as operator | value | unit columns ("" operator for = and for words)."""
    parsed = row.parsed
    if parsed.value is None:
        return "", row.target, ""
    op = "" if parsed.op == "=" else OP_SYMBOLS[parsed.op or "="]
    return op, parsed.value, parsed.unit or ""


def _groups(rows: list[Row], key: Callable[[Row], str]) -> list[tuple[int, int]]:
    """(first index, count) of each run of rows sharing key (the cells merged down)."""
    runs: list[tuple[int, int]] = []
    for i, row in enumerate(rows):
        if runs and key(rows[runs[-1][0]]) == key(row):
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((i, 1))
    return runs


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}" if amount else "0"


def official_canvas(project: Project, numbers: bool = False) -> tuple[Canvas, int]:
    """The seed's project table on a 7-column grid; returns it and the grid header's row.

    ``numbers`` writes money and the spending plan as spreadsheet numbers (Excel).
    """
    c = Canvas(7)
    c.put(0, 0, UNIT_CELL, cols=5)
    c.put(0, 5, "单位：万元", cols=2)
    c.line(1, "项目编码", (project.code, 2), "项目名称", (project.name, 3))
    c.put(2, 0, "预算规模及资金用途", rows=2)
    c.put(2, 1, "预算数")
    for col, amount in ((2, project.total), (4, project.fiscal), (6, project.other)):
        if numbers:
            c.put(2, col, _money(amount), value=float(amount), fmt="0.00")
        else:
            c.put(2, col, _money(amount))
    c.put(2, 3, "其中：财政资金")
    c.put(2, 5, "其他资金")
    c.put(3, 1, project.fund_use, cols=6)
    c.put(4, 0, "资金支出计划（%）", rows=2, cols=3)
    for i, (month, percent) in enumerate(project.plan):
        c.put(4, 3 + i, f"{month}月底")
        if numbers:
            c.put(5, 3 + i, f"{percent:.2f}%", value=float(percent / 100), fmt="0.00%")
        else:
            c.put(5, 3 + i, f"{percent:.2f}%")
    c.put(6, 0, "绩效目标")
    c.put(6, 1, project.goal, cols=6)
    header = 7
    c.line(header, *OFFICIAL_HEADER[:3], (OFFICIAL_HEADER[3], 2), *OFFICIAL_HEADER[4:])
    first = header + 1
    for start, count in _groups(project.rows, lambda r: r.level1):
        c.put(first + start, 0, project.rows[start].level1, rows=count)
    for i, row in enumerate(project.rows):
        r = first + i
        c.put(r, 1, row.level2)
        c.put(r, 2, row.level3)
        c.put(r, 3, row.description, cols=2)
        c.put(r, 5, row.target)
        c.put(r, 6, row.basis)
    return c, header


# --- Word -----------------------------------------------------------------------------------------


def _new_docx() -> Any:
    from docx import Document

    return Document()


def _save_docx(document: Any, path: Path) -> None:
    """Save with a closing paragraph: Word's body always ends with one (and LibreOffice's .doc
    export drops a table that ends the body)."""
    document.add_paragraph("")
    document.save(str(path))


def build_docx_a(directory: Path) -> Built:
    """The official layout, as the seed's Word file has it."""
    document = _new_docx()
    for text in department_paragraphs():
        document.add_paragraph(text)
    for project in PROJECTS:
        document.add_paragraph(project.title)
        canvas, _ = official_canvas(project)
        to_docx_table(document, canvas)
    path = directory / "docx_a.docx"
    _save_docx(document, path)
    return Built("docx_a", path, expected_document())


DOCX_B_LEVELS = {
    "产出指标": "产出指标(50分)",
    "效益指标": "效益指标(30分)",
    "满意度指标": "满意度指标（10分）",
    "经济效益指标": "经济效益\n指标",
    "社会效益指标": "社会效益\n指标",
    "可持续影响指标": "可持续影响\n指标",
    "服务对象满意度指标": "服务对象\n满意度指标",
}
# The two-line header: 指标值 split into three columns, worded differently per project.
DOCX_B_HEADERS = [
    ("指标值", ("符号", "数值", "单位")),
    ("指标值及单位", ("计算符号", "指标值", "计量单位")),
]


def docx_b_canvas() -> Canvas:
    """Both projects in one 9-column table: header blocks, two-line headers, 元, 权重."""
    c = Canvas(9)
    r = 0
    for project, (value_header, sub) in zip(PROJECTS, DOCX_B_HEADERS, strict=True):
        c.line(r, "预算单位", (f"{UNIT_CODE}-{UNIT_NAME}", 5), ("单位：元", 3))
        c.line(r + 1, "项目名称", (f"{project.code}-{project.name}", 8))
        c.line(
            r + 2,
            "预算数",
            (f"{project.total * 10000:,.2f}", 2),
            "其中：财政资金",
            (f"{project.fiscal * 10000:,.2f}", 2),
            "其他资金",
            (f"{project.other * 10000:,.2f}", 2),
        )
        c.line(r + 3, "资金用途", (project.fund_use, 8))
        plan = "；".join(f"{m}月底：{p.normalize():f}%" for m, p in project.plan)
        c.line(r + 4, "资金支出计划（%）", (plan, 8))
        c.line(r + 5, "年度绩效目标", (project.goal, 8))
        h = r + 6
        for col, text in enumerate(["一级指标", "二级指标", "三级指标", "绩效指标描述"]):
            c.put(h, col, text, rows=2)
        c.put(h, 4, value_header, cols=3)
        c.put(h, 7, "指标值确定依据", rows=2)
        c.put(h, 8, "权重", rows=2)
        for col, text in enumerate(sub, start=4):
            c.put(h + 1, col, text)
        r = h + 2
        previous_level1 = None
        for row, weight in zip(project.rows, ROW_WEIGHTS, strict=True):
            if row.level1 != previous_level1:  # blank continuation cells below, no merge
                c.put(r, 0, DOCX_B_LEVELS.get(row.level1, row.level1))
                previous_level1 = row.level1
            c.put(r, 1, DOCX_B_LEVELS.get(row.level2, row.level2))
            c.put(r, 2, row.level3)
            c.put(r, 3, row.description)
            op, value, unit = split_target(row)
            for col, text in ((4, op), (5, value), (6, unit)):
                if text:
                    c.put(r, col, text)
            c.put(r, 7, row.basis)
            c.put(r, 8, f"{weight}")
            r += 1
    return c


def build_docx_b(directory: Path) -> Built:
    """Variants of the official layout, both projects in one table, money in 元."""
    document = _new_docx()
    document.add_paragraph("2021年度项目支出绩效目标表")
    to_docx_table(document, docx_b_canvas())
    path = directory / "docx_b.docx"
    document.save(str(path))
    expected = expected_document(
        unit_goal=False, money_unit="元", money_factor=Decimal(10000), weights=WEIGHTS
    )
    return Built("docx_b", path, expected)


def docx_c_canvas(project: Project, index: int) -> Canvas:
    """Long-term and annual sets side by side; the grid header repeated after four rows."""
    long_header = "实施期指标值" if index == 0 else "中长期指标值"
    c = Canvas(7)
    c.line(0, "项目名称", (project.name, 3), "项目编码", (project.code, 2))
    c.line(1, "单位名称", (UNIT_CELL, 6))
    c.line(
        2,
        "预算数（万元）",
        _money(project.total),
        "其中：财政资金",
        _money(project.fiscal),
        "其他资金",
        (_money(project.other), 2),
    )
    c.line(3, "资金用途", (project.fund_use, 6))
    c.put(4, 0, "资金支出计划（%）", rows=2)
    for i, (month, percent) in enumerate(project.plan):
        c.put(4, 1 + i, f"{month}月")
        c.put(5, 1 + i, f"{percent.normalize():f}%")
    c.put(6, 0, "绩效目标", rows=2)
    c.put(6, 1, "实施期目标", cols=3)
    c.put(6, 4, "年度目标", cols=3)
    c.put(7, 1, LONG_TERM_GOALS[index], cols=3)
    c.put(7, 4, project.goal, cols=3)
    header = ["一级指标", "二级指标", "三级指标", "绩效指标描述", long_header, "年度指标值"]
    header.append("指标值确定依据")
    c.line(8, *header)
    r = 9
    groups = dict(_groups(project.rows, lambda row: row.level1))
    for i, row in enumerate(project.rows):
        if i == 4:  # the header again, as printed at the top of a new page
            c.line(r, *header)
            r += 1
        if i in groups:
            c.put(r, 0, row.level1, rows=groups[i])
        c.line(r, "", row.level2, row.level3, row.description, LONG_TERM[row.target], row.target)
        c.put(r, 6, row.basis)
        r += 1
    return c


def build_docx_c(directory: Path) -> Built:
    """Long-term beside annual columns and goals; a repeated header row."""
    document = _new_docx()
    document.add_paragraph("中共昌黎县委网络安全和信息化委员会办公室2021年度项目支出绩效目标表")
    for index, project in enumerate(PROJECTS):
        document.add_paragraph(project.title)
        to_docx_table(document, docx_c_canvas(project, index))
    path = directory / "docx_c.docx"
    _save_docx(document, path)
    return Built("docx_c", path, expected_document(unit_goal=False))


# --- Excel ----------------------------------------------------------------------------------------


def build_xlsx_a(directory: Path) -> Built:
    """The official layout, one sheet per project, numbers as spreadsheet numbers."""
    from openpyxl import Workbook

    workbook = Workbook()
    goal_sheet = workbook.active
    goal_sheet.title = "部门整体绩效目标"
    for r, text in enumerate(department_paragraphs(), start=1):
        goal_sheet.cell(row=r, column=1, value=text)
    for project in PROJECTS:
        sheet = workbook.create_sheet(project.name)
        sheet.cell(row=1, column=1, value=project.title.split(".", 1)[1])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=7)
        canvas, _ = official_canvas(project, numbers=True)
        to_sheet(sheet, canvas, top=2)
    path = directory / "xlsx_a.xlsx"
    workbook.save(path)
    return Built("xlsx_a", path, expected_document())


XLSX_B_HEADER = [
    "项目名称",
    "预算数",
    "一级指标",
    "二级指标",
    "三级指标",
    "指标性质",
    "年度指标值",
    "度量单位",
    "权重",
    "实际完成值",
]
# Actual values (实际完成值) that differ from every target, so taking them would show.
ACTUALS = {"200": 236, "500": 561, "100": 98, "90": 93, "30": 34, "1": 2}


def xlsx_b_canvas() -> Canvas:
    """A flat list of all projects' indicators, project and level cells merged down."""
    c = Canvas(len(XLSX_B_HEADER))
    c.put(0, 0, "2021年度项目支出绩效目标表", cols=len(XLSX_B_HEADER))
    c.put(1, 0, "预算单位")
    c.put(1, 1, UNIT_CELL, cols=4)
    c.put(1, 8, "单位：万元", cols=2)
    c.line(2, *XLSX_B_HEADER)
    r = 3
    for project in PROJECTS:
        n = len(project.rows)
        c.put(r, 0, project.name, rows=n)
        c.put(r, 1, f"{project.total:.2f}", rows=n, value=float(project.total), fmt="#,##0.00")
        for start, count in _groups(project.rows, lambda row: row.level1):
            c.put(r + start, 2, project.rows[start].level1, rows=count)
        for i, (row, weight) in enumerate(zip(project.rows, ROW_WEIGHTS, strict=True)):
            p = row.parsed
            c.put(r + i, 3, row.level2)
            c.put(r + i, 4, row.level3)
            if p.value is None:
                c.put(r + i, 5, "定性")
                c.put(r + i, 6, row.target)
                c.put(r + i, 9, "基本达到")
            else:
                c.put(r + i, 5, OP_SYMBOLS[p.op or "="])
                c.put(r + i, 6, p.value, value=int(p.value))
                c.put(r + i, 7, p.unit or "")
                c.put(r + i, 9, str(ACTUALS[p.value]), value=ACTUALS[p.value])
            c.put(r + i, 8, str(weight), value=int(weight))
        r += n
    return c


def xlsx_b_targets() -> list[str | OneOf]:
    """The seed's targets, or as the three columns read together (``=100%`` for = | 100 | %)."""
    out: list[str | OneOf] = []
    for project in PROJECTS:
        for row in project.rows:
            p = row.parsed
            if p.value is None:
                out.append(row.target)
            else:
                written = f"{OP_SYMBOLS[p.op or '=']}{p.value}{p.unit or ''}"
                out.append(OneOf({row.target, written}))
    return out


def build_xlsx_b(directory: Path) -> Built:
    """All projects on one sheet in the flat-list layout, with an 实际完成值 column."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "项目绩效目标"
    to_sheet(sheet, xlsx_b_canvas())
    path = directory / "xlsx_b.xlsx"
    workbook.save(path)
    expected = expected_document(
        unit_goal=False,
        fiscal_other=False,
        code=False,
        fund_use=False,
        plan=False,
        goal=False,
        description=False,
        basis=False,
        weights=WEIGHTS,
        targets=xlsx_b_targets(),
    )
    return Built("xlsx_b", path, expected)


# --- PDF ------------------------------------------------------------------------------------------

PDF_CSS = """
@page { size: A4; margin: 15mm; }
body { font-family: "Noto Sans CJK SC"; font-size: 9pt; line-height: 1.4; }
p { margin: 0 0 2pt 0; }
p.title { font-size: 12pt; margin-top: 8pt; break-before: page; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; margin: 0; }
td { border: 0.75pt solid #000; padding: 2pt 3pt; vertical-align: middle; }
"""
# Column widths of the official 7-column grid (mm): level1, level2, level3, description (2),
# target, basis.
PDF_COLS = (
    "<colgroup>"
    + "".join(f'<col style="width: {w}mm">' for w in (18, 28, 32, 24, 24, 18, 36))
    + "</colgroup>"
)


def pdf_html() -> str:
    """The seed as one HTML document: paragraphs, then per project a header table and a grid."""
    parts = [f"<p>{html.escape(text)}</p>" for text in department_paragraphs()]
    for index, project in enumerate(PROJECTS):
        canvas, header = official_canvas(project)
        if index == 1:
            # Break inside the second grid: 效益指标 starts a new page, under a repeated header.
            first_benefit = next(i for i, r in enumerate(project.rows) if r.level1 == "效益指标")
            canvas.row_styles[header + 1 + first_benefit] = "break-before: page"
        # Each project starts a page, so only the forced break splits a table.
        parts.append(f'<p class="title">{html.escape(project.title)}</p>')
        parts.append(to_html(canvas, 0, header, cols=PDF_COLS))
        parts.append(to_html(canvas, header, canvas.height, head=1, cols=PDF_COLS))
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><style>{PDF_CSS}</style></head>"
        f"<body>{''.join(parts)}</body></html>"
    )


def build_pdf_a(directory: Path) -> Built:
    """The official layout printed to PDF (text layer), a grid broken across pages."""
    from weasyprint import HTML

    path = directory / "pdf_a.pdf"
    HTML(string=pdf_html()).write_pdf(str(path))
    return Built("pdf_a", path, expected_document())


# --- legacy Word ----------------------------------------------------------------------------------


def build_doc(directory: Path) -> Built:
    """``docx_a`` saved as Word 97-2003 (.doc) by headless LibreOffice."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    work = directory / "doc-work"
    work.mkdir(exist_ok=True)
    source = build_docx_a(work).path
    profile = Path(tempfile.mkdtemp(prefix="lo-"))
    try:
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                "doc",
                "--outdir",
                str(work),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    path = directory / "doc_a.doc"
    (work / f"{source.stem}.doc").rename(path)
    return Built("doc", path, expected_document())


# --- PDF printed by an office (LibreOffice, as Word or Excel would print) ------------------------

# How a sheet is printed: with cell borders (most real forms), with the print-gridlines
# option and no borders, or bare (no rulings at all: columns only from text alignment).
EXCEL_PRINTS = ("borders", "gridlines", "bare")


def print_setup(workbook: Any, style: str) -> None:
    """Set a workbook up as an office prepares a sheet for printing.

    Columns as wide as their text (up to 30 characters, Chinese counted double), text wrapped
    in its cell, one page wide, and the rulings of ``style``.
    """
    from openpyxl.styles import Alignment, Border, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin")
    for sheet in workbook.worksheets:
        spanned = {
            (r, c)
            for rng in sheet.merged_cells.ranges
            if rng.max_col > rng.min_col
            for r in range(rng.min_row, rng.max_row + 1)
            for c in range(rng.min_col, rng.max_col + 1)
        }
        widths: dict[int, float] = {}
        for row in sheet.iter_rows():
            for cell in row:
                if style == "borders" and sheet.max_column > 1:
                    cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                if (cell.row, cell.column) not in spanned:
                    longest = max((_text_width(t) for t in _lines_of(cell.value)), default=0)
                    widths[cell.column] = max(widths.get(cell.column, 6), min(longest + 2, 30))
        if sheet.max_column == 1:
            widths = {1: 90}
        for column, width in widths.items():
            sheet.column_dimensions[get_column_letter(column)].width = width
        # An office sizes a wrapped row to its text when it is typed; a file written by a
        # program has no heights, so they are set here as the office would have.
        merged = {
            (rng.min_row, rng.min_col): (
                rng.max_row - rng.min_row + 1,
                rng.max_col - rng.min_col + 1,
            )
            for rng in sheet.merged_cells.ranges
        }
        heights: dict[int, int] = {}
        for row in sheet.iter_rows():
            for cell in row:
                rows, cols = merged.get((cell.row, cell.column), (1, 1))
                if cell.value is None or ((cell.row, cell.column) in spanned and cols == 1):
                    continue
                width = sum(widths.get(cell.column + i, 8) for i in range(cols)) - 1
                lines = sum(-(-max(_text_width(t), 1) // width) for t in _lines_of(cell.value))
                heights[cell.row] = max(heights.get(cell.row, 1), -(-int(lines) // rows))
        for r, lines in heights.items():
            sheet.row_dimensions[r].height = 15 * lines + 2
        sheet.print_options.gridLines = style == "gridlines"
        sheet.page_setup.orientation = "landscape" if sheet.max_column > 7 else "portrait"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0


def _lines_of(value: object) -> list[str]:
    return [] if value is None else str(value).split("\n")


def _text_width(text: str) -> int:
    """Width in Excel's character units: a Chinese character is two."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0x2E80)


def print_excel(source: Built, style: str, directory: Path) -> Path:
    """A copy of an Excel layout set up for printing in ``style`` (not yet printed)."""
    from openpyxl import load_workbook

    workbook = load_workbook(source.path)
    print_setup(workbook, style)
    path = directory / f"{source.path.stem}_{style}.xlsx"
    workbook.save(path)
    return path


# The printed layouts: the Word layouts printed from Word, the Excel ones in each print style.
PDF_PRINTS: dict[str, tuple[str, str | None]] = {
    **{f"pdf_word_{n}": (f"docx_{n}", None) for n in "abc"},
    **{f"pdf_excel_{n}_{style}": (f"xlsx_{n}", style) for n in "ab" for style in EXCEL_PRINTS},
}


def build_printed(directory: Path, names: list[str]) -> dict[str, tuple[Built, Built]]:
    """Print the named PDF layouts in one LibreOffice run: name -> (PDF, the file printed).

    The PDF's expected document is its source's: a print must import as its source does.
    """
    from office import convert

    work = directory / "printed-src"
    work.mkdir(exist_ok=True)
    sources: dict[str, Built] = {}
    files: list[Path] = []
    for name in names:
        base, style = PDF_PRINTS[name]
        built = BUILDERS[base](work)
        path = built.path if style is None else print_excel(built, style, work)
        renamed = work / f"{name}{path.suffix}"
        shutil.copyfile(path, renamed)
        sources[name] = built
        files.append(renamed)
    pdfs = convert(files, directory / "printed")
    return {
        name: (Built(name, pdf, sources[name].expected), sources[name])
        for name, pdf in zip(names, pdfs, strict=True)
    }


def _printed(name: str) -> Callable[[Path], Built]:
    return lambda directory: build_printed(directory, [name])[name][0]


BUILDERS: dict[str, Callable[[Path], Built]] = {
    "docx_a": build_docx_a,
    "docx_b": build_docx_b,
    "docx_c": build_docx_c,
    "xlsx_a": build_xlsx_a,
    "xlsx_b": build_xlsx_b,
    "pdf_a": build_pdf_a,
    "doc": build_doc,
}
# Printed layouts are built in one batch (build_printed); one at a time for a single check.
PRINTED_BUILDERS = {name: _printed(name) for name in PDF_PRINTS}


# --- a third sheet printed bare: another column order, 权重, long wrapped 依据, cells centred ----

# 指标值确定依据 long enough to wrap over several printed lines in a 30-character column.
LONG_BASIS = (
    "依据冀干考发[2020]2号、昌办字[2019]14号文件及本单位年度工作计划测算确定，"
    "参考上年度实际完成情况"
)
BARE_C_HEADER = [
    "一级指标",
    "二级指标",
    "三级指标",
    "权重",
    "指标值确定依据",
    "指标值",
    "绩效指标描述",
]


def bare_c_canvas(project: Project) -> Canvas:
    """One project: header block, then a grid in another column order with a 权重 column."""
    c = Canvas(len(BARE_C_HEADER))
    c.put(0, 0, f"2021年度{project.name}绩效目标表", cols=7)
    c.line(1, "单位名称", (UNIT_CELL, 6))
    c.line(2, "项目名称", (project.name, 3), "项目编码", (project.code, 2))
    c.line(
        3,
        "预算数（万元）",
        _money(project.total),
        "其中：财政资金",
        _money(project.fiscal),
        "其他资金",
        (_money(project.other), 2),
    )
    c.line(4, "资金用途", (project.fund_use, 6))
    c.put(5, 0, "资金支出计划（%）", rows=2)
    for i, (month, percent) in enumerate(project.plan):
        c.put(5, 1 + i, f"{month}月")
        c.put(6, 1 + i, f"{percent.normalize():f}%")
    c.line(7, "年度绩效目标", (project.goal, 6))
    c.line(8, *BARE_C_HEADER)
    first = 9
    for start, count in _groups(project.rows, lambda r: r.level1):
        c.put(first + start, 0, project.rows[start].level1, rows=count)
    for i, (row, weight) in enumerate(zip(project.rows, ROW_WEIGHTS, strict=True)):
        r = first + i
        basis = LONG_BASIS if row.basis != "调查问卷" else row.basis
        c.line(r, "", row.level2, row.level3, str(weight), basis, row.target, row.description)
    return c


def build_xlsx_bare_c(directory: Path) -> Built:
    """A sheet per project, set up to print bare with every cell centred vertically."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    workbook = Workbook()
    workbook.remove(workbook.active)
    for project in PROJECTS:
        sheet = workbook.create_sheet(project.name)
        to_sheet(sheet, bare_c_canvas(project))
    print_setup(workbook, "bare")
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="center")
    path = directory / "xlsx_bare_c.xlsx"
    workbook.save(path)
    basis = [LONG_BASIS if r.basis != "调查问卷" else r.basis for p in PROJECTS for r in p.rows]
    expected = expected_document(unit_goal=False, weights=WEIGHTS)
    for project in expected["projects"]:  # type: ignore[union-attr]
        for indicator in project["indicators"]:
            indicator["basis"] = basis.pop(0)
    return Built("xlsx_bare_c", path, expected)
