"""Real published documents (web-page texts, some cut short or garbled) import as far as they go.

Every complete indicator row comes out with the values a person reads in the text; what cannot
be read is a warning with its place, never a crash. Files with no readable three-level grid are
refused with a Chinese message naming the file.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from jixiao.core.document import validate_dict
from jixiao.importers import ImportFailure, load_document

CORPUS = Path(__file__).parents[1] / "fixtures" / "corpus"

# (level1, level2, level3, target as written, op, value, unit), in document order.
EXPECTED: dict[str, list[tuple[str, str, str, str, str | None, str | None, str | None]]] = {
    "02_xiangtan_sanitation_target_2023.txt": [
        ("产出指标", "数量指标", "雾炮车降尘抑尘服务配备车辆数", "10辆", "=", "10", "辆"),
        ("产出指标", "数量指标", "雾炮车风炮射程", "≥80M", ">=", "80", "M"),
        ("产出指标", "质量指标", "服务周期内空气质量", "优良", None, None, None),
        ("产出指标", "时效指标", "服务周期", "2023.07-2024.01", None, "2024-01-31", None),
        ("产出指标", "成本指标", "控制在预算成本内", "250万", "=", "250", "万"),
        (
            "效益指标",
            "社会效益指标",
            "服务周期内,市民对空气质量改善的满意程度",
            "≥85%",
            ">=",
            "85",
            "%",
        ),
        ("效益指标", "社会公众或服务对象满意度指标", "市民满意度", "≥90%", ">=", "90", "%"),
    ],
    "04_anhui_chizhou_tangxi_selfeval_2022.txt": [
        ("产出指标", "数量指标", "基建工程委托业务项目数量", "≥50个", ">=", "50", "个"),
        ("产出指标", "质量指标", "委托业务报告合格率", "≥100百分比", ">=", "100", "%"),
        ("产出指标", "质量指标", "经费支出合规性", "严格执行相关制度规定", None, None, None),
        ("产出指标", "时效指标", "提交报告及时性", "在项目计划完成时间内完成", None, None, None),
        ("产出指标", "成本指标", "项目总成本", "≤90万元", "<=", "90", "万元"),
        ("产出指标", "成本指标", "单项业务成本", "符合相关规定", None, None, None),
        ("效益指标", "社会效益指标", "对维护基建市场公平的影响程度", "效果明显", None, None, None),
        ("效益指标", "生态效益指标", "对控制基建项目成本影响程度", "效果明显", None, None, None),
        (
            "效益指标",
            "可持续影响指标",
            "对推动基建项目“四项制度”健全和落实的持续性影响",
            "效果明显",
            None,
            None,
            None,
        ),
    ],
    "05_hubei_huangshi_heritage_monitor_2019.txt": [],
    "08_hunan_hengshan_grain_selfeval_2020.txt": [
        ("产出指标", "数量指标", "5000吨稻谷、500吨成品粮储备到位率", "100%", "=", "100", "%"),
        ("产出指标", "数量指标", "库存数量真实率", "100%", "=", "100", "%"),
        ("产出指标", "质量指标", "县级储备粮管理制度严格执行率", "100%", "=", "100", "%"),
        ("产出指标", "质量指标", "储备粮管理专户管理率", "100%", "=", "100", "%"),
        ("产出指标", "时效指标", "县级储备粮贷款付息及时率", "100%", "=", "100", "%"),
        ("产出指标", "时效指标", "县级储备粮应急保障率", "100%", "=", "100", "%"),
        ("产出指标", "成本指标", "国家政策性粮收购价格执行率", "100%", "=", "100", "%"),
        ("产出指标", "成本指标", "县级储备粮库存成本核算率", "100%", "=", "100", "%"),
        ("效益指标", "经济效益指标", "利息费用保障率", "100%", "=", "100", "%"),
        ("效益指标", "经济效益指标", "政策性挂账利息补贴保障率", "100%", "=", "100", "%"),
        ("效益指标", "生态效益指标", "低温、低氧、低剂量科学保粮率", "100%", "=", "100", "%"),
        ("效益指标", "生态效益指标", "食品安全指标达标率", "100%", "=", "100", "%"),
        (
            "满意度指标",
            "服务对象满意度指标",
            "因粮食市场波动引起的粮食安全事件发生数",
            "0起",
            "=",
            "0",
            "起",
        ),
        ("满意度指标", "服务对象满意度指标", "市民满意度调查", "290%", "=", "290", "%"),
    ],
    "09_sichuan_jingyan_mata_target_2023_yuan.txt": [
        ("效益指标", "社会效益指标", "维护社会稳定", "≥95%", ">=", "95", "%"),
        ("产出指标", "时效指标", "维持时效", "≥1年", ">=", "1", "年"),
        ("产出指标", "质量指标", "按时发放", "≥1人/年", ">=", "1", "人/年"),
        ("效益指标", "经济效益指标", "促进村集体经济发展", "≥95%", ">=", "95", "%"),
        ("产出指标", "数量指标", "村组干部230人", "≥230个", ">=", "230", "个"),
        ("效益指标", "生态效益指标", "保护生态环境卫生", "≥95%", ">=", "95", "%"),
        ("效益指标", "可持续影响指标", "项目维持时效", "≥95%", ">=", "95", "%"),
        ("满意度指标", "服务对象满意度指标", "人民群众满意度", "≥95%", ">=", "95", "%"),
        ("满意度指标", "服务对象满意度指标", "辖区内群众满意度", "≥95%", ">=", "95", "%"),
        ("效益指标", "经济效益指标", "促进农村集体经济发展", "≥95%", ">=", "95", "%"),
        ("效益指标", "可持续影响指标", "经济、环境等方面可持续发展", "≥95%", ">=", "95", "%"),
        ("产出指标", "质量指标", "保障村社区正常运转", "≥95%", ">=", "95", "%"),
        ("产出指标", "数量指标", "行政村数量", "=11个", "=", "11", "个"),
    ],
    "10_fujian_ningde_difangzhi_deptoverall_2019.txt": [
        ("产出指标", "数量指标", "志鉴地情相关工作开展所需资金的供应时效", "100%", "=", "100", "%"),
        ("产出指标", "数量指标", "确保日常工作正常运行", "100%", "=", "100", "%"),
        (
            "产出指标",
            "数量指标",
            "按年度发放绩效奖、文明奖、综治平安奖、应休未休补贴",
            "≥60%",
            ">=",
            "60",
            "%",
        ),
        (
            "产出指标",
            "质量指标",
            "调研、督促、指导志、鉴、地情编纂的县(市、区)的覆盖率",
            "1",
            "=",
            "1",
            None,
        ),
        ("产出指标", "质量指标", "各类书籍审稿率", "1", "=", "1", None),
        ("产出指标", "时效指标", "项目完成时间", "100%", "=", "100", "%"),
    ],
    "13_anhui_mengcheng_phs_target_2024_pdf.txt": [
        ("产出指标", "数量指标", "适龄儿童国家免疫规划疫苗接种率", "≧90%", ">=", "90", "%"),
        ("产出指标", "数量指标", "7 岁以下儿童健康管理率", "≧85%", ">=", "85", "%"),
    ],
    "14_yunnan_yongde_mingliang_school_selfeval_2022_yuan.txt": [
        ("产出指标", "数量指标", "学生受资助人数", "≧735人次", ">=", "735", "人次"),
        ("产出指标", "质量指标", "营养改善计划覆盖率", "≧100%", ">=", "100", "%"),
        ("产出指标", "时效指标", "资金到位及时率", "≧100%", ">=", "100", "%"),
        ("产出指标", "成本指标", "生均补助标准达标率", "═100%", "=", "100", "%"),
        ("效益指标", "社会效益指标", "政策知晓率", "═100%", "=", "100", "%"),
        ("效益指标", "可持续影响指标", "促进学校教育事业健康发展", "≧100%", ">=", "100", "%"),
        ("满意度指标", "服务对象满意度指标等", "学生满意度", "≧95%", ">=", "95", "%"),
        ("满意度指标", "服务对象满意度指标等", "家长满意度", "≧95%", ">=", "95", "%"),
    ],
    "16_hunan_nanyue_yulu_target_2023.txt": [
        ("产出指标", "数量指标", "年度申请就学补助户数", ">=101人/次", ">=", "101", "人/次"),
        ("产出指标", "质量指标", "逾期发放率", ">=100%", ">=", "100", "%"),
        ("产出指标", "时效指标", "就学补助及时发放率", ">=100%", ">=", "100", "%"),
        ("产出指标", "成本指标", "补助标准", "15", "=", "15", None),
    ],
    "18_gansu_jiayuguan_museum_target_2023_ocr.txt": [
        ("产出指标", "数量指标", "免费开放天数", "=300天", "=", "300", "天"),
        ("产出指标", "质量指标", "博物馆绩效考核指标完成率", "=100百分比", "=", "100", "%"),
        ("产出指标", "时效指标", "各项工作完成及时率", "=99百分比", "=", "99", "%"),
        ("成本指标", "经济成本指标", "资金使用效率", "二100百分比", "=", "100", "%"),
        ("效益指标", "社会效益指标", "免费开放接待观众人数", "=30000人次", "=", "30000", "人次"),
    ],
    "20_guangdong_dongguan_road_target_approval_2019.txt": [
        ("预期产出指标", "数量指标", "镇街补助款完成结算项目数", "3", "=", "3", None),
        ("预期产出指标", "质量指标", "补助款结算误差率", "±3%以内", "<=", "3", "%"),
        ("预期产出指标", "时效指标", "结算款支付及时性", "及时", None, None, None),
        ("预期产出指标", "预算控制指标", "年度预算执行率", "≥90%", ">=", "90", "%"),
        ("效果指标", "社会、经济、生态效益指标", "补助款结算争议率", "0%", "=", "0", "%"),
    ],
}

REFUSED = [
    "06_hubei_ezhou_jiguan_target_2022.txt",  # two-level grid run together, no 三级指标 column
    "12_shanxi_jishan_phs_selfeval_2021_xlsx.txt",  # columns scrambled by the page's extraction
    "17_hebei_ningjin_highschool_aid_evalindicators_2019.txt",  # an evaluation table, no levels
]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_document_rows_come_out_as_written(name: str) -> None:
    doc = load_document(CORPUS / name)
    rows = [
        (i.level1, i.level2, i.level3, i.target, i.parsed.op, i.parsed.value, i.parsed.unit)
        for p in doc.projects
        for i in p.indicators
    ]
    assert rows == EXPECTED[name]
    validate_dict(doc.to_dict())


@pytest.mark.parametrize("name", REFUSED)
def test_document_without_readable_grid_is_refused_in_chinese(name: str) -> None:
    with pytest.raises(ImportFailure, match=f"{name} 中没有找到绩效指标表"):
        load_document(CORPUS / name)


def test_every_corpus_file_is_accounted_for() -> None:
    names = {p.name for p in CORPUS.glob("[0-9]*.txt")}
    assert names == set(EXPECTED) | set(REFUSED)


def test_cut_off_text_warns_at_the_last_row() -> None:
    doc = load_document(CORPUS / "16_hunan_nanyue_yulu_target_2023.txt")
    assert ("第 1 个表格第 22 行", "文本在这一行中断，这一行的内容可能不完整，请核对") in [
        (w.where, w.message) for w in doc.warnings
    ]


def test_incomplete_row_is_a_warning_with_its_place() -> None:
    doc = load_document(CORPUS / "20_guangdong_dongguan_road_target_approval_2019.txt")
    messages = {w.where: w.message for w in doc.warnings}
    assert (
        messages["第 1 个表格第 13 行“计划指标值(或计划水平)”列"]
        == "指标“实现建设总目标控制程度”的指标值为空，未导入"
    )


def test_ocr_two_for_greater_or_equal_is_flagged() -> None:
    doc = load_document(CORPUS / "08_hunan_hengshan_grain_selfeval_2020.txt")
    assert any("290%" in w.message and "≥90%" in w.message for w in doc.warnings)


def test_flat_list_table_gives_one_project_per_name_with_money_in_yuan() -> None:
    doc = load_document(CORPUS / "09_sichuan_jingyan_mata_target_2023_yuan.txt")
    assert doc.year == 2023
    assert (doc.unit.code, doc.unit.name) == ("820001", "井研县马踏镇人民政府")  # type: ignore[union-attr]
    first, second = doc.projects
    assert (first.name, first.budget.unit, first.budget.total) == (
        "村组干部报酬",
        "元",
        Decimal("3309840.00"),
    )
    assert first.goal == "按时发放村组干部报酬"
    assert [i.weight for i in first.indicators] == [
        Decimal(w) for w in ["10", "20", "10", "10", "10", "10", "10", "10"]
    ]
    assert (second.name, second.budget.total) == ("基层组织活动经费", Decimal("660000.00"))
    assert len(second.indicators) == 5


def test_self_evaluation_points_are_read_as_weights() -> None:
    doc = load_document(CORPUS / "04_anhui_chizhou_tangxi_selfeval_2022.txt")
    weights = [i.weight for i in doc.projects[0].indicators]
    assert weights == [Decimal(w) for w in ["8", "8", "8", "8", "8", "10", "10", "10", "10"]]


def test_header_block_gives_project_name_and_money_with_unit() -> None:
    doc = load_document(CORPUS / "13_anhui_mengcheng_phs_target_2024_pdf.txt")
    (project,) = doc.projects
    assert project.name == "国家基本公共卫生服务项目"
    assert (project.budget.total, project.budget.fiscal, project.budget.unit) == (
        Decimal("2279.048"),
        Decimal("2279.048"),
        "万元",
    )
    assert doc.year == 2024


def test_self_evaluation_text_gives_actuals_points_and_scores() -> None:
    doc = load_document(CORPUS / "04_anhui_chizhou_tangxi_selfeval_2022.txt")
    (project,) = doc.projects
    # The header block runs into the same line as the grid: read from the stream of cells.
    assert project.name == "委托业务项目"
    assert doc.unit is not None and doc.unit.code == "219001"
    assert project.budget.unit == "万元"
    assert project.results is not None and project.results.execution_points == Decimal("10")
    assert [(i.actual, i.points, i.score) for i in project.indicators[:3]] == [
        ("50", Decimal("8"), Decimal("8")),
        ("100", Decimal("8"), Decimal("8")),
        ("达成预期指标", Decimal("8"), Decimal("8")),
    ]


def test_self_evaluation_pipe_text_gives_scores_and_total() -> None:
    doc = load_document(CORPUS / "14_yunnan_yongde_mingliang_school_selfeval_2022_yuan.txt")
    (project,) = doc.projects
    assert [i.actual for i in project.indicators] == [
        "735", "100%", "100%", "100%", "98%", "100%", "100%", "100%",
    ]  # fmt: skip
    assert [i.score for i in project.indicators] == [
        Decimal(s) for s in ["10", "10", "7", "10", "9", "10", "10", "10"]
    ]
    assert project.results is not None and project.results.total_score == Decimal("96")
