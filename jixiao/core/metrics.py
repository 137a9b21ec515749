"""Metrics (口径): parse, check and describe a metric definition; windows and rounding.

A definition is a JSON document (docs/metrics.md) bound to one indicator. :func:`parse` turns
it into frozen dataclasses or raises :class:`MetricError` with a Chinese message naming the bad
part (``分子的第2个筛选条件：…``). With a *catalog* (the ledger types a unit sees, as
:class:`LedgerSchema`) it also checks that ledgers, fields, states and values exist and fit.
:func:`describe` says what a definition counts in one Chinese sentence.

Nothing here touches the database: ``jixiao.metrics.evaluate`` compiles these dataclasses into
aggregate queries. The dataclasses are hashable, so equal definitions (many indicators share
one, differing only by project) collapse to one compiled aggregate.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, TypeAlias

__all__ = [
    "Budget",
    "Count",
    "Definition",
    "Distinct",
    "Events",
    "FieldCompare",
    "FieldFilter",
    "FieldInfo",
    "Filter",
    "LedgerSchema",
    "Manual",
    "MetricError",
    "NotReached",
    "Part",
    "Ratio",
    "Reached",
    "StateIn",
    "Sum",
    "as_number",
    "budget_in_yuan",
    "cents_to_yuan",
    "check",
    "date_state",
    "describe",
    "parse",
    "ratio_value",
    "round_half_up",
    "to_dict",
    "value_text",
    "window",
]

PROJECT = "project"
UNIT = "unit"
SCOPES = (PROJECT, UNIT)
COMPARE_OPS = ("=", "!=", ">", ">=", "<", "<=")
LIST_OPS = ("in", "not_in")
EMPTY_OPS = ("empty", "not_empty")
STATE_PREFIX = "state:"
NUMERIC_KINDS = ("integer", "decimal", "money")
DATE_KINDS = ("date", "datetime")
SUMMABLE_KINDS = ("integer", "money")
TWO_PLACES = Decimal("0.01")
WAN = Decimal(10000)

Scalar: TypeAlias = str | int | Decimal | bool


class MetricError(ValueError):
    """A definition that cannot be used; the message is Chinese and names the bad part."""


# --- filters -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldFilter:
    """A field compared with a value (``=`` … ``<=``), a list (``in``) or nothing (``empty``)."""

    field: str
    op: str
    value: Scalar | tuple[Scalar, ...] | None = None


@dataclass(frozen=True)
class FieldCompare:
    """A field compared with another field of the same record."""

    field: str
    op: str
    other_field: str


@dataclass(frozen=True)
class StateIn:
    """The record's current workflow state is one of these."""

    states: tuple[str, ...]


@dataclass(frozen=True)
class Reached:
    """The record reached this state on or before the as-of date."""

    state: str


@dataclass(frozen=True)
class NotReached:
    """The record had not reached this state by the as-of date."""

    state: str


Filter: TypeAlias = FieldFilter | FieldCompare | StateIn | Reached | NotReached


# --- kinds ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    """The number of records that pass the filters, dated inside the window."""

    ledger: str
    filters: tuple[Filter, ...] = ()
    date: str | None = None  # None: the record's date; "code": a date field; "state:X"
    scope: str = PROJECT


@dataclass(frozen=True)
class Events:
    """The number of arrivals in these states inside the window (a record may count twice)."""

    ledger: str
    states: tuple[str, ...]
    filters: tuple[Filter, ...] = ()
    scope: str = PROJECT


@dataclass(frozen=True)
class Sum:
    """The sum of a money field (元, exact) or an integer field over the records."""

    ledger: str
    field: str
    filters: tuple[Filter, ...] = ()
    date: str | None = None
    scope: str = PROJECT


@dataclass(frozen=True)
class Distinct:
    """The number of distinct values of a field over the records."""

    ledger: str
    field: str
    filters: tuple[Filter, ...] = ()
    date: str | None = None
    scope: str = PROJECT


@dataclass(frozen=True)
class Budget:
    """The project's full-year budget in 元 (a ratio's denominator only)."""


@dataclass(frozen=True)
class Ratio:
    """numerator / denominator × scale, half-up to 2 places; None when the denominator is 0."""

    numerator: Count | Events | Sum
    denominator: Count | Events | Sum | Budget
    scale: Decimal = Decimal(1)


@dataclass(frozen=True)
class Manual:
    """The actual is entered by hand with evidence."""


Part: TypeAlias = Count | Events | Sum | Distinct
Definition: TypeAlias = Count | Events | Sum | Distinct | Ratio | Manual


# --- what the ledgers look like (for checks and descriptions) ------------------------------


@dataclass(frozen=True)
class FieldInfo:
    """A ledger field as checks and descriptions need it."""

    label: str
    kind: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class LedgerSchema:
    """A ledger type as checks and descriptions need it."""

    code: str
    name: str
    fields: Mapping[str, FieldInfo] = field(default_factory=dict)
    states: tuple[str, ...] = ()
    amount_field: str = ""
    has_project: bool = True


Catalog: TypeAlias = Mapping[str, LedgerSchema]


# --- parsing -------------------------------------------------------------------------------

_KEYS = {
    "count": ("kind", "ledger", "filters", "date", "scope"),
    "events": ("kind", "ledger", "states", "filters", "scope"),
    "sum": ("kind", "ledger", "field", "filters", "date", "scope"),
    "distinct": ("kind", "ledger", "field", "filters", "date", "scope"),
    "ratio": ("kind", "numerator", "denominator", "scale"),
    "budget": ("kind",),
    "manual": ("kind",),
}
_TOP_KINDS = ("count", "events", "sum", "distinct", "ratio", "manual")
_NUMERATOR_KINDS = ("count", "events", "sum")
_DENOMINATOR_KINDS = ("count", "events", "sum", "budget")


def _fail(where: str, problem: str) -> MetricError:
    return MetricError(f"{where}：{problem}")


def _quoted(items: Sequence[object]) -> str:
    return "、".join(f"“{i}”" for i in items)


def parse(data: Any, catalog: Catalog | None = None) -> Definition:
    """A definition as dataclasses; with a catalog also :func:`check`-ed. Raises MetricError."""
    definition = _parse_kind(data, "口径", _TOP_KINDS)
    assert not isinstance(definition, Budget)  # _TOP_KINDS has no budget
    if catalog is not None:
        check(definition, catalog)
    return definition


def _parse_kind(data: Any, where: str, kinds: Sequence[str]) -> Definition | Budget:
    if not isinstance(data, Mapping):
        raise _fail(where, '应为 JSON 对象，如 {"kind": "count", "ledger": "opinion"}')
    kind = data.get("kind")
    if kind is None:
        raise _fail(where, f"缺少“kind”（统计方式），应为 {'、'.join(kinds)} 之一")
    if kind not in kinds:
        if kind == "budget":
            raise _fail(where, "“budget”（预算数）只能用作比率的分母")
        raise _fail(where, f"未知的统计方式“{kind}”（可用：{'、'.join(kinds)}）")
    unknown = [key for key in data if key not in _KEYS[kind]]
    if unknown:
        allowed = "、".join(_KEYS[kind])
        raise _fail(where, f"不认识的键{_quoted(unknown)}（{kind} 可用：{allowed}）")
    if kind == "manual":
        return Manual()
    if kind == "budget":
        return Budget()
    if kind == "ratio":
        return _parse_ratio(data, where)
    ledger = _text(data, "ledger", where, "台账代码，如 opinion")
    filters = _parse_filters(data.get("filters", []), where)
    scope = data.get("scope", PROJECT)
    if scope not in SCOPES:
        raise _fail(where, f"“scope”应为 project（本项目）或 unit（全单位），而不是“{scope}”")
    if kind == "events":
        states = _states(data.get("states"), f"{where}的“states”")
        return Events(ledger, states, filters, scope)
    date = _date_spec(data.get("date"), where)
    if kind == "count":
        return Count(ledger, filters, date, scope)
    field_code = _text(data, "field", where, "字段代码")
    if kind == "sum":
        return Sum(ledger, field_code, filters, date, scope)
    return Distinct(ledger, field_code, filters, date, scope)


def _parse_ratio(data: Mapping[str, Any], where: str) -> Ratio:
    if "numerator" not in data:
        raise _fail(where, "比率缺少“numerator”（分子）")
    if "denominator" not in data:
        raise _fail(where, "比率缺少“denominator”（分母）")
    numerator = _parse_kind(data["numerator"], "分子", _NUMERATOR_KINDS)
    denominator = _parse_kind(data["denominator"], "分母", _DENOMINATOR_KINDS)
    # The kinds allowed above guarantee these; the asserts tell the type checker.
    assert isinstance(numerator, Count | Events | Sum)
    assert isinstance(denominator, Count | Events | Sum | Budget)
    scale = _scale(data.get("scale", 1), where)
    if isinstance(denominator, Budget):
        if numerator.scope != PROJECT:
            raise _fail("分子", "分母是项目预算数时，分子的统计范围应为本项目（scope: project）")
    elif numerator.scope != denominator.scope:
        raise _fail(where, "分子和分母的统计范围（scope）应一致")
    return Ratio(numerator, denominator, scale)


def _text(data: Mapping[str, Any], key: str, where: str, what: str) -> str:
    value = data.get(key)
    if value is None:
        raise _fail(where, f"缺少“{key}”（{what}）")
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, f"“{key}”应为非空文本（{what}）")
    return value.strip()


def _states(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise _fail(where, '应为状态名称的列表，如 ["预警", "研判"]')
    if not all(isinstance(s, str) and s.strip() for s in value):
        raise _fail(where, "状态名称应为非空文本")
    states = tuple(s.strip() for s in value)
    if len(set(states)) != len(states):
        raise _fail(where, "状态重复")
    return states


def _date_spec(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, "“date”应为日期字段代码，或“state:状态”")
    text: str = value.strip()
    if not text.startswith(STATE_PREFIX):
        return text
    state = text[len(STATE_PREFIX) :].strip()
    if not state:
        raise _fail(where, "“date”的“state:”后应写状态名称，如 state:处置")
    return STATE_PREFIX + state


def _scale(value: Any, where: str) -> Decimal:
    if isinstance(value, bool):
        raise _fail(where, f'“scale”应为正数，如 "100"，而不是“{value}”')
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise _fail(where, f'“scale”应为正数，如 "100"，而不是“{value}”') from None
    if not number.is_finite() or number <= 0:
        raise _fail(where, f'“scale”应为正数，如 "100"，而不是“{value}”')
    return number


def _parse_filters(value: Any, where: str) -> tuple[Filter, ...]:
    if not isinstance(value, list):
        raise _fail(where, "“filters”应为筛选条件的列表")
    prefix = "" if where == "口径" else f"{where}的"
    return tuple(_parse_filter(item, f"{prefix}第{n}个筛选条件") for n, item in enumerate(value, 1))


def _parse_filter(item: Any, where: str) -> Filter:
    if not isinstance(item, Mapping):
        raise _fail(where, '应为对象，如 {"field": "grade", "op": "=", "value": "重大"}')
    heads = [key for key in ("field", "state", "reached", "not_reached") if key in item]
    if len(heads) != 1:
        raise _fail(where, "应含“field”“state”“reached”“not_reached”中的一个")
    head = heads[0]
    allowed = ("field", "op", "value", "other_field") if head == "field" else (head,)
    unknown = [key for key in item if key not in allowed]
    if unknown:
        raise _fail(where, f"不认识的键{_quoted(unknown)}")
    if head == "state":
        return StateIn(_states(item["state"], where))
    if head in ("reached", "not_reached"):
        state = item[head]
        if not isinstance(state, str) or not state.strip():
            raise _fail(where, f"“{head}”应为状态名称")
        return Reached(state.strip()) if head == "reached" else NotReached(state.strip())
    code = item["field"]
    if not isinstance(code, str) or not code.strip():
        raise _fail(where, "“field”应为字段代码")
    code = code.strip()
    op = item.get("op")
    if op is None:
        raise _fail(where, "缺少“op”（运算符）")
    if op not in COMPARE_OPS + LIST_OPS + EMPTY_OPS:
        ops = " ".join(COMPARE_OPS + LIST_OPS + EMPTY_OPS)
        raise _fail(where, f"运算符“{op}”无效（可用：{ops}）")
    if "other_field" in item:
        if op not in COMPARE_OPS:
            raise _fail(where, f"与另一字段比较只能用 {' '.join(COMPARE_OPS)}，不能用“{op}”")
        if "value" in item:
            raise _fail(where, "“value”和“other_field”只能有一个")
        other = item["other_field"]
        if not isinstance(other, str) or not other.strip():
            raise _fail(where, "“other_field”应为字段代码")
        return FieldCompare(code, op, other.strip())
    if op in EMPTY_OPS:
        if "value" in item:
            raise _fail(where, f"“{op}”不需要“value”")
        return FieldFilter(code, op)
    if "value" not in item:
        raise _fail(where, f"运算符“{op}”需要“value”")
    raw = item["value"]
    if op in LIST_OPS:
        if not isinstance(raw, list) or not raw:
            raise _fail(where, f'“{op}”的“value”应为非空列表，如 ["市", "省"]')
        return FieldFilter(code, op, tuple(_scalar(v, where) for v in raw))
    return FieldFilter(code, op, _scalar(raw, where))


def _scalar(value: Any, where: str) -> Scalar:
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        # JSON numbers with a fraction arrive as floats; the written digits are what is meant.
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    raise _fail(where, f"“value”应为文本、数字或 true/false，而不是 {value!r}")


# --- checking against the ledgers ----------------------------------------------------------


def check(definition: Definition, catalog: Catalog) -> None:
    """Check ledgers, fields, states and values exist and fit; raises MetricError."""
    if isinstance(definition, Ratio):
        _check_part(definition.numerator, catalog, "分子")
        if not isinstance(definition.denominator, Budget):
            _check_part(definition.denominator, catalog, "分母")
    elif not isinstance(definition, Manual):
        _check_part(definition, catalog, "口径")


def _check_part(part: Part, catalog: Catalog, where: str) -> None:
    schema = catalog.get(part.ledger)
    if schema is None:
        known = "、".join(f"{s.code}（{s.name}）" for s in catalog.values())
        raise _fail(where, f"没有代码为“{part.ledger}”的台账（可用：{known}）")
    if part.scope == PROJECT and not schema.has_project:
        raise _fail(where, f"“{schema.name}”台账不关联预算项目，统计范围应为全单位（scope: unit）")
    if isinstance(part, Events):
        for state in part.states:
            _check_state(schema, state, where)
    else:
        _check_date(schema, part.date, where)
    if isinstance(part, Sum):
        info = _field(schema, part.field, where)
        if info.kind not in SUMMABLE_KINDS:
            raise _fail(where, f"只能对金额或整数字段求和，“{info.label}”是{_kind_name(info.kind)}")
    if isinstance(part, Distinct):
        _field(schema, part.field, where)
    prefix = "" if where == "口径" else f"{where}的"
    for n, item in enumerate(part.filters, 1):
        _check_filter(schema, item, f"{prefix}第{n}个筛选条件")


def _field(schema: LedgerSchema, code: str, where: str) -> FieldInfo:
    info = schema.fields.get(code)
    if info is None:
        known = "、".join(schema.fields)
        raise _fail(where, f"“{schema.name}”台账没有字段“{code}”（可用：{known}）")
    return info


def _check_state(schema: LedgerSchema, state: str, where: str) -> None:
    if not schema.states:
        raise _fail(where, f"“{schema.name}”台账没有流程状态")
    if state not in schema.states:
        known = "、".join(schema.states)
        raise _fail(where, f"“{schema.name}”台账的流程没有状态“{state}”（可用：{known}）")


def _check_date(schema: LedgerSchema, spec: str | None, where: str) -> None:
    state = date_state(spec)
    if state is not None:
        _check_state(schema, state, where)
    elif spec is not None:
        info = _field(schema, spec, where)
        if info.kind != "date":
            raise _fail(where, f"“date”应为日期字段，“{info.label}”是{_kind_name(info.kind)}")


_KIND_NAMES = {
    "text": "文本字段",
    "longtext": "长文本字段",
    "integer": "整数字段",
    "decimal": "小数字段",
    "money": "金额字段",
    "date": "日期字段",
    "datetime": "日期时间字段",
    "boolean": "是/否字段",
    "choice": "单选字段",
    "multichoice": "多选字段",
    "url": "链接字段",
}


def _kind_name(kind: str) -> str:
    return _KIND_NAMES.get(kind, f"{kind} 字段")


def _check_filter(schema: LedgerSchema, item: Filter, where: str) -> None:
    if isinstance(item, StateIn):
        for state in item.states:
            _check_state(schema, state, where)
        return
    if isinstance(item, Reached | NotReached):
        _check_state(schema, item.state, where)
        return
    info = _field(schema, item.field, where)
    if info.kind == "multichoice" and not (isinstance(item, FieldFilter) and item.op in EMPTY_OPS):
        # A list value has no portable SQL comparison; emptiness is all that is supported.
        raise _fail(where, f"多选字段“{info.label}”只能用 empty 或 not_empty 筛选")
    if isinstance(item, FieldCompare):
        other = _field(schema, item.other_field, where)
        if _family(info.kind) != _family(other.kind):
            raise _fail(
                where,
                f"“{info.label}”（{_kind_name(info.kind)}）不能与"
                f"“{other.label}”（{_kind_name(other.kind)}）比较",
            )
        if info.kind == "boolean" and item.op not in ("=", "!="):
            raise _fail(where, f"是/否字段“{info.label}”只能用 = 或 != 比较")
        return
    if item.op in EMPTY_OPS:
        return
    values = item.value if isinstance(item.value, tuple) else (item.value,)
    if info.kind == "boolean" and item.op not in ("=", "!="):
        raise _fail(where, f"是/否字段“{info.label}”只能用 = 或 !=")
    for value in values:
        _check_value(info, value, where)


def _family(kind: str) -> str:
    if kind in NUMERIC_KINDS:
        return "number"
    if kind in DATE_KINDS:
        return "date"
    return "boolean" if kind == "boolean" else "text"


def _check_value(info: FieldInfo, value: Any, where: str) -> None:
    kind = info.kind
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _fail(where, f"“{info.label}”是是/否字段，值应为 true 或 false，而不是“{value}”")
    elif kind in NUMERIC_KINDS:
        if as_number(value) is None:
            raise _fail(where, f"“{info.label}”是{_kind_name(kind)}，值应为数字，而不是“{value}”")
    elif kind == "date":
        if not isinstance(value, str) or not _is_iso_date(value):
            raise _fail(where, f'“{info.label}”是日期字段，值应如 "2021-06-30"，而不是“{value}”')
    elif kind == "choice":
        if value not in info.choices:
            raise _fail(
                where, f"“{info.label}”没有选项“{value}”（可用：{'、'.join(info.choices)}）"
            )
    elif not isinstance(value, str):
        raise _fail(where, f"“{info.label}”是{_kind_name(kind)}，值应为文本，而不是“{value}”")


def _is_iso_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text))


def as_number(value: Any) -> Decimal | None:
    """A filter value as a number (numeric text too), None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def date_state(spec: str | None) -> str | None:
    """The state a ``date`` spec names (``state:处置`` -> 处置), None for a field or the default."""
    if spec is not None and spec.startswith(STATE_PREFIX):
        return spec[len(STATE_PREFIX) :]
    return None


# --- back to JSON --------------------------------------------------------------------------


def to_dict(definition: Definition | Budget) -> dict[str, Any]:
    """The canonical JSON form of a definition (defaults written out)."""
    if isinstance(definition, Manual):
        return {"kind": "manual"}
    if isinstance(definition, Budget):
        return {"kind": "budget"}
    if isinstance(definition, Ratio):
        return {
            "kind": "ratio",
            "numerator": to_dict(definition.numerator),
            "denominator": to_dict(definition.denominator),
            "scale": str(definition.scale),
        }
    data: dict[str, Any] = {"kind": _kind_of(definition), "ledger": definition.ledger}
    if isinstance(definition, Events):
        data["states"] = list(definition.states)
    if isinstance(definition, Sum | Distinct):
        data["field"] = definition.field
    data["filters"] = [_filter_dict(f) for f in definition.filters]
    if not isinstance(definition, Events) and definition.date is not None:
        data["date"] = definition.date
    data["scope"] = definition.scope
    return data


def _kind_of(part: Part) -> str:
    return {Count: "count", Events: "events", Sum: "sum", Distinct: "distinct"}[type(part)]


def _json_scalar(value: Scalar) -> Any:
    # A JSON number with a fraction: parse() reads its shortest repr back to the same Decimal.
    return float(value) if isinstance(value, Decimal) else value


def _filter_dict(item: Filter) -> dict[str, Any]:
    if isinstance(item, StateIn):
        return {"state": list(item.states)}
    if isinstance(item, Reached):
        return {"reached": item.state}
    if isinstance(item, NotReached):
        return {"not_reached": item.state}
    if isinstance(item, FieldCompare):
        return {"field": item.field, "op": item.op, "other_field": item.other_field}
    data: dict[str, Any] = {"field": item.field, "op": item.op}
    if isinstance(item.value, tuple):
        data["value"] = [_json_scalar(v) for v in item.value]
    elif item.value is not None:
        data["value"] = _json_scalar(item.value)
    return data


# --- words ---------------------------------------------------------------------------------

_COMPARE_WORDS = {"=": "为", "!=": "不为", ">": "大于", ">=": "不小于", "<": "小于", "<=": "不大于"}
_DATE_WORDS = {"=": "为", "!=": "不为", ">": "晚于", ">=": "不早于", "<": "早于", "<=": "不晚于"}


def describe(definition: Definition, catalog: Catalog | None = None) -> str:
    """What a definition computes, as one Chinese sentence (names from the catalog if given)."""
    names = _Names(catalog or {})
    if isinstance(definition, Manual):
        return "手工填报实际完成值（附佐证材料）"
    if isinstance(definition, Ratio):
        numerator = _describe_part(definition.numerator, names)
        if isinstance(definition.denominator, Budget):
            denominator = "项目全年预算数（元）"
        else:
            denominator = _describe_part(definition.denominator, names)
        text = f"{numerator} ÷ {denominator}"
        if definition.scale != 1:
            text += f" × {_plain(definition.scale)}"
        return text
    return _describe_part(definition, names)


@dataclass
class _Names:
    catalog: Catalog

    def ledger(self, code: str) -> str:
        schema = self.catalog.get(code)
        return schema.name if schema else code

    def info(self, ledger: str, code: str) -> FieldInfo | None:
        schema = self.catalog.get(ledger)
        return schema.fields.get(code) if schema else None

    def label(self, ledger: str, code: str) -> str:
        info = self.info(ledger, code)
        return info.label if info else code


def _describe_part(part: Part, names: _Names) -> str:
    subject = f"{'全单位' if part.scope == UNIT else ''}{names.ledger(part.ledger)}台账"
    conditions = []
    if not isinstance(part, Events):
        state = date_state(part.date)
        if state is not None:
            conditions.append(f"到达“{state}”的日期在统计期内")
        elif part.date is not None:
            conditions.append(f"“{names.label(part.ledger, part.date)}”在统计期内")
    conditions += [_describe_filter(part.ledger, f, names) for f in part.filters]
    base = f"{subject}中{_join(conditions)}的" if conditions else f"{subject}的"
    if isinstance(part, Count):
        return f"{base}记录数"
    if isinstance(part, Events):
        return f"{base}记录在统计期内到达{_quoted(part.states)}的次数"
    label = names.label(part.ledger, part.field)
    if isinstance(part, Sum):
        return f"{base}“{label}”合计"
    return f"{base}“{label}”不同值的个数"


def _join(parts: list[str]) -> str:
    if len(parts) <= 2:
        return "且".join(parts)
    return "、".join(parts[:-1]) + "且" + parts[-1]


def _describe_filter(ledger: str, item: Filter, names: _Names) -> str:
    if isinstance(item, StateIn):
        return f"当前状态为{_alternatives(item.states)}"
    if isinstance(item, Reached):
        return f"截至统计日已到达“{item.state}”"
    if isinstance(item, NotReached):
        return f"截至统计日尚未到达“{item.state}”"
    label = names.label(ledger, item.field)
    info = names.info(ledger, item.field)
    if isinstance(item, FieldCompare):
        dated = info is not None and info.kind in DATE_KINDS
        word = (_DATE_WORDS if dated else _COMPARE_WORDS)[item.op]
        return f"“{label}”{word}“{names.label(ledger, item.other_field)}”"
    if item.op == "empty":
        return f"“{label}”为空"
    if item.op == "not_empty":
        return f"“{label}”已填写"
    if isinstance(item.value, tuple):
        if item.op == "in":
            return f"“{label}”为{_alternatives(item.value)}"
        return f"“{label}”不为{_alternatives(item.value)}"
    value = item.value
    if isinstance(value, bool):
        return f"“{label}”{'为' if item.op == '=' else '不为'}{'是' if value else '否'}"
    dated = (info is not None and info.kind in DATE_KINDS) or (
        info is None and isinstance(value, str) and _is_iso_date(value)
    )
    word = (_DATE_WORDS if dated else _COMPARE_WORDS)[item.op]
    if isinstance(value, str) and not dated:
        return f"“{label}”{word}“{value}”"
    return f"“{label}”{word} {_plain(value) if isinstance(value, Decimal) else value}"


def _alternatives(values: Sequence[Any]) -> str:
    quoted = [f"“{_plain(v) if isinstance(v, Decimal) else v}”" for v in values]
    if len(quoted) == 1:
        return quoted[0]
    return "、".join(quoted[:-1]) + "或" + quoted[-1]


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f")


# --- window and numbers --------------------------------------------------------------------


def window(year: int, as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The counting window: 1 January of the year to the as-of date (at most 31 December).

    An as-of date after the year's end counts the whole fiscal year, never the next one's
    records; one before 1 January gives an empty window (start after end).
    """
    return dt.date(year, 1, 1), min(as_of, dt.date(year, 12, 31))


def round_half_up(value: Decimal, places: int = 2) -> Decimal:
    """Round half up to the given number of decimal places (2.345 -> 2.35)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def ratio_value(
    numerator: Decimal | None, denominator: Decimal | None, scale: Decimal = Decimal(1)
) -> Decimal | None:
    """numerator / denominator × scale, half-up to 2 places; None if either is missing or 0."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    # Multiply before dividing so 1/3 × 100 is 33.33 and not 33.33 of a rounded 0.3333.
    return round_half_up(numerator * scale / denominator)


def cents_to_yuan(cents: int | None) -> Decimal:
    """Integer cents as 元 with 2 places (None, no records, is 0.00)."""
    return (Decimal(cents or 0) / 100).quantize(TWO_PLACES)


def budget_in_yuan(total: Decimal | None, money_unit: str) -> Decimal | None:
    """A project's budget in 元, from the amount in its table's money unit (万元 × 10000)."""
    if total is None:
        return None
    return total * WAN if money_unit == "万元" else total


def value_text(value: Decimal | None) -> str | None:
    """An actual as text, as it is kept: "230", "96.55", "1234.50"."""
    return None if value is None else format(value, "f")
