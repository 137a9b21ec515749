"""Consistency rules of a ledger type: what a record's values must agree on, kept as data.

A rule is ``{"code": "…", "when": [conditions], "then": [conditions], "message": "…"}`` in the
filter vocabulary of metrics (``jixiao.core.metrics``): ``{"field", "op", "value"}``,
``{"field", "op", "other_field"}``, ``{"state": [...]}``, ``{"reached": "处置"}``,
``{"not_reached": "…"}``. A record breaks a rule when every ``when`` condition holds and some
``then`` condition does not. A comparison with a blank field neither brings a rule into play
nor breaks one (whether a field must be filled is the field's own ``required``); ``empty`` and
``not_empty`` say what they say. ``reached`` means the record has reached the state at all.

The services refuse a record that breaks a rule (typed, imported or moved on); existing
records are listed by :func:`violations` on the data-quality page and by
``jixiao ledger check``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jixiao.core import metrics as m
from jixiao.ledgers.values import is_blank

__all__ = [
    "Rule",
    "RuleError",
    "Violation",
    "broken_rules",
    "parse_rules",
    "schema_of",
]


class RuleError(ValueError):
    """A rule that cannot be used; the message is Chinese and names the rule."""


@dataclass(frozen=True)
class Rule:
    """One parsed consistency rule."""

    code: str
    when: tuple[m.Filter, ...]
    then: tuple[m.Filter, ...]
    message: str

    @property
    def fields(self) -> tuple[str, ...]:
        """The field codes the rule reads, ``then`` first (the field an entry form marks)."""
        codes: list[str] = []
        for item in (*self.then, *self.when):
            for code in _codes(item):
                if code not in codes:
                    codes.append(code)
        return tuple(codes)


@dataclass(frozen=True)
class Violation:
    """A record breaking a rule: the rule, its message, and the labels of the fields it reads."""

    rule: str
    message: str
    fields: tuple[str, ...]
    labels: tuple[str, ...]

    @property
    def field(self) -> str:
        """The field an entry form shows the message beside ("" when the rule reads none)."""
        return self.fields[0] if self.fields else ""

    @property
    def column(self) -> str:
        """The fields named as an import error's column: “应处置、处置期限”."""
        return "、".join(self.labels) or "状态"


def schema_of(ledger_type: Any) -> m.LedgerSchema:
    """A ledger type (model or its data) as rules are checked against."""
    fields = {
        f.code: m.FieldInfo(f.label, f.kind, tuple(f.choices or ()))
        for f in ledger_type.fields.all()
    }
    workflow = ledger_type.workflow or {}
    return m.LedgerSchema(
        code=ledger_type.code,
        name=ledger_type.name,
        fields=fields,
        states=tuple(workflow.get("states", [])),
        amount_field=ledger_type.amount_field,
        has_project=ledger_type.has_project,
    )


def parse_rules(data: Any, schema: m.LedgerSchema) -> list[Rule]:
    """The rules of a ledger type from their JSON form, checked against its fields and states.

    Raises RuleError (Chinese, naming the rule) for a malformed rule or one that names a field
    or state the type does not have.
    """
    if data in (None, ""):
        return []
    if not isinstance(data, list):
        raise RuleError("一致性规则应为规则的列表")
    rules: list[Rule] = []
    seen: set[str] = set()
    for number, item in enumerate(data, 1):
        where = f"第 {number} 条一致性规则"
        if not isinstance(item, Mapping):
            raise RuleError(f"{where}应为对象，含 code、when、then、message")
        unknown = [k for k in item if k not in ("code", "when", "then", "message")]
        if unknown:
            raise RuleError(f"{where}有不认识的键：{'、'.join(map(str, unknown))}")
        code = str(item.get("code") or "").strip()
        message = str(item.get("message") or "").strip()
        if not code or code in seen:
            raise RuleError(f"{where}缺少代码（code）或代码重复")
        seen.add(code)
        where = f"一致性规则“{code}”"
        if not message:
            raise RuleError(f"{where}缺少说明（message），它是录入被拒时看到的话")
        if not item.get("then"):
            raise RuleError(f"{where}缺少要求（then）")
        when = _conditions(item.get("when") or [], schema, f"{where}的条件（when）")
        then = _conditions(item["then"], schema, f"{where}的要求（then）")
        rules.append(Rule(code, when, then, message))
    return rules


def repeat_problems(data: Any, schema: m.LedgerSchema) -> list[str]:
    """What is wrong with a type's 重复判定字段: a list of field-code groups of its own fields."""
    if data in (None, ""):
        return []
    if not isinstance(data, list) or not all(isinstance(g, list) and g for g in data):
        return ['重复判定字段应为字段代码组的列表，如 [["paid_on", "amount", "payee"]]']
    unknown = sorted({str(c) for g in data for c in g if c not in schema.fields})
    if unknown:
        return [f"重复判定字段中有本台账没有的字段：{'、'.join(unknown)}"]
    return []


def type_problems(rules: Any, repeats: Any, schema: m.LedgerSchema) -> list[str]:
    """A ledger type's rules and repeat groups checked against its fields (Chinese)."""
    problems = repeat_problems(repeats, schema)
    try:
        parse_rules(rules, schema)
    except RuleError as exc:
        problems.append(str(exc))
    return problems


def _conditions(items: Any, schema: m.LedgerSchema, where: str) -> tuple[m.Filter, ...]:
    # The metric parser and checker know the vocabulary; a rule is a count's filters.
    definition = {"kind": "count", "ledger": schema.code, "filters": items, "scope": m.UNIT}
    try:
        parsed = m.parse(definition)
        m.check(parsed, {schema.code: schema})
    except m.MetricError as exc:
        raise RuleError(f"{where}：{exc}") from None
    assert isinstance(parsed, m.Count)
    return parsed.filters


def broken_rules(
    rules: Sequence[Rule],
    schema: m.LedgerSchema,
    data: Mapping[str, Any],
    *,
    state: str = "",
    state_dates: Mapping[str, str] | None = None,
) -> list[Violation]:
    """The rules a record (its field values, state and the states it reached) breaks."""
    record = _Record(schema, data, state, state_dates or {})
    found = []
    for rule in rules:
        if all(record.holds(c) is True for c in rule.when) and any(
            record.holds(c) is False for c in rule.then
        ):
            labels = tuple(_label(schema, c) for c in rule.fields)
            found.append(Violation(rule.code, rule.message, rule.fields, labels))
    return found


def messages(found: Iterable[Violation]) -> dict[str, str]:
    """Violations as a ValidationError's dict: each message beside its first field."""
    errors: dict[str, str] = {}
    for violation in found:
        key = violation.field or "state"
        errors[key] = f"{errors[key]}；{violation.message}" if key in errors else violation.message
    return errors


def _codes(item: m.Filter) -> tuple[str, ...]:
    if isinstance(item, m.FieldCompare):
        return (item.field, item.other_field)
    if isinstance(item, m.FieldFilter):
        return (item.field,)
    return ()


def _label(schema: m.LedgerSchema, code: str) -> str:
    info = schema.fields.get(code)
    return info.label if info else code


@dataclass
class _Record:
    schema: m.LedgerSchema
    data: Mapping[str, Any]
    state: str
    state_dates: Mapping[str, str]

    def holds(self, item: m.Filter) -> bool | None:
        """True or False, or None when a compared field is blank."""
        if isinstance(item, m.StateIn):
            return self.state in item.states
        if isinstance(item, m.Reached):
            return item.state in self.state_dates or item.state == self.state
        if isinstance(item, m.NotReached):
            return not (item.state in self.state_dates or item.state == self.state)
        raw = self.data.get(item.field)
        if isinstance(item, m.FieldFilter) and item.op in m.EMPTY_OPS:
            return is_blank(raw) == (item.op == "empty")
        if is_blank(raw):
            return None
        kind = self._kind(item.field)
        if isinstance(item, m.FieldCompare):
            other = self.data.get(item.other_field)
            if is_blank(other):
                return None
            return _compare(_value(kind, raw), item.op, _value(kind, other))
        left = _value(kind, raw)
        if item.op in m.LIST_OPS:
            assert isinstance(item.value, tuple)
            inside = any(left == _value(kind, v) for v in item.value)
            return inside == (item.op == "in")
        return _compare(left, item.op, _value(kind, item.value))

    def _kind(self, code: str) -> str:
        info = self.schema.fields.get(code)
        return info.kind if info else "text"


def _value(kind: str, raw: Any) -> Any:
    """A stored or rule value in a form that compares: numbers, dates, booleans, text."""
    if kind in m.NUMERIC_KINDS:
        number = m.as_number(raw)
        return number if number is not None else Decimal(0)
    if kind in m.DATE_KINDS:
        text = str(raw)
        # A datetime compares with a date by its day.
        return dt.date.fromisoformat(text[:10])
    if kind == "boolean":
        return bool(raw)
    return str(raw).strip()


def _compare(left: Any, op: str, right: Any) -> bool:
    if op == "=":
        return bool(left == right)
    if op == "!=":
        return bool(left != right)
    if op == ">":
        return bool(left > right)
    if op == ">=":
        return bool(left >= right)
    if op == "<":
        return bool(left < right)
    return bool(left <= right)
