"""Warnings say where in Chinese, the same way for every format: 第 1 个表格第 5 行“指标值”列."""

from __future__ import annotations

from pathlib import Path

import docx
import openpyxl

from jixiao.core.document import TargetDocument
from jixiao.importers import load_document, load_text

HEADER = ["一级指标", "二级指标", "三级指标", "指标值"]
ROWS = [
    ["项目名称", "档案数字化", "", ""],
    ["预算数（万元）", "十五万元整", "", ""],
    HEADER,
    ["产出指标", "数量指标", "数字化档案", "≥200卷"],
    ["产出指标", "质量指标", "数字化合格率", ""],
    ["产出指标", "时效指标", "", "≤12月"],
]


def _places(document: TargetDocument) -> list[tuple[str, str]]:
    return [(w.where, w.message) for w in document.warnings]


def test_word_table_rows_and_columns_are_named_in_chinese(tmp_path: Path) -> None:
    word = docx.Document()
    word.add_paragraph("2024年度项目绩效目标表")
    table = word.add_table(rows=len(ROWS), cols=4)
    for r, row in enumerate(ROWS):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    word.save(str(tmp_path / "a.docx"))
    assert _places(load_document(tmp_path / "a.docx")) == [
        ("第 1 个表格第 2 行", "无法读取金额“十五万元整”"),
        ("第 1 个表格第 5 行“指标值”列", "指标“数字化合格率”的指标值为空，未导入"),
        ("第 1 个表格第 6 行“三级指标”列", "三级指标为空，指标值“≤12月”未导入"),
    ]


def test_excel_places_name_the_sheet(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "目标表"
    sheet.append(["2024年度项目绩效目标表"])
    for row in ROWS:
        sheet.append(row)
    book.save(tmp_path / "a.xlsx")
    places = [w for w, _ in _places(load_document(tmp_path / "a.xlsx"))]
    assert places == [
        "工作表“目标表”第 3 行",
        "工作表“目标表”第 6 行“指标值”列",
        "工作表“目标表”第 7 行“三级指标”列",
    ]


def test_column_is_named_as_the_table_writes_its_header() -> None:
    text = "\n".join(
        [
            "2024年度绩效目标表",
            "| 一级指标 | 二级指标 | 三级指标 | 年度指标值 |",
            "| 产出指标 | 数量指标 | 培训人次 | |",
        ]
    )
    assert _places(load_text(text)) == [
        ("第 1 个表格第 2 行“年度指标值”列", "指标“培训人次”的指标值为空，未导入"),
        ("第 1 个项目", "该项目没有读到任何绩效指标"),
    ]


def test_table_run_into_paragraphs_warns_at_its_paragraph() -> None:
    text = "\n".join(
        [
            "2024年度绩效目标表",
            "一级指标二级指标三级指标指标值",
            "产出指标数量指标培训人次≥300人次质量指标培训合格率≥95%",
        ]
    )
    document = load_text(text)
    rows = [(i.level2, i.level3, i.target) for i in document.projects[0].indicators]
    assert rows == [("数量指标", "培训人次", "≥300人次"), ("质量指标", "培训合格率", "≥95%")]
    assert [w for w, _ in _places(document)] == ["第 2 段"]


def test_a_heading_merged_down_the_grid_side_is_not_a_cell(tmp_path: Path) -> None:
    """绩效指标 merged down beside the grid, level cells left blank under their first row."""
    word_doc = docx.Document()
    word_doc.add_paragraph("2024年度项目支出绩效目标表")
    rows = [
        ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值"],
        ["", "产出指标", "数量指标", "培训人次", "≥300人次"],
        ["", "", "", "培训班次", "≥10期"],
        ["", "满意度指标", "服务对象满意度指标", "学员满意度", "≥90%"],
        ["", "", "", "服务对象满意度", "≥85%"],
    ]
    table = word_doc.add_table(rows=len(rows), cols=5)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    table.cell(0, 0).merge(table.cell(len(rows) - 1, 0))
    word_doc.save(str(tmp_path / "a.docx"))
    document = load_document(tmp_path / "a.docx")
    assert [(i.level2, i.level3) for i in document.projects[0].indicators] == [
        ("数量指标", "培训人次"),
        ("数量指标", "培训班次"),
        ("服务对象满意度指标", "学员满意度"),
        ("服务对象满意度指标", "服务对象满意度"),
    ]
    assert document.warnings == []
