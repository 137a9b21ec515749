"""Excel sheets printed without any rulings: header cells and level names at different heights.

An office centres each cell in its row: a header whose 指标值 spans 符号 | 数值 | 单位 prints the
spanning title above and the parts below the one-line header cells; a level name broken over
two lines (经济效益 / 指标) prints its lines above and below the row's other cells; a heading
merged down the grid's side (绩效指标) prints once, beside the middle of the grid. Each sheet is
built here, printed bare by LibreOffice in one run, and must import as the sheet itself does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from office import available

from jixiao.core.document import TargetDocument
from jixiao.importers import load_document

pytestmark = pytest.mark.skipif(not available(), reason="LibreOffice is not installed")

# (level-1, level-2, level-3, description, op, value, unit)
ROWS = [
    ("产出指标", "数量指标", "新建灌溉渠道", "年内新建灌溉渠道1470公里以上", "≥", "1470", "公里"),
    ("产出指标", "数量指标", "发放补贴农户", "反映发放补贴农户的数量情况", "≥", "2040", "户"),
    (
        "产出指标",
        "质量指标",
        "资金发放准确率",
        "资金发放准确率=资金发放准确完成数/应完成数×100%，数据来源于年度统计报表及抽样调查结果",
        "≥",
        "95",
        "%",
    ),
    ("产出指标", "时效指标", "项目完成时间", "项目在规定时间内完成", "定性", "年底前完成", ""),
    ("效益指标", "经济效益指标", "减轻群众经济负担", "是否减轻群众经济负担", "定性", "明显", ""),
    ("效益指标", "社会效益指标", "政策知晓率", "反映政策知晓率情况", "≥", "90", "%"),
    ("效益指标", "社会效益指标", "群众受益率", "反映群众受益率情况", "≥", "85", "%"),
    (
        "效益指标",
        "可持续影响指标",
        "项目效益持续期限",
        "项目效益持续发挥作用的年限",
        "≥",
        "3",
        "年",
    ),
    ("满意度指标", "服务对象满意度指标", "农户满意度", "通过问卷调查了解满意程度", "≥", "90", "%"),
]


def _spans(column: list[str]) -> list[tuple[int, int]]:
    """(first, last) row indexes of each run of equal values."""
    runs: list[tuple[int, int]] = []
    for i, value in enumerate(column):
        if runs and column[runs[-1][0]] == value:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _sheet(*, split: bool, side: bool, broken: bool) -> Any:
    """A project's header block and its grid, level cells merged down, every cell centred, no
    rulings.

    ``split`` makes the header two rows (指标值 over 计算符号 | 数值 | 计量单位, the other header
    cells merged down both); ``side`` adds 绩效指标 merged down the grid's left (header rows
    included); ``broken`` breaks the level-2 names before 指标 (经济效益 / 指标)."""
    from layouts import print_setup
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["2023年度项目支出绩效目标表"])
    sheet.append(["项目名称", "农田水利设施维修养护", "", "项目编码", "846796202300925"])
    sheet.append(["预算数（万元）", "409.48", "", "其中：财政资金", "409.48"])
    sheet.append(
        ["年度目标", "通过实施农田水利设施维修养护，改善农业生产条件，农户满意度达到90%以上。"]
    )
    head = 5
    c0 = 2 if side else 1  # the column of 一级指标
    parts = ["计算符号", "数值", "计量单位"]
    names = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "", "", "指标方向性"]
    if not split:
        names[4:7] = ["计算符号", "指标值", "计量单位"]
    for k, name in enumerate(names):
        sheet.cell(head, c0 + k, name)
    if split:
        for k, name in enumerate(parts):
            sheet.cell(head + 1, c0 + 4 + k, name)
        for k in (0, 1, 2, 3, 7):
            sheet.merge_cells(
                start_row=head, end_row=head + 1, start_column=c0 + k, end_column=c0 + k
            )
        sheet.merge_cells(start_row=head, end_row=head, start_column=c0 + 4, end_column=c0 + 6)
    first = head + (2 if split else 1)
    for i, (l1, l2, l3, desc, op, value, unit) in enumerate(ROWS):
        level2 = l2.replace("指标", "\n指标") if broken and len(l2) >= 6 else l2
        values = [l1, level2, l3, desc, op, value, unit, "正向指标"]
        for k, text in enumerate(values):
            if k < 2 and i and ROWS[i - 1][k] == (l1, l2)[k]:
                continue  # merged with the row above
            sheet.cell(first + i, c0 + k, text)
    for k in (0, 1):
        for a, b in _spans([row[k] for row in ROWS]):
            if b > a:
                sheet.merge_cells(
                    start_row=first + a, end_row=first + b, start_column=c0 + k, end_column=c0 + k
                )
    last = c0 + 7
    sheet.merge_cells(start_row=1, end_row=1, start_column=1, end_column=last)
    sheet.merge_cells(start_row=4, end_row=4, start_column=2, end_column=last)
    for row in (2, 3):  # the name and the amount take two columns
        sheet.merge_cells(start_row=row, end_row=row, start_column=2, end_column=3)
    if side:
        sheet.cell(head, 1, "绩效指标")
        sheet.merge_cells(
            start_row=head, end_row=first + len(ROWS) - 1, start_column=1, end_column=1
        )
    print_setup(workbook, "bare")
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="center")
    letter = "ABCDEFGHIJ"
    sheet.column_dimensions[letter[c0 - 1]].width = 12
    sheet.column_dimensions[letter[c0]].width = 18  # a level-2 name on one line
    sheet.column_dimensions[letter[c0 + 2]].width = 30  # a long description wraps
    return workbook


@pytest.fixture(scope="module")
def prints(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """name -> (pdf, xlsx) for each sheet, printed in one LibreOffice run."""
    from office import convert

    directory = tmp_path_factory.mktemp("unruled")
    sheets = {
        "split": _sheet(split=True, side=False, broken=False),
        "side_broken": _sheet(split=False, side=True, broken=True),
    }
    sources = []
    for name, workbook in sheets.items():
        sources.append(directory / f"{name}.xlsx")
        workbook.save(sources[-1])
    pdfs = convert(sources, directory / "pdf")
    return {name: (pdf, xlsx) for name, pdf, xlsx in zip(sheets, pdfs, sources, strict=True)}


def _without_warnings(document: TargetDocument) -> dict[str, object]:
    tree = document.to_dict()
    tree.pop("warnings", None)
    return tree


def _expected_targets() -> list[str]:
    return [value if op == "定性" else f"{op}{value}{unit}" for *_, op, value, unit in ROWS]


def test_split_header_printed_at_three_heights_keeps_the_unit(
    prints: dict[str, tuple[Path, Path]],
) -> None:
    """指标值 above, 计算符号 | 数值 | 计量单位 below, the other header cells between: one
    column per part, the unit read with its value."""
    pdf, xlsx = prints["split"]
    imported = load_document(pdf)
    assert imported.warnings == []
    (project,) = imported.projects
    assert [i.target for i in project.indicators] == _expected_targets()
    assert project.indicators[0].parsed.unit == "公里"
    assert project.indicators[2].description == ROWS[2][3]
    assert _without_warnings(imported) == _without_warnings(load_document(xlsx))


def test_side_heading_and_broken_level_names(prints: dict[str, tuple[Path, Path]]) -> None:
    """绩效指标 merged down beside the grid is no level; 经济效益 / 指标 printed above and below
    its row (or its two rows) is one name."""
    pdf, xlsx = prints["side_broken"]
    imported = load_document(pdf)
    assert imported.warnings == []
    (project,) = imported.projects
    levels = [(i.level1, i.level2, i.level3) for i in project.indicators]
    assert levels == [(l1, l2, l3) for l1, l2, l3, *_ in ROWS]
    assert [i.target for i in project.indicators] == _expected_targets()
    assert _without_warnings(imported) == _without_warnings(load_document(xlsx))
