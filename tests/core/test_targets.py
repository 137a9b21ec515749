"""Tests for the target parser (jixiao.core.targets): real forms, columns, kinds and properties."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixiao.core.document import ParsedTarget
from jixiao.core.targets import (
    KINDS,
    OPS,
    direction,
    is_cumulative,
    is_target_like,
    looks_corrupted,
    normalize_op,
    parse_target,
    split_target,
)

Q = "quantitative"

# (text, kind, op, value, unit): forms taken from published tables (rules.md §2, the corpus).
REAL_FORMS = [
    # symbols
    ("≥200条", Q, ">=", "200", "条"),
    ("≧95%", Q, ">=", "95", "%"),
    (">=90%", Q, ">=", "90", "%"),
    ("＞＝90％", Q, ">=", "90", "%"),
    ("≥ 90 %", Q, ">=", "90", "%"),
    ("≥1,000条", Q, ">=", "1000", "条"),
    ("=300天", Q, "=", "300", "天"),
    ("═100%", Q, "=", "100", "%"),
    ("＝100%", Q, "=", "100", "%"),
    ("<=5万元", Q, "<=", "5", "万元"),
    ("≤100%", Q, "<=", "100", "%"),
    ("＜5%", Q, "<", "5", "%"),
    (">92%", Q, ">", "92", "%"),
    ("≥80M", Q, ">=", "80", "M"),
    (">=101人/次", Q, ">=", "101", "人/次"),
    ("≥1人/年", Q, ">=", "1", "人/年"),
    ("=30000人次", Q, "=", "30000", "人次"),
    ("≥50个", Q, ">=", "50", "个"),
    ("≤90万元", Q, "<=", "90", "万元"),
    ("≥-5%", Q, ">=", "-5", "%"),
    ("≥.5%", Q, ">=", "0.5", "%"),
    # words
    ("200条以上", Q, ">=", "200", "条"),
    ("500条以上", Q, ">=", "500", "条"),
    ("不低于95%", Q, ">=", "95", "%"),
    ("不少于12种", Q, ">=", "12", "种"),
    ("不少于12 种", Q, ">=", "12", "种"),
    ("大于等于90%", Q, ">=", "90", "%"),
    ("大于90%", Q, ">", "90", "%"),
    ("高于80%", Q, ">", "80", "%"),
    ("超过3次", Q, ">", "3", "次"),
    ("至少2次", Q, ">=", "2", "次"),
    ("达到95%以上", Q, ">=", "95", "%"),
    ("达到30%以上", Q, ">=", "30", "%"),
    ("达到100%", Q, ">=", "100", "%"),
    ("95%及以上", Q, ">=", "95", "%"),
    ("不超过15万元", Q, "<=", "15", "万元"),
    ("不高于5%", Q, "<=", "5", "%"),
    ("不多于3次", Q, "<=", "3", "次"),
    ("5%以内", Q, "<=", "5", "%"),
    ("10%以下", Q, "<=", "10", "%"),
    ("小于5%", Q, "<", "5", "%"),
    ("低于3%", Q, "<", "3", "%"),
    ("控制在250万元以内", Q, "<=", "250", "万元"),
    ("3个工作日以内", Q, "<=", "3", "个工作日"),
    ("3个工作日内", Q, "<=", "3", "个工作日"),
    ("≤3个工作日", Q, "<=", "3", "个工作日"),
    ("±3%以内", Q, "<=", "3", "%"),
    ("两次以上", Q, ">=", "2", "次"),
    # bare numbers
    ("0起", Q, "=", "0", "起"),
    ("0%", Q, "=", "0", "%"),
    ("100%", Q, "=", "100", "%"),
    ("100.00%", Q, "=", "100.00", "%"),
    ("1年", Q, "=", "1", "年"),
    ("一年", Q, "=", "1", "年"),
    ("10000万元", Q, "=", "10000", "万元"),
    ("1600元/亩", Q, "=", "1600", "元/亩"),
    ("250万", Q, "=", "250", "万"),
    ("10辆", Q, "=", "10", "辆"),
    ("2280次", Q, "=", "2280", "次"),
    ("3", Q, "=", "3", None),
    ("0.25", Q, "=", "0.25", None),
    ("38508人", Q, "=", "38508", "人"),
    ("100%(历史标准)", Q, "=", "100", "%"),
    ("95%（计划标准）", Q, "=", "95", "%"),
    ("每生1500元/学期", Q, "=", "1500", "元/学期"),
    ("每生 1500 元/学期", Q, "=", "1500", "元/学期"),
    ("先后举办活动5场", Q, "=", "5", "场"),
    # percent spellings and text-recognition damage
    ("≥100百分比", Q, ">=", "100", "%"),
    ("=100百分比", Q, "=", "100", "%"),
    ("%=99百分比", Q, "=", "99", "%"),
    ("二100百分比", Q, "=", "100", "%"),
    ("290%", Q, "=", "290", "%"),
    ("１００％", Q, "=", "100", "%"),
    ("1，000条", Q, "=", "1000", "条"),
    ("≥95%。", Q, ">=", "95", "%"),
    # ranges
    ("90%-100%", Q, ">=", "90", "%"),
    ("90~100%", Q, ">=", "90", "%"),
    ("90～100%", Q, ">=", "90", "%"),
    # deadlines without a year in reach
    ("12月底到位", "deadline", None, None, None),
    ("年底前完成", "deadline", None, None, None),
    # qualitative
    ("是", "qualitative", None, None, None),
    ("否", "qualitative", None, None, None),
    ("达到", "qualitative", None, None, None),
    ("达标", "qualitative", None, None, None),
    ("优良", "qualitative", None, None, None),
    ("良好", "qualitative", None, None, None),
    ("效果明显", "qualitative", None, None, None),
    ("显著", "qualitative", None, None, None),
    ("有效", "qualitative", None, None, None),
    ("长期", "qualitative", None, None, None),
    ("长远", "qualitative", None, None, None),
    ("高", "qualitative", None, None, None),
    ("提升", "qualitative", None, None, None),
    ("及时", "qualitative", None, None, None),
    ("持续", "qualitative", None, None, None),
    ("合格", "qualitative", None, None, None),
    ("符合相关规定", "qualitative", None, None, None),
    ("严格执行相关制度规定", "qualitative", None, None, None),
    ("在项目计划完成时间内完成", "qualitative", None, None, None),
    ("全市空气质量达到优良", "qualitative", None, None, None),
    ("定性", "qualitative", None, None, None),
    ("先后举办有社会影响力的活动5场", "qualitative", None, None, None),
    ("0-6岁儿童健康管理率", "qualitative", None, None, None),
    ("100%100%", "qualitative", None, None, None),
    ("冀干考发[2020]2号、昌办字[2019]14号", "qualitative", None, None, None),
    # not applicable and not yet fixed
    ("不适用", "not_applicable", None, None, None),
    ("/", "not_applicable", None, None, None),
    ("—", "not_applicable", None, None, None),
    ("-", "not_applicable", None, None, None),
    ("——", "not_applicable", None, None, None),
    ("无", "not_applicable", None, None, None),
    ("N/A", "not_applicable", None, None, None),
    ("定量（其他）", Q, None, None, None),
    ("定量(其他)", Q, None, None, None),
    ("≥", Q, ">=", None, None),
]


@pytest.mark.parametrize(("text", "kind", "op", "value", "unit"), REAL_FORMS)
def test_real_form_parses(
    text: str, kind: str, op: str | None, value: str | None, unit: str | None
) -> None:
    assert parse_target(text) == ParsedTarget(kind, op, value, unit)


def test_the_table_covers_at_least_sixty_forms() -> None:
    assert len(REAL_FORMS) >= 60


@pytest.mark.parametrize(
    ("text", "year", "expected"),
    [
        ("2021年12月底前", None, "2021-12-31"),
        ("2021年12月底", 2030, "2021-12-31"),
        ("2023年12月31日前", None, "2023-12-31"),
        ("2023-12-31", None, "2023-12-31"),
        ("2023.07-2024.01", None, "2024-01-31"),
        ("2023年1月至12月", None, "2023-12-31"),
        ("2024年1月1日-2024年12月31日", None, "2024-12-31"),
        ("2019年12月(计划标准)", None, "2019-12-31"),
        ("2022年第三季度", None, "2022-09-30"),
        ("2021年", None, "2021-12-31"),
        ("12月底到位", 2021, "2021-12-31"),
        ("2月底前", 2024, "2024-02-29"),
        ("6月30日前", 2021, "2021-06-30"),
        ("12月中旬", 2021, "2021-12-20"),
        ("年底前完成", 2021, "2021-12-31"),
        ("上半年", 2022, "2022-06-30"),
        ("12月底到位", None, None),
    ],
)
def test_deadline_value_is_the_iso_date(text: str, year: int | None, expected: str | None) -> None:
    assert parse_target(text, year=year) == ParsedTarget("deadline", value=expected)


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("2176.6吨", "2176.6", "吨"),
        ("2021.6万元", "2021.6", "万元"),
        ("2021.5个工作日", "2021.5", "个工作日"),
    ],
)
def test_a_decimal_with_a_unit_is_not_a_month(text: str, value: str, unit: str) -> None:
    # Written like 2021.6 (June 2021), but a unit follows: a number.
    assert parse_target(text, year=2021) == ParsedTarget(Q, "=", value, unit)
    assert parse_target("2021.6", year=2021).kind == "deadline"  # without a unit, still a month


def test_impossible_date_is_not_a_deadline() -> None:
    assert parse_target("2021年2月30日").kind == "qualitative"


def test_year_after_an_operator_is_a_number() -> None:
    assert parse_target("=2021年") == ParsedTarget(Q, "=", "2021", "年")


def test_blank_text_raises() -> None:
    with pytest.raises(ValueError, match="empty target"):
        parse_target(" \u3000\n")


# -- the three-column layout (≥ | 95 | %) ------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "text", "unit", "whole"),
    [
        ("≥", "95", "%", "≥95%"),
        ("≧", "735", "人次", "≧735人次"),
        ("═", "100", "%", "═100%"),
        ("=", "11", "个", "=11个"),
        ("≥", "1", "年", "≥1年"),
        ("≥", "1", "人/年", "≥1人/年"),
        ("＞＝", "90", "％", "＞＝90％"),
        ("大于等于", "90", "百分比", "大于等于90%"),
        ("<=", "5", "万元", "<=5万元"),
        ("≥", "95", "", "≥95"),
        (" ≥ ", " 95 ", " % ", "≥95%"),
        ("≥", "95%", "%", "≥95%"),
    ],
)
def test_split_columns_parse_like_the_whole_text(op: str, text: str, unit: str, whole: str) -> None:
    assert parse_target(text, op=op, unit=unit) == parse_target(whole)


def test_operator_written_in_the_value_wins_over_the_column() -> None:
    assert parse_target("≤5", op="≥", unit="%") == ParsedTarget(Q, "<=", "5", "%")


def test_qualitative_column_word_makes_the_target_qualitative() -> None:
    assert parse_target("有效", op="定性") == ParsedTarget("qualitative")
    assert parse_target("100", op="定性", unit="%") == ParsedTarget("qualitative")


def test_qualitative_column_keeps_a_deadline() -> None:
    assert parse_target("2021年12月底前", op="定性") == ParsedTarget("deadline", value="2021-12-31")


def test_not_applicable_column_word_wins() -> None:
    assert parse_target("95", op="不适用", unit="%") == ParsedTarget("not_applicable")


def test_quantitative_other_column_keeps_value_without_operator() -> None:
    assert parse_target("5", op="定量（其他）", unit="个") == ParsedTarget(Q, None, "5", "个")


def test_unknown_operator_column_is_ignored() -> None:
    assert parse_target("95", op="正向指标", unit="%") == ParsedTarget(Q, "=", "95", "%")


def test_value_column_that_looks_like_a_date_stays_a_number_with_an_operator() -> None:
    assert parse_target("2023.12", op="≤") == ParsedTarget(Q, "<=", "2023.12", None)


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("≥95%", ("≥", "95", "%")),
        ("200条以上", ("≥", "200", "条")),
        ("<5%", ("<", "5", "%")),
        ("100%", ("=", "100", "%")),
        ("是", ("定性", "是", None)),
        ("2021年12月底前", ("定性", "2021年12月底前", None)),
        ("不适用", ("不适用", None, None)),
        ("定量（其他）", ("定量（其他）", None, None)),
    ],
)
def test_split_target_gives_the_standard_columns(
    text: str, parts: tuple[str | None, str | None, str | None]
) -> None:
    assert split_target(text) == parts


# -- operators ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "op"),
    [
        ("≥", ">="),
        ("≧", ">="),
        (">=", ">="),
        ("＞＝", ">="),
        ("=>", ">="),
        ("大于等于", ">="),
        ("不低于", ">="),
        ("不少于", ">="),
        ("以上", ">="),
        (">", ">"),
        ("＞", ">"),
        ("大于", ">"),
        ("超过", ">"),
        ("=", "="),
        ("＝", "="),
        ("═", "="),
        ("==", "="),
        ("≤", "<="),
        ("<=", "<="),
        ("≦", "<="),
        ("不超过", "<="),
        ("以内", "<="),
        ("<", "<"),
        ("＜", "<"),
        ("低于", "<"),
        (" ≥ ", ">="),
    ],
)
def test_normalize_op(text: str, op: str) -> None:
    assert normalize_op(text) == op


@pytest.mark.parametrize("text", ["", "定性", "不适用", "达到", "95", "%", "正向指标"])
def test_normalize_op_rejects_non_operators(text: str) -> None:
    assert normalize_op(text) is None


# -- direction and cumulation (rules.md §2) ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("≥200条", "positive"),
        (">92%", "positive"),
        ("100%", "positive"),
        ("1年", "positive"),
        ("≤100%", "reverse"),
        ("<5%", "reverse"),
        ("3个工作日以内", "reverse"),
        ("0起", "reverse"),
        ("0%", "reverse"),
        ("是", None),
        ("2021年12月底前", None),
        ("不适用", None),
        ("定量（其他）", None),
    ],
)
def test_direction(text: str, expected: str | None) -> None:
    assert direction(parse_target(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "≥200条",
        "2次以上",
        "≥50个",
        "230人",
        "≤90万元",
        "0起",
        "5场",
        "10000万元",
        "250万",
        "=30000人次",
    ],
)
def test_counts_and_amounts_are_cumulative(text: str) -> None:
    assert is_cumulative(parse_target(text))


@pytest.mark.parametrize(
    "text",
    [
        "≥90%",
        "100%",
        "1年",
        "3个工作日以内",
        "=300天",
        "1600元/亩",
        "≥80M",
        "3",
        "是",
        "年底前完成",
    ],
)
def test_rates_durations_and_standards_are_levels(text: str) -> None:
    assert not is_cumulative(parse_target(text))


def test_per_year_count_is_cumulative() -> None:
    assert is_cumulative(ParsedTarget(Q, ">=", "2", "次/年"))


# -- text recognition damage -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "guess"),
    [("290%", "≥90%"), ("292%", "≥92%"), ("2100%", "≥100%"), ("290百分比", "≥90%")],
)
def test_percent_starting_with_2_is_flagged(text: str, guess: str) -> None:
    assert looks_corrupted(text) == f"指标值“{text}”可能是“{guess}”被识别错误，请核对"


def test_ocr_er_before_digit_is_flagged() -> None:
    assert looks_corrupted("二100百分比") == "指标值“二100百分比”中的“二”已按“=”识别，请核对"


@pytest.mark.parametrize("text", ["100%", "≥92%", "200%", "20%", "≥290%", "2280次", "是", " "])
def test_plausible_targets_are_not_flagged(text: str) -> None:
    assert looks_corrupted(text) is None


# -- cell alignment ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "≥200条",
        "100%",
        "3",
        "≥",
        "是",
        "优良",
        "效果明显",
        "符合相关规定",
        "严格执行相关制度规定",
        "在项目计划完成时间内完成",
        "2023.07-2024.01",
        "12月底到位",
        "不适用",
        "/",
        "每生1500元/学期",
        "明显提升",
    ],
)
def test_target_like_cells(text: str) -> None:
    assert is_target_like(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "计划标准",
        "行业标准",
        "冀干考发[2020]2号、昌办字[2019]14号",
        "雾炮车风炮射程",
        "服务对象满意度",
        "提交报告及时性",
        "0-6岁儿童健康管理率",
        "村组干部230人",
        "网络舆情处置率=已处置的网络舆情数量/应处置的网络舆情数量",
        "数量指标",
    ],
)
def test_names_and_bases_are_not_target_like(text: str) -> None:
    assert not is_target_like(text)


# -- properties --------------------------------------------------------------------------------

OP_SPELLINGS = {
    ">=": ["≥", ">=", "≧", "＞＝", "大于等于", "不低于"],
    ">": [">", "＞", "大于", "超过"],
    "=": ["=", "＝", "═", ""],
    "<=": ["≤", "<=", "≦", "不超过"],
    "<": ["<", "＜", "低于"],
}
UNITS = ["%", "条", "万元", "个工作日", "元/亩", "人次", "次/年", "km", "天", "年", "起", ""]

decimals = st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), allow_nan=False, allow_infinity=False
)


def to_full_width(text: str) -> str:
    return "".join(
        "\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text
    )


@given(
    d=decimals,
    op_spelling=st.sampled_from([(op, s) for op, ss in OP_SPELLINGS.items() for s in ss]),
    unit=st.sampled_from(UNITS),
)
def test_operator_value_unit_round_trip(
    d: Decimal, op_spelling: tuple[str, str], unit: str
) -> None:
    op, spelling = op_spelling
    parsed = parse_target(f"{spelling}{d:f}{unit}")
    assert parsed.kind == Q
    assert parsed.op == op
    assert parsed.value is not None and Decimal(parsed.value) == d
    assert re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", parsed.value)
    assert parsed.unit == (unit or None)


@given(
    d=decimals,
    op_spelling=st.sampled_from([s for ss in OP_SPELLINGS.values() for s in ss]),
    unit=st.sampled_from(UNITS),
)
def test_three_columns_equal_the_whole_text(d: Decimal, op_spelling: str, unit: str) -> None:
    whole = parse_target(f"{op_spelling}{d:f}{unit}")
    assert parse_target(f"{d:f}", op=op_spelling, unit=unit) == whole


@given(
    d=st.decimals(min_value=0, max_value=10**6, places=2),
    op_spelling=st.sampled_from([s for ss in OP_SPELLINGS.values() for s in ss]),
    unit=st.sampled_from(UNITS),
)
def test_full_width_target_parses_like_half_width(d: Decimal, op_spelling: str, unit: str) -> None:
    text = f"{op_spelling} {d:f} {unit}"
    assert parse_target(to_full_width(text)) == parse_target(text)


WORD_FRAGMENTS = """
    以上 及以上 以下 以内 达到 控制在 不适用 定性 定量（其他） 百分比 个工作日 万元 条 次
    ± 2021 2023.07 12月 上半年 年底 完成 到位 每生 元/亩 m2 PM 是 优良 无 N/A
"""
# Fragments of real target cells, so that generated texts come near the parser's edge cases.
FRAGMENTS = [
    *"0123456789.,，-~%％ ()（）/二一两年月日底前内号",
    *(s for ss in OP_SPELLINGS.values() for s in ss if s),
    *WORD_FRAGMENTS.split(),
]
target_like_texts = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=8).map("".join)
non_blank = (st.text(min_size=1) | target_like_texts).filter(lambda t: t.strip() != "")


@given(text=non_blank)
def test_full_width_equivalence_on_any_text(text: str) -> None:
    assert parse_target(to_full_width(text)) == parse_target(text)


@given(
    text=non_blank,
    op=st.none() | st.text(),
    unit=st.none() | st.text(),
    year=st.none() | st.integers(min_value=-(10**5), max_value=10**5),
)
def test_never_raises_and_result_is_well_formed(
    text: str, op: str | None, unit: str | None, year: int | None
) -> None:
    parsed = parse_target(text, op=op, unit=unit, year=year)
    assert parsed.kind in KINDS
    if parsed.kind == Q:
        assert parsed.op is None or parsed.op in OPS
        if parsed.value is not None:
            assert re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", parsed.value)
    else:
        assert parsed.op is None and parsed.unit is None
    if parsed.kind == "deadline" and parsed.value is not None:
        date.fromisoformat(parsed.value)
    if parsed.kind in ("qualitative", "not_applicable"):
        assert parsed.value is None
    is_target_like(text)
    looks_corrupted(text)
    direction(parsed)
    is_cumulative(parsed)


@given(text=non_blank, year=st.none() | st.integers(min_value=1990, max_value=2100))
def test_split_target_round_trips(text: str, year: int | None) -> None:
    op, value, unit = split_target(text)
    if value is not None:
        assert parse_target(value, op=op, unit=unit, year=year) == parse_target(text, year=year)


@given(text=st.sampled_from([t for t, *_ in REAL_FORMS]))
def test_real_forms_survive_spaces_and_trailing_punctuation(text: str) -> None:
    assert parse_target(f" {text} 。") == parse_target(text)
