"""Tests for amounts with units (jixiao.core.quantities) and for scoring and monitoring through it.

Each expected number is worked out in the comment beside it. The first group are the findings of
issue 10 (money units, fractions, a count against a percentage); the rest cover money, durations,
counts, percentages, per-unit rates and texts with several numbers.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixiao.core.monitoring import monitor_indicator
from jixiao.core.quantities import (
    COUNT,
    DURATION,
    MONEY,
    PERCENT,
    SCALE,
    Incomparable,
    Quantity,
    actual_in_target_unit,
    read_quantity,
    restate,
    unit_of,
)
from jixiao.core.reports import GREEN, RED
from jixiao.core.scoring import ScoringError, score_indicator
from jixiao.core.targets import parse_target

D = Decimal
F = Fraction
W = D("90")


def score(target: str, actual: str | Decimal, points: Decimal = W, **kw: object) -> Decimal:
    return score_indicator(parse_target(target, year=2021), actual, points, **kw).score  # type: ignore[arg-type]


def note(target: str, actual: str | Decimal, **kw: object) -> str | None:
    return score_indicator(parse_target(target, year=2021), actual, W, **kw).note  # type: ignore[arg-type]


def in_target_unit(target: str, actual: str, **kw: bool) -> Fraction | None:
    return actual_in_target_unit(parse_target(target, year=2021), actual, **kw)


# --- the findings of issue 10 --------------------------------------------------------------------


def test_a_money_limit_met_in_yuan_scores_full_marks() -> None:
    # ≤15万元 against 142000元 = 14.2万元 ≤ 15: met, 90 of 90 (was 0.01).
    assert in_target_unit("≤15万元", "142000元") == F("14.2")
    assert score("≤15万元", "142000元") == D("90.00")


def test_half_the_money_is_half_the_points_and_no_overrun() -> None:
    # ≥10万元 against 50000元 = 5万元: 90 × 5 / 10 = 45 (was full marks and "30% over").
    result = score_indicator(parse_target("≥10万元"), "50000元", W)
    assert result.score == D("45.00") and not result.met and not result.overrun


def test_a_fraction_against_a_percentage_is_not_scored_silently() -> None:
    # ≥90% against 0.95: 95% or 0.95%? Not 0.95 of 90: left for a person, with the reason.
    result = score_indicator(parse_target("≥90%"), "0.95", W)
    assert result.score == D("0.00") and result.explanation_required
    assert result.band == (D("0.00"), D("90.00"))  # a person may score it within 0–90
    assert result.note is not None
    assert "是比例还是百分数不明确" in result.note and "请填写“95%”" in result.note


def test_a_table_of_fractions_reads_0_95_as_95_percent() -> None:
    # The table says it writes fractions: 0.95 → 95% ≥ 90%: full marks.
    assert score("≥90%", "0.95", fractions=True) == D("90.00")
    # 0.855 → 85.5%: 90 × 85.5 / 90 = 85.5
    assert score("≥90%", "0.855", fractions=True) == D("85.50")


def test_a_count_target_refuses_a_percentage_actual() -> None:
    # ≥200条 against 95%: a count and a percentage are not compared (was 42.75).
    result = score_indicator(parse_target("≥200条"), "95%", W)
    assert result.score == D("0.00")
    assert result.note is not None
    reason = "计量单位不一致：指标值以“条”计（数量），实际完成值以“%”计（百分比）"
    assert result.note.startswith(reason)


def test_a_person_may_score_a_row_the_formula_cannot() -> None:
    # The reviewer reads 95% as 190 of 200 posts and gives 85.5 of 90.
    result = score_indicator(parse_target("≥200条"), "95%", W, entered=D("85.5"))
    assert result.score == D("85.50") and result.note is not None
    assert result.note.startswith("人工打分：计量单位不一致")
    with pytest.raises(ScoringError, match=r"人工打分应在 0–90\.00 之间"):
        score_indicator(parse_target("≥200条"), "95%", W, entered=D("91"))


def test_a_comparable_numeric_row_still_refuses_an_entered_score() -> None:
    with pytest.raises(ScoringError, match="定量指标的得分按公式计算"):
        score_indicator(parse_target("≥200条"), "230条", W, entered=D("80"))


def test_several_numbers_take_the_total() -> None:
    # 预警117条、研判95条，合计212条 → 212 ≥ 200: full marks.
    assert in_target_unit("≥200条", "预警117条、研判95条，合计212条") == 212
    assert score("≥200条", "预警117条、研判95条，合计212条") == D("90.00")


def test_several_numbers_without_a_total_ask() -> None:
    with pytest.raises(Incomparable, match="中有多个数字") as caught:
        in_target_unit("≥200条", "预警117条、研判95条")
    assert caught.value.ambiguous
    assert "请只填写一个数，或写明合计数" in (note("≥200条", "预警117条、研判95条") or "")


# --- money -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "actual", "expected"),
    [
        ("≤15万元", "15万元", F(15)),
        ("≤15万元", "150000元", F(15)),  # 150000 / 10000
        ("≤15万元", "150,000.00元", F(15)),
        ("≤15万元", "0.0015亿元", F(15)),  # 0.0015 × 10^8 / 10^4
        ("≤15万元", "150千元", F(15)),  # 150 × 1000 / 10000
        ("≥688450元", "68.845万元", F(688450)),  # 68.845 × 10000
        ("≤1.2亿元", "9000万元", F("0.9")),  # 9000 × 10^4 / 10^8
        ("≥10万元", "15万", F(15)),  # 万 alone takes the target's dimension: 150000元
        ("≥10万元", "12", F(12)),  # a bare number is in the target's unit
        ("≤1600元/亩", "0.15万元/亩", F(1500)),  # 0.15 × 10000 元 per 亩
        ("≤1600元/亩", "1500元/亩", F(1500)),
    ],
)
def test_money_converts_into_the_targets_unit(target: str, actual: str, expected: Fraction) -> None:
    assert in_target_unit(target, actual) == expected


@pytest.mark.parametrize(
    ("target", "actual", "points"),
    [
        ("≤15万元", "160000元", D("84.38")),  # 16万 > 15: 90 × 15 / 16 = 84.375 → 84.38
        ("≥20万元", "150000元", D("67.50")),  # 90 × 15 / 20
        ("≥20万元", "0.002亿元", D("90.00")),  # 20万元: met
        ("≤100万元", "1,000,000元", D("90.00")),  # 100万元: met at the limit
    ],
)
def test_money_scores_after_conversion(target: str, actual: str, points: Decimal) -> None:
    assert score(target, actual) == points


def test_money_against_a_count_is_refused() -> None:
    with pytest.raises(Incomparable, match="指标值以“万元”计（金额），实际完成值以“次”计（数量）"):
        in_target_unit("≥10万元", "12次")


# --- percentages -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        ("95%", F(95)),
        ("95", F(95)),  # a bare number above 1: percent points
        ("95.5％", F("95.5")),  # full-width per cent
        ("950‰", F(95)),  # 950 / 10
        ("0%", F(0)),
        ("0", F(0)),  # zero is zero either way
        ("100", F(100)),
    ],
)
def test_percentages_read_in_percent(actual: str, expected: Fraction) -> None:
    assert in_target_unit("≥90%", actual) == expected


@pytest.mark.parametrize("actual", ["0.95", "1", "0.5", "0.999"])
def test_a_bare_number_up_to_one_against_a_percentage_is_ambiguous(actual: str) -> None:
    with pytest.raises(Incomparable) as caught:
        in_target_unit("≥90%", actual)
    assert caught.value.ambiguous


def test_a_fraction_table_converts_only_bare_numbers() -> None:
    # With fractions on, 0.5 is 50%; an explicit 0.5% stays 0.5%; 95 stays 95%.
    assert in_target_unit("≤1%", "0.5", fractions=True) == 50
    assert in_target_unit("≤1%", "0.5%", fractions=True) == F("0.5")
    assert in_target_unit("≥90%", "95", fractions=True) == 95


def test_a_reverse_rate_in_per_mille() -> None:
    # ≤5‰ with 0.4% = 4‰: met; with 0.8% = 8‰: 90 × 5 / 8 = 56.25
    assert score("≤5‰", "0.4%") == D("90.00")
    assert score("≤5‰", "0.8%") == D("56.25")


# --- durations -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "actual", "expected"),
    [
        ("≥2年", "18个月", F(3, 2)),  # 18 × (365/12) / 365
        ("1年", "6个月", F(1, 2)),
        ("1年", "365天", F(1)),
        ("≥12个月", "1年", F(12)),
        ("≥12个月", "2个季度", F(6)),  # 2 × 3 months
        ("≤30天", "4周", F(28)),
        ("≤24小时", "1天", F(24)),
        ("≤2小时", "90分钟", F(3, 2)),
        ("≥1年", "0.5年", F(1, 2)),
        ("≥1年", "2个半年", F(1)),
    ],
)
def test_durations_convert_on_the_calendar(target: str, actual: str, expected: Fraction) -> None:
    assert in_target_unit(target, actual) == expected


def test_working_days_are_not_calendar_days() -> None:
    with pytest.raises(Incomparable, match="工作日数") as caught:
        in_target_unit("3个工作日以内", "2天")
    assert not caught.value.ambiguous
    assert in_target_unit("3个工作日以内", "2个工作日") == 2
    assert in_target_unit("3个工作日以内", "2工作日") == 2


def test_a_limit_on_time_met_in_other_units() -> None:
    # ≤24小时 answered in 0.5天 = 12 hours: met; in 2天 = 48 hours: 90 × 24 / 48 = 45
    assert score("≤24小时", "0.5天") == D("90.00")
    assert score("≤24小时", "2天") == D("45.00")


# --- counts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "actual", "expected"),
    [
        ("≥200条", "230条", F(230)),
        ("≥200条", "230", F(230)),
        ("≥200条", "1,230条", F(1230)),
        ("≥1.2万人次", "13000人次", F("1.3")),  # 13000 / 10000
        ("≥5000人次", "1.2万人次", F(12000)),
        ("≥200条", "0.1万条", F(1000)),
        ("≥500篇", "共发布信息 520 篇", F(520)),
        ("≥2次", "2次", F(2)),
        ("≥200条", "2万", F(20000)),  # 万 alone: 20000 条
    ],
)
def test_counts_keep_their_measure_word(target: str, actual: str, expected: Fraction) -> None:
    assert in_target_unit(target, actual) == expected


def test_different_measure_words_are_not_compared() -> None:
    with pytest.raises(Incomparable, match="指标值以“人次”计（数量），实际完成值以“人”计（数量）"):
        in_target_unit("≥5000人次", "4800人")


def test_counts_score_after_conversion() -> None:
    # ≥1.2万人次 with 9000人次 = 0.9万: 90 × 0.9 / 1.2 = 67.5
    assert score("≥1.2万人次", "9000人次") == D("67.50")


# --- several numbers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        ("预警117条、研判95条，合计212条", F(212)),
        ("一季度50条，二季度60条，共计110条", F(110)),
        ("上半年120条，下半年130条，总计：250条", F(250)),
        ("全年累计完成 230 条（其中预警 130 条）", F(230)),
        ("预警117条、研判95条，总共212", F(212)),
    ],
)
def test_the_total_among_several_numbers(actual: str, expected: Fraction) -> None:
    assert in_target_unit("≥200条", actual) == expected


def test_two_totals_are_ambiguous() -> None:
    with pytest.raises(Incomparable):
        in_target_unit("≥200条", "预警合计117条，研判合计95条")


# --- units, reading, restating ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "dimension", "factor"),
    [
        ("元", MONEY, F(1)),
        ("万元", MONEY, F(10**4)),
        ("亿元", MONEY, F(10**8)),
        ("%", PERCENT, F(1)),
        ("‰", PERCENT, F(1, 10)),
        ("年", DURATION, F(365)),
        ("个月", DURATION, F(365, 12)),
        ("条", f"{COUNT}:条", F(1)),
        ("万人次", f"{COUNT}:人次", F(10**4)),
        ("万", SCALE, F(10**4)),
        ("元/亩", "money/area", F(3, 2000)),
        ("元/学期", "money/other:学期", F(1)),
        ("分", "other:分", F(1)),
    ],
)
def test_unit_of(text: str, dimension: str, factor: Fraction) -> None:
    unit = unit_of(text)
    assert unit is not None and unit.dimension == dimension and unit.factor == factor


def test_no_unit_is_none() -> None:
    assert unit_of(None) is None and unit_of(" ") is None


def test_read_quantity() -> None:
    assert read_quantity("14.2万元") == Quantity(F("14.2"), unit_of("万元"))
    assert read_quantity("230") == Quantity(F(230), None)
    assert read_quantity("达成") is None
    assert read_quantity("") is None


def test_restate() -> None:
    assert restate(F(15), "万元", "元") == 150000
    assert restate(F(3, 2), "年", "个月") == 18
    assert restate(F(5), None, "元") == 5
    with pytest.raises(Incomparable):
        restate(F(5), "元", "%")


def test_a_number_from_the_metrics_engine_is_already_in_the_targets_unit() -> None:
    assert actual_in_target_unit(parse_target("≤15万元"), D("14.2")) == F("14.2")


# --- monitoring ------------------------------------------------------------------------------


def test_monitoring_converts_the_current_value() -> None:
    # ≤15万元 at 30 June with 72000元 = 7.2万 ≤ 15: green; an amount builds up, so the year
    # is projected by the elapsed share: 181/365 = 49.59%, 7.2 ÷ 0.4959 = 14.52 ≤ 15: 确定能.
    status = monitor_indicator(parse_target("≤15万元"), "72000元", date(2021, 6, 30), 2021)
    assert status.light == GREEN and status.projected == D("14.52")
    assert status.likelihood == "确定能"
    # ≤15万元 with 160000元 = 16万 > 15: red.
    status = monitor_indicator(parse_target("≤15万元"), "160000元", date(2021, 6, 30), 2021)
    assert status.light == RED


def test_monitoring_gives_no_light_to_what_cannot_be_compared() -> None:
    status = monitor_indicator(parse_target("≥200条"), "95%", date(2021, 6, 30), 2021)
    assert status.light is None and status.ratio is None
    assert status.projection_method.startswith("计量单位不一致")
    status = monitor_indicator(parse_target("≥90%"), "0.95", date(2021, 6, 30), 2021)
    assert status.light is None and "是比例还是百分数不明确" in status.projection_method
    status = monitor_indicator(
        parse_target("≥90%"), "0.95", date(2021, 6, 30), 2021, fractions=True
    )
    assert status.light == GREEN and status.projected == D("95.00")


# --- properties ------------------------------------------------------------------------------

# Units whose factors are powers of ten (so a restated value is still a terminating decimal).
_DECIMAL_UNITS = {
    MONEY: ["元", "千元", "万元", "百万元", "千万元", "亿元"],
    PERCENT: ["%", "‰"],
    "mass": ["吨", "公斤", "千克", "克"],
    "length": ["公里", "千米", "米"],
}
_ALL_UNITS = {
    **_DECIMAL_UNITS,
    DURATION: ["年", "半年", "季度", "个月", "周", "天", "小时", "分钟", "秒"],
    "area": ["平方米", "亩", "公顷", "平方公里"],
    "count:人次": ["人次", "万人次", "千人次", "百人次", "亿人次"],
}


@given(
    dimension=st.sampled_from(sorted(_ALL_UNITS)),
    data=st.data(),
    value=st.fractions(min_value=-(10**9), max_value=10**9, max_denominator=10**6),
)
def test_converting_there_and_back_is_exact(dimension: str, data: st.DataObject, value: F) -> None:
    a = data.draw(st.sampled_from(_ALL_UNITS[dimension]))
    b = data.draw(st.sampled_from(_ALL_UNITS[dimension]))
    assert restate(restate(value, a, b), b, a) == value


def _written(value: Fraction) -> str:
    """A terminating fraction as the decimal a table would print."""
    text = format(D(value.numerator) / D(value.denominator), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@given(
    dimension=st.sampled_from(sorted(_DECIMAL_UNITS)),
    op=st.sampled_from(["≥", "≤", "=", ">", "<"]),
    target_cents=st.integers(min_value=1, max_value=10**8),
    actual_cents=st.integers(min_value=0, max_value=10**8),
    data=st.data(),
)
def test_the_score_does_not_change_when_units_are_restated(
    dimension: str, op: str, target_cents: int, actual_cents: int, data: st.DataObject
) -> None:
    units = _DECIMAL_UNITS[dimension]
    unit_t, unit_a, other_t, other_a = (data.draw(st.sampled_from(units)) for _ in range(4))
    t, a = F(target_cents, 100), F(actual_cents, 100)
    first = score(f"{op}{_written(t)}{unit_t}", f"{_written(a)}{unit_a}")
    again = score(
        f"{op}{_written(restate(t, unit_t, other_t))}{other_t}",
        f"{_written(restate(a, unit_a, other_a))}{other_a}",
    )
    assert first == again
