"""Tests for self-evaluation scoring (jixiao.core.scoring): every rule of rules.md §4.

Each expected number is computed by hand in the comment next to it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixiao.core.policy import (
    BENEFIT,
    COST,
    OUTPUT,
    SATISFACTION,
    Policy,
    PolicyError,
)
from jixiao.core.scoring import (
    IndicatorInput,
    ScoringError,
    allocate_points,
    grade_of,
    group_of,
    score_execution,
    score_indicator,
    score_json,
    score_project,
)
from jixiao.core.targets import parse_target
from jixiao.core.wording import MET, PARTIAL, UNMET

D = Decimal
OUT, BEN, SAT = "产出指标", "效益指标", "满意度指标"


def ind(
    level1: str,
    target: str,
    actual: Decimal | str | None = "达成",
    *,
    weight: str | None = None,
    score: str | None = None,
    name: str = "指标",
) -> IndicatorInput:
    return IndicatorInput(
        level1=level1,
        level2="",
        level3=name,
        target=parse_target(target, year=2021),
        actual=actual,
        weight=None if weight is None else D(weight),
        score=None if score is None else D(score),
    )


def points(*indicators: IndicatorInput, **settings: object) -> list[str]:
    return [str(p) for p in allocate_points(indicators, Policy.from_mapping(settings))]


def one(target: str, actual: Decimal | str | None, w: str = "10", **settings: object):
    policy = Policy.from_mapping(settings)
    return score_indicator(parse_target(target, year=2021), actual, D(w), policy)


def graded(target: str, actual: str, w: str, entered: str | None = None, **settings: object):
    policy = Policy.from_mapping(settings)
    got = None if entered is None else D(entered)
    return score_indicator(parse_target(target, year=2021), actual, D(w), policy, got)


def demo_project_1() -> list[IndicatorInput]:
    """Project 1 of the demo (舆情监测) with its actuals at the end of 2021."""
    return [
        ind(OUT, "≥200条", "212", name="舆情监测预警、研判分析数"),
        ind(OUT, "100%", "98.21%", name="网络舆情处置率"),
        ind(OUT, "100%", "94.44%", name="工作及时完成率"),
        ind(OUT, "≤100%", "94.67%", name="预算控制率"),
        ind(BEN, "是", "是", name="避免经济损失"),
        ind(BEN, "是", "是", name="构建清朗网络空间"),
        ind(BEN, "达到", "达到", name="达到绿色产业标准"),
        ind(BEN, "1年", "1年", name="网络安全稳定运行期限"),
        ind(SAT, "≥90%", "95.88%", name="服务对象满意度"),
    ]


# --- groups and words -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level1", "group"),
    [
        ("产出指标", OUTPUT),
        ("成本指标", OUTPUT),
        ("效益指标", BENEFIT),
        ("满意度指标", SATISFACTION),
        ("服务对象满意度", SATISFACTION),
        (" 产出 ", OUTPUT),
    ],
)
def test_level1_names_are_matched_loosely(level1, group):
    assert group_of(level1) == group


def test_level1_cost_is_its_own_group_when_cost_in_output_is_off():
    assert group_of("成本指标", Policy(cost_in_output=False)) == COST


def test_an_unknown_level1_name_is_refused():
    with pytest.raises(ScoringError, match="一级指标“过程指标”不属于产出、成本、效益、满意度指标"):
        group_of("过程指标")


@pytest.mark.parametrize(
    ("text", "grade"),
    [
        ("达成", MET),
        ("是", MET),
        ("达到", MET),
        ("按期完成", MET),
        ("良好", MET),
        ("有", MET),
        (" 是 。", MET),
        ("部分达成", PARTIAL),
        ("基本完成", PARTIAL),
        ("良", PARTIAL),
        ("基本满意", PARTIAL),
        ("未达成", UNMET),
        ("否", UNMET),
        ("无", UNMET),
        ("不合格", UNMET),
        ("基本是", None),  # whole words only: 是 inside another word says nothing
        ("效果明显", MET),  # in the table since issue 10 (tests/core/test_wording.py)
        ("", None),
    ],
)
def test_grade_of_reads_whole_words(text, grade):
    assert grade_of(text) == grade


# --- points: no weights -----------------------------------------------------------------------


def test_groups_share_their_points_equally_without_weights():
    # 产出 50 / 4 = 12.50; 效益 30 / 4 = 7.50; 满意度 10 / 1 = 10.00.
    assert points(*demo_project_1()) == ["12.50"] * 4 + ["7.50"] * 4 + ["10.00"]


def test_rounding_gives_the_extra_cent_to_the_earlier_indicator():
    # 50 / 3 = 16.666…: floors 16.66 × 3 = 49.98, two cents left for the first two.
    got = points(ind(OUT, "是"), ind(OUT, "是"), ind(OUT, "是"), ind(BEN, "是"), ind(SAT, "是"))
    assert got == ["16.67", "16.67", "16.66", "30.00", "10.00"]


def test_rounding_by_largest_remainder_is_over_the_whole_project():
    # 产出 50/3 = 16.6667 (remainder 0.67 cent), 效益 30/7 = 4.285714 (remainder 0.57 cent).
    # Floors: 16.66 × 3 + 4.28 × 7 + 10 = 89.94; six cents go to the largest remainders: the
    # three 产出 and the first three 效益. 产出 then holds 50.01 and 效益 29.99; the total is 90.
    rows = [ind(OUT, "是")] * 3 + [ind(BEN, "是")] * 7 + [ind(SAT, "是")]
    got = points(*rows)
    assert got == ["16.67"] * 3 + ["4.29"] * 3 + ["4.28"] * 4 + ["10.00"]
    assert sum(D(p) for p in got) == 90


def test_an_absent_group_shares_its_points_in_proportion_by_default():
    # No 满意度: its 10 points go 10 × 50/80 = 6.25 to 产出 and 10 × 30/80 = 3.75 to 效益.
    # 产出 56.25 / 2 = 28.125 each: 28.13 and 28.12 (the tie goes to the earlier one).
    assert points(ind(OUT, "是"), ind(OUT, "是"), ind(BEN, "是")) == ["28.13", "28.12", "33.75"]


def test_absent_group_output_gives_the_points_to_output():
    # absent_group = output: 满意度's 10 go to 产出: 60 / 2 = 30 each; 效益 keeps 30.
    got = points(ind(OUT, "是"), ind(OUT, "是"), ind(BEN, "是"), absent_group="output")
    assert got == ["30.00", "30.00", "30.00"]


def test_absent_group_output_falls_back_to_proportional_without_output():
    # No 产出: its 50 go 50 × 30/40 = 37.5 to 效益 (67.50) and 50 × 10/40 = 12.5 to 满意度 (22.50).
    got = points(ind(BEN, "是"), ind(SAT, "是"), absent_group="output")
    assert got == ["67.50", "22.50"]


def test_a_group_whose_indicators_are_all_not_applicable_is_absent():
    # 效益 has only a 不适用 row: 产出 50 + 30 × 50/60 = 75, 满意度 10 + 30 × 10/60 = 15.
    got = points(ind(OUT, "是"), ind(BEN, "是", None), ind(SAT, "是"))
    assert got == ["75.00", "0.00", "15.00"]


def test_not_applicable_indicators_get_nothing_and_the_rest_share():
    # 产出 50 over the three applicable rows: 16.67, 16.67, 16.66; the 不适用 target gets 0.
    got = points(
        ind(OUT, "是"),
        ind(OUT, "不适用", "是"),
        ind(OUT, "是"),
        ind(OUT, "是"),
        ind(BEN, "是"),
        ind(SAT, "是"),
    )
    assert got == ["16.67", "0.00", "16.67", "16.66", "30.00", "10.00"]


def test_group_points_follow_the_settings():
    # points_output 60, points_benefit 20: 60/4 = 15, 20/4 = 5, 满意度 10, execution 10.
    got = points(*demo_project_1(), points_output="60", points_benefit="20")
    assert got == ["15.00"] * 4 + ["5.00"] * 4 + ["10.00"]


def test_points_satisfaction_setting():
    # points_satisfaction 20, points_output 40: 产出 40/4 = 10, 效益 30/4 = 7.5, 满意度 20.
    got = points(*demo_project_1(), points_satisfaction="20", points_output="40")
    assert got == ["10.00"] * 4 + ["7.50"] * 4 + ["20.00"]


def test_level1_cost_counts_in_output_by_default():
    # 产出 50 over 产出, 产出, 成本: 16.67, 16.67, 16.66.
    rows = [ind(OUT, "是"), ind(OUT, "是"), ind("成本指标", "是"), ind(BEN, "是"), ind(SAT, "是")]
    assert points(*rows) == ["16.67", "16.67", "16.66", "30.00", "10.00"]


def test_level1_cost_has_its_own_points_when_cost_in_output_is_off():
    # cost_in_output off, points_cost 10, points_output 40: 40/2 = 20 each, 成本 10.
    got = points(
        ind(OUT, "是"),
        ind(OUT, "是"),
        ind("成本指标", "是"),
        ind(BEN, "是"),
        ind(SAT, "是"),
        cost_in_output=False,
        points_cost="10",
        points_output="40",
    )
    assert got == ["20.00", "20.00", "10.00", "30.00", "10.00"]


def test_group_points_that_do_not_make_100_are_refused():
    # 50 + 30 + 10 + 10 (成本) + 10 (execution) = 110.
    with pytest.raises(PolicyError, match="规则设置中各部分分值合计为 110，应为 100"):
        points(ind(OUT, "是"), cost_in_output=False, points_cost="10")


# --- points: weights ------------------------------------------------------------------------


def test_weights_given_for_every_indicator_are_the_points():
    got = points(
        ind(OUT, "是", weight="20"),
        ind(OUT, "是", weight="30"),
        ind(BEN, "是", weight="25"),
        ind(BEN, "是", weight="5"),
        ind(SAT, "是", weight="10"),
    )
    assert got == ["20.00", "30.00", "25.00", "5.00", "10.00"]


def test_weights_that_do_not_add_up_to_90_are_refused():
    # 20 + 30 + 25 + 10 = 85, but the indicators share 100 − 10 = 90.
    with pytest.raises(ScoringError, match="各指标分值合计为 85，应为 90"):
        points(
            ind(OUT, "是", weight="20"),
            ind(OUT, "是", weight="30"),
            ind(BEN, "是", weight="25"),
            ind(SAT, "是", weight="10"),
        )


def test_weights_must_add_up_to_100_minus_points_execution():
    # points_execution 20 (points_output 40): the weights must add up to 80.
    rows = [ind(OUT, "是", weight="40"), ind(BEN, "是", weight="30"), ind(SAT, "是", weight="10")]
    assert points(*rows, points_execution="20", points_output="40") == ["40.00", "30.00", "10.00"]
    with pytest.raises(ScoringError, match="应为 80"):
        points(*rows[:2], points_execution="20", points_output="40")


def test_a_not_applicable_weight_goes_to_its_group_in_proportion():
    # The 不适用 row's 20 go to the other 产出 rows 10 : 20: 10 + 20/3 = 16.666… → 16.67,
    # 20 + 40/3 = 33.333… → 33.33 (the larger remainder, 0.67 cent, gets the cent).
    got = points(
        ind(OUT, "是", None, weight="20"),
        ind(OUT, "是", weight="10"),
        ind(OUT, "是", weight="20"),
        ind(BEN, "是", weight="30"),
        ind(SAT, "是", weight="10"),
    )
    assert got == ["0.00", "16.67", "33.33", "30.00", "10.00"]


def test_a_wholly_not_applicable_group_passes_its_weights_to_everyone_in_proportion():
    # 效益 (30) is not applicable; 产出 20, 30 and 满意度 10 take 30 in proportion 20:30:10:
    # 20 + 10 = 30, 30 + 15 = 45, 10 + 5 = 15.
    got = points(
        ind(OUT, "是", weight="20"),
        ind(OUT, "是", weight="30"),
        ind(BEN, "不适用", weight="30"),
        ind(SAT, "是", weight="10"),
    )
    assert got == ["30.00", "45.00", "0.00", "15.00"]


def test_some_weights_keep_theirs_and_the_rest_share_the_group():
    # 产出 50: the weighted row keeps 20, the two others share 30: 15 each.
    rows = [ind(OUT, "是", weight="20"), ind(OUT, "是"), ind(OUT, "是"), ind(BEN, "是")]
    assert points(*rows, ind(SAT, "是")) == ["20.00", "15.00", "15.00", "30.00", "10.00"]
    # Without 满意度, 产出 has 50 + 6.25 = 56.25: 20 and 36.25 / 2 = 18.125 → 18.13, 18.12.
    assert points(*rows) == ["20.00", "18.13", "18.12", "33.75"]


def test_some_weights_that_exceed_their_group_are_refused():
    with pytest.raises(ScoringError, match="“产出指标”各指标分值合计为 60，超过该组分值 50"):
        points(
            ind(OUT, "是", weight="35"),
            ind(OUT, "是", weight="25"),
            ind(OUT, "是"),
            ind(BEN, "是"),
            ind(SAT, "是"),
        )


def test_a_fully_weighted_group_must_add_up_to_its_points():
    # Every 产出 row weighted (20 + 20 = 40) while 效益 is not: 产出 must make 50.
    with pytest.raises(ScoringError, match="“产出指标”各指标分值合计为 40，应为 50"):
        points(
            ind(OUT, "是", weight="20"), ind(OUT, "是", weight="20"), ind(BEN, "是"), ind(SAT, "是")
        )


def test_some_weights_with_a_not_applicable_weighted_row():
    # 产出 50: A 20 (不适用), B 10, C unweighted = 50 − 30 = 20. A's 20 go to B and C 10 : 20:
    # B 10 + 6.666… = 16.67, C 20 + 13.333… = 33.33.
    got = points(
        ind(OUT, "是", None, weight="20"),
        ind(OUT, "是", weight="10"),
        ind(OUT, "是"),
        ind(BEN, "是"),
        ind(SAT, "是"),
    )
    assert got == ["0.00", "16.67", "33.33", "30.00", "10.00"]


def test_some_weights_whose_unweighted_rows_are_all_not_applicable():
    # 产出 50: A weighted 20, B unweighted but 不适用: B's share 30 goes to A, which gets 50.
    got = points(ind(OUT, "是", weight="20"), ind(OUT, "是", None), ind(BEN, "是"), ind(SAT, "是"))
    assert got == ["50.00", "0.00", "30.00", "10.00"]


def test_a_negative_weight_is_refused():
    with pytest.raises(ScoringError, match="分值不能为负数"):
        points(ind(OUT, "是", weight="-5"), ind(OUT, "是"), ind(BEN, "是"), ind(SAT, "是"))


# --- quantitative indicators ----------------------------------------------------------------


def test_positive_below_target_scores_in_proportion():
    # 12.5 × 150/200 = 9.375 → 9.38 (half-up).
    got = one("≥200条", "150", "12.5")
    assert (got.points, got.score, got.met, got.explanation_required) == (
        D("12.50"),
        D("9.38"),
        False,
        True,
    )


def test_positive_at_or_above_target_scores_full_points():
    got = one("≥200条", "212", "12.5")
    assert (got.score, got.met, got.explanation_required) == (D("12.50"), True, False)


def test_greater_than_is_scored_like_at_least():
    # ">" is positive: a = t reaches the target (rules.md: a ≥ t → w).
    assert one(">200条", "200", "10").score == D("10.00")


def test_equals_with_a_nonzero_target_is_positive():
    # 网络舆情处置率 100%, actual 98.21%: 12.5 × 0.9821 = 12.27625 → 12.28.
    assert one("100%", "98.21%", "12.5").score == D("12.28")
    # 工作及时完成率 100%, actual 94.44%: 12.5 × 0.9444 = 11.805 → 11.81 (half-up, not even).
    assert one("100%", "94.44%", "12.5").score == D("11.81")


def test_a_decimal_actual_is_used_as_is():
    # 10 × 150/200 = 7.50.
    assert one("≥200条", D("150"), "10").score == D("7.50")


def test_negative_actuals_count_as_zero():
    # Positive: a = max(−5, 0) = 0 → 10 × 0/200 = 0. Reverse ≤5: 0 ≤ 5 → full points.
    assert one("≥200条", "-5", "10").score == D("0.00")
    assert one("≤5次", "-3", "10").score == D("10.00")


def test_equals_zero_scores_full_points_only_at_or_below_zero():
    # 0起 (=0): a ≤ 0 → w, else 0.
    assert one("0起", "0", "10").score == D("10.00")
    assert one("0起", "-1", "10").score == D("10.00")
    got = one("0起", "1", "10")
    assert (got.score, got.met, got.explanation_required) == (D("0.00"), False, True)


def test_reverse_at_or_below_target_scores_full_points():
    # 预算控制率 ≤100%, actual 94.67% → 12.50.
    got = one("≤100%", "94.67%", "12.5")
    assert (got.score, got.met, got.overrun) == (D("12.50"), True, False)


def test_reverse_above_target_scores_target_over_actual():
    # ratio: 10 × 100/125 = 8.00.
    got = one("≤100%", "125%", "10")
    assert (got.score, got.met, got.explanation_required) == (D("8.00"), False, True)


def test_reverse_linear_formula():
    # linear: 10 × (1 − (125 − 100)/100) = 7.50; a = 199: 10 × (1 − 0.99) = 0.10;
    # a = 2t = 200 and beyond: 0. (ratio at 200 would be 10 × 100/200 = 5.00.)
    assert one("≤100%", "125%", "10", reverse_formula="linear").score == D("7.50")
    assert one("≤100%", "199%", "10", reverse_formula="linear").score == D("0.10")
    assert one("≤100%", "200%", "10", reverse_formula="linear").score == D("0.00")
    assert one("≤100%", "200%", "10").score == D("5.00")


def test_reverse_with_a_zero_target_scores_zero_above_it():
    # ≤0 with a = 1: t = 0 → 0 under either formula.
    assert one("≤0起", "1", "10").score == D("0.00")
    assert one("≤0起", "1", "10", reverse_formula="linear").score == D("0.00")


def test_overrun_needs_an_explanation_but_costs_nothing_by_default():
    # 200 × (1 + 30/100) = 260: 260 is an over-run, 259 is not.
    got = one("≥200条", "260", "12.5")
    assert (got.score, got.met, got.overrun, got.explanation_required) == (
        D("12.50"),
        True,
        True,
        True,
    )
    assert got.note == "超额完成30%以上，需说明原因"
    assert one("≥200条", "259", "12.5").overrun is False


def test_overrun_threshold_setting():
    # threshold 20: 200 × 1.2 = 240 is an over-run.
    assert one("≥200条", "240", "10", overrun_threshold="20").overrun is True
    assert one("≥200条", "239", "10", overrun_threshold="20").overrun is False


def test_overrun_deduction_setting():
    # 12.50 − 2 = 10.50; the target was met all the same.
    got = one("≥200条", "300", "12.5", overrun_deduction="2")
    assert (got.score, got.met, got.overrun) == (D("10.50"), True, True)
    assert got.note == "超额完成30%以上，扣2分"


def test_overrun_deduction_never_goes_below_zero():
    # 1.50 − 2 < 0 → 0.
    assert one("≥200条", "300", "1.5", overrun_deduction="2").score == D("0.00")


def test_reverse_indicators_never_overrun():
    # ≤100% with 10%: far below the target is simply met.
    got = one("≤100%", "10%", "10", overrun_deduction="2")
    assert (got.score, got.overrun, got.explanation_required) == (D("10.00"), False, False)


def test_an_empty_actual_scores_zero_with_a_note():
    got = one("≥200条", "", "10")
    assert (got.score, got.met, got.explanation_required, got.note) == (
        D("0.00"),
        False,
        True,
        "未填报实际完成值",
    )


def test_an_actual_without_a_number_scores_zero_with_a_note():
    got = one("≥200条", "完成了很多", "10")
    assert (got.score, got.note, got.explanation_required) == (
        D("0.00"),
        "实际完成值无法读出数字",
        True,
    )


def test_an_entered_score_is_refused_for_a_quantitative_indicator():
    with pytest.raises(ScoringError, match="定量指标的得分按公式计算"):
        score_indicator(parse_target("≥200条"), "150", D("10"), entered=D("9"))


# --- qualitative indicators -----------------------------------------------------------------


def test_met_takes_the_top_of_its_band():
    # 达成 80–100% of 7.50: 6.00–7.50, default the top.
    got = graded("是", "是", "7.5")
    assert (got.score, got.grade, got.band, got.met, got.explanation_required) == (
        D("7.50"),
        MET,
        (D("6.00"), D("7.50")),
        True,
        False,
    )


def test_partial_takes_the_bottom_of_its_band():
    # 部分达成 60–80% of 7.50: 4.50–6.00, default the bottom.
    got = graded("是", "部分达成", "7.5")
    assert (got.score, got.grade, got.band, got.met, got.explanation_required) == (
        D("4.50"),
        PARTIAL,
        (D("4.50"), D("6.00")),
        False,
        True,
    )


def test_unmet_takes_the_bottom_of_its_band():
    # 未达成 0–60% of 7.50: 0.00–4.50, default 0.
    got = graded("是", "未达成", "7.5")
    assert (got.score, got.grade, got.band) == (D("0.00"), UNMET, (D("0.00"), D("4.50")))


def test_band_ends_are_rounded_half_up():
    # 12.33 × 0.8 = 9.864 → 9.86; 12.33 × 0.6 = 7.398 → 7.40.
    assert graded("是", "部分达成", "12.33").band == (D("7.40"), D("9.86"))


def test_an_entered_score_inside_the_band_is_used():
    assert graded("是", "部分达成", "7.5", "5.25").score == D("5.25")
    assert graded("是", "部分达成", "7.5", "6").score == D("6.00")  # the top edge


def test_an_entered_score_outside_the_band_is_refused():
    with pytest.raises(ScoringError, match=r"完成等级为“部分达成”，得分应在 4\.50–6\.00 之间"):
        graded("是", "部分达成", "7.5", "6.5")


def test_words_that_say_no_grade_score_zero_and_need_an_explanation():
    got = graded("是", "效果不错", "7.5")
    assert (got.score, got.grade, got.band, got.note, got.explanation_required) == (
        D("0.00"),
        None,
        None,
        "无法判断完成等级",
        True,
    )
    with pytest.raises(ScoringError, match="无法判断完成等级"):
        graded("是", "效果不错", "7.5", "5")


def test_an_empty_qualitative_actual_scores_zero():
    assert graded("是", "", "7.5").note == "未填报实际完成值"


def test_a_quantitative_target_without_a_value_is_graded_by_words():
    # 定量（其他） has no value: 达到 → 达成, the top of 80–100% of 10.
    got = graded("定量（其他）", "达到", "10")
    assert (got.score, got.grade) == (D("10.00"), MET)


@pytest.mark.parametrize(
    ("setting", "value", "actual", "band", "score"),
    [
        # 10 points throughout.
        ("band_met_low", "70", "是", ("7.00", "10.00"), "10.00"),
        ("band_met_high", "90", "是", ("8.00", "9.00"), "9.00"),
        ("band_partial_low", "50", "部分达成", ("5.00", "8.00"), "5.00"),
        ("band_partial_high", "90", "部分达成", ("6.00", "9.00"), "6.00"),
        ("band_unmet_low", "10", "未达成", ("1.00", "6.00"), "1.00"),
        ("band_unmet_high", "50", "未达成", ("0.00", "5.00"), "0.00"),
    ],
)
def test_band_settings(setting, value, actual, band, score):
    got = graded("是", actual, "10", **{setting: value})
    assert got.band == (D(band[0]), D(band[1]))
    assert got.score == D(score)


def test_an_entered_score_follows_a_changed_band():
    # band_met_low 70: 7.00 is now allowed for 达成, 6.99 is not.
    assert graded("是", "是", "10", "7", band_met_low="70").score == D("7.00")
    with pytest.raises(ScoringError, match=r"得分应在 7\.00–10\.00 之间"):
        graded("是", "是", "10", "6.99", band_met_low="70")


# --- deadlines --------------------------------------------------------------------------------


def test_a_date_on_or_before_the_deadline_is_met():
    got = graded("2021年12月底前", "2021年11月20日", "10")
    assert (got.score, got.grade, got.met) == (D("10.00"), MET, True)
    # The actual's year defaults to the deadline's: 11月底完成 is 2021-11-30.
    assert graded("2021年12月底前", "11月底完成", "10").grade == MET
    assert graded("2021年12月底前", "2021年12月31日", "10").grade == MET


def test_a_date_after_the_deadline_is_partial_at_the_bottom_of_the_band():
    # 部分达成: 60% of 10 = 6.00.
    got = graded("2021年12月底前", "2022年1月10日", "10")
    assert (got.score, got.grade, got.explanation_required) == (D("6.00"), PARTIAL, True)
    assert got.note == "完成日期晚于期限（2021-12-31）"


def test_a_deadline_with_words_is_graded_by_the_words():
    assert graded("2021年12月底前", "按期完成", "10").score == D("10.00")
    assert graded("2021年12月底前", "未完成", "10").score == D("0.00")


# --- not applicable ---------------------------------------------------------------------------


def test_a_not_applicable_indicator_scores_nothing_and_needs_nothing():
    for got in (one("≥200条", None, "10"), one("不适用", "是", "10")):
        assert (got.points, got.score, got.not_applicable, got.met) == (
            D("0.00"),
            D("0.00"),
            True,
            True,
        )
        assert got.explanation_required is False


# --- execution --------------------------------------------------------------------------------


def test_execution_rate_and_score_of_the_issue_example():
    # 14.20 / 15.00 = 94.666… → 94.67%; 10 × 0.9467 = 9.467 → 9.47; 94.67 ≥ 90: no explanation.
    got = score_execution(D("15.00"), D("14.20"))
    assert (got.rate, got.points, got.score, got.explanation_required) == (
        D("94.67"),
        D("10.00"),
        D("9.47"),
        False,
    )


def test_execution_score_is_computed_from_the_rounded_rate():
    # 94646 / 100000 = 94.646% → 94.65; 10 × 0.9465 = 9.465 → 9.47 (the exact rate gives 9.46).
    assert score_execution(D("100000"), D("94646")).score == D("9.47")


def test_execution_over_100_percent_scores_full_points():
    # 16.50 / 15.00 = 110.00%; min(110, 100) → 10.00.
    got = score_execution(D("15.00"), D("16.50"))
    assert (got.rate, got.score) == (D("110.00"), D("10.00"))


def test_execution_below_90_percent_needs_an_explanation():
    # 8.9999 / 10 = 89.999% → 90.00: no explanation; 8.99 / 10 = 89.90% → explanation.
    assert score_execution(D("10"), D("8.9999")).explanation_required is False
    assert score_execution(D("10"), D("8.99")).explanation_required is True


def test_execution_explain_below_setting():
    # 85% is below 90 but not below 80.
    policy = Policy(execution_explain_below=D("80"))
    assert score_execution(D("100"), D("85"), policy).explanation_required is False
    assert score_execution(D("100"), D("79.99"), policy).explanation_required is True


def test_points_execution_setting():
    # points_execution 20: 20 × 0.9467 = 18.934 → 18.93.
    policy = Policy(points_execution=D("20"), points_output=D("40"))
    assert score_execution(D("15.00"), D("14.20"), policy).score == D("18.93")


def test_nothing_executed_scores_zero():
    got = score_execution(D("15"), D("0"))
    assert (got.rate, got.score, got.explanation_required) == (D("0.00"), D("0.00"), True)


def test_a_budget_of_zero_is_refused():
    with pytest.raises(ScoringError, match="全年预算数应大于0"):
        score_execution(D("0"), D("1"))


# --- the project ------------------------------------------------------------------------------


def test_demo_project_1_at_year_end():
    got = score_project(demo_project_1(), budget_total=D("15.00"), executed=D("14.20"))
    # 产出: 12.50; 12.5 × 0.9821 = 12.27625 → 12.28; 12.5 × 0.9444 = 11.805 → 11.81; 12.50.
    # 效益: 7.50 × 4. 满意度: 95.88 ≥ 90 → 10.00. Execution 9.47.
    # Total 12.50 + 12.28 + 11.81 + 12.50 + 30 + 10 + 9.47 = 98.56 → 优.
    assert [s.score for s in got.indicators] == [
        D(x) for x in ("12.50", "12.28", "11.81", "12.50", "7.50", "7.50", "7.50", "7.50", "10.00")
    ]
    assert (got.execution.score, got.total, got.grade, got.capped_from) == (
        D("9.47"),
        D("98.56"),
        "优",
        None,
    )


def full_marks() -> list[IndicatorInput]:
    return [ind(OUT, "是", "是"), ind(BEN, "是", "是"), ind(SAT, "是", "是")]


def test_the_execution_cap_is_off_by_default():
    # 90 + 10 × 0.45 = 94.50, not capped.
    got = score_project(full_marks(), budget_total=D("100"), executed=D("45"))
    assert (got.total, got.grade, got.capped_from) == (D("94.50"), "优", None)


def test_the_execution_cap_takes_the_lowest_threshold_under_the_rate():
    # Rate 45 is under 80, 70, 60 and 50: the cap of 50 applies, 59. 94.50 → 59.00, 差.
    policy = Policy(execution_cap=True)
    got = score_project(full_marks(), budget_total=D("100"), executed=D("45"), policy=policy)
    assert (got.total, got.grade, got.capped_from) == (D("59.00"), "差", D("94.50"))
    # Rate 75 is under 80 only: 90 + 7.5 = 97.50 → 89.00, 良.
    got = score_project(full_marks(), budget_total=D("100"), executed=D("75"), policy=policy)
    assert (got.total, got.grade, got.capped_from) == (D("89.00"), "良", D("97.50"))
    # Rate 80 is under no threshold: 98.00 stands.
    got = score_project(full_marks(), budget_total=D("100"), executed=D("80"), policy=policy)
    assert (got.total, got.capped_from) == (D("98.00"), None)


def test_the_execution_cap_leaves_a_lower_total_alone():
    # 未达成 everywhere: 0 + 4.50 (rate 45) = 4.50, below the cap of 59.
    rows = [ind(OUT, "是", "否"), ind(BEN, "是", "否"), ind(SAT, "是", "否")]
    policy = Policy(execution_cap=True)
    got = score_project(rows, budget_total=D("100"), executed=D("45"), policy=policy)
    assert (got.total, got.grade, got.capped_from) == (D("4.50"), "差", None)


def test_execution_caps_setting():
    # One cap: under 90% at most 95. Rate 85: 90 + 8.5 = 98.50 → 95.00.
    policy = Policy.from_mapping({"execution_cap": True, "execution_caps": [["90", "95"]]})
    got = score_project(full_marks(), budget_total=D("100"), executed=D("85"), policy=policy)
    assert (got.total, got.capped_from) == (D("95.00"), D("98.50"))


def test_the_total_adds_the_rounded_scores():
    # 产出 50 / 3 = 16.67, 16.67, 16.66; scores 16.67 × 1/3 = 5.5566… → 5.56 twice and
    # 16.66 × 1/3 = 5.5533… → 5.55; 效益 30, 满意度 10, execution 10:
    # 5.56 + 5.56 + 5.55 + 50 = 66.67.
    rows = [ind(OUT, "≥3个", "1")] * 3 + [ind(BEN, "是", "是"), ind(SAT, "是", "是")]
    got = score_project(rows, budget_total=D("1"), executed=D("1"))
    assert [s.score for s in got.indicators[:3]] == [D("5.56"), D("5.56"), D("5.55")]
    assert (got.total, got.grade) == (D("66.67"), "中")


def test_an_indicator_error_names_the_indicator():
    rows = [*full_marks(), ind(SAT, "是", "部分达成", score="9", name="服务对象满意度")]
    with pytest.raises(ScoringError, match="第 4 个指标“服务对象满意度”：完成等级为“部分达成”"):
        score_project(rows, budget_total=D("1"), executed=D("1"))


# --- score_json -------------------------------------------------------------------------------


ISSUE_EXAMPLE = {
    "budget": {"total": "15.00", "executed": "14.20"},
    "indicators": [
        {
            "level1": "产出指标",
            "level2": "数量指标",
            "level3": "舆情监测预警、研判分析数",
            "target": "≥200条",
            "actual": "230",
        },
        {
            "level1": "效益指标",
            "level2": "社会效益指标",
            "level3": "构建清朗网络空间",
            "target": "是",
            "actual": "部分达成",
            "score": None,
        },
    ],
    "settings": {},
}


def test_score_json_of_the_issue_example():
    got = score_json(ISSUE_EXAMPLE)
    # No 满意度: 产出 50 + 6.25 = 56.25, 效益 30 + 3.75 = 33.75. 230 ≥ 200 → 56.25 (230 < 260:
    # no over-run); 部分达成: 60% of 33.75 = 20.25 (band up to 80% = 27.00). Execution 9.47.
    # Total 56.25 + 20.25 + 9.47 = 85.97 → 良.
    assert [(i["points"], i["score"]) for i in got["indicators"]] == [
        ("56.25", "56.25"),
        ("33.75", "20.25"),
    ]
    assert got["indicators"][1]["grade"] == "部分达成"
    assert got["indicators"][1]["band"] == ["20.25", "27.00"]
    assert got["execution"] == {"rate": "94.67", "points": "10.00", "score": "9.47"}
    assert (got["total"], got["grade"]) == ("85.97", "良")
    assert list(got) == ["indicators", "execution", "total", "grade"]


def row(level1: str, target: str, actual: object, **more: object) -> dict[str, object]:
    return {
        "level1": level1,
        "level2": "",
        "level3": "x",
        "target": target,
        "actual": actual,
        **more,
    }


def test_score_json_takes_settings_weights_and_numbers():
    data = {
        "budget": {"total": 100, "executed": D("45")},
        "indicators": [
            row(OUT, "是", "是", weight="50"),
            row(BEN, "≥10次", 5, weight=30),
            row(SAT, "≥90%", None, weight=10),
        ],
        "settings": {"execution_cap": True},
    }
    got = score_json(data)
    # 满意度 is 不适用 and alone: its 10 go to a and b 50 : 30 → 56.25 and 33.75.
    # b: 33.75 × 5/10 = 16.875 → 16.88. Execution 10 × 0.45 = 4.50.
    # 56.25 + 16.88 + 4.50 = 77.63, under the cap of 59 for rate 45 → 59.00.
    assert [(i["points"], i["score"]) for i in got["indicators"]] == [
        ("56.25", "56.25"),
        ("33.75", "16.88"),
        ("0.00", "0.00"),
    ]
    assert (got["total"], got["grade"]) == ("59.00", "差")


def test_score_json_reads_deadlines_in_the_given_year():
    data = {
        "budget": {"total": "1", "executed": "1"},
        "indicators": [row(OUT, "12月底前", "11月30日")],
        "year": 2021,
    }
    assert score_json(data)["indicators"][0]["grade"] == MET


BUDGET = {"total": "1", "executed": "1"}


def test_score_json_reads_fractions_only_where_the_table_says_so():
    data = {"budget": BUDGET, "indicators": [row(SAT, "≥90%", "0.95", weight=90)]}
    got = score_json(data)["indicators"][0]
    # Ambiguous: 0 with the reason, a person's band 0–90.
    assert (got["score"], got["band"]) == ("0.00", ["0.00", "90.00"])
    data["indicators"][0]["fractions"] = True
    got = score_json(data)["indicators"][0]
    # 0.95 = 95% ≥ 90%: full marks.
    assert (got["score"], got["met"]) == ("90.00", True)
    data["indicators"][0]["actual"] = "0.8"
    # 80% of 90%: 90 × 80/90 = 80.00.
    assert score_json(data)["indicators"][0]["score"] == "80.00"
    data["indicators"][0]["fractions"] = "yes"
    with pytest.raises(ScoringError, match="第 1 个指标的 fractions 应为 true 或 false"):
        score_json(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "输入应是一个 JSON 对象"),
        ({"indicators": []}, "缺少 budget"),
        ({"budget": {"total": "1"}, "indicators": []}, r"缺少全年执行数（executed）"),
        ({"budget": {"total": "x", "executed": "1"}, "indicators": []}, "全年预算数“x”不是数字"),
        ({"budget": BUDGET}, "缺少 indicators"),
        ({"budget": BUDGET, "indicators": [], "extra": 1}, "未知的项：extra"),
        ({"budget": BUDGET, "indicators": [{"level1": OUT}]}, "第 1 个指标缺少 level2"),
        (
            {"budget": BUDGET, "indicators": [], "settings": {"no_such": 1}},
            "未知的规则设置“no_such”",
        ),
        ({"budget": BUDGET, "indicators": [], "year": "2021"}, "year 应为整数年度"),
        ({"budget": BUDGET, "indicators": [row(OUT, " ", "是")]}, "指标值为空"),
        ({"budget": BUDGET, "indicators": [row(OUT, "是", [1])]}, "实际完成值应为数字"),
    ],
)
def test_score_json_refuses_bad_input_in_chinese(data, message):
    with pytest.raises((ScoringError, PolicyError), match=message):
        score_json(data)


def test_score_json_refuses_a_misspelt_indicator_key():
    rows = [row(OUT, "是", "是", wieght=1)]
    with pytest.raises(ScoringError, match="第 1 个指标中有未知的项：wieght"):
        score_json({"budget": {"total": "1", "executed": "1"}, "indicators": rows})


# --- properties -------------------------------------------------------------------------------

LEVEL1S = st.sampled_from([OUT, BEN, SAT, "成本指标"])
ROWS = st.lists(st.tuples(LEVEL1S, st.booleans()), min_size=1, max_size=25)


@given(rows=ROWS, absent=st.sampled_from(["proportional", "output"]), cost=st.booleans())
def test_allocated_points_add_up_exactly_to_the_indicators_share(rows, absent, cost):
    indicators = [ind(level1, "是", "是" if ok else None) for level1, ok in rows]
    settings = {"absent_group": absent, "cost_in_output": cost}
    if not cost:
        settings.update(points_cost="7.5", points_output="42.5")
    got = [D(p) for p in points(*indicators, **settings)]
    expected = D(90) if any(ok for _, ok in rows) else D(0)
    assert sum(got) == expected
    assert all(p >= 0 and p == p.quantize(D("0.01")) for p in got)
    assert all(p == 0 for p, (_, ok) in zip(got, rows, strict=True) if not ok)


NUMBERS = st.decimals(min_value=-1000, max_value=100000, places=2, allow_nan=False)


@given(
    op=st.sampled_from(["≥", ">", "=", "<", "≤", ""]),
    target=st.decimals(min_value=0, max_value=10000, places=2),
    actual=NUMBERS,
    w=st.decimals(min_value=0, max_value=100, places=2),
    formula=st.sampled_from(["ratio", "linear"]),
    deduction=st.sampled_from(["0", "2", "200"]),
)
def test_a_score_is_never_negative_nor_above_its_points(op, target, actual, w, formula, deduction):
    policy = Policy.from_mapping({"reverse_formula": formula, "overrun_deduction": deduction})
    got = score_indicator(parse_target(f"{op}{target}%"), actual, w, policy)
    assert D(0) <= got.score <= got.points == w


@given(words=st.sampled_from(["是", "部分达成", "未达成", "基本完成", "差"]), w=NUMBERS)
def test_a_qualitative_default_score_lies_in_its_band(words, w):
    got = score_indicator(parse_target("是"), words, abs(w))
    assert got.band is not None
    assert got.band[0] <= got.score <= got.band[1] <= got.points
