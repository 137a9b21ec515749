"""Field values: raw input (a form, a spreadsheet cell, a CSV string) -> the stored JSON form.

Stored forms: text as str; integer as int; decimal and money as a decimal string ("1234.50");
date as ISO "2021-03-31"; datetime as ISO; boolean as true/false; choice as one of the
choices; multichoice as a list; url as str. Errors are Chinese, one per field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

TRUE_WORDS = {"是", "true", "1", "yes", "y", "对", "√", "已采用", "采用", "有效", "应处置", "需要"}
FALSE_WORDS = {"否", "false", "0", "no", "n", "不", "×", "未采用", "无效", "不需要", "无需"}
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
_DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")


@dataclass(frozen=True)
class FieldSpec:
    """What validation needs to know of a field (a LedgerField or a preset dict)."""

    code: str
    label: str
    kind: str
    choices: tuple[str, ...] = ()
    required: bool = False

    @classmethod
    def of(cls, field: Any) -> FieldSpec:
        get = field.get if isinstance(field, Mapping) else lambda k, d=None: getattr(field, k, d)
        return cls(
            code=str(get("code")),
            label=str(get("label")),
            kind=str(get("kind")),
            choices=tuple(get("choices", ()) or ()),
            required=bool(get("required", False)),
        )


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []


def clean_value(spec: FieldSpec, raw: Any) -> Any:
    """The stored form of one raw value; raises ValueError with a Chinese message."""
    if is_blank(raw):
        if spec.required:
            raise ValueError(f"“{spec.label}”必填")
        return None
    kind = spec.kind
    if kind in ("text", "longtext", "url"):
        text = str(raw).strip()
        if kind == "url" and not re.match(r"^(https?://|www\.)\S+$", text):
            raise ValueError(f"“{spec.label}”不是有效的链接：{text[:40]}")
        return text
    if kind == "integer":
        number = _decimal(raw, spec)
        if number != number.to_integral_value():
            raise ValueError(f"“{spec.label}”应为整数：{raw}")
        return int(number)
    if kind in ("decimal", "money"):
        number = _decimal(raw, spec)
        if kind == "money":
            if number != number.quantize(Decimal("0.01")):
                raise ValueError(f"“{spec.label}”最多两位小数：{raw}")
            return str(number.quantize(Decimal("0.01")))
        return str(number)
    if kind == "date":
        return _date(raw, spec).isoformat()
    if kind == "datetime":
        return _datetime(raw, spec).isoformat(timespec="minutes")
    if kind == "boolean":
        return _boolean(raw, spec)
    if kind == "choice":
        text = str(raw).strip()
        if text not in spec.choices:
            raise ValueError(f"“{spec.label}”的值“{text}”不在选项中（{'、'.join(spec.choices)}）")
        return text
    if kind == "multichoice":
        items = raw if isinstance(raw, list) else re.split(r"[,，、;；]\s*", str(raw).strip())
        bad = [i for i in items if i not in spec.choices]
        if bad:
            raise ValueError(f"“{spec.label}”的值“{'、'.join(bad)}”不在选项中")
        return items
    raise ValueError(f"未知的字段类型：{kind}")


def clean_data(
    specs: Iterable[FieldSpec], raw: Mapping[str, Any], *, partial: bool = False
) -> tuple[dict[str, Any], dict[str, str]]:
    """Clean every field; returns (data, errors by field code). Nothing raises."""
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for spec in specs:
        if partial and spec.code not in raw:
            continue
        try:
            value = clean_value(spec, raw.get(spec.code))
        except ValueError as exc:
            errors[spec.code] = str(exc)
            continue
        if value is not None:
            data[spec.code] = value
    return data, errors


def to_cents(value: str | None) -> int | None:
    """A stored money string as integer cents, for exact sums in SQL."""
    if value is None:
        return None
    return int((Decimal(value) * 100).to_integral_value())


def natural_key(fields: Iterable[str], data: Mapping[str, Any]) -> str:
    """The de-duplication key of a record: its key fields' values joined, or '' if none."""
    parts = [str(data.get(code, "")).strip() for code in fields]
    return "\x1f".join(parts)[:400] if any(parts) else ""


def _decimal(raw: Any, spec: FieldSpec) -> Decimal:
    if isinstance(raw, bool):
        raise ValueError(f"“{spec.label}”应为数字：{raw}")
    if isinstance(raw, int | Decimal):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(repr(raw))
    text = re.sub(r"[\s,，¥￥元]", "", str(raw))
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"“{spec.label}”应为数字：{raw}") from None
    if not number.is_finite():
        raise ValueError(f"“{spec.label}”应为数字：{raw}")
    return number


def _date(raw: Any, spec: FieldSpec) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = str(raw).strip()
    text = re.sub(r"\s+\d{1,2}:\d{2}(:\d{2})?$", "", text)  # a time after the date is dropped
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"“{spec.label}”不是有效日期：{text[:30]}（应如 2021-03-31）")


def _datetime(raw: Any, spec: FieldSpec) -> dt.datetime:
    if isinstance(raw, dt.datetime):
        return raw
    if isinstance(raw, dt.date):
        return dt.datetime(raw.year, raw.month, raw.day)
    text = str(raw).strip()
    for fmt in _DATETIME_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    return dt.datetime.combine(_date(text, spec), dt.time())


def _boolean(raw: Any, spec: FieldSpec) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(f"“{spec.label}”应为“是”或“否”：{raw}")
