"""Tests for the wording of actuals (jixiao.core.wording) through scoring and monitoring.

With w = 10 points and the default bands: 达成 scores the top of 80–100% (10.00), 部分达成 the
bottom of 60–80% (6.00), 未达成 the bottom of 0–60% (0.00).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jixiao.core.monitoring import monitor_indicator
from jixiao.core.policy import Policy, PolicyError
from jixiao.core.reports import GREEN, RED, YELLOW
from jixiao.core.scoring import IndicatorInput, ScoringError, score_indicator, score_project
from jixiao.core.targets import parse_target
from jixiao.core.wording import MET, NATIONAL, PARTIAL, UNMET

D = Decimal
W = D("10")


def scored(target: str, actual: str, policy: Policy | None = None) -> Decimal:
    kwargs = {} if policy is None else {"policy": policy}
    return score_indicator(
        parse_target(target, year=2021), actual, W, target_text=target, **kwargs
    ).score


# --- the findings of issue 10 ----------------------------------------------------------------


@pytest.mark.parametrize(
    "actual", ["已达到", "已达成", "全部达成", "达标", "已实现", "优秀", "效果明显"]
)
@pytest.mark.parametrize("target", ["是", "达到", "优良"])
def test_ordinary_words_of_success_are_met(target: str, actual: str) -> None:
    # Each gave 无法判断完成等级 and 0 before: now 达成, the top of the band, 10.00.
    assert scored(target, actual) == D("10.00")


def test_none_happened_meets_a_target_of_zero() -> None:
    # 0起 with 未发生: 0 ≤ 0, full marks (was 0).
    assert scored("0起", "未发生") == D("10.00")
    assert scored("0起", "无") == D("10.00")
    assert scored("≤0次", "没有发生") == D("10.00")
    # A count target with nothing happened: 0 of ≥5次 → 10 × 0 / 5 = 0.
    assert scored("≥5次", "未发生") == D("0.00")


def test_a_table_without_indicators_is_refused() -> None:
    with pytest.raises(ScoringError, match="没有指标"):
        score_project([], budget_total=D("15"), executed=D("14"))


def test_a_table_of_only_not_applicable_rows_is_refused() -> None:
    rows = [
        IndicatorInput("产出指标", "数量指标", "甲", parse_target("不适用"), "不适用"),
        IndicatorInput("效益指标", "社会效益指标", "乙", parse_target("≥1"), None),
    ]
    with pytest.raises(ScoringError, match="都不适用"):
        score_project(rows, budget_total=D("15"), executed=D("14"))


# --- grades ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "grade"),
    [
        ("达成", MET),
        ("已完成", MET),
        ("均已完成", MET),
        ("均已全部完成", MET),
        ("已经完成了", MET),
        ("顺利完成", MET),
        ("圆满完成。", MET),
        ("如期完成", MET),
        ("超额完成", MET),
        ("达到预期目标", MET),
        ("成效显著", MET),
        ("明显提升", MET),
        ("已到位", MET),
        ("符合要求", MET),
        ("已通过验收", MET),
        ("非常满意", MET),
        ("基本达成", PARTIAL),
        ("基本达标", PARTIAL),
        ("部分实现", PARTIAL),
        ("有所提升", PARTIAL),
        ("一般", PARTIAL),
        ("较满意", PARTIAL),
        ("已基本完成", PARTIAL),
        ("未达到", UNMET),
        ("不达标", UNMET),
        ("尚未完成", UNMET),
        ("暂未实现", UNMET),
        ("没有达到", UNMET),
        ("不明显", UNMET),
        ("未基本完成", UNMET),  # a negation of a partial word
        ("无法完成", UNMET),
        ("不满意", UNMET),
        ("滞后", UNMET),
        ("不符合", UNMET),
        ("高", None),  # depends on the target
        ("低", None),
        ("未发生", None),  # says nothing of a grade unless the target is one of none
        ("效果很好呢", None),
        ("", None),
    ],
)
def test_grades_of_actuals(actual: str, grade: str | None) -> None:
    assert NATIONAL.grade(actual) == grade


@pytest.mark.parametrize(
    ("target", "actual", "grade"),
    [
        ("低", "低", MET),  # 对社会的负面影响: 低
        ("高", "高", MET),
        ("较高", "较高", MET),
        ("无重大安全事故", "未发生", MET),
        ("无重大安全事故", "无", MET),
        ("不产生负面影响", "没有", MET),
        ("零事故", "零", MET),
        ("杜绝重大舆情事件", "未发生", MET),
        ("无重大安全事故", "发生1起", None),
        ("是", "无", UNMET),  # a target of something: 无 is not met
        ("有效提升", "已有效提升", MET),
    ],
)
def test_grades_against_the_target_as_written(target: str, actual: str, grade: str | None) -> None:
    assert NATIONAL.grade(actual, target) == grade


@pytest.mark.parametrize(
    ("actual", "score"),
    [("已达成", D("10.00")), ("基本达成", D("6.00")), ("未达到", D("0.00"))],
)
def test_scores_by_grade(actual: str, score: Decimal) -> None:
    assert scored("达到", actual) == score


def test_an_unknown_word_still_scores_0_with_the_reason() -> None:
    result = score_indicator(parse_target("达到"), "还行吧", W)
    assert result.score == D("0.00") and result.note == "无法判断完成等级"


# --- a bureau's own words --------------------------------------------------------------------


def test_a_bureau_adds_its_words() -> None:
    policy = Policy.from_mapping({"words_met": ["已办结"], "words_partial": ["大部分办结"]})
    assert scored("按时办结", "已办结", policy) == D("10.00")
    assert scored("按时办结", "大部分办结", policy) == D("6.00")
    assert scored("按时办结", "已办结") == D("0.00")  # not a national word: unknown without it
    assert scored("办结", "已办结") == D("10.00")  # the target's own word (with 已) is met anyway


def test_a_bureau_word_moves_out_of_its_national_grade() -> None:
    # Nationally 一般 is 部分达成; a bureau that reads it as 未达成 says so.
    policy = Policy.from_mapping({"words_unmet": ["一般"]})
    assert policy.vocabulary.grade("一般") == UNMET
    assert NATIONAL.grade("一般") == PARTIAL


def test_a_bureau_adds_zero_words() -> None:
    policy = Policy.from_mapping({"words_zero": ["零发案"]})
    assert scored("0起", "零发案", policy) == D("10.00")
    assert score_indicator(parse_target("0起"), "零发案", W).note == "实际完成值无法读出数字"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"words_met": "已办结"}, "words_met 应为词语的列表"),
        ({"words_met": ["已 办结"]}, "不能含空格"),
        (
            {"words_met": ["已办结"], "words_unmet": ["已办结"]},
            "同时出现在 words_met 和 words_unmet",
        ),
        ({"words_zero": [1]}, "words_zero 应为词语的列表"),
    ],
)
def test_bad_word_settings_are_refused(values: dict[str, object], message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        Policy.from_mapping(values)


# --- monitoring ------------------------------------------------------------------------------


def test_monitoring_reads_the_same_words() -> None:
    at = date(2021, 6, 30)
    assert (
        monitor_indicator(parse_target("是"), "已实现", at, 2021, target_text="是").light == GREEN
    )
    assert monitor_indicator(parse_target("是"), "基本达成", at, 2021).light == YELLOW
    assert monitor_indicator(parse_target("是"), "不达标", at, 2021).light == RED
    status = monitor_indicator(parse_target("0起"), "未发生", at, 2021)
    assert status.light == GREEN and status.projected == D("0.00")
    low = monitor_indicator(parse_target("低"), "低", at, 2021, target_text="低")
    assert low.light == GREEN
