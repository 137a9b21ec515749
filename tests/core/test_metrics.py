"""Tests for the metric grammar (jixiao.core.metrics): every form, every error, words, numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from jixiao.core import metrics as m
from jixiao.ledgers.presets import PRESETS

CATALOG = {
    p["code"]: m.LedgerSchema(
        code=p["code"],
        name=p["name"],
        fields={
            f["code"]: m.FieldInfo(f["label"], f["kind"], tuple(f.get("choices", ())))
            for f in p["fields"]
        },
        states=tuple(p.get("workflow", {}).get("states", ())),
        amount_field=p.get("amount_field", ""),
        has_project=p.get("has_project", True),
    )
    for p in PRESETS
}

MUST = {"field": "must_handle", "op": "=", "value": True}
DISPOSAL = {
    "kind": "ratio",
    "numerator": {"kind": "count", "ledger": "opinion", "filters": [MUST, {"reached": "处置"}]},
    "denominator": {"kind": "count", "ledger": "opinion", "filters": [MUST]},
    "scale": "100",
}


def error_of(data: Any, catalog: Any = None) -> str:
    with pytest.raises(m.MetricError) as caught:
        m.parse(data, catalog)
    return str(caught.value)


def count(ledger: str, *filters: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"kind": "count", "ledger": ledger, "filters": list(filters), **extra}


# --- forms ---------------------------------------------------------------------------------


def test_count_with_defaults() -> None:
    assert m.parse({"kind": "count", "ledger": "post"}) == m.Count("post", (), None, "project")


def test_count_with_every_key() -> None:
    data = {
        "kind": "count",
        "ledger": "task",
        "filters": [{"field": "completed_on", "op": "not_empty"}],
        "date": "completed_on",
        "scope": "unit",
    }
    assert m.parse(data, CATALOG) == m.Count(
        "task", (m.FieldFilter("completed_on", "not_empty"),), "completed_on", "unit"
    )


def test_count_dated_by_a_state() -> None:
    part = m.parse({"kind": "count", "ledger": "opinion", "date": "state: 处置"}, CATALOG)
    assert isinstance(part, m.Count)
    assert part.date == "state:处置"
    assert m.date_state(part.date) == "处置"
    assert m.date_state("first_seen") is None
    assert m.date_state(None) is None


def test_events() -> None:
    data = {"kind": "events", "ledger": "opinion", "states": ["预警", "研判"]}
    assert m.parse(data, CATALOG) == m.Events("opinion", ("预警", "研判"))


def test_sum_and_distinct() -> None:
    assert m.parse({"kind": "sum", "ledger": "expenditure", "field": "amount"}) == m.Sum(
        "expenditure", "amount"
    )
    data = {"kind": "distinct", "ledger": "inspection", "field": "units", "scope": "unit"}
    assert m.parse(data, CATALOG) == m.Distinct("inspection", "units", (), None, "unit")


def test_ratio_of_two_counts() -> None:
    ratio = m.parse(DISPOSAL, CATALOG)
    assert isinstance(ratio, m.Ratio)
    assert ratio.scale == Decimal(100)
    assert ratio.numerator == m.Count(
        "opinion", (m.FieldFilter("must_handle", "=", True), m.Reached("处置"))
    )
    assert ratio.denominator == m.Count("opinion", (m.FieldFilter("must_handle", "=", True),))


def test_ratio_over_the_budget_scale_defaults_to_one() -> None:
    data = {
        "kind": "ratio",
        "numerator": {"kind": "sum", "ledger": "expenditure", "field": "amount"},
        "denominator": {"kind": "budget"},
    }
    assert m.parse(data, CATALOG) == m.Ratio(m.Sum("expenditure", "amount"), m.Budget())


def test_manual() -> None:
    assert m.parse({"kind": "manual"}) == m.Manual()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"field": "grade", "op": "=", "value": "重大"}, m.FieldFilter("grade", "=", "重大")),
        ({"field": "reads", "op": ">=", "value": 1000}, m.FieldFilter("reads", ">=", 1000)),
        ({"field": "hours", "op": "<", "value": 2.5}, m.FieldFilter("hours", "<", Decimal("2.5"))),
        (
            {"field": "level", "op": "in", "value": ["市", "省"]},
            m.FieldFilter("level", "in", ("市", "省")),
        ),
        (
            {"field": "level", "op": "not_in", "value": ["县"]},
            m.FieldFilter("level", "not_in", ("县",)),
        ),
        ({"field": "completed_on", "op": "empty"}, m.FieldFilter("completed_on", "empty")),
        (
            {"field": "completed_on", "op": "<=", "other_field": "due_on"},
            m.FieldCompare("completed_on", "<=", "due_on"),
        ),
        ({"state": ["处置", "办结"]}, m.StateIn(("处置", "办结"))),
        ({"state": "办结"}, m.StateIn(("办结",))),
        ({"reached": "处置"}, m.Reached("处置")),
        ({"not_reached": "处置"}, m.NotReached("处置")),
    ],
)
def test_every_filter_form(data: dict[str, Any], expected: m.Filter) -> None:
    part = m.parse({"kind": "count", "ledger": "x", "filters": [data]})
    assert isinstance(part, m.Count)
    assert part.filters == (expected,)


def test_equal_definitions_are_equal_and_hashable() -> None:
    first, second = m.parse(DISPOSAL), m.parse(dict(DISPOSAL))
    assert first == second
    assert len({first, second}) == 1


def test_to_dict_round_trips() -> None:
    for data in (
        DISPOSAL,
        {"kind": "events", "ledger": "opinion", "states": ["预警"], "scope": "unit"},
        {"kind": "sum", "ledger": "training", "field": "participants", "date": "held_on"},
        {
            "kind": "count",
            "ledger": "post",
            "filters": [{"field": "reads", "op": ">", "value": 1.5}],
        },
        {"kind": "manual"},
    ):
        definition = m.parse(data)
        assert m.parse(m.to_dict(definition)) == definition
    assert m.to_dict(m.parse({"kind": "count", "ledger": "post"})) == {
        "kind": "count",
        "ledger": "post",
        "filters": [],
        "scope": "project",
    }


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "口径：应为 JSON 对象"),
        ({}, "口径：缺少“kind”（统计方式）"),
        ({"kind": "avg"}, "口径：未知的统计方式“avg”"),
        ({"kind": "budget"}, "口径：“budget”（预算数）只能用作比率的分母"),
        ({"kind": "count"}, "口径：缺少“ledger”（台账代码，如 opinion）"),
        ({"kind": "count", "ledger": " "}, "口径：“ledger”应为非空文本"),
        ({"kind": "count", "ledger": "x", "field": "a"}, "口径：不认识的键“field”"),
        ({"kind": "manual", "ledger": "x"}, "口径：不认识的键“ledger”"),
        ({"kind": "count", "ledger": "x", "scope": "all"}, "口径：“scope”应为 project"),
        ({"kind": "count", "ledger": "x", "filters": {}}, "口径：“filters”应为筛选条件的列表"),
        ({"kind": "count", "ledger": "x", "date": 5}, "口径：“date”应为日期字段代码"),
        ({"kind": "count", "ledger": "x", "date": "state:"}, "口径：“date”的“state:”后应写"),
        ({"kind": "events", "ledger": "x"}, "口径的“states”：应为状态名称的列表"),
        ({"kind": "events", "ledger": "x", "states": []}, "口径的“states”：应为状态名称的列表"),
        ({"kind": "events", "ledger": "x", "states": ["a", "a"]}, "口径的“states”：状态重复"),
        ({"kind": "events", "ledger": "x", "states": [""]}, "状态名称应为非空文本"),
        ({"kind": "sum", "ledger": "x"}, "口径：缺少“field”（字段代码）"),
        ({"kind": "ratio", "denominator": {}}, "口径：比率缺少“numerator”（分子）"),
        ({"kind": "ratio", "numerator": {}}, "口径：比率缺少“denominator”（分母）"),
        (
            {"kind": "ratio", "numerator": {"kind": "budget"}, "denominator": {"kind": "budget"}},
            "分子：“budget”（预算数）只能用作比率的分母",
        ),
        (
            {
                "kind": "ratio",
                "numerator": {"kind": "distinct", "ledger": "x", "field": "a"},
                "denominator": {"kind": "budget"},
            },
            "分子：未知的统计方式“distinct”",
        ),
        (
            {
                "kind": "ratio",
                "numerator": {"kind": "count", "ledger": "x"},
                "denominator": {"kind": "manual"},
            },
            "分母：未知的统计方式“manual”",
        ),
        (
            {
                "kind": "ratio",
                "numerator": {"kind": "count", "ledger": "x"},
                "denominator": {"kind": "count", "ledger": "x"},
                "scale": "0",
            },
            "口径：“scale”应为正数",
        ),
        (
            {
                "kind": "ratio",
                "numerator": {"kind": "count", "ledger": "x"},
                "denominator": {"kind": "count", "ledger": "x"},
                "scale": "百",
            },
            "口径：“scale”应为正数",
        ),
        (
            {
                "kind": "ratio",
                "numerator": {"kind": "count", "ledger": "x", "scope": "unit"},
                "denominator": {"kind": "count", "ledger": "x"},
            },
            "口径：分子和分母的统计范围（scope）应一致",
        ),
        (
            {
                "kind": "ratio",
                "numerator": {"kind": "count", "ledger": "x", "scope": "unit"},
                "denominator": {"kind": "budget"},
            },
            "分子：分母是项目预算数时，分子的统计范围应为本项目",
        ),
        (
            {
                "kind": "ratio",
                "numerator": {"kind": "count", "ledger": "x", "filters": ["a"]},
                "denominator": {"kind": "budget"},
            },
            "分子的第1个筛选条件：应为对象",
        ),
    ],
)
def test_structural_errors_name_the_bad_part(data: Any, message: str) -> None:
    assert message in error_of(data)


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({}, "应含“field”“state”“reached”“not_reached”中的一个"),
        ({"field": "a", "state": ["b"]}, "应含“field”“state”“reached”“not_reached”中的一个"),
        ({"field": "a", "op": "=", "value": 1, "x": 2}, "不认识的键“x”"),
        ({"field": "", "op": "empty"}, "“field”应为字段代码"),
        ({"field": "a"}, "缺少“op”（运算符）"),
        ({"field": "a", "op": "~"}, "运算符“~”无效"),
        ({"field": "a", "op": "="}, "运算符“=”需要“value”"),
        ({"field": "a", "op": "empty", "value": 1}, "“empty”不需要“value”"),
        ({"field": "a", "op": "in", "value": "市"}, "“in”的“value”应为非空列表"),
        ({"field": "a", "op": "in", "value": []}, "“in”的“value”应为非空列表"),
        ({"field": "a", "op": "=", "value": None}, "“value”应为文本、数字或 true/false"),
        ({"field": "a", "op": "=", "value": {"b": 1}}, "“value”应为文本、数字或 true/false"),
        ({"field": "a", "op": "in", "other_field": "b"}, "与另一字段比较只能用"),
        ({"field": "a", "op": "=", "other_field": "b", "value": 1}, "只能有一个"),
        ({"field": "a", "op": "=", "other_field": ""}, "“other_field”应为字段代码"),
        ({"state": []}, "应为状态名称的列表"),
        ({"reached": ""}, "“reached”应为状态名称"),
        ({"not_reached": 3}, "“not_reached”应为状态名称"),
    ],
)
def test_filter_errors_name_the_filter(item: dict[str, Any], message: str) -> None:
    data = {"kind": "count", "ledger": "x", "filters": [MUST, item]}
    text = error_of(data)
    assert text.startswith("第2个筛选条件：")
    assert message in text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (count("opinions"), "口径：没有代码为“opinions”的台账（可用：opinion（舆情）"),
        (count("post"), "“网宣发布”台账不关联预算项目，统计范围应为全单位（scope: unit）"),
        (count("opinion", date="seen"), "“舆情”台账没有字段“seen”"),
        (count("opinion", date="title"), "“date”应为日期字段，“标题”是文本字段"),
        (count("opinion", date="state:处理"), "“舆情”台账的流程没有状态“处理”（可用：监测、预警"),
        (count("task", date="state:完成"), "“工作任务”台账没有流程状态"),
        (
            {"kind": "events", "ledger": "opinion", "states": ["预警", "上报"]},
            "流程没有状态“上报”",
        ),
        ({"kind": "sum", "ledger": "training", "field": "hours"}, "只能对金额或整数字段求和"),
        ({"kind": "sum", "ledger": "training", "field": "cost"}, "“培训”台账没有字段“cost”"),
        ({"kind": "distinct", "ledger": "inspection", "field": "unit"}, "没有字段“unit”"),
        (
            count("opinion", {"field": "gradee", "op": "empty"}),
            "第1个筛选条件：“舆情”台账没有字段“gradee”",
        ),
        (
            count("opinion", {"field": "grade", "op": "=", "value": "特大"}),
            "第1个筛选条件：“级别”没有选项“特大”（可用：一般、较大、重大）",
        ),
        (
            count("opinion", {"field": "grade", "op": "in", "value": ["重大", "特大"]}),
            "“级别”没有选项“特大”",
        ),
        (
            count("opinion", {"field": "must_handle", "op": "=", "value": "是"}),
            "“应处置”是是/否字段，值应为 true 或 false",
        ),
        (
            count("opinion", {"field": "must_handle", "op": ">", "value": True}),
            "是/否字段“应处置”只能用 = 或 !=",
        ),
        (
            count("inspection", {"field": "issues", "op": ">", "value": "很多"}),
            "“问题数”是整数字段，值应为数字",
        ),
        (
            count("task", {"field": "due_on", "op": "<=", "value": "6月30日"}),
            '“完成期限”是日期字段，值应如 "2021-06-30"',
        ),
        (count("task", {"field": "title", "op": "=", "value": 3}), "“任务”是文本字段，值应为文本"),
        (
            count("task", {"field": "completed_on", "op": "<=", "other_field": "title"}),
            "“完成日期”（日期字段）不能与“任务”（文本字段）比较",
        ),
        (
            count("task", {"field": "completed_on", "op": "<=", "other_field": "due"}),
            "“工作任务”台账没有字段“due”",
        ),
        (count("task", {"state": ["办结"]}), "“工作任务”台账没有流程状态"),
        (count("opinion", {"reached": "结案"}), "流程没有状态“结案”"),
        (count("opinion", {"not_reached": "结案"}), "流程没有状态“结案”"),
        (
            {
                "kind": "ratio",
                "numerator": count("opinion"),
                "denominator": count("opinion", {"field": "x", "op": "empty"}),
            },
            "分母的第1个筛选条件：“舆情”台账没有字段“x”",
        ),
    ],
)
def test_catalog_errors_name_the_ledger_field_or_state(data: Any, message: str) -> None:
    assert message in error_of(data, CATALOG)


def test_multichoice_fields_filter_on_emptiness_only() -> None:
    tags = m.LedgerSchema(
        "news", "新闻", {"tags": m.FieldInfo("标签", "multichoice", ("网信", "安全"))}
    )
    catalog = {"news": tags}
    m.parse(count("news", {"field": "tags", "op": "not_empty"}), catalog)
    bad = count("news", {"field": "tags", "op": "=", "value": "网信"})
    assert error_of(bad, catalog) == "第1个筛选条件：多选字段“标签”只能用 empty 或 not_empty 筛选"


def test_valid_definitions_pass_the_catalog() -> None:
    for data in (
        DISPOSAL,
        count("opinion", {"field": "grade", "op": "in", "value": ["较大", "重大"]}),
        count("task", {"field": "completed_on", "op": "<=", "other_field": "due_on"}),
        count("inspection", {"field": "issues", "op": ">=", "value": "2"}),
        count("post", {"field": "reads", "op": ">", "value": 1000}, scope="unit"),
        count("opinion", {"state": ["处置", "办结"]}, {"not_reached": "办结"}, date="state:预警"),
        {"kind": "sum", "ledger": "asset", "field": "value"},
        {"kind": "sum", "ledger": "training", "field": "participants"},
    ):
        m.check(m.parse(data), CATALOG)


# --- words ---------------------------------------------------------------------------------


def test_describe_disposal_rate() -> None:
    assert m.describe(m.parse(DISPOSAL), CATALOG) == (
        "舆情台账中“应处置”为是且截至统计日已到达“处置”的记录数"
        " ÷ 舆情台账中“应处置”为是的记录数 × 100"
    )


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (count("post", scope="unit"), "全单位网宣发布台账的记录数"),
        (
            {"kind": "events", "ledger": "opinion", "states": ["预警", "研判"]},
            "舆情台账的记录在统计期内到达“预警”、“研判”的次数",
        ),
        (
            {"kind": "sum", "ledger": "expenditure", "field": "amount"},
            "支出台账的“金额（元）”合计",
        ),
        (
            {"kind": "distinct", "ledger": "inspection", "field": "units", "scope": "unit"},
            "全单位网络安全检查台账的“被检查单位”不同值的个数",
        ),
        (
            count("task", {"field": "completed_on", "op": "<=", "other_field": "due_on"}),
            "工作任务台账中“完成日期”不晚于“完成期限”的记录数",
        ),
        (
            count(
                "submission",
                {"field": "level", "op": "in", "value": ["市", "省", "中央"]},
                {"field": "adopted", "op": "=", "value": True},
                {"field": "title", "op": "not_empty"},
                scope="unit",
            ),
            "全单位稿件报送台账中“媒体级别”为“市”、“省”或“中央”、“是否采用”为是"
            "且“稿件标题”已填写的记录数",
        ),
        (
            count("task", {"field": "completed_on", "op": "empty"}, date="completed_on"),
            "工作任务台账中“完成日期”在统计期内且“完成日期”为空的记录数",
        ),
        (
            count("opinion", {"not_reached": "办结"}, {"state": ["处置"]}, date="state:预警"),
            "舆情台账中到达“预警”的日期在统计期内、截至统计日尚未到达“办结”"
            "且当前状态为“处置”的记录数",
        ),
        (
            count("post", {"field": "reads", "op": ">=", "value": 1000}, scope="unit"),
            "全单位网宣发布台账中“阅读量”不小于 1000的记录数",
        ),
        (
            count("task", {"field": "due_on", "op": "<", "value": "2021-07-01"}),
            "工作任务台账中“完成期限”早于 2021-07-01的记录数",
        ),
        (
            count("opinion", {"field": "grade", "op": "!=", "value": "一般"}),
            "舆情台账中“级别”不为“一般”的记录数",
        ),
        (
            count("opinion", {"field": "grade", "op": "not_in", "value": ["一般"]}),
            "舆情台账中“级别”不为“一般”的记录数",
        ),
        (
            count("opinion", {"field": "must_handle", "op": "!=", "value": True}),
            "舆情台账中“应处置”不为是的记录数",
        ),
        ({"kind": "manual"}, "手工填报实际完成值（附佐证材料）"),
    ],
)
def test_describe_every_kind(data: dict[str, Any], text: str) -> None:
    assert m.describe(m.parse(data), CATALOG) == text


def test_describe_budget_ratio_and_codes_without_a_catalog() -> None:
    data = {
        "kind": "ratio",
        "numerator": {"kind": "sum", "ledger": "expenditure", "field": "amount"},
        "denominator": {"kind": "budget"},
        "scale": 100,
    }
    assert (
        m.describe(m.parse(data), CATALOG)
        == "支出台账的“金额（元）”合计 ÷ 项目全年预算数（元） × 100"
    )
    assert m.describe(m.parse(data)) == "expenditure台账的“amount”合计 ÷ 项目全年预算数（元） × 100"


# --- window and numbers --------------------------------------------------------------------


def test_window_runs_from_new_year_to_the_as_of_date() -> None:
    assert m.window(2021, dt.date(2021, 6, 30)) == (dt.date(2021, 1, 1), dt.date(2021, 6, 30))


def test_window_stops_at_the_year_end() -> None:
    assert m.window(2021, dt.date(2022, 3, 1)) == (dt.date(2021, 1, 1), dt.date(2021, 12, 31))


def test_window_before_the_year_is_empty() -> None:
    start, end = m.window(2021, dt.date(2020, 12, 31))
    assert start > end


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        ("2.345", "2.35"),
        ("2.344", "2.34"),
        ("-2.345", "-2.35"),
        ("0.005", "0.01"),
        ("96.5517", "96.55"),
        ("100", "100.00"),
    ],
)
def test_round_half_up(value: str, rounded: str) -> None:
    assert str(m.round_half_up(Decimal(value))) == rounded


@pytest.mark.parametrize(
    ("numerator", "denominator", "scale", "expected"),
    [
        ("1", "3", "100", "33.33"),
        ("2", "3", "100", "66.67"),
        ("28", "29", "100", "96.55"),
        ("1", "8", "1", "0.13"),  # 0.125 rounds half up
        ("5", "5", "100", "100.00"),
        ("123456.78", "150000", "100", "82.30"),
        ("0", "7", "100", "0.00"),
    ],
)
def test_ratio_value(numerator: str, denominator: str, scale: str, expected: str) -> None:
    result = m.ratio_value(Decimal(numerator), Decimal(denominator), Decimal(scale))
    assert str(result) == expected


def test_ratio_of_a_zero_or_missing_denominator_is_none() -> None:
    assert m.ratio_value(Decimal(3), Decimal(0), Decimal(100)) is None
    assert m.ratio_value(Decimal(3), None) is None
    assert m.ratio_value(None, Decimal(3)) is None


def test_money_helpers() -> None:
    assert m.cents_to_yuan(123456) == Decimal("1234.56")
    assert str(m.cents_to_yuan(None)) == "0.00"
    assert m.budget_in_yuan(Decimal("15.5"), "万元") == Decimal("155000")
    assert m.budget_in_yuan(Decimal("8000"), "元") == Decimal("8000")
    assert m.budget_in_yuan(Decimal("8000"), "") == Decimal("8000")
    assert m.budget_in_yuan(None, "万元") is None


def test_value_text_keeps_the_places() -> None:
    assert m.value_text(Decimal(230)) == "230"
    assert m.value_text(Decimal("96.55")) == "96.55"
    assert m.value_text(Decimal("1234.50")) == "1234.50"
    assert m.value_text(None) is None


def test_as_number() -> None:
    assert m.as_number("12.5") == Decimal("12.5")
    assert m.as_number(3) == Decimal(3)
    assert m.as_number(True) is None
    assert m.as_number("abc") is None
    assert m.as_number("NaN") is None
