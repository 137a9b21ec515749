"""Tests for the monitoring maths (jixiao.core.monitoring): every number computed by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from jixiao.core.document import ParsedTarget
from jixiao.core.monitoring import (
    IndicatorStatus,
    elapsed_share,
    light_for,
    monitor_budget,
    monitor_indicator,
    plan_curve,
    plan_percent_at,
    time_progress,
)
from jixiao.core.policy import DEFAULT, Policy
from jixiao.core.reports import BLUE, GREEN, RED, YELLOW
from jixiao.core.targets import parse_target

JUNE_30 = date(2021, 6, 30)  # day 181 of 365
SEED_PLAN = [(3, D("25")), (6, D("50")), (10, D("75")), (12, D("100"))]
NO_BLUE_REASON = Policy(reason_on_blue=False)


def status(
    target: str,
    current: D | str | None,
    as_of: date = JUNE_30,
    *,
    policy: Policy = DEFAULT,
    target_text: str | None = None,
) -> IndicatorStatus:
    """Monitor a target text of 2021 (parsed as the importers parse it)."""
    parsed = parse_target(target, year=2021)
    return monitor_indicator(parsed, current, as_of, 2021, policy, target_text=target_text)


# --- 序时进度 ----------------------------------------------------------------------------------


def test_elapsed_share_is_exact_day_of_year_over_days_in_year():
    # 2021-06-30: 31+28+31+30+31+30 = day 181 of 365
    assert elapsed_share(JUNE_30, 2021) == D(181) / D(365)
    assert str(elapsed_share(JUNE_30, 2021)) == "0.4958904109589041095890410959"


def test_time_progress_rounds_the_share_to_percent():
    # 181 / 365 = 0.495890… → 49.59
    assert time_progress(JUNE_30, 2021) == D("49.59")
    # 1 January is day 1: 1 / 365 = 0.0027397… → 0.27
    assert time_progress(date(2021, 1, 1), 2021) == D("0.27")
    assert time_progress(date(2021, 12, 31), 2021) == D("100.00")


def test_time_progress_in_a_leap_year_counts_366_days():
    # 2020-06-30: 31+29+31+30+31+30 = day 182 of 366 = 0.497267… → 49.73
    assert elapsed_share(date(2020, 6, 30), 2020) == D(182) / D(366)
    assert time_progress(date(2020, 6, 30), 2020) == D("49.73")
    assert elapsed_share(date(2020, 12, 31), 2020) == D(1)


def test_share_is_zero_before_the_year_and_one_after_it():
    assert elapsed_share(date(2020, 12, 31), 2021) == D(0)
    assert time_progress(date(2020, 12, 31), 2021) == D("0.00")
    assert elapsed_share(date(2022, 1, 1), 2021) == D(1)
    assert time_progress(date(2022, 3, 1), 2021) == D("100.00")


# --- the spending plan -------------------------------------------------------------------------


def test_plan_at_a_checkpoint_is_the_checkpoint():
    assert plan_percent_at(SEED_PLAN, JUNE_30, 2021) == D("50.00")
    assert plan_percent_at(SEED_PLAN, date(2021, 3, 31), 2021) == D("25.00")
    assert plan_percent_at(SEED_PLAN, date(2021, 12, 31), 2021) == D("100.00")


def test_plan_interpolates_linearly_in_days_between_checkpoints():
    # 04-15 = day 105; Mar 31 = day 90 → 25, Jun 30 = day 181 → 50:
    # 25 + 25 × (105 − 90) / (181 − 90) = 25 + 4.1208… = 29.12
    assert plan_percent_at(SEED_PLAN, date(2021, 4, 15), 2021) == D("29.12")


def test_plan_before_the_first_checkpoint_starts_from_zero_on_1_january():
    # 02-15 = day 46: 25 × 46 / 90 = 12.777… → 12.78
    assert plan_percent_at(SEED_PLAN, date(2021, 2, 15), 2021) == D("12.78")


def test_plan_outside_the_year_is_zero_before_and_the_year_end_value_after():
    assert plan_percent_at(SEED_PLAN, date(2020, 12, 31), 2021) == D("0")
    assert plan_percent_at(SEED_PLAN, date(2022, 1, 10), 2021) == D("100.00")
    # A plan ending at 90% in December stays at 90 after the year
    assert plan_percent_at([(12, D("90"))], date(2022, 1, 10), 2021) == D("90.00")


def test_plan_ending_before_december_continues_to_100_at_year_end():
    plan = [(6, D("50")), (10, D("80"))]
    # 11-30 = day 334, Oct 31 = day 304, Dec 31 = day 365: 80 + 20 × 30 / 61 = 89.836… → 89.84
    assert plan_percent_at(plan, date(2021, 11, 30), 2021) == D("89.84")
    assert plan_percent_at(plan, date(2021, 12, 31), 2021) == D("100.00")
    assert plan_percent_at(plan, date(2022, 2, 1), 2021) == D("100.00")


def test_plan_already_at_100_before_december_stays_there():
    plan = [(6, D("50")), (10, D("100"))]
    assert plan_percent_at(plan, date(2021, 11, 30), 2021) == D("100.00")
    # 110 (over-planned) stays 110, it is not pulled down to 100
    assert plan_percent_at([(10, D("110"))], date(2021, 11, 30), 2021) == D("110.00")


def test_plan_without_checkpoints_is_the_time_progress():
    assert plan_percent_at([], JUNE_30, 2021) == D("49.59")
    # 04-15 = day 105: 100 × 105 / 365 = 28.767… → 28.77
    assert plan_percent_at([], date(2021, 4, 15), 2021) == D("28.77")


def test_plan_going_down_between_checkpoints_is_used_as_given():
    plan = [(6, D("60")), (9, D("40"))]
    # 07-31 = day 212, Jun 30 = day 181, Sep 30 = day 273:
    # 60 + (40 − 60) × (212 − 181) / (273 − 181) = 60 − 6.7391… = 53.26
    assert plan_percent_at(plan, date(2021, 7, 31), 2021) == D("53.26")


def test_plan_checkpoints_are_sorted_by_month():
    unsorted = [(12, D("100")), (6, D("50")), (3, D("25")), (10, D("75"))]
    assert plan_percent_at(unsorted, date(2021, 4, 15), 2021) == D("29.12")


def test_plan_in_a_leap_year_uses_leap_days():
    # 2020-03-31 = day 91 (31+29+31), Jun 30 = day 182: 50 × 91 / 182 = 25.00
    assert plan_percent_at([(6, D("50")), (12, D("100"))], date(2020, 3, 31), 2020) == D("25.00")


def test_plan_refuses_a_month_outside_1_to_12():
    with pytest.raises(ValueError, match="1–12"):
        plan_percent_at([(13, D("100"))], JUNE_30, 2021)


def test_plan_curve_gives_the_plan_at_each_month_end():
    curve = plan_curve(SEED_PLAN, 2021)
    assert len(curve) == 12
    # Jan 31: 25 × 31 / 90 = 8.611… → 8.61
    assert curve[0] == (date(2021, 1, 31), D("8.61"))
    assert curve[1] == (date(2021, 2, 28), D("16.39"))  # 25 × 59 / 90 = 16.388…
    # Jul 31 = day 212: 50 + 25 × (212 − 181) / (304 − 181) = 50 + 6.3008… = 56.30
    assert curve[6] == (date(2021, 7, 31), D("56.30"))
    # Nov 30 = day 334: 75 + 25 × (334 − 304) / (365 − 304) = 75 + 12.295… = 87.30
    assert curve[10] == (date(2021, 11, 30), D("87.30"))
    assert curve[11] == (date(2021, 12, 31), D("100.00"))


# --- lights ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ratio", "light"),
    [
        ("0", RED),
        ("59.99", RED),
        ("60", YELLOW),
        ("79.99", YELLOW),
        ("80", GREEN),
        ("119.99", GREEN),
        ("120", BLUE),
        ("300", BLUE),
    ],
)
def test_light_band_edges(ratio: str, light: str):
    assert light_for(D(ratio)) == light


def test_no_ratio_has_no_light():
    assert light_for(None) is None


def test_light_bands_follow_the_settings():
    policy = Policy(light_yellow=D("50"), light_green=D("70"), light_blue=D("110"))
    assert light_for(D("49.99"), policy) == RED
    assert light_for(D("55"), policy) == YELLOW  # red by default
    assert light_for(D("75"), policy) == GREEN  # yellow by default
    assert light_for(D("110"), policy) == BLUE  # green by default


def test_light_is_set_from_the_rounded_ratio():
    # 79.995 / 100 × 100 = 79.995 → 80.00 (half-up) → green, not yellow
    result = status("100%", D("79.995"))
    assert result.ratio == D("80.00")
    assert result.light == GREEN


# --- positive cumulative -----------------------------------------------------------------------


def test_positive_cumulative_demo_at_june_30():
    result = status("≥200条", D("93"))
    # expected 200 × 181 / 365 = 99.178… → 99.18
    assert result.expected == D("99.18")
    # v = 93 / 99.178… × 100 = 33945 / 362 = 93.770… → 93.77
    assert result.ratio == D("93.77")
    assert result.light == GREEN
    # projected 93 / (181/365) = 33945 / 181 = 187.541… → 187.54
    assert result.projected == D("187.54")
    assert result.projection_method == "按序时进度推算：93 ÷ 49.59% = 187.54"
    # 187.54 / 200 = 93.77% ≥ 60 but < 100 → 有可能
    assert result.likelihood == "有可能"
    assert result.reason_required is False


def test_positive_cumulative_ahead_of_plan_is_blue_and_certain():
    result = status("≥200条", D("120"))
    # v = 120 × 365 / 362 = 120.99… → blue; projected 120 × 365 / 181 = 241.99 ≥ 200
    assert result.ratio == D("120.99")
    assert result.light == BLUE
    assert result.projected == D("241.99")
    assert result.likelihood == "确定能"
    assert result.reason_required is True  # blue asks for a reason by default


def test_positive_cumulative_far_behind_is_red_and_impossible():
    result = status("≥200条", D("50"))
    # v = 50 × 365 / 362 = 50.41 → red; projected 18250 / 181 = 100.83; 100.83 / 200 = 50.41% < 60
    assert result.ratio == D("50.41")
    assert result.light == RED
    assert result.projected == D("100.83")
    assert result.likelihood == "完全不可能"
    assert result.reason_required is True


def test_current_text_with_a_number_and_thousands_separator_is_read_as_that_number():
    # at year end the share is 1: v = 1000 / 2000 × 100 = 50.00
    result = status("≥2000条", "1,000条", date(2021, 12, 31))
    assert result.ratio == D("50.00")
    assert result.light == RED


def test_negative_current_counts_as_zero_for_a_positive_target():
    result = status("≥200条", D("-5"))
    assert result.ratio == D("0.00")
    assert result.light == RED
    assert result.projected == D("0.00")
    assert result.likelihood == "完全不可能"


def test_cumulative_before_the_year_has_no_ratio_and_no_projection():
    result = status("≥200条", D("10"), date(2020, 12, 31))
    assert result.expected == D("0.00")  # 200 × 0
    assert result.ratio is None
    assert result.light is None
    assert result.projected is None
    assert result.projection_method == "年度尚未开始，无法预计"
    assert result.likelihood is None


def test_cumulative_after_the_year_compares_with_the_whole_target():
    result = status("≥200条", D("190"), date(2022, 1, 5))
    # share 1: v = 190 / 200 = 95.00; projected 190 / 1 = 190.00
    assert result.expected == D("200.00")
    assert result.ratio == D("95.00")
    assert result.projected == D("190.00")
    assert result.likelihood == "有可能"


# --- positive level ----------------------------------------------------------------------------


def test_positive_level_compares_with_the_target_directly():
    result = status("100%", D("92.31"))
    # v = 92.31 / 100 × 100 = 92.31, not scaled by the elapsed share
    assert result.expected == D("100")
    assert result.ratio == D("92.31")
    assert result.light == GREEN
    assert result.projected == D("92.31")
    assert result.projection_method == "比率类指标按当前水平预计"
    # 92.31 < 100 but ≥ 60 → 有可能
    assert result.likelihood == "有可能"
    assert result.reason_required is False


def test_level_current_as_percent_text():
    # "98%" → 98; v = 98 / 90 × 100 = 108.888… → 108.89; projected 98 ≥ 90 → 确定能
    result = status("≥90%", "98%")
    assert result.ratio == D("108.89")
    assert result.light == GREEN
    assert result.likelihood == "确定能"


def test_a_running_duration_accrues_with_the_year():
    # rules.md §2: 1年 运行期限 at 30 June 2021 (181 of 365 days): expected 181/365 = 0.4959年
    # → 0.50; v = 0.5 / 0.49589 × 100 = 100.83 → green; on plan, so the year ends at 1年: 确定能.
    result = status("1年", "0.5年")
    assert result.expected == D("0.50")
    assert result.ratio == D("100.83")
    assert result.light == GREEN
    assert result.reason_required is False
    assert result.projected == D("1")
    assert result.projection_method == "期限类指标随时间累积，按持续运行预计为1年"
    assert result.likelihood == "确定能"


def test_a_running_duration_in_months_and_days():
    # ≥12个月 at 30 June with 6个月: elapsed 12 × 181/365 = 5.9507 → 5.95; v = 6 / 5.9507 = 100.83
    result = status("≥12个月", "6个月")
    assert (result.expected, result.ratio, result.light) == (D("5.95"), D("100.83"), GREEN)
    assert result.projected == D("12") and result.likelihood == "确定能"
    # The same in days: 365天 with 181天: elapsed 181 days, v = 100.00
    result = status("365天", "181天")
    assert (result.expected, result.ratio, result.light) == (D("181.00"), D("100.00"), GREEN)


def test_a_duration_longer_than_the_year_is_on_plan_with_the_time_elapsed():
    # ≥2年 项目效益持续期限 at 30 June with 0.5年: expected min(2, 0.4959) = 0.50 → green, and
    # while it keeps running the projection is the target itself, 2年.
    result = status("≥2年", "0.5年")
    assert (result.expected, result.light, result.projected) == (D("0.50"), GREEN, D("2"))
    # Started before the year (1.5年 already): still green, not blue (no over-run to explain).
    assert status("≥2年", "1.5年").light == GREEN


def test_a_running_duration_behind_the_calendar():
    # 1年 at 30 June with 0.2年 (stopped for a while): v = 0.2 / 0.49589 = 40.33 → red; the rest
    # of the year adds 184/365 = 0.5041: 0.2 + 0.5041 = 0.70 → 70% of 1年 → 有可能.
    result = status("1年", "0.2年")
    assert (result.ratio, result.light) == (D("40.33"), RED)
    assert result.projected == D("0.70") and result.likelihood == "有可能"
    assert result.projection_method == "期限类指标随时间累积：0.2 + 年内剩余 0.50 = 0.70"


def test_a_limit_on_time_stays_a_reverse_level():
    # 3个工作日以内 (≤): how long something takes, not a duration that runs.
    result = status("≤3个工作日", "2个工作日")
    assert (result.expected, result.light, result.projected) == (D("3"), GREEN, D("2.00"))
    assert status("≤3个工作日", "4个工作日").light == RED


def test_positive_zero_target_has_no_ratio_and_is_green_when_reached():
    assert status("≥0%", D("2")).light == GREEN
    assert status("≥0%", D("2")).ratio is None
    assert status("≥0%", D("-3")).light == RED  # a fall below a "no decrease" target


# --- reverse -----------------------------------------------------------------------------------


def test_reverse_at_or_under_the_target_is_green():
    result = status("≤100%", D("46.36"))
    assert result.expected == D("100")
    assert result.ratio is None
    assert result.light == GREEN
    assert result.projected == D("46.36")
    assert result.likelihood == "确定能"  # 46.36 ≤ 100
    assert result.reason_required is False
    assert status("≤100%", D("100")).light == GREEN


def test_reverse_over_the_target_is_red_and_asks_for_a_reason():
    result = status("≤100%", D("101"))
    assert result.light == RED
    assert result.likelihood == "有可能"
    assert result.reason_required is True


def test_reverse_cumulative_is_projected_by_the_elapsed_share():
    result = status("≤90万元", D("46"))
    # green now (46 ≤ 90); projected 46 × 365 / 181 = 92.762… → 92.76 > 90 → 有可能
    assert result.light == GREEN
    assert result.expected == D("90")
    assert result.projected == D("92.76")
    assert result.projection_method == "按序时进度推算：46 ÷ 49.59% = 92.76"
    assert result.likelihood == "有可能"


def test_equals_zero_is_reverse():
    zero = status("=0起", D("0"))
    assert zero.light == GREEN
    assert zero.ratio is None
    assert zero.likelihood == "确定能"
    one = status("=0起", D("1"))
    # projected 1 × 365 / 181 = 2.016… → 2.02 > 0
    assert one.light == RED
    assert one.projected == D("2.02")
    assert one.likelihood == "有可能"
    assert one.reason_required is True


# --- reason settings ---------------------------------------------------------------------------


def test_blue_needs_no_reason_when_reason_on_blue_is_off():
    # v = 130 / 100 × 100 = 130 → blue
    assert status("100%", D("130")).reason_required is True
    result = status("100%", D("130"), policy=NO_BLUE_REASON)
    assert result.light == BLUE
    assert result.reason_required is False


def test_overrun_of_the_annual_target_asks_for_a_reason_in_hebei_mode():
    hebei = Policy(reason_on_blue=False, monitoring_overrun_reason=True)
    # 116 > 100 × (1 + 15/100) = 115: the light is green (v 116) but a reason is asked
    assert status("100%", D("116"), policy=hebei).light == GREEN
    assert status("100%", D("116"), policy=hebei).reason_required is True
    assert status("100%", D("115"), policy=hebei).reason_required is False
    assert status("100%", D("116"), policy=NO_BLUE_REASON).reason_required is False
    # Compared with the ANNUAL target: 231 > 200 × 1.15 = 230, 230 is not
    assert status("≥200条", D("231"), policy=hebei).reason_required is True
    assert status("≥200条", D("230"), policy=hebei).reason_required is False


def test_overrun_threshold_is_a_setting():
    policy = Policy(monitoring_overrun_reason=True, monitoring_overrun_threshold=D("10"))
    # 111 > 100 × 1.10 = 110 (green, v 111), 110 is not
    assert status("100%", D("111"), policy=policy).reason_required is True
    assert status("100%", D("110"), policy=policy).reason_required is False


def test_overrun_rule_ignores_reverse_targets():
    hebei = Policy(monitoring_overrun_reason=True)
    assert status("≤100%", D("50"), policy=hebei).reason_required is False


# --- qualitative and deadlines -----------------------------------------------------------------


def test_qualitative_met_is_green_and_certain():
    result = status("是", "是", target_text="是")
    assert result.expected == "是"
    assert result.light == GREEN
    assert result.projected == "是"
    assert result.projection_method == "定性指标按当前完成情况预计"
    assert result.likelihood == "确定能"
    assert result.reason_required is False


def test_qualitative_expected_is_达成_without_the_target_text():
    assert status("达到", "达到").expected == "达成"


def test_qualitative_partial_and_unmet():
    partial = status("是", "部分达成")
    assert (partial.light, partial.likelihood, partial.reason_required) == (YELLOW, "有可能", True)
    unmet = status("是", "否")
    assert (unmet.light, unmet.likelihood, unmet.reason_required) == (RED, "有可能", True)


def test_qualitative_grades_whole_words_only():
    assert status("是", " 是。").light == GREEN
    assert status("是", "不是").light == RED  # a negation of 是, not the word 是
    assert status("是", "是否").light is None  # contains 是 but is no word of the table
    unknown = status("是", "效果很好")
    assert (unknown.light, unknown.likelihood, unknown.projected) == (None, None, "效果很好")


def test_qualitative_without_a_value():
    result = status("是", None)
    assert (result.light, result.projected, result.likelihood) == (None, None, None)
    assert result.projection_method == "尚无完成值，无法预计"


def test_deadline_not_yet_due_is_green_unless_reported_unmet():
    pending = status("2021年12月底前", None)
    assert pending.light == GREEN
    assert pending.projected == "按期完成"
    assert pending.projection_method == "时限指标按截止日期判断"
    assert pending.likelihood == "确定能"
    failed = status("2021年12月底前", "未完成")
    assert (failed.light, failed.likelihood, failed.reason_required) == (RED, "有可能", True)
    # On the deadline day itself it is still on time
    assert status("2021年6月底前", None, JUNE_30).light == GREEN


def test_deadline_past_due_is_green_only_when_met():
    july_15 = date(2021, 7, 15)
    assert status("2021年6月底前", "已完成", july_15).light == GREEN
    assert status("2021年6月底前", "部分完成", july_15).light == RED
    missing = status("2021年6月底前", None, july_15)
    assert (missing.light, missing.projected, missing.likelihood) == (RED, None, "有可能")


# --- nothing to compare ------------------------------------------------------------------------


def test_no_current_value_has_no_light_and_no_projection():
    for current in (None, "", "  "):
        result = status("≥200条", current)
        assert result.expected == D("99.18")
        assert (result.ratio, result.light, result.projected) == (None, None, None)
        assert result.projection_method == "尚无完成值，无法预计"
        assert result.likelihood is None
        assert result.reason_required is False


def test_current_text_without_a_number_cannot_be_compared():
    result = status("≥200条", "进行中")
    assert (result.light, result.projected) == (None, None)
    assert result.projection_method == "完成值无法读出数字，无法预计"


def test_quantitative_target_without_a_value_has_no_light():
    result = status("定量（其他）", D("5"))
    assert (result.expected, result.ratio, result.light, result.likelihood) == (
        None,
        None,
        None,
        None,
    )
    assert result.projected == D("5.00")  # the current level is still a projection


def test_not_applicable_target_is_not_monitored():
    result = monitor_indicator(ParsedTarget("not_applicable"), D("5"), JUNE_30, 2021)
    assert (result.light, result.projected, result.reason_required) == (None, None, False)


# --- budget ------------------------------------------------------------------------------------


def test_budget_demo_project_1_at_june_30():
    result = monitor_budget(D("15"), D("6.954046"), SEED_PLAN, JUNE_30, 2021)
    assert result.plan_percent == D("50.00")
    assert result.planned == D("7.50")  # 15 × 50 / 100
    assert result.ratio == D("92.72")  # 6.954046 / 7.50 × 100 = 92.7206…
    assert result.light == GREEN
    assert result.reason_required is False
    assert result.execution_rate == D("46.36")  # 6.954046 / 15 × 100 = 46.3603…
    assert result.time_progress == D("49.59")


def test_budget_lights_and_reasons():
    # planned 7.50: 3 / 7.5 = 40 → red; 5.25 / 7.5 = 70 → yellow; 9 / 7.5 = 120 → blue
    red = monitor_budget(D("15"), D("3"), SEED_PLAN, JUNE_30, 2021)
    assert (red.ratio, red.light, red.reason_required) == (D("40.00"), RED, True)
    yellow = monitor_budget(D("15"), D("5.25"), SEED_PLAN, JUNE_30, 2021)
    assert (yellow.ratio, yellow.light, yellow.reason_required) == (D("70.00"), YELLOW, True)
    blue = monitor_budget(D("15"), D("9"), SEED_PLAN, JUNE_30, 2021)
    assert (blue.ratio, blue.light, blue.reason_required) == (D("120.00"), BLUE, True)
    calm = monitor_budget(D("15"), D("9"), SEED_PLAN, JUNE_30, 2021, NO_BLUE_REASON)
    assert (calm.light, calm.reason_required) == (BLUE, False)


def test_budget_light_bands_follow_the_settings():
    policy = Policy(light_green=D("95"))
    # 92.72 < 95 → yellow instead of green
    result = monitor_budget(D("15"), D("6.954046"), SEED_PLAN, JUNE_30, 2021, policy)
    assert (result.light, result.reason_required) == (YELLOW, True)


def test_budget_without_a_budget_has_no_planned_amount_or_light():
    result = monitor_budget(None, D("6"), SEED_PLAN, JUNE_30, 2021)
    assert result.plan_percent == D("50.00")
    assert (result.planned, result.execution_rate, result.ratio, result.light) == (
        None,
        None,
        None,
        None,
    )
    assert result.reason_required is False


def test_budget_before_the_year_plans_nothing():
    result = monitor_budget(D("15"), D("0"), SEED_PLAN, date(2020, 12, 31), 2021)
    assert result.planned == D("0.00")
    assert (result.ratio, result.light) == (None, None)
    assert result.execution_rate == D("0.00")
    assert result.time_progress == D("0.00")


def test_budget_of_zero_has_no_execution_rate():
    result = monitor_budget(D("0"), D("0"), SEED_PLAN, JUNE_30, 2021)
    assert (result.planned, result.execution_rate, result.ratio) == (D("0.00"), None, None)


PLAN = [(3, D("25")), (6, D("50")), (9, D("75")), (12, D("100"))]


def spending(target: str, current: str, name: str, plan=PLAN) -> IndicatorStatus:
    return monitor_indicator(
        parse_target(target, year=2021), current, JUNE_30, 2021, name=name, plan=plan
    )


def test_a_spending_rate_follows_the_spending_plan():
    # 预算执行率 ≥90% at 30 June, plan 50% by June: expected 90 × 50/100 = 45.00; actual 45%:
    # v = 100.00 → green; the rest of the year as planned adds 100 − 50: 45 + 50 = 95% ≥ 90.
    result = spending("≥90%", "45%", "预算执行率")
    assert (result.expected, result.ratio, result.light) == (D("45.00"), D("100.00"), GREEN)
    assert result.projected == D("95.00") and result.likelihood == "确定能"
    assert result.projection_method == "按资金支出计划预计：45% + 计划年内剩余 50.00% = 95.00%"


def test_a_budget_control_rate_is_projected_by_the_plan_not_todays_value():
    # 预算控制率 ≤100% (a limit): 45% today → 95% at year end ≤ 100: green, 确定能 (the old
    # projection repeated 45%). 60% today → 110% > 100: still green today, 有可能.
    result = spending("≤100%", "45%", "预算控制率")
    assert (result.light, result.projected, result.likelihood) == (GREEN, D("95.00"), "确定能")
    result = spending("≤100%", "60%", "预算控制率")
    assert (result.light, result.projected, result.likelihood) == (GREEN, D("110.00"), "有可能")


def test_a_spending_rate_behind_the_plan():
    # ≥95% 资金支出率 with 20% at 30 June: expected 95 × 0.5 = 47.50; v = 20 / 47.5 = 42.11 → red;
    # 20 + 50 = 70% → 70 / 95 = 73.68% ≥ 60 → 有可能.
    result = spending("≥95%", "20%", "资金支出率")
    assert (result.expected, result.ratio, result.light) == (D("47.50"), D("42.11"), RED)
    assert (result.projected, result.likelihood) == (D("70.00"), "有可能")


def test_other_rates_and_rates_without_a_plan_stay_levels():
    # Not a spending rate by name: a level, projected at today's value.
    assert spending("≥90%", "45%", "网络舆情处置率").projected == D("45.00")
    # No spending plan given: the same.
    assert spending("≥90%", "45%", "预算执行率", plan=None).projected == D("45.00")
