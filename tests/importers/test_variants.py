"""Smaller variants of the family met in the wild, each as pasted text."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import docx
import openpyxl

from jixiao.importers import load_document, load_text

TRADITIONAL = """2021年度項目支出績效目標表
| 項目名稱 | 網絡安全經費 | 項目編碼 | 130001 |
| 預算數 | 15.00 | 其中：財政資金 | 15.00 | 其他資金 | 0 |
| 一級指標 | 二級指標 | 三級指標 | 指標值 | 指標值確定依據 |
| 產出指標 | 數量指標 | 指標1：輿情監測預警數 | ≥200條 | 計劃標準 |
| | 質量指標 | 指標2：處置率 | 100％ | 計劃標準 |
| 滿意度指標 | 服務對象滿意度指標 | 滿意度 | ≥90％ | 調查問卷 |
"""


def test_traditional_characters_are_read_with_simplified_level_names() -> None:
    doc = load_text(TRADITIONAL)

    (project,) = doc.projects
    assert (project.code, project.name, project.budget.total) == (
        "130001",
        "網絡安全經費",
        Decimal("15.00"),
    )
    rows = [(i.level1, i.level2, i.level3, i.target, i.basis) for i in project.indicators]
    assert rows == [
        ("产出指标", "数量指标", "輿情監測預警數", "≥200條", "計劃標準"),
        ("产出指标", "质量指标", "處置率", "100％", "計劃標準"),
        ("满意度指标", "服务对象满意度指标", "滿意度", "≥90％", "調查問卷"),
    ]
    assert [i.parsed.unit for i in project.indicators] == ["条", "%", "%"]
    assert doc.warnings == []


NATIONAL_TEMPLATE = """项目支出绩效目标申报表
（2022年度）
| 项目名称 | 基层组织运转经费 |
| 主管部门及代码 | 101-某县委组织部 | 实施单位 | 101001-某县委组织部本级 |
| 项目资金（万元） | 年度资金总额： | 120 |
| | 其中：财政拨款 | 100 |
| | 其他资金 | 20 |
| 年度总体目标 | 保障全县村级组织正常运转。 |
| 绩效指标 | 一级指标 | 二级指标 | 三级指标 | 指标值 |
| | 产出指标 | 数量指标 | 指标1：保障村级组织数 | ≥211个 |
| | | 时效指标 | 指标1：资金拨付时间 | 2022年6月底前 |
| | 效益指标 | 社会效益指标 | 指标1：基层组织运转情况 | 正常 |
| | 满意度指标 | 服务对象满意度指标 | 指标1：村干部满意度 | ≥95% |
"""


def test_national_template_with_numbered_rows_and_a_left_label_column() -> None:
    doc = load_text(NATIONAL_TEMPLATE)

    assert doc.year == 2022
    assert doc.unit is not None and (doc.unit.code, doc.unit.name) == ("101001", "某县委组织部本级")
    (project,) = doc.projects
    assert (project.name, project.goal) == ("基层组织运转经费", "保障全县村级组织正常运转。")
    assert (
        project.budget.unit,
        project.budget.total,
        project.budget.fiscal,
        project.budget.other,
    ) == (
        "万元",
        Decimal("120"),
        Decimal("100"),
        Decimal("20"),
    )
    rows = [(i.level1, i.level2, i.level3, i.target) for i in project.indicators]
    assert rows == [
        ("产出指标", "数量指标", "保障村级组织数", "≥211个"),
        ("产出指标", "时效指标", "资金拨付时间", "2022年6月底前"),
        ("效益指标", "社会效益指标", "基层组织运转情况", "正常"),
        ("满意度指标", "服务对象满意度指标", "村干部满意度", "≥95%"),
    ]
    assert project.indicators[1].parsed.value == "2022-06-30"
    assert doc.warnings == []


def _national_docx(path: Path) -> Path:
    """The national template in Word: labels merged down, a 绩效指标 column over the grid."""
    d = docx.Document()
    d.add_paragraph("项目支出绩效目标申报表")
    d.add_paragraph("（2022年度）")
    t = d.add_table(rows=12, cols=6)
    t.style = "Table Grid"

    def put(r: int, c: int, text: str, to: int | None = None) -> None:
        cell = t.cell(r, c) if to is None else t.cell(r, c).merge(t.cell(r, to))
        cell.text = text

    put(0, 0, "项目名称")
    put(0, 1, "基层组织运转经费", to=5)
    put(1, 0, "主管部门及代码")
    put(1, 1, "101-某县委组织部", to=2)
    put(1, 3, "实施单位")
    put(1, 4, "101001-某县委组织部本级", to=5)
    t.cell(2, 0).merge(t.cell(4, 0)).text = "项目资金（万元）"
    for r, (label, amount) in enumerate(
        [("年度资金总额：", "120"), ("其中：财政拨款", "100"), ("其他资金", "20")], start=2
    ):
        put(r, 1, label)
        put(r, 2, amount, to=5)
    put(5, 0, "年度总体目标")
    put(5, 1, "保障全县村级组织正常运转。", to=5)
    t.cell(6, 0).merge(t.cell(11, 0)).text = "绩效指标"
    for c, header in enumerate(["一级指标", "二级指标", "三级指标"], start=1):
        put(6, c, header)
    put(6, 4, "指标值", to=5)
    rows = [
        ("产出指标", "数量指标", "指标1：保障村级组织数", "≥211个"),
        ("产出指标", "时效指标", "指标1：资金拨付时间", "2022年6月底前"),
        ("产出指标", "成本指标", "指标1：村均经费", "≤5.7万元"),
        ("效益指标", "社会效益\n指标", "指标1：基层组织运转情况", "正常"),
        ("满意度指标", "服务对象满意度指标", "指标1：村干部满意度", "≥95%"),
    ]
    for r, (l1, l2, l3, target) in enumerate(rows, start=7):
        put(r, 1, l1)
        put(r, 2, l2)
        put(r, 3, l3)
        put(r, 4, target, to=5)
    t.cell(7, 1).merge(t.cell(9, 1)).text = "产出指标"
    d.add_paragraph("")
    d.save(str(path))
    return path


def test_national_template_in_word_with_merged_labels(tmp_path: Path) -> None:
    doc = load_document(_national_docx(tmp_path / "申报表.docx"))

    assert doc.year == 2022
    assert doc.unit is not None and doc.unit.code == "101001"
    (project,) = doc.projects
    assert (project.budget.unit, project.budget.total, project.budget.fiscal) == (
        "万元",
        Decimal("120"),
        Decimal("100"),
    )
    rows = [(i.level1, i.level2, i.level3, i.target) for i in project.indicators]
    assert rows == [
        ("产出指标", "数量指标", "保障村级组织数", "≥211个"),
        ("产出指标", "时效指标", "资金拨付时间", "2022年6月底前"),
        ("产出指标", "成本指标", "村均经费", "≤5.7万元"),
        ("效益指标", "社会效益指标", "基层组织运转情况", "正常"),
        ("满意度指标", "服务对象满意度指标", "村干部满意度", "≥95%"),
    ]
    assert doc.warnings == []


def test_flat_sheet_with_value_and_unit_columns_and_fractions(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2023年部门预算项目绩效目标表"])
    ws.merge_cells("A1:H1")
    ws.append(["金额单位：元"])
    ws.append(
        ["项目名称", "项目编码", "预算数", "一级指标", "二级指标", "三级指标", "指标值", "计量单位"]
    )
    ws.append(["13032221C2GKIBLPDEWRQ-网络安全和信息化经费", None, 150000, "产出指标", "数量指标",
               "舆情监测预警、研判分析数", 200, "条"])  # fmt: skip
    ws.append([None, None, None, None, "质量指标", "网络舆情处置率", 1, "%"])
    ws.append([None, None, None, "满意度指标", "服务对象满意度指标", "服务对象满意度", 0.9, "%"])
    for ref in ("A4:A6", "C4:C6", "D4:D5"):
        ws.merge_cells(ref)
    ws["G5"].number_format = ws["G6"].number_format = "0%"
    ws["C4"].number_format = "#,##0.00"
    path = tmp_path / "目标表.xlsx"
    wb.save(path)

    doc = load_document(path)

    (project,) = doc.projects
    assert (project.code, project.name) == ("13032221C2GKIBLPDEWRQ", "网络安全和信息化经费")
    assert (project.budget.unit, project.budget.total) == ("元", Decimal("150000.00"))
    targets = [
        (i.level1, i.level3, i.target, i.parsed.value, i.parsed.unit) for i in project.indicators
    ]
    assert targets == [
        ("产出指标", "舆情监测预警、研判分析数", "200条", "200", "条"),
        ("产出指标", "网络舆情处置率", "100%", "100", "%"),
        ("满意度指标", "服务对象满意度", "90%", "90", "%"),
    ]
    assert doc.warnings == []
