"""Metric filters and windows as SQL conditions over ``LedgerEntry``, the same on both databases.

JSON values are read with one function call per key: ``data ->> 'key'`` on PostgreSQL,
``JSON_EXTRACT(data, '$."key"')`` on SQLite. Django's own key transforms compile, on SQLite,
to a ``CASE`` over ``JSON_TYPE`` and ``JSON_EXTRACT`` that reads each key up to three times;
over millions of rows that alone costs a third more than the aggregate needs.

What the two databases return for a key is the same for text and dates (text; dates are
stored as ISO text, which compares correctly as text). They differ for booleans (SQLite 1/0,
PostgreSQL 'true'/'false') and numbers (SQLite numbers, PostgreSQL text), so booleans go
through :class:`JsonIs` and numbers through a cast.

Semantics of a missing value: it fails ``=``, ``>`` … and ``in``; it passes ``!=`` and
``not_in`` (a record without a grade is not 重大); ``empty`` is missing, null or "".
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import BigIntegerField, DecimalField, F, Func, Q, TextField
from django.db.models.expressions import Expression
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Round
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    In,
    IsNull,
    LessThan,
    LessThanOrEqual,
    Lookup,
    Range,
)

from jixiao.core import metrics as m

DATA = "data"
STATE_DATES = "state_dates"

_LOOKUPS: dict[str, Any] = {
    "=": Exact,
    ">": GreaterThan,
    ">=": GreaterThanOrEqual,
    "<": LessThan,
    "<=": LessThanOrEqual,
}


class JsonValue(Func):
    """One key of a JSON column as an SQL scalar, read with a single function call."""

    output_field = TextField()

    def __init__(self, column: str, key: str) -> None:
        super().__init__(F(column))
        self.key = key

    def as_sqlite(
        self, compiler: Any, connection: Any, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        sql, params = compiler.compile(self.get_source_expressions()[0])
        # json.dumps quotes the key as Django stores it (ASCII-escaped), so Chinese state
        # names match the stored keys byte for byte.
        return f"JSON_EXTRACT({sql}, %s)", (*params, "$." + json.dumps(self.key))

    def as_postgresql(
        self, compiler: Any, connection: Any, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"({sql} ->> %s)", (*params, self.key)

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **extra: Any) -> Any:
        # Other databases: Django's own key transform, slower but correct.
        text = KeyTextTransform(self.key, self.get_source_expressions()[0])
        return compiler.compile(text)


class JsonIs(Lookup):
    """A JSON boolean key is true (or false): one comparison, the same answer on both databases."""

    lookup_name = "json_is"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, params = compiler.compile(self.lhs)
        if connection.vendor == "sqlite":
            value: Any = 1 if self.rhs else 0  # JSON_EXTRACT gives true as 1, false as 0
        else:
            value = "true" if self.rhs else "false"
        return f"{lhs} = %s", (*params, value)


def number(expression: Expression) -> Cast:
    """A JSON number (stored as a number or decimal text) as an SQL decimal."""
    return Cast(expression, DecimalField(max_digits=30, decimal_places=6))


def field_value(code: str, kind: str) -> Expression:
    """The comparable SQL value of a field: numbers cast, everything else as text."""
    value = JsonValue(DATA, code)
    return number(value) if kind in m.NUMERIC_KINDS else value


def sum_expression(code: str, kind: str, amount_field: str) -> Expression | F:
    """What to sum for a field: cents of the amount column, or the integer (cents) in the JSON.

    Money sums are integer cents on both databases, so they are exact however many rows.
    """
    if code == amount_field:
        return F("amount_cents")
    value = JsonValue(DATA, code)
    if kind == "money":
        return Cast(Round(number(value) * 100), BigIntegerField())
    return Cast(value, BigIntegerField())


def _operand(value: m.Scalar, kind: str) -> Any:
    if kind in m.NUMERIC_KINDS:
        return m.as_number(value)
    return value if isinstance(value, str) else str(value)


def _missing(expression: Expression) -> Q:
    return Q(IsNull(expression, True))


def filter_q(item: m.Filter, kinds: Mapping[str, str], end: dt.date) -> Q:
    """One filter as a condition; ``end`` is the as-of date that reached/not_reached use."""
    if isinstance(item, m.StateIn):
        return Q(state__in=item.states)
    if isinstance(item, m.Reached):
        return Q(LessThanOrEqual(JsonValue(STATE_DATES, item.state), end.isoformat()))
    if isinstance(item, m.NotReached):
        reached_at = JsonValue(STATE_DATES, item.state)
        return _missing(reached_at) | Q(GreaterThan(reached_at, end.isoformat()))
    kind = kinds.get(item.field, "text")
    if isinstance(item, m.FieldCompare):
        other_kind = kinds.get(item.other_field, "text")
        lhs, rhs = field_value(item.field, kind), field_value(item.other_field, other_kind)
        if item.op == "!=":
            return ~Q(Exact(lhs, rhs))
        return Q(_LOOKUPS[item.op](lhs, rhs))
    lhs = field_value(item.field, kind)
    if item.op == "empty":
        return _missing(lhs) | (Q(Exact(lhs, "")) if kind not in m.NUMERIC_KINDS else Q())
    if item.op == "not_empty":
        present = ~_missing(lhs)
        return present & ~Q(Exact(lhs, "")) if kind not in m.NUMERIC_KINDS else present
    if isinstance(item.value, tuple):
        members = Q(In(lhs, [_operand(v, kind) for v in item.value]))
        return members if item.op == "in" else _missing(lhs) | ~members
    assert item.value is not None  # compare ops always carry a value (see core.parse)
    if isinstance(item.value, bool):
        equal = Q(JsonIs(JsonValue(DATA, item.field), item.value))
        return equal if item.op == "=" else _missing(lhs) | ~equal
    operand = _operand(item.value, kind)
    if item.op == "!=":
        return _missing(lhs) | ~Q(Exact(lhs, operand))
    return Q(_LOOKUPS[item.op](lhs, operand))


@dataclass(frozen=True)
class Bounds:
    """Bounds on the record's own date that the query's WHERE clause already applies."""

    start: dt.date | None = None
    end: dt.date | None = None


NO_BOUNDS = Bounds()


def window_q(spec: str | None, start: dt.date, end: dt.date, *, known: Bounds = NO_BOUNDS) -> Q:
    """The record's date for this spec (its own, a date field, a state's) lies in the window.

    A state reached inside the window also needs the record itself dated by the window's end:
    a record reaches its states on or after its own date (the workflow refuses earlier steps),
    so this changes no count, and it lets a scan skip records dated after the as-of date.
    What ``known`` says the WHERE clause already applies is left out.
    """
    record = Q()
    if spec is None and known.start != start:
        record &= Q(date__gte=start)
    state = m.date_state(spec)
    if (spec is None or state is not None) and known.end != end:
        record &= Q(date__lte=end)
    if spec is None:
        return record
    column, key = (STATE_DATES, state) if state is not None else (DATA, spec)
    return Q(Range(JsonValue(column, key), (start.isoformat(), end.isoformat()))) & record
