"""Every budget block and header layout: money lines in rows, in columns, labels over values,
long-term beside annual columns; the money unit in the label, the header or the cell; the year
from the title, a 预算年度 field or the file name."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from interp_files import GRID, GRID_ROWS, Cell, excel, word

from jixiao.core.document import Budget, TargetDocument, validate_dict
from jixiao.importers import load_document, load_text

D = Decimal
TITLE = "2024年度项目支出绩效目标表"


def _load(tmp_path: Path, fmt: str, rows: list[list[Cell]], title: str = TITLE) -> TargetDocument:
    """The rows as one table under the title, in Word or in Excel (title as the first row)."""
    if fmt == "docx":
        path = word(tmp_path / "a.docx", title, rows)
    else:
        width = max(len(r) for r in rows)
        path = excel(tmp_path / "a.xlsx", {"目标表": [[(title, 1, width)], *rows]})
    document = load_document(path)
    validate_dict(document.to_dict())
    assert document.warnings == [], document.warnings
    assert [i.level3 for i in document.projects[0].indicators] == ["培训人次", "培训合格率"]
    return document


def _budget(document: TargetDocument) -> Budget:
    (project,) = document.projects
    return project.budget


BLOCKS: dict[str, tuple[list[list[Cell]], Budget]] = {
    # One money line per row, 其中： lines below the total.
    "lines_in_rows": (
        [
            ["项目名称", ("职业技能培训", 1, 3), None, None],
            ["资金总额（万元）", ("15", 1, 3), None, None],
            ["其中：财政拨款", ("10", 1, 3), None, None],
            ["其他资金", ("3", 1, 3), None, None],
            ["上年结转", ("2", 1, 3), None, None],
            GRID,
            *GRID_ROWS,
        ],
        Budget("万元", D("15"), D("10"), D("3"), D("2")),
    ),
    # Label and value pairs side by side; 当年 forms; unit in the header row.
    "pairs_in_a_row": (
        [
            ["项目名称", "职业技能培训", "单位：元", ""],
            ["当年资金总额", "150000.00", "当年财政拨款", "120000.00"],
            ["其他资金", "10000", "上年结转资金", "20,000.00"],
            GRID,
            *GRID_ROWS,
        ],
        Budget("元", D("150000.00"), D("120000.00"), D("10000"), D("20000.00")),
    ),
    # The national template: a heading merged down over the money lines.
    "national_heading_down": (
        [
            ["项目名称", ("职业技能培训", 1, 3), None, None],
            [("项目资金（万元）", 3, 1), "年度资金总额：", ("15", 1, 2), None],
            [None, "其中：财政拨款", ("12", 1, 2), None],
            [None, "其他资金", ("3", 1, 2), None],
            GRID,
            *GRID_ROWS,
        ],
        Budget("万元", D("15"), D("12"), D("3"), None),
    ),
    # Long-term and annual amounts side by side: the annual column is the year's budget.
    "long_term_beside_annual": (
        [
            ["项目名称", ("职业技能培训", 1, 3), None, None],
            [("项目资金（万元）", 4, 1), "", "中期资金总额", "年度资金总额"],
            [None, "资金总额", "100", "15"],
            [None, "其中：财政拨款", "80", "12"],
            [None, "其他资金", "20", "3"],
            GRID,
            *GRID_ROWS,
        ],
        Budget("万元", D("15"), D("12"), D("3"), None),
    ),
    # A row of labels over a row of values; the unit in the first label.
    "labels_over_values": (
        [
            ["项目名称", ("职业技能培训", 1, 3), None, None],
            ["资金总额（万元）", "其中：财政拨款", "其他资金", "上年结转"],
            ["15", "10", "3", "2"],
            GRID,
            *GRID_ROWS,
        ],
        Budget("万元", D("15"), D("10"), D("3"), D("2")),
    ),
    # Label and value in one cell, the unit in the value.
    "label_and_value_in_one_cell": (
        [
            [("项目名称：职业技能培训", 1, 4), None, None, None],
            [("资金总额：15万元", 1, 2), None, ("其中：财政拨款：15万元", 1, 2), None],
            GRID,
            *GRID_ROWS,
        ],
        Budget("万元", D("15"), D("15"), None, None),
    ),
}


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
@pytest.mark.parametrize("name", list(BLOCKS))
def test_budget_block_layout_reads_every_amount(tmp_path: Path, name: str, fmt: str) -> None:
    rows, expected = BLOCKS[name]
    document = _load(tmp_path, fmt, rows)
    assert _budget(document) == expected
    assert document.projects[0].name == "职业技能培训"
    assert document.year == 2024


def test_excel_number_cells_are_amounts(tmp_path: Path) -> None:
    rows: list[list[Cell]] = [
        ["项目名称", ("职业技能培训", 1, 3), None, None],
        ["资金总额", 15.5, "财政拨款", 15.5],
        GRID,
        *GRID_ROWS,
    ]
    path = excel(tmp_path / "a.xlsx", {"目标表": [["金额单位：万元"], *rows]})
    document = load_document(path)
    assert _budget(document) == Budget("万元", D("15.5"), D("15.5"), None, None)


def test_money_unit_in_the_title_paragraph(tmp_path: Path) -> None:
    rows: list[list[Cell]] = [
        ["项目名称", "职业技能培训", "资金总额", "15"],
        GRID,
        *GRID_ROWS,
    ]
    path = word(tmp_path / "a.docx", "2024年度项目支出绩效目标表（单位：万元）", rows)
    assert _budget(load_document(path)) == Budget("万元", D("15"), None, None, None)


@pytest.mark.parametrize(
    ("title", "name", "year"),
    [
        ("项目支出绩效目标表（2024年度）", "a.docx", 2024),
        ("２０２４年度项目支出绩效目标表", "a.docx", 2024),
        ("二〇二四年度项目支出绩效目标表", "a.docx", 2024),
        ("二○二三年项目支出绩效目标表", "a.docx", 2023),
        ("项目支出绩效目标表", "某局2022年绩效目标.docx", 2022),
        ("2023-2025年中期绩效目标表（2023年度）", "a.docx", 2023),
    ],
)
def test_year_from_title_or_file_name(tmp_path: Path, title: str, name: str, year: int) -> None:
    path = word(tmp_path / name, title, [GRID, *GRID_ROWS])
    assert load_document(path).year == year


def test_year_only_in_an_excel_title_row(tmp_path: Path) -> None:
    rows: list[list[Cell]] = [
        [("XX县卫生健康局2025年项目支出绩效目标表", 1, 4), None, None, None],
        ["项目名称", ("职业技能培训", 1, 3), None, None],
        GRID,
        *GRID_ROWS,
    ]
    path = excel(tmp_path / "目标表.xlsx", {"Sheet1": rows})
    assert load_document(path).year == 2025


@pytest.mark.parametrize("cell", [["预算年度", "2024"], ["预算年度：2024年"], ["年度", "2024年"]])
def test_year_from_a_header_field(tmp_path: Path, cell: list[Cell]) -> None:
    rows: list[list[Cell]] = [
        [*cell, "项目名称", "职业技能培训"][:4],
        GRID,
        *GRID_ROWS,
    ]
    path = excel(tmp_path / "目标表.xlsx", {"Sheet1": rows})
    assert load_document(path).year == 2024


def test_budget_block_in_pasted_pipe_text() -> None:
    text = "\n".join(
        [
            "2024年度项目支出绩效目标表",
            "| 项目名称 | 职业技能培训 | | |",
            "| 项目资金（万元） | | 中期资金总额 | 年度资金总额 |",
            "| | 资金总额 | 60 | 20 |",
            "| | 其中：财政拨款 | 50 | 18 |",
            "| | 上年结转 | 10 | 2 |",
            "| 一级指标 | 二级指标 | 三级指标 | 指标值 |",
            "| 产出指标 | 数量指标 | 培训人次 | ≥300人次 |",
        ]
    )
    document = load_text(text)
    assert _budget(document) == Budget("万元", D("20"), D("18"), None, D("2"))


def test_year_from_the_sheet_name_and_money_unit_from_the_file_name(tmp_path: Path) -> None:
    rows: list[list[Cell]] = [
        ["项目名称", "职业技能培训", "资金总额", "15"],
        GRID,
        *GRID_ROWS,
    ]
    path = excel(tmp_path / "绩效目标（万元）.xlsx", {"2024年目标表": rows})
    document = load_document(path)
    assert document.year == 2024
    assert _budget(document) == Budget("万元", D("15"), None, None, None)


def test_unit_field_drops_the_seal_note_and_amounts_their_currency_sign(tmp_path: Path) -> None:
    rows: list[list[Cell]] = [
        [("填报单位（盖章）：某县人力资源和社会保障局", 1, 2), None, "单位：元", ""],
        ["项目名称", "职业技能培训", "资金总额", "¥150,000.00"],
        GRID,
        *GRID_ROWS,
    ]
    document = _load(tmp_path, "docx", rows)
    assert document.unit is not None
    assert (document.unit.code, document.unit.name) == (None, "某县人力资源和社会保障局")
    assert _budget(document) == Budget("元", D("150000.00"), None, None, None)


def test_a_blank_form_field_is_no_unit_name(tmp_path: Path) -> None:
    rows: list[list[Cell]] = [
        [("填报单位（盖章）： 单位：万元", 1, 4), None, None, None],
        ["项目名称", "职业技能培训", "资金总额", "15"],
        GRID,
        *GRID_ROWS,
    ]
    document = _load(tmp_path, "docx", rows)
    assert document.unit is None
    assert _budget(document).unit == "万元"


def test_a_unit_field_holding_another_field_is_no_unit_name(tmp_path: Path) -> None:
    rows: list[list[Cell]] = [
        [("填报单位（盖章）： 单位负责人：张三", 1, 4), None, None, None],
        ["项目名称", "职业技能培训", "资金总额", "15"],
        GRID,
        *GRID_ROWS,
    ]
    assert _load(tmp_path, "docx", rows).unit is None


def test_unit_named_in_the_title_before_the_year(tmp_path: Path) -> None:
    path = word(
        tmp_path / "a.docx",
        "中共某县委网络安全和信息化委员会办公室2022年度项目支出绩效目标表",
        [["项目名称", "网络安全经费", "资金总额", "6.73"], GRID, *GRID_ROWS],
    )
    document = load_document(path)
    assert document.unit is not None
    assert (document.unit.code, document.unit.name) == (
        None,
        "中共某县委网络安全和信息化委员会办公室",
    )
    assert document.year == 2022


def test_title_without_an_organisation_names_no_unit(tmp_path: Path) -> None:
    path = word(tmp_path / "a.docx", "网络安全2022年度项目支出绩效目标表", [GRID, *GRID_ROWS])
    assert load_document(path).unit is None


def test_spending_plan_months_written_as_deadlines(tmp_path: Path) -> None:
    rows: list[list[Cell]] = [
        ["项目名称", "职业技能培训", "", "", ""],
        ["用款计划", "6月底", "9月底前", "11月前", "12月"],
        ["", "15.00%", "20%", "60%", "100%"],
        [*GRID, ""],
        *[[*r, ""] for r in GRID_ROWS],
    ]
    document = _load(tmp_path, "docx", rows)
    plan = [(c.month, c.percent) for c in document.projects[0].spending_plan]
    assert plan == [(6, D("15.00")), (9, D("20")), (11, D("60")), (12, D("100"))]


def test_flat_project_list_takes_the_money_unit_from_the_budget_column(tmp_path: Path) -> None:
    rows: list[list[Cell]] = [
        ["项目名称", "预算数（万元）", *GRID],
        ["高中助学金", "167.71", *GRID_ROWS[0]],
        ["校舍维修", "20", *GRID_ROWS[1]],
    ]
    document = load_document(excel(tmp_path / "2019年项目.xlsx", {"Sheet1": rows}))
    assert [(p.name, p.budget) for p in document.projects] == [
        ("高中助学金", Budget("万元", D("167.71"))),
        ("校舍维修", Budget("万元", D("20"))),
    ]


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_unit_from_a_department_cell_beside_the_money_unit(tmp_path: Path, fmt: str) -> None:
    rows: list[list[Cell]] = [
        [("部门：某县交通运输局", 1, 2), None, ("单位：元", 1, 2), None],
        ["项目名称", "农村公路养护", "预算数", "2,550,600.00"],
        GRID,
        *GRID_ROWS,
    ]
    document = _load(tmp_path, fmt, rows)
    assert document.unit is not None and document.unit.name == "某县交通运输局"
    assert _budget(document) == Budget("元", D("2550600.00"), None, None, None)


def test_a_unit_line_in_one_table_starts_the_next_project(tmp_path: Path) -> None:
    rows: list[list[Cell]] = [
        [("预算单位：某县文化和旅游局", 1, 2), None, ("金额单位：万元", 1, 2), None],
        ["项目名称", "文物保护", "资金总额", "10"],
        GRID,
        GRID_ROWS[0],
        [("预算单位：某县文化和旅游局", 1, 2), None, ("金额单位：万元", 1, 2), None],
        ["项目名称", "公共文化服务", "资金总额", "20"],
        GRID,
        GRID_ROWS[1],
    ]
    path = word(tmp_path / "a.docx", TITLE, rows)
    document = load_document(path)
    assert [(p.name, p.budget.total, len(p.indicators)) for p in document.projects] == [
        ("文物保护", D("10"), 1),
        ("公共文化服务", D("20"), 1),
    ]
    assert document.warnings == []


def test_money_labels_without_any_amount_read_warn(tmp_path: Path) -> None:
    """Nothing is guessed: a budget block whose amounts cannot be placed says so."""
    rows: list[list[Cell]] = [
        ["项目名称", ("职业技能培训", 1, 3), None, None],
        ["资金总额（万元）", "财政资金（万元）", "其他资金", ""],
        ["中央", "省级", "市级", "本级"],
        GRID,
        *GRID_ROWS,
    ]
    document = load_document(word(tmp_path / "a.docx", TITLE, rows))
    assert _budget(document) == Budget("万元", None, None, None, None)
    assert [(w.where, w.message) for w in document.warnings] == [
        ("第 1 个表格第 2 行", "无法读取金额“中央”"),
        ("第 1 个表格第 2 行", "无法读取金额“省级”"),
        ("第 1 个表格第 2 行", "无法读取金额“市级”"),
    ]


def test_money_label_with_no_amount_anywhere_warns() -> None:
    text = "\n".join(
        [
            "2024年度项目支出绩效目标表",
            "| 项目名称 | 职业技能培训 | | |",
            "| 专项资金情况 | 本年度预计投入（万元） | 财政资金（万元） | 其他 |",
            "| 一级指标 | 二级指标 | 三级指标 | 指标值 |",
            "| 产出指标 | 数量指标 | 培训人次 | ≥300人次 |",
        ]
    )
    document = load_text(text)
    assert _budget(document) == Budget("万元", None, None, None, None)
    assert [(w.where, w.message) for w in document.warnings] == [
        ("第 1 个表格第 2 行", "表中有资金栏目，但没有读到任何金额，请核对预算数"),
    ]
