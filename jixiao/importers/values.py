"""What a cell's text says: amounts, numbers, percents, years, blank marks.

Pure helpers shared by the interpreter and the row placement; no meaning of target tables.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from jixiao.importers import vocab as v

NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
PERCENT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[%％]\s*$")
# A note in brackets closing a cell: 9.00（计算 9.84）.
BRACKETED_TAIL = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")
# Marks for an amount or a result left blank.
BLANKS = ("—", "-", "/", "无", "－", "——")
FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
CHINESE_DIGITS = str.maketrans("〇○零Ｏ一二三四五六七八九", "0000123456789")
CHINESE_YEAR = re.compile(r"二[〇○零Ｏ][〇○零Ｏ一二三四五六七八九]{2}(?=\s*年)")


def is_not_applicable(text: str) -> bool:
    """不适用 / 不涉及: a self-evaluation row that is not scored."""
    return squash_ws(text) in ("不适用", "不涉及")


def year_digits(text: str) -> str:
    """Years written with full-width digits or Chinese numerals (二〇二四年) as ASCII digits."""
    text = text.translate(FULLWIDTH_DIGITS)
    return CHINESE_YEAR.sub(lambda m: m.group(0).translate(CHINESE_DIGITS), text)


def decimal(text: str) -> Decimal | None:
    """A number as written (`1,200`, `12.5分`, `95%` -> 95), None when it is none."""
    cleaned = squash_ws(text).replace(",", "").replace("，", "").rstrip("%％分")
    try:
        return Decimal(cleaned) if cleaned else None
    except InvalidOperation:
        return None


def money(text: str) -> tuple[Decimal | None, str | None]:
    """A money cell: `15.00`, `8,827,620.53`, `250万`, `2279.048 万元` -> (amount, unit)."""
    cleaned = squash_ws(text).translate(FULLWIDTH_DIGITS).replace(",", "").replace("，", "")
    m = re.match(r"^[¥￥]?(-?\d+(?:\.\d+)?)(万元|万|千元|元)?$", cleaned)
    if not m:
        return None, None
    unit = m.group(2)
    return Decimal(m.group(1)), ("万元" if unit == "万" else unit)


def percent(text: str) -> Decimal | None:
    """A percent (`95%`, `0.95` from a spreadsheet) as the number of percent."""
    m = PERCENT.match(text)
    if m:
        return Decimal(m.group(1))
    value = decimal(text)
    if value is not None and Decimal(0) <= value <= Decimal(1):
        return value * 100  # a spreadsheet fraction shown without its percent format
    return value


def is_amount(text: str) -> bool:
    """A budget block's amount, percent or blank mark (—) in a stream of cells."""
    t = squash_ws(text)
    return t in BLANKS or money(t)[0] is not None or PERCENT.match(t) is not None


def is_unit_note(text: str) -> bool:
    """A cell that only says the money unit (单位：万元, （万元）)."""
    stripped = v.MONEY_UNIT.sub("", v.MONEY_UNIT_IN_LABEL.sub("", text))
    return stripped != text and not squash_ws(stripped).strip("()（）:：")


def squash_ws(text: str) -> str:
    """Text without any whitespace."""
    return re.sub(r"\s+", "", text)
