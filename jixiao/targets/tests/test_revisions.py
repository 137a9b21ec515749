"""revision_diff is plain Python (jixiao.core.revisions): no database here."""

from __future__ import annotations

import copy
from decimal import Decimal

from jixiao.core.document import Checkpoint
from jixiao.core.revisions import describe_change, indicator_identities, revision_diff


def test_indicator_identity_counts_repeated_triples_in_order():
    triples = [("产出", "数量", "A"), ("产出", "质量", "A"), ("产出", "数量", "A")]

    assert indicator_identities(triples) == [
        (("产出", "数量", "A"), 0),
        (("产出", "质量", "A"), 0),
        (("产出", "数量", "A"), 1),
    ]


def test_same_snapshot_has_no_changes(demo_document):
    snapshot = demo_document.projects[0].to_dict()

    assert revision_diff(snapshot, copy.deepcopy(snapshot)) == []


def test_project_header_changes_are_named_in_chinese(demo_document):
    project = demo_document.projects[0]
    before = project.to_dict()
    project.name = "网络安全和信息化专项经费"
    project.budget.total = Decimal("20")
    project.budget.other = Decimal("5")
    project.spending_plan[0] = Checkpoint(3, Decimal("30"))

    changes = revision_diff(before, project.to_dict())

    assert changes == [
        {"field": "名称", "before": "网络安全和信息化经费", "after": "网络安全和信息化专项经费"},
        {"field": "预算数", "before": "15.00万元", "after": "20万元"},
        {"field": "其他资金", "before": "0万元", "after": "5万元"},
        {
            "field": "资金支出计划",
            "before": "3月底25.00%、6月底50.00%、10月底75.00%、12月底100.00%",
            "after": "3月底30%、6月底50.00%、10月底75.00%、12月底100.00%",
        },
    ]
    assert describe_change(changes[1]) == "预算数：15.00万元 → 20万元"


def test_indicator_changes_name_the_indicator_and_field(demo_document):
    project = demo_document.projects[0]
    before = project.to_dict()
    project.indicators[1].basis = "历史标准"
    project.indicators[1].weight = Decimal("10")
    added = project.indicators.pop(0)
    project.indicators.append(
        added.__class__("产出指标", "数量指标", "网络安全检查次数", "≥2次", added.parsed)
    )

    changes = revision_diff(before, project.to_dict())

    path = "产出指标 / 质量指标 / 网络舆情处置率"
    assert changes == [
        {
            "field": "指标值确定依据",
            "indicator": "网络舆情处置率",
            "path": path,
            "before": "冀干考发[2020]2号、昌办字[2019]14号",
            "after": "历史标准",
        },
        {
            "field": "权重",
            "indicator": "网络舆情处置率",
            "path": path,
            "before": None,
            "after": "10",
        },
        {
            "field": "新增指标",
            "indicator": "网络安全检查次数",
            "path": "产出指标 / 数量指标 / 网络安全检查次数",
            "before": None,
            "after": "≥2次",
        },
        {
            "field": "删除指标",
            "indicator": "舆情监测预警、研判分析数",
            "path": "产出指标 / 数量指标 / 舆情监测预警、研判分析数",
            "before": "≥200条",
            "after": None,
        },
    ]
    assert [describe_change(c) for c in changes[1:]] == [
        "指标「网络舆情处置率」权重：（空） → 10",
        "新增指标「网络安全检查次数」：≥2次",
        "删除指标「舆情监测预警、研判分析数」：≥200条",
    ]


def test_unit_goal_changes_cover_overall_sub_goals_and_safeguards(demo_document):
    goal = demo_document.unit_goal
    before = goal.to_dict()
    goal.overall = "新的总体目标"
    goal.sub_goals[1].indicators = "舆情监测预警、研判分析数250条以上"
    goal.sub_goals.pop(0)
    goal.safeguards.append("（三）加强绩效运行监控。")

    changes = revision_diff(before, goal.to_dict())

    assert [describe_change(c, width=12) for c in changes] == [
        "总体绩效目标：营造网络正面舆论强势，… → 新的总体目标",
        "分项绩效目标「（二）强化网络舆情监控处置」绩效指标：…析数200条以上，网… → …析数250条以上",
        "删除分项绩效目标「（一）营造网络正面舆论强势」",
        "工作保障措施第 3 条：（空） → （三）加强绩效运行监控。",
    ]
