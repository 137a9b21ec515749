"""Tests for the figures computed once in core for pages and files (jixiao.core.numbers,
jixiao.core.series): rounding, the unit totals and the charts' completion values."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from jixiao.core.numbers import percent, round2
from jixiao.core.scoring import score_indicator
from jixiao.core.targets import parse_target

D = Decimal


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        (D("12.27625"), D("12.28")),  # half up
        (D("12.275"), D("12.28")),
        (D("12.2749"), D("12.27")),
        (D("-12.275"), D("-12.28")),  # away from zero on a tie
        (Fraction(1, 8), D("0.13")),
        (Fraction(-1, 8), D("-0.13")),
        (Fraction(1, 3), D("0.33")),
        (Fraction(2, 3), D("0.67")),
        (Fraction(1, 1000), D("0.00")),
        (7, D("7.00")),
    ],
)
def test_round2(value: Decimal | Fraction | int, rounded: Decimal) -> None:
    assert round2(value) == rounded and str(round2(value)) == str(rounded)


def test_percent() -> None:
    # 142000 of 150000: 94.666… → 94.67
    assert percent(D("142000"), D("150000")) == D("94.67")
    assert percent(D("1"), D("0")) is None


@pytest.mark.parametrize(
    ("target", "actual", "completion"),
    [
        ("100%", "98.21%", D("98.21")),  # a/t, not the rounded score 12.28 / 12.5 = 98.24
        ("≥200条", "230条", D("100.00")),  # met: 100
        ("≤15万元", "16万元", D("93.75")),  # reverse: t/a = 15/16
        ("达到", "基本达成", D("60.00")),  # graded: the band's score over the points
        ("达到", "无法判断", D("0.00")),
    ],
)
def test_the_completion_is_the_unrounded_score_over_the_points(
    target: str, actual: str, completion: Decimal
) -> None:
    result = score_indicator(parse_target(target), actual, D("12.5"))
    assert result.completion == completion


def test_not_applicable_has_no_completion() -> None:
    assert score_indicator(parse_target("不适用"), None, D("10")).completion is None
