"""Smaller variants of the family met in the wild, each as pasted text."""

from __future__ import annotations

from decimal import Decimal

from jixiao.importers import load_text

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
