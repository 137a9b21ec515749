"""Text copied from web pages: one cell per line, pipe tables, tables run together, long-term
beside annual columns, self-evaluation tables. Each layout is written by hand, small, and read
to its real values."""

from __future__ import annotations

from decimal import Decimal

from jixiao.core.document import Budget, ProjectResults, TargetDocument, validate_dict
from jixiao.importers import load_text

D = Decimal


def _lines(*cells: str) -> str:
    return "\n".join(cells)


def _rows(document: TargetDocument, project: int = 0) -> list[tuple[str, str, str, str]]:
    return [(i.level1, i.level2, i.level3, i.target) for i in document.projects[project].indicators]


def _load(text: str, clean: bool = True) -> TargetDocument:
    """The text read; with ``clean``, every cell was placed without a warning."""
    document = load_text(text)
    validate_dict(document.to_dict())
    if clean:
        assert document.warnings == [], document.warnings
    return document


HEADER_BLOCK = [
    "2024年度项目支出绩效目标表",
    "项目名称",
    "职业技能培训",
    "主管部门",
    "某县人力资源和社会保障局",
    "项目资金（万元）",
    "年度资金总额",
    "15",
    "其中：财政拨款",
    "12",
    "其他资金",
    "3",
    "年度目标",
    "开展职业技能培训300人次，培训合格率不低于95%",
]
ROWS = [
    ("产出指标", "数量指标", "培训人次", "≥300人次"),
    ("产出指标", "质量指标", "培训合格率", "≥95%"),
    ("效益指标", "社会效益指标", "就业率提升", "明显提升"),
    ("满意度指标", "服务对象满意度指标", "学员满意度", "≥90%"),
]
# The grid one cell per line: merged level cells appear once, at their first row.
GRID_CELLS = [
    *("一级指标", "二级指标", "三级指标", "指标值"),
    *("产出指标", "数量指标", "培训人次", "≥300人次"),
    *("质量指标", "培训合格率", "≥95%"),
    *("效益指标", "社会效益指标", "就业率提升", "明显提升"),
    *("满意度指标", "服务对象满意度指标", "学员满意度", "≥90%"),
]


def test_one_cell_per_line_gives_header_block_and_rows() -> None:
    document = _load(_lines(*HEADER_BLOCK, *GRID_CELLS))
    assert document.year == 2024
    (project,) = document.projects
    assert project.name == "职业技能培训"
    assert project.budget == Budget("万元", D("15"), D("12"), D("3"))
    assert project.goal == "开展职业技能培训300人次，培训合格率不低于95%"
    assert _rows(document) == ROWS
    assert document.warnings == []


def test_one_cell_per_line_with_blank_descriptions_and_bases_dropped() -> None:
    text = _lines(
        "2024年度项目支出绩效目标表",
        "项目名称",
        "职业技能培训",
        *("一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"),
        *("产出指标", "数量指标", "培训人次", "全年培训的人次", "≥300人次", "计划标准"),
        *("质量指标", "培训合格率", "≥95%", "行业标准"),
        *("满意度指标", "服务对象满意度指标", "学员满意度", "问卷调查的满意比例", "≥90%"),
    )
    document = _load(text)
    indicators = document.projects[0].indicators
    assert [(i.level3, i.description, i.target, i.basis) for i in indicators] == [
        ("培训人次", "全年培训的人次", "≥300人次", "计划标准"),
        ("培训合格率", None, "≥95%", "行业标准"),
        ("学员满意度", "问卷调查的满意比例", "≥90%", None),
    ]
    assert [i.level2 for i in indicators] == ["数量指标", "质量指标", "服务对象满意度指标"]


def test_two_projects_one_cell_per_line_run_together() -> None:
    second = [
        "项目名称",
        "劳动监察执法",
        "年度资金总额",
        "8万元",
        *("一级指标", "二级指标", "三级指标", "指标值"),
        *("产出指标", "数量指标", "检查用人单位户数", "≥200户"),
        *("时效指标", "案件办结及时率", "≥98%"),
    ]
    document = _load(_lines(*HEADER_BLOCK, *GRID_CELLS, *second))
    first, other = document.projects
    assert (first.name, first.budget.total) == ("职业技能培训", D("15"))
    assert _rows(document, 0) == ROWS
    assert (other.name, other.budget.total, other.budget.unit) == ("劳动监察执法", D("8"), "万元")
    assert _rows(document, 1) == [
        ("产出指标", "数量指标", "检查用人单位户数", "≥200户"),
        ("产出指标", "时效指标", "案件办结及时率", "≥98%"),
    ]


def test_self_evaluation_one_cell_per_line() -> None:
    text = _lines(
        "项目支出绩效自评表",
        "（2023年度）",
        "项目名称",
        "乡村道路养护",
        "项目资金（万元）",
        *("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"),
        *("年度资金总额", "120", "118", "106.2", "10", "90%", "9"),
        *("其中：当年财政拨款", "100", "100", "90", "—", "90%", "—"),
        *("上年结转资金", "15", "15", "14.2", "—", "94.67%", "—"),
        *("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"),
        "偏差原因分析及改进措施",
        *("产出指标", "数量指标", "养护里程", "≥120公里", "118公里", "20", "19"),
        "两条路段并入改建工程",
        *("质量指标", "优良路率", "≥80%", "82%", "20", "20"),
        *("满意度指标", "服务对象满意度指标", "沿线群众满意度", "≥90%", "92%", "50", "50"),
        *("总分", "100", "88"),
    )
    document = _load(text)
    assert document.year == 2023
    (project,) = document.projects
    assert project.budget == Budget("万元", D("120"), D("100"), None, D("15"))
    assert project.results == ProjectResults(
        executed=D("106.2"),
        execution_rate=D("90"),
        execution_points=D("10"),
        execution_score=D("9"),
        total_score=D("88"),
        full_year_budget=D("118"),
    )
    assert [
        (i.level2, i.level3, i.target, i.actual, i.points, i.score, i.explanation)
        for i in project.indicators
    ] == [
        ("数量指标", "养护里程", "≥120公里", "118公里", D("20"), D("19"), "两条路段并入改建工程"),
        ("质量指标", "优良路率", "≥80%", "82%", D("20"), D("20"), None),
        ("服务对象满意度指标", "沿线群众满意度", "≥90%", "92%", D("50"), D("50"), None),
    ]


def test_pipe_table_with_long_term_beside_annual_columns() -> None:
    text = _lines(
        "2024年度项目支出绩效目标表",
        "| 项目名称 | 城乡供水保障 | | | | |",
        "| 一级指标 | 二级指标 | 三级指标 | 中长期指标值 | 三级指标 | 年度指标值 |",
        "| 产出指标 | 数量指标 | 新建供水管网 | ≥150公里 | 新建供水管网 | ≥50公里 |",
        "| 产出指标 | 质量指标 | 水质达标率 | 100% | 水质达标率 | ≥99% |",
        "| 效益指标 | 社会效益指标 | 受益人口 | ≥30万人 | 受益人口 | ≥10万人 |",
    )
    document = _load(text)
    assert _rows(document) == [
        ("产出指标", "数量指标", "新建供水管网", "≥50公里"),
        ("产出指标", "质量指标", "水质达标率", "≥99%"),
        ("效益指标", "社会效益指标", "受益人口", "≥10万人"),
    ]


def test_pipe_cells_one_per_line_with_row_ends() -> None:
    text = _lines(
        "2024年度项目支出绩效目标表",
        "项目名称 |",
        "职业技能培训 |",
        "||",
        "一级指标 |",
        "二级指标 |",
        "三级指标 |",
        "指标值 |",
        "||",
        "产出指标 |",
        "数量指标 |",
        "培训人次 |",
        "≥300人次 |",
        "||",
        "质量指标 |",
        "培训合格率 |",
        "≥95% |",
        "||",
    )
    document = _load(text)
    assert document.projects[0].name == "职业技能培训"
    assert _rows(document) == ROWS[:2]


def test_table_run_together_without_spaces() -> None:
    text = _lines(
        "2024年度项目支出绩效目标表",
        "项目名称职业技能培训",
        "一级指标二级指标三级指标指标值产出指标数量指标培训人次≥300人次质量指标培训合格率≥95%"
        "满意度指标服务对象满意度指标学员满意度≥90%",
    )
    document = _load(text, clean=False)
    assert _rows(document) == [ROWS[0], ROWS[1], ROWS[3]]
    # Cells cut from running text are always to be checked row by row.
    assert any("请逐行核对" in w.message for w in document.warnings)


def test_two_pipe_tables_one_after_another() -> None:
    text = _lines(
        "1.职业技能培训绩效目标表",
        "| 一级指标 | 二级指标 | 三级指标 | 指标值 |",
        "| 产出指标 | 数量指标 | 培训人次 | ≥300人次 |",
        "2.劳动监察执法绩效目标表",
        "| 一级指标 | 二级指标 | 三级指标 | 指标值 |",
        "| 产出指标 | 数量指标 | 检查用人单位户数 | ≥200户 |",
    )
    document = _load(text)
    assert [p.name for p in document.projects] == ["职业技能培训", "劳动监察执法"]
    assert _rows(document, 1) == [("产出指标", "数量指标", "检查用人单位户数", "≥200户")]


def test_row_run_into_one_line_of_a_pipe_table() -> None:
    """A web page that lost the row breaks: header block, fund block and grid in one row."""
    cells = [
        *HEADER_BLOCK[1:],
        *GRID_CELLS,
    ]
    text = _lines("2024年度项目支出绩效目标表", "| " + " | ".join(cells) + " |")
    document = _load(text)
    (project,) = document.projects
    assert project.budget == Budget("万元", D("15"), D("12"), D("3"))
    assert _rows(document) == ROWS


def test_pipe_text_header_split_over_two_rows_lost_its_merges() -> None:
    """`指标值` spans 符号 | 数值 | 单位 below it; the page's text put the sub-cells first."""
    text = _lines(
        "2024年度项目支出绩效目标表",
        "| 一级指标 | 二级指标 | 指标名称 | 指标值 | 权重（%） |||",
        "| 符号 | 数值 | 单位 ||||||",
        "| 产出指标 | 数量指标 | 培训人次 | ≥ | 300 | 人次 | 60 |",
        "| 产出指标 | 质量指标 | 培训合格率 | 定性 | 合格 |  | 40 |",
    )
    document = _load(text)
    indicators = document.projects[0].indicators
    assert [(i.level3, i.target, i.weight) for i in indicators] == [
        ("培训人次", "≥300人次", D("60")),
        ("培训合格率", "合格", D("40")),
    ]


def test_word_text_header_block_rows_are_not_joined_to_the_grid_above() -> None:
    """Labels over values after a grid: each stays its own row (the seed's tab layout)."""
    grid = ["\t一级指标", "\t二级指标", "\t三级指标", "\t指标值", "", "\t产出指标", "\t数量指标"]
    grid += ["\t培训人次", "\t≥300人次", ""]
    second = ["\t项目名称", "\t劳动监察执法", ""]
    second += ["\t年度资金总额", "\t其中：财政拨款", "\t其他资金", "\t上年结转资金", ""]
    second += ["\t78", "\t74", "\t0", "\t4", ""]
    text = _lines(
        "2024年度项目支出绩效目标表", "\t项目名称", "\t职业技能培训", "", *grid, *second, *grid
    )
    document = _load(text)
    assert document.projects[1].budget == Budget(None, D("78"), D("74"), D("0"), D("4"))


def test_word_text_sub_header_under_a_header_without_merge_copies() -> None:
    """Tab text keeps blank cells but not a merge's copies: 分值 follows 指标值 at once."""
    header = ["\t一级指标", "\t二级指标", "\t三级指标", "\t指标值", "\t分值", ""]
    sub = ["\t", "\t", "\t", "\t计算符号", "\t指标值", "\t计量单位", ""]
    row = ["\t产出指标", "\t数量指标", "\t培训人次", "\t≥", "\t300", "\t人次", "\t60", ""]
    text = _lines(
        "2024年度项目支出绩效目标表", "\t项目名称", "\t职业技能培训", "", *header, *sub, *row
    )
    (indicator,) = _load(text).projects[0].indicators
    assert (indicator.target, indicator.weight) == ("≥300人次", D("60"))


def test_goal_heading_over_long_term_and_annual_goals_in_pipe_text() -> None:
    text = _lines(
        "2024年度项目支出绩效目标表",
        "| 项目名称 | 城乡供水保障 | |",
        "| 绩效目标 | 实施期目标 | 年度目标 |",
        "| 三年新建管网150公里 | 本年新建管网50公里 | |",
        "| 一级指标 | 二级指标 | 三级指标 | 指标值 |",
        "| 产出指标 | 数量指标 | 新建供水管网 | ≥50公里 |",
    )
    assert _load(text).projects[0].goal == "本年新建管网50公里"


def test_short_row_with_a_level_like_indicator_name() -> None:
    """社会公众满意度 is a level-2 name only once completed; under a merged level-2 cell the
    row's cells are the indicator, its description and its target."""
    text = _lines(
        "2024年度项目支出绩效目标表",
        "| 一级指标 | 二级指标 | 三级指标 | 绩效指标描述 | 指标值 |",
        "| 满意度指标 | 服务对象满意度指标 | 群众满意度 | 满意人数/调查人数 | ≥95% |",
        "| 社会公众满意度 | 通过问卷调查了解满意程度 | ≥90% |",
    )
    indicators = _load(text).projects[0].indicators
    assert [(i.level2, i.level3, i.description, i.target) for i in indicators] == [
        ("服务对象满意度指标", "群众满意度", "满意人数/调查人数", "≥95%"),
        ("服务对象满意度指标", "社会公众满意度", "通过问卷调查了解满意程度", "≥90%"),
    ]


def test_qualitative_target_and_weight_one_cell_per_line() -> None:
    """无负面影响 is a target, and a bare number after it in a weighted grid its weight."""
    text = _lines(
        "2024年度项目支出绩效目标表",
        *("一级指标", "二级指标", "三级指标", "指标值", "分值"),
        *("效益指标", "生态效益指标", "环境卫生改善情况", "无负面影响", "5"),
        *("资源节约利用", "有所改善", "10"),
        *("可持续影响指标", "长效管理机制", "长期", "5"),
    )
    indicators = _load(text).projects[0].indicators
    assert [(i.level2, i.level3, i.target, i.weight) for i in indicators] == [
        ("生态效益指标", "环境卫生改善情况", "无负面影响", D("5")),
        ("生态效益指标", "资源节约利用", "有所改善", D("10")),
        ("可持续影响指标", "长效管理机制", "长期", D("5")),
    ]


def test_money_unit_run_into_the_header_row_of_a_project_list() -> None:
    text = _lines(
        "某县明德小学2020年度部门预算项目绩效目标表",
        "金额单位：万元 |",
        "项目名称 |",
        "预算数 |",
        *(f"{c} |" for c in ("一级指标", "二级指标", "三级指标", "指标值")),
        "||",
        *(f"{c} |" for c in ("学前教育资助", "9.44", "产出指标", "数量指标", "资助幼儿", "≥80人")),
        "||",
    )
    document = _load(text)
    (project,) = document.projects
    assert (project.name, project.budget) == ("学前教育资助", Budget("万元", D("9.44")))
    assert document.unit is not None and document.unit.name == "某县明德小学"


def test_short_level_name_under_a_level1_group_is_its_level2() -> None:
    """`成本` (成本指标) under 产出指标: a level-1 name never comes without its level-2 name."""
    text = _lines(
        "2024年度项目支出绩效目标表",
        "| 一级指标 | 二级指标 | 三级指标 | 指标值 |",
        "| 产出 | 数量 | 救助人数 | ≥1600人 |",
        "| 成本 | 补助标准 | =120元/年 |",
        "| 成本指标 | 经济成本指标 | 预算控制率 | ≤100% |",
    )
    indicators = _load(text).projects[0].indicators
    assert [(i.level1, i.level2, i.level3) for i in indicators] == [
        ("产出指标", "数量指标", "救助人数"),
        ("产出指标", "成本指标", "补助标准"),
        ("成本指标", "经济成本指标", "预算控制率"),
    ]


def test_money_unit_line_between_projects_in_one_table() -> None:
    text = _lines(
        "2024年度项目支出绩效目标表",
        "| 项目名称 | 城乡供水保障 | | |",
        "| 一级指标 | 二级指标 | 三级指标 | 指标值 |",
        "| 产出指标 | 数量指标 | 新建供水管网 | ≥50公里 |",
        "| 金额单位：万元 | | | |",
        "| 项目名称 | 农村污水治理 | 资金总额 | 30 |",
        "| 一级指标 | 二级指标 | 三级指标 | 指标值 |",
        "| 产出指标 | 数量指标 | 治理村庄 | ≥12个 |",
    )
    document = _load(text)
    assert [(p.name, p.budget.total, p.budget.unit) for p in document.projects] == [
        ("城乡供水保障", None, None),
        ("农村污水治理", D("30"), "万元"),
    ]
