"""Field values from forms, spreadsheets and CSV become one stored form, or a Chinese error."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jixiao.ledgers.values import FieldSpec, clean_data, clean_value, natural_key, to_cents


def spec(kind: str, **extra: object) -> FieldSpec:
    return FieldSpec(
        "f", "字段", kind, tuple(extra.pop("choices", ())), bool(extra.pop("required", False))
    )  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "raw", "stored"),
    [
        ("text", "  标题 ", "标题"),
        ("integer", "1,200", 1200),
        ("integer", 12.0, 12),
        ("decimal", "3.50", "3.50"),
        ("money", "￥1,234.5元", "1234.50"),
        ("money", Decimal("0.1") + Decimal("0.2"), "0.30"),
        ("money", 0.3, "0.30"),
        ("date", "2021/3/9", "2021-03-09"),
        ("date", "2021年3月9日", "2021-03-09"),
        ("date", "2021-03-09 14:30", "2021-03-09"),
        ("date", dt.datetime(2021, 3, 9, 8, 0), "2021-03-09"),
        ("datetime", "2021-03-09 14:30", "2021-03-09T14:30"),
        ("boolean", "是", True),
        ("boolean", "否", False),
        ("boolean", 1, True),
        ("url", "https://weibo.com/1/abc", "https://weibo.com/1/abc"),
    ],
)
def test_raw_values_become_their_stored_form(kind: str, raw: object, stored: object) -> None:
    assert clean_value(spec(kind), raw) == stored


@pytest.mark.parametrize(
    ("field", "raw", "message"),
    [
        (spec("integer"), "1.5", "“字段”应为整数：1.5"),
        (spec("money"), "12.345", "“字段”最多两位小数：12.345"),
        (spec("decimal"), "abc", "“字段”应为数字：abc"),
        (spec("date"), "2021-02-30", "“字段”不是有效日期：2021-02-30（应如 2021-03-31）"),
        (spec("boolean"), "也许", "“字段”应为“是”或“否”：也许"),
        (
            spec("choice", choices=["一般", "较大"]),
            "特大",
            "“字段”的值“特大”不在选项中（一般、较大）",
        ),
        (spec("url"), "not a link", "“字段”不是有效的链接：not a link"),
        (spec("text", required=True), "  ", "“字段”必填"),
    ],
)
def test_bad_values_give_a_chinese_message(field: FieldSpec, raw: object, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        clean_value(field, raw)


def test_clean_data_collects_every_error_and_keeps_the_good_values() -> None:
    specs = [
        FieldSpec("title", "标题", "text", required=True),
        FieldSpec("grade", "级别", "choice", ("一般", "较大")),
        FieldSpec("first_seen", "首次发现时间", "date", required=True),
    ]
    data, errors = clean_data(specs, {"title": "某事", "grade": "特大", "first_seen": None})
    assert data == {"title": "某事"}
    assert errors == {
        "grade": "“级别”的值“特大”不在选项中（一般、较大）",
        "first_seen": "“首次发现时间”必填",
    }


def test_money_is_kept_exact_in_cents() -> None:
    assert to_cents("1234.56") == 123456
    assert to_cents("0.10") == 10
    assert to_cents(None) is None


def test_natural_key_joins_the_key_fields_and_is_empty_without_values() -> None:
    assert natural_key(["channel", "title"], {"channel": "微博", "title": "A"}) == "微博\x1fA"
    assert natural_key(["link"], {}) == ""
